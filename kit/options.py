"""Each phase's options: one pydantic model per phase notebook, the single home of their types, ranges and defaults.

A model's fields are the notebook's parameters other than `engagement` and `output_dir`, with the
same names, types, defaults and comments (tests/test_notebooks.py checks it). Options are set in
engagement.yaml under `phases: {<phase>: {option: value}}` or by `kit run --param`; both are
validated here before a run folder exists. This module imports no phase module (the registry in
`kit.phases` names each phase's model; `kit.settings` reads `phases:` through it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from kit.evidence import AGENT_TASK_MINUTES


class PhaseOptions(BaseModel):
    """Base of every phase's options. Strict: 2 is accepted for a float, but "2", 2.5 for an integer,
    true for a number and infinite or NaN values are not."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class WorkflowMappingOptions(PhaseOptions):
    """Phase 1 has no options."""


class RoiRankingOptions(PhaseOptions):
    ranking: Literal["conservative", "point"] = Field(
        "conservative", description='rank by net value at "conservative" (the shrunk estimate) or "point" (each workflow\'s own estimate)'
    )
    top_n: int = Field(3, ge=1, description="how many workflows to recommend starting with")


class TrainingGapsOptions(PhaseOptions):
    # 6 h: kit.phases.training.HOURS_PER_LEVEL (a kit assumption, stated in the report's method note).
    hours_per_level: float = Field(
        6.0, gt=0, description="training hours per person for each skill level gained (kit assumption)"
    )
    top_workflows: int = Field(
        10, ge=0, description="how many top workflows of the ROI ranking put their owner roles first"
    )
    leader_gap_threshold: float = Field(
        1.0, gt=0, le=4, description='levels a leader must be ahead of their team to count as "far ahead"'
    )


class ConsolidationOptions(PhaseOptions):
    # 0 defers to engagement.yaml's active_window_days (30, 60 or 90), as the notebook does.
    active_window_days: Literal[0, 30, 60, 90] = Field(
        0, description="days of use that make an active user: 30, 60 or 90, or 0 for the engagement setting"
    )
    downsize_buffer: float = Field(
        0.1, ge=0, le=1, description="share of seats kept above the recent peak of active users when downsizing"
    )


class AgentCandidatesOptions(PhaseOptions):
    readiness_threshold: float = Field(
        0.6, ge=0, le=1, description='department training readiness (0-1) a task needs to be "ready now"'
    )
    long_task_minutes: float = Field(
        float(AGENT_TASK_MINUTES),
        gt=0,
        description="runs longer than this are flagged for splitting (METR 2025: about 1 hour)",
    )
    top_specs: int = Field(5, ge=0, description="how many top candidates get a one-page agent specification")


#: The default training readiness that gates agents, also the summary's readiness bar (one default).
READINESS_THRESHOLD: float = AgentCandidatesOptions.model_fields["readiness_threshold"].default


class EngagementSummaryOptions(PhaseOptions):
    """The summary has no options."""


class ProgressOptions(PhaseOptions):
    """Progress since the baseline has no options (the baseline run is named by `kit run --baseline`)."""


def phases_model(options: Mapping[str, type[PhaseOptions]]) -> type[BaseModel]:
    """The model of engagement.yaml's `phases:` key: one optional mapping of options per phase name.
    An unknown phase or option is an error; an empty entry (`training_gaps:`) means the defaults."""

    def _none_is_empty(cls, value: object) -> object:
        return {} if value is None else value

    return create_model(
        "PhasesOptions",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __validators__={"_none_is_empty": field_validator("*", mode="before")(_none_is_empty)},
        **{name: (model, Field(default_factory=model)) for name, model in options.items()},
    )


def option_error(model: type[PhaseOptions], name: str, value: object) -> str | None:
    """Why `value` is not allowed for option `name` of `model` ("must be greater than 0 — <what it is>"),
    or None when it is. `name` must be one of the model's fields."""
    try:
        model.model_validate({name: value})
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].replace("Input should be", "must be").replace("Input should", "must")
        return f"{msg[0].lower()}{msg[1:]} — {model.model_fields[name].description}"
    return None

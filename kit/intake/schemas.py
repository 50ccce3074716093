"""One pandera DataFrameModel per intake table: the contract in code.

Each field's metadata gives the *kind* of raw value the loader parses (str, enum, bool, date,
number, int) and the plain-language expectation used in error messages. Pandera then checks
ranges, allowed values, uniqueness and required values lazily, so every problem is reported.
Optional columns are `nullable=True` and not `required`; the loader adds them when absent.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

TASK_TYPES = (
    "writing", "summarizing", "research", "analysis", "data_entry", "customer_communication",
    "internal_communication", "reporting", "scheduling", "coding", "review_approval",
    "creative_design", "physical_onsite", "other",
)  # fmt: skip
DATA_CLASSES = ("public", "internal", "confidential", "restricted")  # ordered, least to most sensitive
PLANS = ("free", "individual", "team", "enterprise")
BILLING_CYCLES = ("monthly", "annual")
RECURRING_CATEGORIES = ("report", "follow_up", "research", "internal_comms", "data_sync", "other")
ERROR_IMPACTS = ("low", "medium", "high")
PILOT_STAGES = ("shadow", "approval", "autonomous", "stopped")  # shadow -> approval -> autonomous; or stopped
TOOL_CATEGORIES = (
    "chat_assistant", "writing_assistant", "meeting_assistant", "coding_assistant", "automation",
    "analytics", "search_research", "image_media", "crm_ai", "support_ai", "other",
)  # fmt: skip  # recommended values only: any category is accepted


def _f(kind: str, expect: str, *, optional: bool = False, default: object = None, extension: bool = False,
       **checks) -> object:  # fmt: skip
    meta = {"kind": kind, "expect": expect, "default": default, "extension": extension}
    return pa.Field(nullable=optional, required=not optional, metadata=meta, **checks)


def _enum(values: tuple[str, ...], *, optional: bool = False, default: str | None = None) -> object:
    return _f("enum", "one of " + ", ".join(values), optional=optional, default=default, isin=list(values))


TEXT = "a non-empty text"


def contract_columns(model: type[pa.DataFrameModel]) -> list[str]:
    """The intake contract's columns of a table, in order (without the kit's extension columns)."""
    return [n for n, c in model.to_schema().columns.items() if not (c.metadata or {}).get("extension")]


class _Table(pa.DataFrameModel):
    class Config:
        strict = False  # unknown extra columns are kept and ignored
        coerce = False  # the loader parses values itself, with row-level messages


class Workflows(_Table):
    workflow_id: Series[str] = _f("str", TEXT, unique=True)
    department: Series[str] = _f("str", TEXT)
    workflow: Series[str] = _f("str", TEXT)
    owner_role: Series[str] = _f("str", TEXT)
    task_type: Series[str] = _enum(TASK_TYPES)
    runs_per_month: Series[float] = _f("number", "a number >= 0", ge=0)
    minutes_per_run: Series[float] = _f("number", "a number > 0", gt=0)
    data_sensitivity: Series[str] = _enum(DATA_CLASSES)
    people_involved: Series[pd.Int64Dtype] = _f("int", "a whole number >= 1", optional=True, default=1, ge=1)
    systems: Series[str] = _f("str", "text", optional=True, default="")
    pain_points: Series[str] = _f("str", "text", optional=True, default="")


class TimeStudies(_Table):
    observation_id: Series[str] = _f("str", TEXT, unique=True)
    workflow_id: Series[str] = _f("str", TEXT)
    ai_assisted: Series[bool] = _f("bool", "true/false, yes/no, y/n or 1/0")
    minutes: Series[float] = _f("number", "a number > 0", gt=0)
    employee_id: Series[str] = _f("str", "text", optional=True)
    observed_on: Series[pd.Timestamp] = _f("date", "a date YYYY-MM-DD", optional=True)
    complexity: Series[pd.Int64Dtype] = _f("int", "a whole number from 1 to 5", optional=True, ge=1, le=5)
    quality_score: Series[float] = _f("number", "a number from 0 to 100", optional=True, ge=0, le=100)


class SkillsSurvey(_Table):
    respondent_id: Series[str] = _f("str", TEXT)
    department: Series[str] = _f("str", TEXT)
    role: Series[str] = _f("str", TEXT)
    skill: Series[str] = _f("str", TEXT)
    level: Series[int] = _f("int", "a whole number from 0 to 4", ge=0, le=4)

    class Config:
        unique = ["respondent_id", "skill"]


class RoleTargets(_Table):
    role: Series[str] = _f("str", TEXT)
    skill: Series[str] = _f("str", TEXT)
    target_level: Series[int] = _f("int", "a whole number from 0 to 4", ge=0, le=4)
    weight: Series[float] = _f("number", "a number > 0", optional=True, default=1.0, gt=0)

    class Config:
        unique = ["role", "skill"]


class Tools(_Table):
    tool: Series[str] = _f("str", TEXT, unique=True)
    vendor: Series[str] = _f("str", TEXT)
    category: Series[str] = _f("str", TEXT)
    plan: Series[str] = _enum(PLANS)
    seats: Series[int] = _f("int", "a whole number >= 0", ge=0)
    cost_per_seat_month: Series[float] = _f("number", "a number >= 0", ge=0)
    approved: Series[bool] = _f("bool", "true/false, yes/no, y/n or 1/0")
    max_data_class: Series[str] = _enum(DATA_CLASSES)
    billing_cycle: Series[str] = _enum(BILLING_CYCLES, optional=True, default="monthly")
    renewal_date: Series[pd.Timestamp] = _f("date", "a date YYYY-MM-DD", optional=True)
    owner: Series[str] = _f("str", "text", optional=True, default="")
    sso_enabled: Series[pd.BooleanDtype] = _f("bool", "true/false, yes/no, y/n or 1/0", optional=True)


class Usage(_Table):
    user_id: Series[str] = _f("str", TEXT)
    tool: Series[str] = _f("str", TEXT)
    date: Series[pd.Timestamp] = _f("date", "a date YYYY-MM-DD")
    actions: Series[pd.Int64Dtype] = _f("int", "a whole number >= 0", optional=True, ge=0)
    # kit extensions (DATA_DICTIONARY.md): per-app detail and last-activity snapshots
    app: Series[str] = _f("str", "text", optional=True, default="", extension=True)
    snapshot: Series[pd.Timestamp] = _f("date", "a date YYYY-MM-DD", optional=True, extension=True)
    window_days: Series[pd.Int64Dtype] = _f("int", "a whole number from 1 to 366", optional=True, extension=True,
                                            ge=1, le=366)  # fmt: skip
    # Copilot usage report v2, on its "All apps" row: prompts submitted and days with use in the window
    prompts: Series[pd.Int64Dtype] = _f("int", "a whole number >= 0", optional=True, extension=True, ge=0)
    active_days: Series[pd.Int64Dtype] = _f("int", "a whole number from 0 to 366", optional=True, extension=True,
                                            ge=0, le=366)  # fmt: skip


class Expenses(_Table):
    expense_id: Series[str] = _f("str", TEXT, unique=True)
    date: Series[pd.Timestamp] = _f("date", "a date YYYY-MM-DD")
    employee_id: Series[str] = _f("str", TEXT)
    vendor: Series[str] = _f("str", TEXT)
    amount: Series[float] = _f("number", "a number")
    description: Series[str] = _f("str", "text", optional=True, default="")


class RecurringWork(_Table):
    task_id: Series[str] = _f("str", TEXT, unique=True)
    department: Series[str] = _f("str", TEXT)
    task: Series[str] = _f("str", TEXT)
    category: Series[str] = _enum(RECURRING_CATEGORIES)
    owner_role: Series[str] = _f("str", TEXT)
    runs_per_month: Series[float] = _f("number", "a number >= 0", ge=0)
    minutes_per_run: Series[float] = _f("number", "a number > 0", gt=0)
    input_structure: Series[int] = _f("int", "a whole number from 1 to 5", ge=1, le=5)
    rule_based: Series[int] = _f("int", "a whole number from 1 to 5", ge=1, le=5)
    exception_rate: Series[float] = _f("number", "a number from 0 to 1", ge=0, le=1)
    data_sensitivity: Series[str] = _enum(DATA_CLASSES)
    error_impact: Series[str] = _enum(ERROR_IMPACTS)
    systems: Series[str] = _f("str", "text", optional=True, default="")


class Pilots(_Table):
    """Agent pilots under way (optional; a follow-up run reads it): one row per pilot, its stage now."""

    task_id: Series[str] = _f("str", TEXT, unique=True)
    stage: Series[str] = _enum(PILOT_STAGES)
    started_on: Series[pd.Timestamp] = _f("date", "a date YYYY-MM-DD", optional=True)
    stage_since: Series[pd.Timestamp] = _f("date", "a date YYYY-MM-DD", optional=True)
    outputs_reviewed: Series[pd.Int64Dtype] = _f("int", "a whole number >= 0", optional=True, ge=0)
    outputs_accepted: Series[pd.Int64Dtype] = _f("int", "a whole number >= 0", optional=True, ge=0)
    owner: Series[str] = _f("str", "text", optional=True, default="")

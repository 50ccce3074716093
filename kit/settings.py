"""engagement.yaml read into a typed settings object.

The contract's keys plus a few kit extensions (documented in engagement_templates/engagement.yaml).
A bad key or value becomes a Problem naming the key; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kit.phases import PhasesOptions
from kit.problems import IntakeError, Problem

SETTINGS_FILE = "engagement.yaml"

HEALTH_FACTORS = ("starting_point", "training", "data_governance", "ownership", "timeline", "measurement")
TABLE_NAMES = (
    "workflows",
    "time_studies",
    "skills_survey",
    "role_targets",
    "tools",
    "usage",
    "expenses",
    "recurring_work",
    "pilots",
)

# A slug names folders (engagements/<slug>/, reports/<slug>/): the cap keeps every path the kit
# builds under file-name and path limits (255 bytes per name; Windows' 260 per path).
SLUG_MAX_LENGTH = 64
SLUG_PATTERN = r"^[a-z0-9-]+$"

PositiveNumber = Annotated[float, Field(gt=0)]
HealthLevel = Annotated[int, Field(ge=1, le=3)]


class PhaseWeeks(BaseModel):
    """Duration of each engagement phase in weeks (kit extension)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    foundation: int = Field(4, ge=1, le=52)
    training: int = Field(6, ge=1, le=52)
    consolidation: int = Field(6, ge=1, le=52)
    agents: int = Field(8, ge=1, le=52)


class ConsolidationRules(BaseModel):
    """The spend review's own thresholds (kit extension). A kit assumption, not from a published
    source: a tool whose seats are used below `cancel_below` (utilization = active users ÷ seats)
    is cancelled rather than downsized."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    cancel_below: float = Field(0.1, ge=0, lt=0.8)  # below Torii's 0.8 floor, else nothing is downsized


class OversightShare(BaseModel):
    """Share of the automatable work an agent takes on at each oversight level (kit assumption)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    on_its_own: float = Field(1.0, ge=0, le=1)
    approves_each_output: float = Field(2 / 3, ge=0, le=1)
    drafts_with_agent: float = Field(1 / 3, ge=0, le=1)

    @model_validator(mode="after")
    def _stricter_takes_less(self) -> OversightShare:
        if not self.on_its_own >= self.approves_each_output >= self.drafts_with_agent:
            given = f"{self.on_its_own:g}, {self.approves_each_output:g}, {self.drafts_with_agent:g}"
            raise ValueError(
                "shares must not grow with stricter oversight: on_its_own >= approves_each_output >= "
                f"drafts_with_agent (given: {given})"
            )
        return self

    def as_tuple(self) -> tuple[float, float, float, float]:
        """The shares per oversight level: on its own, approve, draft, not recommended (0)."""
        return (self.on_its_own, self.approves_each_output, self.drafts_with_agent, 0.0)


class AgentRules(BaseModel):
    """The agent phase's cut-offs and oversight shares (kit extension). Kit assumptions, not from a
    published source: they put the open rubric's "automate only when predictable" into numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    autonomy_potential: float = Field(0.75, gt=0, le=1)  # automation potential to run on its own
    approval_potential: float = Field(0.5, gt=0, le=1)  # ... for "a person approves each output"
    min_potential: float = Field(0.25, ge=0, le=1)  # below: not recommended
    autonomy_max_exceptions: float = Field(0.2, ge=0, le=1)  # most runs needing a person, to run alone
    oversight_share: OversightShare = Field(default_factory=OversightShare)

    @model_validator(mode="after")
    def _cut_offs_in_order(self) -> AgentRules:
        if not self.min_potential < self.approval_potential < self.autonomy_potential:
            given = f"{self.min_potential:g}, {self.approval_potential:g}, {self.autonomy_potential:g}"
            raise ValueError(
                f"cut-offs must satisfy min_potential < approval_potential < autonomy_potential (given: {given})"
            )
        return self


class ValueUncertainty(BaseModel):
    """Declared uncertainty of the valuation inputs, for the Monte Carlo interval of the headline
    net value (kit extension). Each factor is drawn uniformly within ± its spread (adoption
    capped at 100%); the time saving is drawn from each workflow's estimate."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    adoption_spread: float = Field(0.5, ge=0, lt=1)  # adoption rate × (1 ± this)
    minutes_spread: float = Field(0.2, ge=0, lt=1)  # minutes per run × (1 ± this), per workflow
    hourly_cost_spread: float = Field(0.25, ge=0, lt=1)  # hourly cost × (1 ± this)
    draws: int = Field(20_000, ge=1_000, le=1_000_000)
    seed: int = Field(0, ge=0)


class EngagementSettings(BaseModel):
    """Settings of one client engagement (`engagement.yaml`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # --- the contract ---
    client: str = Field(min_length=1)
    slug: str = Field(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    start_date: dt.date
    accountable_owner: str = ""
    hourly_cost: PositiveNumber
    hourly_cost_by_role: dict[str, PositiveNumber] = Field(default_factory=dict)
    horizon_months: int = Field(12, ge=1, le=60)
    adoption_rate: float = Field(0.7, ge=0, le=1)
    as_of: dt.date | None = None
    pseudonymize: bool = True
    data: dict[Literal[TABLE_NAMES], str] = Field(default_factory=dict)  # type: ignore[valid-type]
    health_check: dict[Literal[HEALTH_FACTORS], HealthLevel] = Field(default_factory=dict)  # type: ignore[valid-type]

    # --- kit extensions (documented in engagement_templates/engagement.yaml) ---
    seat_cost_per_month: float = Field(30.0, ge=0)
    enablement_cost_per_workflow: float = Field(2000.0, ge=0)
    active_window_days: Literal[30, 60, 90] = 30
    min_runs_per_arm: int = Field(5, ge=2)
    confidence_level: float = Field(0.9, gt=0.5, lt=1)
    phase_weeks: PhaseWeeks = Field(default_factory=PhaseWeeks)
    pseudonym_key: str | None = None
    headcount_by_department: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    # phase name -> that phase's options (kit.options); `kit run --param` overrides them.
    phases: PhasesOptions = Field(default_factory=PhasesOptions)  # type: ignore[valid-type]
    consolidation_rules: ConsolidationRules = Field(default_factory=ConsolidationRules)
    agent_rules: AgentRules = Field(default_factory=AgentRules)
    value_uncertainty: ValueUncertainty = Field(default_factory=ValueUncertainty)
    # the client's brand colour as #RRGGBB: accents of the steering-committee deck (kit.deck); none = the kit's blue
    accent_colour: str | None = None

    @field_validator("accent_colour", mode="after")
    @classmethod
    def _hex_colour(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", v):
            raise ValueError("must be a colour written #RRGGBB, e.g. #1F5AA6")
        return v.upper()

    @field_validator("phases", mode="before")
    @classmethod
    def _none_is_no_options(cls, v: object) -> object:
        return {} if v is None else v

    @field_validator("currency", mode="before")
    @classmethod
    def _upper_currency(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) else v

    @field_validator("accountable_owner", mode="before")
    @classmethod
    def _none_is_empty(cls, v: object) -> object:
        return "" if v is None else v

    @field_validator("hourly_cost_by_role", mode="after")
    @classmethod
    def _roles_trimmed(cls, v: dict[str, float]) -> dict[str, float]:
        return {k.strip(): c for k, c in v.items()}

    def hourly_cost_for(self, role: str | None) -> float:
        """Fully loaded hourly cost of `role` (role match ignores case and surrounding spaces)."""
        if role is not None:
            wanted = role.strip().lower()
            for name, cost in self.hourly_cost_by_role.items():
                if name.lower() == wanted:
                    return float(cost)
        return float(self.hourly_cost)

    @property
    def has_owner(self) -> bool:
        return bool(self.accountable_owner.strip())


def _describe(err: dict) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "is not a known setting (see engagement_templates/engagement.yaml)"
    if kind == "missing":
        return "is required"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind in ("model_type", "dict_type"):
        return "must be a mapping (key: value)"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern', '')}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length', '')} characters"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    msg = err["msg"].replace("Input should be", "must be").replace("Input should", "must")
    return msg[0].lower() + msg[1:]


def settings_problems(exc: ValidationError, file: str = SETTINGS_FILE) -> list[Problem]:
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"] if p != "[key]")
        value = None if err["type"] in ("missing", "extra_forbidden") else err.get("input")
        if isinstance(value, dict | list):
            value = None
        given = "" if value is None else f" (given: {value!r})"
        problems.append(Problem(file=file, message=f'setting "{key}" {_describe(err)}{given}', column=key))
    return problems


def parse_settings(raw: object, file: str = SETTINGS_FILE) -> EngagementSettings:
    """Validate a mapping read from engagement.yaml; raises IntakeError listing every bad key."""
    if not isinstance(raw, dict):
        raise IntakeError([Problem(file=file, message="must be a YAML mapping of settings (key: value)")])
    try:
        return EngagementSettings.model_validate(raw)
    except ValidationError as exc:
        raise IntakeError(settings_problems(exc, file)) from None


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{node.id}>"


def duplicate_key_problems(text: str, file: str = SETTINGS_FILE) -> list[Problem]:
    """A problem for each key given more than once in a mapping (top level or nested), at its last line.

    YAML loaders keep the last value silently; a key that only overrides a `<<` merge is not a duplicate.
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    while stack:
        node, path = stack.pop()
        if id(node) in seen:  # an alias repeats a node; check it once
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(node.value))
        if not isinstance(node, yaml.MappingNode):
            continue
        lines: dict[str, list[int]] = {}
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                continue
            name = f"{path}.{_key_text(key)}" if path else _key_text(key)
            lines.setdefault(name, []).append(key.start_mark.line + 1)
            stack.append((value, name))
        for name, rows in lines.items():
            if len(rows) > 1:
                times = "twice" if len(rows) == 2 else f"{len(rows)} times"
                listed = ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
                problems.append(
                    Problem(file=file, row=rows[-1], message=f'setting "{name}" appears {times} (rows {listed})')
                )
    return sorted(problems, key=lambda p: p.row or 0)


def load_settings(folder: Path) -> EngagementSettings:
    """Read `<folder>/engagement.yaml`; a key given twice is an error, not the last value."""
    path = Path(folder) / SETTINGS_FILE
    if not path.is_file():
        raise IntakeError([Problem(file=SETTINGS_FILE, message=f"not found in {folder}")])
    try:
        text = path.read_text(encoding="utf-8-sig")
        duplicates = duplicate_key_problems(text)
        if duplicates:
            raise IntakeError(duplicates)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise IntakeError(
            [Problem(file=SETTINGS_FILE, row=row, message=f"is not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    except UnicodeDecodeError:
        raise IntakeError([Problem(file=SETTINGS_FILE, message="must be UTF-8 text")]) from None
    return parse_settings(raw)


_SLUG = re.compile(SLUG_PATTERN)


def is_slug(text: str) -> bool:
    """Whether ``text`` is a valid slug: SLUG_PATTERN, at most SLUG_MAX_LENGTH characters."""
    return bool(_SLUG.fullmatch(text)) and len(text) <= SLUG_MAX_LENGTH

"""The consultant's mapping file (`<engagement>/import_mapping.yaml`): the decisions an export
cannot make for itself. Every key is optional; `engagement_templates/import_mapping.yaml` documents
them. The shipped defaults (`kit/data/skills_survey_mapping.yaml` for the kit's survey templates,
`kit/data/tool_aliases.csv` for tool names) apply where the file says nothing.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kit.imports.formats import header_key
from kit.imports.read import ImportFailure

MAPPING_FILE = "import_mapping.yaml"
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SURVEY_DEFAULTS = DATA_DIR / "skills_survey_mapping.yaml"
DEFAULT_AI_TAGS = ("ai", "ai-assisted", "ai assisted", "with ai")


class WorkflowRule(BaseModel):
    """Time entries of `project` (and `task`, when given) are runs of `workflow`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    project: str
    task: str | None = None
    workflow: str = Field(min_length=1)


class TimeMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    workflows: list[WorkflowRule] = Field(default_factory=list)
    ai_tags: list[str] = Field(default_factory=lambda: list(DEFAULT_AI_TAGS))
    ai_pattern: str | None = None  # regex on the description / notes, case-insensitive
    date_format: str | None = None  # e.g. "%d/%m/%Y" when the account writes day first

    @field_validator("ai_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"is not a valid regular expression ({exc})") from None
        return value


class SurveyMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    questions: dict[str, str] = Field(default_factory=dict)  # question (or "Question [Row]") -> skill
    levels: dict[str, int] = Field(default_factory=dict)  # answer -> level 0..4
    department: str | None = None  # question whose answer is the respondent's department
    role: str | None = None

    @field_validator("levels")
    @classmethod
    def _levels_in_range(cls, value: dict[str, int]) -> dict[str, int]:
        bad = [k for k, v in value.items() if not 0 <= v <= 4]
        if bad:
            raise ValueError(f"levels must be 0 to 4 (check {', '.join(bad)})")
        return value


class ExpenseMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    #: who an export that names nobody belongs to: file name or card number (last digits) -> person
    holder: dict[str, str] = Field(default_factory=dict)


class SnapshotMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    window_days: int = Field(30, ge=1, le=366)  # when an export does not state its report period


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tools: dict[str, str] = Field(default_factory=dict)  # app or tool name in an export -> inventory tool
    time: TimeMapping = Field(default_factory=TimeMapping)
    survey: SurveyMapping = Field(default_factory=SurveyMapping)
    expenses: ExpenseMapping = Field(default_factory=ExpenseMapping)
    snapshots: SnapshotMapping = Field(default_factory=SnapshotMapping)

    def survey_rules(self) -> SurveyMapping:
        """The file's survey mapping, over the shipped one for the kit's survey templates."""
        base = default_survey()
        return SurveyMapping(
            questions={**base.questions, **self.survey.questions}, levels={**base.levels, **self.survey.levels},
            department=self.survey.department or base.department, role=self.survey.role or base.role,
        )  # fmt: skip


@functools.lru_cache(maxsize=1)
def default_survey() -> SurveyMapping:
    return SurveyMapping(**yaml.safe_load(SURVEY_DEFAULTS.read_text(encoding="utf-8")))


def load_mapping(path: Path | None) -> tuple[Mapping, str | None]:
    """The mapping file and its name (None when there is none). Raises ImportFailure with one line
    per bad key."""
    if path is None or not path.is_file():
        return Mapping(), None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        raise ImportFailure(f"{path.name}: is not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict):
        raise ImportFailure(f"{path.name}: must be a mapping of keys (tools, time, survey, expenses, snapshots)")
    try:
        return Mapping(**raw), path.name
    except ValidationError as exc:
        lines = [f"{path.name}: {'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ImportFailure("\n".join(lines)) from None


def keyed(mapping: dict[str, object]) -> dict[str, object]:
    """A mapping whose keys are compared as headers are (trimmed, case-folded, spaces collapsed)."""
    return {header_key(k): v for k, v in mapping.items()}

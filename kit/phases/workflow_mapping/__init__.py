"""Phase 1 (Foundation): the workflow inventory — where time and money go, where AI fits, and what is not yet known.

The computation is in `analysis`, what the report shows in `presentation`, its extra pages in `pages`; every public name is re-exported here."""

from kit.phases.workflow_mapping.analysis import (
    MAX_PRIOR_SAVING,
    MEASURED,
    MONTHS_PER_YEAR,
    NO_OWNER,
    W,
    WorkflowMappingResult,
    analyze,
    analyze_engagement,
    estimate_savings,
)
from kit.phases.workflow_mapping.pages import (
    clarity_document,
    clarity_note,
)
from kit.phases.workflow_mapping.presentation import (
    CANDIDATE_COLUMNS,
    CANDIDATE_FORMATS,
    candidates_chart,
    candidates_text,
    candidates_view,
    collect_next_view,
    department_task_chart,
    departments_view,
    explorer,
    gaps_text,
    gaps_view,
    hours_by_department_chart,
    summary_text,
)

__all__ = [
    "CANDIDATE_COLUMNS",
    "CANDIDATE_FORMATS",
    "MAX_PRIOR_SAVING",
    "MEASURED",
    "MONTHS_PER_YEAR",
    "NO_OWNER",
    "W",
    "WorkflowMappingResult",
    "analyze",
    "analyze_engagement",
    "candidates_chart",
    "candidates_text",
    "candidates_view",
    "clarity_document",
    "clarity_note",
    "collect_next_view",
    "department_task_chart",
    "departments_view",
    "estimate_savings",
    "explorer",
    "gaps_text",
    "gaps_view",
    "hours_by_department_chart",
    "summary_text",
]

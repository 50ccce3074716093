"""Phase 1 (Foundation): the workflow inventory — where time and money go, where AI fits, and
what is not yet known.

Method (stated in the deliverable):
- annual hours = runs per month × 12 × minutes per run ÷ 60; annual cost = hours × the owner
  role's fully loaded hourly cost (`hourly_cost_by_role`, else `hourly_cost`).
- expected saving = the workflow's time saving from the kit's one estimator
  (`kit.estimates.estimate_savings`, the same figure and source the ROI ranking, the summary and
  the workbook show): the client's own time studies, partially pooled toward the task type, else
  the task type's estimate, else the published prior (`kit.evidence.TASK_PRIORS`).
- governance factor = 1 when an approved tool may hold the workflow's data class (tiering in
  `kit.governance`), else 0 (restricted data, or no approved tool for that class yet). Without a
  tool inventory the factor is unknown and taken as 1 for public/internal/confidential and 0
  for restricted.
- suitability score (0–100) = 100 × clip(expected saving ÷ 0.40, 0, 1) × governance factor,
  where 0.40 is the largest central prior (business writing, Noy & Zhang 2023).
- potential hours = annual hours × max(expected saving, 0) × governance factor: the hours a year
  AI could give back at full adoption. Candidates are ranked by potential hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.estimates import MEASURED, estimate_savings
from kit.evidence import MAX_PRIOR_SAVING
from kit.governance import covered_classes, data_class_matrix
from kit.intake.schemas import DATA_CLASSES, Workflows
from kit.settings import EngagementSettings

W = Workflows  # column names come from the schema model
NO_OWNER = {"", "?", "-", "n/a", "na", "none", "tbd", "unknown", "nobody", "unassigned"}
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class WorkflowMappingResult:
    inventory: pd.DataFrame  # one row per workflow, with hours, cost, saving, score, gaps
    departments: pd.DataFrame  # one row per department
    department_task_hours: pd.DataFrame  # long: department, task_type, annual_hours
    candidates: pd.DataFrame  # inventory rows ranked by potential hours (score > 0)
    gaps: pd.DataFrame  # long: workflow_id, workflow, department, gap, detail
    collect_next: list[str]  # plain-language data requests
    total_hours: float
    total_cost: float
    potential_hours: float
    n_workflows: int
    n_departments: int
    n_measured: int
    currency: str
    data_rules: pd.DataFrame  # tools × data classes (empty without a tool inventory)


def analyze(
    workflows: pd.DataFrame,
    settings: EngagementSettings,
    *,
    time_studies: pd.DataFrame | None = None,
    tools: pd.DataFrame | None = None,
    hourly_cost: float | None = None,
    departments: list[str] | None = None,
    savings: pd.DataFrame | None = None,
) -> WorkflowMappingResult:
    """The workflow inventory analysis. `savings` is the estimator's per-workflow table
    (`kit.estimates.SavingEstimates.table`; estimated here from the time studies when not given).
    `hourly_cost` overrides every role's cost (what-if); `departments` keeps only those
    departments (a view filter; totals follow the filter)."""
    if savings is None:
        savings = estimate_savings(workflows, time_studies, settings).table
    inv = workflows.copy()
    if departments:
        inv = inv[inv[W.department].isin(departments)]
    inv["annual_runs"] = inv[W.runs_per_month] * MONTHS_PER_YEAR
    inv["annual_hours"] = inv["annual_runs"] * inv[W.minutes_per_run] / 60
    if hourly_cost is not None:
        inv["hourly_cost"] = float(hourly_cost)
    else:
        inv["hourly_cost"] = inv[W.owner_role].map(settings.hourly_cost_for).astype(float)
    inv["annual_cost"] = inv["annual_hours"] * inv["hourly_cost"]

    est = savings.rename(columns={"n_without_ai": "runs_without_ai", "n_with_ai": "runs_with_ai", "source": "saving_source"})
    cols = [W.workflow_id, "saving_source", "runs_without_ai", "runs_with_ai", "saving", "saving_low", "saving_high"]
    inv = inv.merge(est[cols], on=W.workflow_id, how="left")
    inv[["runs_without_ai", "runs_with_ai"]] = inv[["runs_without_ai", "runs_with_ai"]].fillna(0).astype(int)
    inv["expected_saving"] = inv.pop("saving")
    has_measure = inv["saving_source"] == MEASURED

    covered = covered_classes(tools) if tools is not None else set(DATA_CLASSES) - {"restricted"}
    inv["approved_tool_for_data"] = inv[W.data_sensitivity].isin(covered)
    governance = inv["approved_tool_for_data"].astype(float)
    inv["suitability_score"] = (100 * (inv["expected_saving"] / MAX_PRIOR_SAVING).clip(0, 1) * governance).round(0)
    inv["potential_hours"] = inv["annual_hours"] * inv["expected_saving"].clip(lower=0) * governance
    inv["potential_value"] = inv["potential_hours"] * inv["hourly_cost"]
    inv["no_owner"] = inv[W.owner_role].str.strip().str.lower().isin(NO_OWNER)
    inv["no_time_study"] = ~has_measure
    inv = inv.sort_values("potential_hours", ascending=False, kind="stable").reset_index(drop=True)

    depts = (
        inv.groupby(W.department)
        .agg(
            workflows=(W.workflow_id, "size"),
            annual_hours=("annual_hours", "sum"),
            annual_cost=("annual_cost", "sum"),
            potential_hours=("potential_hours", "sum"),
            measured=("saving_source", lambda s: int((s == "measured").sum())),
        )
        .sort_values("annual_hours", ascending=False)
        .reset_index()
    )
    depts["share_of_hours"] = depts["annual_hours"] / depts["annual_hours"].sum() if len(depts) else 0.0

    dept_task = inv.groupby([W.department, W.task_type], as_index=False)["annual_hours"].sum()
    candidates = inv[inv["suitability_score"] > 0].reset_index(drop=True)
    candidates.insert(0, "rank", np.arange(1, len(candidates) + 1))
    gaps = _gaps(inv, tools is not None)
    return WorkflowMappingResult(
        inventory=inv,
        departments=depts,
        department_task_hours=dept_task,
        candidates=candidates,
        gaps=gaps,
        collect_next=_collect_next(inv, gaps, time_studies is not None, tools is not None, settings),
        total_hours=float(inv["annual_hours"].sum()),
        total_cost=float(inv["annual_cost"].sum()),
        potential_hours=float(inv["potential_hours"].sum()),
        n_workflows=len(inv),
        n_departments=int(inv[W.department].nunique()),
        n_measured=int(has_measure.sum()),
        currency=settings.currency,
        data_rules=data_class_matrix(tools) if tools is not None else pd.DataFrame(),
    )


def analyze_engagement(eng, model=None, **overrides) -> WorkflowMappingResult:
    """`analyze` on a loaded Engagement, with the workflow savings of the engagement model
    (`model`, a `kit.model.EngagementModel`; built from engagement.yaml when not given)."""
    from kit.model import EngagementModel

    if "savings" not in overrides:
        overrides["savings"] = (model or EngagementModel(eng))["workflow_savings"].table
    return analyze(
        eng.tables["workflows"], eng.settings, time_studies=eng.tables.get("time_studies"),
        tools=eng.tables.get("tools"), **overrides,
    )  # fmt: skip


def _gaps(inv: pd.DataFrame, have_tools: bool) -> pd.DataFrame:
    cols = [W.workflow_id, W.workflow, W.department]
    parts = []
    owner = inv[inv["no_owner"]][cols].assign(gap="no owner", detail="nobody is named as performing it")
    parts.append(owner)
    study = inv[inv["no_time_study"]][cols + ["runs_without_ai", "runs_with_ai"]]
    detail = "runs timed: " + study["runs_without_ai"].astype(str) + " without AI, " + study["runs_with_ai"].astype(str) + " with AI"
    parts.append(study[cols].assign(gap="no time study", detail=detail))
    no_tool = inv[~inv["approved_tool_for_data"]]
    why = np.where(
        no_tool[W.data_sensitivity] == "restricted",
        "restricted data may go into no AI tool",
        "no approved tool is cleared for " + no_tool[W.data_sensitivity] + " data"
        if have_tools
        else "tool inventory missing",
    )
    parts.append(no_tool[cols].assign(gap="no approved tool for its data", detail=why))
    return pd.concat(parts, ignore_index=True)


def _collect_next(inv, gaps, have_studies: bool, have_tools: bool, settings: EngagementSettings) -> list[str]:
    asks = []
    if not have_studies:
        asks.append("Time studies: time at least 5 runs with and 5 without AI for the top candidates.")
    else:
        top_unmeasured = inv[(inv["no_time_study"]) & (inv["potential_hours"] > 0)].head(5)
        if len(top_unmeasured):
            names = "; ".join(top_unmeasured[W.workflow])
            asks.append(
                f"Time studies for the {len(top_unmeasured)} largest unmeasured candidates "
                f"(at least {settings.min_runs_per_arm} runs per arm): {names}."
            )
    if not have_tools:
        asks.append("The tool inventory (tools.csv): without it no workflow can be matched to an approved tool.")
    n_owner = int((gaps["gap"] == "no owner").sum())
    if n_owner:
        asks.append(f"Name who performs the {n_owner} workflow(s) with no owner.")
    no_tool = gaps[(gaps["gap"] == "no approved tool for its data") & ~gaps["detail"].str.startswith("restricted")]
    if len(no_tool):
        asks.append(
            f"A decision on an approved tool for the data classes of {len(no_tool)} workflow(s) that have none."
        )
    if not settings.has_owner:
        asks.append("An accountable owner for the rollout (engagement.yaml: accountable_owner).")
    return asks

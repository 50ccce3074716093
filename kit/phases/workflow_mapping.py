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

import functools
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from kit.estimates import MEASURED, estimate_savings
from kit.evidence import MAX_PRIOR_SAVING
from kit.governance import covered_classes, data_class_matrix
from kit.intake.schemas import DATA_CLASSES, Workflows
from kit.settings import EngagementSettings
from kit.text import money

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


# ---------------------------------------------------------------- narrative (plain text)


def summary_text(r: WorkflowMappingResult) -> str:
    if r.n_workflows == 0:
        return "No workflows match the current selection."
    top = r.departments.iloc[0]
    return (
        f"The {r.n_workflows} workflows mapped across {r.n_departments} departments take about "
        f"{r.total_hours:,.0f} hours a year, worth {money(r.total_cost, r.currency)} at fully loaded cost. "
        f"{top['department']} alone accounts for {top['share_of_hours']:.0%} of those hours. "
        f"If AI delivered the expected savings on every suitable workflow, about {r.potential_hours:,.0f} hours "
        f"a year ({r.potential_hours / max(r.total_hours, 1e-9):.0%}) could be given back; "
        f"{r.n_measured} of the {r.n_workflows} estimates rest on the client's own time studies, the rest on "
        "published studies."
    )


def candidates_text(r: WorkflowMappingResult, top: int = 3) -> str:
    if r.candidates.empty:
        return "No workflow is currently suitable for AI: either none is exposed or no approved tool can hold its data."
    head = r.candidates.head(top)
    names = ", ".join(f"{w} ({h:,.0f} h/yr)" for w, h in zip(head[W.workflow], head["potential_hours"], strict=True))
    share = head["potential_hours"].sum() / max(r.potential_hours, 1e-9)
    return (
        f"The strongest candidates are {names}: together {share:.0%} of all the hours AI could give back. "
        "Scores combine how much AI is expected to save on the task with whether the company has an approved "
        "tool for its data; a score of zero means the data may not go into any approved tool yet."
    )


def gaps_text(r: WorkflowMappingResult) -> str:
    counts = r.gaps["gap"].value_counts()
    if counts.empty:
        return "Every workflow has an owner, a time study and an approved tool for its data."
    parts = [f"{n} workflow(s) with {gap}" for gap, n in counts.items()]
    return "What is not yet known or not yet allowed: " + "; ".join(parts) + ". The list below says what to collect next."


# ---------------------------------------------------------------- charts


def hours_by_department_chart(r: WorkflowMappingResult) -> alt.Chart:
    return (
        alt.Chart(r.departments, title="Annual hours by department")
        .mark_bar()
        .encode(
            x=alt.X("annual_hours:Q", title="Hours per year"),
            y=alt.Y("department:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("annual_hours:Q", title="Hours per year", format=",.0f"),
                alt.Tooltip("annual_cost:Q", title=f"Cost per year ({r.currency})", format=",.0f"),
                alt.Tooltip("workflows:Q", title="Workflows"),
            ],
        )
    )


def department_task_chart(r: WorkflowMappingResult) -> alt.Chart:
    return (
        alt.Chart(r.department_task_hours, title="Where the time goes: hours per year by department and task type")
        .mark_rect()
        .encode(
            x=alt.X("task_type:N", title="Task type", axis=alt.Axis(labelAngle=-40)),
            y=alt.Y("department:N", title=None),
            color=alt.Color("annual_hours:Q", title="Hours per year", scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("task_type:N", title="Task type"),
                alt.Tooltip("annual_hours:Q", title="Hours per year", format=",.0f"),
            ],
        )
    )


def candidates_chart(r: WorkflowMappingResult, top: int = 15) -> alt.Chart:
    data = r.candidates.head(top)[[W.workflow, W.department, "potential_hours", "suitability_score", "saving_source"]]
    return (
        alt.Chart(data, title=f"Top {min(top, len(data))} candidates: hours per year AI could give back")
        .mark_bar()
        .encode(
            x=alt.X("potential_hours:Q", title="Potential hours saved per year (full adoption)"),
            y=alt.Y("workflow:N", sort="-x", title=None),
            color=alt.Color("saving_source:N", title="Saving estimate from"),
            tooltip=[
                alt.Tooltip("workflow:N", title="Workflow"),
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("potential_hours:Q", title="Hours per year", format=",.0f"),
                alt.Tooltip("suitability_score:Q", title="Suitability (0–100)"),
            ],
        )
    )


def clarity_document(r: WorkflowMappingResult, settings: EngagementSettings) -> str:
    """A plain-text company context the client can paste into its AI tools."""
    inv = r.inventory
    lines = [
        f"COMPANY CONTEXT: {settings.client}",
        "Paste this into your AI tool's custom instructions or project knowledge so answers fit how we work.",
        "",
        "DEPARTMENTS AND WHAT THEY DO",
    ]
    for dept, rows in inv.groupby(W.department, sort=True):
        roles = ", ".join(sorted(rows[W.owner_role].unique()))
        lines.append(f"- {dept} (roles: {roles})")
        for _, w in rows.sort_values("annual_hours", ascending=False).iterrows():
            systems = f"; systems: {w[W.systems].replace(';', ', ')}" if isinstance(w[W.systems], str) and w[W.systems] else ""
            lines.append(
                f"    * {w[W.workflow]} — {w[W.task_type].replace('_', ' ')}, about {w[W.runs_per_month]:g} times a month, "
                f"{w[W.minutes_per_run]:g} min each, {w[W.data_sensitivity]} data{systems}"
            )
    systems = sorted({s.strip() for v in inv[W.systems].dropna() for s in str(v).split(";") if s.strip()})
    if systems:
        lines += ["", "SYSTEMS WE USE", "- " + ", ".join(systems)]
    lines += ["", "DATA RULES (which data may go into which AI tool)"]
    if len(r.data_rules):
        matrix = r.data_rules
        for cls in DATA_CLASSES:
            allowed = sorted(matrix.loc[matrix[cls], "tool"])
            if cls == "public":
                lines.append("- public: any tool.")
            elif allowed:
                lines.append(f"- {cls}: only {', '.join(allowed)}.")
            else:
                lines.append(f"- {cls}: no AI tool. Do not paste {cls} data into any AI tool.")
    else:
        lines.append("- Until an approved tool list exists: only public information goes into AI tools.")
    lines += [
        "- restricted data (e.g. personal data of employees or customers, payment data) never goes into an AI tool.",
        "- Always check AI output before it leaves the company; you remain responsible for it.",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- views for the deliverable

CANDIDATE_COLUMNS = {
    "rank": "Rank",
    W.workflow: "Workflow",
    W.department: "Department",
    "annual_hours": "Hours per year",
    "expected_saving": "Expected saving",
    "saving_source": "Saving from",
    "suitability_score": "Suitability (0–100)",
    "potential_hours": "Hours AI could give back per year",
}


def candidates_view(r: WorkflowMappingResult, top: int = 15) -> pd.DataFrame:
    """The ranked candidates with readable column names, and the value of the hours AI could give
    back at loaded hourly cost (what the live cost-per-hour control moves)."""
    columns = CANDIDATE_COLUMNS | {"potential_value": f"Value of those hours per year ({r.currency})"}
    return r.candidates.head(top)[list(columns)].rename(columns=columns)


def departments_view(r: WorkflowMappingResult) -> pd.DataFrame:
    cols = {
        W.department: "Department",
        "workflows": "Workflows",
        "annual_hours": "Hours per year",
        "share_of_hours": "Share of hours",
        "annual_cost": f"Cost per year ({r.currency})",
        "potential_hours": "Hours AI could give back per year",
    }
    return r.departments[list(cols)].rename(columns=cols)


def gaps_view(r: WorkflowMappingResult) -> pd.DataFrame:
    cols = {"gap": "Gap", W.workflow: "Workflow", W.department: "Department", "detail": "Detail"}
    return r.gaps[list(cols)].rename(columns=cols).sort_values(["Gap", "Department", "Workflow"]).reset_index(drop=True)


def collect_next_view(r: WorkflowMappingResult) -> pd.DataFrame:
    return pd.DataFrame({"What to collect next": r.collect_next})


CANDIDATE_FORMATS = {"Expected saving": "percent"}


def explorer(model):
    """A view for the live controls: the candidates (in words, as a chart and a table) for one
    department at a what-if cost per hour. The savings come from `model` (estimated once); each
    setting is analysed once."""
    eng, savings = model.eng, model["workflow_savings"].table

    @functools.lru_cache(maxsize=32)
    def result(department: str, hourly_cost: float) -> WorkflowMappingResult:
        chosen = None if department == "All departments" else [department]
        return analyze_engagement(eng, model, departments=chosen, hourly_cost=hourly_cost or None, savings=savings)

    def view(department: str = "All departments", hourly_cost: float = 0.0) -> list:
        from kit import notebook as nb

        r = result(department, float(hourly_cost))
        return [nb.say(candidates_text(r)), candidates_chart(r), nb.table(candidates_view(r, top=15), formats=CANDIDATE_FORMATS)]

    return view


def clarity_note(path) -> str:
    """Where the clarity document went (None: a live session with no run folder)."""
    if path is None:
        return "Live session without a run folder: `kit run` writes the clarity document as a text file."
    return f"The clarity document is in this run's folder as pages/{path.name}; open it with any text editor."

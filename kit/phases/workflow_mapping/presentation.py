"""What the workflow-mapping report shows: narrative text, tables (`*_view`), charts and live controls,
built from `kit.phases.workflow_mapping.analysis`'s result."""

from __future__ import annotations

import functools

import altair as alt
import pandas as pd

from kit.phases.workflow_mapping.analysis import W, WorkflowMappingResult, analyze_engagement
from kit.text import money

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

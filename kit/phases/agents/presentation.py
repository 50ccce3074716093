"""What the agent-candidates report shows: narrative text, tables (`*_view`), charts and live controls,
built from `kit.phases.agents.analysis`'s result."""

from __future__ import annotations

import functools

import altair as alt
import numpy as np
import pandas as pd

from kit import notebook as nb
from kit.evidence import AGENT_TASK_MINUTES
from kit.governance import covered_classes
from kit.intake.schemas import RECURRING_CATEGORIES
from kit.options import READINESS_THRESHOLD  # department readiness for "ready now" (one default, kit.options)
from kit.phases.agents.analysis import (
    ACCEPT_TARGET,
    AUTONOMY_POTENTIAL,
    CATEGORY_LABELS,
    CUT_OFF_STEP,
    FACTORS,
    GATES,
    OVERSIGHT_COLOURS,
    OVERSIGHT_LABELS,
    SPEC_FIELDS,
    AgentsResult,
    R,
    analyze,
    risk_matrix,
)
from kit.text import money
from kit.vocabulary import (  # shared labels
    APPROVE,
    AUTONOMOUS,
    DRAFT,
    GATE_NOT,
    GATE_READY,
    KIT_ASSUMPTION,
    NOT_RECOMMENDED,
)

# ---------------------------------------------------------------- narrative (plain text)


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count:,} {_verb(count, singular, plural or singular + 's')}"


def _verb(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


def _names(rows: pd.DataFrame) -> str:
    return ", ".join(f"{t} ({h:,.0f} h/yr)" for t, h in zip(rows[R.task], rows["agent_hours"], strict=True))


def summary_text(r: AgentsResult) -> str:
    if r.n_tasks == 0:
        return "No recurring task matches the current selection."
    c = r.candidates
    top = c[c["oversight_level"] < NOT_RECOMMENDED].head(3)
    text = (
        f"Of {_n(r.n_tasks, 'recurring task')} collected, {r.n_recommended:,} "
        f"{_verb(r.n_recommended, 'suits', 'suit')} an AI agent and {r.n_autonomous:,} could eventually run on {_verb(r.n_autonomous, 'its', 'their')} own. "
        f"At the oversight each needs, agents could give back about {r.total_agent_hours:,.0f} hours a year, worth "
        f"{money(r.total_agent_value, r.currency)}."
    )
    if len(top) == 1:
        text += f" The strongest candidate is {_names(top)}."
    elif len(top):
        text += f" The strongest candidates are {_names(top)}."
    if r.n_ready_now:
        text += (
            f"\n\n{r.n_ready_now:,} of them {_verb(r.n_ready_now, 'is', 'are')} ready to pilot now "
            f"({r.ready_now_agent_hours:,.0f} hours a year); the others wait for the training or consolidation "
            "step named in the gate column."
        )
    else:
        text += "\n\nNone is ready to pilot yet: " + _blocker_text(r)
    return text


def _blocker_text(r: AgentsResult) -> str:
    if not r.readiness_known:
        return f"training readiness is unknown ({r.readiness_note}), so every candidate waits for the training phase."
    gates = r.candidates["gate"].value_counts()
    parts = [f"{n} {g.lower()}" for g, n in gates.items() if g not in (GATE_READY, GATE_NOT)]
    return "; ".join(parts) + "."


def oversight_text(r: AgentsResult) -> str:
    if r.n_tasks == 0:
        return "No recurring task matches the current selection."
    by = r.by_oversight.set_index("oversight_level")["tasks"]
    c = r.candidates
    restricted = c[c[R.data_sensitivity] == "restricted"]
    text = (
        f"Once piloted, {_n(by[AUTONOMOUS], 'task')} can run on {_verb(by[AUTONOMOUS], 'its', 'their')} own, "
        f"{by[APPROVE]:,} {_verb(by[APPROVE], 'needs', 'need')} a person to approve each output, {by[DRAFT]:,} "
        f"{_verb(by[DRAFT], 'is', 'are')} better done by a person drafting with the agent, and "
        f"{by[NOT_RECOMMENDED]:,} should not go to an agent at all."
    )
    if len(restricted):
        text += (
            f" {_n(len(restricted), 'task touches', 'tasks touch')} restricted data "
            f"({', '.join(restricted[R.task])}): restricted data never goes to an agent, whatever the savings."
        )
    return text


def category_text(r: AgentsResult) -> str:
    cat = r.by_category[r.by_category["tasks"] > 0].sort_values("agent_hours", ascending=False)
    if cat.empty:
        return "No recurring task matches the current selection."
    first = cat.iloc[0]
    share = first["agent_hours"] / max(r.total_agent_hours, 1e-9)
    return (
        f"Most agent hours are in {first['label'].lower()}: {first['agent_hours']:,.0f} a year, {share:.0%} of the "
        f"total, from {_n(int(first['tasks']), 'task')}, {int(first['autonomous']):,} of which could run on their own."
    )


def gate_text(r: AgentsResult) -> str:
    if r.n_tasks == 0:
        return "No recurring task matches the current selection."
    gates = r.candidates["gate"].value_counts()
    parts = [f"{gates[g]} {g.lower()}" for g in GATES if g in gates]
    text = f"Readiness gate ({r.readiness_threshold:.0%} training readiness, and an approved tool for the data): " + (
        "; ".join(parts) + "."
    )
    if not r.readiness_known:
        text += f" Training readiness is unknown: {r.readiness_note}."
    else:
        low = r.departments[~r.departments["passes"]]
        if len(low):
            names = ", ".join(
                f"{d} ({'unknown' if pd.isna(v) else f'{v:.0%}'})"
                for d, v in zip(low[R.department], low["readiness"], strict=True)
            )
            text += f" Departments below the bar: {names}."
    if not r.coverage_known:
        text += " Without a tool inventory no approved tool is known, so consolidation comes first for every task."
    return text


def long_tasks_text(r: AgentsResult) -> str:
    long = r.candidates[r.candidates["long_task"]]
    if long.empty:
        return (
            f"No task takes longer than {r.long_task_minutes:g} minutes a run, so none needs splitting before an "
            "agent takes it on."
        )
    names = ", ".join(f"{t} ({m:g} min)" for t, m in zip(long[R.task], long[R.minutes_per_run], strict=True))
    return (
        f"{_n(len(long), 'task takes', 'tasks take')} longer than {r.long_task_minutes:g} minutes a run: {names}. "
        "Current models "
        "complete about half of the tasks that take a person an hour, and far fewer of longer ones, so these should "
        "be split into shorter steps, each checked, before an agent runs them."
    )


def specs_text(r: AgentsResult) -> str:
    if r.specs.empty:
        return "No task is recommended for an agent, so there is nothing to specify yet."
    first = r.specs.iloc[0]
    who = "The strongest candidate gets" if len(r.specs) == 1 else f"The {len(r.specs)} strongest candidates each get"
    return (
        f"{who} a one-page specification: what starts the agent, what it "
        "reads, what it does and produces, where a person checks it, what it must never do, how success is measured, "
        f"and a pilot that goes from shadow mode to approval to running on its own only where that is safe. "
        + ("It is shown below." if len(r.specs) == 1 else f"The first, {first[R.task]}, is shown below.")
    )


def data_quality_text(r: AgentsResult) -> str:
    """What the gate and scores rest on, and any input the reader should double-check."""
    known = "Training readiness comes" if r.readiness_known else "Training readiness is unknown:"
    parts = [f"{known} {r.readiness_note}."]
    if r.coverage_known:
        parts.append(f"Approved tools cover these data classes: {', '.join(r.covered) or 'none'}.")
    else:
        parts.append("No tool inventory was loaded, so no approved tool is known for any data class.")
    c = r.candidates
    idle = c[c[R.runs_per_month] == 0]
    if len(idle):
        names = ", ".join(idle[R.task])
        parts.append(f"{_n(len(idle), 'task has', 'tasks have')} zero runs a month and so no value: {names}.")
    odd = c[(c[R.exception_rate] >= 0.5) & (c[R.rule_based] >= 4)]
    if len(odd):
        parts.append(
            f"{_n(len(odd), 'task is', 'tasks are')} rated rule-based yet needs a human decision on half the runs or "
            f"more; worth checking with the owner: {', '.join(odd[R.task])}."
        )
    return " ".join(parts)


# ---------------------------------------------------------------- charts


def value_feasibility_chart(r: AgentsResult) -> alt.Chart:
    """Candidates by feasibility (x) and annual value (y); size = task hours, colour = oversight."""
    data = r.candidates[
        [R.task, R.department, "oversight", "feasibility", "annual_value", "annual_hours", "agent_hours", "rank"]
    ]
    return (
        alt.Chart(data, title="Recurring work: value against feasibility for an agent")
        .mark_circle(opacity=0.8, stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("feasibility:Q", title="Feasibility (share of the task an agent takes on, %)",
                    axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("annual_value:Q", title=f"Annual value of the automatable work ({r.currency} per year)",
                    axis=alt.Axis(format=",.0f")),
            size=alt.Size("annual_hours:Q", title="Task hours per year", scale=alt.Scale(range=[40, 900])),
            color=alt.Color("oversight:N", title="Oversight needed",
                            scale=alt.Scale(domain=list(OVERSIGHT_LABELS), range=list(OVERSIGHT_COLOURS))),
            tooltip=[
                alt.Tooltip("rank:Q", title="Rank"),
                alt.Tooltip("task:N", title="Task"),
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("oversight:N", title="Oversight"),
                alt.Tooltip("feasibility:Q", title="Feasibility", format=".0%"),
                alt.Tooltip("annual_value:Q", title=f"Annual value ({r.currency})", format=",.0f"),
                alt.Tooltip("annual_hours:Q", title="Task hours per year", format=",.0f"),
                alt.Tooltip("agent_hours:Q", title="Agent hours per year", format=",.0f"),
            ],
        )
    )  # fmt: skip


def category_chart(r: AgentsResult) -> alt.Chart:
    """Tasks per category, stacked by the oversight they need."""
    data = (
        r.candidates.groupby([R.category, "oversight"], as_index=False)
        .agg(tasks=(R.task_id, "size"), agent_hours=("agent_hours", "sum"))
        .assign(label=lambda d: d[R.category].map(CATEGORY_LABELS))
    )
    order = [CATEGORY_LABELS[c] for c in RECURRING_CATEGORIES]
    return (
        alt.Chart(data, title="Recurring tasks by category and the oversight they need")
        .mark_bar()
        .encode(
            x=alt.X("sum(tasks):Q", title="Number of tasks", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("label:N", sort=order, title=None),
            color=alt.Color("oversight:N", title="Oversight needed",
                            scale=alt.Scale(domain=list(OVERSIGHT_LABELS), range=list(OVERSIGHT_COLOURS))),
            order=alt.Order("oversight_rank:Q"),
            tooltip=[
                alt.Tooltip("label:N", title="Category"),
                alt.Tooltip("oversight:N", title="Oversight"),
                alt.Tooltip("tasks:Q", title="Tasks"),
                alt.Tooltip("agent_hours:Q", title="Agent hours per year", format=",.0f"),
            ],
        )
        .transform_calculate(oversight_rank=f"indexof({list(OVERSIGHT_LABELS)!r}, datum.oversight)")
    )  # fmt: skip


# ---------------------------------------------------------------- views for the deliverable


def candidates_view(r: AgentsResult, top: int = 15) -> pd.DataFrame:
    """The ranked candidates with readable column names."""
    cols = {
        "rank": "Rank",
        R.task: "Task",
        R.department: "Department",
        "potential": "Automation potential",
        "annual_hours": "Task hours per year",
        "annual_value": f"Annual value ({r.currency})",
        "oversight": "Oversight",
        "agent_hours": "Agent hours per year",
        "gate": "Gate",
    }
    return r.candidates.head(top)[list(cols)].rename(columns=cols)


def by_oversight_view(r: AgentsResult) -> pd.DataFrame:
    cols = {
        "oversight": "Oversight",
        "tasks": "Tasks",
        "agent_hours": "Agent hours per year",
        "agent_value": f"Agent value per year ({r.currency})",
    }
    return r.by_oversight[list(cols)].rename(columns=cols)


def not_recommended_view(r: AgentsResult) -> pd.DataFrame:
    """The tasks that should not go to an agent, and why."""
    cols = {
        R.task: "Task",
        R.department: "Department",
        R.data_sensitivity: "Data class",
        R.error_impact: "Error impact",
        "potential": "Automation potential",
        "oversight_reason": "Why not",
    }
    rows = r.candidates[r.candidates["oversight_level"] == NOT_RECOMMENDED]
    return rows[list(cols)].rename(columns=cols)


def risk_matrix_view() -> pd.DataFrame:
    return risk_matrix()


def category_view(r: AgentsResult) -> pd.DataFrame:
    cols = {
        "label": "Category",
        "tasks": "Tasks",
        "recommended": "Suit an agent",
        "autonomous": "Could run on their own",
        "ready_now": "Ready now",
        "annual_hours": "Task hours per year",
        "agent_hours": "Agent hours per year",
        "agent_value": f"Agent value per year ({r.currency})",
    }
    return r.by_category[list(cols)].rename(columns=cols)


def departments_view(r: AgentsResult) -> pd.DataFrame:
    cols = {
        R.department: "Department",
        "readiness": "Training readiness",
        "passes": f"At least {r.readiness_threshold:.0%}",
        "tasks": "Tasks",
        "ready_now": "Ready now",
        "agent_hours": "Agent hours per year",
    }
    out = r.departments[list(cols)].rename(columns=cols)
    out[cols["passes"]] = np.where(r.departments["passes"], "yes", "no")
    return out


def gate_view(r: AgentsResult) -> pd.DataFrame:
    cols = {
        "rank": "Rank",
        R.task: "Task",
        R.department: "Department",
        "oversight": "Oversight",
        "gate": "Gate",
        "gate_reason": "Why",
    }
    return r.candidates[list(cols)].rename(columns=cols)


def long_tasks_view(r: AgentsResult) -> pd.DataFrame:
    cols = {R.task: "Task", R.department: "Department", R.minutes_per_run: "Minutes per run", "oversight": "Oversight"}
    return r.candidates[r.candidates["long_task"]][list(cols)].rename(columns=cols)


def specs_view(r: AgentsResult) -> pd.DataFrame:
    cols = {
        "rank": "Rank",
        R.task: "Task",
        "oversight": "Oversight",
        "trigger": "Trigger",
        "hours_saved": "Hours saved per year",
        "gate": "Gate",
    }
    return r.specs[list(cols)].rename(columns=cols)


def spec_view(r: AgentsResult, position: int = 0) -> pd.DataFrame:
    """One specification (the `position`-th top candidate) as a two-column table."""
    if r.specs.empty:
        return pd.DataFrame(columns=["Field", "Specification"])
    spec = r.specs.iloc[position]
    rows = [("Task", f"{spec[R.task]} ({spec[R.department]}, owner: {spec[R.owner_role]})"),
            ("Oversight", spec["oversight"])]  # fmt: skip
    rows += [(label, str(spec[key]).replace("\n", " · ")) for key, label in SPEC_FIELDS.items()]
    saving = f"about {spec['hours_saved']:,.0f} hours a year ({money(spec['value_saved'], r.currency)})"
    rows.append(("Expected saving", saving))
    return pd.DataFrame(rows, columns=["Field", "Specification"])


def weights_view(r: AgentsResult) -> pd.DataFrame:
    total = sum(r.weights.values())
    labels = {
        "input_structure": "Input structure: (score − 1) ÷ 4",
        "rule_based": "Rule-based: (score − 1) ÷ 4",
        "exception_rate": "Routine: 1 − exception rate",
    }
    return pd.DataFrame(
        {"Factor": [labels[k] for k in FACTORS], "Weight": [r.weights[k] for k in FACTORS],
         "Share of the score": [r.weights[k] / total for k in FACTORS]}
    )  # fmt: skip


def assumptions_view(r: AgentsResult) -> pd.DataFrame:
    """Each threshold of this run, its value and where it comes from: a published source, or a kit
    assumption and the setting that changes it."""
    shares = ", ".join(f"{x:.2f}".rstrip("0").rstrip(".") for x in r.oversight_share[:3])
    rows = [
        ("Automation potential to run on its own", f"{r.autonomy_potential:.0%}",
         f"{KIT_ASSUMPTION}; setting agent_rules.autonomy_potential"),
        ("Most runs needing a human decision, to run on its own", f"{r.autonomy_max_exceptions:.0%}",
         f"{KIT_ASSUMPTION}; setting agent_rules.autonomy_max_exceptions"),
        ("Automation potential for a person to approve each output", f"{r.approval_potential:.0%}",
         f"{KIT_ASSUMPTION}; setting agent_rules.approval_potential"),
        ("Automation potential below which an agent is not recommended", f"{r.min_potential:.0%}",
         f"{KIT_ASSUMPTION}; setting agent_rules.min_potential"),
        ("Share of the work an agent takes on: on its own, approved, drafting", shares,
         f"{KIT_ASSUMPTION}; setting agent_rules.oversight_share"),
        ("Automate only when predictable and low-consequence", "the oversight rules",
         "tones9/AI-Adoption-Assessment-Tool (published open rubric, provisional)"),
        ("Automation potential: mean of structure, rules and routine", "weights in the table below",
         "UiPath Automation Hub idea score (plain mean of 1–5 answers)"),
        ("Runs longer than this are split first", f"{r.long_task_minutes:g} minutes",
         "METR 2025 (arXiv 2503.14499): about 1 hour at 50% success; option phases.agent_candidates.long_task_minutes"),
        ("Training readiness for ready now", f"{r.readiness_threshold:.0%}",
         f"{KIT_ASSUMPTION}; option phases.agent_candidates.readiness_threshold"),
        ("Pilot exit: outputs accepted unchanged", f"{ACCEPT_TARGET:.0%}", f"{KIT_ASSUMPTION}, to agree with the owner"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Assumption", "This run", "Source"])


SENSITIVITY_LABELS = {
    "cut_offs": "Cut-offs (on its own / approve / not recommended below)",
    "autonomy_max_exceptions": "Runs needing a person, to run on its own",
    "oversight_share": "Shares (on its own, approved, drafting)",
}


def sensitivity_view(r: AgentsResult) -> pd.DataFrame:
    """Tasks per oversight level and agent value when one kit assumption moves (the others held)."""
    s = r.sensitivity
    return pd.DataFrame({
        "Assumption": s["assumption"].map(SENSITIVITY_LABELS),
        "Setting": s["setting"] + np.where(s["current"], " (this run)", ""),
        "Runs on its own": s["on_its_own"],
        "Approve each output": s["approve"],
        "Draft with the agent": s["draft"],
        "Not recommended": s["not_recommended"],
        "Agent hours per year": s["agent_hours"],
        f"Agent value per year ({r.currency})": s["agent_value"],
    })  # fmt: skip


def sensitivity_text(r: AgentsResult) -> str:
    """In words: what moving the cut-offs and the shares does to autonomy and agent value."""
    s, c = r.sensitivity, r.currency
    if r.n_tasks == 0 or s.empty:
        return "No recurring task matches the current selection."
    cut = s[s["assumption"] == "cut_offs"]
    share = s[s["assumption"] == "oversight_share"]
    lo, mid, hi = cut.iloc[0], cut.iloc[1], cut.iloc[2]

    def moved(row: pd.Series, way: str) -> str:
        return (f"{way} the cut-offs by {CUT_OFF_STEP:g}: {int(row['on_its_own'])} on its own, "
                f"{int(row['not_recommended'])} not recommended, agent value {money(row['agent_value'], c)} a year")  # fmt: skip

    return (
        f"This run: {int(mid['on_its_own'])} task(s) run on their own, {int(mid['not_recommended'])} not recommended, "
        f"agent value {money(mid['agent_value'], c)} a year. {moved(lo, 'Loosening')}; {moved(hi, 'tightening')}. "
        f"The shares change the value, not the oversight: from {money(share['agent_value'].min(), c)} to "
        f"{money(share['agent_value'].max(), c)} a year across the shares tried."
    )


def settings_text(r: AgentsResult) -> str:
    """The settings a view was drawn with, and what they give."""
    w = r.weights
    return (
        f"Weights structure : rules : routine = {w['input_structure']:g} : {w['rule_based']:g} : "
        f"{w['exception_rate']:g}; running on its own needs a potential of {r.autonomy_potential:.0%} and at most "
        f"{r.autonomy_max_exceptions:.0%} of runs needing a person, approval {r.approval_potential:.0%}, below "
        f"{r.min_potential:.0%} not recommended; ready now needs "
        f"{r.readiness_threshold:.0%} training readiness; runs over {r.long_task_minutes:g} minutes are flagged. "
        f"With these settings {_n(r.n_autonomous, 'task')} could run on their own, {r.n_ready_now:,} are ready now, "
        f"and agents could give back about {r.total_agent_hours:,.0f} hours a year."
    )


CANDIDATE_FORMATS = {"Automation potential": "percent"}


def explorer(model):
    """A view for the live controls: the value × feasibility chart, the settings in words and the
    top candidates under other weights, thresholds and a department filter. Readiness comes from
    `model` (computed once); each setting is analysed once."""
    eng = model.eng
    readiness, note = model["department_readiness"]
    covered = covered_classes(eng.table("tools")) if eng.has("tools") else None

    @functools.lru_cache(maxsize=32)
    def result(department, structure_weight, rules_weight, routine_weight, readiness_threshold, long_task_minutes,
               autonomy_potential) -> AgentsResult:  # fmt: skip
        weights = {"input_structure": structure_weight, "rule_based": rules_weight, "exception_rate": routine_weight}
        return analyze(
            eng.table("recurring_work"),
            eng.settings,
            readiness=readiness,
            readiness_note=note,
            covered=covered,
            weights=weights if sum(weights.values()) > 0 else None,
            readiness_threshold=readiness_threshold,
            long_task_minutes=long_task_minutes,
            autonomy_potential=autonomy_potential,
            departments=None if department == "All departments" else [department],
        )

    def view(
        department: str = "All departments",
        structure_weight: float = 1.0,
        rules_weight: float = 1.0,
        routine_weight: float = 1.0,
        readiness_threshold: float = READINESS_THRESHOLD,
        long_task_minutes: float = float(AGENT_TASK_MINUTES),
        autonomy_potential: float = AUTONOMY_POTENTIAL,
    ) -> list:
        settings = (structure_weight, rules_weight, routine_weight, readiness_threshold, long_task_minutes, autonomy_potential)
        r = result(department, *(float(x) for x in settings))
        return [
            value_feasibility_chart(r), nb.say(settings_text(r), label=""),
            nb.table(candidates_view(r, top=15), formats=CANDIDATE_FORMATS, caption="The 15 strongest candidates"),
        ]

    return view

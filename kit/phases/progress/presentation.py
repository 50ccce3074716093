"""The progress phase's presentation: narrative, views and charts, built from
`kit.phases.progress.analysis`'s result."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from kit import charts
from kit.phases.progress.analysis import (
    ACCEPTANCE_BAR,
    HABITUAL_SOURCE,
    SHADOW_AI,
    ProgressResult,
    _num,
    _pct,
)
from kit.text import names

# ---------------------------------------------------------------- narrative (plain text)


def status_text(r: ProgressResult) -> str:
    if not r.available:
        return (f"Nothing to compare yet: {r.reason}. The first complete kit run becomes the baseline; the next run on "
                "newer data shows here what changed.")  # fmt: skip
    extra = f" Not compared: {' '.join(r.notes)}" if r.notes else ""
    return r.summary + extra


def matching_text(r: ProgressResult) -> str:
    if not r.available:
        return ""
    if r.matching.empty:
        return "The follow-up has the same workflows, tools and people as the baseline."
    kinds = r.matching["kind"].value_counts()
    return ("Some of the follow-up's data do not match the baseline's; they are listed below and compared only "
            "where their identifiers match: " + names([f"{n} × {k}" for k, n in kinds.items()]) + ".")  # fmt: skip


def adoption_text(r: ProgressResult) -> str:
    d = r.adoption[r.adoption["scope"] == "department"]
    if d.empty:
        return "No usage to compare."
    rose = d[(d["change"] > 0) | (d["days_now"] - d["days_before"] >= 1)]
    trained = ", ".join(r.trained_groups) or "none"
    return (f"Departments where more people use AI, or use it on more days (at least one more day per person in "
            f"the active window): {names(rose['group']) or 'none'}. Departments with a trained cohort: {trained}.")  # fmt: skip


def cohorts_text(r: ProgressResult) -> str:
    if r.cohorts.empty or not math.isfinite(_num(r.cohorts.iloc[0]["difference"])):
        return "Trained and untrained people cannot be compared (no cohort has been trained yet, or too few people)."
    c = r.cohorts.iloc[0]
    lvl = f"{r.confidence_level:.0%}"
    verdict = ("rose more" if c["difference_low"] > 0 else "did not rise clearly more" if c["difference_high"] > 0
               else "rose less")  # fmt: skip
    return (f"Trained people's days with AI use in the active window changed by {c['change']:+.1f} per person, "
            f"against {r.cohorts.iloc[1]['change']:+.1f} for everyone else: a difference of "
            f"{c['difference']:+.1f} days ({lvl} interval {c['difference_low']:+.1f} to {c['difference_high']:+.1f}). "
            f"Trained cohorts' usage {verdict} than untrained people's.")  # fmt: skip


# ---------------------------------------------------------------- views


PERCENT_COLUMNS = frozenset({
    "realized", "realized_low", "realized_high", "predicted", "predicted_low", "predicted_high", "share_before",
    "share_now", "readiness_before", "readiness_now", "readiness_now_same", "acceptance", "active_before_share",
})  # fmt: skip
POINTS_COLUMNS = frozenset({"change", "difference", "difference_low", "difference_high"})


def _view(df: pd.DataFrame, columns: dict[str, str], *, percent=frozenset(), days=frozenset()) -> pd.DataFrame:
    """The columns shown, renamed; shares (`PERCENT_COLUMNS` and `percent`) as percentages, changes
    as signed percentage points, or as signed days for the `days` columns."""
    out = df[[c for c in columns if c in df.columns]].copy()
    for col in out.columns:
        if col in PERCENT_COLUMNS or col in percent:
            out[col] = out[col].map(_pct)
        elif col in days:
            out[col] = out[col].map(lambda x: f"{x:+.1f} days" if math.isfinite(_num(x)) else "–")
        elif col in POINTS_COLUMNS and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda x: f"{x * 100:+.0f} pts" if math.isfinite(_num(x)) else "–")
    return out.rename(columns=columns)


def headlines_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.headlines, {"figure": "Figure", "before": "Baseline (or predicted)", "now": "Now",
                               "low": "Now, low end", "high": "Now, high end", "unit": "Unit"})  # fmt: skip


def workflows_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.workflows, {"workflow": "Workflow", "before_runs": "Runs timed at the baseline (no AI)",
                               "after_runs": "Runs timed since", "before_minutes": "Median minutes then",
                               "after_minutes": "Median minutes now", "realized": "Time saved now",
                               "realized_low": "Low end", "realized_high": "High end", "predicted": "Predicted",
                               "predicted_low": "Predicted low", "predicted_high": "Predicted high",
                               "verdict": "Verdict", "method": "Method", "note": "Note"})  # fmt: skip


def adoption_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.adoption, {"group": "Department", "headcount": "Headcount", "active_before": "Active then",
                              "active_now": "Active now", "share_before": "Share then", "share_now": "Share now",
                              "change": "Change (points)", "days_before": "AI days per person then",
                              "days_now": "AI days per person now", "habitual_before": "Habitual then",
                              "habitual_now": "Habitual now", "trained": "Has a trained cohort"})  # fmt: skip


def seats_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.seats, {"tool": "Tool", "seats_before": "Seats then", "seats_now": "Seats now",
                           "active_before": "Active then", "active_now": "Active now", "started": "Started",
                           "stopped": "Stopped", "reassigned": "Seats reassigned"})  # fmt: skip


def recommendations_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.recommendations, {"tool": "Tool", "recommendation": "Recommendation", "due": "Decide by",
                                     "status": "Status", "planned_saving": f"Planned saving ({r.currency} a year)",
                                     "realized_saving": f"Realized saving ({r.currency} a year)",
                                     "evidence": "Evidence"})  # fmt: skip


def readiness_view(r: ProgressResult, scope: str = "department") -> pd.DataFrame:
    return _view(r.readiness[r.readiness["scope"] == scope], {
        "group": scope.capitalize(), "respondents_before": "Respondents then", "respondents_now": "Respondents now",
        "same_people": "Answered both", "readiness_before": "Skills at target then",
        "readiness_now": "Now (everyone)", "readiness_now_same": "Now (same people)", "change": "Change (same people)",
        "note": "Note"})  # fmt: skip


def cohorts_view(r: ProgressResult) -> pd.DataFrame:
    """Trained vs untrained: shares active, and the change in AI-active days per person."""
    return _view(r.cohorts, {"group": "Group", "people": "People", "active_before": "Active then",
                             "active_now": "Active now", "change": "Change in AI days", "difference": "Difference",
                             "difference_low": "Low end", "difference_high": "High end", "note": "Note"},
                 percent={"active_before", "active_now"},
                 days={"change", "difference", "difference_low", "difference_high"})  # fmt: skip


def pilots_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.pilots, {"task": "Task", "planned_start": "Planned start", "started_on": "Started",
                            "stage": "Stage now", "path": "Path", "acceptance": "Outputs accepted",
                            "status": "Against the plan"})  # fmt: skip


def milestones_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.milestones, {"phase": "Phase", "due": "Due", "milestone": "Milestone", "owner": "Owner",
                                "status": "Status", "evidence": "Evidence"})  # fmt: skip


def gates_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.gates, {"phase": "Phase", "end": "Ends", "state": "State", "gate": "Gate",
                           "metric": "Metric", "missing": "What is missing"})  # fmt: skip


def matching_view(r: ProgressResult) -> pd.DataFrame:
    return _view(r.matching, {"kind": "What", "item": "Item", "detail": "Detail"})


# ---------------------------------------------------------------- charts


def workflows_chart(r: ProgressResult) -> alt.Chart:
    """Each chosen workflow: predicted and realized time saved, with their intervals."""
    w = r.workflows
    d = pd.concat([
        pd.DataFrame({"workflow": w["workflow"], "kind": "Predicted (baseline ROI ranking)", "value": w["predicted"],
                      "low": w["predicted_low"], "high": w["predicted_high"]}),
        pd.DataFrame({"workflow": w["workflow"], "kind": "Realized now", "value": w["realized"],
                      "low": w["realized_low"], "high": w["realized_high"]}),
    ], ignore_index=True).dropna(subset=["value"])  # fmt: skip
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=["Predicted (baseline ROI ranking)",
                                                                     "Realized now"],
                                                             range=[charts.NEUTRAL, charts.PRIMARY]))  # fmt: skip
    base = alt.Chart(d).encode(y=alt.Y("workflow:N", title=None), yOffset="kind:N", color=colour)
    points = base.mark_point(filled=True, size=80).encode(
        x=alt.X("value:Q", title="Share of minutes saved per run", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("workflow:N"), alt.Tooltip("kind:N"), alt.Tooltip("value:Q", format=".0%")])
    rules = base.mark_rule(strokeWidth=2).encode(x="low:Q", x2="high:Q")
    return alt.layer(rules, points, title=alt.TitleParams(
        "Chosen workflows: time saved now against the prediction",
        subtitle=f"Dots: estimates; lines: {r.confidence_level:.0%} intervals")).configure_legend(orient="bottom")  # fmt: skip


def adoption_chart(r: ProgressResult) -> alt.Chart:
    """People active on AI tools per month: overall and per department."""
    d = r.adoption_monthly[r.adoption_monthly["scope"].isin(["overall", "department"])]
    line = alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("active_people:Q", title="People active in the month"),
        color=alt.Color("group:N", title=None),
        tooltip=[alt.Tooltip("group:N"), alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("active_people:Q")])
    marks = [line]
    if r.baseline_as_of is not None:
        rule = alt.Chart(pd.DataFrame({"date": [r.baseline_as_of]})).mark_rule(strokeDash=[4, 4], color=charts.TEXT)
        marks.append(rule.encode(x="date:T"))
    return alt.layer(*marks, title=alt.TitleParams(
        "People active on AI tools per month", subtitle="Dashed line: the end of the baseline's data")
    ).configure_legend(orient="bottom")  # fmt: skip


def shadow_chart(r: ProgressResult) -> alt.Chart:
    """AI spend on expenses outside the approved tools, per month."""
    return alt.Chart(r.shadow_trend).mark_bar().encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("spend:Q", title=f"Spend ({r.currency})"),
        tooltip=[alt.Tooltip("month:T", format="%b %Y"), alt.Tooltip("spend:Q", format=",.2f"),
                 alt.Tooltip("payers:Q", title="People")],
    ).properties(title=alt.TitleParams("Shadow AI on expenses per month", subtitle=SHADOW_AI))  # fmt: skip


def method_notes(r: ProgressResult) -> str:
    lvl = f"{r.confidence_level:.0%}"
    return "\n\n".join([
        f"**Chosen workflows.** Time saved now = 1 − exp(θ), θ the change in log(minutes) from the runs timed without "
        f"AI at the baseline to the runs timed since (new observation ids): OLS with HC3 standard errors, {lvl} "
        "t interval. Where untreated workflows were re-timed without AI, θ is a difference in differences "
        "(workflow fixed effects, a common after term, after × chosen). Fewer runs than min_runs_per_arm in "
        "either period: no number. Clearly less (more) than predicted: the realized interval lies wholly below "
        "(above) the ROI ranking's.",
        "**Adoption.** The baseline's and the follow-up's usage joined (one row per person, tool and day). "
        "Active: a usage row in the active window ending on as_of. Habitual: " + HABITUAL_SOURCE + ". Seats "
        "reassigned: people active on a tool now who were not at the baseline, up to the number who stopped.",
        "**Consolidation.** A cancellation or consolidation is carried out when the tool has left the inventory "
        "(or has no seats) and nobody used it after its decide-by date; a downsizing when seats are at or below "
        "the target. Realized saving: the baseline's annual cost of the tool minus its cost now.",
        "**Training.** Readiness: the weighted share of person-skills at their role's target. The change is "
        "measured on the people who answered both surveys. Trained cohorts: the baseline's priority cohorts whose "
        f"training date has passed. Usage change: per person, active now minus active then (0/1); trained minus "
        f"untrained with a Welch {lvl} interval.",
        f"**Agents and roadmap.** Pilots from the pilots table; {ACCEPTANCE_BAR:.0%} of outputs accepted without "
        "correction to leave a stage (the roadmap's bar). A milestone is done when the data show it, late when "
        "not done and due before as_of, on track when due later, unconfirmed when the data cannot show it. A "
        "phase gate passes when the phase has ended, delivered its metric and none of its milestones is late.",
        "**Matching.** Workflows, tools and people are matched by their identifiers only; anything new, gone or "
        "renamed is listed, never matched by resemblance.",
    ])  # fmt: skip


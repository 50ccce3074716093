"""Progress since the baseline: what the engagement delivered, measured again on newer data.

A follow-up is the same engagement folder with newer data (new time studies of the chosen
workflows, a newer usage export, the tools inventory after cancellations, a re-survey, the
pilots table). This phase compares the current run (`RunData`: its snapshot of the intake tables
and its results) with the baseline run's, each comparison with its method and uncertainty:

- **Chosen workflows.** The baseline is the runs timed without AI at the baseline (the roadmap's
  metric); "now" is every run timed since (observation ids the baseline did not have). Time saved
  now = 1 − exp(θ), θ the effect of "after" on log(minutes): OLS with HC3 standard errors and a t
  interval at `confidence_level` (the same model as `kit.estimates.fit_measured`). Where workflows
  the engagement did not treat were re-timed without AI too, θ is a difference in differences:
  log(minutes) ~ workflow + after + after × chosen, so a change every workflow shows (season,
  volume, a new system) is not credited to AI. Fewer than `min_runs_per_arm` runs in either
  period gives a plain message, not a number. Against the prediction: "clearly less" when the
  realized interval lies wholly below the ROI ranking's interval, "clearly more" when wholly
  above, else "in line".
- **Adoption.** The baseline's and the follow-up's usage joined (one row per person, tool and
  day): people active per month on AI tools overall, per department (the survey's department of
  each person) and per tool. Active = a usage row in the `active_window_days` ending on as_of.
  Habitual user: active in at least 9 of the 12 weeks ending on as_of (Microsoft Viva Insights,
  Copilot usage segments: "any use of Copilot in at least 9 out of past 12 weeks",
  https://microsoft.github.io/viva-insights-sample-code/copilot-usage-segments). Seats reassigned
  per tool: people active now who were not at the baseline, up to the number who stopped
  (each newcomer takes a seat a leaver freed).
- **Consolidation.** Each baseline recommendation checked against the current inventory: cancel
  or consolidate is carried out when the tool is gone (or has no seats) and nobody used it after
  its decide-by date; downsize when seats are at or below the target. Realized annual saving =
  the baseline's annual cost of the tool − its cost in the current inventory. Shadow-AI spend per
  month from both runs' AI expense lines (joined by expense id).
- **Training.** Readiness (weighted share of person-skills at target, `training.person_gaps`)
  per department and role, before and now, and now among the same respondents (so new or
  departed people do not pass for change). Trained cohorts are the baseline's priority cohorts
  whose training date has passed; their members' change in AI-active days (distinct days with AI
  use in the active window, per person) against everyone else's: difference of means with a
  Welch t interval. (A 0/1 "active" change cannot show more use by people already active.)
- **Agents.** The pilots table against the baseline's planned pilots: started, the stage now
  (shadow → approval → autonomous, or stopped) and the share of outputs accepted without
  correction against the 95% bar the roadmap set to leave a stage.
- **Roadmap.** Each baseline milestone is done (the data show it), on track (not done, due
  after as_of), late (not done, due before as_of) or unconfirmed (the data cannot show it, e.g.
  the policy's adoption). A phase gate per roadmap phase: its metric delivered and none of its
  milestones late; what is missing otherwise.

People, tools and workflows are matched by their identifiers only, never by resemblance: a
renamed workflow, a new tool or people who were not in the baseline are listed (`matching`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from kit.baseline import RunData
from kit.estimates import COV_TYPE
from kit.lazy import lazy
from kit.options import READINESS_THRESHOLD as READINESS_BAR
from kit.settings import EngagementSettings
from kit.text import money, names
from kit.vocabulary import CANCEL, CONSOLIDATE, KEEP

sm, stats = lazy("statsmodels.api"), lazy("scipy.stats")  # imported when a fit first needs them (kit.lazy)

NAME = "progress"
HABITUAL_WEEKS, HABITUAL_MIN_WEEKS = 12, 9  # Microsoft Viva Insights, Copilot usage segments ("habitual")
HABITUAL_SOURCE = ("Microsoft Viva Insights, Copilot usage segments: habitual users are those with any use in at "
                   "least 9 of the past 12 weeks (microsoft.github.io/viva-insights-sample-code/copilot-usage-segments)")  # fmt: skip
ACCEPTANCE_BAR = 0.95  # the roadmap's bar to leave a pilot stage (kit.phases.summary's agent metric)

# milestone status
DONE, ON_TRACK, LATE, UNCONFIRMED = "done", "on track", "late", "unconfirmed"
# workflow verdicts
IN_LINE, LESS, MORE, NOT_MEASURED = "in line with the prediction", "clearly less than predicted", \
    "clearly more than predicted", "not measurable"  # fmt: skip
# consolidation status
CARRIED_OUT, PARTLY, STILL_USED, NOT_DONE, NOT_DUE = ("carried out", "partly carried out", "removed, still in use",
                                                      "not carried out", "not due yet")  # fmt: skip
# phase gate
PASSED, NOT_PASSED, NOT_DUE_YET = "passed", "not passed", "not due yet"
STAGES = ("shadow", "approval", "autonomous")
STOPPED = "stopped"
SHADOW_AI = "AI on expenses outside the approved tools"


def _frame(rows: Iterable[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


COLUMNS: dict[str, list[str]] = {
    "matching": ["kind", "item", "detail"],
    "workflows": ["workflow_id", "workflow", "department", "before_runs", "after_runs", "before_minutes",
                  "after_minutes", "method", "controls", "realized", "realized_low", "realized_high", "predicted",
                  "predicted_low", "predicted_high", "predicted_hours", "realized_hours", "verdict", "note"],
    "adoption_monthly": ["month", "scope", "group", "active_people"],
    "adoption": ["scope", "group", "headcount", "active_before", "active_now", "share_before", "share_now",
                 "change", "days_before", "days_now", "habitual_before", "habitual_now", "trained"],
    "seats": ["tool", "seats_before", "seats_now", "active_before", "active_now", "started", "stopped",
              "reassigned"],
    "recommendations": ["tool", "recommendation", "due", "seats_before", "target_seats", "seats_now", "status",
                        "planned_saving", "realized_saving", "evidence"],
    "shadow_trend": ["month", "spend", "payers"],
    "readiness": ["scope", "group", "respondents_before", "respondents_now", "same_people", "readiness_before",
                  "readiness_now", "readiness_now_same", "change", "note"],
    "cohorts": ["group", "people", "active_before", "active_now", "change", "difference", "difference_low",
                "difference_high", "note"],
    "pilots": ["task_id", "task", "planned_start", "started_on", "stage", "stage_since", "path", "reviewed",
               "accepted", "acceptance", "status"],
    "milestones": ["phase", "due", "milestone", "owner", "status", "evidence"],
    "gates": ["phase", "start", "end", "metric", "state", "gate", "missing"],
    "headlines": ["key", "figure", "before", "now", "low", "high", "unit"],
}  # fmt: skip


@dataclass(frozen=True)
class ProgressResult:
    available: bool  # False when there is no baseline to compare with (`reason` says why)
    reason: str
    baseline_run: str
    current_run: str
    baseline_as_of: pd.Timestamp | None
    as_of: pd.Timestamp | None
    confidence_level: float
    currency: str
    client: str
    matching: pd.DataFrame  # kind, item, detail: people, tools and workflows that do not match the baseline
    workflows: pd.DataFrame  # the chosen workflows: realized saving (interval) vs the prediction
    adoption_monthly: pd.DataFrame  # month, scope (overall, department, tool), group, active_people
    adoption: pd.DataFrame  # active share before and now, habitual users, per department and overall
    seats: pd.DataFrame  # per licensed tool: seats, active users, starters, leavers, seats reassigned
    recommendations: pd.DataFrame  # each baseline recommendation: carried out or not, planned vs realized saving
    new_tools: tuple[str, ...]  # tools in the current inventory that the baseline did not have
    shadow_trend: pd.DataFrame  # month, AI spend on expenses outside the approved tools, payers
    readiness: pd.DataFrame  # readiness before and now per department and role
    cohorts: pd.DataFrame  # trained vs untrained: change in the share active, difference with interval
    pilots: pd.DataFrame  # each pilot: planned start, stage now, path, acceptance
    milestones: pd.DataFrame  # each baseline milestone: done, on track, late or unconfirmed
    gates: pd.DataFrame  # each roadmap phase: passed, not passed or not due yet, and what is missing
    headlines: pd.DataFrame  # key, figure, before, now, low, high, unit
    notes: tuple[str, ...] = ()  # what could not be compared and why
    planned_saving: float = math.nan
    realized_saving: float = math.nan
    summary: str = ""  # the sentences the executive paragraph carries
    trained_groups: tuple[str, ...] = field(default_factory=tuple)


def empty_result(reason: str, settings: EngagementSettings | None = None) -> ProgressResult:
    """The result when nothing can be compared (no baseline yet): every table empty, `reason` set."""
    tables = {name: _frame([], cols) for name, cols in COLUMNS.items()}
    return ProgressResult(
        available=False, reason=reason, baseline_run="", current_run="", baseline_as_of=None, as_of=None,
        confidence_level=settings.confidence_level if settings else 0.9,
        currency=settings.currency if settings else "", client=settings.client if settings else "",
        new_tools=(), **tables,
    )  # fmt: skip


# ---------------------------------------------------------------- helpers


def _key(s: Any) -> str:
    return str(s).strip().casefold()


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _milestones(b: RunData) -> pd.DataFrame:
    summary = b.result("engagement_summary")
    return summary.milestones if summary is not None else _frame([], ["phase", "due", "milestone", "subject",
                                                                      "owner", "source", "target"])  # fmt: skip


def _ai_tools(b: RunData, c: RunData, usage: pd.DataFrame) -> set[str]:
    """AI tools: those either run's consolidation marks as AI, and tools in usage that no inventory lists."""
    ai, listed = set(), set()
    for run in (b, c):
        cons = run.result("consolidation")
        inv = run.table("tools")
        if cons is not None and "is_ai" in cons.tools:
            ai |= set(cons.tools.loc[cons.tools["is_ai"].astype(bool), "tool"])
        if inv is not None:
            listed |= set(inv["tool"])
    if not ai and not listed:
        return _distinct(usage["tool"])
    return ai | (_distinct(usage["tool"]) - listed)


def _window(usage: pd.DataFrame, as_of: pd.Timestamp | None, days: int) -> pd.DataFrame:
    if as_of is None:
        return usage.iloc[0:0]
    return usage[(usage["date"] > as_of - pd.Timedelta(days=days)) & (usage["date"] <= as_of)]


def habitual_users(usage: pd.DataFrame, as_of: pd.Timestamp | None) -> set[str]:
    """People active in at least `HABITUAL_MIN_WEEKS` of the `HABITUAL_WEEKS` seven-day weeks ending on
    `as_of` (Microsoft Viva Insights' habitual users)."""
    recent = _window(usage, as_of, 7 * HABITUAL_WEEKS)
    if recent.empty:
        return set()
    week = ((as_of - recent["date"]).dt.days // 7).rename("week")
    weeks = recent.assign(week=week).groupby("user_id")["week"].nunique()
    return set(weeks[weeks >= HABITUAL_MIN_WEEKS].index)


def _departments(b: RunData, c: RunData) -> dict[str, str]:
    """Person → department: the current survey, else the baseline's."""
    out: dict[str, str] = {}
    for run in (b, c):
        survey = run.table("skills_survey")
        if survey is not None:
            out |= dict(zip(survey["respondent_id"], survey["department"], strict=True))
    return out


# ---------------------------------------------------------------- matching


def matching(b: RunData, c: RunData) -> pd.DataFrame:
    """People, tools and workflows of the follow-up that are not those of the baseline, listed, never
    matched by resemblance."""
    rows = []
    wb, wc = b.table("workflows"), c.table("workflows")
    if wb is not None and wc is not None:
        before, now = dict(zip(wb["workflow_id"], wb["workflow"], strict=True)), dict(
            zip(wc["workflow_id"], wc["workflow"], strict=True))  # fmt: skip
        by_name = {_key(n): i for i, n in before.items()}
        for wid, name in now.items():
            if wid in before and _key(before[wid]) != _key(name):
                rows.append({"kind": "workflow renamed", "item": wid,
                             "detail": f'named "{before[wid]}" at the baseline, "{name}" now: compared by its id'})  # fmt: skip
            elif wid not in before:
                twin = by_name.get(_key(name))
                extra = f' (the baseline had "{name}" as {twin}; ids differ, so they are not compared)' if twin else ""
                rows.append({"kind": "new workflow", "item": wid, "detail": f'"{name}" is not in the baseline{extra}'})
        for wid in sorted(set(before) - set(now)):
            rows.append({"kind": "workflow gone", "item": wid,
                         "detail": f'"{before[wid]}" is no longer in the workflow inventory'})  # fmt: skip
    tb, tc = b.table("tools"), c.table("tools")
    if tb is not None and tc is not None:
        known = {_key(t) for t in tb["tool"]}
        for tool in tc["tool"]:
            if _key(tool) not in known:
                rows.append({"kind": "new tool", "item": tool,
                             "detail": "in the current inventory, not in the baseline's: no recommendation covers it"})  # fmt: skip
    sb, sc = b.table("skills_survey"), c.table("skills_survey")
    if sb is not None and sc is not None:
        before, now = set(sb["respondent_id"]), set(sc["respondent_id"])
        if now - before:
            rows.append({"kind": "new people", "item": "skills survey",
                         "detail": f"{len(now - before)} respondent(s) were not in the baseline survey; readiness "
                                   "change is shown on the people who answered both"})  # fmt: skip
        if before - now:
            rows.append({"kind": "people not re-surveyed", "item": "skills survey",
                         "detail": f"{len(before - now)} baseline respondent(s) did not answer the re-survey"})  # fmt: skip
    ub, uc = b.table("usage"), c.table("usage")
    if ub is not None and uc is not None and b.snapshot and b.snapshot.as_of is not None:
        later = uc[uc["date"] > b.snapshot.as_of]
        new_people = _distinct(later["user_id"]) - _distinct(ub["user_id"])
        if new_people:
            rows.append({"kind": "new people", "item": "usage",
                         "detail": f"{len(new_people)} person(s) in the newer usage had no usage at the baseline"})  # fmt: skip
    return _frame(rows, COLUMNS["matching"])


# ---------------------------------------------------------------- chosen workflows


def _new_rows(b: pd.DataFrame | None, c: pd.DataFrame | None) -> pd.DataFrame | None:
    """Time-study rows of the current run that the baseline did not have (by observation id, workflow
    and minutes: a reused id with other values counts as new)."""
    if c is None:
        return None
    if b is None:
        return c
    seen = set(zip(b["observation_id"], b["workflow_id"], b["minutes"], strict=True))
    mask = [k not in seen for k in zip(c["observation_id"], c["workflow_id"], c["minutes"], strict=True)]
    return c[np.array(mask, dtype=bool)]


def _ols(y: np.ndarray, x: pd.DataFrame):
    return sm.OLS(y, x).fit(cov_type=COV_TYPE, use_t=True)


def _interval(fit, term: str, level: float) -> tuple[float, float, float]:
    """(1 − exp(θ), low, high) of the saving for coefficient `term`."""
    theta = float(fit.params[term])
    lo, hi = fit.conf_int(alpha=1 - level).loc[term]
    return 1 - math.exp(theta), 1 - math.exp(hi), 1 - math.exp(lo)


def realized_saving(before: pd.Series, after: pd.Series, level: float, controls: dict[str, tuple] | None = None):
    """(saving, low, high, method) of one workflow: before-after on log(minutes), or, with
    `controls` {workflow: (before minutes, after minutes)}, the difference in differences
    log(minutes) ~ workflow + after + after × treated (HC3, t interval)."""
    frames = [pd.DataFrame({"w": "_treated", "post": 0.0, "m": before.to_numpy(float)}),
              pd.DataFrame({"w": "_treated", "post": 1.0, "m": after.to_numpy(float)})]  # fmt: skip
    for wid, (cb, ca) in (controls or {}).items():
        frames += [pd.DataFrame({"w": wid, "post": 0.0, "m": cb.to_numpy(float)}),
                   pd.DataFrame({"w": wid, "post": 1.0, "m": ca.to_numpy(float)})]  # fmt: skip
    d = pd.concat(frames, ignore_index=True)
    y = np.log(d["m"].to_numpy(float))
    if not controls:
        x = pd.DataFrame({"Intercept": 1.0, "after": d["post"]})
        return (*_interval(_ols(y, x), "after", level), "before-after")
    x = pd.get_dummies(d["w"], dtype=float)
    x["after"] = d["post"]
    x["after_chosen"] = d["post"] * (d["w"] == "_treated")
    return (*_interval(_ols(y, x), "after_chosen", level),
            f"difference in differences ({len(controls)} untreated workflow(s) re-timed)")  # fmt: skip


def workflow_progress(b: RunData, c: RunData, settings: EngagementSettings) -> tuple[pd.DataFrame, list[str]]:
    """The chosen workflows (the baseline ROI ranking's start-here list): realized saving against the prediction."""
    roi = b.result("roi_ranking")
    notes = []
    if roi is None or roi.start_here.empty:
        return _frame([], COLUMNS["workflows"]), ["The baseline run has no ROI ranking picks to check."]
    tb, tc = b.table("time_studies"), c.table("time_studies")
    new = _new_rows(tb, tc)
    wc = c.table("workflows")
    names_now = {} if wc is None else dict(zip(wc["workflow_id"], wc["workflow"], strict=True))
    need = int(settings.min_runs_per_arm)
    level = float(settings.confidence_level)
    chosen = set(roi.start_here["workflow_id"])
    plain_b = tb[~tb["ai_assisted"].astype(bool)] if tb is not None else None
    controls: dict[str, tuple] = {}
    if plain_b is not None and new is not None:
        plain_new = new[~new["ai_assisted"].astype(bool)]
        for wid in sorted(set(plain_new["workflow_id"]) - chosen):
            cb = plain_b.loc[plain_b["workflow_id"] == wid, "minutes"]
            ca = plain_new.loc[plain_new["workflow_id"] == wid, "minutes"]
            if len(cb) >= need and len(ca) >= need:
                controls[wid] = (cb, ca)
    rows = []
    for _, w in roi.start_here.iterrows():
        wid = w["workflow_id"]
        before = plain_b.loc[plain_b["workflow_id"] == wid, "minutes"] if plain_b is not None else pd.Series(dtype=float)
        after = new.loc[new["workflow_id"] == wid, "minutes"] if new is not None else pd.Series(dtype=float)
        pred, lo, hi = _num(w["saving"]), _num(w.get("saving_low")), _num(w.get("saving_high"))
        row = {"workflow_id": wid, "workflow": w["workflow"], "department": w.get("department", ""),
               "before_runs": len(before), "after_runs": len(after),
               "before_minutes": float(before.median()) if len(before) else math.nan,
               "after_minutes": float(after.median()) if len(after) else math.nan, "method": "", "controls": "",
               "realized": math.nan, "realized_low": math.nan, "realized_high": math.nan, "predicted": pred,
               "predicted_low": lo, "predicted_high": hi, "predicted_hours": _num(w.get("annual_hours_saved")),
               "realized_hours": math.nan, "verdict": NOT_MEASURED, "note": ""}  # fmt: skip
        if wc is not None and wid not in names_now:
            row["note"] = "not in the follow-up's workflow inventory (removed or renamed?): not compared"
        elif len(after) < need or len(before) < need:
            row["note"] = (f"re-timed on {len(after)} run(s) since the baseline, with {len(before)} timed without AI "
                           f"at the baseline; at least {need} of each are needed (min_runs_per_arm) before a "
                           "saving is shown")  # fmt: skip
        else:
            saving, s_lo, s_hi, method = realized_saving(before, after, level, controls)
            verdict = LESS if s_hi < lo else MORE if s_lo > hi else IN_LINE
            hours = row["predicted_hours"] * saving / pred if pred and math.isfinite(pred) else math.nan
            row |= {"realized": saving, "realized_low": s_lo, "realized_high": s_hi, "method": method,
                    "controls": ", ".join(controls), "realized_hours": hours, "verdict": verdict}  # fmt: skip
        rows.append(row)
    if not controls:
        notes.append("No untreated workflow was re-timed without AI on enough runs, so each realized saving is a "
                     "before-after comparison: a change all work shares (season, volume) is not separated out.")  # fmt: skip
    return _frame(rows, COLUMNS["workflows"]), notes


# ---------------------------------------------------------------- adoption


def _distinct(values: pd.Series) -> set:
    """The distinct values of a column, as a set (from `unique()`: millions of usage rows hold few)."""
    return set(values.unique())


def _by_tool(usage: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Usage rows per tool, split in one pass (a comparison of every row's tool per tool would
    scan millions of rows as many times as there are tools)."""
    if usage is None or usage.empty:
        return {}
    return {tool: usage.iloc[rows] for tool, rows in usage.groupby("tool", sort=False).indices.items()}


def _usage(b: RunData, c: RunData) -> pd.DataFrame | None:
    """Both runs' usage, each (person, tool, day) once. When the follow-up holds the same usage table as
    the baseline (an unchanged export), that table alone: concatenating it with itself would double
    the rows only for them to be dropped again."""
    parts = [u for u in (b.table("usage"), c.table("usage")) if u is not None]
    if not parts:
        return None
    if len(parts) == 2 and parts[0].reset_index(drop=True).equals(parts[1].reset_index(drop=True)):
        parts = parts[:1]
    return pd.concat(parts, ignore_index=True).drop_duplicates(["user_id", "tool", "date"])


def adoption(b: RunData, c: RunData, settings: EngagementSettings, trained: set[str], usage: pd.DataFrame | None = None):
    """(monthly active people, the before/now table per department and overall, seats per tool);
    `usage`: `_usage(b, c)`, when the caller has it already."""
    usage = _usage(b, c) if usage is None else usage
    if usage is None:
        return (_frame([], COLUMNS["adoption_monthly"]), _frame([], COLUMNS["adoption"]),
                _frame([], COLUMNS["seats"]))  # fmt: skip
    ai = usage[usage["tool"].isin(_ai_tools(b, c, usage))]
    dept = _departments(b, c)
    ai = ai.assign(department=ai["user_id"].map(dept).fillna("Not in the survey"),
                   month=ai["date"].dt.to_period("M").dt.to_timestamp())  # fmt: skip
    monthly = [
        ai.groupby("month")["user_id"].nunique().rename("active_people").reset_index().assign(scope="overall",
                                                                                              group="All AI tools"),
        ai.groupby(["month", "department"])["user_id"].nunique().rename("active_people").reset_index()
        .rename(columns={"department": "group"}).assign(scope="department"),
        ai.groupby(["month", "tool"])["user_id"].nunique().rename("active_people").reset_index()
        .rename(columns={"tool": "group"}).assign(scope="tool"),
    ]  # fmt: skip
    monthly_df = pd.concat(monthly, ignore_index=True)[COLUMNS["adoption_monthly"]]
    days = int(settings.active_window_days)
    b_as_of, c_as_of = b.snapshot.as_of if b.snapshot else None, c.snapshot.as_of if c.snapshot else None
    before, now = _window(ai, b_as_of, days), _window(ai, c_as_of, days)
    hab_b, hab_c = habitual_users(ai, b_as_of), habitual_users(ai, c_as_of)
    headcount = {_key(k): v for k, v in settings.headcount_by_department.items()}
    survey = c.table("skills_survey") if c.table("skills_survey") is not None else b.table("skills_survey")
    counted = survey.groupby("department")["respondent_id"].nunique().to_dict() if survey is not None else {}
    groups = sorted(set(dept.values()))
    rows = []
    for group in ["All departments", *groups]:
        if group == "All departments":
            members = None
            n = sum(settings.headcount_by_department.values()) or len(set(dept))
        else:
            members = {p for p, d in dept.items() if d == group}
            n = headcount.get(_key(group), counted.get(group, len(members)))
        pick = (lambda s, m=members: s if m is None else s & m)  # noqa: E731 - one filter, two uses
        a_b, a_c = pick(_distinct(before["user_id"])), pick(_distinct(now["user_id"]))
        days_b = before[before["user_id"].isin(a_b)].drop_duplicates(["user_id", "date"]).shape[0]
        days_c = now[now["user_id"].isin(a_c)].drop_duplicates(["user_id", "date"]).shape[0]
        rows.append({"scope": "overall" if members is None else "department", "group": group, "headcount": n,
                     "active_before": len(a_b), "active_now": len(a_c), "share_before": len(a_b) / n if n else math.nan,
                     "share_now": len(a_c) / n if n else math.nan, "change": (len(a_c) - len(a_b)) / n if n else math.nan,
                     "days_before": days_b / n if n else math.nan, "days_now": days_c / n if n else math.nan,
                     "habitual_before": len(pick(hab_b)), "habitual_now": len(pick(hab_c)),
                     "trained": group in trained})  # fmt: skip
    seats = []
    tb, tc = b.table("tools"), c.table("tools")
    if tb is not None:
        now_seats = {} if tc is None else dict(zip(tc["tool"].map(_key), tc["seats"], strict=True))
        all_before, all_now = _by_tool(_window(usage, b_as_of, days)), _by_tool(_window(usage, c_as_of, days))
        nobody = usage.iloc[0:0]
        for _, t in tb[tb["seats"] > 0].iterrows():
            ub = _distinct(all_before.get(t["tool"], nobody)["user_id"])
            un = _distinct(all_now.get(t["tool"], nobody)["user_id"])
            seats.append({"tool": t["tool"], "seats_before": int(t["seats"]),
                          "seats_now": now_seats.get(_key(t["tool"]), 0), "active_before": len(ub),
                          "active_now": len(un), "started": len(un - ub), "stopped": len(ub - un),
                          "reassigned": min(len(un - ub), len(ub - un))})  # fmt: skip
    return monthly_df, _frame(rows, COLUMNS["adoption"]), _frame(seats, COLUMNS["seats"])


# ---------------------------------------------------------------- consolidation


def consolidation_progress(b: RunData, c: RunData, as_of: pd.Timestamp | None):
    """(each baseline recommendation's status with planned and realized saving, new tools, shadow spend per month)."""
    cons_b, cons_c = b.result("consolidation"), c.result("consolidation")
    tc, uc = c.table("tools"), c.table("usage")
    if cons_b is None:
        return _frame([], COLUMNS["recommendations"]), (), _frame([], COLUMNS["shadow_trend"])
    marks = _milestones(b)
    due_by = {}
    if len(marks):
        tool_marks = marks[(marks["source"] == "Consolidation") & marks["subject"].astype(str).ne("")]
        due_by = dict(zip(tool_marks["subject"], pd.to_datetime(tool_marks["due"]), strict=True))
    inv = {} if tc is None else {_key(t): r for t, r in zip(tc["tool"], tc.to_dict("records"), strict=True)}
    by_tool = _by_tool(uc)
    rows = []
    for _, t in cons_b.tools[cons_b.tools["recommendation"] != KEEP].iterrows():
        rec, tool = t["recommendation"], t["tool"]
        due = due_by.get(tool, pd.NaT)
        current = inv.get(_key(tool))
        seats_now = int(current["seats"]) if current is not None else 0
        cost_now = seats_now * float(current["cost_per_seat_month"]) * 12 if current is not None else 0.0
        since = due if not pd.isna(due) else (b.snapshot.as_of if b.snapshot else pd.NaT)
        used = by_tool.get(tool)
        users_after = (_distinct(used.loc[used["date"] > since, "user_id"])
                       if used is not None and not pd.isna(since) else set())  # fmt: skip
        target = int(_num(t.get("target_seats")) or 0) if math.isfinite(_num(t.get("target_seats"))) else 0
        gone = current is None or seats_now == 0
        overdue = pd.isna(due) or as_of is None or due < as_of
        if rec in (CANCEL, CONSOLIDATE):
            if gone and users_after:
                status = STILL_USED
                evidence = (f"gone from the inventory, but {len(users_after)} person(s) used it after "
                            f"{since:%d %b %Y}")  # fmt: skip
            elif gone:
                status, evidence = CARRIED_OUT, "gone from the inventory; no use after its decide-by date"
            else:
                status = NOT_DONE if overdue else NOT_DUE
                evidence = f"still in the inventory with {seats_now} seat(s)"
        else:  # downsize
            if seats_now <= target:
                status, evidence = CARRIED_OUT, f"{seats_now} seat(s) now (target {target})"
            elif seats_now < int(t["seats"]):
                status, evidence = PARTLY, f"{seats_now} seat(s) now, target {target}"
            else:
                status = NOT_DONE if overdue else NOT_DUE
                evidence = f"still {seats_now} seat(s) (target {target})"
        if not overdue and status == NOT_DUE:
            evidence += f"; due {due:%d %b %Y}"
        realized = float(t["annual_cost"]) - cost_now if status in (CARRIED_OUT, PARTLY, STILL_USED) else 0.0
        if rec == CONSOLIDATE and status != NOT_DONE and status != NOT_DUE:
            realized -= _moved_cost(cons_b.tools, inv, t)
        rows.append({"tool": tool, "recommendation": rec, "due": due, "seats_before": int(t["seats"]),
                     "target_seats": target, "seats_now": seats_now, "status": status,
                     "planned_saving": float(t["annual_saving"]), "realized_saving": realized, "evidence": evidence})  # fmt: skip
    new_tools = ()
    tb = b.table("tools")
    if tb is not None and tc is not None:
        known = {_key(x) for x in tb["tool"]}
        new_tools = tuple(t for t in tc["tool"] if _key(t) not in known)
    lines = [r.expense_matches for r in (cons_b, cons_c) if r is not None and len(r.expense_matches)]
    trend = _frame([], COLUMNS["shadow_trend"])
    if lines:
        ex = pd.concat(lines, ignore_index=True).drop_duplicates("expense_id")
        ex = ex[ex["shadow"].astype(bool)]
        ex = ex.assign(month=pd.to_datetime(ex["date"]).dt.to_period("M").dt.to_timestamp())
        trend = ex.groupby("month").agg(spend=("amount", "sum"), payers=("employee_id", "nunique")).reset_index()
    return _frame(rows, COLUMNS["recommendations"]), new_tools, trend[COLUMNS["shadow_trend"]]


def _moved_cost(tools_b: pd.DataFrame, inv: dict, t: pd.Series) -> float:
    """The share of the kept tool's added annual cost that consolidation `t` brought (by users moved,
    among the consolidations into the same tool)."""
    target = str(t.get("moves_to") or "")
    if not target:
        return 0.0
    before = tools_b[tools_b["tool"] == target]
    now = inv.get(_key(target))
    if before.empty or now is None:
        return 0.0
    added = max(0.0, float(now["seats"]) * float(now["cost_per_seat_month"]) * 12 - float(before["annual_cost"].iloc[0]))
    into = tools_b[(tools_b["recommendation"] == CONSOLIDATE) & (tools_b["moves_to"] == target)]
    moved = into["users_moved"].astype(float).fillna(0)
    share = float(t.get("users_moved") or 0) / float(moved.sum()) if moved.sum() else 1 / max(len(into), 1)
    return added * share


# ---------------------------------------------------------------- training


def _readiness_by(gaps: pd.DataFrame, column: str) -> dict[str, tuple[float, int]]:
    from kit.phases.training.analysis import _readiness

    return {g: (_readiness(d), int(d["respondent_id"].nunique())) for g, d in gaps.groupby(column)}


def trained_cohorts(b: RunData, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """The baseline's scheduled training cohorts whose date has passed by `as_of` (cohort, skill, roles,
    departments, due)."""
    tr = b.result("training_gaps")
    marks = _milestones(b)
    if tr is None or not len(marks) or as_of is None:
        return pd.DataFrame(columns=["cohort", "skill", "roles", "departments", "due", "target"])
    sched = marks[(marks["source"] == "Training gaps") & (marks["subject"] != "Skills survey")]
    sched = sched[pd.to_datetime(sched["due"]) <= as_of][["subject", "due", "target"]]
    return tr.cohorts.merge(sched.rename(columns={"subject": "cohort"}), on="cohort")[
        ["cohort", "skill", "roles", "departments", "due", "target"]]  # fmt: skip


def _members(survey: pd.DataFrame, cohorts: pd.DataFrame) -> set[str]:
    out: set[str] = set()
    for _, c in cohorts.iterrows():
        roles = {_key(r) for r in str(c["roles"]).split("; ")}
        depts = {_key(d) for d in str(c["departments"]).split("; ")}
        hit = survey["role"].map(_key).isin(roles) & survey["department"].map(_key).isin(depts)
        out |= set(survey.loc[hit, "respondent_id"])
    return out


def training_progress(b: RunData, c: RunData, settings: EngagementSettings, as_of, cohorts: pd.DataFrame,
                      usage: pd.DataFrame | None = None):  # fmt: skip
    """(readiness before and now per department and role, trained vs untrained usage change);
    `usage`: `_usage(b, c)`, when the caller has it already."""
    from kit.phases.training import person_gaps

    sb, sc = b.table("skills_survey"), c.table("skills_survey")
    targets = c.table("role_targets") if c.table("role_targets") is not None else b.table("role_targets")
    rows = []
    if sb is not None and sc is not None and targets is not None:
        targets_b = b.table("role_targets") if b.table("role_targets") is not None else targets
        gb, gc = person_gaps(sb, targets_b), person_gaps(sc, targets)
        same = gc[gc["respondent_id"].isin(set(sb["respondent_id"]))]
        for scope, column in (("department", "department"), ("role", "role")):
            before, now, now_same = _readiness_by(gb, column), _readiness_by(gc, column), _readiness_by(same, column)
            for group in sorted(set(before) | set(now)):
                rb, nb_ = before.get(group, (math.nan, 0))
                rn, nn = now.get(group, (math.nan, 0))
                rs, ns = now_same.get(group, (math.nan, 0))
                note = "" if nb_ and nn else ("not in the baseline survey" if not nb_ else "nobody re-surveyed")
                rows.append({"scope": scope, "group": group, "respondents_before": nb_, "respondents_now": nn,
                             "same_people": ns, "readiness_before": rb, "readiness_now": rn,
                             "readiness_now_same": rs, "change": rs - rb, "note": note})  # fmt: skip
    readiness = _frame(rows, COLUMNS["readiness"])
    usage = _usage(b, c) if usage is None else usage
    cohort_rows = []
    if sb is not None and usage is not None and b.snapshot is not None:
        people = set(sb["respondent_id"]) & (set(sc["respondent_id"]) if sc is not None else set(sb["respondent_id"]))
        trained = _members(sb[sb["respondent_id"].isin(people)], cohorts)
        ai = usage[usage["tool"].isin(_ai_tools(b, c, usage))]
        days = int(settings.active_window_days)
        win_b = _window(ai, b.snapshot.as_of, days)
        win_c = _window(ai, c.snapshot.as_of if c.snapshot else None, days)
        act_b, act_c = _distinct(win_b["user_id"]), _distinct(win_c["user_id"])
        # usage per person: distinct days with AI use in the window (a share active has a ceiling:
        # people already active cannot show that they use AI more)
        days_b = win_b.groupby("user_id")["date"].nunique()
        days_c = win_c.groupby("user_id")["date"].nunique()
        change = {p: float(days_c.get(p, 0)) - float(days_b.get(p, 0)) for p in people}
        groups = {"Trained cohorts": sorted(trained), "Everyone else surveyed": sorted(people - trained)}
        diffs = {}
        for label, who in groups.items():
            d = np.array([change[p] for p in who], dtype=float)
            diffs[label] = d
            cohort_rows.append({"group": label, "people": len(who),
                                "active_before": float(np.mean([p in act_b for p in who])) if who else math.nan,
                                "active_now": float(np.mean([p in act_c for p in who])) if who else math.nan,
                                "change": float(d.mean()) if len(d) else math.nan})  # fmt: skip
        t, u = diffs["Trained cohorts"], diffs["Everyone else surveyed"]
        diff, lo, hi, note = math.nan, math.nan, math.nan, ""
        if len(t) >= 2 and len(u) >= 2:
            diff = float(t.mean() - u.mean())
            vt, vu = t.var(ddof=1) / len(t), u.var(ddof=1) / len(u)
            se = math.sqrt(vt + vu)
            if se > 0:
                df = (vt + vu) ** 2 / ((vt**2 / (len(t) - 1)) + (vu**2 / (len(u) - 1))) if vt + vu else 1.0
                q = stats.t.ppf(0.5 + settings.confidence_level / 2, df)
                lo, hi = diff - q * se, diff + q * se
            else:
                lo = hi = diff
        else:
            note = "too few people in a group to compare (2 in each are needed)"
        cohort_rows[0] |= {"difference": diff, "difference_low": lo, "difference_high": hi, "note": note}
    return readiness, _frame(cohort_rows, COLUMNS["cohorts"])


# ---------------------------------------------------------------- agents


def pilots_progress(b: RunData, c: RunData, as_of) -> pd.DataFrame:
    """The planned pilots (baseline milestones) and every pilot in the pilots table."""
    ag = b.result("agent_candidates")
    specs = ag.specs if ag is not None else pd.DataFrame(columns=["task_id", "task"])
    marks = _milestones(b)
    planned = {}
    if len(marks):
        starts = marks[(marks["source"] == "Agent candidates") & marks["subject"].astype(str).ne("")]
        task_ids = dict(zip(specs["task"], specs["task_id"], strict=True))
        planned = {task_ids.get(s, s): (s, pd.Timestamp(d)) for s, d in zip(starts["subject"], starts["due"], strict=True)}
    pc, pb = c.table("pilots"), b.table("pilots")
    before = {} if pb is None else dict(zip(pb["task_id"], pb["stage"], strict=True))
    rw = c.table("recurring_work")
    tasks = dict(zip(specs["task_id"], specs["task"], strict=True))
    if rw is not None:
        tasks = dict(zip(rw["task_id"], rw["task"], strict=True)) | tasks
    rows, seen = [], set()
    for _, p in (pc.iterrows() if pc is not None else iter(())):
        tid = p["task_id"]
        seen.add(tid)
        start, since, stage = p.get("started_on"), p.get("stage_since"), p["stage"]
        path = stage
        if stage != "shadow" and not pd.isna(start) and not pd.isna(since) and since > start:
            path = f"shadow from {start:%d %b %Y} → {stage} from {since:%d %b %Y}"
        if before.get(tid) and before[tid] != stage:
            path += f" (was {before[tid]} at the baseline)"
        rev, acc = _num(p.get("outputs_reviewed")), _num(p.get("outputs_accepted"))
        plan = planned.get(tid)
        if plan is None:
            status = "not one of the planned pilots"
        elif pd.isna(start):
            status = "started (no start date given)"
        else:
            status = "started early" if start < plan[1] else "started on time" if start <= plan[1] + pd.Timedelta(
                days=7) else "started late"  # fmt: skip
        rows.append({"task_id": tid, "task": tasks.get(tid, ""), "planned_start": plan[1] if plan else pd.NaT,
                     "started_on": start, "stage": stage, "stage_since": since, "path": path,
                     "reviewed": rev, "accepted": acc, "acceptance": acc / rev if rev else math.nan,
                     "status": status})  # fmt: skip
    for tid, (task, due) in planned.items():
        if tid not in seen:
            late = as_of is not None and due < as_of
            rows.append({"task_id": tid, "task": task, "planned_start": due, "started_on": pd.NaT, "stage": "",
                         "stage_since": pd.NaT, "path": "not started", "reviewed": math.nan, "accepted": math.nan,
                         "acceptance": math.nan, "status": f"not started: {'late' if late else 'on track'}"})  # fmt: skip
    out = _frame(rows, COLUMNS["pilots"])
    for col in ("planned_start", "started_on", "stage_since"):
        out[col] = pd.to_datetime(out[col])
    return out


# ---------------------------------------------------------------- milestones and gates


@dataclass(frozen=True)
class _Evidence:
    """What the comparisons found, for the milestone and gate rules."""

    owner: str
    workflows: pd.DataFrame
    recommendations: pd.DataFrame
    shadow_now: float
    shadow_people_now: float
    survey_repeated: bool
    cohort_levels: dict[str, float]  # cohort -> mean level of its members on its skill now
    pilots: pd.DataFrame
    readiness_now: float
    currency: str = "USD"


def _milestone_evidence(m: pd.Series, e: _Evidence) -> tuple[bool | None, str]:
    """(done, evidence) of one baseline milestone; done None when the data cannot show it."""
    source, subject = m.get("source", ""), str(m.get("subject", "") or "")
    if source == "engagement.yaml":
        return (bool(e.owner), f"accountable owner: {e.owner}" if e.owner else "engagement.yaml still names nobody")
    if source == "ROI ranking":
        hit = e.workflows[e.workflows["workflow"] == subject]
        if hit.empty:
            return False, "not compared"
        w = hit.iloc[0]
        if w["verdict"] == NOT_MEASURED:
            return False, w["note"]
        done = w["realized_low"] > 0
        return done, f"time saved now {w['realized']:.0%} ({w['realized_low']:.0%} to {w['realized_high']:.0%})"
    if source == "Training gaps":
        if subject == "Skills survey":
            return e.survey_repeated, "re-survey received" if e.survey_repeated else "no re-survey yet"
        level = e.cohort_levels.get(subject, math.nan)
        target = _num(m.get("target"))
        if not math.isfinite(level):
            return False, "no re-survey answers from this cohort"
        return level >= target, f"mean level now {level:.1f} (target {target:g})"
    if source == "Consolidation":
        if subject == "Acceptable-use policy":
            return None, "the data cannot show it: confirm by hand"
        if subject == "Shadow AI":
            if not math.isfinite(e.shadow_now):
                return None, "no consolidation result in this run"
            done = e.shadow_now == 0 and e.shadow_people_now == 0
            return done, (f"AI on expenses now {money(e.shadow_now, e.currency)} a year; {e.shadow_people_now:.0f} person(s) "
                          "outside the approved tools")  # fmt: skip
        hit = e.recommendations[e.recommendations["tool"] == subject]
        if hit.empty:
            return None, "no such recommendation in the baseline"
        r = hit.iloc[0]
        return r["status"] == CARRIED_OUT, f"{r['status']}: {r['evidence']}"
    if source == "Agent candidates":
        p = e.pilots
        if not subject:
            started = p[p["stage"].isin([*STAGES, STOPPED])]
            decided = started[started["stage"] != "shadow"]
            if started.empty:
                return False, "no pilot started"
            return len(decided) == len(started), f"{len(decided)} of {len(started)} pilot(s) decided"
        hit = p[(p["task"] == subject) & p["stage"].isin([*STAGES, STOPPED])]
        return (not hit.empty), (f"started, stage now {hit.iloc[0]['stage']}" if len(hit) else "not started")
    return None, "the data cannot show it: confirm by hand"


def milestone_status(marks: pd.DataFrame, e: _Evidence, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """Each milestone done, on track (due on or after `as_of`), late (due before it) or unconfirmed."""
    rows = []
    for _, m in marks.iterrows():
        done, evidence = _milestone_evidence(m, e)
        due = pd.Timestamp(m["due"])
        if done is None:
            status = UNCONFIRMED
        elif done:
            status = DONE
        else:
            status = LATE if as_of is not None and due < as_of else ON_TRACK
            if status == LATE:
                evidence += f"; due {due:%d %b %Y}, {(as_of - due).days} day(s) ago"
        rows.append({"phase": m["phase"], "due": due, "milestone": m["milestone"], "owner": m.get("owner", ""),
                     "status": status, "evidence": evidence})  # fmt: skip
    out = _frame(rows, COLUMNS["milestones"])
    out["due"] = pd.to_datetime(out["due"])
    return out


def phase_gates(roadmap: pd.DataFrame, marks: pd.DataFrame, e: _Evidence, as_of) -> pd.DataFrame:
    """Per roadmap phase: did it deliver its metric (and no milestone of it is late), so the next may begin?"""
    rows = []
    for _, p in roadmap.iterrows():
        phase = p["phase"]
        missing = []
        if phase == "Foundation":
            for _, w in e.workflows.iterrows():
                if w["verdict"] == NOT_MEASURED:
                    missing.append(f"{w['workflow']}: not measurable ({w['note']})")
                elif w["verdict"] == LESS:
                    missing.append(f"{w['workflow']}: time saved {w['realized']:.0%} ({w['realized_low']:.0%} to "
                                   f"{w['realized_high']:.0%}), clearly less than the {w['predicted']:.0%} predicted")  # fmt: skip
        elif phase == "Training":
            if not math.isfinite(e.readiness_now):
                missing.append("no re-survey: skills at target cannot be measured")
            elif e.readiness_now < READINESS_BAR:
                missing.append(f"skills at target {e.readiness_now:.0%}, below the {READINESS_BAR:.0%} the roadmap set")
        elif phase == "Consolidation":
            r = e.recommendations
            due = r[(pd.to_datetime(r["due"]) <= pd.Timestamp(p["end"])) | r["due"].isna()]
            for _, x in due[due["status"] != CARRIED_OUT].iterrows():
                missing.append(f"{x['recommendation']} {x['tool']}: {x['status']} ({x['evidence']})")
            if math.isfinite(e.shadow_now) and e.shadow_now > 0:
                missing.append(f"AI on expenses still {money(e.shadow_now, e.currency)} a year")
        elif phase == "Agents":
            p_ = e.pilots
            live = p_[p_["stage"].isin(STAGES)]
            if live.empty:
                missing.append("no pilot under way")
            for _, x in live.iterrows():
                if not (x["acceptance"] >= ACCEPTANCE_BAR):
                    shown = "not recorded" if not math.isfinite(_num(x["acceptance"])) else f"{x['acceptance']:.0%}"
                    missing.append(f"pilot {x['task']}: outputs accepted {shown} (bar {ACCEPTANCE_BAR:.0%})")
        late = marks[(marks["phase"] == phase) & (marks["status"] == LATE)]
        missing += [f"late: {m}" for m in late["milestone"]]
        start, end = pd.Timestamp(p["start"]), pd.Timestamp(p["end"])
        if as_of is None or as_of < start:
            state = "not started"
        elif as_of <= end:
            state = "under way"
        else:
            state = "ended"
        gate = (PASSED if not missing else NOT_PASSED) if state == "ended" else NOT_DUE_YET
        rows.append({"phase": phase, "start": start, "end": end, "metric": p.get("metric", ""), "state": state,
                     "gate": gate, "missing": "; ".join(missing) if missing else "nothing"})  # fmt: skip
    return _frame(rows, COLUMNS["gates"])


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class UsageParts:
    """The parts of the comparison that read the intake snapshots' tables at length (the usage
    export: millions of rows at scale) and, of this run's results, only the consolidation's:
    computed apart (`usage_parts`), so that `kit.model` keeps them while other inputs change."""

    matching: pd.DataFrame
    adoption_monthly: pd.DataFrame
    adoption: pd.DataFrame
    seats: pd.DataFrame
    recommendations: pd.DataFrame
    new_tools: tuple[str, ...]
    shadow_trend: pd.DataFrame
    readiness: pd.DataFrame
    cohorts: pd.DataFrame


def _trained_departments(cohorts: pd.DataFrame) -> set[str]:
    """The departments the trained cohorts (`trained_cohorts`) came from."""
    return {d for ds in cohorts["departments"] for d in str(ds).split("; ") if d}


def usage_parts(baseline: RunData, current: RunData, settings: EngagementSettings) -> UsageParts:
    """Matching, adoption, seats, the consolidation and training follow-ups: everything of `analyze`
    that reads the usage export, from the snapshots and, of `current`'s results, the consolidation only."""
    b, c = baseline, current
    as_of = c.snapshot.as_of if c.snapshot else None
    match = matching(b, c)
    cohorts_done = trained_cohorts(b, as_of)
    trained_depts = _trained_departments(cohorts_done)
    usage = _usage(b, c)  # 10 M rows at 5 M usage rows per run: combined once
    monthly, adopt, seats = adoption(b, c, settings, trained_depts, usage)
    recs, new_tools, trend = consolidation_progress(b, c, as_of)
    readiness, cohorts = training_progress(b, c, settings, as_of, cohorts_done, usage)
    return UsageParts(match, monthly, adopt, seats, recs, new_tools, trend, readiness, cohorts)


def analyze(baseline: RunData, current: RunData, settings: EngagementSettings,
            parts: UsageParts | None = None) -> ProgressResult:  # fmt: skip
    """Compare the current run with the baseline run (see the module docstring for each method).
    `parts`: `usage_parts(baseline, current, settings)` when the caller has it already."""
    b, c = baseline, current
    if b.snapshot is None:
        return empty_result(f"the baseline run {b.run_id} recorded no snapshot of its data (a run of an older kit); "
                            "name a newer complete run with kit run --baseline RUN_ID", settings)  # fmt: skip
    as_of = c.snapshot.as_of if c.snapshot else None
    notes = list(b.notes)
    workflows, wf_notes = workflow_progress(b, c, settings)
    notes += wf_notes
    cohorts_done = trained_cohorts(b, as_of)
    trained_depts = _trained_departments(cohorts_done)
    parts = usage_parts(b, c, settings) if parts is None else parts
    match, monthly, adopt, seats = parts.matching, parts.adoption_monthly, parts.adoption, parts.seats
    recs, new_tools, trend = parts.recommendations, parts.new_tools, parts.shadow_trend
    readiness, cohorts = parts.readiness, parts.cohorts
    pilots = pilots_progress(b, c, as_of)
    cons_c, tr_c = c.result("consolidation"), c.result("training_gaps")
    totals = cons_c.totals if cons_c is not None else {}
    sb, sc = b.table("skills_survey"), c.table("skills_survey")
    repeated = sc is not None and (sb is None or not sc.reset_index(drop=True).equals(sb.reset_index(drop=True)))
    levels = {}
    if sc is not None and repeated:
        for _, row in cohorts_done.iterrows():
            members = _members(sc, pd.DataFrame([row]))
            hit = sc[sc["respondent_id"].isin(members) & (sc["skill"].map(_key) == _key(row["skill"]))]
            levels[row["cohort"]] = float(hit["level"].mean()) if len(hit) else math.nan
    evidence = _Evidence(
        owner=c.snapshot.owner if c.snapshot else "", workflows=workflows, recommendations=recs,
        shadow_now=_num(totals.get("shadow_run_rate", totals.get("shadow_spend"))) if totals else math.nan,
        shadow_people_now=_num(totals.get("shadow_people")) if totals else math.nan,
        survey_repeated=repeated, cohort_levels=levels, pilots=pilots,
        readiness_now=_num(tr_c.readiness) if tr_c is not None and repeated else math.nan,
        currency=settings.currency,
    )  # fmt: skip
    summary_b = b.result("engagement_summary")
    marks = milestone_status(_milestones(b), evidence, as_of)
    roadmap = summary_b.roadmap if summary_b is not None else _frame([], ["phase", "start", "end", "metric"])
    gates = phase_gates(roadmap, marks, evidence, as_of)
    if summary_b is None:
        notes.append("The baseline run has no engagement summary: milestones and phase gates cannot be checked.")
    planned = float(recs["planned_saving"].sum()) if len(recs) else math.nan
    realized = float(recs["realized_saving"].sum()) if len(recs) else math.nan
    result = ProgressResult(
        available=True, reason="", baseline_run=b.run_id, current_run=c.run_id,
        baseline_as_of=b.snapshot.as_of, as_of=as_of, confidence_level=float(settings.confidence_level),
        currency=settings.currency, client=settings.client, matching=match, workflows=workflows,
        adoption_monthly=monthly, adoption=adopt, seats=seats, recommendations=recs, new_tools=new_tools,
        shadow_trend=trend, readiness=readiness, cohorts=cohorts, pilots=pilots, milestones=marks, gates=gates,
        headlines=_frame([], COLUMNS["headlines"]), notes=tuple(notes), planned_saving=planned,
        realized_saving=realized, trained_groups=tuple(sorted(trained_depts)),
    )  # fmt: skip
    result = replace(result, headlines=headline_figures(result, b, c))
    return replace(result, summary=summary_text(result))


def headline_figures(r: ProgressResult, b: RunData, c: RunData) -> pd.DataFrame:
    rows = []
    overall = r.adoption[r.adoption["scope"] == "overall"]
    if len(overall):
        o = overall.iloc[0]
        rows.append({"key": "active_people", "figure": "People active on AI tools (last 30 days)",
                     "before": o["active_before"], "now": o["active_now"], "unit": "people"})  # fmt: skip
        rows.append({"key": "habitual_people", "figure": "Habitual AI users (9 of the last 12 weeks)",
                     "before": o["habitual_before"], "now": o["habitual_now"], "unit": "people"})  # fmt: skip
    for _, w in r.workflows[r.workflows["verdict"] != NOT_MEASURED].iterrows():
        rows.append({"key": f"saving_{w['workflow_id']}", "figure": f"Time saved: {w['workflow']}",
                     "before": w["predicted"], "now": w["realized"], "low": w["realized_low"],
                     "high": w["realized_high"], "unit": "share of minutes (predicted → now)"})  # fmt: skip
    if math.isfinite(r.planned_saving):
        rows.append({"key": "tool_saving", "figure": f"Annual tool saving ({r.currency}): planned → realized",
                     "before": r.planned_saving, "now": r.realized_saving, "unit": f"{r.currency} a year"})  # fmt: skip
    tb, tc = b.result("training_gaps"), c.result("training_gaps")
    if tb is not None and tc is not None:
        rows.append({"key": "readiness", "figure": "Skills at target", "before": _num(tb.readiness),
                     "now": _num(tc.readiness), "unit": "share"})  # fmt: skip
    cb, cc = b.result("consolidation"), c.result("consolidation")
    if cb is not None and cc is not None:
        rows.append({"key": "shadow_run_rate", "figure": f"AI on expenses, run rate ({r.currency} a year)",
                     "before": _num(cb.totals.get("shadow_run_rate")), "now": _num(cc.totals.get("shadow_run_rate")),
                     "unit": f"{r.currency} a year"})  # fmt: skip
    out = _frame(rows, COLUMNS["headlines"])
    out[["before", "now", "low", "high"]] = out[["before", "now", "low", "high"]].astype(float)
    return out


# ---------------------------------------------------------------- the sentences the summary reads (result.summary)


def _pct(x: float) -> str:
    return f"{x:.0%}" if math.isfinite(_num(x)) else "–"


def summary_text(r: ProgressResult) -> str:
    """The sentences the executive paragraph and the progress report open with."""
    if not r.available:
        return ""
    parts = [f"Since the baseline (run {r.baseline_run}, data to {r.baseline_as_of:%d %B %Y}), measured again "
             f"on data to {r.as_of:%d %B %Y}:" if r.as_of is not None and r.baseline_as_of is not None
             else f"Since the baseline run {r.baseline_run}:"]  # fmt: skip
    measured = r.workflows[r.workflows["verdict"] != NOT_MEASURED]
    if len(measured):
        bits = [f"{w['workflow']} saves {_pct(w['realized'])} of its time ({_pct(w['realized_low'])} to "
                f"{_pct(w['realized_high'])}; {_pct(w['predicted'])} predicted)" for _, w in measured.iterrows()]
        parts.append(names(bits, limit=5) + ".")
    less = r.workflows[r.workflows["verdict"] == LESS]
    if len(less):
        parts.append(f"{names(less['workflow'])} realize{'s' if len(less) == 1 else ''} clearly less than predicted.")
    overall = r.adoption[r.adoption["scope"] == "overall"]
    if len(overall):
        o = overall.iloc[0]
        parts.append(f"People active on AI tools went from {o['active_before']} to {o['active_now']} "
                     f"({o['habitual_now']} habitual users, from {o['habitual_before']}).")  # fmt: skip
    if math.isfinite(r.planned_saving):
        parts.append(f"Tool changes realize {money(r.realized_saving, r.currency)} a year of the "
                     f"{money(r.planned_saving, r.currency)} planned.")  # fmt: skip
    gates = r.gates[r.gates["gate"] != NOT_DUE_YET]
    for _, g in gates.iterrows():
        parts.append(f"{g['phase']} gate: {g['gate']}" + (f" ({g['missing']})." if g["gate"] == NOT_PASSED else "."))
    late = r.milestones[r.milestones["status"] == LATE]
    if len(late):
        parts.append(f"{len(late)} milestone(s) are late.")
    return " ".join(parts)

"""What the consolidation report shows: narrative text, tables (`*_view`), charts and live controls,
built from `kit.phases.consolidation.analysis`'s result."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from kit.charts import NEGATIVE, NEUTRAL, POSITIVE
from kit.evidence import UTILIZATION_FLOOR
from kit.governance import TASK_TOOL_CATEGORIES
from kit.intake.schemas import DATA_CLASSES
from kit.phases.consolidation.analysis import (
    DECISION_LEAD_DAYS,
    GAP_KINDS,
    HEADCOUNT_GIVEN,
    RECOMMENDATIONS,
    RUNNING_DAYS,
    ConsolidationResult,
    T,
    W,
    X,
    _people,
)
from kit.text import money
from kit.text import names as name_list
from kit.vocabulary import (  # shared labels
    CANCEL,
    CONSOLIDATE,
    CONSUMER,
    DOWNSIZE,
    EXPENSED,
    KEEP,
    KIT_ASSUMPTION,
    NO_SSO,
    UNAPPROVED,
    UNLISTED,
)

# ---------------------------------------------------------------- narrative (plain text)


def summary_text(r: ConsolidationResult) -> str:
    t, c = r.totals, r.currency
    if not len(r.tools):
        return "The tool inventory is empty: there is no spend to review."
    share = t["total_saving"] / t["current_annual_spend"] if t["current_annual_spend"] else 0.0
    idle_share = 1 - t["active_paid_seats"] / t["paid_seats"] if t["paid_seats"] else 0.0
    counts = r.tools["recommendation"].value_counts()
    parts = [f"{counts.get(k, 0)} to {k}" for k in (CANCEL, CONSOLIDATE, DOWNSIZE) if counts.get(k, 0)]
    text = (
        f"The company pays {money(t['current_annual_spend'], c)} a year for {len(r.tools)} tools. "
        f"In the {r.window_days} days to {r.as_of:%d %b %Y}, {idle_share:.0%} of the {t['paid_seats']:,.0f} paid seats "
        f"went unused, worth {money(t['idle_seat_cost'], c)} a year. "
    )
    if parts:
        text += (
            f"Acting on the recommendations ({'; '.join(parts)}) saves about {money(t['total_saving'], c)} a year "
            f"({share:.0%}), bringing spend to {money(t['spend_after'], c)}. "
        )
    else:
        text += "Every tool is used enough to keep as it is. "
    n_shadow, n_gaps = len(r.shadow), len(r.governance_gaps)
    if n_shadow:
        text += f"\n\nOutside the tool inventory, {n_shadow} shadow-AI finding(s) involve {_people(t['shadow_people'])}"
        text += f"; {_shadow_spend_phrase(r)}." if len(r.expense_matches) else "."
    if n_gaps:
        text += (f"{' ' if n_shadow else chr(10) * 2}Inside it, {n_gaps} AI tool(s) in use have a governance gap "
                 "(a free or individual plan, no approval or no single sign-on); their cost is already in the spend above.")  # fmt: skip
    return text


def _shadow_spend_phrase(r: ConsolidationResult) -> str:
    """The live subscriptions' run rate beside what was charged in the last 365 days."""
    t, c = r.totals, r.currency
    live = int(t["live_subscriptions"])
    charged = f"{money(t['shadow_spend'], c)} charged in the 12 months to {r.as_of:%d %b %Y}, refunds netted"
    if not live:
        return f"no monthly AI subscription on expenses is still running ({charged})"
    subs = "subscription" if live == 1 else "subscriptions"
    return (f"{live} monthly AI {subs} paid on expenses still {'runs' if live == 1 else 'run'} at "
            f"{money(t['shadow_run_rate'], c)} a year ({charged})")  # fmt: skip


def utilization_text(r: ConsolidationResult) -> str:
    paid = r.tools[r.tools[T.seats] > 0]
    low = paid[paid["below_floor"]].sort_values("idle_seat_cost", ascending=False)
    if paid.empty:
        return "No tool has paid seats."
    if low.empty:
        return f"Every paid tool has at least {UTILIZATION_FLOOR:.0%} of its seats in use."
    top = low.head(3)
    worst = "; ".join(
        f"{row[T.tool]} ({row['active_users']} of {row[T.seats]} seats, {money(row['idle_seat_cost'], r.currency)} idle)"
        for _, row in top.iterrows()
    )
    return (
        f"{len(low)} of {len(paid)} paid tools use fewer than {UTILIZATION_FLOOR:.0%} of their seats, the level below "
        f"which a company is paying for empty seats. The largest idle costs: {worst}. Idle seats across all tools "
        f"cost {money(r.totals['idle_seat_cost'], r.currency)} a year."
    )


TABLE_WORDS = {"skills_survey": "the skills survey", "usage": "the usage data", "time_studies": "the time studies",
               "expenses": "the expenses"}  # fmt: skip


def denominator_text(r: ConsolidationResult) -> str:
    """What adoption is a share of: the headcount given, else the people seen and where."""
    if r.headcount_source == HEADCOUNT_GIVEN:
        return "headcount, as given in headcount_by_department"
    return f"the people seen in {_seen_in(r)}; no headcount was given"


def _seen_in(r: ConsolidationResult) -> str:
    return name_list([TABLE_WORDS.get(t, t) for t in r.headcount_tables]) or "the usage data"


def adoption_text(r: ConsolidationResult) -> str:
    a = r.adoption[r.adoption["complete"]] if r.adoption["complete"].any() else r.adoption
    if a.empty:
        return "There is no usage history to show adoption."
    if len(a) == 1 and len(r.usage_snapshots) == 1 and r.n_snapshot_rows == r.n_usage_rows - r.n_usage_after_as_of:
        last = a.iloc[0]
        return (
            f"The usage data is one last-activity snapshot ({pd.Timestamp(r.usage_snapshots[0]):%d %B %Y}): "
            f"{last['people_active']:,} of {_people(r.headcount)} ({last['share']:.0%} of {denominator_text(r)}) "
            "used at least one AI tool in its window. One snapshot shows who was active in that window, not a "
            "monthly trend; exports taken on several dates would show one."
        )
    first, last = a.iloc[0], a.iloc[-1]
    peak = a.loc[a["people_active"].idxmax()]
    ai_now = r.tools[r.tools["is_ai"]].sort_values("active_users", ascending=False)
    most = name_list(ai_now[T.tool].head(3)) if len(ai_now) else "none"
    text = (
        f"In {pd.Timestamp(last['month']):%B %Y}, {last['people_active']:,} of {_people(r.headcount)} "
        f"({last['share']:.0%} of {denominator_text(r)}) used at least one AI tool, up from "
        f"{first['people_active']:,} ({first['share']:.0%}) in {pd.Timestamp(first['month']):%B %Y}. The most used AI "
        f"tools in the last {r.window_days} days: {most}."
    )
    if peak["people_active"] > last["people_active"]:
        text += f" Use peaked at {peak['people_active']:,} people in {pd.Timestamp(peak['month']):%B %Y}."
    return text


def recommendations_text(r: ConsolidationResult) -> str:
    t, c = r.totals, r.currency
    tools = r.tools
    lines = []
    cancel = tools[tools["recommendation"] == CANCEL]
    if len(cancel):
        lines.append(
            f"Cancel {name_list(cancel[T.tool])}: almost nobody uses them; {money(t['saving_cancel'], c)} a year."
        )
    for _, row in r.consolidation.iterrows():
        moving = name_list(row["moving"].split("; "))
        if row["users_moved"]:
            who = f"{_people(row['users_moved'])} who do not use it yet"
            who += f", {row['extra_seats']} extra seat(s)" if row["extra_seats"] else ", no extra seat"
        else:
            who = "their users already use it"
        lines.append(f"Bring {moving} into {row['keep']} ({who}): {money(row['annual_saving'], c)} a year net.")
    down = tools[tools["recommendation"] == DOWNSIZE]
    if len(down):
        lines.append(
            f"Downsize {name_list(down[T.tool])} to their recent peak plus a {r.downsize_buffer:.0%} buffer: "
            f"{money(t['saving_downsize'], c)} a year."
        )
    if not lines:
        return "No change is recommended: every tool is used and none overlaps another."
    well = tools[tools[T.approved].astype(bool) & (tools["recommendation"] == CONSOLIDATE) & ~tools["below_floor"]]
    text = " ".join(lines)
    if len(well):
        text += (
            f"\n\n{name_list(well[T.tool])} {'is' if len(well) == 1 else 'are'} approved and well used today: "
            "consolidating means moving people, so plan it with them and time it to the renewal."
        )
    return text


def renewals_text(r: ConsolidationResult) -> str:
    if r.renewals.empty:
        return f"No renewal falls in the next 90 days after {r.as_of:%d %b %Y}."
    act = r.renewals[r.renewals["recommendation"] != KEEP]
    urgent = r.renewals[r.renewals["days_to_renewal"] <= DECISION_LEAD_DAYS]
    text = f"{len(r.renewals)} subscription(s) renew in the next 90 days; {len(act)} of them carry a recommendation to act on"
    text += f", worth {money(act['annual_saving'].sum(), r.currency)} a year." if len(act) else "."
    if len(urgent):
        text += f" Decide now on {name_list(urgent[T.tool])}: {'it renews' if len(urgent) == 1 else 'they renew'} within 30 days."
    return text


def shadow_text(r: ConsolidationResult) -> str:
    if r.shadow.empty:
        checked = "the usage data and the expenses" if r.has_expenses else "the usage data (no expenses were supplied)"
        return f"No shadow AI found in {checked}: every AI tool in use is in the inventory and no AI is paid on expenses."
    parts = []
    unlisted = r.shadow[r.shadow["kind"] == UNLISTED]
    if len(unlisted):
        parts.append(f"{len(unlisted)} tool(s) in use that the inventory does not list ({name_list(unlisted['tool'])})")
    expensed = r.shadow[r.shadow["kind"] == EXPENSED]
    if len(expensed):
        payers = r.expense_matches.loc[r.expense_matches["shadow"] & r.expense_matches["in_year"], X.employee_id].nunique()
        parts.append(f"AI paid on expenses by {_people(payers)} ({name_list(expensed['tool'])}): {_shadow_spend_phrase(r)}")
    return (
        "Found: " + "; ".join(parts) + ". Company data typed into these tools is outside the company's contracts and "
        "controls. Each finding names the approved tool to move people to where one exists. The run rate is what "
        "the subscriptions still running cost a year from now on; the charged figure is what was paid."
    )


def governance_gaps_text(r: ConsolidationResult) -> str:
    """The inventory's AI tools in use with a governance gap; their cost is not shadow spend."""
    g = r.governance_gaps
    if g.empty:
        return ("No governance gap: every AI tool of the inventory in use is approved, on a business plan and, where "
                "known, behind single sign-on.")  # fmt: skip
    labels = {CONSUMER: "on a free or individual plan", UNAPPROVED: "not approved", NO_SSO: "without single sign-on"}
    parts = [f"{int((g['kind'] == k).sum())} {labels[k]} ({name_list(g.loc[g['kind'] == k, 'tool'])})"
             for k in GAP_KINDS if (g["kind"] == k).any()]  # fmt: skip
    return (
        f"{len(g)} AI tool(s) of the inventory are in use with a governance gap: {'; '.join(parts)}. "
        f"{_people(r.totals['governance_gap_people'])} used them in the last {r.window_days} days. They are known "
        f"tools, so their cost ({money(g['annual_cost'].sum(), r.currency)} a year) is already in the tool spend, "
        "not shadow spend: the fix is an approved business plan, single sign-on, or moving people to the approved "
        "alternative."
    )


def governance_text(r: ConsolidationResult) -> str:
    m = r.data_matrix
    if m.empty:
        return "No approved AI tool exists yet: only public information may go into AI tools until one is approved."
    conf = m.loc[m["confidential"], "tool"].tolist()
    text = (
        f"{len(m)} approved AI tool(s). Internal data may go into {int(m['internal'].sum())} of them; "
        + (f"confidential data only into {name_list(conf)}; " if conf else "confidential data into none; ")
        + "restricted data into none."
    )
    if not r.has_workflows:
        return text + " Without the workflow inventory, workflows cannot be checked against these rules."
    u = r.uncovered_workflows
    if u.empty:
        return text + " Every workflow has an approved tool of the kind it needs for its data."
    restricted = int((u[W.data_sensitivity] == "restricted").sum())
    other = len(u) - restricted
    text += f" {len(u)} workflow(s) have no approved tool they may use"
    text += f": {restricted} because their data is restricted" if restricted else ""
    text += (f"{',' if restricted else ':'} {other} because no approved tool of the kind they need is cleared for their data"
             if other else "")  # fmt: skip
    return text + "."


def method_text(r: ConsolidationResult) -> str:
    """The window and thresholds of this run, in words (for the method section)."""
    before = (pd.Timestamp(r.as_of) - pd.Timedelta(days=r.window_days)).date()
    return (
        f"A person is an active user of a tool when the usage data has a row for them and that tool dated from "
        f"{r.window_start:%d %b %Y} to {r.as_of:%d %b %Y}, both included: the {r.window_days} days ending on as_of, "
        f"window = (as_of − {r.window_days} days, as_of]. Use on {before:%d %b %Y}, exactly {r.window_days} days "
        f"before as_of, does not count. Usage after as_of is ignored. A tool is cancelled below "
        f"{r.cancel_below:.0%} of its seats in use. Downsizing keeps the peak of the last three 30-day blocks of "
        f"active users plus a {r.downsize_buffer:.0%} buffer, rounded up{_snapshot_peak_text(r)}. Adoption is "
        f"measured against {_people(r.headcount)} ({denominator_text(r)})."
    )


def _snapshot_peak_text(r: ConsolidationResult) -> str:
    """What last-activity snapshots add to the downsizing peak, and what they cannot show."""
    if not r.usage_snapshots:
        return ""
    return ("; with last-activity snapshots, a snapshot counts everyone active in its window (the part inside "
            "those blocks), and that count is a measurement of the peak too: a 30-day window is one month's "
            "active users, a longer one counts everyone active in it, at least the busiest month and possibly "
            "more. A snapshot cannot show how they spread over the months (each person's later use hides their "
            "earlier days), so the blocks before it undercount and are not used alone; no daily rows are invented")


def assumptions_view(r: ConsolidationResult) -> pd.DataFrame:
    """Each threshold of this run, its value and where it comes from: a published source, or a kit
    assumption and the setting or option that changes it."""
    rows = [
        ("Active user: use in the last N days", f"{r.window_days} days",
         "Cledara 30 days, Productiv 60, Trelica 90; setting active_window_days"),
        ("Utilization below which seats go unused", f"{UTILIZATION_FLOOR:.0%}", "Torii (utilization below 0.8)"),
        ("Cancel a tool below this utilization", f"{r.cancel_below:.0%}",
         f"{KIT_ASSUMPTION}; setting consolidation_rules.cancel_below"),
        ("Seats kept above the recent peak when downsizing", f"{r.downsize_buffer:.0%}",
         f"{KIT_ASSUMPTION}; option phases.consolidation.downsize_buffer"),
        ("Renewal decision lead time", f"{DECISION_LEAD_DAYS} days", "the 90-60-30 renewal cycle (SaaS practice)"),
        ("Monthly subscription still running", f"charged within {RUNNING_DAYS} days",
         f"{KIT_ASSUMPTION}: one missed monthly charge ends it"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Assumption", "This run", "Source"])


SENSITIVITY_LABELS = {"cancel_below": "Cancel below utilization", "downsize_buffer": "Seat buffer when downsizing"}


def sensitivity_view(r: ConsolidationResult) -> pd.DataFrame:
    """What the recommendations become when one kit assumption moves (the other held)."""
    s = r.sensitivity
    return pd.DataFrame({
        "Assumption": s["assumption"].map(SENSITIVITY_LABELS),
        "Setting": [f"{v:.0%}" + (" (this run)" if cur else "") for v, cur in zip(s["value"], s["current"], strict=True)],
        "Tools cancelled": s["cancelled"],
        "Tools consolidated": s["consolidated"],
        "Tools downsized": s["downsized"],
        f"Saving from cancelling ({r.currency} a year)": s["saving_cancel"],
        f"Total saving ({r.currency} a year)": s["total_saving"],
    })  # fmt: skip


def sensitivity_text(r: ConsolidationResult) -> str:
    """In words: how far the cancel count and the total saving move across the sensitivity table."""
    s, c = r.sensitivity, r.currency
    out = []
    for key, what, count, verb in (("cancel_below", "cancel threshold", "cancelled", "cancelled"),
                                   ("downsize_buffer", "seat buffer", "downsized", "downsized")):  # fmt: skip
        rows = s[s["assumption"] == key]
        if rows.empty:
            continue
        lo, hi = rows.iloc[0], rows.iloc[-1]
        span = f"from {lo['value']:.0%} to {hi['value']:.0%}"
        if rows["total_saving"].round(2).nunique() == 1 and rows[count].nunique() == 1:
            out.append(f"Moving the {what} {span} changes nothing: {int(lo[count])} tool(s) {verb} and "
                       f"{money(lo['total_saving'], c)} a year saved either way.")  # fmt: skip
        else:
            out.append(f"Moving the {what} {span} takes the tools {verb} from {int(lo[count])} to "
                       f"{int(hi[count])} and the total saving from {money(lo['total_saving'], c)} to "
                       f"{money(hi['total_saving'], c)} a year.")  # fmt: skip
    return " ".join(out)


# ---------------------------------------------------------------- charts

REC_COLOURS = {CANCEL: NEGATIVE, CONSOLIDATE: "#7B5EA7", DOWNSIZE: "#E07B39", KEEP: NEUTRAL}


def _rec_scale() -> alt.Scale:
    return alt.Scale(domain=list(REC_COLOURS), range=list(REC_COLOURS.values()))


def spend_chart(r: ConsolidationResult) -> alt.Chart:
    """Annual cost per paid tool, coloured by recommendation."""
    data = r.tools[r.tools["annual_cost"] > 0][[T.tool, "annual_cost", "annual_saving", "recommendation", "utilization"]]
    return (
        alt.Chart(data, title=alt.Title("Annual cost per tool and what to do with it", subtitle=f"{r.currency} per year"))
        .mark_bar()
        .encode(
            x=alt.X("annual_cost:Q", title=f"Annual cost ({r.currency})", axis=alt.Axis(format=",.0f")),
            y=alt.Y("tool:N", sort="-x", title=None),
            color=alt.Color("recommendation:N", title="Recommendation", scale=_rec_scale()),
            tooltip=[
                alt.Tooltip("tool:N", title="Tool"),
                alt.Tooltip("annual_cost:Q", title=f"Annual cost ({r.currency})", format=",.0f"),
                alt.Tooltip("utilization:Q", title="Seats in use", format=".0%"),
                alt.Tooltip("recommendation:N", title="Recommendation"),
                alt.Tooltip("annual_saving:Q", title=f"Annual saving ({r.currency})", format=",.0f"),
            ],
        )
    )


def utilization_chart(r: ConsolidationResult) -> alt.Chart:
    """Share of seats used per paid tool, with the 80% floor."""
    data = r.tools[r.tools[T.seats] > 0][[T.tool, T.seats, "active_users", "utilization", "below_floor"]].copy()
    data["status"] = np.where(data["below_floor"], f"below {UTILIZATION_FLOOR:.0%}", f"{UTILIZATION_FLOOR:.0%} or more")
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("utilization:Q", title=f"Seats in use (active users ÷ seats, last {r.window_days} days)",
                    axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, max(1.0, float(data["utilization"].max() or 1))])),
            y=alt.Y("tool:N", sort="x", title=None),
            color=alt.Color("status:N", title="Utilization",
                            scale=alt.Scale(domain=[f"below {UTILIZATION_FLOOR:.0%}", f"{UTILIZATION_FLOOR:.0%} or more"],
                                            range=[NEGATIVE, POSITIVE])),
            tooltip=[
                alt.Tooltip("tool:N", title="Tool"),
                alt.Tooltip("active_users:Q", title="Active users"),
                alt.Tooltip("seats:Q", title="Seats"),
                alt.Tooltip("utilization:Q", title="Seats in use", format=".0%"),
            ],
        )
    )  # fmt: skip
    floor = alt.Chart(pd.DataFrame({"floor": [UTILIZATION_FLOOR]})).mark_rule(strokeDash=[4, 3]).encode(x="floor:Q")
    return alt.layer(bars, floor, title=alt.Title("Seats in use per tool", subtitle="Dashed line: the 80% floor"))


def usage_dashboard_chart(r: ConsolidationResult, ai_only: bool = True) -> alt.Chart:
    """Monthly active users per tool (heatmap; aggregated, one cell per tool and month)."""
    data = r.monthly_active[r.monthly_active["is_ai"]] if ai_only else r.monthly_active
    data = data.assign(source=np.where(data["listed"], "in inventory", "not in inventory"))
    order = data.groupby("tool")["active_users"].max().sort_values(ascending=False).index.tolist()
    return (
        alt.Chart(data, title=alt.Title("Monthly active users per AI tool" if ai_only else "Monthly active users per tool",
                                        subtitle="People with any use in the calendar month"))
        .mark_rect()
        .encode(
            x=alt.X("yearmonth(month):O", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
            y=alt.Y("tool:N", sort=order, title=None),
            color=alt.Color("active_users:Q", title="Active users", scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("tool:N", title="Tool"),
                alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
                alt.Tooltip("active_users:Q", title="Active users"),
                alt.Tooltip("source:N", title="Listed"),
            ],
        )
    )  # fmt: skip


def adoption_chart(r: ConsolidationResult) -> alt.Chart:
    """Share of people active on any AI tool, per month."""
    data = r.adoption.assign(status=np.where(r.adoption["complete"], "whole month", "month in progress"))
    base = "headcount" if r.headcount_source == HEADCOUNT_GIVEN else "people seen"
    return (
        alt.Chart(data, title=alt.Title("AI adoption: share of people using any AI tool each month",
                                        subtitle=f"Out of {_people(r.headcount)} ({denominator_text(r)})"))
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("share:Q", title=f"People using AI (% of {base})", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
                alt.Tooltip("people_active:Q", title="People using AI"),
                alt.Tooltip("share:Q", title=f"Share of {base}", format=".0%"),
                alt.Tooltip("status:N", title="Period"),
            ],
        )
    )  # fmt: skip


def savings_chart(r: ConsolidationResult) -> alt.Chart:
    """Annual savings by kind of recommendation."""
    t = r.totals
    data = pd.DataFrame(
        {
            "kind": ["Cancel", "Consolidate", "Downsize"],
            "saving": [t["saving_cancel"], t["saving_consolidate"], t["saving_downsize"]],
            "tools": [int((r.tools["recommendation"] == k).sum()) for k in (CANCEL, CONSOLIDATE, DOWNSIZE)],
        }
    )
    data["label"] = data["saving"].map(lambda v: f"{r.currency} {v:,.0f}")
    share = t["total_saving"] / t["current_annual_spend"] if t["current_annual_spend"] else 0.0
    base = alt.Chart(data, title=alt.Title(
        f"Where the {r.currency} {t['total_saving']:,.0f} a year of savings come from",
        subtitle=f"{share:.0%} of the {r.currency} {t['current_annual_spend']:,.0f} spent a year on these tools",
    ))  # fmt: skip
    bars = base.mark_bar().encode(
        x=alt.X("saving:Q", title=f"Annual saving ({r.currency})", axis=alt.Axis(format=",.0f")),
        y=alt.Y("kind:N", sort=None, title=None),
        color=alt.Color("kind:N", legend=None,
                        scale=alt.Scale(domain=["Cancel", "Consolidate", "Downsize"],
                                        range=[REC_COLOURS[CANCEL], REC_COLOURS[CONSOLIDATE], REC_COLOURS[DOWNSIZE]])),
        tooltip=[alt.Tooltip("kind:N", title="Recommendation"), alt.Tooltip("tools:Q", title="Tools"),
                 alt.Tooltip("saving:Q", title=f"Annual saving ({r.currency})", format=",.0f")],
    )  # fmt: skip
    text = base.mark_text(align="left", dx=4).encode(x="saving:Q", y=alt.Y("kind:N", sort=None), text="label:N")
    return alt.layer(bars, text).properties(height=alt.Step(34))


# ---------------------------------------------------------------- views for the deliverable


def recommendations_view(r: ConsolidationResult, include_keep: bool = False) -> pd.DataFrame:
    """One row per tool with a change (every tool with `include_keep`): what to do and why,
    biggest saving first."""
    cols = {
        T.tool: "Tool",
        "recommendation": "Recommendation",
        T.seats: "Seats now",
        "target_seats": "Seats after",
        "annual_saving": f"Annual saving ({r.currency})",
        "reason": "Why",
    }
    order = {k: i for i, k in enumerate(RECOMMENDATIONS)}
    view = r.tools if include_keep else r.tools[r.tools["recommendation"] != KEEP]
    view = view.assign(_o=view["recommendation"].map(order))
    view = view.sort_values(["_o", "annual_saving", "annual_cost"], ascending=[True, False, False], kind="stable")
    return view[list(cols)].rename(columns=cols).reset_index(drop=True)


def seats_view(r: ConsolidationResult) -> pd.DataFrame:
    """Per paid tool: seats, active users, utilization and cost, lowest utilization first."""
    cols = {
        T.tool: "Tool",
        T.seats: "Seats",
        "active_users": f"Active users ({r.window_days} days)",
        "utilization": "Seats in use",
        "annual_cost": f"Annual cost ({r.currency})",
        "cost_per_active_user": f"Cost per active user ({r.currency})",
        "idle_seat_cost": f"Idle-seat cost ({r.currency})",
    }
    paid = r.tools[r.tools[T.seats] > 0].sort_values(["utilization", "idle_seat_cost"], ascending=[True, False], kind="stable")
    return paid[list(cols)].rename(columns=cols).reset_index(drop=True)


def consolidation_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        "category": "Category",
        "keep": "Keep",
        "moving": "Move people from",
        "users_moved": "People moving",
        "extra_seats": "Extra seats",
        "extra_seat_cost": f"Extra-seat cost ({r.currency})",
        "annual_saving": f"Net annual saving ({r.currency})",
    }
    view = r.consolidation.assign(category=r.consolidation["category"].astype(str).str.replace("_", " "))
    return view[list(cols)].rename(columns=cols)


def renewals_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        T.tool: "Tool",
        "next_renewal": "Renews on",
        "days_to_renewal": "Days left",
        "decide_by": "Decide by",
        "stage": "Stage (90-60-30)",
        "recommendation": "Recommendation",
        "annual_saving": f"Annual saving ({r.currency})",
        T.owner: "Owner",
    }
    return r.renewals[list(cols)].rename(columns=cols)


def shadow_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        "kind": "Finding",
        "tool": "Tool or product",
        "people": "People",
        "annual_run_rate": f"Run rate per year, live subscriptions ({r.currency})",
        "annual_spend": f"Charged, last 12 months ({r.currency})",
        "detail": "Detail",
    }
    return r.shadow[list(cols)].rename(columns=cols)


def governance_gaps_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        "kind": "Gap",
        "tool": "Tool",
        "plan": "Plan",
        "people": f"People ({r.window_days} days)",
        "annual_cost": f"Tool cost per year, already in spend ({r.currency})",
        "detail": "Detail",
    }
    return r.governance_gaps[list(cols)].rename(columns=cols)


def data_matrix_view(r: ConsolidationResult) -> pd.DataFrame:
    if r.data_matrix.empty:
        return pd.DataFrame(columns=["Approved AI tool", *[c.capitalize() for c in DATA_CLASSES]])
    view = r.data_matrix.copy()
    for c in DATA_CLASSES:
        view[c] = np.where(view[c], "allowed", "not allowed")
    view["category"] = view["category"].astype(str).str.replace("_", " ")
    names = {"tool": "Approved AI tool", "category": "Category", "plan": "Plan", **{c: c.capitalize() for c in DATA_CLASSES}}
    return view[list(names)].rename(columns=names)


def uncovered_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        W.workflow: "Workflow",
        W.department: "Department",
        W.task_type: "Task type",
        W.data_sensitivity: "Data class",
        "annual_hours": "Hours per year",
        "reason": "Why no tool may be used",
    }
    if r.uncovered_workflows.empty:
        return pd.DataFrame(columns=list(cols.values()))
    return r.uncovered_workflows[list(cols)].rename(columns=cols)


def totals_view(r: ConsolidationResult) -> pd.DataFrame:
    t = r.totals
    rows = [
        ("Current annual spend", t["current_annual_spend"]),
        ("Saving: cancel", t["saving_cancel"]),
        ("Saving: consolidate (net of extra seats)", t["saving_consolidate"]),
        ("Saving: downsize", t["saving_downsize"]),
        ("Total saving", t["total_saving"]),
        ("Annual spend after", t["spend_after"]),
    ]
    return pd.DataFrame(rows, columns=["", f"{r.currency} per year"])


def quality_notes(r: ConsolidationResult, warnings=()) -> pd.DataFrame:
    """Data-quality notes for this phase: intake warnings on its tables, plus what the analysis
    could not judge (tools with no usage rows, usage after as_of, missing renewal dates)."""
    files = ("tools", "usage", "expenses", "workflows", "engagement.yaml")
    notes = [("intake", str(w)) for w in warnings if str(getattr(w, "file", "")).startswith(files)]
    never = r.tools[(r.tools["users_ever"] == 0) & (r.tools[T.seats] > 0)]
    if len(never):
        notes.append(("usage", (f"{len(never)} tool(s) have no usage rows at all ({name_list(never[T.tool], 6)}): either "
                               "nobody ever used them or the usage export does not cover them; confirm before cancelling.")))
    if r.usage_snapshots:
        dates = ", ".join(f"{pd.Timestamp(d):%d %b %Y}" for d in r.usage_snapshots[:6])
        notes.append(("usage", (f"{r.n_snapshot_rows:,} usage row(s) come from {len(r.usage_snapshots)} last-activity "
                               f"snapshot(s) ({dates}): each shows who was active in its window and their last active "
                               "day, not daily use. The monthly trend has one point per snapshot; months with neither "
                               "a snapshot nor daily logs are not shown.")))  # fmt: skip
    if r.n_usage_after_as_of:
        notes.append(("usage", f"{r.n_usage_after_as_of:,} usage row(s) dated after as_of ({r.as_of:%d %b %Y}) are left out."))
    no_date = r.tools[r.tools["next_renewal"].isna() & (r.tools["annual_cost"] > 0)]
    if len(no_date):
        notes.append(("tools", (f"{len(no_date)} paid tool(s) have no renewal date ({name_list(no_date[T.tool], 6)}); "
                               "they cannot appear in the renewal calendar.")))
    if not r.has_expenses:
        notes.append(("expenses", "No expense lines were supplied: AI paid for on cards and expenses cannot be found."))
    if not r.has_workflows:
        notes.append(("workflows", "No workflow inventory: workflows cannot be checked against the data rules."))
    if r.headcount_source != HEADCOUNT_GIVEN:
        notes.append(("engagement.yaml", (f"No headcount_by_department: adoption is measured against the "
                                         f"{r.headcount:,} people seen in {_seen_in(r)}, which overstates it if some "
                                         "staff appear in none of them.")))
    elif r.people_seen > r.headcount:
        notes.append(("engagement.yaml", (f"The usage data names {r.people_seen:,} people, more than the headcount of "
                                         f"{r.headcount:,}: check headcount_by_department.")))
    return pd.DataFrame(notes, columns=["Source", "Note"])


def task_categories_view() -> pd.DataFrame:
    """The documented mapping of task types to the tool categories they need."""
    rows = [(t.replace("_", " "), ", ".join(c.replace("_", " ") for c in cats) or "none (no AI tool needed)")
            for t, cats in TASK_TOOL_CATEGORIES.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["Task type", "Tool categories that can do it"])


def window_choices(r: ConsolidationResult) -> list[int]:
    """Windows offered by the live controls: 30, 60 and 90 days, plus this run's own."""
    return sorted({30, 60, 90, r.window_days})


def explorer(model):
    """A view for the live controls: the savings at another window or buffer, in words and as a
    chart. A change goes through the model's consolidation options, so only the consolidation
    node is recomputed (the headcount and every other input are reused); back at the starting
    settings the model's options are restored as they were (e.g. 0, the engagement's window)."""
    start = model.options("consolidation")
    first = model.result("consolidation")

    def view(window_days: int = first.window_days, downsize_buffer: float = first.downsize_buffer) -> list:
        from kit import notebook as nb

        buffer = round(float(downsize_buffer), 6)  # a slider's 0.15000000000000002
        same = window_days == first.window_days and math.isclose(buffer, first.downsize_buffer)
        changes = start.model_dump() if same else {"active_window_days": int(window_days), "downsize_buffer": buffer}
        model.set_options("consolidation", **changes)
        r = model.result("consolidation")
        t = r.totals
        line = (
            f"With a {r.window_days}-day window and a {r.downsize_buffer:.0%} buffer: saving {money(t['total_saving'], r.currency)} "
            f"a year (cancel {money(t['saving_cancel'], r.currency)}, consolidate {money(t['saving_consolidate'], r.currency)}, "
            f"downsize {money(t['saving_downsize'], r.currency)})."
        )
        return [nb.say(line, label=""), savings_chart(r)]

    return view

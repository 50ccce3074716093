"""What the ROI-ranking report shows: narrative text, tables (`*_view`), charts and live controls,
built from `kit.phases.roi.analysis`'s result."""

from __future__ import annotations

import functools

import altair as alt
import numpy as np
import pandas as pd

from kit import charts
from kit.estimates import AI, BORROWED, MEASURED, PARTIAL, PRIOR, SOURCES
from kit.evidence import TASK_PRIORS
from kit.phases.roi.analysis import (
    LABEL_LIMIT,
    RANKING_BASIS,
    SOURCE_COLOURS,
    SOURCE_SHORT,
    RoiResult,
    W,
    analyze_engagement,
)

# ---------------------------------------------------------------- narrative (plain text)


def _money(x: float, currency: str) -> str:
    sign = "−" if x < 0 else ""
    return f"{sign}{currency} {abs(x):,.0f}"


def _pct_range(low: float, high: float) -> str:
    return f"{low:.0%} to {high:.0%}"


def _names(rows: pd.DataFrame) -> str:
    names = list(rows[W.workflow])
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def ranking_sentence(ranking: str) -> str:
    """The sentence saying what `ranking` ("conservative" or "point") ranks the workflows by."""
    return f"Workflows are ranked by {RANKING_BASIS[ranking]}."


def summary_text(r: RoiResult) -> str:
    if r.n_workflows == 0:
        return "There are no workflows to rank."
    level = f"{r.confidence_level:.0%}"
    if r.start_here.empty:
        return (
            f"None of the {r.n_workflows} workflows clears the bar: none both saves time and pays back its AI seats "
            f"and enablement within {r.horizon_months} months with a tool approved for its data. Collect time studies "
            "and settle the approved tools before rolling out."
        )
    s = r.start_here
    text = (
        f"Start with {_names(s)}. {'Together they free' if len(s) > 1 else 'It frees'} capacity worth {_money(r.start_here_net_value, r.currency)} "
        f"at loaded hourly cost over {r.horizon_months} months after AI seats and enablement ({level} interval "
        f"{_money(r.start_here_net_value_low, r.currency)} to {_money(r.start_here_net_value_high, r.currency)}, "
        f"allowing for {r.interval_covers}), giving back about "
        f"{r.start_here_hours_saved:,.0f} hours a year at {r.adoption_rate:.0%} adoption. This is time freed for "
        f"other work, not cash saved, unless hiring or overtime changes. {ranking_sentence(r.ranking_basis)}"
    )
    prior = s[s["prior_only"]]
    if len(prior):
        verb = "rests" if len(prior) == 1 else "rest"
        text += f" {_names(prior)} {verb} only on published studies: time a few runs before committing."
    return text


def estimates_text(r: RoiResult) -> str:
    if r.n_workflows == 0:
        return "There are no workflows to estimate."
    rk = r.ranking
    counts = [
        (r.n_measured, "were timed often enough to measure the saving directly"),
        (r.n_partial, "have a few timed runs of their own, weighed together with their task type's estimate"),
        (r.n_borrowed, "borrow the estimate for their task type from the client's other time studies"),
        (r.n_prior, "rest only on published studies of similar tasks"),
    ]
    said = [f"{n} {what}" for n, what in counts if n]
    listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    parts = [f"Of the {r.n_workflows} workflows, {listed}."]
    measured = rk[rk["source"] == MEASURED]
    if len(measured):
        parts.append(
            f"Where measured, AI cut hands-on time by a median of {measured['saving'].median():.0%} "
            f"(from {measured['saving'].min():.0%} to {measured['saving'].max():.0%})."
        )
    slower = rk[(rk["saving_high"] < 0) & rk["source"].isin([MEASURED, PARTIAL])]
    if len(slower):
        parts.append(f"On {_names(slower)} AI clearly made the work slower; it is not recommended there.")
    unclear = rk[(rk["saving"] <= 0) & (rk["saving_high"] >= 0) & rk["source"].isin([MEASURED, PARTIAL])]
    if len(unclear):
        parts.append(
            f"{len(unclear)} more showed no clear saving (for example {unclear[W.workflow].iloc[0]}); "
            "AI is not recommended there either."
        )
    return " ".join(parts)


def start_here_text(r: RoiResult) -> str:
    if r.start_here.empty:
        return "No workflow is recommended yet; the notes in the ranking say why for each."
    lines = []
    for _, p in r.start_here.iterrows():
        payback = (
            f"pays back in about {p['payback_months']:.1f} months"
            if np.isfinite(p["payback_months"]) else "does not pay back"
        )  # fmt: skip
        source = {
            MEASURED: f"measured on {p['n_without_ai'] + p['n_with_ai']} timed runs",
            PARTIAL: f"{p['n_without_ai'] + p['n_with_ai']} timed runs of its own, weighed with similar tasks",
            BORROWED: "estimated from the client's time studies of similar tasks",
            PRIOR: "only a published estimate: time it first",
        }[p["source"]]
        lines.append(
            f"**{p['rank']}. {p[W.workflow]}** ({p[W.department]}): AI saves {p['saving']:.0%} of the time "
            f"({_pct_range(p['saving_low'], p['saving_high'])}; {source}); net value "
            f"{_money(p['net_value'], r.currency)} over {r.horizon_months} months; {payback}."
        )
    skipped = r.ranking[r.ranking["note"].str.startswith("skipped")]
    for _, s in skipped.iterrows():
        why = (
            "restricted data may go into no AI tool" if s[W.data_sensitivity] == "restricted"
            else f"no approved AI tool may hold its {s[W.data_sensitivity]} data yet"
        )  # fmt: skip
        lines.append(
            f"Ranked {s['rank']} but skipped: **{s[W.workflow]}** ({_money(s['net_value'], r.currency)} net) — {why}."
        )
    return "\n\n".join(lines)


def sensitivity_text(r: RoiResult) -> str:
    if r.sensitivity.empty:
        return "There are no picks to test."
    biggest = r.sensitivity.loc[r.sensitivity.groupby(W.workflow_id)["swing"].idxmax()]
    factor = biggest["factor"].mode().iloc[0]
    robust = r.sensitivity.groupby(W.workflow)[["net_value_at_low", "net_value_at_high"]].min().min(axis=1)
    holds = robust[robust > 0].index.tolist()
    text = f"What moves the answer most is the {factor}. "
    if len(holds) == len(robust):
        text += "Every pick stays worth doing at the low end of each factor."
    elif len(holds) == 1:
        text += f"Only {holds[0]} stays worth doing at the low end of every factor; check the others' assumptions."
    elif holds:
        text += f"Only {', '.join(holds)} stay worth doing at the low end of every factor; check the others' assumptions."
    else:
        text += "No pick stays worth doing at the low end of every factor: confirm the assumptions before committing."
    return text


def warnings_text(r: RoiResult) -> str:
    if not r.warnings:
        return "Every workflow was timed often enough in both arms; nothing needs attention."
    return (
        f"{len(r.warnings)} data-quality note(s). None stops the ranking; each says which estimate was used "
        "instead. More time studies for these workflows would narrow their intervals."
    )


# ---------------------------------------------------------------- charts


def _label(df: pd.DataFrame) -> pd.Series:
    star = np.where(df["recommended"], "★ ", "")
    return star + df["rank"].astype(str) + ". " + df[W.workflow]


def _source_scale() -> alt.Scale:
    return alt.Scale(domain=list(SOURCES), range=[SOURCE_COLOURS[s] for s in SOURCES])


def net_value_chart(r: RoiResult, top: int = 15) -> alt.Chart:
    """Ranked net value over the horizon, with the interval as a bar, coloured by estimate source."""
    d = r.ranking.head(top).assign(label=lambda x: _label(x))
    d = d[["label", "net_value", "net_value_low", "net_value_high", "source", W.department, "rank"]]
    order = list(d["label"])
    x_title = f"Net value over {r.horizon_months} months ({r.currency})"
    base = alt.Chart(d).encode(y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    tooltip = [
        alt.Tooltip("label:N", title="Workflow"),
        alt.Tooltip("net_value:Q", title="Net value", format=",.0f"),
        alt.Tooltip("net_value_low:Q", title="Low end", format=",.0f"),
        alt.Tooltip("net_value_high:Q", title="High end", format=",.0f"),
        alt.Tooltip("source:N", title="Estimate from"),
    ]
    colour = alt.Color("source:N", title="Saving estimate", scale=_source_scale())
    bars = base.mark_rule(strokeWidth=3, opacity=0.6).encode(
        x=alt.X("net_value_low:Q", title=x_title), x2="net_value_high:Q", color=colour, tooltip=tooltip
    )
    points = base.mark_point(filled=True, size=90).encode(x="net_value:Q", color=colour, tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=charts.MUTED_TEXT, strokeDash=[4, 3]).encode(x="x:Q")
    title = alt.TitleParams(
        f"Top {len(d)} workflows by net value, with {r.confidence_level:.0%} intervals",
        subtitle="★ = start here. Dot: central estimate; bar: range. Grey bars rest only on published studies.",
    )
    return alt.layer(bars, points, zero, title=title)


def saving_chart(r: RoiResult, top: int = 20) -> alt.Chart:
    """Share of time saved per workflow with its interval, coloured by estimate source."""
    d = r.ranking.head(top).assign(label=lambda x: _label(x))
    d = d[["label", "saving", "saving_low", "saving_high", "source", "n_without_ai", "n_with_ai"]]
    order = list(d["label"])
    base = alt.Chart(d).encode(y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    colour = alt.Color("source:N", title="Saving estimate", scale=_source_scale())
    tooltip = [
        alt.Tooltip("label:N", title="Workflow"),
        alt.Tooltip("saving:Q", title="Time saved", format=".0%"),
        alt.Tooltip("saving_low:Q", title="Low end", format=".0%"),
        alt.Tooltip("saving_high:Q", title="High end", format=".0%"),
        alt.Tooltip("n_without_ai:Q", title="Runs timed without AI"),
        alt.Tooltip("n_with_ai:Q", title="Runs timed with AI"),
    ]
    bars = base.mark_rule(strokeWidth=3, opacity=0.6).encode(
        x=alt.X("saving_low:Q", title="Share of hands-on time AI saves", axis=alt.Axis(format="%")),
        x2="saving_high:Q",
        color=colour,
        tooltip=tooltip,
    )
    points = base.mark_point(filled=True, size=90).encode(x="saving:Q", color=colour, tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=charts.MUTED_TEXT, strokeDash=[4, 3]).encode(x="x:Q")
    title = alt.TitleParams(
        f"Time AI saves per workflow, with {r.confidence_level:.0%} intervals (same order as the ranking)",
        subtitle="Left of the dashed line AI made the work slower.",
    )
    return alt.layer(bars, points, zero, title=title)


def value_certainty_chart(r: RoiResult) -> alt.Chart:
    """Each workflow's central net value against the width of its interval (how sure we are)."""
    d = r.ranking.assign(
        uncertainty=lambda x: x["net_value_high"] - x["net_value_low"],
        label=lambda x: np.where(x["recommended"], x[W.workflow], ""),
    )[[W.workflow, "label", "net_value", "uncertainty", "source", "rank"]]
    colour = alt.Color("source:N", title="Saving estimate", scale=_source_scale())
    base = alt.Chart(d).encode(
        x=alt.X("uncertainty:Q", title=f"Width of the {r.confidence_level:.0%} interval ({r.currency}): less is surer"),
        y=alt.Y("net_value:Q", title=f"Net value over {r.horizon_months} months ({r.currency})"),
    )
    points = base.mark_point(filled=True, size=80, opacity=0.85).encode(
        color=colour,
        tooltip=[
            alt.Tooltip(f"{W.workflow}:N", title="Workflow"),
            alt.Tooltip("rank:Q", title="Rank"),
            alt.Tooltip("net_value:Q", title="Net value", format=",.0f"),
            alt.Tooltip("uncertainty:Q", title="Interval width", format=",.0f"),
        ],
    )
    labels = base.mark_text(align="left", dx=8, fontWeight=600).encode(text="label:N")
    title = alt.TitleParams(
        "Value against certainty",
        subtitle="Top left: worth a lot and well known. Labelled: the start-here picks.",
    )
    return alt.layer(points, labels, title=title)


def sensitivity_chart(r: RoiResult) -> alt.Chart:
    """For each pick, net value when one factor moves to its low or high setting (a tornado)."""
    d = r.sensitivity.assign(label=lambda x: x["rank"].astype(str) + ". " + x[W.workflow])
    d = d.assign(
        factor_range=lambda x: x["factor"] + " (" + x["low_setting"] + " to " + x["high_setting"] + ")",
    )[["label", "factor", "factor_range", "net_value_at_low", "net_value_at_high", "net_value"]]
    x_title = f"Net value over {r.horizon_months} months ({r.currency})"
    bars = (
        alt.Chart()
        .mark_bar(height=14)
        .encode(
            x=alt.X("net_value_at_low:Q", title=x_title),
            x2="net_value_at_high:Q",
            y=alt.Y("factor_range:N", title=None, sort=None),
            color=alt.Color("factor:N", title="Factor moved", legend=alt.Legend(orient="bottom"),
                            scale=charts.category_scale(["time saved", "adoption rate", "hourly cost"])),
            tooltip=[
                alt.Tooltip("label:N", title="Workflow"),
                alt.Tooltip("factor_range:N", title="Factor"),
                alt.Tooltip("net_value_at_low:Q", title="At the low setting", format=",.0f"),
                alt.Tooltip("net_value_at_high:Q", title="At the high setting", format=",.0f"),
            ],
        )
    )
    centre = alt.Chart().mark_tick(color=charts.TEXT, thickness=2, size=20).encode(x="net_value:Q", y=alt.Y("factor_range:N", sort=None))
    return (
        alt.layer(bars, centre, data=d)
        .properties(width=charts.FACET_WIDTH)
        .facet(row=alt.Row("label:N", title=None, header=alt.Header(
            labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top", labelFontWeight=600,
        )))
        .resolve_scale(y="independent")
        .properties(autosize=charts.PAD, title=alt.TitleParams(
            "What if? Net value of each pick as one assumption changes",
            subtitle="Bar: from the low to the high setting; tick: the central estimate.",
        ))
    )  # fmt: skip


def residuals_chart(r: RoiResult) -> alt.Chart:
    """Diagnostics: distribution of the pooled model's residuals (log minutes), by arm, as the
    share of each arm's runs per bin."""
    d = r.residual_bins.assign(mid=lambda x: (x["bin_start"] + x["bin_end"]) / 2)
    title = alt.TitleParams(
        "Model check: residuals of the pooled regression",
        subtitle="Roughly symmetric around 0 and alike in both arms is what the method assumes.",
    )
    return (
        alt.Chart(d, title=title)
        .mark_line(interpolate="step", strokeWidth=2.5)
        .encode(
            x=alt.X("mid:Q", title="Residual (log minutes; 0.1 ≈ 10% longer than the model predicts)"),
            y=alt.Y("share:Q", title="Share of the arm's timed runs", axis=alt.Axis(format="%")),
            color=alt.Color("arm:N", title="Arm", scale=charts.category_scale(["without AI", "with AI"])),
            tooltip=[
                alt.Tooltip("arm:N", title="Arm"),
                alt.Tooltip("bin_start:Q", title="From", format=".2f"),
                alt.Tooltip("bin_end:Q", title="To", format=".2f"),
                alt.Tooltip("runs:Q", title="Runs"),
                alt.Tooltip("share:Q", title="Share of arm", format=".1%"),
            ],
        )
    )


# ---------------------------------------------------------------- views for the deliverable


def _range_money(low: float, high: float) -> str:
    if pd.isna(low) or pd.isna(high):
        return "not valued"
    return f"{low:,.0f} to {high:,.0f}"


def _months(m: float, horizon: int) -> str:
    if pd.isna(m):
        return "not valued"
    if not np.isfinite(m):
        return "never"
    return f"{m:.1f}" if m <= 10 * horizon else f"> {10 * horizon}"


def _saving_range(s: float, low: float, high: float) -> str:
    return f"{s:.0%} ({low:.0%} to {high:.0%})"


def _star(df: pd.DataFrame) -> pd.Series:
    return pd.Series(np.where(df["recommended"], "★ ", ""), index=df.index) + df[W.workflow]


def ranking_view(r: RoiResult, top: int | None = None) -> pd.DataFrame:
    """The ranked workflows with readable columns (★ marks the picks); money in the engagement's currency."""
    d = r.ranking if top is None else r.ranking.head(top)
    cur = r.currency
    return pd.DataFrame({
        "Rank": d["rank"],
        "Workflow": _star(d),
        f"Time saved ({r.confidence_level:.0%} interval)": [
            _saving_range(*v) for v in zip(d["saving"], d["saving_low"], d["saving_high"], strict=True)
        ],
        "Estimate from": d["source"].map(SOURCE_SHORT),
        "Own runs alone": [f"{x:.0%}" if pd.notna(x) else "" for x in d["own_saving"]],
        "Runs timed (without / with AI)": d["n_without_ai"].astype(str) + " / " + d["n_with_ai"].astype(str),
        "Hours saved per year": d["annual_hours_saved"],
        f"Net value, {r.horizon_months} months ({cur})": d["net_value"],
        "Range": [_range_money(lo, hi) for lo, hi in zip(d["net_value_low"], d["net_value_high"], strict=True)],
        "ROI": d["roi"],
        "Payback (months)": [_months(m, r.horizon_months) for m in d["payback_months"]],
        "Note": d["note"],
    })  # fmt: skip


def start_here_view(r: RoiResult) -> pd.DataFrame:
    d = r.start_here
    cur = r.currency
    return pd.DataFrame({
        "Rank": d["rank"],
        "Workflow": d[W.workflow],
        "Owner": d[W.owner_role] + " (" + d[W.department] + ")",
        "Time saved": [_saving_range(*v) for v in zip(d["saving"], d["saving_low"], d["saving_high"], strict=True)],
        "Estimate from": d["source"].map(SOURCE_SHORT),
        "Hours saved per year": d["annual_hours_saved"],
        f"Cost ({cur})": d["cost"],
        f"Net value ({cur})": d["net_value"],
        f"Cautious net value ({cur})": d["net_value_low"],
        "Payback (months)": [_months(m, r.horizon_months) for m in d["payback_months"]],
    })  # fmt: skip


def task_type_view(r: RoiResult) -> pd.DataFrame:
    t = r.task_types
    published = [
        _saving_range(TASK_PRIORS[x].saving, TASK_PRIORS[x].low, TASK_PRIORS[x].high) for x in t[W.task_type]
    ]
    return pd.DataFrame({
        "Task type": t[W.task_type].str.replace("_", " "),
        "Estimate from": t["source"],
        "Workflows timed": t["workflows_timed"],
        "Runs timed (without / with AI)": t["n_without_ai"].astype(int).astype(str) + " / " + t["n_with_ai"].astype(int).astype(str),
        f"Time saved, a new workflow ({r.confidence_level:.0%} prediction interval)": [
            _saving_range(*v) for v in zip(t["saving"], t["saving_low"], t["saving_high"], strict=True)
        ],
        "Published prior (its fixed range)": published,
    })  # fmt: skip


def checks_view(r: RoiResult) -> pd.DataFrame:
    """Per measured workflow: the largest studentized residual, the robust (Huber) saving where a
    run is flagged, the spread test and the mean-based (smearing) saving where the arms differ."""
    c = r.checks.merge(r.ranking[[W.workflow_id, "own_saving"]], on=W.workflow_id, how="left")
    return pd.DataFrame({
        "Workflow": c[W.workflow_id],
        "Saving, regression": c["own_saving"],
        "Largest |studentized residual|": c["max_abs_studentized"],
        "Saving, robust fit (Huber)": c["saving_robust"],
        "Spread test p (Brown–Forsythe)": c["spread_p"],
        "Saving in mean time (smearing)": c["saving_mean_based"],
    })  # fmt: skip


def regression_view(r: RoiResult, ai_terms_only: bool = True, model: str | None = None) -> pd.DataFrame:
    """Coefficient table for analysts (HC3 standard errors, t-based intervals at the chosen
    level); `model` keeps one model ("pooled" or a workflow_id)."""
    g = r.regressions
    if model is not None:
        g = g[g["model"] == model]
    if ai_terms_only and len(g):
        g = g[g["term"].str.contains(AI + r"$|complexity", regex=True)]
    level = f"{r.confidence_level:.0%}"
    return g.rename(columns={
        "model": "Model", "term": "Term", "coef": "Coefficient", "std_err": "Std. error (HC3)",
        "t": "t", "p_value": "p", "ci_low": f"{level} low", "ci_high": f"{level} high",
        "df_resid": "Residual df", "n": "Runs",
    }).reset_index(drop=True)  # fmt: skip


def diagnostics_view(r: RoiResult) -> pd.DataFrame:
    return r.diagnostics.rename(columns={
        "model": "Model", "n": "Runs", "n_without_ai": "Without AI", "n_with_ai": "With AI",
        "r_squared": "R²", "residual_sd": "Residual SD (log min)", "max_leverage": "Max leverage",
        "complexity_used": "Complexity in model", "cov_type": "Std. errors",
    })  # fmt: skip


def sensitivity_view(r: RoiResult) -> pd.DataFrame:
    s = r.sensitivity
    return pd.DataFrame({
        "Workflow": s[W.workflow],
        "Factor": s["factor"],
        "Low setting": s["low_setting"],
        "High setting": s["high_setting"],
        f"Net value at low ({r.currency})": s["net_value_at_low"],
        f"Net value at high ({r.currency})": s["net_value_at_high"],
    })  # fmt: skip


def warnings_view(r: RoiResult) -> pd.DataFrame:
    return pd.DataFrame({"Data-quality note": r.warnings})


def method_text(r: RoiResult) -> str:
    level = f"{r.confidence_level:.0%}"
    return (
        f"Each workflow's own runs: with at least {r.min_runs_per_arm} timed runs in each arm, a regression of the "
        "logarithm of minutes on whether AI was used (and the observer's complexity rating, on the runs that have "
        "one) gives the effect of AI as a share of time; saving = 1 − exp(effect), with heteroskedasticity-robust "
        "HC3 standard errors. Where the two arms were timed by different mixes of people, the effect is estimated "
        "within person. Fewer runs still count, with a standard error from the residual spread of the measured "
        "workflows.\n\n"
        "Weighing the evidence (empirical Bayes): each workflow's own estimate is pulled toward the mean of its "
        "task type, more so the noisier it is; the task type's mean is itself pulled toward the published prior "
        "for that kind of task, whose range sets how far it may move. How much workflows of one task type differ "
        f"(τ = {r.tau:.2f} in log minutes) is estimated from the client's data by restricted maximum likelihood. "
        f"The {level} intervals are robust empirical-Bayes intervals (Armstrong, Kolesár & Plagborg-Møller 2022): "
        "they hold on average across workflows whatever the shape of the differences between them.\n\n"
        "A workflow without usable runs of its own borrows its task type's mean with a prediction interval for a "
        "new workflow of that type (it adds the spread between workflows to the uncertainty of the mean; Higgins, "
        "Thompson & Spiegelhalter 2009; IntHout et al. 2016). A task type the client never timed gets the "
        f"published prior, its range read as a 90% range and widened by the same spread, so every interval in "
        f"the tables is a {level} interval.\n\n"
        "Ranking: by the net value at the shrunk estimate. Ranking by each workflow's own estimate, or by the low "
        "end of its own interval, picks lucky samples: in the kit's simulation study their reported value "
        "overstated the truth (docs/methods.md). Shrinking first is what protects a selected top three (Gelman, "
        "Hill & Yajima 2012).\n\n"
        f"The picks' total carries a {level} interval from Monte Carlo draws allowing for {r.interval_covers}; "
        "the draws share one adoption rate and one hourly cost across the picks. Net value is capacity freed at "
        "loaded hourly cost, not cash."
    )


# ---------------------------------------------------------------- live controls


def explorer(model):
    """A view for the live controls: the picks, the ranked chart, the start-here table and the picks' notes under
    what-if settings. The savings come from `model` (fitted once); moving a slider only re-values
    (another interval level redoes the shrinkage from the same fits, which is cheap)."""
    eng = model.eng
    estimates = model["workflow_savings"]
    fits = estimates.fits

    @functools.lru_cache(maxsize=64)
    def result(adoption_rate, hourly_cost, horizon_months, confidence_level, ranking, top_n) -> RoiResult:
        return analyze_engagement(
            eng,
            adoption_rate=adoption_rate,
            hourly_cost=hourly_cost or None,
            horizon_months=horizon_months,
            confidence_level=confidence_level,
            ranking=ranking,
            top_n=top_n,
            fits=fits,
            estimates=estimates,
        )

    def view(
        adoption_rate: float = eng.settings.adoption_rate,
        hourly_cost: float = 0.0,
        horizon_months: int = eng.settings.horizon_months,
        confidence_level: float = eng.settings.confidence_level,
        ranking: str = "conservative",
        top_n: int = 3,
    ) -> list:
        from kit import notebook as nb

        r = result(float(adoption_rate), float(hourly_cost), int(horizon_months), float(confidence_level), ranking, int(top_n))
        return [
            nb.say(summary_text(r)), net_value_chart(r), nb.table(start_here_view(r), formats={"Time saved": "percent"}),
            nb.say(start_here_text(r), label="The picks"),
        ]

    return view

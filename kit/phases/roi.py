"""Phase 2 (Foundation): ROI ranking — which two or three workflows to start with.

Method (stated in the deliverable; details and the simulation study in docs/methods.md):
- Each workflow's time saving comes from `kit.estimates.estimate_savings`, the single source of a
  workflow's saving: its own regression (OLS of log minutes on AI, HC3) shrunk toward its task
  type's mean, which is itself shrunk toward the published prior (empirical Bayes, τ² by REML),
  with robust empirical-Bayes intervals; a workflow without usable runs borrows its task type's
  mean with a prediction interval for a new workflow; an untimed task type gets the prior.
- Hours saved per year = runs per month × 12 × minutes per run ÷ 60 × saving × adoption rate;
  value at the owner role's hourly cost, counted over the horizon: capacity freed at loaded cost,
  not cash. Cost = AI seats (seat cost per month × seats × horizon months) + one-time enablement.
  One seat serves all of a person's workflows: a role needs as many seats as the largest group
  doing one of its workflows, shared among the role's workflows in proportion to their hours.
  Net value = value − cost; ROI = net value ÷ cost; payback months = enablement ÷ (monthly value
  − monthly seat cost). Each carries the saving's interval through.
- A workflow on restricted data is not valued: no AI tool may hold it, so it gets no seats, no
  cost and no value (NaN, ranked last), and its note says why.
- Workflows are ranked by the shrunk estimate's net value ("conservative", the default: shrinkage
  is what protects a selected top three from the winner's curse, Gelman, Hill & Yajima 2012) or,
  for comparison, by each workflow's own unshrunk estimate ("point"). "Start here" takes the top N
  that save time, pay back within the horizon, and whose data class an approved tool may hold.
- The picks' total net value carries a Monte Carlo interval: draws of each pick's effect and of
  the declared adoption, minutes-per-run and hourly-cost uncertainty (settings.value_uncertainty).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
from scipy import stats

from kit import charts
from kit.estimates import (
    AI,
    BORROWED,
    MEASURED,
    PARTIAL,
    PRIOR,
    SOURCE_LABELS,
    SOURCES,
    STATUS_NOTES,
    SavingEstimates,
    SavingFits,
    estimate_savings,
    fit_savings,
)
from kit.evidence import TASK_PRIORS
from kit.governance import covered_classes
from kit.intake.schemas import DATA_CLASSES, TimeStudies, Workflows
from kit.settings import EngagementSettings

W = Workflows  # column names come from the schema models
T = TimeStudies
MONTHS_PER_YEAR = 12
SOURCE_COLOURS = {MEASURED: charts.PRIMARY, PARTIAL: charts.PALETTE[1], BORROWED: charts.PALETTE[2], PRIOR: charts.NEUTRAL}
SOURCE_SHORT = {MEASURED: "measured", PARTIAL: "partially pooled", BORROWED: "borrowed from task type", PRIOR: "published prior"}
RANKINGS = ("conservative", "point")
#: What each `ranking` option ranks by, in the deliverable's words (`ranking_sentence`).
RANKING_BASIS = {
    "conservative": (
        "net value at each workflow's saving weighed against its task type: a saving measured on few or noisy runs is "
        "pulled toward what similar workflows show (the shrunk, partially pooled estimate), so a lucky handful of "
        "timed runs cannot carry a pick"
    ),
    "point": (
        "net value at each workflow's own measured saving, not weighed against similar workflows (the task type's or "
        "the published estimate where it has no runs of its own); for comparison only, as a lucky handful of timed "
        "runs can carry a pick"
    ),
}
#: The live dropdown's choices: (label, option value).
RANKING_CHOICES = (("Weighed against its task type (default)", "conservative"), ("Own runs only, for comparison", "point"))
NOT_VALUED = "not valued: restricted data may go into no AI tool"
LABEL_LIMIT = 300  # px for workflow names on chart axes
__all__ = ["SOURCE_LABELS", "SavingFits", "fit_savings"]  # re-exported for the analysts' notebooks


# ---------------------------------------------------------------- valuation and ranking


@dataclass(frozen=True)
class RoiResult:
    ranking: pd.DataFrame  # one row per workflow, ranked (see `analyze`)
    start_here: pd.DataFrame  # the recommended rows of `ranking`, in rank order
    regressions: pd.DataFrame  # every coefficient of every model, with its interval
    diagnostics: pd.DataFrame  # one row per model: n, R², residual SD, max leverage, SE type
    task_types: pd.DataFrame  # per task type: the mean a new workflow borrows, with its prediction interval
    checks: pd.DataFrame  # per measured workflow: outliers, robust (Huber) and mean-based (smearing) savings
    sensitivity: pd.DataFrame  # start-here picks: net value at low/high settings of 3 factors
    residual_bins: pd.DataFrame  # pooled-model residuals binned by arm (diagnostics chart)
    warnings: list[str]  # plain-text data-quality messages, e.g. "W12: runs in one arm only ..."
    n_workflows: int
    n_measured: int
    n_partial: int
    n_borrowed: int
    n_prior: int
    tau: float  # between-workflow SD of log-minutes effects within a task type
    start_here_net_value: float
    start_here_net_value_low: float  # Monte Carlo interval at confidence_level (see interval_covers)
    start_here_net_value_high: float
    start_here_hours_saved: float
    start_here_hours_saved_low: float
    start_here_hours_saved_high: float
    interval_covers: str  # what the picks' Monte Carlo interval allows for, in words
    total_net_value_positive: float  # sum of point net value over workflows where it is > 0
    adoption_rate: float
    hourly_cost: float | None  # None: each owner role's own cost
    horizon_months: int
    confidence_level: float
    ranking_basis: str  # "conservative" (shrunk estimate) or "point" (each workflow's own estimate)
    top_n: int
    min_runs_per_arm: int
    currency: str
    tools_known: bool  # False: no tool inventory, data classes judged by the default tiering


def _check(name: str, value, ok: bool, expect: str) -> None:
    if not ok:
        raise ValueError(f"{name} must be {expect}, got {value!r}")


def _payback(enablement: float, monthly_gain: pd.Series) -> pd.Series:
    """Months until the one-time enablement is earned back; inf when the monthly gain is ≤ 0."""
    gain = monthly_gain.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        months = np.where(gain > 0, enablement / np.where(gain > 0, gain, 1), np.inf)
    return pd.Series(months, index=monthly_gain.index)


def _shared_seats(role: pd.Series, people: pd.Series, hours: pd.Series) -> pd.Series:
    """Seats attributed to each workflow. One seat serves all of a person's workflows, so a role
    needs as many seats as the largest group doing any one of its workflows; those seats are
    shared among the role's workflows in proportion to their hours (equally when all are zero)."""
    key = role.str.strip().str.lower()
    role_seats = people.groupby(key).transform("max")
    role_hours = hours.groupby(key).transform("sum")
    count = hours.groupby(key).transform("size")
    share = np.where(role_hours > 0, hours / role_hours.where(role_hours > 0, 1), 1 / count)
    return (role_seats * share).astype(float)


def _value(inv: pd.DataFrame, settings: EngagementSettings, adoption: float, horizon: int) -> pd.DataFrame:
    people = inv[W.people_involved] if W.people_involved in inv.columns else pd.Series(1, index=inv.index)
    people = pd.to_numeric(people, errors="coerce").fillna(1).astype(float)
    inv["annual_hours"] = inv[W.runs_per_month] * MONTHS_PER_YEAR * inv[W.minutes_per_run] / 60
    valued = inv[W.data_sensitivity] != "restricted"  # no AI tool may hold restricted data: no seats for it
    inv["seats"] = 0.0
    inv.loc[valued, "seats"] = _shared_seats(inv.loc[valued, W.owner_role], people[valued], inv.loc[valued, "annual_hours"])
    people = inv["seats"]
    inv["seat_cost"] = settings.seat_cost_per_month * people * horizon
    inv["enablement_cost"] = float(settings.enablement_cost_per_workflow)
    inv["cost"] = inv["seat_cost"] + inv["enablement_cost"]
    monthly_seats = settings.seat_cost_per_month * people
    for suffix in ("", "_low", "_high"):
        inv[f"annual_hours_saved{suffix}"] = inv["annual_hours"] * inv[f"saving{suffix}"] * adoption
        inv[f"annual_value{suffix}"] = inv[f"annual_hours_saved{suffix}"] * inv["hourly_cost"]
        inv[f"horizon_value{suffix}"] = inv[f"annual_value{suffix}"] * horizon / MONTHS_PER_YEAR
        inv[f"net_value{suffix}"] = inv[f"horizon_value{suffix}"] - inv["cost"]
        with np.errstate(divide="ignore", invalid="ignore"):
            inv[f"roi{suffix}"] = np.where(inv["cost"] > 0, inv[f"net_value{suffix}"] / inv["cost"].where(inv["cost"] > 0, 1), np.nan)
    own = inv["own_saving"].where(inv["own_saving"].notna(), inv["saving"]) if "own_saving" in inv else inv["saving"]
    inv["net_value_own"] = inv["annual_hours"] * own * adoption * inv["hourly_cost"] * horizon / MONTHS_PER_YEAR - inv["cost"]
    # The shortest payback comes from the largest saving, so the ends swap.
    for suffix, saving_end in (("", ""), ("_low", "_high"), ("_high", "_low")):
        gain = inv[f"annual_value{saving_end}"] / MONTHS_PER_YEAR - monthly_seats
        inv[f"payback_months{suffix}"] = _payback(float(settings.enablement_cost_per_workflow), gain)
    money_columns = [c for c in inv.columns if c.startswith(("annual_hours_saved", "annual_value", "horizon_value",
                                                              "net_value", "roi", "payback_months"))]  # fmt: skip
    inv.loc[~valued, [*money_columns, "seat_cost", "enablement_cost", "cost"]] = np.nan
    return inv


def _notes(inv: pd.DataFrame, covered: set[str], tools_known: bool, horizon: int) -> pd.Series:
    notes = []
    for _, r in inv.iterrows():
        parts = [STATUS_NOTES[r["status"]]] if r["status"] else []
        if r["source"] == PRIOR:
            parts.append("rests only on a published prior")
        if r["saving"] < 0:
            slower = "made runs slower" if r["source"] in (MEASURED, PARTIAL) else "is expected to make runs slower"
            parts.append(f"AI {slower} ({-r['saving']:.0%} more time)")
        elif r["saving"] == 0:
            parts.append("no time saving expected")
        if r[W.runs_per_month] <= 0:
            parts.append("not run at all (0 runs a month)")
        if r[W.data_sensitivity] not in covered:
            if r[W.data_sensitivity] == "restricted":
                parts.insert(0, NOT_VALUED)
            elif tools_known:
                parts.append(f"no approved tool may hold {r[W.data_sensitivity]} data")
            else:
                parts.append(f"no tool inventory to clear {r[W.data_sensitivity]} data")
        if r["saving"] > 0 and r[W.runs_per_month] > 0 and r["net_value"] <= 0:
            parts.append(f"no payback within {horizon} months")
        notes.append("; ".join(parts))
    return pd.Series(notes, index=inv.index, dtype=str)


def _join_note(notes: pd.Series, extra: str) -> pd.Series:
    return notes.map(lambda n: f"{n}; {extra}" if n else extra)


def analyze(
    workflows: pd.DataFrame,
    time_studies: pd.DataFrame | None,
    settings: EngagementSettings,
    *,
    tools: pd.DataFrame | None = None,
    adoption_rate: float | None = None,
    hourly_cost: float | None = None,
    horizon_months: int | None = None,
    confidence_level: float | None = None,
    ranking: str = "conservative",
    top_n: int = 3,
    fits: SavingFits | None = None,
    savings: pd.DataFrame | None = None,
    estimates: SavingEstimates | None = None,
) -> RoiResult:
    """Rank workflows by the value AI adds over the horizon. Overrides (None: the engagement's
    setting) are what-ifs; `hourly_cost` replaces every role's cost. `fits` reuses models fitted
    by `fit_savings` on the same data (the live controls refit nothing); `savings` replaces the
    estimator's per-workflow table (same columns as `SavingEstimates.table`), for what-ifs.
    `estimates` is the engagement model's estimate (`kit.model`), used when its level is `level`."""
    adoption = settings.adoption_rate if adoption_rate is None else float(adoption_rate)
    horizon = settings.horizon_months if horizon_months is None else int(horizon_months)
    level = settings.confidence_level if confidence_level is None else float(confidence_level)
    _check("adoption_rate", adoption, 0 <= adoption <= 1, "between 0 and 1")
    _check("horizon_months", horizon, 1 <= horizon <= 60, "a whole number from 1 to 60")
    _check("confidence_level", level, 0.5 < level < 1, "between 0.5 and 1")
    _check("ranking", ranking, ranking in RANKINGS, "one of " + ", ".join(RANKINGS))
    _check("top_n", top_n, int(top_n) >= 1, "at least 1")
    _check("hourly_cost", hourly_cost, hourly_cost is None or hourly_cost > 0, "a number > 0")
    if estimates is not None and math.isclose(estimates.level, level):
        est = estimates
    else:
        est = estimate_savings(workflows, time_studies, settings, level=level, fits=fits or getattr(estimates, "fits", None))
    table = est.table if savings is None else savings

    inv = workflows.copy().astype({W.workflow_id: str})
    keep = [
        "source", "status", "n_without_ai", "n_with_ai", "complexity_used", "person_effects", "own_saving", "shrinkage",
        "beta", "beta_sd", "saving", "saving_low", "saving_high",
    ]  # fmt: skip
    inv = inv.merge(table[[W.workflow_id, *keep]], on=W.workflow_id, how="left")
    if hourly_cost is not None:
        inv["hourly_cost"] = float(hourly_cost)
    else:
        inv["hourly_cost"] = inv[W.owner_role].map(settings.hourly_cost_for).astype(float)
    inv = _value(inv, settings, adoption, horizon)

    tools_known = tools is not None
    covered = covered_classes(tools) if tools_known else set(DATA_CLASSES) - {"restricted"}
    inv["approved_tool_for_data"] = inv[W.data_sensitivity].isin(covered)
    inv["prior_only"] = inv["source"] == PRIOR
    inv["note"] = _notes(inv, covered, tools_known, horizon)
    basis = "net_value" if ranking == "conservative" else "net_value_own"
    inv = inv.sort_values([basis, "net_value", W.workflow_id], ascending=[False, False, True], kind="stable")
    inv = inv.reset_index(drop=True)
    inv["rank"] = np.arange(1, len(inv) + 1)
    eligible = (inv["saving"] > 0) & (inv[W.runs_per_month] > 0) & (inv["net_value"] > 0) & inv["approved_tool_for_data"]
    picks = inv.index[eligible][: int(top_n)]
    inv["recommended"] = inv.index.isin(picks)
    worth_it = (inv["saving"] > 0) & (inv[W.runs_per_month] > 0) & (inv["net_value"] > 0)
    last_pick = picks.max() if len(picks) else len(inv)
    skipped = worth_it & ~inv["approved_tool_for_data"] & (inv.index < last_pick)
    inv.loc[skipped, "note"] = "skipped for its data: " + inv.loc[skipped, "note"]
    risky = inv["recommended"] & (inv["net_value_low"] < 0)
    inv.loc[risky, "note"] = _join_note(inv.loc[risky, "note"], "at the cautious end of its range it would not pay back")
    flagged = inv["recommended"] & inv["prior_only"]
    inv.loc[flagged, "note"] = _join_note(inv.loc[flagged, "note"], "check with a time study before committing")
    start = inv[inv["recommended"]].reset_index(drop=True)

    wanted = [
        "rank", W.workflow_id, W.workflow, W.department, W.owner_role, W.task_type, W.data_sensitivity,
        W.runs_per_month, W.minutes_per_run, "source", "status", "n_without_ai", "n_with_ai", "complexity_used",
        "person_effects", "own_saving", "shrinkage", "beta", "beta_sd",
        "saving", "saving_low", "saving_high", "annual_hours", "hourly_cost",
        "annual_hours_saved", "annual_hours_saved_low", "annual_hours_saved_high",
        "annual_value", "annual_value_low", "annual_value_high",
        "horizon_value", "horizon_value_low", "horizon_value_high",
        "seat_cost", "enablement_cost", "cost", "net_value", "net_value_low", "net_value_high", "net_value_own",
        "roi", "roi_low", "roi_high", "payback_months", "payback_months_low", "payback_months_high",
        "approved_tool_for_data", "prior_only", "recommended", "note",
    ]  # fmt: skip
    ranked = inv[wanted]
    unc = settings.value_uncertainty
    headline = picks_interval(start, unc, adoption, horizon, level)
    return RoiResult(
        ranking=ranked,
        start_here=ranked[ranked["recommended"]].reset_index(drop=True),
        regressions=_regression_table(est.fits.coefficients, level),
        diagnostics=est.fits.diagnostics,
        task_types=est.task_types,
        checks=est.fits.checks,
        sensitivity=_sensitivity(start, adoption, unc),
        residual_bins=_residual_bins(est.fits.residuals),
        warnings=list(est.warnings) + _value_warnings(ranked),
        n_workflows=len(ranked),
        n_measured=int((ranked["source"] == MEASURED).sum()),
        n_partial=int((ranked["source"] == PARTIAL).sum()),
        n_borrowed=int((ranked["source"] == BORROWED).sum()),
        n_prior=int((ranked["source"] == PRIOR).sum()),
        tau=est.tau,
        start_here_net_value=float(start["net_value"].sum()),
        start_here_net_value_low=headline["net_value_low"],
        start_here_net_value_high=headline["net_value_high"],
        start_here_hours_saved=float(start["annual_hours_saved"].sum()),
        start_here_hours_saved_low=headline["hours_low"],
        start_here_hours_saved_high=headline["hours_high"],
        interval_covers=interval_covers(unc, level),
        total_net_value_positive=float(ranked["net_value"].clip(lower=0).sum()),
        adoption_rate=adoption,
        hourly_cost=None if hourly_cost is None else float(hourly_cost),
        horizon_months=horizon,
        confidence_level=level,
        ranking_basis=ranking,
        top_n=int(top_n),
        min_runs_per_arm=settings.min_runs_per_arm,
        currency=settings.currency,
        tools_known=tools_known,
    )


def analyze_engagement(eng, model=None, **overrides) -> RoiResult:
    """`analyze` on a loaded Engagement (the tool inventory is used when present), with the
    workflow savings of the engagement model (`model`; built from engagement.yaml when not given)."""
    from kit.model import EngagementModel

    if "estimates" not in overrides and "fits" not in overrides:
        overrides["estimates"] = (model or EngagementModel(eng))["workflow_savings"]
    return analyze(
        eng.tables["workflows"], eng.tables.get("time_studies"), eng.settings, tools=eng.tables.get("tools"),
        **overrides,
    )  # fmt: skip


def _value_warnings(ranked: pd.DataFrame) -> list[str]:
    zero = ranked[ranked[W.runs_per_month] <= 0]
    return [f"{w}: runs_per_month is 0, so AI saves no time there and it is not recommended." for w in zero[W.workflow_id]]


def _regression_table(coefs: pd.DataFrame, level: float) -> pd.DataFrame:
    out = coefs.copy()
    if out.empty:
        return out.assign(t=[], p_value=[], ci_low=[], ci_high=[])
    out["t"] = out["coef"] / out["std_err"]
    out["p_value"] = 2 * stats.t.sf(out["t"].abs(), out["df_resid"])
    q = stats.t.ppf(0.5 + level / 2, out["df_resid"])
    out["ci_low"] = out["coef"] - q * out["std_err"]
    out["ci_high"] = out["coef"] + q * out["std_err"]
    return out


def _adoption_bounds(adoption: float, spread: float) -> tuple[float, float]:
    return adoption * (1 - spread), min(1.0, adoption * (1 + spread))


def picks_interval(picks: pd.DataFrame, unc, adoption: float, horizon: int, level: float) -> dict[str, float]:
    """Monte Carlo interval at `level` of the picks' total net value and hours saved a year.

    Each draw takes every pick's effect from N(beta, beta_sd²) (independent across picks), one
    adoption rate and one hourly-cost factor shared by all picks (they are one organisation's
    assumptions) and a minutes-per-run factor per pick, each uniform within ± its spread. Seeded:
    the same inputs give the same interval."""
    if picks.empty:
        return {"net_value_low": 0.0, "net_value_high": 0.0, "hours_low": 0.0, "hours_high": 0.0}
    rng = np.random.default_rng(unc.seed)
    n, k = unc.draws, len(picks)
    beta = picks["beta"].to_numpy(float) + rng.standard_normal((n, k)) * picks["beta_sd"].to_numpy(float)
    lo, hi = _adoption_bounds(adoption, unc.adoption_spread)
    adopt = rng.uniform(lo, hi, (n, 1))
    cost_factor = rng.uniform(1 - unc.hourly_cost_spread, 1 + unc.hourly_cost_spread, (n, 1))
    minutes_factor = rng.uniform(1 - unc.minutes_spread, 1 + unc.minutes_spread, (n, k))
    hours = picks["annual_hours"].to_numpy(float) * minutes_factor * (1 - np.exp(beta)) * adopt
    value = hours * picks["hourly_cost"].to_numpy(float) * cost_factor * horizon / MONTHS_PER_YEAR
    net = (value - picks["cost"].to_numpy(float)).sum(axis=1)
    tails = [0.5 - level / 2, 0.5 + level / 2]
    net_lo, net_hi = np.quantile(net, tails)
    h_lo, h_hi = np.quantile(hours.sum(axis=1), tails)
    return {"net_value_low": float(net_lo), "net_value_high": float(net_hi), "hours_low": float(h_lo), "hours_high": float(h_hi)}


def interval_covers(unc, level: float) -> str:
    """What the picks' interval accounts for, in one sentence."""
    return (
        f"each pick's time saving (drawn from its estimate), the adoption rate within ±{unc.adoption_spread:.0%}, "
        f"minutes per run within ±{unc.minutes_spread:.0%} and the hourly cost within ±{unc.hourly_cost_spread:.0%}"
    )


def _sensitivity(start: pd.DataFrame, adoption: float, unc) -> pd.DataFrame:
    """Net value of each pick when one factor moves to its low or high setting, the others fixed.
    Value is proportional to hourly cost, adoption rate and saving, so each case rescales it."""
    cols = [
        "rank", W.workflow_id, W.workflow, "factor", "low_setting", "high_setting",
        "net_value_at_low", "net_value_at_high", "net_value",
    ]  # fmt: skip
    rows = []
    adopt_lo, adopt_hi = _adoption_bounds(adoption, unc.adoption_spread)
    c_lo, c_hi = 1 - unc.hourly_cost_spread, 1 + unc.hourly_cost_spread
    for _, r in start.iterrows():
        value, cost = r["horizon_value"], r["cost"]
        ratio = (lambda a: a / adoption) if adoption > 0 else (lambda a: 1.0)
        cases = (
            ("time saved", f"{r['saving_low']:.0%}", f"{r['saving_high']:.0%}", r["net_value_low"], r["net_value_high"]),
            ("adoption rate", f"{adopt_lo:.0%}", f"{adopt_hi:.0%}", value * ratio(adopt_lo) - cost, value * ratio(adopt_hi) - cost),
            ("hourly cost", f"−{unc.hourly_cost_spread:.0%}", f"+{unc.hourly_cost_spread:.0%}", value * c_lo - cost, value * c_hi - cost),
        )  # fmt: skip
        for factor, lo_label, hi_label, at_lo, at_hi in cases:
            rows.append([r["rank"], r[W.workflow_id], r[W.workflow], factor, lo_label, hi_label, at_lo, at_hi, r["net_value"]])
    out = pd.DataFrame(rows, columns=cols)
    out["swing"] = (out["net_value_at_high"] - out["net_value_at_low"]).abs().astype(float)
    return out


def _residual_bins(resid: pd.DataFrame, bins: int = 20) -> pd.DataFrame:
    """Residuals of the pooled model (else of every measured model) counted in equal-width bins by arm."""
    cols = ["arm", "bin_start", "bin_end", "runs", "share"]
    if resid.empty:
        return pd.DataFrame(columns=cols)
    pooled = resid[resid["model"] == "pooled"]
    r = pooled if len(pooled) else resid
    edges = np.histogram_bin_edges(r["residual"].to_numpy(float), bins=bins)
    parts = []
    for ai, arm in ((0, "without AI"), (1, "with AI")):
        counts, _ = np.histogram(r.loc[r[AI] == ai, "residual"].to_numpy(float), bins=edges)
        share = counts / counts.sum() if counts.sum() else counts.astype(float)
        parts.append(pd.DataFrame({"arm": arm, "bin_start": edges[:-1], "bin_end": edges[1:], "runs": counts, "share": share}))
    return pd.concat(parts, ignore_index=True)


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


def analyst_items(r: RoiResult) -> list:
    """What the analysts' page shows: diagnostics chart, model fit table, every coefficient."""
    from kit import notebook as nb

    four = {"Coefficient": "{:.4f}", "Std. error (HC3)": "{:.4f}", "t": "{:.2f}", "p": "{:.4f}"}
    return [
        residuals_chart(r),
        nb.table(diagnostics_view(r), caption="Fit of each model", max_rows=10_000),
        nb.table(regression_view(r, ai_terms_only=False), formats=four, caption="Every coefficient", max_rows=10_000),
    ]


def analyst_note(path) -> str:
    """Where the analysts' regression page went (None: a live session with no run folder)."""
    if path is None:
        return "Live session without a run folder: `kit run` writes every regression table to a separate page."
    return f"Every regression table, coefficient by coefficient, is in this run's folder as pages/{path.name}."

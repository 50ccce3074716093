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

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit import charts
from kit.estimates import (
    AI,
    BORROWED,
    MEASURED,
    PARTIAL,
    PRIOR,
    SOURCE_LABELS,
    STATUS_NOTES,
    SavingEstimates,
    SavingFits,
    estimate_savings,
    fit_savings,
)
from kit.governance import covered_classes
from kit.intake.schemas import DATA_CLASSES, TimeStudies, Workflows
from kit.lazy import lazy
from kit.settings import EngagementSettings

stats = lazy("scipy.stats")  # imported when a table's p-values are first computed (kit.lazy)
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

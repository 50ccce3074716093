"""Phase 2 (Foundation): ROI ranking — which two or three workflows to start with.

Method (stated in the deliverable):
- The time AI saves on a workflow comes from one of three sources, best first:
  * measured: the workflow has at least `min_runs_per_arm` timed runs with and without AI. An
    ordinary least-squares regression of log(minutes) on `ai` (1 = AI-assisted), plus the
    observer's `complexity` rating when every run has one, gives β_ai; saving = 1 − exp(β_ai).
    Standard errors are heteroskedasticity-robust HC3 (MacKinnon & White 1985), the variant
    that behaves best in small samples; the interval uses Student's t with the residual
    degrees of freedom. The upper end of β's interval gives the lower end of the saving.
  * pooled: otherwise, if its task type was timed in both arms in some workflow, one regression
    across all those time studies, log(minutes) ~ C(workflow_id) + C(task_type):ai
    (+ complexity), HC3, gives the task type's AI effect (workflow fixed effects absorb how long
    each workflow takes; the AI effect is estimated within workflows).
  * prior: otherwise the published prior for the task type (`kit.evidence.TASK_PRIORS`), whose
    deliberately wide range admits zero and negative effects. Client data always outweigh it.
- Hours saved per year = runs per month × 12 × minutes per run ÷ 60 × saving × adoption rate;
  value at the owner role's hourly cost, counted over the horizon. Cost = AI seats (seat cost
  per month × seats × horizon months) + one-time enablement. One seat serves all of a person's
  workflows: a role needs as many seats as the largest group doing one of its workflows, shared
  among the role's workflows in proportion to their hours.
  Net value = value − cost; ROI = net value ÷ cost; payback months = enablement ÷ (monthly value
  − monthly seat cost). Each carries the saving's interval through.
- A workflow on restricted data is not valued: no AI tool may hold it, so it gets no seats, no
  cost and no value (NaN, ranked last), and its note says why.
- Workflows are ranked by the conservative net value (the lower end of its interval) or, when
  asked, by the point estimate. "Start here" takes the top N that save time, pay back within the
  horizon at the point estimate, and whose data class an approved tool may hold.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from kit import charts
from kit.evidence import TASK_PRIORS
from kit.governance import covered_classes
from kit.intake.schemas import DATA_CLASSES, TimeStudies, Workflows
from kit.settings import EngagementSettings

W = Workflows  # column names come from the schema models
T = TimeStudies
MONTHS_PER_YEAR = 12
SOURCES = ("measured", "pooled", "prior")
SOURCE_LABELS = {
    "measured": "measured on this workflow",
    "pooled": "pooled: same task type, client data",
    "prior": "published prior only",
}
SOURCE_COLOURS = {"measured": charts.PRIMARY, "pooled": charts.PALETTE[1], "prior": charts.NEUTRAL}
RANKINGS = ("conservative", "point")
STATUS_NOTES = {  # why a workflow has no measured estimate, as a short note
    "no time studies": "no time studies",
    "single observation": "a single timed run",
    "one arm only": "timed in one arm only",
    "too few runs": "too few timed runs",
    "identical times": "identical timed runs left out",
    "no spread": "timed runs show no spread",
}
COV_TYPE = "HC3"
AI = "ai"  # the 0/1 regressor in the model formulas
MEASURED_FORMULA = "np.log(minutes) ~ ai"
POOLED_FORMULA = "np.log(minutes) ~ C(workflow_id) + C(task_type):ai"
SENSITIVITY_COST = (0.75, 1.25)  # hourly cost × these
SENSITIVITY_ADOPTION = (0.5, 1.5)  # adoption rate × these, at most 100%
TINY = 1e-12
NOT_VALUED = "not valued: restricted data may go into no AI tool"
LABEL_LIMIT = 300  # px for workflow names on chart axes


# ---------------------------------------------------------------- estimation (fits)


@dataclass(frozen=True)
class SavingFits:
    """The fitted models, before an interval level is chosen (intervals are cheap to redo).

    `effects`: one row per workflow with source, runs per arm, β (log-minutes effect of AI), its
    HC3 standard error and residual degrees of freedom (NaN for priors), `complexity_used` and a
    `status` code naming any data problem. `coefficients`: every coefficient of every model.
    """

    effects: pd.DataFrame
    coefficients: pd.DataFrame  # model, term, coef, std_err, df_resid, n
    diagnostics: pd.DataFrame  # one row per model
    task_types: pd.DataFrame  # one row per task type: source, beta, se, df_resid, workflows, runs
    residuals: pd.DataFrame  # model, ai, residual (for binned diagnostics only)
    warnings: tuple[str, ...]


def _arm_counts(ts: pd.DataFrame) -> pd.DataFrame:
    counts = ts.groupby([T.workflow_id, AI]).size().unstack(AI)
    out = pd.DataFrame(index=counts.index)
    out["n_without_ai"] = counts.get(0, pd.Series(0, index=counts.index)).fillna(0).astype(int)
    out["n_with_ai"] = counts.get(1, pd.Series(0, index=counts.index)).fillna(0).astype(int)
    return out


def _study_frame(time_studies: pd.DataFrame | None, known: set[str], warnings: list[str]) -> pd.DataFrame:
    """The time studies as a model frame: workflow_id, ai (0/1), minutes, complexity (float, NaN)."""
    cols = [T.workflow_id, AI, T.minutes, T.complexity]
    if time_studies is None or time_studies.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}).astype({T.workflow_id: str})
    ts = pd.DataFrame({
        T.workflow_id: time_studies[T.workflow_id].astype(str).to_numpy(),
        AI: time_studies[T.ai_assisted].astype(bool).astype(int).to_numpy(),
        T.minutes: pd.to_numeric(time_studies[T.minutes], errors="coerce").to_numpy(dtype=float),
    })  # fmt: skip
    if T.complexity in time_studies.columns:
        ts[T.complexity] = pd.to_numeric(time_studies[T.complexity], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    else:
        ts[T.complexity] = np.nan
    unknown = ts[~ts[T.workflow_id].isin(known)]
    if len(unknown):
        ids = ", ".join(sorted(unknown[T.workflow_id].unique())[:5])
        warnings.append(f"time_studies: {len(unknown)} run(s) name workflows not in the inventory ({ids}); they are ignored.")
    bad = ~(ts[T.minutes] > 0)
    if bad.any():
        warnings.append(f"time_studies: {int(bad.sum())} run(s) without a positive number of minutes are ignored.")
    return ts[ts[T.workflow_id].isin(known) & ~bad].reset_index(drop=True)


def _degenerate(rows: pd.DataFrame) -> str | None:
    """A plain reason when the runs cannot show variability (identical times), else None."""
    spread = rows.groupby(AI)[T.minutes].agg(["min", "max", "size"])
    if spread["size"].max() >= 2 and (spread["max"] - spread["min"]).abs().max() < TINY:
        times = " and ".join(f"{m:g} min {'with' if a else 'without'} AI" for a, m in spread["min"].items())
        return f"every timed run records the same time ({times}); times this regular look entered rather than measured, so they are left out"
    return None


def _complexity_usable(rows: pd.DataFrame) -> bool:
    c = rows[T.complexity]
    if c.isna().any() or c.nunique() < 2:
        return False
    design = np.column_stack([np.ones(len(rows)), rows[AI].to_numpy(float), c.to_numpy(float)])
    return np.linalg.matrix_rank(design) == 3


def _coef_rows(model: str, fit) -> pd.DataFrame:
    return pd.DataFrame({
        "model": model,
        "term": fit.params.index.astype(str),
        "coef": fit.params.to_numpy(),
        "std_err": fit.bse.to_numpy(),
        "df_resid": float(fit.df_resid),
        "n": int(fit.nobs),
    })  # fmt: skip


def _diagnostic_row(model: str, fit, rows: pd.DataFrame, complexity: bool, cov_type: str) -> dict:
    leverage = fit.get_influence().hat_matrix_diag
    return {
        "model": model,
        "n": int(fit.nobs),
        "n_without_ai": int((rows[AI] == 0).sum()),
        "n_with_ai": int((rows[AI] == 1).sum()),
        "r_squared": float(fit.rsquared),
        "residual_sd": float(np.sqrt(fit.scale)),
        "max_leverage": float(np.max(leverage)),
        "complexity_used": complexity,
        "cov_type": cov_type,
    }


def fit_measured(rows: pd.DataFrame, complexity: bool):
    """The per-workflow model: OLS of log(minutes) on ai (+ complexity), HC3, t-based inference."""
    formula = MEASURED_FORMULA + (f" + {T.complexity}" if complexity else "")
    return smf.ols(formula, data=rows).fit(cov_type=COV_TYPE, use_t=True)


def _finite_se(fit, term: str) -> bool:
    se = fit.bse.get(term, np.nan)
    return bool(np.isfinite(se) and se > TINY)


def fit_savings(workflows: pd.DataFrame, time_studies: pd.DataFrame | None, min_runs: int = 5) -> SavingFits:
    """Fit the per-workflow and pooled models; pick each workflow's source (measured > pooled > prior)."""
    warnings: list[str] = []
    wf = workflows[[W.workflow_id, W.task_type]].astype({W.workflow_id: str})
    ts = _study_frame(time_studies, set(wf[W.workflow_id]), warnings)
    if time_studies is None or len(time_studies) == 0:
        warnings.append("No time studies were supplied: every estimate is a published prior.")
    ts = ts.merge(wf, on=W.workflow_id, how="left")

    counts = _arm_counts(ts).reindex(wf[W.workflow_id], fill_value=0)
    eff = wf.set_index(W.workflow_id).join(counts)
    eff["status"], eff["detail"] = "", ""
    eff["complexity_used"] = False
    eff["source"], eff["beta"], eff["se"], eff["df_resid"] = "", np.nan, np.nan, np.nan

    coefs, diags, resids = [], [], []
    usable = []  # workflows whose runs enter the pooled model
    for wid, rows in ts.groupby(T.workflow_id, sort=True):
        reason = _degenerate(rows)
        if reason:
            eff.loc[wid, ["status", "detail"]] = ["identical times", reason]
            continue
        n0, n1 = eff.loc[wid, "n_without_ai"], eff.loc[wid, "n_with_ai"]
        if n0 and n1:
            usable.append(wid)
        if n0 < min_runs or n1 < min_runs:
            continue
        use_c = _complexity_usable(rows)
        fit = fit_measured(rows, use_c)
        if use_c and not _finite_se(fit, AI):  # a single run decides the complexity slope
            use_c, fit = False, fit_measured(rows, False)
        if not _finite_se(fit, AI):
            eff.loc[wid, ["status", "detail"]] = ["no spread", "the timed runs show no spread to measure uncertainty from"]
            continue
        eff.loc[wid, ["source", "beta", "se", "df_resid", "complexity_used"]] = [
            "measured", fit.params[AI], fit.bse[AI], fit.df_resid, use_c
        ]
        coefs.append(_coef_rows(str(wid), fit))
        diags.append(_diagnostic_row(str(wid), fit, rows, use_c, COV_TYPE))
        resids.append(pd.DataFrame({"model": str(wid), AI: rows[AI].to_numpy(), "residual": fit.resid.to_numpy()}))

    task_types, pooled = _fit_pooled(ts[ts[T.workflow_id].isin(usable)], wf)
    if pooled is not None:
        fit, rows, use_c, cov = pooled
        coefs.append(_coef_rows("pooled", fit))
        diags.append(_diagnostic_row("pooled", fit, rows, use_c, cov))
        resids.append(pd.DataFrame({"model": "pooled", AI: rows[AI].to_numpy(), "residual": fit.resid.to_numpy()}))

    need = eff["source"] == ""
    by_type = task_types.set_index(W.task_type)
    for wid in eff.index[need]:
        tt = eff.at[wid, W.task_type]
        if tt in by_type.index and by_type.at[tt, "source"] == "pooled":
            eff.loc[wid, ["source", "beta", "se", "df_resid"]] = [
                "pooled", by_type.at[tt, "beta"], by_type.at[tt, "se"], by_type.at[tt, "df_resid"]
            ]
        else:
            eff.at[wid, "source"] = "prior"
            eff.at[wid, "beta"] = math.log(1 - TASK_PRIORS[tt].saving)
    _status_codes(eff, min_runs)
    warnings += _data_warnings(eff, by_type, min_runs)

    empty_coefs = pd.DataFrame(columns=["model", "term", "coef", "std_err", "df_resid", "n"])
    return SavingFits(
        effects=eff.reset_index(),
        coefficients=pd.concat(coefs, ignore_index=True) if coefs else empty_coefs,
        diagnostics=pd.DataFrame(diags),
        task_types=task_types,
        residuals=pd.concat(resids, ignore_index=True) if resids else pd.DataFrame(columns=["model", AI, "residual"]),
        warnings=tuple(warnings),
    )


def _fit_pooled(ts: pd.DataFrame, wf: pd.DataFrame):
    """The pooled model on every workflow timed in both arms. Task types with fewer than two runs
    in an arm are left out (one run alone would decide their effect). Returns the task-type
    table and (fit, rows, complexity_used, cov_type) or None."""
    types = sorted(wf[W.task_type].unique())
    arms = ts.groupby([W.task_type, AI]).size().unstack(AI).reindex(types).fillna(0)
    arms = arms.reindex(columns=[0, 1], fill_value=0)
    n_wf = ts.groupby(W.task_type)[T.workflow_id].nunique().reindex(types).fillna(0).astype(int)
    table = pd.DataFrame({
        W.task_type: types,
        "workflows_timed": n_wf.to_numpy(),
        "n_without_ai": arms[0].astype(int).to_numpy(),
        "n_with_ai": arms[1].astype(int).to_numpy(),
        "source": "prior",
        "beta": [math.log(1 - TASK_PRIORS[t].saving) for t in types],
        "se": np.nan,
        "df_resid": np.nan,
    })  # fmt: skip
    enough = table[(table["n_without_ai"] >= 2) & (table["n_with_ai"] >= 2)][W.task_type]
    rows = ts[ts[W.task_type].isin(enough)].reset_index(drop=True)
    if rows.empty:
        return table, None
    use_c = bool(rows[T.complexity].notna().all() and rows[T.complexity].nunique() > 1)
    formula = POOLED_FORMULA + (f" + {T.complexity}" if use_c else "")
    cov = COV_TYPE
    fit = smf.ols(formula, data=rows).fit(cov_type=cov, use_t=True)
    if not np.isfinite(fit.bse).all():  # a run with leverage 1 makes HC3 undefined; HC1 is not
        cov = "HC1"
        fit = smf.ols(formula, data=rows).fit(cov_type=cov, use_t=True)
    for i, t in table[W.task_type].items():
        term = f"C(task_type)[{t}]:{AI}"
        if t in set(enough) and _finite_se(fit, term):
            table.loc[i, ["source", "beta", "se", "df_resid"]] = ["pooled", fit.params[term], fit.bse[term], fit.df_resid]
    return table, (fit, rows, use_c, cov)


def _status_codes(eff: pd.DataFrame, min_runs: int) -> None:
    """Fill `status` for workflows without a measured estimate: why it is not measured."""
    for wid in eff.index[(eff["source"] != "measured") & (eff["status"] == "")]:
        n0, n1 = eff.at[wid, "n_without_ai"], eff.at[wid, "n_with_ai"]
        if n0 + n1 == 0:
            eff.at[wid, "status"] = "no time studies"
        elif n0 + n1 == 1:
            eff.at[wid, "status"] = "single observation"
        elif n0 == 0 or n1 == 0:
            eff.at[wid, "status"] = "one arm only"
        else:
            eff.at[wid, "status"] = "too few runs"


def _fallback_phrase(source: str, task_type: str, row: pd.Series | None) -> str:
    label = task_type.replace("_", " ")
    if source == "pooled":
        n = int(row["workflows_timed"]) if row is not None else 0
        return f"the pooled estimate for {label} tasks ({n} timed workflow{'s' if n != 1 else ''}) is used"
    if row is not None and row["n_without_ai"] and row["n_with_ai"]:
        return f"{label} tasks were timed too rarely to pool (fewer than 2 runs in an arm), so the published prior for {label} is used"
    return f"no {label} task was timed in both arms, so the published prior for {label} is used"


def _data_warnings(eff: pd.DataFrame, by_type: pd.DataFrame, min_runs: int) -> list[str]:
    out = []
    for wid, e in eff.iterrows():
        if e["source"] == "measured":
            continue
        tt = e[W.task_type]
        fallback = _fallback_phrase(e["source"], tt, by_type.loc[tt] if tt in by_type.index else None)
        n0, n1 = int(e["n_without_ai"]), int(e["n_with_ai"])
        why = {
            "no time studies": "no time studies",
            "single observation": "a single timed run, too few to measure anything",
            "one arm only": f"runs in one arm only ({n0} without AI, {n1} with AI)",
            "too few runs": f"fewer than {min_runs} runs in an arm ({n0} without AI, {n1} with AI)",
            "identical times": e["detail"],
            "no spread": e["detail"],
        }[e["status"]]
        out.append(f"{wid}: {why}; {fallback}.")
    return out


# ---------------------------------------------------------------- valuation and ranking


@dataclass(frozen=True)
class RoiResult:
    ranking: pd.DataFrame  # one row per workflow, ranked (see `analyze`)
    start_here: pd.DataFrame  # the recommended rows of `ranking`, in rank order
    regressions: pd.DataFrame  # every coefficient of every model, with its interval
    diagnostics: pd.DataFrame  # one row per model: n, R², residual SD, max leverage, SE type
    task_types: pd.DataFrame  # AI effect per task type: pooled from client data, else prior
    sensitivity: pd.DataFrame  # start-here picks: net value at low/high settings of 3 factors
    residual_bins: pd.DataFrame  # pooled-model residuals binned by arm (diagnostics chart)
    warnings: list[str]  # plain-text data-quality messages, e.g. "W12: runs in one arm only ..."
    n_workflows: int
    n_measured: int
    n_pooled: int
    n_prior: int
    start_here_net_value: float
    start_here_net_value_low: float
    start_here_net_value_high: float
    start_here_hours_saved: float
    total_net_value_positive: float  # sum of point net value over workflows where it is > 0
    adoption_rate: float
    hourly_cost: float | None  # None: each owner role's own cost
    horizon_months: int
    confidence_level: float
    ranking_basis: str  # "conservative" or "point"
    top_n: int
    min_runs_per_arm: int
    currency: str
    tools_known: bool  # False: no tool inventory, data classes judged by the default tiering


def _check(name: str, value, ok: bool, expect: str) -> None:
    if not ok:
        raise ValueError(f"{name} must be {expect}, got {value!r}")


def _intervals(effects: pd.DataFrame, level: float) -> pd.DataFrame:
    """saving, saving_low, saving_high from β and its SE (t interval) or the prior's range."""
    e = effects.copy()
    estimated = e["source"] != "prior"
    q = pd.Series(np.nan, index=e.index)
    q[estimated] = stats.t.ppf(0.5 + level / 2, e.loc[estimated, "df_resid"].astype(float))
    e["beta_low"] = e["beta"] - q * e["se"]
    e["beta_high"] = e["beta"] + q * e["se"]
    e["saving"] = 1 - np.exp(e["beta"])
    e["saving_low"] = 1 - np.exp(e["beta_high"])  # slower end of β is the smaller saving
    e["saving_high"] = 1 - np.exp(e["beta_low"])
    prior_low = np.array([TASK_PRIORS[t].low for t in e[W.task_type]], dtype=float)
    prior_high = np.array([TASK_PRIORS[t].high for t in e[W.task_type]], dtype=float)
    e["saving_low"] = np.where(estimated, e["saving_low"], prior_low)
    e["saving_high"] = np.where(estimated, e["saving_high"], prior_high)
    return e


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
        if r["source"] == "prior":
            parts.append("rests only on a published prior")
        if r["saving"] < 0:
            slower = "made runs slower" if r["source"] != "prior" else "is expected to make runs slower"
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
) -> RoiResult:
    """Rank workflows by the value AI adds over the horizon. Overrides (None: the engagement's
    setting) are what-ifs; `hourly_cost` replaces every role's cost. `fits` reuses models fitted
    by `fit_savings` on the same data (the live controls refit nothing)."""
    adoption = settings.adoption_rate if adoption_rate is None else float(adoption_rate)
    horizon = settings.horizon_months if horizon_months is None else int(horizon_months)
    level = settings.confidence_level if confidence_level is None else float(confidence_level)
    _check("adoption_rate", adoption, 0 <= adoption <= 1, "between 0 and 1")
    _check("horizon_months", horizon, 1 <= horizon <= 60, "a whole number from 1 to 60")
    _check("confidence_level", level, 0.5 < level < 1, "between 0.5 and 1")
    _check("ranking", ranking, ranking in RANKINGS, "one of " + ", ".join(RANKINGS))
    _check("top_n", top_n, int(top_n) >= 1, "at least 1")
    _check("hourly_cost", hourly_cost, hourly_cost is None or hourly_cost > 0, "a number > 0")
    if fits is None:
        fits = fit_savings(workflows, time_studies, settings.min_runs_per_arm)

    inv = workflows.copy().astype({W.workflow_id: str})
    est = _intervals(fits.effects, level)
    keep = ["source", "status", "n_without_ai", "n_with_ai", "complexity_used", "beta", "se", "saving", "saving_low", "saving_high"]
    inv = inv.merge(est[[W.workflow_id, *keep]], on=W.workflow_id, how="left")
    if hourly_cost is not None:
        inv["hourly_cost"] = float(hourly_cost)
    else:
        inv["hourly_cost"] = inv[W.owner_role].map(settings.hourly_cost_for).astype(float)
    inv = _value(inv, settings, adoption, horizon)

    tools_known = tools is not None
    covered = covered_classes(tools) if tools_known else set(DATA_CLASSES) - {"restricted"}
    inv["approved_tool_for_data"] = inv[W.data_sensitivity].isin(covered)
    inv["prior_only"] = inv["source"] == "prior"
    inv["note"] = _notes(inv, covered, tools_known, horizon)
    basis = "net_value_low" if ranking == "conservative" else "net_value"
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
        "saving", "saving_low", "saving_high", "annual_hours", "hourly_cost",
        "annual_hours_saved", "annual_hours_saved_low", "annual_hours_saved_high",
        "annual_value", "annual_value_low", "annual_value_high",
        "horizon_value", "horizon_value_low", "horizon_value_high",
        "seat_cost", "enablement_cost", "cost", "net_value", "net_value_low", "net_value_high",
        "roi", "roi_low", "roi_high", "payback_months", "payback_months_low", "payback_months_high",
        "approved_tool_for_data", "prior_only", "recommended", "note",
    ]  # fmt: skip
    ranked = inv[wanted]
    return RoiResult(
        ranking=ranked,
        start_here=ranked[ranked["recommended"]].reset_index(drop=True),
        regressions=_regression_table(fits.coefficients, level),
        diagnostics=fits.diagnostics,
        task_types=_task_type_table(fits.task_types, level),
        sensitivity=_sensitivity(start, adoption),
        residual_bins=_residual_bins(fits.residuals),
        warnings=list(fits.warnings) + _value_warnings(ranked),
        n_workflows=len(ranked),
        n_measured=int((ranked["source"] == "measured").sum()),
        n_pooled=int((ranked["source"] == "pooled").sum()),
        n_prior=int((ranked["source"] == "prior").sum()),
        start_here_net_value=float(start["net_value"].sum()),
        start_here_net_value_low=float(start["net_value_low"].sum()),
        start_here_net_value_high=float(start["net_value_high"].sum()),
        start_here_hours_saved=float(start["annual_hours_saved"].sum()),
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


def analyze_engagement(eng, **overrides) -> RoiResult:
    """`analyze` on a loaded Engagement (the tool inventory is used when present)."""
    return analyze(
        eng.table("workflows"),
        eng.table("time_studies") if eng.has("time_studies") else None,
        eng.settings,
        tools=eng.table("tools") if eng.has("tools") else None,
        **overrides,
    )


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


def _task_type_table(task_types: pd.DataFrame, level: float) -> pd.DataFrame:
    t = task_types.copy()
    t["saving"] = 1 - np.exp(t["beta"])
    est = _intervals(t, level)
    t["saving_low"], t["saving_high"] = est["saving_low"], est["saving_high"]
    return t


def _sensitivity(start: pd.DataFrame, adoption: float) -> pd.DataFrame:
    """Net value of each pick when one factor moves to its low or high setting, the others fixed.
    Value is proportional to hourly cost, adoption rate and saving, so each case rescales it."""
    cols = [
        "rank", W.workflow_id, W.workflow, "factor", "low_setting", "high_setting",
        "net_value_at_low", "net_value_at_high", "net_value",
    ]  # fmt: skip
    rows = []
    adopt_lo, adopt_hi = adoption * SENSITIVITY_ADOPTION[0], min(1.0, adoption * SENSITIVITY_ADOPTION[1])
    for _, r in start.iterrows():
        value, cost = r["horizon_value"], r["cost"]
        ratio = (lambda a: a / adoption) if adoption > 0 else (lambda a: 1.0)
        cases = (
            ("time saved", f"{r['saving_low']:.0%}", f"{r['saving_high']:.0%}", r["net_value_low"], r["net_value_high"]),
            ("adoption rate", f"{adopt_lo:.0%}", f"{adopt_hi:.0%}", value * ratio(adopt_lo) - cost, value * ratio(adopt_hi) - cost),
            ("hourly cost", "−25%", "+25%", value * SENSITIVITY_COST[0] - cost, value * SENSITIVITY_COST[1] - cost),
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


def summary_text(r: RoiResult) -> str:
    if r.n_workflows == 0:
        return "There are no workflows to rank."
    level = f"{r.confidence_level:.0%}"
    basis = "the cautious end of each estimate" if r.ranking_basis == "conservative" else "the central estimate"
    if r.start_here.empty:
        return (
            f"None of the {r.n_workflows} workflows clears the bar: none both saves time and pays back its AI seats "
            f"and enablement within {r.horizon_months} months with a tool approved for its data. Collect time studies "
            "and settle the approved tools before rolling out."
        )
    s = r.start_here
    text = (
        f"Start with {_names(s)}. Together they are worth {_money(r.start_here_net_value, r.currency)} net over "
        f"{r.horizon_months} months after AI seats and enablement ({level} interval "
        f"{_money(r.start_here_net_value_low, r.currency)} to {_money(r.start_here_net_value_high, r.currency)}), "
        f"giving back about {r.start_here_hours_saved:,.0f} hours a year at {r.adoption_rate:.0%} adoption. "
        f"Workflows are ranked by {basis}, so a pick has to be worth it even if AI helps less than hoped."
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
        (r.n_pooled, "borrow the estimate for their task type from the client's other time studies"),
        (r.n_prior, "rest only on published studies of similar tasks"),
    ]
    said = [f"{n} {what}" for n, what in counts if n]
    listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    parts = [f"Of the {r.n_workflows} workflows, {listed}."]
    measured = rk[rk["source"] == "measured"]
    if len(measured):
        parts.append(
            f"Where measured, AI cut hands-on time by a median of {measured['saving'].median():.0%} "
            f"(from {measured['saving'].min():.0%} to {measured['saving'].max():.0%})."
        )
    slower = rk[(rk["saving_high"] < 0) & (rk["source"] != "prior")]
    if len(slower):
        parts.append(f"On {_names(slower)} AI clearly made the work slower; it is not recommended there.")
    unclear = rk[(rk["saving"] <= 0) & (rk["saving_high"] >= 0) & (rk["source"] != "prior")]
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
            "measured": f"measured on {p['n_without_ai'] + p['n_with_ai']} timed runs",
            "pooled": "estimated from the client's time studies of similar tasks",
            "prior": "only a published estimate: time it first",
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
            color=alt.Color("factor:N", title="Factor moved", scale=charts.category_scale(["time saved", "adoption rate", "hourly cost"])),
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
        .properties(width=520)
        .facet(row=alt.Row("label:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight=600)))
        .resolve_scale(y="independent")
        .properties(title=alt.TitleParams(
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
        f"Time saved ({r.confidence_level:.0%} range)": [
            _saving_range(*v) for v in zip(d["saving"], d["saving_low"], d["saving_high"], strict=True)
        ],
        "Estimate from": d["source"],
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
        "Estimate from": d["source"],
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
        "Estimate from": t["source"].map({"pooled": "client time studies", "prior": "published prior"}),
        "Workflows timed": t["workflows_timed"],
        "Runs timed (without / with AI)": t["n_without_ai"].astype(str) + " / " + t["n_with_ai"].astype(str),
        f"Time saved ({r.confidence_level:.0%} range)": [
            _saving_range(*v) for v in zip(t["saving"], t["saving_low"], t["saving_high"], strict=True)
        ],
        "Published studies suggest": published,
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
        f"Measured: for each workflow with at least {r.min_runs_per_arm} timed runs with and without AI, a regression "
        "of the logarithm of minutes on whether AI was used (and the observer's complexity rating, when every run has "
        "one) gives the effect of AI as a percentage of time. Saving = 1 − exp(effect). Standard errors are "
        "heteroskedasticity-robust HC3, chosen because it behaves best in small samples; intervals use Student's t "
        f"at {level}.\n\n"
        "Pooled: a workflow with too few runs borrows the AI effect of its task type from one regression across all "
        "the client's time studies, with a separate baseline per workflow and an AI effect per task type (HC3).\n\n"
        "Prior: a task type the client never timed in both arms gets the published estimate for that kind of task, "
        "with a deliberately wide range that allows no saving or a slowdown (the range does not change with the "
        "interval level). Client data always replace the prior.\n\n"
        "No predictive model is fitted: the question is the size of one effect and how sure we are of it, which "
        "is inference (statsmodels), not prediction."
    )


# ---------------------------------------------------------------- live controls


def explorer(eng):
    """A view for the live controls: the picks, the ranked chart and the start-here table under
    what-if settings. The regressions are fitted once; moving a slider only re-values."""
    fits = fit_savings(
        eng.table("workflows"), eng.table("time_studies") if eng.has("time_studies") else None, eng.settings.min_runs_per_arm
    )

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

        r = result(adoption_rate, hourly_cost, horizon_months, confidence_level, ranking, top_n)
        return [nb.say(summary_text(r)), net_value_chart(r), nb.table(start_here_view(r), formats={"Time saved": "percent"})]

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

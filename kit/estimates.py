"""The time AI saves on each workflow: the one estimator every phase takes a workflow's saving from.

`estimate_savings(workflows, time_studies, settings)` returns, per workflow, the saving (point),
its interval at `settings.confidence_level`, where it comes from, the runs per arm and the
data-quality warnings. Savings are effects on log(minutes): saving = 1 − exp(θ). See
docs/methods.md for the method and the simulation study that checks it.

Two layers:

- **Measured layer** (`fit_savings`, the analyst's view): per workflow with at least
  `min_runs_per_arm` runs in each arm, OLS of log(minutes) on `ai` (+ the observer's complexity
  rating on the complete cases, + person fixed effects when the arms were timed by different mixes
  of people), HC3 standard errors (MacKinnon & White 1985), t inference; plus the pooled
  regression across workflows. Checks per workflow: arms timed by disjoint people, blank
  complexity cells, outlying runs (|studentized residual| > 4, with a Huber fit beside), and
  arms with different spread (Brown–Forsythe; mean-based saving by smearing, Duan 1983).
- **Hierarchical layer** (`estimate_savings`): θ_j ~ N(μ_t, τ²) within task type t, μ_t ~
  N(prior, prior_sd²) with prior_sd from the published range (read as a 90% range). τ² is shared
  by all task types and estimated by REML (a meta-regression on task type). Each workflow's own
  estimate is shrunk toward its task type's posterior mean (never a grand mean); its interval is
  the robust empirical-Bayes interval of Armstrong, Kolesár & Plagborg-Møller (2022, Econometrica
  90(6)), which covers on average over workflows whatever the shape of the effects' spread. A
  workflow without usable runs of its own gets a prediction interval for a new workflow of its
  task type, μ_t ± t·sqrt(τ² + var μ_t) (Higgins, Thompson & Spiegelhalter 2009; IntHout et al.
  2016); a task type the client never timed gets the prior predictive interval.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.evidence import TASK_PRIORS
from kit.intake.schemas import TimeStudies, Workflows
from kit.lazy import lazy
from kit.settings import EngagementSettings

# statsmodels and scipy.stats are imported when a fit first needs them (kit.lazy), not by every
# kernel that renders a phase from its recorded result
sm, smf = lazy("statsmodels.api"), lazy("statsmodels.formula.api")
optimize, special, stats = lazy("scipy.optimize"), lazy("scipy.special"), lazy("scipy.stats")

W = Workflows  # column names come from the schema models
T = TimeStudies
AI = "ai"  # the 0/1 regressor in the model formulas
PERSON = "person"
COV_TYPE = "HC3"
MEASURED_FORMULA = "np.log(minutes) ~ ai"
POOLED_FORMULA = "np.log(minutes) ~ C(workflow_id) + C(task_type):ai"
TINY = 1e-12

MEASURED, PARTIAL, BORROWED, PRIOR = "measured", "partially pooled", "borrowed", "prior"
SOURCES = (MEASURED, PARTIAL, BORROWED, PRIOR)
SOURCE_LABELS = {
    MEASURED: "measured on this workflow, shrunk toward its task type",
    PARTIAL: "partially pooled: a few runs of its own, shrunk toward its task type",
    BORROWED: "borrowed from its task type (prediction interval for a new workflow)",
    PRIOR: "published prior only",
}
PRIOR_RANGE_LEVEL = 0.90  # a published range is read as a 90% range for the task type's mean
TAU_FALLBACK = 0.10  # between-workflow SD of log-minutes effects when the data cannot estimate it
TAU_FLOOR = 0.05  # REML may put τ at 0 on few workflows; estimates assume at least this spread (±8% of time at 90%)
TAU_LOG_SD = 1.0  # how far (log scale) a task type's own between-workflow SD may stray from the shared one
OUTLIER_STUDENTIZED = 4.0  # |externally studentized residual| above this flags a run
SPREAD_TEST_P = 0.05  # Brown–Forsythe p below this: the arms differ in spread
PERSON_SCREEN_P = 0.05  # one-way ANOVA of residuals by person within an arm below this: people differ in speed
PERSON_SHARE_GAP = 0.5  # a person's share of one arm's runs exceeding their share of the other by this is warned about
MIN_CLUSTERS = 4  # people needed before the interval is a wild cluster bootstrap by person
PERSON_TEST_P = 0.01  # Hausman test of the person fixed-effects fit against the plain one
STATUS_NOTES = {  # why a workflow has no measured estimate, as a short note
    "no time studies": "no time studies",
    "single observation": "a single timed run",
    "one arm only": "timed in one arm only",
    "too few runs": "too few timed runs",
    "identical times": "identical timed runs left out",
    "no spread": "timed runs show no spread",
}


# ---------------------------------------------------------------- measured layer (fits)


@dataclass(frozen=True)
class SavingFits:
    """The fitted models, before an interval level is chosen (intervals are cheap to redo).

    `effects`: one row per workflow with runs per arm, the workflow's own β (log-minutes effect of
    AI), its standard error and residual degrees of freedom (NaN without own data), `own` (the
    kind of own data: "measured", "partially pooled" or ""), `complexity_used`, `person_effects`
    and a `status` code naming any data problem. `checks`: one row per measured workflow (robust
    fit, smearing, outliers, spread test, people). `coefficients`: every coefficient of every model.
    """

    effects: pd.DataFrame
    coefficients: pd.DataFrame  # model, term, coef, std_err, df_resid, n
    diagnostics: pd.DataFrame  # one row per model
    task_types: pd.DataFrame  # pooled regression per task type: beta, se, df_resid, workflows, runs
    residuals: pd.DataFrame  # model, ai, residual (for binned diagnostics only)
    checks: pd.DataFrame
    residual_sd: float  # pooled residual SD of log minutes over the measured workflows (NaN: none)
    min_runs: int
    warnings: tuple[str, ...]


def _arm_counts(ts: pd.DataFrame) -> pd.DataFrame:
    counts = ts.groupby([T.workflow_id, AI]).size().unstack(AI)
    out = pd.DataFrame(index=counts.index)
    out["n_without_ai"] = counts.get(0, pd.Series(0, index=counts.index)).fillna(0).astype(int)
    out["n_with_ai"] = counts.get(1, pd.Series(0, index=counts.index)).fillna(0).astype(int)
    return out


def _study_frame(time_studies: pd.DataFrame | None, known: set[str], warnings: list[str]) -> pd.DataFrame:
    """The time studies as a model frame: observation_id, workflow_id, ai (0/1), minutes,
    complexity (float, NaN) and person (str, NaN when not recorded)."""
    cols = [T.observation_id, T.workflow_id, AI, T.minutes, T.complexity, PERSON]
    if time_studies is None or time_studies.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols}).astype({T.workflow_id: str})
    n = len(time_studies)
    ts = pd.DataFrame({
        T.observation_id: time_studies[T.observation_id].astype(str).to_numpy()
        if T.observation_id in time_studies.columns else np.arange(1, n + 1).astype(str),
        T.workflow_id: time_studies[T.workflow_id].astype(str).to_numpy(),
        AI: time_studies[T.ai_assisted].astype(bool).astype(int).to_numpy(),
        T.minutes: pd.to_numeric(time_studies[T.minutes], errors="coerce").to_numpy(dtype=float),
    })  # fmt: skip
    if T.complexity in time_studies.columns:
        ts[T.complexity] = pd.to_numeric(time_studies[T.complexity], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    else:
        ts[T.complexity] = np.nan
    if T.employee_id in time_studies.columns:
        person = time_studies[T.employee_id].astype(object).to_numpy()
        ts[PERSON] = [str(p).strip() if isinstance(p, str) and p.strip() else np.nan for p in person]
    else:
        ts[PERSON] = np.nan
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
    arm, minutes = rows[AI].to_numpy(), rows[T.minutes].to_numpy(float)
    arms = [(a, minutes[arm == a]) for a in (0, 1) if (arm == a).any()]
    if max(len(m) for _, m in arms) >= 2 and max(m.max() - m.min() for _, m in arms) < TINY:
        times = " and ".join(f"{m.min():g} min {'with' if a else 'without'} AI" for a, m in arms)
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
        "max_leverage": float(np.max(leverage[np.isfinite(leverage)])) if np.isfinite(leverage).any() else np.nan,
        "complexity_used": complexity,
        "cov_type": cov_type,
    }


def measured_formula(complexity: bool, person_effects: bool = False) -> str:
    return MEASURED_FORMULA + (f" + {T.complexity}" if complexity else "") + (f" + C({PERSON})" if person_effects else "")


def fit_measured(rows: pd.DataFrame, complexity: bool, person_effects: bool = False):
    """The per-workflow model: OLS of log(minutes) on ai (+ complexity, + person fixed effects),
    HC3, t-based inference. Same fit and term names as the formula `measured_formula(...)`,
    built without patsy (it is fitted for every workflow and every simulated client)."""
    x = pd.DataFrame({"Intercept": 1.0, AI: rows[AI].to_numpy(float)}, index=rows.index)
    if complexity:
        x[T.complexity] = rows[T.complexity].to_numpy(float)
    if person_effects:
        people = sorted(rows[PERSON].unique())
        for p in people[1:]:
            x[f"C({PERSON})[T.{p}]"] = (rows[PERSON] == p).to_numpy(float)
    y = pd.Series(np.log(rows[T.minutes].to_numpy(float)), index=rows.index, name="np.log(minutes)")
    return sm.OLS(y, x).fit(cov_type=COV_TYPE, use_t=True)


def _finite_se(fit, term: str) -> bool:
    se = fit.bse.get(term, np.nan)
    return bool(np.isfinite(se) and se > TINY)


def _people_differ(rows: pd.DataFrame, plain) -> bool:
    """Whether people differ in speed: one-way ANOVA of the plain fit's residuals by person within
    each arm, Bonferroni over the arms, at `PERSON_SCREEN_P`."""
    resid = np.asarray(plain.resid, dtype=float)
    person, arm = rows[PERSON].to_numpy(), rows[AI].to_numpy()
    p_values = []
    for a in np.unique(arm):
        here = arm == a
        _, codes = np.unique(person[here], return_inverse=True)
        groups = [resid[here][codes == k] for k in range(codes.max() + 1)]
        if len(groups) >= 2 and max(len(g) for g in groups) >= 2:
            p_values.append(float(stats.f_oneway(*groups).pvalue))
    return bool(p_values) and min(p_values) * len(p_values) < PERSON_SCREEN_P


def _within_person(rows: pd.DataFrame, use_c: bool, plain):
    """The person fixed-effects fit when the within-person effect differs from the plain one
    beyond chance (Hausman 1978: (β_FE − β)² / se_FE² above the χ²₁ critical value at
    `PERSON_TEST_P`), else None."""
    k = rows[PERSON].nunique()
    if len(rows) - k - 1 - int(use_c) < 4:  # too few residual df left after one effect per person
        return None
    fe = fit_measured(rows, use_c, person_effects=True)
    if not _finite_se(fe, AI):
        return None
    stat = (fe.params[AI] - plain.params[AI]) ** 2 / fe.bse[AI] ** 2
    return fe if stat > stats.chi2.ppf(1 - PERSON_TEST_P, 1) else None


# ---------------------------------------------------------------- wild cluster bootstrap (few people)

WILD_DRAWS = 9999  # bootstrap draws (all 2^G sign patterns instead when there are fewer)
WEBB_BELOW = 12  # fewer clusters than this: Webb's six-point weights (Rademacher has too few patterns)
WEBB_POINTS = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


def cluster_weights(n_clusters: int, weights: str, draws: int = WILD_DRAWS, seed: int = 0) -> np.ndarray:
    """Bootstrap weights, one row per cluster and one column per draw: "rademacher" (±1; every
    2^G pattern when 2^G ≤ `draws`, the first all +1) or "webb" (six points ±√1.5, ±1, ±√0.5 with
    equal probability; Webb 2023), drawn with `seed` (the first column all +1 either way)."""
    if weights == "rademacher" and 2**n_clusters <= draws:
        patterns = (np.arange(2**n_clusters)[None, :] >> np.arange(n_clusters)[:, None]) & 1
        return 1.0 - 2.0 * patterns
    rng = np.random.default_rng(seed)
    if weights == "rademacher":
        w = rng.choice([-1.0, 1.0], size=(n_clusters, draws))
    elif weights == "webb":
        w = rng.choice(WEBB_POINTS, size=(n_clusters, draws))
    else:
        raise ValueError(f"weights must be 'rademacher' or 'webb', not {weights!r}")
    w[:, 0] = 1.0
    return w


class WildClusterBootstrap:
    """The restricted wild cluster bootstrap (WCR) of one coefficient of an OLS fit with CR1
    cluster-robust t statistics (Cameron, Gelbach & Miller 2008; Cameron & Miller 2015,
    section VI.C; MacKinnon & Webb 2017), by the closed forms of Roodman et al. (2019, "Fast and
    wild"): for H0 β_k = b the bootstrap t statistics are c(b)'w / sqrt(Σ_g (H(b) w)_g²) with c and
    H linear in b, so a p-value costs a G × G product per draw. `interval` inverts the test."""

    def __init__(self, y, x, column: int, clusters, weights: np.ndarray):
        y, x = np.asarray(y, float), np.asarray(x, float)
        codes = pd.factorize(pd.Series(np.asarray(clusters)))[0]
        n, k = x.shape
        self.g = int(codes.max()) + 1
        dummies = np.zeros((n, self.g))
        dummies[np.arange(n), codes] = 1.0
        xtx_inv = np.linalg.pinv(x.T @ x)
        self.beta = float((xtx_inv @ x.T @ y)[column])
        a = x @ xtx_inv[:, column]  # β_k = a'y
        x_r = np.delete(x, column, axis=1)
        xrx_inv = np.linalg.pinv(x_r.T @ x_r)

        def resid(z, x=x, inv=xtx_inv):  # M z, M the residual maker of the model (never formed: n × n)
            return z - x @ (inv @ (x.T @ z))

        u0, u1 = resid(y, x_r, xrx_inv), resid(x[:, column], x_r, xrx_inv)  # restricted residuals: u0 − b·u1
        self.scale = (n - 1) / (n - k) * self.g / (self.g - 1)  # CR1; cancels in the t ratio
        self.se = float(math.sqrt(self.scale * (((a * resid(y)) @ dummies) ** 2).sum()))
        # Under H0 β_k = b the residuals by cluster are (u0 − b·u1) ⊙ D, so the numerators c'w and the
        # G × G cluster scores H are linear in b: c = c0 − b·c1, H = H0 − b·H1 (Roodman et al. 2019).
        parts = []
        for u in (u0, u1):
            ug = u[:, None] * dummies
            parts.append((a @ ug, dummies.T @ (a[:, None] * resid(ug))))
        (self.c0, self.h0), (self.c1, self.h1) = parts
        self.weights = weights

    def t_stat(self, b: float) -> float:
        return (self.beta - b) / self.se

    def p_value(self, b: float) -> float:
        """Share of bootstrap draws with |t*| at or above the observed |t| under H0 β_k = b (ties,
        such as the draw of all +1 that reproduces the sample, count as at or above)."""
        c, h = self.c0 - b * self.c1, self.h0 - b * self.h1
        t = (c @ self.weights) / np.sqrt(self.scale * ((h @ self.weights) ** 2).sum(axis=0))
        return float(np.mean(np.abs(t) >= abs(self.t_stat(b)) * (1 - 1e-9)))

    def interval(self, level: float) -> tuple[float, float]:
        """The values b that the bootstrap test does not reject at 1 − `level` (bisection from
        the CR1 t interval on G − 1 df outward)."""
        alpha = 1 - level
        half = float(stats.t.ppf(0.5 + level / 2, self.g - 1)) * self.se
        ends = []
        for sign in (-1.0, 1.0):
            inside, outside = self.beta, self.beta + sign * half
            for _ in range(60):  # widen until rejected
                if self.p_value(outside) <= alpha:
                    break
                inside, outside = outside, outside + sign * half
            for _ in range(50):
                mid = 0.5 * (inside + outside)
                inside, outside = (mid, outside) if self.p_value(mid) > alpha else (inside, mid)
                if abs(outside - inside) < 1e-7 * max(self.se, TINY):
                    break
            ends.append(0.5 * (inside + outside))
        return ends[0], ends[1]


def _clustered_se(rows: pd.DataFrame, fit, level: float) -> tuple[float, float, str]:
    """(standard error of β_ai from the restricted wild cluster bootstrap by person, residual df
    G − 1, the weights used): the bootstrap interval at `level` read as a t interval on G − 1
    degrees of freedom, se = its width / (2·t). Webb weights below `WEBB_BELOW` people,
    Rademacher from there (Cameron & Miller 2015; MacKinnon & Webb 2017)."""
    g = int(rows[PERSON].nunique())
    kind = "webb" if g < WEBB_BELOW else "rademacher"
    column = list(fit.model.exog_names).index(AI)
    boot = WildClusterBootstrap(fit.model.endog, fit.model.exog, column, rows[PERSON].to_numpy(), cluster_weights(g, kind))
    lo, hi = boot.interval(level)
    return (hi - lo) / (2 * float(stats.t.ppf(0.5 + level / 2, g - 1))), float(g - 1), kind


def _people(rows: pd.DataFrame) -> tuple[bool, set, set]:
    """(every run names its person, people without AI, people with AI)."""
    if rows[PERSON].isna().any():
        return False, set(), set()
    return True, set(rows.loc[rows[AI] == 0, PERSON]), set(rows.loc[rows[AI] == 1, PERSON])


def studentized_residuals(fit) -> np.ndarray:
    """Externally studentized residuals e_i / (s_(i)·sqrt(1 − h_i)), s_(i) the residual SD
    without run i (closed form; 0 where a run has leverage 1)."""
    e = np.asarray(fit.resid, dtype=float)
    x = np.asarray(fit.model.exog, dtype=float)
    h = np.einsum("ij,ji->i", x, np.linalg.pinv(x))
    dof = float(fit.df_resid)
    with np.errstate(all="ignore"):
        s2_i = (dof * fit.scale - e**2 / (1 - h)) / (dof - 1)
        r = e / np.sqrt(s2_i * (1 - h))
    return np.where(np.isfinite(r) & (h < 1 - 1e-9), r, 0.0)


def _check_row(wid: str, rows: pd.DataFrame, fit, use_c: bool, person_fe: bool, notes: list[str]) -> dict:
    """Outliers, a Huber fit, the spread test and smearing for one measured workflow."""
    beta = float(fit.params[AI])
    saving = 1 - math.exp(beta)
    student = studentized_residuals(fit)
    worst = int(np.argmax(np.abs(student))) if len(student) else 0
    out = {
        W.workflow_id: wid, "max_abs_studentized": float(np.abs(student).max()) if len(student) else np.nan,
        "saving_robust": np.nan, "spread_p": np.nan, "saving_mean_based": np.nan,
    }  # fmt: skip
    flagged = np.abs(student) > OUTLIER_STUDENTIZED
    if flagged.any():
        huber = sm.RLM(fit.model.endog, fit.model.exog, M=sm.robust.norms.HuberT()).fit()
        robust = 1 - math.exp(float(huber.params[list(fit.model.exog_names).index(AI)]))
        out["saving_robust"] = robust
        r = rows.iloc[worst]
        arm = "with AI" if r[AI] else "without AI"
        notes.append(
            f"{wid}: run {r[T.observation_id]} ({r[T.minutes]:g} min {arm}) has a studentized residual of "
            f"{student[worst]:.1f} (beyond ±{OUTLIER_STUDENTIZED:g}"
            + (f"; {int(flagged.sum())} runs in all" if flagged.sum() > 1 else "")
            + f"): check it for a typing error. A robust fit (Huber) gives a saving of {robust:.1%} against "
            f"{saving:.1%} from the regression, which the ranking uses."
        )
    resid = np.asarray(fit.resid, dtype=float)
    arm = rows[AI].to_numpy()
    if min((arm == 0).sum(), (arm == 1).sum()) >= 3:
        p = float(stats.levene(resid[arm == 0], resid[arm == 1], center="median").pvalue)
        out["spread_p"] = p
        if np.isfinite(p) and p < SPREAD_TEST_P:
            smear = np.exp(resid[arm == 1]).mean() / np.exp(resid[arm == 0]).mean()
            out["saving_mean_based"] = 1 - math.exp(beta) * smear
            notes.append(
                f"{wid}: the arms differ in spread (Brown–Forsythe p = {p:.3f}): AI saves {saving:.1%} of a typical "
                f"run's time but {out['saving_mean_based']:.1%} of the mean time (smearing, Duan 1983); the "
                "ranking uses the typical-run saving."
            )
    return out


def fit_savings(
    workflows: pd.DataFrame,
    time_studies: pd.DataFrame | None,
    min_runs: int = 5,
    *,
    pooled_model: bool = True,
    level: float = 0.9,
) -> SavingFits:
    """Fit the per-workflow and pooled models and run the data checks. Intervals are chosen
    later, except that a wild cluster bootstrap by person is inverted at `level` (the settings'
    confidence level) and kept as a standard error on G − 1 df. The pooled regression is the
    analyst's cross-check only; `pooled_model=False` skips it (the estimates do not change; the
    simulation study uses this)."""
    warnings: list[str] = []
    wf = workflows[[W.workflow_id, W.task_type]].astype({W.workflow_id: str})
    ts = _study_frame(time_studies, set(wf[W.workflow_id]), warnings)
    if time_studies is None or len(time_studies) == 0:
        warnings.append("No time studies were supplied: every estimate is a published prior.")
    ts = ts.merge(wf, on=W.workflow_id, how="left")

    counts = _arm_counts(ts).reindex(wf[W.workflow_id], fill_value=0)
    eff = wf.set_index(W.workflow_id).join(counts)
    eff["status"], eff["detail"], eff["own"] = "", "", ""
    eff["complexity_used"], eff["person_effects"] = False, False
    eff["beta"], eff["se"], eff["df_resid"], eff["rss"] = np.nan, np.nan, np.nan, np.nan

    coefs, diags, resids, checks = [], [], [], []
    usable = []  # workflows whose runs enter the pooled model
    partial = []
    for wid, rows in ts.groupby(T.workflow_id, sort=True):
        reason = _degenerate(rows)
        if reason:
            eff.loc[wid, ["status", "detail"]] = ["identical times", reason]
            continue
        n0, n1 = eff.loc[wid, "n_without_ai"], eff.loc[wid, "n_with_ai"]
        if n0 and n1:
            usable.append(wid)
        if n0 < min_runs or n1 < min_runs:
            if n0 >= 2 and n1 >= 2:
                partial.append(wid)
            continue
        fitted = _fit_one(str(wid), rows, min_runs, warnings, level)
        if fitted is None:
            eff.loc[wid, ["status", "detail"]] = ["no spread", "the timed runs show no spread to measure uncertainty from"]
            continue
        fit, used, use_c, person_fe, se, df = fitted
        eff.loc[wid, ["own", "beta", "se", "df_resid", "rss", "complexity_used", "person_effects"]] = [
            MEASURED, fit.params[AI], se, df, float(fit.ssr), use_c, person_fe
        ]
        coefs.append(_coef_rows(str(wid), fit))
        diags.append(_diagnostic_row(str(wid), fit, used, use_c, COV_TYPE))
        resids.append(pd.DataFrame({"model": str(wid), AI: used[AI].to_numpy(), "residual": fit.resid.to_numpy()}))
        checks.append(_check_row(str(wid), used, fit, use_c, person_fe, warnings))

    measured = eff[eff["own"] == MEASURED]
    residual_sd = float(math.sqrt(measured["rss"].sum() / measured["df_resid"].sum())) if len(measured) else np.nan
    for wid in partial:
        rows = ts[ts[T.workflow_id] == wid]
        fit = sm.OLS(np.log(rows[T.minutes].to_numpy(float)), sm.add_constant(rows[AI].to_numpy(float), has_constant="add")).fit()
        n0, n1 = int(eff.at[wid, "n_without_ai"]), int(eff.at[wid, "n_with_ai"])
        sd = residual_sd if np.isfinite(residual_sd) else float(np.sqrt(fit.scale))
        if not sd > TINY:
            continue
        # Too few runs for a robust standard error of their own: the residual SD pooled over the
        # measured workflows gives a steadier one (classical, two-sample form).
        eff.loc[wid, ["own", "beta", "se", "df_resid"]] = [
            PARTIAL, fit.params[1], sd * math.sqrt(1 / n0 + 1 / n1), measured["df_resid"].sum() if len(measured) else fit.df_resid
        ]

    task_types, pooled = _fit_pooled(ts[ts[T.workflow_id].isin(usable)], wf, fit=pooled_model)
    if pooled is not None:
        fit, rows, use_c, cov = pooled
        coefs.append(_coef_rows("pooled", fit))
        diags.append(_diagnostic_row("pooled", fit, rows, use_c, cov))
        resids.append(pd.DataFrame({"model": "pooled", AI: rows[AI].to_numpy(), "residual": fit.resid.to_numpy()}))
    _status_codes(eff, min_runs)

    empty_coefs = pd.DataFrame(columns=["model", "term", "coef", "std_err", "df_resid", "n"])
    check_cols = [W.workflow_id, "max_abs_studentized", "saving_robust", "spread_p", "saving_mean_based"]
    return SavingFits(
        effects=eff.drop(columns="rss").reset_index(),
        coefficients=pd.concat(coefs, ignore_index=True) if coefs else empty_coefs,
        diagnostics=pd.DataFrame(diags),
        task_types=task_types,
        residuals=pd.concat(resids, ignore_index=True) if resids else pd.DataFrame(columns=["model", AI, "residual"]),
        checks=pd.DataFrame(checks, columns=check_cols),
        residual_sd=residual_sd,
        min_runs=min_runs,
        warnings=tuple(warnings),
    )


def _fit_one(wid: str, rows: pd.DataFrame, min_runs: int, notes: list[str], level: float = 0.9):
    """The measured model of one workflow with its data checks; None when β has no finite SE.
    Returns (fit, rows used, complexity used, person fixed effects used, SE and df of β for the
    estimates: HC3, or from the wild cluster bootstrap by person when people differ in speed)."""
    used = rows
    blank = rows[T.complexity].isna()
    use_c = _complexity_usable(rows)
    if blank.any() and not blank.all():
        cc = rows[~blank]
        enough = min((cc[AI] == 0).sum(), (cc[AI] == 1).sum()) >= min_runs
        if enough and _complexity_usable(cc):
            used, use_c = cc, True
            means = cc.groupby(AI)[T.complexity].mean()
            notes.append(
                f"{wid}: {int(blank.sum())} run(s) have no complexity rating and are left out of its regression "
                f"(complete cases, {len(cc)} runs); arm balance: complexity averages {means.get(0, np.nan):.2f} "
                f"without AI and {means.get(1, np.nan):.2f} with AI."
            )
        else:
            notes.append(
                f"{wid}: {int(blank.sum())} run(s) have no complexity rating and too few rated runs remain, so "
                "complexity is left out of its regression; the saving is not adjusted for it."
            )
    named, without, with_ai = _people(used)
    if named and not (without & with_ai):
        notes.append(
            f"{wid}: no person timed runs in both arms ({len(without)} without AI, {len(with_ai)} with AI): the "
            "saving cannot be told apart from who did the runs; time the same people with and without AI."
        )
    fit = fit_measured(used, use_c)
    if use_c and not _finite_se(fit, AI):  # a single run decides the complexity slope
        use_c, fit = False, fit_measured(used, False)
    if not _finite_se(fit, AI):
        return None
    person_fe, se, df = False, float(fit.bse[AI]), float(fit.df_resid)
    both = without & with_ai
    if named and both and len(without | with_ai) > 1 and _people_differ(used, fit):
        within = _within_person(used, use_c, fit)
        if within is not None:
            fit, person_fe, se, df = within, True, float(within.bse[AI]), float(within.df_resid)
            notes.append(
                f"{wid}: who timed the runs shifts the saving (the within-person estimate differs from the plain one "
                f"beyond chance, Hausman test), so it is estimated within person (person fixed effects; "
                f"{len(both)} of {len(without | with_ai)} people timed both arms)."
            )
        elif len(without | with_ai) >= MIN_CLUSTERS:
            se_cl, df_cl, kind = _clustered_se(used, fit, level)
            q = 0.5 + level / 2
            if se_cl * stats.t.ppf(q, df_cl) > se * stats.t.ppf(q, df):
                se, df = se_cl, df_cl
                notes.append(
                    f"{wid}: people differ in speed, so runs by one person are not independent: the interval is a "
                    f"wild cluster bootstrap by person ({len(without | with_ai)} people, restricted, {kind.title()} "
                    f"weights; Cameron & Miller 2015), kept as t with {df_cl:g} degrees of freedom."
                )
    if not person_fe and named and both and (gap := _share_gap(used)) is not None:
        _, share_1, share_0 = gap
        notes.append(
            f"{wid}: one person did {share_1:.0%} of the runs with AI but {share_0:.0%} of those without: the "
            "saving may partly reflect who did the runs, and too few runs compare that person with and without "
            "AI to correct it; time the same people in both arms."
        )
    return fit, used, use_c, person_fe, se, df


def _share_gap(rows: pd.DataFrame) -> tuple[str, float, float] | None:
    """(person, share of the AI arm, share of the other arm) for the person whose shares differ
    most, when they differ by at least `PERSON_SHARE_GAP`; else None."""
    people, codes = np.unique(rows[PERSON].to_numpy(), return_inverse=True)
    arm = rows[AI].to_numpy() == 1
    shares = [np.bincount(codes[a], minlength=len(people)) / max(int(a.sum()), 1) for a in (~arm, arm)]
    gap = np.abs(shares[1] - shares[0])
    if gap.max() < PERSON_SHARE_GAP:
        return None
    who = int(np.argmax(gap))  # the first person in sorted order on ties, as before
    return str(people[who]), float(shares[1][who]), float(shares[0][who])


def _fit_pooled(ts: pd.DataFrame, wf: pd.DataFrame, fit: bool = True):
    """The pooled model on every workflow timed in both arms (the analyst's cross-check). Task
    types with fewer than two runs in an arm are left out. Returns the task-type table and
    (fit, rows, complexity_used, cov_type) or None."""
    types = sorted(wf[W.task_type].unique())
    arms = ts.groupby([W.task_type, AI]).size().unstack(AI).reindex(types).fillna(0)
    arms = arms.reindex(columns=[0, 1], fill_value=0)
    n_wf = ts.groupby(W.task_type)[T.workflow_id].nunique().reindex(types).fillna(0).astype(int)
    table = pd.DataFrame({
        W.task_type: pd.Series(types, dtype=object),
        "workflows_timed": n_wf.to_numpy(),
        "n_without_ai": arms[0].astype(int).to_numpy(),
        "n_with_ai": arms[1].astype(int).to_numpy(),
        "pooled_beta": np.nan,
        "pooled_se": np.nan,
        "pooled_df": np.nan,
    })  # fmt: skip
    enough = table[(table["n_without_ai"] >= 2) & (table["n_with_ai"] >= 2)][W.task_type]
    rows = ts[ts[W.task_type].isin(enough)].reset_index(drop=True)
    if rows.empty or not fit:
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
            table.loc[i, ["pooled_beta", "pooled_se", "pooled_df"]] = [fit.params[term], fit.bse[term], fit.df_resid]
    return table, (fit, rows, use_c, cov)


def _status_codes(eff: pd.DataFrame, min_runs: int) -> None:
    """Fill `status` for workflows without a measured estimate: why it is not measured."""
    for wid in eff.index[(eff["own"] != MEASURED) & (eff["status"] == "")]:
        n0, n1 = eff.at[wid, "n_without_ai"], eff.at[wid, "n_with_ai"]
        if n0 + n1 == 0:
            eff.at[wid, "status"] = "no time studies"
        elif n0 + n1 == 1:
            eff.at[wid, "status"] = "single observation"
        elif n0 == 0 or n1 == 0:
            eff.at[wid, "status"] = "one arm only"
        else:
            eff.at[wid, "status"] = "too few runs"


# ---------------------------------------------------------------- REML and robust EB intervals


def _neg_restricted_loglik(tau2: float, y: np.ndarray, v: np.ndarray, codes: np.ndarray, p: int) -> float:
    w = 1 / (v + tau2)
    sw = np.bincount(codes, w, minlength=p)
    mu = np.bincount(codes, w * y, minlength=p) / sw
    r = y - mu[codes]
    return 0.5 * (np.log(v + tau2).sum() + np.log(sw).sum() + (w * r * r).sum())


def reml_tau2(y, v, groups=None) -> float:
    """Between-study variance τ² by restricted maximum likelihood for effects `y` with known
    variances `v` and one mean per group (a meta-regression on group dummies). NaN when there
    are no more effects than groups."""
    y, v = np.asarray(y, float), np.asarray(v, float)
    codes = pd.factorize(pd.Series(groups if groups is not None else np.zeros(len(y))))[0]
    p = int(codes.max()) + 1 if len(codes) else 0
    if len(y) - p < 1:
        return np.nan
    upper = max(10.0 * float(np.var(y)), 10.0 * float(np.max(v)), 1e-6)
    res = optimize.minimize_scalar(
        _neg_restricted_loglik, bounds=(0.0, upper), args=(y, v, codes, p), method="bounded", options={"xatol": 1e-10}
    )
    return 0.0 if _neg_restricted_loglik(0.0, y, v, codes, p) <= res.fun else float(res.x)


def type_tau(y, v, shared_tau: float) -> float:
    """One task type's between-workflow SD: REML on its own workflows, penalized toward the shared
    SD on the log scale (log τ_t ~ N(log τ, TAU_LOG_SD²)), so a type with few workflows stays
    near the shared value and one with many follows its own data; the shared SD with fewer
    than two workflows."""
    y, v = np.asarray(y, float), np.asarray(v, float)
    if len(y) < 2:
        return shared_tau
    codes = np.zeros(len(y), dtype=int)

    def objective(u: float) -> float:
        return _neg_restricted_loglik(math.exp(2 * u), y, v, codes, 1) + (u - math.log(shared_tau)) ** 2 / (2 * TAU_LOG_SD**2)

    centre = math.log(shared_tau)
    res = optimize.minimize_scalar(objective, bounds=(centre - 6, centre + 4), method="bounded", options={"xatol": 1e-8})
    return float(math.exp(res.x))


def _non_coverage(b, chi: float):
    """P(|Z + b| > χ) for Z standard normal (b a number or an array)."""
    return special.ndtr(b - chi) + special.ndtr(-chi - b)


def max_non_coverage(m2: float, chi: float) -> float:
    """ρ(m2, χ): the largest non-coverage of θ̂ ± χ·se over all distributions of the normalized
    bias b with E b² = m2 (Armstrong, Kolesár & Plagborg-Møller 2022): the concave envelope of
    t ↦ P(|Z + √t| > χ) at t = m2. The curve is convex, then concave, so the envelope at m2 is
    the steepest chord from t = 0 through some t ≥ m2, or the curve itself."""
    r0 = float(_non_coverage(0.0, chi))
    if m2 <= 0:
        return r0
    t = np.geomspace(m2, max(m2, (chi + 12.0) ** 2) * 1.0001, 3000)
    best = float(np.max((_non_coverage(np.sqrt(t), chi) - r0) / t))
    return max(float(_non_coverage(math.sqrt(m2), chi)), r0 + m2 * best)


def _cva_exact(m2: float, alpha: float) -> float:
    z = float(stats.norm.ppf(1 - alpha / 2))
    if m2 <= 0:
        return z
    hi = math.sqrt(m2 / alpha) + z + 10.0  # a mass m2/χ² at b ≈ χ alone misses with probability ≈ m2/χ²
    return float(optimize.brentq(lambda c: max_non_coverage(m2, c) - alpha, z * 0.999, hi, xtol=1e-9))


CVA_GRID = np.geomspace(1e-4, 1e4, 161)


@functools.lru_cache(maxsize=16)
def _cva_table(alpha: float) -> np.ndarray:
    return np.array([_cva_exact(float(m), alpha) for m in CVA_GRID])


def robust_critical_value(m2: float, level: float) -> float:
    """cva_α(m2): the half-width, in standard errors, of the robust EBCI at `level` when the
    normalized bias has second moment m2 (AKP 2022, second-moment constraint only). Read off a
    table on a log grid of m2 (computed once per level), exact outside it."""
    alpha = round(1 - float(level), 10)
    if m2 < CVA_GRID[0]:
        return float(stats.norm.ppf(1 - alpha / 2))
    if m2 > CVA_GRID[-1]:
        return _cva_exact(float(m2), alpha)
    return float(np.exp(np.interp(math.log(m2), np.log(CVA_GRID), np.log(_cva_table(alpha)))))


# ---------------------------------------------------------------- hierarchical estimates


@dataclass(frozen=True)
class SavingEstimates:
    """Per workflow (`table`) and per task type (`task_types`); `tau` is the between-workflow SD
    of log-minutes effects within a task type, `tau_estimated` False when it is the fallback."""

    table: pd.DataFrame
    task_types: pd.DataFrame
    tau: float
    tau_estimated: bool
    level: float
    fits: SavingFits
    warnings: tuple[str, ...]


def _typical_tau(own: pd.DataFrame, shared: float) -> float:
    """The median of the task types' own REML τ (types with at least 3 timed workflows), a centre
    for the per-type values that one type's outlying workflow cannot move; `shared` without such
    types."""
    taus = [
        math.sqrt(max(reml_tau2(g["beta"], g["se"] ** 2), TAU_FLOOR**2))
        for _, g in own.groupby(W.task_type)
        if len(g) >= 3
    ]
    return float(np.median(taus)) if taus else shared


def prior_moments(task_type: str) -> tuple[float, float]:
    """(mean, SD) of a task type's mean log-minutes effect from its published prior; the range is
    read as a central `PRIOR_RANGE_LEVEL` range."""
    p = TASK_PRIORS[task_type]
    z = stats.norm.ppf(0.5 + PRIOR_RANGE_LEVEL / 2)
    return math.log(1 - p.saving), (math.log(1 - p.low) - math.log(1 - p.high)) / (2 * z)


def estimate_savings(
    workflows: pd.DataFrame,
    time_studies: pd.DataFrame | None,
    settings: EngagementSettings,
    *,
    level: float | None = None,
    fits: SavingFits | None = None,
) -> SavingEstimates:
    """Every workflow's saving with its interval at `level` (default: settings.confidence_level).

    `table` columns: workflow_id, task_type, source (see SOURCES), n_without_ai, n_with_ai,
    status, detail, complexity_used, person_effects, own_saving (the workflow's own regression,
    NaN without), shrinkage (how far its estimate is pulled toward the task type's mean, 0 to
    1), beta, beta_sd (SD of the effect used for Monte Carlo draws), saving, saving_low,
    saving_high. `fits` reuses `fit_savings` output."""
    level = settings.confidence_level if level is None else float(level)
    if fits is None:
        fits = fit_savings(workflows, time_studies, settings.min_runs_per_arm, level=level)
    e = fits.effects.copy()
    own = e["own"] != ""
    tau2 = reml_tau2(e.loc[own, "beta"], e.loc[own, "se"] ** 2, e.loc[own, W.task_type]) if own.any() else np.nan
    tau_estimated = bool(np.isfinite(tau2))
    tau2 = max(tau2, TAU_FLOOR**2) if tau_estimated else TAU_FALLBACK**2
    centre = _typical_tau(e[own], math.sqrt(tau2)) if tau_estimated else math.sqrt(tau2)
    n_own, n_types = int(own.sum()), int(e.loc[own, W.task_type].nunique())
    df_tau = max(n_own - n_types, 1)

    types = sorted(e[W.task_type].unique())
    tt_rows = []
    for t in types:
        m, s = prior_moments(t)
        mine = e[own & (e[W.task_type] == t)]
        tau_t = type_tau(mine["beta"], mine["se"] ** 2, centre) if tau_estimated else centre
        t2 = max(tau_t, TAU_FLOOR) ** 2
        prec = 1 / s**2 + (1 / (t2 + mine["se"] ** 2)).sum()
        mean = (m / s**2 + (mine["beta"] / (t2 + mine["se"] ** 2)).sum()) / prec
        tt_rows.append({
            W.task_type: t, "workflows_timed": len(mine), "mu": mean, "mu_var": 1 / prec, "tau": math.sqrt(t2),
            "prior_mu": m, "prior_sd": s,
        })  # fmt: skip
    cols = [W.task_type, "workflows_timed", "mu", "mu_var", "tau", "prior_mu", "prior_sd"]
    tt = pd.DataFrame(tt_rows, columns=cols).astype({W.task_type: object}).set_index(W.task_type)

    z = float(stats.norm.ppf(0.5 + level / 2))
    q_new = float(stats.t.ppf(0.5 + level / 2, df_tau)) if tau_estimated else z
    rows = []
    for _, r in e.iterrows():
        t = r[W.task_type]
        mu, v_mu, t2 = tt.at[t, "mu"], tt.at[t, "mu_var"], tt.at[t, "tau"] ** 2
        if r["own"]:
            v = float(r["se"]) ** 2
            b = t2 / (t2 + v)
            beta = mu + b * (r["beta"] - mu)
            noise = math.sqrt(b * b * v + (1 - b) ** 2 * v_mu)
            m2 = (1 - b) ** 2 * t2 / noise**2
            small_sample = float(stats.t.ppf(0.5 + level / 2, r["df_resid"])) / z
            half = robust_critical_value(m2, level) * noise * small_sample
            source, own_saving = r["own"], 1 - math.exp(r["beta"])
        else:
            b, beta = 0.0, mu
            half = q_new * math.sqrt(t2 + v_mu)
            source = BORROWED if tt.at[t, "workflows_timed"] else PRIOR
            own_saving = np.nan
        rows.append({
            W.workflow_id: r[W.workflow_id], "source": source, "own_saving": own_saving, "shrinkage": 1 - b,
            "beta": beta, "beta_sd": half / z, "saving": 1 - math.exp(beta),
            "saving_low": 1 - math.exp(beta + half), "saving_high": 1 - math.exp(beta - half),
        })  # fmt: skip
    est = pd.DataFrame(rows, columns=[W.workflow_id, "source", "own_saving", "shrinkage", "beta", "beta_sd", "saving", "saving_low", "saving_high"])
    keep = [W.workflow_id, W.task_type, "n_without_ai", "n_with_ai", "status", "detail", "complexity_used", "person_effects"]
    table = e[keep].merge(est, on=W.workflow_id, how="left")[
        [W.workflow_id, W.task_type, "source", "n_without_ai", "n_with_ai", "status", "detail", "complexity_used",
         "person_effects", "own_saving", "shrinkage", "beta", "beta_sd", "saving", "saving_low", "saving_high"]
    ]  # fmt: skip
    half_new = q_new * np.sqrt(tt["tau"] ** 2 + tt["mu_var"])
    tt = tt.assign(
        source=np.where(tt["workflows_timed"] > 0, "client time studies", "published prior"),
        saving=1 - np.exp(tt["mu"]),
        saving_low=1 - np.exp(tt["mu"] + half_new),
        saving_high=1 - np.exp(tt["mu"] - half_new),
    ).reset_index()
    tt = tt.merge(fits.task_types[[W.task_type, "n_without_ai", "n_with_ai", "pooled_beta", "pooled_se", "pooled_df"]], on=W.task_type, how="left")
    warnings = list(fits.warnings) + _fallback_warnings(table, tt, fits.min_runs)
    if not tau_estimated and own.any():
        warnings.append(
            f"No task type was timed on two or more workflows, so the spread of savings between workflows of one task "
            f"type cannot be estimated; τ = {TAU_FALLBACK:g} (log minutes) is assumed."
        )
    return SavingEstimates(table, tt, math.sqrt(tau2), tau_estimated, level, fits, tuple(warnings))


def _fallback_warnings(table: pd.DataFrame, tt: pd.DataFrame, min_runs: int) -> list[str]:
    out = []
    by_type = tt.set_index(W.task_type)
    for _, e in table.iterrows():
        if e["source"] == MEASURED:
            continue
        wid, label = e[W.workflow_id], e[W.task_type].replace("_", " ")
        n0, n1 = int(e["n_without_ai"]), int(e["n_with_ai"])
        k = int(by_type.at[e[W.task_type], "workflows_timed"])
        if e["source"] == PARTIAL:
            out.append(
                f"{wid}: fewer than {min_runs} runs in an arm ({n0} without AI, {n1} with AI); its own runs are "
                f"shrunk toward the {label} estimate ({k} timed workflow{'s' if k != 1 else ''}) in proportion to their noise."
            )
            continue
        why = {
            "no time studies": "no time studies",
            "single observation": "a single timed run, too few to measure anything",
            "one arm only": f"runs in one arm only ({n0} without AI, {n1} with AI)",
            "too few runs": f"fewer than 2 runs in an arm ({n0} without AI, {n1} with AI)",
            "identical times": e["detail"],
            "no spread": e["detail"],
        }.get(e["status"], e["status"])
        if e["source"] == BORROWED:
            fallback = (
                f"it borrows the {label} estimate ({k} timed workflow{'s' if k != 1 else ''}) with a prediction "
                "interval for a new workflow"
            )
        else:
            fallback = f"no {label} task was timed with enough runs in both arms, so the published prior for {label} is used"
        out.append(f"{wid}: {why}; {fallback}.")
    return out


# ---------------------------------------------------------------- the simulation study (docs/methods.md)

# benchmarks/study_estimates.py --clients 100 (seeds 1000-1099), 90% intervals; rerun it and update
# this table and docs/methods.md together whenever the estimator changes. Every client leaves eight
# normally studied workflows untimed at random besides the sample's five ("no runs of their own").
STUDY_RESULTS = (
    # setting, estimator, coverage measured, coverage other, coverage no runs of their own,
    # MAE measured, picks reported ÷ true − 1, losing-pick share
    ("default noise, 10-40 runs per arm", "before (measured, else pooled, else prior)", 0.915, 0.622, 0.668, 0.064, -0.001, 0.00),
    ("default noise, 10-40 runs per arm", "this estimator", 0.916, 0.915, 0.926, 0.044, -0.035, 0.00),
    ("noise SD 0.45, 8 runs per arm", "before (measured, else pooled, else prior)", 0.931, 0.817, 0.828, 0.154, 0.275, 0.24),
    ("noise SD 0.45, 8 runs per arm", "this estimator", 0.914, 0.938, 0.945, 0.079, -0.074, 0.02),
    ("task types one prior SD off centre", "before (measured, else pooled, else prior)", 0.916, 0.594, 0.638, 0.066, -0.001, 0.00),
    ("task types one prior SD off centre", "this estimator", 0.912, 0.923, 0.931, 0.047, -0.015, 0.00),
)


def study_table() -> pd.DataFrame:
    """The simulation study's results (100 synthetic clients per setting), for method notes."""
    return pd.DataFrame(
        STUDY_RESULTS,
        columns=[
            "Setting", "Estimator", "90% intervals covering the truth: measured", "… other workflows",
            "… workflows with no runs of their own", "Mean absolute error (measured)", "Picks: reported ÷ true value − 1", "Clients with a money-losing pick",
        ],
    )  # fmt: skip

"""The estimator: REML, the robust empirical-Bayes critical value, the hierarchical posterior, and
the data-quality checks of the measured layer (each on a hand-made case)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kit import estimates
from kit.phases import roi
from kit.settings import EngagementSettings

# BCG vaccine trials (Colditz et al. 1994; metafor's dat.bcg): tpos, tneg, cpos, cneg.
BCG = [
    (4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619), (33, 5036, 47, 5761),
    (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892), (29, 7470, 45, 7232),
    (17, 1699, 65, 1600), (186, 50448, 141, 27197), (5, 2493, 3, 2338), (27, 16886, 29, 17825),
]  # fmt: skip


def _bcg():
    y = np.array([math.log((a / (a + b)) / (c / (c + d))) for a, b, c, d in BCG])
    v = np.array([1 / a - 1 / (a + b) + 1 / c - 1 / (c + d) for a, b, c, d in BCG])
    return y, v


def test_reml_tau2_matches_metafor_on_the_bcg_trials():
    # metafor: rma(yi, vi, data = escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg))
    # gives tau^2 = 0.3132, estimate = -0.7145, se = 0.1798.
    y, v = _bcg()
    tau2 = estimates.reml_tau2(y, v)
    w = 1 / (v + tau2)
    assert tau2 == pytest.approx(0.3132, abs=5e-5)
    assert (w * y).sum() / w.sum() == pytest.approx(-0.7145, abs=5e-5)
    assert 1 / math.sqrt(w.sum()) == pytest.approx(0.1798, abs=5e-5)


def _fixed_point_reml(y, v, groups, iters=5000):
    """REML by the fixed-point iteration of the estimating equation (Viechtbauer 2005, eq. 17,
    generalized to one mean per group): an independent computation."""
    x = pd.get_dummies(pd.Series(groups)).to_numpy(float)
    tau2 = float(np.var(y))
    for _ in range(iters):
        w = 1 / (v + tau2)
        xtwx_inv = np.linalg.inv(x.T @ (w[:, None] * x))
        p = np.diag(w) - (w[:, None] * x) @ xtwx_inv @ (x.T * w)
        r = p @ y
        new = max(0.0, tau2 + (r @ r - np.trace(p)) / np.trace(p @ p))
        if abs(new - tau2) < 1e-14:
            break
        tau2 = new
    return tau2


def test_reml_tau2_with_one_mean_per_group_matches_the_fixed_point_iteration():
    rng = np.random.default_rng(3)
    groups = np.repeat(["a", "b", "c"], [5, 4, 6])
    means = {"a": -0.5, "b": -0.2, "c": 0.0}
    v = rng.uniform(0.005, 0.05, groups.size)
    y = np.array([means[g] for g in groups]) + rng.normal(0, 0.15, groups.size) + rng.normal(0, np.sqrt(v))
    assert estimates.reml_tau2(y, v, groups) == pytest.approx(_fixed_point_reml(y, v, groups), rel=1e-6)


def test_reml_tau2_is_undefined_without_more_effects_than_groups():
    assert math.isnan(estimates.reml_tau2([0.1, 0.2], [0.01, 0.01], ["a", "b"]))


@pytest.mark.parametrize("level", [0.9, 0.95])
def test_the_robust_critical_value_is_the_normal_one_without_shrinkage_and_never_below_the_parametric_one(level):
    z = stats.norm.ppf(0.5 + level / 2)
    assert estimates.robust_critical_value(0.0, level) == pytest.approx(z)
    for m2 in (0.05, 0.5, 2.0, 20.0):
        # Normal effects (the parametric EBCI) are one of the distributions the robust value covers.
        assert estimates.robust_critical_value(m2, level) >= z * math.sqrt(1 + m2) - 1e-6


@pytest.mark.parametrize("m2", [0.1, 1.0, 4.0])
def test_the_worst_case_non_coverage_equals_a_brute_force_search_over_two_point_distributions(m2):
    chi = estimates.robust_critical_value(m2, 0.9)
    best = 0.0
    for t1 in np.linspace(0, m2, 41):
        t2 = np.geomspace(m2 * 1.0001, 400, 4000)
        p = (m2 - t1) / (t2 - t1)
        val = (1 - p) * estimates._non_coverage(np.sqrt(t1), chi) + p * estimates._non_coverage(np.sqrt(t2), chi)
        best = max(best, float(val.max()))
    assert best == pytest.approx(0.10, abs=2e-4)  # the critical value makes the worst case exactly α


# ---------------------------------------------------------------- the hierarchical posterior


def make_settings(**kw) -> EngagementSettings:
    base = {"client": "Test", "slug": "test", "start_date": "2027-01-11", "hourly_cost": 50, "min_runs_per_arm": 5}
    return EngagementSettings(**(base | kw))


def wf(wid: str, task_type: str = "writing") -> dict:
    return {
        "workflow_id": wid, "department": "Finance", "workflow": f"Workflow {wid}", "owner_role": "Analyst",
        "task_type": task_type, "runs_per_month": 40.0, "minutes_per_run": 60.0, "data_sensitivity": "internal",
        "people_involved": 1,
    }  # fmt: skip


def runs(wid: str, without, with_ai, people=None, complexity=None) -> pd.DataFrame:
    minutes = [*without, *with_ai]
    df = pd.DataFrame({
        "workflow_id": wid, "ai_assisted": [False] * len(without) + [True] * len(with_ai), "minutes": minutes,
    })  # fmt: skip
    if people is not None:
        df["employee_id"] = people
    df["complexity"] = pd.array(complexity if complexity is not None else [pd.NA] * len(minutes), dtype="Int64")
    return df


def studies(*frames: pd.DataFrame) -> pd.DataFrame:
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "observation_id", [f"O{i:03d}" for i in range(len(df))])
    return df


def noisy(saving: float, n: int, seed: int, sd: float = 0.3):
    rng = np.random.default_rng(seed)
    return tuple((60 * np.exp(rng.normal(0, sd, n))).round(1)), tuple((60 * (1 - saving) * np.exp(rng.normal(0, sd, n))).round(1))


def test_the_shrunk_effect_is_the_posterior_mean_of_the_normal_hierarchical_model():
    savings = {"A": 0.30, "B": 0.40, "C": 0.45, "D": 0.55}
    wfs = pd.DataFrame([wf(w) for w in savings])
    ts = studies(*(runs(w, *noisy(s, 12, seed=i)) for i, (w, s) in enumerate(savings.items())))
    est = estimates.estimate_savings(wfs, ts, make_settings())
    own = est.fits.effects.set_index("workflow_id")
    tau2 = est.task_types.set_index("task_type").at["writing", "tau"] ** 2
    m, s = estimates.prior_moments("writing")
    # Joint normal: β̂ = θ + e, θ = μ + u, μ ~ N(m, s²): condition θ on β̂ directly.
    y, v = own.loc[list(savings), "beta"].to_numpy(), own.loc[list(savings), "se"].to_numpy() ** 2
    k = len(y)
    cov_theta = s**2 * np.ones((k, k)) + tau2 * np.eye(k)
    cov_y = cov_theta + np.diag(v)
    posterior = m + cov_theta @ np.linalg.solve(cov_y, y - m)
    assert est.table.set_index("workflow_id").loc[list(savings), "beta"].to_numpy() == pytest.approx(posterior, abs=1e-10)


# ---------------------------------------------------------------- data checks, each on a hand-made case

BASE = (50.0, 62.0, 55.0, 70.0, 58.0, 66.0, 52.0, 61.0)  # eight runs without AI
AI_RUNS = tuple(m * 0.75 for m in (51.0, 60.0, 57.0, 68.0, 59.0, 64.0, 53.0, 62.0))  # 25% less time


def warnings_of(ts: pd.DataFrame) -> list[str]:
    r = roi.analyze(pd.DataFrame([wf("W1")]), ts, make_settings())
    return list(roi.warnings_view(r)["Data-quality note"])


def test_arms_timed_by_different_people_are_warned_about():
    ts = studies(runs("W1", BASE, AI_RUNS, people=["P1", "P2"] * 4 + ["P9"] * 8))
    notes = warnings_of(ts)
    assert any(n.startswith("W1: no person timed runs in both arms (2 without AI, 1 with AI)") for n in notes), notes


def test_a_faster_person_doing_most_ai_runs_is_absorbed_by_person_fixed_effects():
    # F works twice as fast; F did 2 of 10 runs without AI and 9 of 10 with AI. True saving 25%.
    wiggle = (1.0, 1.04, 0.97, 1.02, 0.99, 1.03, 0.98, 1.01, 1.0, 0.96)
    people_0 = ["P1", "P2", "P3", "P4"] * 2 + ["F", "F"]
    people_1 = ["F"] * 9 + ["P1"]
    speed = {"F": 0.5}
    without = tuple(60 * speed.get(p, 1) * w for p, w in zip(people_0, wiggle, strict=True))
    with_ai = tuple(45 * speed.get(p, 1) * w for p, w in zip(people_1, wiggle[::-1], strict=True))
    ts = studies(runs("W1", without, with_ai, people=people_0 + people_1))
    r = roi.analyze(pd.DataFrame([wf("W1")]), ts, make_settings())
    notes = list(roi.warnings_view(r)["Data-quality note"])

    assert any(n.startswith("W1: who timed the runs shifts the saving") and "(person fixed effects; 2 of 5 people timed both arms)" in n for n in notes), notes
    w = r.ranking.set_index("workflow_id").loc["W1"]
    assert w["person_effects"]
    assert w["own_saving"] == pytest.approx(0.25, abs=0.03)
    plain = estimates.fit_measured(estimates._study_frame(ts, {"W1"}, []), complexity=False)
    assert 1 - math.exp(plain.params["ai"]) > 0.45  # without them the faster person looks like AI


def test_one_blank_complexity_cell_keeps_the_covariate_on_the_complete_cases_and_reports_arm_balance():
    complexity = [1, 2, 3, 4, 5, 2, 3, 4] + [2, 3, 4, 5, 1, 3, 4, None]
    ts = studies(runs("W1", BASE, AI_RUNS, complexity=complexity))
    r = roi.analyze(pd.DataFrame([wf("W1")]), ts, make_settings())
    notes = list(roi.warnings_view(r)["Data-quality note"])

    assert r.ranking.set_index("workflow_id").at["W1", "complexity_used"]
    assert "complexity" in set(r.regressions.query("model == 'W1'")["term"])
    assert "W1: 1 run(s) have no complexity rating and are left out of its regression (complete cases, 15 runs); arm balance: complexity averages 3.00 without AI and 3.14 with AI." in notes


def test_a_ten_times_typo_is_flagged_with_its_studentized_residual_and_a_robust_fit_beside_it():
    base, with_ai = noisy(0.35, 20, seed=5, sd=0.1)
    typo = (*with_ai[:-1], with_ai[-1] * 10)
    ts = studies(runs("W1", base, typo))
    r = roi.analyze(pd.DataFrame([wf("W1")]), ts, make_settings())
    notes = [n for n in roi.warnings_view(r)["Data-quality note"] if "studentized residual" in n]
    check = r.checks.set_index("workflow_id").loc["W1"]

    assert len(notes) == 1 and notes[0].startswith(f"W1: run O039 ({typo[-1]:g} min with AI) has a studentized residual of ")
    assert check["max_abs_studentized"] > 4
    assert check["saving_robust"] == pytest.approx(0.35, abs=0.05)  # Huber ignores the typo
    assert r.ranking.set_index("workflow_id").at["W1", "own_saving"] < check["saving_robust"] - 0.04  # OLS does not
    assert f"A robust fit (Huber) gives a saving of {check['saving_robust']:.1%}" in notes[0]


def test_arms_with_different_spread_get_the_mean_based_saving_by_smearing():
    rng = np.random.default_rng(11)
    base = tuple(60 * np.exp(rng.normal(0, 0.05, 20)))
    with_ai = tuple(40 * np.exp(rng.normal(0, 0.6, 20)))
    ts = studies(runs("W1", base, with_ai))
    r = roi.analyze(pd.DataFrame([wf("W1")]), ts, make_settings())
    check = r.checks.set_index("workflow_id").loc["W1"]
    fit = estimates.fit_measured(estimates._study_frame(ts, {"W1"}, []), complexity=False)
    resid, ai = np.asarray(fit.resid), np.r_[np.zeros(20), np.ones(20)].astype(bool)
    duan = 1 - math.exp(fit.params["ai"]) * np.exp(resid[ai]).mean() / np.exp(resid[~ai]).mean()

    assert check["spread_p"] < 0.05
    assert check["saving_mean_based"] == pytest.approx(duan)
    assert any(
        n.startswith("W1: the arms differ in spread (Brown–Forsythe p = ") and f"but {duan:.1%} of the mean time (smearing, Duan 1983)" in n
        for n in roi.warnings_view(r)["Data-quality note"]
    )


def test_one_person_doing_most_of_one_arm_is_warned_about_when_too_few_runs_can_correct_it():
    # P9 did every AI run and one of eight runs without AI: people overlap, but barely.
    ts = studies(runs("W1", BASE, AI_RUNS, people=["P1", "P2", "P3"] * 2 + ["P1", "P9"] + ["P9"] * 8))
    notes = warnings_of(ts)
    assert any(n.startswith("W1: one person did 100% of the runs with AI but 12% of those without") for n in notes), notes


def test_when_people_differ_in_speed_the_interval_is_a_wild_cluster_bootstrap_by_person():
    # Five people of different speeds; P1, P2 did most runs without AI and P3, P4 most with AI:
    # runs of one person are not independent, too few cross over to estimate within person.
    speed = {"P1": 1.3, "P2": 0.8, "P3": 1.2, "P4": 0.75, "P5": 1.0}
    p0 = ["P1"] * 4 + ["P2"] * 4 + ["P3", "P4", "P5", "P5"]
    p1 = ["P1", "P2"] + ["P3"] * 4 + ["P4"] * 4 + ["P5", "P5"]
    rng = np.random.default_rng(0)
    w0 = tuple(round(60 * speed[p] * float(np.exp(rng.normal(0, 0.05))), 1) for p in p0)
    w1 = tuple(round(45 * speed[p] * float(np.exp(rng.normal(0, 0.05))), 1) for p in p1)
    named = studies(runs("W1", w0, w1, people=p0 + p1))
    anonymous = named.drop(columns="employee_id")

    def width(ts):
        e = estimates.estimate_savings(pd.DataFrame([wf("W1")]), ts, make_settings())
        return e, float(e.table["saving_high"].iloc[0] - e.table["saving_low"].iloc[0])

    (with_people, wide), (_, narrow) = width(named), width(anonymous)
    assert any(
        n.startswith("W1: people differ in speed, so runs by one person are not independent: the interval is a wild "
                     "cluster bootstrap by person (5 people, restricted, Webb weights")
        and "t with 4 degrees of freedom" in n
        for n in with_people.warnings
    )
    assert wide > narrow
    fit = estimates.fit_measured(estimates._study_frame(named, {"W1"}, []), complexity=False)
    boot = estimates.WildClusterBootstrap(fit.model.endog, fit.model.exog, 1, p0 + p1, estimates.cluster_weights(5, "webb"))
    lo, hi = boot.interval(0.9)
    assert with_people.fits.effects.at[0, "se"] == pytest.approx((hi - lo) / (2 * stats.t.ppf(0.95, 4)))
    assert with_people.fits.effects.at[0, "df_resid"] == 4


def _clustered_case(seed: int, people: int = 7, n: int = 40):
    """Log minutes with a person effect and a person-specific AI effect (mean −0.3), an AI arm
    unevenly spread over people, and noise."""
    rng = np.random.default_rng(seed)
    person = rng.integers(0, people, n)
    ai = (rng.random(n) < rng.uniform(0.2, 0.8, people)[person]).astype(float)
    y = 4 + (-0.3 + rng.normal(0, 0.3, people)[person]) * ai + rng.normal(0, 0.3, people)[person] + rng.normal(0, 0.2, n)
    return y, np.column_stack([np.ones(n), ai]), person


@pytest.mark.parametrize("null", [-0.45, -0.3, 0.0])
def test_wild_cluster_bootstrap_p_values_match_wildboottest_on_every_sign_pattern(null):
    # wildboottest (Fischer & Roodman's port of boottest) enumerates all 2^G Rademacher patterns
    # when there are fewer than its draws, as the kit does: the p-values are the same up to the
    # two draws (w and −w = all ±1) that tie with the sample, which it counts by rounding only.
    import statsmodels.api as sm
    from wildboottest.wildboottest import wildboottest

    y, x, person = _clustered_case(1)
    boot = estimates.WildClusterBootstrap(y, x, 1, person, estimates.cluster_weights(7, "rademacher"))
    ref = wildboottest(sm.OLS(y - null * x[:, 1], x), B=9999, cluster=person, param="x1", show=False, seed=1, parallel=False)
    cr1 = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": person})
    assert boot.se == pytest.approx(cr1.bse[1], rel=1e-10)
    assert boot.t_stat(null) == pytest.approx(float(ref["statistic"].iloc[0]), rel=1e-8)
    assert 0 <= boot.p_value(null) - float(ref["p-value"].iloc[0]) <= 2 / 2**7 + 1e-12


def test_webb_weight_p_values_agree_with_wildboottest_within_simulation_error():
    import statsmodels.api as sm
    from wildboottest.wildboottest import wildboottest

    y, x, person = _clustered_case(2, people=5)
    boot = estimates.WildClusterBootstrap(y, x, 1, person, estimates.cluster_weights(5, "webb"))
    for null in (-0.5, 0.0):
        ref = wildboottest(sm.OLS(y - null * x[:, 1], x), B=9999, cluster=person, param="x1", weights_type="webb", show=False, seed=3, parallel=False)
        assert boot.p_value(null) == pytest.approx(float(ref["p-value"].iloc[0]), abs=0.02)  # 2.8 SE at p = 0.5


def test_the_bootstrap_interval_ends_where_the_test_starts_to_reject():
    y, x, person = _clustered_case(3)
    boot = estimates.WildClusterBootstrap(y, x, 1, person, estimates.cluster_weights(7, "webb"))
    lo, hi = boot.interval(0.9)
    eps = 1e-4
    assert lo < boot.beta < hi
    assert boot.p_value(lo + eps) > 0.1 >= boot.p_value(lo - eps)
    assert boot.p_value(hi - eps) > 0.1 >= boot.p_value(hi + eps)


def test_bootstrap_weights_enumerate_every_sign_pattern_or_draw_webb_points():
    rademacher = estimates.cluster_weights(5, "rademacher")
    assert rademacher.shape == (5, 32) and len({tuple(c) for c in rademacher.T}) == 32
    webb = estimates.cluster_weights(5, "webb", draws=20000)
    assert set(np.round(webb.ravel() ** 2, 6)) == {0.5, 1.0, 1.5}
    assert webb.mean() == pytest.approx(0, abs=0.02) and (webb**2).mean() == pytest.approx(1, abs=0.02)


def test_with_six_people_the_bootstrap_interval_covers_near_nominal_where_hc3_does_not():
    import statsmodels.api as sm

    boot_hits, hc3_hits = [], []
    for seed in range(150):
        y, x, person = _clustered_case(100 + seed, people=6, n=30)
        if x[:, 1].min() == x[:, 1].max() or len(np.unique(person)) < 4:
            continue
        weights = estimates.cluster_weights(len(np.unique(person)), "webb", draws=999)
        boot = estimates.WildClusterBootstrap(y, x, 1, person, weights)
        lo, hi = boot.interval(0.9)
        boot_hits.append(lo <= -0.3 <= hi)
        hc3 = sm.OLS(y, x).fit(cov_type="HC3")
        hc3_hits.append(abs(hc3.params[1] + 0.3) <= stats.t.ppf(0.95, len(y) - 2) * hc3.bse[1])
    assert np.mean(boot_hits) >= 0.84
    assert np.mean(hc3_hits) <= 0.75

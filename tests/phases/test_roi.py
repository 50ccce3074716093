"""ROI ranking: the time AI saves (measured, pooled, prior), value and cost, the ranking, the
start-here picks, edge cases, and the checks on the sample client."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from kit import estimates
from kit import notebook as nb
from kit.evidence import TASK_PRIORS
from kit.intake import load_engagement
from kit.model import EngagementModel
from kit.phases import roi
from kit.settings import EngagementSettings

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "halden"
T90 = stats.t.ppf(0.95, 4)  # two arms of three runs: 6 runs − 2 parameters = 4 residual df

# Geometric mean 60 without AI and 30 with AI: saving exactly 50%. Each arm's residuals are
# −log 1.2, 0, +log 1.2, so the HC3 standard error of β is exactly log 1.2 (see the first test).
WITHOUT = (50.0, 60.0, 72.0)
HALF = (25.0, 30.0, 36.0)


def make_settings(**kw) -> EngagementSettings:
    base = {"client": "Test", "slug": "test", "start_date": "2027-01-11", "hourly_cost": 50, "min_runs_per_arm": 3}
    return EngagementSettings(**(base | kw))


def wf(wid: str, task_type: str = "writing", runs: float = 40, minutes: float = 60, data: str = "internal",
       people: int = 1, role: str = "Analyst", name: str | None = None) -> dict:  # fmt: skip
    return {
        "workflow_id": wid, "department": "Finance", "workflow": name or f"Workflow {wid}", "owner_role": role,
        "task_type": task_type, "runs_per_month": float(runs), "minutes_per_run": float(minutes),
        "data_sensitivity": data, "people_involved": people,
    }  # fmt: skip


def workflows(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows)).astype({"people_involved": "Int64"})


def timed(wid: str, without=(), with_ai=()) -> list[dict]:
    return [{"workflow_id": wid, "ai_assisted": False, "minutes": m} for m in without] + [
        {"workflow_id": wid, "ai_assisted": True, "minutes": m} for m in with_ai
    ]


def studies(*groups: list[dict]) -> pd.DataFrame:
    rows = [r for g in groups for r in g]
    df = pd.DataFrame(rows, columns=["workflow_id", "ai_assisted", "minutes"])
    df.insert(0, "observation_id", [f"O{i}" for i in range(len(df))])
    df["complexity"] = pd.array([pd.NA] * len(df), dtype="Int64")
    return df


def row(result: roi.RoiResult, wid: str) -> pd.Series:
    return result.ranking.set_index("workflow_id").loc[wid]


def given(wfs: pd.DataFrame, saving: float = 0.5, low: float | None = None, high: float | None = None) -> pd.DataFrame:
    """A savings table in the estimator's format with the same saving for every workflow (to
    test valuation on its own). Default interval: the t interval of the WITHOUT/HALF runs."""
    low = 1 - (1 - saving) * 1.2**T90 if low is None else low
    high = 1 - (1 - saving) * 1.2 ** (-T90) if high is None else high
    n = len(wfs)
    return pd.DataFrame({
        "workflow_id": wfs["workflow_id"].astype(str), "source": "measured", "status": "", "n_without_ai": 3,
        "n_with_ai": 3, "complexity_used": False, "person_effects": False, "own_saving": saving, "shrinkage": 0.0,
        "beta": math.log(1 - saving), "beta_sd": [math.log(1.2) * T90 / stats.norm.ppf(0.95)] * n,
        "saving": saving, "saving_low": low, "saving_high": high,
    })  # fmt: skip


def analyze_at(wfs, saving=0.5, **kw):
    """`roi.analyze` with a given saving (valuation tests)."""
    return roi.analyze(wfs, None, make_settings(**kw.pop("settings", {})), savings=given(wfs, saving), **kw)


# ---------------------------------------------------------------- measured layer (the analyst's view)


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95])
def test_measured_saving_and_its_hc3_t_interval_match_the_hand_computation(level):
    r = roi.analyze(workflows(wf("W1")), studies(timed("W1", WITHOUT, HALF)), make_settings(), confidence_level=level)
    w = row(r, "W1")
    t = stats.t.ppf(0.5 + level / 2, 4)

    assert w["source"] == "measured"
    assert (w["n_without_ai"], w["n_with_ai"]) == (3, 3)
    assert w["own_saving"] == pytest.approx(0.5, abs=1e-12)
    # HC3: Σ e²/(1−h)² per arm ÷ n² = (2·log²1.2 · 9/4) / 9 = log²1.2 / 2, two arms: log²1.2.
    ai = r.regressions.query("model == 'W1' and term == 'ai'").iloc[0]
    assert ai["std_err"] == pytest.approx(math.log(1.2), abs=1e-12)
    assert ai["ci_low"] == pytest.approx(math.log(0.5) - t * math.log(1.2), abs=1e-12)
    assert ai["ci_high"] == pytest.approx(math.log(0.5) + t * math.log(1.2), abs=1e-12)


def test_a_measured_saving_is_shrunk_toward_its_task_type_and_the_prior_and_keeps_an_interval_around_it():
    # One writing workflow at 50% on 3 + 3 runs; the writing prior says 40%.
    r = roi.analyze(workflows(wf("W1")), studies(timed("W1", WITHOUT, HALF)), make_settings())
    w = row(r, "W1")
    assert TASK_PRIORS["writing"].saving < w["saving"] < 0.5
    assert 0 < w["shrinkage"] < 1
    assert w["saving_low"] < w["saving"] < w["saving_high"]


def test_a_wider_interval_level_widens_the_saving_range():
    data = (workflows(wf("W1")), studies(timed("W1", WITHOUT, HALF)), make_settings())
    narrow, wide = (roi.analyze(*data, confidence_level=lv) for lv in (0.8, 0.95))
    assert row(wide, "W1")["saving_low"] < row(narrow, "W1")["saving_low"] < row(narrow, "W1")["saving"]
    assert row(wide, "W1")["saving_high"] > row(narrow, "W1")["saving_high"] > row(narrow, "W1")["saving"]


def test_complexity_enters_the_measured_model_when_every_run_has_a_varying_rating():
    ts = studies(timed("W1", (40, 60, 80, 50), (20, 30, 40, 25)))
    ts["complexity"] = pd.array([1, 3, 5, 2, 1, 3, 5, 2], dtype="Int64")
    r = roi.analyze(workflows(wf("W1")), ts, make_settings())
    model = r.regressions.query("model == 'W1'")

    assert row(r, "W1")["complexity_used"]
    assert set(model["term"]) == {"Intercept", "ai", "complexity"}
    assert row(r, "W1")["own_saving"] == pytest.approx(0.5, abs=1e-9)  # same complexities in both arms


# ---------------------------------------------------------------- value, cost, ROI, payback


@pytest.mark.parametrize(
    ("horizon", "adoption", "hours_saved", "value", "cost", "net"),
    [
        # 40 runs × 12 × 60 min = 480 h a year; × 50% × adoption; × USD 50; seats 30 × 1 × horizon + 2,000.
        (12, 0.7, 168.0, 8400.0, 2360.0, 6040.0),
        (24, 0.7, 168.0, 16800.0, 2720.0, 14080.0),
        (12, 0.5, 120.0, 6000.0, 2360.0, 3640.0),
    ],
)
def test_value_cost_net_value_and_roi_are_carried_over_the_horizon(horizon, adoption, hours_saved, value, cost, net):
    w = row(analyze_at(workflows(wf("W1")), horizon_months=horizon, adoption_rate=adoption), "W1")
    assert w["annual_hours_saved"] == pytest.approx(hours_saved)
    assert w["horizon_value"] == pytest.approx(value)
    assert w["cost"] == pytest.approx(cost)
    assert w["net_value"] == pytest.approx(net)
    assert w["roi"] == pytest.approx(net / cost)
    # Payback: enablement ÷ (monthly value − monthly seats).
    assert w["payback_months"] == pytest.approx(2000 / (hours_saved * 50 / 12 - 30))


def test_the_interval_is_carried_through_to_net_value_and_payback():
    w = row(analyze_at(workflows(wf("W1"))), "W1")
    low_hours = 480 * (1 - 0.5 * 1.2**T90) * 0.7
    assert w["annual_hours_saved_low"] == pytest.approx(low_hours)
    assert w["net_value_low"] == pytest.approx(low_hours * 50 - 2360)
    assert w["net_value_low"] < w["net_value"] < w["net_value_high"]
    assert w["payback_months_high"] == pytest.approx(2000 / (low_hours * 50 / 12 - 30))  # slowest payback
    assert w["payback_months_low"] < w["payback_months"] < w["payback_months_high"]


@pytest.mark.parametrize(("override", "expected"), [(None, 80.0), (120.0, 120.0)])
def test_value_is_at_the_owner_roles_hourly_cost_unless_overridden(override, expected):
    r = analyze_at(workflows(wf("W1")), settings={"hourly_cost_by_role": {"analyst": 80}}, hourly_cost=override)
    assert row(r, "W1")["hourly_cost"] == expected
    assert row(r, "W1")["annual_value"] == pytest.approx(168 * expected)


def test_seats_count_the_people_involved():
    r = roi.analyze(workflows(wf("W1", people=4)), studies(timed("W1", WITHOUT, HALF)), make_settings(seat_cost_per_month=25))
    assert row(r, "W1")["seat_cost"] == 25 * 4 * 12
    assert row(r, "W1")["cost"] == 25 * 4 * 12 + 2000


def test_zero_runs_a_month_saves_nothing_costs_the_seats_and_never_pays_back():
    r = roi.analyze(workflows(wf("W1", runs=0)), studies(timed("W1", WITHOUT, HALF)), make_settings())
    w = row(r, "W1")
    assert w["annual_hours_saved"] == 0 and w["net_value"] == -2360
    assert math.isinf(w["payback_months"])
    assert not w["recommended"]
    assert "W1: runs_per_month is 0, so AI saves no time there and it is not recommended." in r.warnings


# ---------------------------------------------------------------- partial pooling, borrowed and prior estimates

# Four writing workflows timed 20 + 20 times with a little noise around savings of 30-50%.
RNG_SAVINGS = {"A": 0.30, "B": 0.40, "C": 0.45, "D": 0.50}


def _noisy_runs(wid: str, saving: float, n: int, seed: int, sd: float = 0.3) -> list[dict]:
    rng = np.random.default_rng(seed)
    base = 60 * np.exp(rng.normal(0, sd, n))
    ai = 60 * (1 - saving) * np.exp(rng.normal(0, sd, n))
    return timed(wid, tuple(base.round(1)), tuple(ai.round(1)))


def _writing_client(n_d: int):
    wfs = workflows(*(wf(w) for w in RNG_SAVINGS))
    runs = [_noisy_runs(w, s, 20 if w != "D" else n_d, seed=i) for i, (w, s) in enumerate(RNG_SAVINGS.items())]
    return wfs, studies(*runs), make_settings(min_runs_per_arm=5)


def test_cutting_a_measured_workflow_to_four_runs_per_arm_widens_its_interval():
    full = row(roi.analyze(*_writing_client(20)), "D")
    cut = row(roi.analyze(*_writing_client(4)), "D")
    assert full["source"] == "measured" and cut["source"] == "partially pooled"
    assert cut["saving_high"] - cut["saving_low"] > full["saving_high"] - full["saving_low"]


def test_a_borrowed_workflow_gets_a_prediction_interval_for_a_new_workflow_not_the_means_standard_error():
    wfs, ts, settings = _writing_client(20)
    wfs = pd.concat([wfs, workflows(wf("E"))], ignore_index=True)
    est = estimates.estimate_savings(wfs, ts, settings)
    e = est.table.set_index("workflow_id").loc["E"]
    tt = est.task_types.set_index("task_type").loc["writing"]
    z = stats.t.ppf(0.95, 4 - 1)  # df: 4 timed workflows − 1 task type
    assert e["source"] == "borrowed"
    assert e["saving"] == pytest.approx(1 - math.exp(tt["mu"]))
    half = math.log((1 - e["saving_low"]) / (1 - e["saving"]))
    assert half == pytest.approx(z * math.sqrt(tt["tau"] ** 2 + tt["mu_var"]), rel=1e-9)
    assert half > 1.5 * z * math.sqrt(tt["mu_var"])  # the spread between workflows dominates


def test_a_workflow_with_too_few_runs_is_partially_pooled_and_one_without_usable_runs_borrows_its_task_type():
    wfs, ts, settings = _writing_client(20)
    wfs = pd.concat([wfs, workflows(wf("E"), wf("F"))], ignore_index=True)
    ts = pd.concat([ts, studies(timed("E", (60, 66, 58), (30, 33, 29)), timed("F", (80.0,), (40.0,)))], ignore_index=True)
    r = roi.analyze(wfs, ts, settings)

    assert row(r, "E")["source"] == "partially pooled"  # 3 + 3 runs of its own: not "pooled"
    assert row(r, "F")["source"] == "borrowed"
    assert row(r, "E")["own_saving"] == pytest.approx(0.5, abs=0.02)
    assert r.n_measured == 4 and r.n_partial == 1 and r.n_borrowed == 1 and r.n_prior == 0
    assert any(w.startswith("E: fewer than 5 runs in an arm (3 without AI, 3 with AI); its own runs are shrunk toward the writing estimate") for w in r.warnings)
    assert any(w.startswith("F: fewer than 2 runs in an arm (1 without AI, 1 with AI); it borrows the writing estimate") for w in r.warnings)
    assert "C(task_type)[writing]:ai" in set(r.regressions.query("model == 'pooled'")["term"])
    view = roi.ranking_view(r).set_index(roi.ranking_view(r)["Workflow"].str.removeprefix("★ "))
    assert view.loc["Workflow E", "Estimate from"] == "partially pooled"
    assert view.loc["Workflow F", "Estimate from"] == "borrowed from task type"


def test_a_noisy_workflow_is_shrunk_toward_its_own_task_type_not_a_grand_mean():
    # Writing saves ~40-50% on four precise workflows; data entry ~5% on three. A noisy data-entry
    # workflow that happened to show 45% is pulled toward data entry's 5%, not the overall mean.
    wfs = workflows(*(wf(w) for w in RNG_SAVINGS), *(wf(f"X{i}", task_type="data_entry") for i in range(4)))
    runs = [_noisy_runs(w, s, 20, seed=i) for i, (w, s) in enumerate(RNG_SAVINGS.items())]
    runs += [_noisy_runs(f"X{i}", 0.05, 20, seed=10 + i, sd=0.1) for i in range(3)]
    runs += [timed("X3", (60, 90, 40, 70, 50), (30, 50, 20, 40, 25))]
    r = roi.analyze(wfs, studies(*runs), make_settings(min_runs_per_arm=5))
    x3 = row(r, "X3")
    assert x3["own_saving"] > 0.4
    assert x3["saving"] < 0.25  # well below both its own 45%+ and the grand mean of the others (~25%)


@pytest.mark.parametrize("task_type", ["writing", "scheduling", "coding", "physical_onsite"])
def test_a_task_type_with_no_client_data_gets_the_published_prior_with_an_interval_at_the_level_that_admits_no_saving(task_type):
    r = roi.analyze(workflows(wf("W1", task_type=task_type)), None, make_settings())
    w, prior = row(r, "W1"), TASK_PRIORS[task_type]

    assert w["source"] == "prior" and w["prior_only"]
    assert w["saving"] == pytest.approx(prior.saving)
    # The published range is read as a 90% range for the task type's mean (its SD in log minutes
    # from the range's width); a workflow adds the spread between workflows (τ = 0.10 assumed).
    mean, sd = estimates.prior_moments(task_type)
    assert mean == pytest.approx(math.log(1 - prior.saving))
    assert sd == pytest.approx((math.log(1 - prior.low) - math.log(1 - prior.high)) / (2 * stats.norm.ppf(0.95)))
    half = stats.norm.ppf(0.95) * math.sqrt(sd**2 + estimates.TAU_FALLBACK**2)
    assert (w["saving_low"], w["saving_high"]) == pytest.approx((1 - math.exp(mean + half), 1 - math.exp(mean - half)))
    assert w["saving_low"] < 0  # zero and negative effects are admitted
    assert "rests only on a published prior" in w["note"]
    assert "No time studies were supplied: every estimate is a published prior." in r.warnings


def test_client_data_outweigh_the_prior_for_the_whole_task_type():
    # The client's writing saves 10% on two well-timed workflows; the prior says 40%.
    wfs = workflows(wf("W1"), wf("W2"), wf("W3"))
    ts = studies(_noisy_runs("W1", 0.10, 30, seed=1, sd=0.1), _noisy_runs("W2", 0.10, 30, seed=2, sd=0.1))
    r = roi.analyze(wfs, ts, make_settings())
    assert row(r, "W3")["source"] == "borrowed"
    assert row(r, "W3")["saving"] == pytest.approx(0.10, abs=0.03)


# ---------------------------------------------------------------- slower with AI


def test_a_workflow_where_ai_made_runs_slower_gets_a_negative_saving_and_is_not_recommended():
    slower = tuple(m * 1.2 for m in WITHOUT)
    wfs = workflows(wf("W1", task_type="analysis"), wf("W2", task_type="writing"))
    r = roi.analyze(wfs, studies(timed("W1", WITHOUT, slower), timed("W2", WITHOUT, HALF)), make_settings())
    w = row(r, "W1")

    assert w["own_saving"] == pytest.approx(-0.2, abs=1e-9)
    assert w["saving"] < 0  # still slower after shrinking toward the analysis prior (20% saving)
    assert w["annual_hours_saved"] < 0 and w["net_value"] < -w["cost"]
    assert not w["recommended"]
    assert f"AI made runs slower ({-w['saving']:.0%} more time)" in w["note"]
    assert list(r.start_here["workflow_id"]) == ["W2"]


# ---------------------------------------------------------------- edge cases: a message, never a crash


@pytest.mark.parametrize(
    ("runs", "status", "message"),
    [
        (timed("W1", (50, 60, 70, 80, 90, 55)), "one arm only",
         "W1: runs in one arm only (6 without AI, 0 with AI); no writing task was timed with enough runs in both arms, so the published prior for writing is used."),
        (timed("W1", (), (30, 35, 40)), "one arm only", "W1: runs in one arm only (0 without AI, 3 with AI)"),
        (timed("W1", (60,) * 5, (60,) * 5), "identical times", "W1: every timed run records the same time (60 min without AI and 60 min with AI)"),
        (timed("W1", (60,) * 4, (45,) * 4), "identical times", "W1: every timed run records the same time (60 min without AI and 45 min with AI)"),
        (timed("W1", (60,)), "single observation", "W1: a single timed run, too few to measure anything"),
        ([], "no time studies", "W1: no time studies; no writing task was timed with enough runs in both arms"),
        (timed("W1", (50, 60), (30,)), "too few runs",
         "W1: fewer than 2 runs in an arm (2 without AI, 1 with AI); no writing task was timed with enough runs"),
    ],
)  # fmt: skip
def test_thin_or_odd_time_studies_give_a_plain_message_and_fall_back_to_the_prior(runs, status, message):
    r = roi.analyze(workflows(wf("W1"), wf("W2", task_type="analysis")), studies(runs), make_settings())
    w = row(r, "W1")

    assert w["status"] == status
    assert w["source"] == "prior"
    assert w["saving"] == pytest.approx(TASK_PRIORS["writing"].saving)
    assert any(m.startswith(message) for m in r.warnings), r.warnings
    assert np.isfinite(r.ranking[["saving", "saving_low", "saving_high", "net_value", "net_value_low"]].to_numpy()).all()


def test_time_studies_of_unknown_workflows_are_ignored_with_a_message():
    ts = studies(timed("W1", WITHOUT, HALF), timed("X9", (10,), (5,)))
    r = roi.analyze(workflows(wf("W1")), ts, make_settings())
    assert row(r, "W1")["source"] == "measured"
    assert "time_studies: 2 run(s) name workflows not in the inventory (X9); they are ignored." in r.warnings


def test_an_empty_inventory_gives_an_empty_ranking_and_says_so():
    r = roi.analyze(workflows(wf("W1")).iloc[0:0], None, make_settings())
    assert r.ranking.empty and r.start_here.empty
    assert roi.summary_text(r) == "There are no workflows to rank."


# ---------------------------------------------------------------- ranking and picks


def _lucky_vs_sure():
    # Four writing workflows timed 20 + 20 times (30-50%); L: 3 + 3 scattered runs that happen to
    # show 70%. S: 20 + 20 tight runs at 55%. Same volume for all.
    wfs, ts, _ = _writing_client(20)
    wfs = pd.concat([wfs, workflows(wf("L"), wf("S"))], ignore_index=True)
    more = studies(timed("L", (40, 60, 90), (12, 18, 27)), _noisy_runs("S", 0.55, 20, seed=3, sd=0.05))
    return wfs, pd.concat([ts, more], ignore_index=True), make_settings()


@pytest.mark.parametrize(("ranking", "first"), [("conservative", "S"), ("point", "L")])
def test_the_shrunk_estimate_ranks_a_lucky_small_sample_below_a_sure_one_and_its_own_estimate_does_not(ranking, first):
    r = roi.analyze(*_lucky_vs_sure(), ranking=ranking, top_n=1)
    assert r.ranking["workflow_id"].iloc[0] == first
    assert list(r.ranking["rank"]) == list(range(1, 7))
    assert row(r, "L")["own_saving"] == pytest.approx(0.7, abs=1e-9)
    assert row(r, "L")["saving"] < row(r, "S")["saving"] < 0.55
    assert list(r.start_here["workflow_id"]) == [first]


def _surer_vs_bigger():
    # A: 50% on 80 runs a month. B: coding, never timed: prior 25% (−20% to 56%) on 200 runs.
    wfs = workflows(wf("A", runs=80), wf("B", task_type="coding", runs=200, role="Developer"))
    return wfs, studies(timed("A", WITHOUT, HALF)), make_settings()


def test_a_pick_resting_only_on_a_prior_is_flagged():
    r = roi.analyze(*_surer_vs_bigger(), top_n=1)
    pick = r.start_here.iloc[0]
    assert pick["workflow_id"] == "B" and pick["prior_only"]
    assert pick["note"].endswith("check with a time study before committing")
    assert "Workflow B rests only on published studies" in roi.summary_text(r)


@pytest.mark.parametrize("top_n", [1, 2, 3])
def test_top_n_sets_how_many_workflows_are_recommended(top_n):
    wfs = workflows(*(wf(f"W{i}", runs=20 * i) for i in range(1, 5)))
    r = roi.analyze(wfs, None, make_settings(), top_n=top_n)
    assert len(r.start_here) == top_n
    assert list(r.start_here["rank"]) == list(range(1, top_n + 1))
    assert r.start_here_net_value == pytest.approx(r.start_here["net_value"].sum())
    assert r.start_here_net_value_low < r.start_here_net_value < r.start_here_net_value_high


TOOLS = pd.DataFrame({
    "tool": ["ChatGPT Team"], "vendor": ["OpenAI"], "category": ["chat_assistant"], "plan": ["team"],
    "seats": [10], "cost_per_seat_month": [30.0], "approved": [True], "max_data_class": ["internal"],
})  # fmt: skip


def test_start_here_skips_a_workflow_whose_data_class_has_no_approved_tool_and_says_so():
    wfs = workflows(wf("C", runs=200, data="confidential", name="Board pack"), wf("I", runs=100), wf("P", runs=50, data="public"))
    r = roi.analyze(wfs, None, make_settings(), tools=TOOLS, top_n=2, ranking="point")

    assert list(r.ranking["workflow_id"]) == ["C", "I", "P"]
    assert list(r.start_here["workflow_id"]) == ["I", "P"]
    assert row(r, "C")["note"].startswith("skipped for its data: ")
    assert "no approved tool may hold confidential data" in row(r, "C")["note"]
    assert "Ranked 1 but skipped: **Board pack**" in roi.start_here_text(r)


@pytest.mark.parametrize(("tools", "recommended"), [(None, {"I", "C"}), (TOOLS, {"I"})])
def test_restricted_data_is_never_recommended_and_without_a_tool_inventory_confidential_is_assumed_covered(tools, recommended):
    wfs = workflows(wf("R", runs=300, data="restricted"), wf("C", runs=200, data="confidential"), wf("I", runs=100))
    r = roi.analyze(wfs, None, make_settings(), tools=tools)
    assert set(r.start_here["workflow_id"]) == recommended
    assert "restricted data may go into no AI tool" in row(r, "R")["note"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"adoption_rate": 1.5}, "adoption_rate must be between 0 and 1"),
        ({"horizon_months": 0}, "horizon_months must be a whole number from 1 to 60"),
        ({"confidence_level": 1.0}, "confidence_level must be between 0.5 and 1"),
        ({"ranking": "best"}, "ranking must be one of conservative, point"),
        ({"top_n": 0}, "top_n must be at least 1"),
        ({"hourly_cost": -5}, "hourly_cost must be a number > 0"),
    ],
)
def test_a_bad_override_is_refused_with_a_plain_message(override, message):
    with pytest.raises(ValueError, match=message):
        roi.analyze(workflows(wf("W1")), None, make_settings(), **override)


# ---------------------------------------------------------------- sensitivity, record, charts, live view


def test_sensitivity_moves_one_factor_at_a_time_around_the_central_net_value():
    r = analyze_at(workflows(wf("W1")))
    s = r.sensitivity.set_index("factor")
    # Value 8,400 over 12 months, cost 2,360.
    assert s.loc["hourly cost", ["net_value_at_low", "net_value_at_high"]].tolist() == pytest.approx([8400 * 0.75 - 2360, 8400 * 1.25 - 2360])
    assert s.loc["adoption rate", ["low_setting", "high_setting"]].tolist() == ["35%", "100%"]
    assert s.loc["adoption rate", ["net_value_at_low", "net_value_at_high"]].tolist() == pytest.approx([4200 - 2360, 12000 - 2360])
    w = row(r, "W1")
    assert s.loc["time saved", "net_value_at_low"] == pytest.approx(w["net_value_low"])
    assert (s["net_value"] == w["net_value"]).all()


def test_the_result_records_as_json_with_never_paid_back_as_null():
    r = analyze_at(workflows(wf("W1", runs=0), wf("W2")))
    record = json.loads(json.dumps(nb.result_record("roi_ranking", r), allow_nan=False))
    table = record["tables"]["ranking"]
    cols = table["columns"]
    rows = {d[cols.index("workflow_id")]: d for d in table["data"]}
    assert rows["W1"][cols.index("payback_months")] is None
    assert rows["W2"][cols.index("payback_months")] == pytest.approx(2000 / (168 * 50 / 12 - 30))
    assert rows["W2"][cols.index("saving")] == pytest.approx(0.5)
    assert record["scalars"]["ranking_basis"] == "conservative"
    assert record["scalars"]["hourly_cost"] is None


@pytest.mark.parametrize(
    "chart_fn", [roi.net_value_chart, roi.saving_chart, roi.value_certainty_chart, roi.sensitivity_chart, roi.residuals_chart]
)
def test_every_chart_has_a_title_and_titled_axes(chart_fn):
    r = roi.analyze(
        workflows(wf("W1"), wf("W2"), wf("W3", task_type="coding")),
        studies(timed("W1", WITHOUT, HALF), timed("W2", (80,), (40,))),
        make_settings(),
    )
    spec = chart_fn(r).to_dict()
    assert spec["title"]["text"]
    titles = [enc["title"] for enc in _encodings(spec) if enc.get("type") == "quantitative" and "title" in enc]
    assert titles and all(titles)  # every titled value axis says what it measures


def _encodings(spec):
    """Every x/y encoding in a (layered, faceted) spec."""
    for key in ("layer", "spec"):
        parts = spec.get(key) or []
        for part in parts if isinstance(parts, list) else [parts]:
            yield from _encodings(part)
    for channel in ("x", "y"):
        if channel in spec.get("encoding", {}):
            yield spec["encoding"][channel]


def test_the_ranked_chart_colours_by_estimate_source_and_marks_the_picks():
    r = roi.analyze(*_surer_vs_bigger())
    spec = roi.net_value_chart(r).to_dict()
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["field"] == "source"
    assert colour["scale"]["domain"] == ["measured", "partially pooled", "borrowed", "prior"]
    labels = {v["label"] for v in spec["datasets"].values() for v in v if "label" in v}
    assert "★ 1. Workflow B" in labels


def test_the_live_view_follows_the_interval_level_and_ranking():
    from kit.intake import Engagement

    wfs, ts, settings = _lucky_vs_sure()
    eng = Engagement(folder=Path("."), settings=settings, tables={"workflows": wfs, "time_studies": ts})
    view = roi.explorer(EngagementModel(eng))
    say, chart, _table, _picks = view(confidence_level=0.8, top_n=1)
    assert "Start with Workflow S." in say.text
    wide = view(confidence_level=0.95, top_n=1)[1].to_dict()
    narrow = chart.to_dict()
    assert _lows(wide)[0] < _lows(narrow)[0]
    assert "Start with Workflow L." in view(ranking="point", top_n=1)[0].text


def _lows(spec: dict) -> list[float]:
    return sorted(v["net_value_low"] for d in spec["datasets"].values() for v in d if "net_value_low" in v)


# ---------------------------------------------------------------- the sample client

needs_sample = pytest.mark.skipif(not (SAMPLE / "planted.json").is_file(), reason="sample client not generated")


@pytest.fixture(scope="module")
def sample():
    eng = load_engagement(SAMPLE)
    return eng, roi.analyze_engagement(eng), json.loads((SAMPLE / "planted.json").read_text(encoding="utf-8"))


@needs_sample
def test_measured_effects_and_standard_errors_equal_an_independent_statsmodels_fit(sample):
    eng, r, _ = sample
    ts = eng.table("time_studies")
    measured = r.ranking[r.ranking["source"] == "measured"]
    assert len(measured) >= 30 and measured["complexity_used"].all()
    coefs = r.regressions.set_index(["model", "term"])
    for wid in measured["workflow_id"]:
        sub = ts[ts["workflow_id"] == wid]
        data = pd.DataFrame({
            "minutes": sub["minutes"].to_numpy(float),
            "ai": sub["ai_assisted"].astype(int).to_numpy(),
            "complexity": sub["complexity"].to_numpy(float),
        })  # fmt: skip
        fit = smf.ols("np.log(minutes) ~ ai + complexity", data=data).fit(cov_type="HC3")
        for term in ("ai", "complexity"):
            assert coefs.loc[(wid, term), "coef"] == pytest.approx(fit.params[term], abs=1e-6)
            assert coefs.loc[(wid, term), "std_err"] == pytest.approx(fit.bse[term], abs=1e-6)
        assert row(r, wid)["own_saving"] == pytest.approx(1 - math.exp(fit.params["ai"]), abs=1e-6)


@needs_sample
def test_runs_per_arm_are_reported_as_planted(sample):
    _, r, truth = sample
    for wid, arms in truth["runs_per_arm"].items():
        assert (row(r, wid)["n_without_ai"], row(r, wid)["n_with_ai"]) == (arms["baseline"], arms["ai"]), wid
    for wid in truth["no_time_studies"]:
        assert row(r, wid)["status"] == "no time studies" and row(r, wid)["source"] != "measured"
    for wid, arms in truth["too_few_runs"].items():
        own_runs = min(arms.values()) >= 2  # two runs in each arm give an estimate of its own
        assert row(r, wid)["source"] == ("partially pooled" if own_runs else "borrowed"), wid


@needs_sample
def test_the_planted_true_saving_lies_inside_the_interval_for_at_least_85_percent_of_measured_workflows(sample):
    _, r, truth = sample
    m = r.ranking[r.ranking["source"] == "measured"].set_index("workflow_id")
    true = pd.Series(truth["true_saving"]).reindex(m.index)
    inside = (m["saving_low"] <= true) & (true <= m["saving_high"])
    assert inside.mean() >= 0.85, m[~inside][["saving_low", "saving", "saving_high"]].assign(true=true)


@needs_sample
def test_the_planted_best_workflows_rank_in_the_top_five_and_are_the_picks(sample):
    _, r, truth = sample
    top5 = set(r.ranking.head(5)["workflow_id"])
    assert set(truth["best_workflows"]) <= top5
    assert set(r.start_here["workflow_id"]) == set(truth["best_workflows"])


@needs_sample
def test_the_planted_slower_workflows_get_negative_savings_and_are_not_recommended(sample):
    _, r, truth = sample
    for wid in truth["slower_with_ai"]:
        w = row(r, wid)
        assert w["saving"] < 0 and not w["recommended"], wid
        assert "slower" in w["note"]


@needs_sample
def test_restricted_workflows_of_the_sample_are_never_recommended(sample):
    _, r, truth = sample
    assert not r.ranking.set_index("workflow_id").loc[truth["restricted_workflows"], "recommended"].any()


def test_one_seat_serves_all_of_a_roles_workflows_shared_by_hours():
    # Same role, 4 and 2 people, 480 h and 240 h a year: the role needs 4 seats, split 2:1 by hours.
    wfs = workflows(wf("W1", people=4), {**wf("W2", people=2), "runs_per_month": 20})
    ts = studies(timed("W1", WITHOUT, HALF) + timed("W2", WITHOUT, HALF))
    r = roi.analyze(wfs, ts, make_settings(seat_cost_per_month=30))
    assert row(r, "W1")["seat_cost"] == pytest.approx(30 * 4 * 12 * 2 / 3)
    assert row(r, "W2")["seat_cost"] == pytest.approx(30 * 4 * 12 * 1 / 3)


# ---------------------------------------------------------------- the picks' headline interval (Monte Carlo)


def _uncertainty(**kw) -> dict:
    base = {"adoption_spread": 0.0, "minutes_spread": 0.0, "hourly_cost_spread": 0.0, "draws": 200_000, "seed": 1}
    return {"value_uncertainty": base | kw}


def test_the_headline_interval_is_a_monte_carlo_interval_of_the_total_not_the_sum_of_the_ends():
    wfs = workflows(wf("W1"), wf("W2", runs=80))
    r = roi.analyze(wfs, None, make_settings(**_uncertainty()), savings=given(wfs))
    # Two independent picks: the total's 90% interval is narrower than adding each pick's 90% ends.
    assert r.start_here_net_value_low > r.start_here["net_value_low"].sum()
    assert r.start_here_net_value_high < r.start_here["net_value_high"].sum()
    assert r.start_here_net_value_low < r.start_here_net_value < r.start_here_net_value_high


def test_adoption_uncertainty_alone_gives_the_quantiles_of_its_declared_uniform_distribution():
    wfs = workflows(wf("W1"))
    sure = given(wfs).assign(beta_sd=0.0)
    r = roi.analyze(wfs, None, make_settings(**_uncertainty(adoption_spread=0.5)), savings=sure)
    # Net value = 480 h × 50% × adoption × USD 50 − 2,360, adoption uniform on 0.35 to 1.0 (capped).
    lo, hi = 0.35 + 0.05 * 0.65, 0.35 + 0.95 * 0.65
    assert r.start_here_net_value_low == pytest.approx(480 * 0.5 * lo * 50 - 2360, rel=0.01)
    assert r.start_here_net_value_high == pytest.approx(480 * 0.5 * hi * 50 - 2360, rel=0.01)
    assert r.start_here_hours_saved_low == pytest.approx(480 * 0.5 * lo, rel=0.01)
    assert "adoption rate within ±50%" in r.interval_covers


def test_the_headline_interval_widens_with_each_declared_uncertainty_and_repeats_with_its_seed():
    wfs = workflows(wf("W1"), wf("W2", runs=80))

    def width(**kw):
        r = roi.analyze(wfs, None, make_settings(**_uncertainty(draws=20_000, **kw)), savings=given(wfs))
        return r.start_here_net_value_high - r.start_here_net_value_low

    base = width()
    for factor in ("adoption_spread", "minutes_spread", "hourly_cost_spread"):
        assert width(**{factor: 0.3}) > base * 1.05, factor
    assert width(adoption_spread=0.3) == width(adoption_spread=0.3)


def test_the_summary_calls_net_value_freed_capacity_not_cash_and_says_what_the_interval_covers():
    wfs = workflows(wf("W1"))
    text = roi.summary_text(roi.analyze(wfs, None, make_settings(), savings=given(wfs)))
    assert "It frees capacity worth USD 6,040 at loaded hourly cost" in text
    assert "not cash saved" in text
    assert "allowing for each pick's time saving (drawn from its estimate), the adoption rate within ±50%, minutes per run within ±20% and the hourly cost within ±25%" in text


# ---------------------------------------------------------------- priors and labels


def test_the_support_chat_prior_converts_resolutions_per_hour_into_time():
    assert TASK_PRIORS["customer_communication"].saving == pytest.approx(1 - 1 / 1.14, abs=5e-4)  # 12.3%, not 14%
    assert "12.3% less time" in TASK_PRIORS["customer_communication"].source


@pytest.mark.parametrize("task_type", ["data_entry", "scheduling"])
def test_priors_citing_the_whole_job_figure_use_that_figure(task_type):
    prior = TASK_PRIORS[task_type]
    assert prior.saving == pytest.approx(0.054)
    assert "5.4%" in prior.source and "whole job" in prior.source


def test_every_saving_column_is_an_interval_at_the_stated_level():
    r = roi.analyze(workflows(wf("W1"), wf("W2", task_type="coding")), studies(timed("W1", WITHOUT, HALF)), make_settings())
    cols = list(roi.ranking_view(r).columns)
    assert "Time saved (90% interval)" in cols and not any("range" in c for c in cols if c.startswith("Time saved"))
    tt_cols = list(roi.task_type_view(r).columns)
    assert "Time saved, a new workflow (90% prediction interval)" in tt_cols
    assert "Published prior (its fixed range)" in tt_cols


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"adoption_spread": 1.5}, 'setting "value_uncertainty.adoption_spread" must be less than 1 (given: 1.5)'),
        ({"draws": 10}, 'setting "value_uncertainty.draws" must be greater than or equal to 1000 (given: 10)'),
        ({"spread": 0.2}, 'setting "value_uncertainty.spread" is not a known setting'),
    ],
)
def test_a_bad_value_uncertainty_setting_is_named_in_one_plain_line(value, message):
    from kit.problems import IntakeError
    from kit.settings import parse_settings

    raw = {"client": "A", "slug": "a", "start_date": "2027-01-11", "hourly_cost": 50, "value_uncertainty": value}
    with pytest.raises(IntakeError) as info:
        parse_settings(raw)
    assert str(info.value.problems[0]).startswith(f"engagement.yaml: {message}")


def test_a_restricted_workflow_is_not_valued_and_its_note_says_why():
    # R is restricted: no AI tool may hold its data, so no seats, cost or value (it was priced at
    # ROI −60% before); I, the role's only valued workflow, carries the role's one seat alone.
    wfs = workflows(wf("R", runs=10, minutes=30, data="restricted", people=3), wf("I", runs=40, minutes=60))
    r = roi.analyze(wfs, None, make_settings())
    restricted = row(r, "R")
    for column in ("seat_cost", "cost", "annual_value", "net_value", "net_value_low", "roi", "payback_months"):
        assert np.isnan(restricted[column]), column
    assert restricted["note"].startswith("not valued: restricted data may go into no AI tool; ")
    assert list(r.ranking["workflow_id"]) == ["I", "R"]  # not valued: ranked last
    assert row(r, "I")["seat_cost"] == pytest.approx(30 * 1 * 12)  # one seat, not a share of R's three
    assert r.total_net_value_positive == pytest.approx(row(r, "I")["net_value"])
    view = roi.ranking_view(r).set_index("Rank").loc[2]
    assert (view["Range"], view["Payback (months)"]) == ("not valued", "not valued")


# ---------------------------------------------------------------- what the ranking option means


@pytest.mark.parametrize(
    ("ranking", "says", "never"),
    [
        ("conservative", ["weighed against its task type", "pulled toward what similar workflows show",
                          "partially pooled", "cannot carry a pick"], ["central", "low end", "less than hoped"]),
        ("point", ["own measured saving", "not weighed against similar workflows", "for comparison only",
                   "can carry a pick"], ["central", "low end", "shrunk"]),
    ],
)  # fmt: skip
def test_each_ranking_option_is_described_by_what_it_ranks_by(ranking, says, never):
    sentence = roi.ranking_sentence(ranking)
    assert sentence.startswith("Workflows are ranked by net value at ")
    assert all(s in sentence for s in says) and not any(n in sentence for n in never)


def test_the_ranking_option_and_the_live_dropdown_name_the_shrunk_estimate_not_the_interval():
    from kit.options import RoiRankingOptions

    description = RoiRankingOptions.model_fields["ranking"].description
    assert "shrunk estimate" in description and "low end" not in description and "central" not in description
    assert [value for _label, value in roi.RANKING_CHOICES] == list(roi.RANKINGS)


def test_the_summary_says_what_its_ranking_ranks_by():
    from kit.intake import Engagement

    wfs, ts, settings = _lucky_vs_sure()
    eng = Engagement(folder=Path("."), settings=settings, tables={"workflows": wfs, "time_studies": ts})
    view = roi.explorer(EngagementModel(eng))
    for ranking in roi.RANKINGS:
        assert roi.ranking_sentence(ranking) in view(ranking=ranking, top_n=1)[0].text

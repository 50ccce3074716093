"""Workflow mapping on hand-made inventories: every figure checked against a hand computation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kit.intake import load_engagement
from kit.phases import workflow_mapping as wm
from kit.settings import parse_settings

SETTINGS = parse_settings(
    {"client": "T", "slug": "t", "start_date": "2027-01-01", "hourly_cost": 50, "hourly_cost_by_role": {"Analyst": 80}}
)


def workflows(*rows):
    cols = ["workflow_id", "department", "workflow", "owner_role", "task_type", "runs_per_month", "minutes_per_run",
            "data_sensitivity"]  # fmt: skip
    df = pd.DataFrame(rows, columns=cols)
    df["systems"] = ""
    return df


def tools(*rows):
    cols = ["tool", "plan", "approved", "max_data_class"]
    return pd.DataFrame(rows, columns=cols)


def studies(workflow_id, without, with_ai):
    rows = [(f"{workflow_id}-n{i}", workflow_id, False, m) for i, m in enumerate(without)]
    rows += [(f"{workflow_id}-a{i}", workflow_id, True, m) for i, m in enumerate(with_ai)]
    return pd.DataFrame(rows, columns=["observation_id", "workflow_id", "ai_assisted", "minutes"])


WF = workflows(
    ("W1", "Finance", "Variance commentary", "Analyst", "writing", 10, 60, "internal"),
    ("W2", "Sales", "Pipeline report", "Sales Rep", "reporting", 20, 30, "confidential"),
    ("W3", "Ops", "Forklift checks", "TBD", "physical_onsite", 100, 15, "public"),
)


def test_hours_and_cost_use_runs_minutes_and_the_owner_roles_cost():
    r = wm.analyze(WF, SETTINGS)
    inv = r.inventory.set_index("workflow_id")
    assert inv.loc["W1", "annual_hours"] == pytest.approx(10 * 12 * 60 / 60)  # 120 h
    assert inv.loc["W1", "annual_cost"] == pytest.approx(120 * 80)  # Analyst at 80
    assert inv.loc["W2", "annual_cost"] == pytest.approx(120 * 50)  # default 50
    assert r.total_hours == pytest.approx(120 + 120 + 300)
    assert r.total_cost == pytest.approx(9600 + 6000 + 300 * 50)


def test_department_task_map_sums_hours():
    r = wm.analyze(WF, SETTINGS)
    cell = r.department_task_hours.set_index(["department", "task_type"]).loc[("Ops", "physical_onsite"), "annual_hours"]
    assert cell == pytest.approx(300)
    assert r.departments["share_of_hours"].sum() == pytest.approx(1.0)


def test_suitability_score_follows_the_stated_formula_with_priors_and_tiering():
    t = tools(("ChatGPT Team", "team", True, "internal"))
    r = wm.analyze(WF, SETTINGS, tools=t)
    inv = r.inventory.set_index("workflow_id")
    assert inv.loc["W1", "suitability_score"] == 100  # writing prior 40% / 40%
    assert inv.loc["W1", "potential_hours"] == pytest.approx(120 * 0.40)
    assert inv.loc["W2", "suitability_score"] == 0  # confidential: no enterprise tool cleared for it
    assert inv.loc["W3", "suitability_score"] == 0  # physical work: prior 0
    assert list(r.candidates["workflow_id"]) == ["W1"]


FAST = [50, 55, 45, 52, 48]  # with AI: about half of SLOW
SLOW = [100, 110, 90, 105, 95]


def test_the_saving_is_the_one_estimators_measured_estimate():
    """Phase 1 shows the kit's one estimate (kit.estimates), the same figure the ROI ranking shows."""
    from kit.estimates import estimate_savings

    ts = studies("W1", SLOW, FAST)
    r = wm.analyze(WF, SETTINGS, time_studies=ts)
    row = r.inventory.set_index("workflow_id").loc["W1"]
    expected = estimate_savings(WF, ts, SETTINGS).table.set_index("workflow_id").loc["W1"]
    assert row["saving_source"] == expected["source"] == "measured"
    assert row["expected_saving"] == expected["saving"]
    assert 0.40 <= row["expected_saving"] <= 0.52  # its own ~50%, pulled a little toward the writing prior (40%)
    assert row["suitability_score"] == 100  # capped at 1 × 100


def test_too_few_runs_in_an_arm_falls_back_to_the_prior_and_is_a_gap():
    ts = studies("W1", SLOW, FAST[:4])
    r = wm.analyze(WF, SETTINGS, time_studies=ts)
    row = r.inventory.set_index("workflow_id").loc["W1"]
    assert row["saving_source"] == "partially pooled"  # its own 5 + 4 runs, weighed with the task type
    gap = r.gaps[(r.gaps["workflow_id"] == "W1") & (r.gaps["gap"] == "no time study")]
    assert gap["detail"].tolist() == ["runs timed: 5 without AI, 4 with AI"]


def test_slower_with_ai_scores_zero_and_gives_back_no_hours():
    ts = studies("W1", [50, 52, 48, 51, 49], [60, 62, 58, 61, 59])
    row = wm.analyze(WF, SETTINGS, time_studies=ts).inventory.set_index("workflow_id").loc["W1"]
    assert row["expected_saving"] < -0.1  # about 20% slower with AI
    assert row["suitability_score"] == 0 and row["potential_hours"] == 0


@pytest.mark.parametrize(
    ("gap", "workflow_id"),
    [("no owner", "W3"), ("no approved tool for its data", "W2"), ("no time study", "W2")],
)
def test_gaps_name_each_kind(gap, workflow_id):
    t = tools(("ChatGPT Team", "team", True, "internal"))
    r = wm.analyze(WF, SETTINGS, tools=t)
    assert workflow_id in set(r.gaps.loc[r.gaps["gap"] == gap, "workflow_id"])


def test_restricted_data_is_never_a_candidate_even_without_a_tool_inventory():
    wf = workflows(("W9", "HR", "Payroll", "HR", "writing", 10, 60, "restricted"))
    r = wm.analyze(wf, SETTINGS)
    assert r.candidates.empty
    assert "restricted data may go into no AI tool" in r.gaps["detail"].tolist()


def test_what_if_hourly_cost_and_department_filter():
    r = wm.analyze(WF, SETTINGS, hourly_cost=100, departments=["Finance"])
    assert r.n_workflows == 1 and r.total_cost == pytest.approx(120 * 100)


def test_inputs_are_not_mutated():
    before = WF.copy()
    wm.analyze(WF, SETTINGS, time_studies=studies("W1", [100] * 5, [50] * 5))
    pd.testing.assert_frame_equal(WF, before)


def test_collect_next_asks_for_an_owner_when_none_is_named():
    asks = wm.analyze(WF, SETTINGS).collect_next
    assert any("accountable owner" in a for a in asks)
    assert any("no owner" in a for a in asks)


def test_charts_have_titles_and_axis_titles_with_units():
    r = wm.analyze(WF, SETTINGS)
    for chart in (wm.hours_by_department_chart(r), wm.department_task_chart(r), wm.candidates_chart(r)):
        spec = chart.to_dict()
        assert spec["title"]
        assert "hours" in json.dumps(spec["encoding"]).lower()


# ---------------------------------------------------------------- on the sample client

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "halden"


@pytest.fixture(scope="module")
def sample():
    eng = load_engagement(SAMPLE)
    return eng, wm.analyze_engagement(eng), json.loads((SAMPLE / "planted.json").read_text())


def test_sample_restricted_workflows_are_never_candidates(sample):
    _, r, planted = sample
    restricted = set(r.inventory.loc[r.inventory["data_sensitivity"] == "restricted", "workflow_id"])
    assert restricted and not restricted & set(r.candidates["workflow_id"])


def test_sample_workflows_without_time_studies_are_listed_as_gaps(sample):
    _, r, _ = sample
    no_study = set(r.gaps.loc[r.gaps["gap"] == "no time study", "workflow_id"])
    assert {"W23", "W44", "W55", "W64", "W10", "W30", "W40", "W63"} <= no_study


def test_sample_planted_best_workflows_lead_the_candidates(sample):
    _, r, _ = sample
    assert {"W01", "W49", "W02"} <= set(r.candidates.head(5)["workflow_id"])


def test_clarity_document_lists_every_department_and_the_data_rules(sample):
    eng, r, _ = sample
    text = wm.clarity_document(r, eng.settings)
    for dept in r.departments["department"]:
        assert f"- {dept} (roles:" in text
    assert "- restricted: no AI tool." in text

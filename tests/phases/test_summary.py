"""Engagement summary: diagnosis rules on hand-made records, figures equal to the recorded results,
a run with a failing phase, the workbook, and the notebook in report mode."""

from __future__ import annotations

import importlib
import json
import math
import os
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kit import notebook as nb
from kit import vocabulary
from kit.intake import load_engagement
from kit.phases import PHASE_BY_NAME
from kit.phases import summary as sm
from kit.settings import parse_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "halden"
NOTEBOOK = ROOT / "notebooks" / "06_engagement_summary.ipynb"


def settings(**extra):
    base = {"client": "T", "slug": "t", "start_date": "2027-01-11", "hourly_cost": 50}
    return parse_settings(base | extra)


def ok(scalars=None, **tables) -> sm.PhaseRecord:
    return sm.PhaseRecord("ok", None, {"scalars": scalars or {}, "tables": tables})


def tools(*rows):
    """(tool, is_ai, seats, active_users, recommendation, owner)."""
    return pd.DataFrame(rows, columns=["tool", "is_ai", "seats", "active_users", "recommendation", "owner"])


def level(records, settings_, factor):
    diagnosis, _ = sm.diagnose(records, settings_)
    value = diagnosis.set_index("factor").loc[factor, "evidence_level"]
    return None if pd.isna(value) else int(value)


# ---------------------------------------------------------------- the placement rule


@pytest.mark.parametrize(
    ("failing", "decisive", "expected"),
    [
        ([], [], None),
        ([None, None], [False, False], None),
        ([False, False, False], [False] * 3, 3),
        ([True, False, False], [False] * 3, 2),  # one of three: partial
        ([True, True, False], [False] * 3, 1),  # two of three: failing
        ([True, False], [False, False], 1),  # half: failing
        ([True, False, False], [True, False, False], 1),  # a decisive check alone
        ([None, True, False], [False] * 3, 1),  # unknown checks do not count
        ([None, None, False], [False] * 3, None),  # one passing check of three: too little to call it a success
        ([None, None, True], [False] * 3, 1),  # but one failing check shows the failing pattern
        ([None, False], [False] * 2, 3),  # one of two is half the checks
    ],
)
def test_placement_counts_failing_checks_among_the_known_ones(failing, decisive, expected):
    signals = [sm.Signal("x", f"c{i}", "", f, "s", d) for i, (f, d) in enumerate(zip(failing, decisive, strict=True))]
    assert sm.placement(signals) == expected


# ---------------------------------------------------------------- each factor on hand-made cases

@pytest.mark.parametrize(
    ("ai_tools", "measured", "expected"),
    [
        # two AI tools, 18 of 20 seats used (90%), none to cancel, 8 of 10 workflows timed
        ([("A", True, 10, 9, "keep", "IT"), ("B", True, 10, 9, "downsize", "IT")], (8, 10), 3),
        # 10 of 20 seats used (50% < 80%): one failing check of three
        ([("A", True, 10, 5, "keep", "IT"), ("B", True, 10, 5, "downsize", "IT")], (8, 10), 2),
        # and one of two AI tools to cancel (50% >= 25%): two of three fail
        ([("A", True, 10, 5, "keep", "IT"), ("B", True, 10, 5, "cancel", "IT")], (8, 10), 1),
        # only 4 of 10 workflows timed (40% < 50%), seats fine, a core tool does not count
        ([("A", True, 10, 9, "keep", "IT"), ("ERP", False, 50, 1, "cancel", "IT")], (4, 10), 2),
    ],
)
def test_starting_point_reads_seats_unneeded_tools_and_time_studies(ai_tools, measured, expected):
    timed = ok({"n_measured": measured[0], "n_workflows": measured[1]})
    records = {"consolidation": ok(tools=tools(*ai_tools)), "roi_ranking": timed}
    assert level(records, settings(), "starting_point") == expected


def training_record(readiness, far_ahead=(False,), without=(), default=(), roles=4):
    lead = pd.DataFrame({"leader_role": [f"L{i}" for i in range(len(far_ahead))], "far_ahead": list(far_ahead),
                         "gap": [1.5 if f else 0.2 for f in far_ahead]})  # fmt: skip
    playbooks = pd.DataFrame({"role": [f"R{i}" for i in range(roles)]})
    scalars = {"readiness": readiness, "roles_without_targets": list(without), "roles_on_default_targets": list(default),
               "leader_gap_threshold": 1.0}  # fmt: skip
    return ok(scalars, leadership_gap=lead, playbooks=playbooks)


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (training_record(0.7), 3),
        (training_record(0.4), 2),  # readiness below 60%
        (training_record(0.4, far_ahead=(True, False)), 1),  # and a leader far ahead
        (training_record(0.7, without=("R1",)), 2),  # a role with no target at all
        (training_record(0.7, default=("R1", "R2")), 2),  # half the roles only on default targets
        (training_record(0.7, default=("R1",)), 3),  # a quarter on defaults is fine
    ],
)
def test_training_reads_targets_readiness_and_leaders(record, expected):
    assert level({"training_gaps": record}, settings(), "training") == expected


MATRIX = pd.DataFrame({"tool": ["A"], "internal": [True], "confidential": [True]})
NO_CONFIDENTIAL = pd.DataFrame({"tool": ["A"], "internal": [True], "confidential": [False]})


def shadow(*kinds):
    return pd.DataFrame({"kind": list(kinds), "tool": [f"X{i}" for i in range(len(kinds))]})


@pytest.mark.parametrize(
    ("shadow_kinds", "spend", "matrix", "expected"),
    [
        ((), 0.0, MATRIX, 3),
        ((sm.CONSUMER,), 0.0, MATRIX, 2),  # a free plan in use
        ((sm.UNLISTED,), 240.0, MATRIX, 1),  # an unlisted tool and AI on expenses
        # an expense finding alone is not "unapproved use"; but no approved tool for confidential data
        ((vocabulary.EXPENSED,), 0.0, NO_CONFIDENTIAL, 2),
        (("no single sign-on",), 0.0, MATRIX, 3),  # a governance weakness, not unapproved use
    ],
)
def test_data_governance_reads_shadow_ai_expenses_and_data_classes(shadow_kinds, spend, matrix, expected):
    record = ok({"totals": {"shadow_spend": spend}, "has_expenses": True, "currency": "USD"},
                shadow=shadow(*shadow_kinds), data_matrix=matrix)  # fmt: skip
    assert level({"consolidation": record}, settings(), "data_governance") == expected


def test_data_governance_falls_back_to_the_workflow_mappings_data_rules():
    records = {"consolidation": sm.PhaseRecord("failed", "boom"), "workflow_mapping": ok(data_rules=NO_CONFIDENTIAL)}
    diagnosis, signals = sm.diagnose(records, settings())
    rows = signals[signals["factor"] == "data_governance"].set_index("check")
    assert rows.loc["Company data with an approved tool", "source"] == "Workflow mapping"
    assert rows.loc["AI on expenses", "result"] == "unknown"
    assert diagnosis.set_index("factor").loc["data_governance", "evidence_level"] == 1  # the one known check fails


GAPS_NONE = pd.DataFrame({"gap": ["no time study"]})
GAPS_OWNER = pd.DataFrame({"gap": ["no owner", "no time study"]})


@pytest.mark.parametrize(
    ("owner", "gaps", "tool_owners", "expected"),
    [
        ("COO", GAPS_NONE, ("IT", "Sales"), 3),
        ("", GAPS_NONE, ("IT", "Sales"), 1),  # nobody accountable decides it alone
        ("COO", GAPS_NONE, ("IT", ""), 2),  # a paid tool with no owner
        ("COO", GAPS_OWNER, ("IT", ""), 1),  # and a workflow with no owner
    ],
)
def test_ownership_reads_the_accountable_owner_workflow_and_tool_owners(owner, gaps, tool_owners, expected):
    t = tools(("A", True, 5, 5, "keep", tool_owners[0]), ("B", False, 5, 5, "keep", tool_owners[1]),
              ("Free", True, 0, 3, "keep", ""))  # a tool with no seats needs no owner  # fmt: skip
    records = {"workflow_mapping": ok(gaps=gaps), "consolidation": ok(tools=t)}
    assert level(records, settings(accountable_owner=owner), "ownership") == expected


def start_here(*sources):
    ids = range(len(sources))
    return pd.DataFrame({"workflow_id": [f"W{i}" for i in ids], "workflow": [f"Flow {i}" for i in ids],
                         "source": list(sources), "saving": 0.3})  # fmt: skip


def renewals(*decide_by):
    return pd.DataFrame({"tool": [f"T{i}" for i in range(len(decide_by))], "decide_by": pd.to_datetime(list(decide_by))})


@pytest.mark.parametrize(
    ("picks", "decide_by", "expected_timeline", "expected_measurement"),
    [
        (("measured", "measured"), ("2027-02-01",), 3, 3),
        (("measured", "measured"), ("2027-01-05", "2027-03-01"), 2, 3),  # a renewal decision due before the start (11 Jan)
        (("measured", "pooled"), ("2027-02-01",), 2, 2),  # a chosen workflow without its own baseline
        ((), ("2027-02-01",), 1, None),  # nothing to start with: one of the two known checks; nothing to measure
    ],
)
def test_timeline_and_measurement_read_the_chosen_workflows_and_renewals(
    picks, decide_by, expected_timeline, expected_measurement
):
    records = {"roi_ranking": ok(start_here=start_here(*picks)), "consolidation": ok(renewals=renewals(*decide_by))}
    assert level(records, settings(), "timeline") == expected_timeline
    measurement = sm.diagnose(records, settings())[1]
    measurement = measurement[measurement["factor"] == "measurement"].set_index("check")
    if expected_measurement is None:
        assert "Baselines for the chosen workflows" not in measurement.index
    else:
        want = "passes" if expected_measurement == 3 else "failing pattern"
        assert measurement.loc["Baselines for the chosen workflows", "result"] == want


@pytest.mark.parametrize(
    ("usage_rows", "headcount", "respondents", "expected"),
    [(1000, 10, 9, 3), (0, 10, 9, 2), (1000, 10, 4, 2)],  # no usage export; 4 of 10 answered (< 50%)
)
def test_measurement_reads_usage_and_survey_coverage(usage_rows, headcount, respondents, expected):
    coverage = pd.DataFrame({"department": ["A"], "headcount": [headcount], "respondents": [respondents]})
    records = {
        "consolidation": ok({"n_usage_rows": usage_rows}),
        "training_gaps": ok({"respondents": respondents}, coverage=coverage),
        "roi_ranking": ok(start_here=start_here("measured")),
    }
    assert level(records, settings(), "measurement") == expected


def test_a_factor_with_every_phase_missing_is_not_placed_and_says_why():
    records = {"training_gaps": sm.PhaseRecord("skipped", "needs skills_survey: file not found", title="Training gaps")}
    diagnosis, _ = sm.diagnose(records, settings(health_check={"training": 3}))
    row = diagnosis.set_index("factor").loc["training"]
    assert pd.isna(row["evidence_level"]) and not row["disagrees"]
    assert "Training gaps skipped" in row["finding"]


@pytest.mark.parametrize(
    ("own", "evidence_owner", "disagrees", "phrase"),
    [
        (3, "", True, "Leadership rates this successful (3); the data point to failing (1)"),
        (1, "", False, "The data agree with leadership's view (failing)"),
        (None, "COO", False, "Not self-assessed"),
    ],
)
def test_a_gap_between_self_assessment_and_evidence_is_a_finding(own, evidence_owner, disagrees, phrase):
    check = {"ownership": own} if own else {}
    records = {"workflow_mapping": ok(gaps=GAPS_NONE)}  # two of the three checks can be made
    diagnosis, _ = sm.diagnose(records, settings(accountable_owner=evidence_owner, health_check=check))
    row = diagnosis.set_index("factor").loc["ownership"]
    assert bool(row["disagrees"]) is disagrees
    assert phrase in row["finding"]
    if own == 3:
        assert row["gap"] == -2


# ---------------------------------------------------------------- roadmap


def test_phases_follow_one_another_from_the_start_date_with_settable_weeks():
    plan = sm.roadmap_phases(settings(), {"training": 2})
    assert list(plan["phase"]) == ["Foundation", "Training", "Consolidation", "Agents"]
    assert list(plan["weeks"]) == [4, 2, 6, 8]
    assert plan["start"].dt.strftime("%Y-%m-%d").tolist() == ["2027-01-11", "2027-02-08", "2027-02-22", "2027-04-05"]
    assert plan["end"].dt.strftime("%Y-%m-%d").tolist() == ["2027-02-07", "2027-02-21", "2027-04-04", "2027-05-30"]
    assert (plan["owner"] == sm.NO_OWNER).all()


def test_tool_decisions_are_dated_by_renewal_and_flagged_when_due_before_their_phase():
    t = pd.DataFrame({
        "tool": ["Late", "Early", "Due", "Keep"], "recommendation": ["cancel", "downsize", "cancel", "keep"],
        "annual_saving": [100.0, 50.0, 10.0, 0.0], "annual_cost": [100.0, 200.0, 10.0, 5.0], "seats": [5, 10, 1, 1],
        "target_seats": [0, 6, 0, 1], "owner": ["IT", "", "Ops", "IT"],
        "next_renewal": pd.to_datetime(["2027-04-30", "2027-02-10", "2027-01-20", "2027-05-01"]),
    })  # fmt: skip
    records = {"consolidation": ok({"totals": {"shadow_spend": 0.0, "shadow_people": 0}}, tools=t,
                                   renewals=renewals("2026-12-31").assign(tool=["Due"]))}  # fmt: skip
    r = sm.analyze(records, settings(accountable_owner="COO"))
    m = r.milestones[r.milestones["subject"].isin(t["tool"])].set_index("subject")
    assert list(m.index) == ["Due", "Early", "Late"]  # ordered by decide-by date; kept tools have no milestone
    assert m.loc["Due", "due"] == pd.Timestamp("2026-12-31")  # the consolidation phase's own decide-by date
    assert m.loc["Due", "timing"] == sm.ALREADY_DUE
    assert m.loc["Early", "due"] == pd.Timestamp("2027-01-11")  # renewal − 30 days
    assert m.loc["Early", "timing"] == sm.EARLY and "Falls in Foundation" in m.loc["Early", "note"]
    assert m.loc["Early", "owner"] == "COO"  # no tool owner: the accountable owner
    assert m.loc["Late", "timing"] == sm.IN_PHASE  # 31 Mar 2027, inside Consolidation (22 Mar – 2 May)
    assert m.loc["Early", "metric"] == "Annual saving USD 50; seats 10 → 6"
    assert "2 tool decisions fall due before the Consolidation phase" in sm.roadmap_text(r)


def test_chosen_workflows_carry_baseline_and_target_minutes():
    picks = start_here("measured", "pooled").assign(saving=[0.4, 0.25], minutes_per_run=[30.0, 20.0])
    baselines = pd.DataFrame({"workflow_id": ["W0"], "baseline_minutes": [25.0], "baseline_runs": [12]})
    w = sm.chosen_workflows({"roi_ranking": ok(start_here=picks)}, baselines).set_index("workflow_id")
    assert w.loc["W0", "baseline_minutes"] == 25.0 and w.loc["W0", "target_minutes"] == pytest.approx(15.0)
    assert w.loc["W0", "baseline_source"] == "median of the runs timed without AI"
    assert w.loc["W1", "baseline_minutes"] == 20.0 and w.loc["W1", "target_minutes"] == pytest.approx(15.0)
    assert w.loc["W1", "baseline_source"] == "inventory estimate (no time study)"


def test_a_recorded_baseline_wins_over_the_time_studies():
    picks = start_here("measured").assign(baseline_minutes=[40.0], saving=[0.5])
    baselines = pd.DataFrame({"workflow_id": ["W0"], "baseline_minutes": [25.0], "baseline_runs": [12]})
    w = sm.chosen_workflows({"roi_ranking": ok(start_here=picks)}, baselines)
    assert w.loc[0, "baseline_minutes"] == 40.0 and w.loc[0, "target_minutes"] == 20.0


def test_training_cohorts_are_spread_over_the_training_phase():
    cohorts = pd.DataFrame({"cohort": ["A", "B", "C"], "size": [10, 5, 3], "groups": [1, 1, 1], "priority": [2, 1, 3],
                            "from_level": [1.0, 1.0, 1.0], "target_min": [3.0, 2.0, 2.0], "target_max": [3.0, 3.0, 2.0],
                            "hours_per_person": [12.0, 6.0, 6.0], "departments": ["Sales", "Ops", "Sales; Ops"]})  # fmt: skip
    r = sm.analyze({"training_gaps": ok({"readiness": 0.5}, cohorts=cohorts)}, settings())
    m = r.milestones[r.milestones["subject"].isin(cohorts["cohort"])]
    assert list(m["subject"]) == ["B", "A", "C"]  # by priority
    assert m["due"].dt.strftime("%Y-%m-%d").tolist() == ["2027-02-21", "2027-03-07", "2027-03-21"]  # 14, 28, 42 days in
    assert list(m["owner"]) == ["Head of Ops", "Head of Sales", "Head of Sales, Ops"]
    assert "Level 1.0 → 2–3" in m.iloc[0]["metric"]


# ---------------------------------------------------------------- the sample client: figures equal the records

NAMES = {"workflow_mapping": "workflow_mapping", "roi_ranking": "roi", "training_gaps": "training",
         "consolidation": "consolidation", "agent_candidates": "agents"}  # fmt: skip


def write_run(folder: Path, eng, fail: str | None = None, skip: str | None = None, forget: str | None = None) -> Path:
    """A run folder as `kit run` leaves it when the summary starts: results/<phase>.json for every
    phase that succeeded and results/status.json. `forget`: status ok but no result file."""
    (folder / "results").mkdir(parents=True)
    status = {}
    for phase, module in NAMES.items():
        title = PHASE_BY_NAME[phase].title
        if phase == fail:
            status[phase] = {"title": title, "status": "failed", "error": "ValueError: planted failure (notebook cell 3)"}
            continue
        if phase == skip:
            status[phase] = {"title": title, "status": "skipped", "error": "needs tools: file not found"}
            continue
        if phase != forget:
            nb.record(folder, phase, importlib.import_module(f"kit.phases.{module}").analyze_engagement(eng))
        status[phase] = {"title": title, "status": "ok", "error": None}
    status[sm.NAME] = {"title": "Engagement summary", "status": "running", "error": None}
    (folder / "results" / "status.json").write_text(json.dumps(status), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sample():
    return load_engagement(SAMPLE)


@pytest.fixture(scope="module")
def sample_run(sample, tmp_path_factory):
    folder = write_run(tmp_path_factory.mktemp("run"), sample)
    records = sm.collect(sample, folder)
    return folder, records, sm.analyze(records, sample.settings, baselines=sm.time_study_baselines(sample))


def recorded(folder: Path, phase: str) -> dict:
    return nb.load_record(folder / "results" / f"{phase}.json")


def field_value(folder: Path, source: str) -> float:
    phase, *path = source.split(".")
    value = recorded(folder, phase)["scalars"]
    for key in path:
        value = value[key]
    return value


def test_every_headline_figure_equals_the_recorded_field(sample_run):
    folder, _, r = sample_run
    direct = r.headlines[~r.headlines["source"].str.contains(r"[ (]", regex=True)]
    assert len(direct) >= 9
    for _, h in direct.iterrows():
        assert h["value"] == field_value(folder, h["source"]), h["key"]
    heads = r.headlines.set_index("key")
    roi = recorded(folder, "roi_ranking")
    assert heads.loc["chosen_net_value", "low"] == roi["scalars"]["start_here_net_value_low"]
    assert heads.loc["chosen_net_value", "high"] == roi["scalars"]["start_here_net_value_high"]
    start = roi["tables"]["start_here"]
    # The picks' interval is the ROI phase's Monte Carlo interval, not the sum of each pick's ends.
    assert heads.loc["chosen_hours", "low"] == roi["scalars"]["start_here_hours_saved_low"]
    assert heads.loc["chosen_hours", "high"] == roi["scalars"]["start_here_hours_saved_high"]
    assert heads.loc["chosen_workflows", "value"] == len(start)
    departments = recorded(folder, "training_gaps")["tables"]["departments"]
    assert heads.loc["people_to_train", "value"] == (departments["respondents"] - departments["people_fully_at_target"]).sum()


def test_chosen_workflows_and_tool_milestones_carry_the_recorded_numbers(sample_run):
    folder, _, r = sample_run
    start = recorded(folder, "roi_ranking")["tables"]["start_here"].set_index("workflow_id")
    w = r.workflows.set_index("workflow_id")
    for col in ("net_value", "net_value_low", "net_value_high", "annual_hours_saved", "saving"):
        assert (w[col] == start.loc[w.index, col]).all(), col
    tools = recorded(folder, "consolidation")["tables"]["tools"].set_index("tool")
    m = r.milestones[r.milestones["subject"].isin(tools.index)].set_index("subject")
    assert (m["baseline"] == tools.loc[m.index, "annual_cost"]).all()  # spend on the tool today
    assert (m["target"] == tools.loc[m.index, "annual_cost"] - tools.loc[m.index, "annual_saving"]).all()
    assert set(m.index) == set(tools.index[tools["recommendation"] != "keep"])


def test_live_and_recorded_paths_give_the_same_summary(sample, sample_run):
    _, _, r = sample_run
    live = sm.collect(sample, "")
    assert {p: x.status for p, x in live.items()} == {p: "ok" for p in NAMES}
    r_live = sm.analyze(live, sample.settings, baselines=sm.time_study_baselines(sample))
    pd.testing.assert_frame_equal(r_live.headlines, r.headlines)
    pd.testing.assert_frame_equal(r_live.milestones, r.milestones)
    pd.testing.assert_frame_equal(r_live.diagnosis, r.diagnosis)
    assert r_live.executive_summary == r.executive_summary


def test_sample_client_diagnosis_finds_the_planted_rosy_self_assessment(sample_run, sample):
    _, _, r = sample_run
    d = r.diagnosis.set_index("factor")
    assert d.loc["ownership", "evidence_level"] == 1  # accountable_owner is empty
    assert d.loc["ownership", "self_assessment"] == 3
    assert set(r.disagreements) == {"Starting point", "Training", "Data governance", "Ownership"}
    assert (d.loc[d["disagrees"], "gap"] < 0).all()  # the data are always worse than the self-assessment
    checks = r.signals.set_index("check")["observed"]
    assert checks["Leaders and their teams"].startswith("7 of 7 leaders")  # every planted leader is far ahead
    assert "Otter.ai" in checks["Renewal decisions already due"]  # renews 15 Jan, start 11 Jan


def test_sample_client_starts_with_the_planted_best_workflows_and_their_time_study_baselines(sample_run, sample):
    _, _, r = sample_run
    planted = json.loads((SAMPLE / "planted.json").read_text(encoding="utf-8"))
    assert set(r.workflows["workflow_id"]) == set(planted["best_workflows"])
    ts = sample.table("time_studies")
    w01 = r.workflows.set_index("workflow_id").loc["W01"]
    expected = ts[(ts["workflow_id"] == "W01") & ~ts["ai_assisted"]]["minutes"].median()
    assert w01["baseline_minutes"] == expected
    assert w01["target_minutes"] == pytest.approx(expected * (1 - w01["saving"]))
    text = r.executive_summary
    assert "RFQ response drafting" in text and "Nobody is named as accountable" in text


def test_the_summary_record_round_trips(sample_run, tmp_path):
    _, _, r = sample_run
    path = nb.record(tmp_path, sm.NAME, r)
    back = nb.load_record(path)
    assert back["scalars"]["executive_summary"] == r.executive_summary
    assert back["scalars"]["disagreements"] == list(r.disagreements)
    assert len(back["tables"]["milestones"]) == len(r.milestones)


# ---------------------------------------------------------------- a run with one phase failing


CONSOLIDATION = PHASE_BY_NAME["consolidation"].title  # titles come from the registry


@pytest.fixture(scope="module")
def failed_run(sample, tmp_path_factory):
    folder = write_run(tmp_path_factory.mktemp("failed"), sample, fail="consolidation", skip="agent_candidates")
    records = sm.collect(sample, folder)
    return folder, records, sm.analyze(records, sample.settings, baselines=sm.time_study_baselines(sample))


def test_a_failed_and_a_skipped_phase_are_named_with_their_reason(failed_run):
    _, records, r = failed_run
    assert records["consolidation"].status == "failed"
    assert records["consolidation"].error == "ValueError: planted failure (notebook cell 3)"
    assert records["agent_candidates"].status == "skipped"
    p = r.phases.set_index("phase")
    assert p.loc["consolidation", "status"] == "failed" and p.loc["agent_candidates", "status"] == "skipped"
    assert r.missing == (CONSOLIDATION, "Agent candidates")
    assert f"{CONSOLIDATION} (failed: ValueError: planted failure" in sm.status_text(r)
    assert f"did not complete: {CONSOLIDATION} and Agent candidates" in r.executive_summary


def test_every_section_still_renders_without_the_failed_phase(failed_run):
    _, _, r = failed_run
    heads = r.headlines.set_index("key")
    assert not heads.loc["tool_saving", "available"] and math.isnan(heads.loc["tool_saving", "value"])
    assert heads.loc["chosen_hours", "available"]  # the others are still there
    assert "missing" in sm.headlines_view(r).set_index("Figure").loc["Tool spend today", "Value"]
    assert set(r.milestones["phase"]) == {"Foundation", "Training"}  # no tool or pilot milestone is invented
    checks = r.signals.set_index("check")
    assert checks.loc["AI seats in use", "result"] == "unknown"
    assert checks.loc["AI seats in use", "observed"] == f"unknown: {CONSOLIDATION} failed"
    assert any(f"{CONSOLIDATION} failed" in q for q in r.requests["request"])
    for view in (sm.headlines_view, sm.phases_view, sm.diagnosis_view, sm.signals_view, sm.roadmap_view,
                 sm.milestones_view, sm.workflows_view, sm.requests_view):  # fmt: skip
        assert len(view(r)) > 0, view.__name__
    for chart in (sm.diagnosis_chart(r), sm.roadmap_chart(r)):
        assert chart.to_dict()["title"]["text"]


def test_a_phase_marked_ok_without_its_result_counts_as_failed(sample, tmp_path):
    folder = write_run(tmp_path / "run", sample, forget="training_gaps")
    records = sm.collect(sample, folder)
    assert records["training_gaps"].status == "failed"
    assert "could not be read" in records["training_gaps"].error


def test_a_phase_not_selected_for_the_run_is_shown_as_not_run(sample, tmp_path):
    folder = tmp_path / "run"
    (folder / "results").mkdir(parents=True)
    (folder / "results" / "status.json").write_text(json.dumps({sm.NAME: {"title": "S", "status": "running", "error": None}}))
    records = sm.collect(sample, folder)
    assert {r.status for r in records.values()} == {"not run"}
    r = sm.analyze(records, sample.settings)
    assert r.n_ok == 0 and r.workflows.empty and "not known yet" in r.executive_summary


def test_live_collect_shows_a_failing_phase_as_failed_and_a_missing_table_as_skipped(sample, monkeypatch):
    from kit.phases import agents

    def broken(*args, **kwargs):
        raise ModuleNotFoundError("planted")

    monkeypatch.setattr(agents, "analyze", broken)
    monkeypatch.delitem(sample.tables, "skills_survey")
    monkeypatch.setitem(sample.missing, "skills_survey", "file not found")
    records = sm.collect(sample, "")
    assert records["agent_candidates"].status == "failed"
    assert "ModuleNotFoundError" in records["agent_candidates"].error
    assert records["training_gaps"].status == "skipped"
    assert records["training_gaps"].error == "needs skills_survey: file not found"
    assert records["workflow_mapping"].ok


# ---------------------------------------------------------------- the workbook


def documented_sheets() -> list[str]:
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    section = text.split("## Sheets", 1)[1].split("\n## ", 1)[0]
    return [m.group(1).strip() for m in re.finditer(r"^\| ([^|]+?) \|", section, re.MULTILINE)
            if m.group(1).strip() not in ("Sheet", "---")]  # fmt: skip


def test_the_docs_list_every_sheet_of_the_workbook():
    assert documented_sheets() == [s.name for s in sm.WORKBOOK_SHEETS]


def test_the_workbook_opens_and_holds_one_sheet_per_documented_table(sample_run):
    folder, records, r = sample_run
    wb = openpyxl.load_workbook(BytesIO(sm.workbook_bytes(r, records)))
    assert wb.sheetnames == ["Contents", *documented_sheets()]
    tools = wb["Tools"]
    header = [c.value for c in tools[1]]
    assert "Annual cost (USD)" in header and "Seats in use (%)" in header
    recorded_tools = recorded(folder, "consolidation")["tables"]["tools"]
    assert tools.max_row == len(recorded_tools) + 1
    saving = header.index("Annual saving (USD)") + 1
    cells = [tools.cell(i + 2, saving).value for i in range(len(recorded_tools))]
    assert cells == pytest.approx(list(recorded_tools["annual_saving"]))
    assert tools.cell(2, header.index("Seats in use (%)") + 1).number_format == "0%"
    start = wb["Start here"]
    net = [c.value for c in start[1]].index("Net value (USD)") + 1
    assert start.cell(2, net).value == recorded(folder, "roi_ranking")["tables"]["start_here"]["net_value"].iloc[0]
    contents = {row[0]: row[3] for row in wb["Contents"].iter_rows(min_row=5, values_only=True)}
    assert set(contents.values()) == {"ok"}


def test_a_sheet_of_a_failed_phase_says_so(failed_run):
    _, records, r = failed_run
    wb = openpyxl.load_workbook(BytesIO(sm.workbook_bytes(r, records)))
    assert wb.sheetnames == ["Contents", *documented_sheets()]
    assert wb["Tools"]["A1"].value.startswith(f"Not available: {CONSOLIDATION} — failed: ValueError: planted failure")
    assert wb["Renewals"].max_row == 1
    assert wb["Start here"].max_row > 1


# ---------------------------------------------------------------- kept in step with the phases


def test_labels_and_bars_read_from_other_phases_are_theirs_not_copies():
    from kit import evidence, options, vocabulary
    from kit.phases import agents, consolidation

    for name in ("CANCEL", "CONSOLIDATE", "DOWNSIZE", "KEEP", "UNLISTED", "UNAPPROVED", "CONSUMER"):
        assert getattr(sm, name) is getattr(consolidation, name) is getattr(vocabulary, name)
    assert sm.READY_NOW is agents.GATE_READY and sm.NOT_RECOMMENDED is agents.NOT_RECOMMENDED
    assert sm.READINESS_BAR == agents.READINESS_THRESHOLD == options.AgentCandidatesOptions().readiness_threshold
    assert sm.UTILIZATION_FLOOR is evidence.UTILIZATION_FLOOR
    # every phase but itself and the follow-up's progress phase (which reads the baseline's summary)
    assert sm.source_phases() == tuple(p for p, ph in PHASE_BY_NAME.items() if p != sm.NAME and not ph.needs_baseline)


# ---------------------------------------------------------------- the notebook in report mode


def test_the_notebook_in_report_mode_names_the_failed_phase_and_writes_its_files(sample, tmp_path):
    """A run folder as `kit run` leaves it for the summary: the engagement model's results, with
    one phase failed and one skipped; the notebook renders them and names both."""
    from kit.model import EngagementModel

    folder = tmp_path / "run"
    model = EngagementModel(sample)
    model.not_run({"consolidation": "failed: ValueError: planted failure (notebook cell 3)",
                   "agent_candidates": "skipped: needs tools: file not found"})  # fmt: skip
    model.result(sm.NAME)
    model.save(folder)
    out = tmp_path / "06.ipynb"
    env = {**os.environ, "KIT_REPORT": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "papermill", str(NOTEBOOK), str(out), "-p", "engagement", str(SAMPLE),
         "-p", "output_dir", str(folder), "--cwd", str(NOTEBOOK.parent)],
        check=False, capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    outputs = [o for c in json.loads(out.read_text())["cells"] for o in c.get("outputs", [])]
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    consolidation, agents = PHASE_BY_NAME["consolidation"].title, PHASE_BY_NAME["agent_candidates"].title
    assert f"{consolidation} (failed: ValueError: planted failure" in html
    assert f"{agents} (skipped: needs tools: file not found" in html
    summary = nb.load_record(folder / "results" / f"{sm.NAME}.json")
    assert summary["scalars"]["missing"] == [consolidation, agents]
    assert openpyxl.load_workbook(folder / "pages" / "engagement_workbook.xlsx").sheetnames[0] == "Contents"


def test_ai_on_expenses_is_quoted_as_the_run_rate_of_live_subscriptions_not_the_trailing_sum():
    """Five $20/month subscriptions started in the autumn: USD 300 charged in 12 months, USD 1,200 a year."""
    totals = {"shadow_spend": 300.0, "shadow_run_rate": 1200.0, "shadow_people": 5, "current_annual_spend": 10000.0,
              "spend_after": 9000.0, "total_saving": 1000.0}  # fmt: skip
    kept = pd.DataFrame({"tool": ["Chat"], "recommendation": ["keep"], "annual_saving": [0.0]})
    r = sm.analyze({"consolidation": ok({"totals": totals, "currency": "USD"}, tools=kept)}, settings())
    head = r.headlines.set_index("key").loc["shadow_spend"]
    assert head["value"] == 1200.0 and head["source"] == "consolidation.totals.shadow_run_rate"
    assert "run rate" in head["figure"]
    shadow = r.milestones[r.milestones["subject"] == "Shadow AI"].iloc[0]
    assert "USD 1,200 a year → none" in shadow["metric"]
    assert "AI on expenses from USD 1,200 a year to none" in r.roadmap.set_index("phase").loc["Consolidation", "metric"]

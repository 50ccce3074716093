"""Agent candidates on hand-made recurring work: scores, oversight and gates against hand computations."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit import notebook as nb
from kit.intake import load_engagement
from kit.intake.schemas import DATA_CLASSES, ERROR_IMPACTS
from kit.model import EngagementModel
from kit.phases import agents as am
from kit.settings import parse_settings
from tests.conftest import write_engagement

SETTINGS = parse_settings(
    {
        "client": "T",
        "slug": "t",
        "start_date": "2027-01-01",
        "hourly_cost": 50,
        "hourly_cost_by_role": {"Analyst": 80},
        "horizon_months": 24,
    }
)
COLUMNS = ["task_id", "department", "task", "category", "owner_role", "runs_per_month", "minutes_per_run",
           "input_structure", "rule_based", "exception_rate", "data_sensitivity", "error_impact",
           "systems"]  # fmt: skip
DEFAULT = dict(zip(COLUMNS, ("T1", "Finance", "Task", "report", "Analyst", 10.0, 30.0, 5, 5, 0.0, "internal", "low",
                             "ERP;Excel"), strict=True))  # fmt: skip
EVERYTHING = {"public", "internal", "confidential"}
READY = pd.DataFrame({"department": ["Finance", "Sales"], "readiness": [0.8, 0.3]})


def rows(*changes: dict) -> pd.DataFrame:
    """One task per dict: DEFAULT with the given columns replaced; task ids T1, T2, … unless given."""
    out = [{**DEFAULT, "task_id": f"T{i + 1}", **c} for i, c in enumerate(changes or ({},))]
    df = pd.DataFrame(out, columns=COLUMNS)
    types = {"input_structure": "int64", "rule_based": "int64", "runs_per_month": float, "minutes_per_run": float}
    return df.astype(types)


def run(df: pd.DataFrame, **kw) -> am.AgentsResult:
    kw.setdefault("readiness", READY)
    kw.setdefault("covered", EVERYTHING)
    return am.analyze(df, SETTINGS, **kw)


def one(df: pd.DataFrame, **kw) -> pd.Series:
    return run(df, **kw).candidates.iloc[0]


# ---------------------------------------------------------------- automation potential and value


@pytest.mark.parametrize(
    ("structure", "rules", "exceptions", "weights", "expected"),
    [
        (5, 5, 0.0, None, 1.0),
        (1, 1, 1.0, None, 0.0),
        (3, 4, 0.2, None, (0.5 + 0.75 + 0.8) / 3),  # plain mean, as the idea score
        (3, 4, 0.2, {"input_structure": 2, "rule_based": 1, "exception_rate": 1}, (2 * 0.5 + 0.75 + 0.8) / 4),
        (1, 1, 0.3, {"exception_rate": 1}, 0.7),  # a missing weight is 0
    ],
)
def test_potential_is_the_weighted_mean_of_structure_rules_and_routine(structure, rules, exceptions, weights, expected):
    df = rows({"input_structure": structure, "rule_based": rules, "exception_rate": exceptions})
    assert one(df, weights=weights)["potential"] == pytest.approx(expected)


def test_annual_value_is_runs_times_minutes_times_role_cost_times_potential():
    df = rows(
        {"owner_role": "Analyst", "input_structure": 3, "rule_based": 5, "exception_rate": 0.1},  # p = (.5+1+.9)/3 = .8
        {"owner_role": "Clerk", "runs_per_month": 20, "minutes_per_run": 6},  # p = 1, default cost 50
    )
    c = run(df).candidates.set_index("task_id")
    assert c.loc["T1", "annual_hours"] == pytest.approx(10 * 12 * 30 / 60)  # 60 h
    assert c.loc["T1", "annual_value"] == pytest.approx(60 * 80 * 0.8)  # 3,840
    assert c.loc["T1", "value_over_horizon"] == pytest.approx(3840 * 24 / 12)
    assert c.loc["T2", "annual_hours"] == pytest.approx(24)
    assert c.loc["T2", "annual_value"] == pytest.approx(24 * 50)


@pytest.mark.parametrize(
    "weights",
    [{"input_structure": -1, "rule_based": 1, "exception_rate": 1}, {"input_structure": 0}, {"speed": 1}],
)
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError):
        run(rows(), weights=weights)


# ---------------------------------------------------------------- risk matrix and oversight

RISK_MATRIX = {  # hand-set: impact low/medium/high → 0/1/2; confidential +1; restricted never
    ("public", "low"): "Runs on its own",
    ("public", "medium"): "A person approves each output",
    ("public", "high"): "A person drafts with the agent",
    ("internal", "low"): "Runs on its own",
    ("internal", "medium"): "A person approves each output",
    ("internal", "high"): "A person drafts with the agent",
    ("confidential", "low"): "A person approves each output",
    ("confidential", "medium"): "A person drafts with the agent",
    ("confidential", "high"): "Not recommended",
    ("restricted", "low"): "Not recommended",
    ("restricted", "medium"): "Not recommended",
    ("restricted", "high"): "Not recommended",
}


@pytest.mark.parametrize("data_class", DATA_CLASSES)
@pytest.mark.parametrize("impact", ERROR_IMPACTS)
def test_every_cell_of_the_risk_matrix_sets_the_oversight_of_a_fully_predictable_task(data_class, impact):
    c = one(rows({"data_sensitivity": data_class, "error_impact": impact}))  # p = 1, no exceptions
    assert c["potential"] == 1.0
    assert c["oversight"] == RISK_MATRIX[(data_class, impact)]
    assert c["oversight"] == am.OVERSIGHT_LABELS[am.risk_level(data_class, impact)]
    recommended = RISK_MATRIX[(data_class, impact)] != "Not recommended"
    assert bool(c["ready_now"]) is recommended
    assert c["gate"] == ("Ready now" if recommended else "Not recommended")


def test_risk_matrix_table_shows_all_twelve_cells():
    m = am.risk_matrix().set_index("Data class")
    for (cls, impact), label in RISK_MATRIX.items():
        assert m.loc[cls, f"{impact} error impact"] == label


@pytest.mark.parametrize("impact", ERROR_IMPACTS)
def test_restricted_data_is_never_given_to_an_agent_whatever_the_weights(impact):
    df = rows({"data_sensitivity": "restricted", "error_impact": impact})
    c = one(df, weights={"exception_rate": 1}, autonomy_potential=0.0, approval_potential=0.0, min_potential=0.0)
    assert c["oversight"] == "Not recommended"
    assert c["agent_hours"] == 0 and c["agent_value"] == 0
    assert not c["ready_now"]
    assert "restricted" in c["gate_reason"]


@pytest.mark.parametrize(
    ("potential", "exceptions", "level"),
    [
        (0.75, 0.20, am.AUTONOMOUS),  # both boundaries included
        (0.75, 0.21, am.APPROVE),  # too many runs need a human decision to run alone
        (0.7499, 0.0, am.APPROVE),
        (0.50, 0.5, am.APPROVE),
        (0.4999, 0.0, am.DRAFT),
        (0.25, 0.0, am.DRAFT),
        (0.2499, 0.0, am.NOT_RECOMMENDED),
    ],
)
def test_predictability_thresholds(potential, exceptions, level):
    assert am.predictability_level(potential, exceptions) == level


@pytest.mark.parametrize(
    ("structure", "rules", "exceptions", "oversight"),
    [
        (4, 4, 0.20, "Runs on its own"),  # p = (.75 + .75 + .8) / 3 = .767
        (4, 4, 0.25, "A person approves each output"),  # p = .75 but 25% exceptions
        (3, 3, 0.50, "A person approves each output"),  # p = (.5 + .5 + .5) / 3 = .5, the boundary
        (2, 2, 0.25, "A person drafts with the agent"),  # p = (.25 + .25 + .75) / 3 = .4167
        (1, 1, 0.30, "Not recommended"),  # p = .7 / 3 = .233
    ],
)
def test_low_predictability_tightens_oversight_of_a_low_risk_task(structure, rules, exceptions, oversight):
    df = rows({"input_structure": structure, "rule_based": rules, "exception_rate": exceptions})
    c = one(df)
    assert c["potential"] == pytest.approx(((structure - 1) / 4 + (rules - 1) / 4 + 1 - exceptions) / 3)
    assert c["oversight"] == oversight


def test_feasibility_and_agent_hours_keep_the_share_of_each_oversight_level():
    df = rows(
        {"error_impact": "low"},  # runs on its own: share 1
        {"error_impact": "medium"},  # approve: share 2/3
        {"error_impact": "high"},  # draft: share 1/3
        {"data_sensitivity": "restricted"},  # never: share 0
    )
    c = run(df).candidates.set_index("task_id")
    assert c["annual_hours"].tolist() == [60.0] * 4
    assert c.loc[["T1", "T2", "T3", "T4"], "feasibility"].tolist() == pytest.approx([1, 2 / 3, 1 / 3, 0])
    assert c.loc[["T1", "T2", "T3", "T4"], "agent_hours"].tolist() == pytest.approx([60, 40, 20, 0])
    assert c.loc["T2", "agent_value"] == pytest.approx(60 * 80 * 2 / 3)
    r = run(df)
    assert r.total_agent_hours == pytest.approx(120)
    assert (r.n_recommended, r.n_autonomous, r.n_ready_now) == (3, 1, 3)


def test_ranking_is_by_agent_value_so_a_safe_task_beats_a_larger_one_needing_a_person():
    df = rows(
        {"task_id": "BIG", "runs_per_month": 25, "error_impact": "high"},  # 150 h, value 12,000, kept 1/3 = 4,000
        {"task_id": "SAFE", "runs_per_month": 10},  # 60 h, value 4,800, runs alone
        {"task_id": "NO", "runs_per_month": 100, "data_sensitivity": "restricted"},
    )
    c = run(df).candidates
    assert c["task_id"].tolist() == ["SAFE", "BIG", "NO"]
    assert c["rank"].tolist() == [1, 2, 3]
    assert c.set_index("task_id").loc["BIG", "agent_value"] == pytest.approx(4000)


def test_oversight_shares_are_settable():
    df = rows({"task_id": "BIG", "runs_per_month": 25, "error_impact": "high"}, {"task_id": "SAFE"})
    c = run(df, oversight_share=(1.0, 1.0, 1.0, 0.0)).candidates
    assert c["task_id"].tolist() == ["BIG", "SAFE"]


# ---------------------------------------------------------------- task length


@pytest.mark.parametrize(("minutes", "threshold", "long"), [(60, 60, False), (61, 60, True), (45, 30, True)])
def test_runs_longer_than_the_threshold_are_flagged_for_splitting(minutes, threshold, long):
    c = one(rows({"minutes_per_run": minutes}), long_task_minutes=threshold)
    assert bool(c["long_task"]) is long
    assert ("split it into steps" in c["gate_reason"]) is long


def test_default_task_length_threshold_is_the_metr_hour():
    assert am.analyze.__kwdefaults__["long_task_minutes"] == 60
    assert bool(one(rows({"minutes_per_run": 61}))["long_task"])


# ---------------------------------------------------------------- readiness gate


@pytest.mark.parametrize(
    ("department", "readiness", "covered", "data_class", "gate", "reason"),
    [
        ("Finance", 0.6, EVERYTHING, "internal", "Ready now", "readiness 60%"),  # boundary passes
        ("Finance", 0.59, EVERYTHING, "internal", "Training first", "below 60%"),
        ("Finance", 0.8, {"public", "internal"}, "confidential", "Consolidation first", "confidential"),
        ("Finance", 0.1, {"public"}, "internal", "Consolidation and training first", "no approved tool"),
        ("Finance", 0.8, None, "internal", "Consolidation first", "no tool inventory"),
        ("Legal", 0.8, EVERYTHING, "internal", "Training first", "no survey answers from Legal"),
    ],
)
def test_gate_names_the_phase_that_must_come_first(department, readiness, covered, data_class, gate, reason):
    ready = pd.DataFrame({"department": ["Finance"], "readiness": [readiness]})
    df = rows({"department": department, "data_sensitivity": data_class, "error_impact": "low"})
    c = one(df, readiness=ready, covered=covered)
    assert c["gate"] == gate
    assert reason in c["gate_reason"]
    assert bool(c["ready_now"]) is (gate == "Ready now")


def test_unknown_readiness_says_so_and_puts_training_first():
    r = am.analyze(rows(), SETTINGS, readiness=None, covered=EVERYTHING)
    c = r.candidates.iloc[0]
    assert c["gate"] == "Training first"
    assert "readiness unknown" in c["gate_reason"]
    assert not r.readiness_known and r.n_ready_now == 0
    assert "unknown" in am.gate_text(r)


def test_readiness_threshold_is_settable_and_department_names_match_loosely():
    ready = pd.DataFrame({"department": [" finance "], "readiness": [0.5]})
    assert one(rows(), readiness=ready)["gate"] == "Training first"
    assert one(rows(), readiness=ready, readiness_threshold=0.5)["gate"] == "Ready now"


def test_department_filter_keeps_only_those_departments_and_totals_follow():
    df = rows({"department": "Finance"}, {"department": "Sales"}, {"department": "Sales", "runs_per_month": 20})
    r = run(df, departments=["Sales"])
    assert set(r.candidates["department"]) == {"Sales"}
    assert r.total_agent_hours == pytest.approx(60 + 120)
    depts = r.departments.set_index("department")
    assert depts.loc["Sales", "readiness"] == pytest.approx(0.3) and not depts.loc["Sales", "passes"]


# ---------------------------------------------------------------- categories and specifications


def test_counts_by_category_cover_every_category_in_contract_order():
    df = rows(
        {"category": "report"},
        {"category": "report", "error_impact": "medium"},
        {"category": "data_sync", "data_sensitivity": "restricted"},
        {"category": "follow_up", "department": "Sales"},  # Sales readiness 0.3: not ready
    )
    cat = run(df).by_category.set_index("category")
    assert list(cat.index) == ["report", "follow_up", "research", "internal_comms", "data_sync", "other"]
    assert cat.loc["report", ["tasks", "recommended", "autonomous", "ready_now"]].tolist() == [2, 2, 1, 2]
    assert cat.loc["report", "agent_hours"] == pytest.approx(60 + 40)
    assert cat.loc["data_sync", ["tasks", "recommended", "ready_now"]].tolist() == [1, 0, 0]
    assert cat.loc["follow_up", ["tasks", "autonomous", "ready_now"]].tolist() == [1, 1, 0]
    assert cat.loc["research", "tasks"] == 0


def test_specs_cover_the_top_recommended_candidates_with_every_field():
    df = rows(
        {"task_id": "A", "runs_per_month": 22},
        {"task_id": "B", "error_impact": "medium", "category": "follow_up"},
        {"task_id": "C", "data_sensitivity": "restricted", "runs_per_month": 500},
        {"task_id": "D", "error_impact": "high", "category": "data_sync", "minutes_per_run": 90},
    )
    r = run(df, top_specs=3)
    # agent value: A 132 h × 80 = 10,560 (alone); D 180 h × 80 ÷ 3 = 4,800 (drafts); B 4,800 × ⅔ = 3,200; C never
    assert r.specs["task_id"].tolist() == ["A", "D", "B"]
    for field in am.SPEC_FIELDS:
        assert r.specs[field].str.len().min() > 10
    a, d, b = (r.specs.set_index("task_id").loc[t] for t in ("A", "D", "B"))
    assert a["trigger"] == "Scheduled, every working day."
    assert "From week 7, autonomous" in a["pilot_plan"]  # 8 agent weeks: 2 shadow, 4 approval
    assert "Autonomous: not planned" in b["pilot_plan"] and "approves each output" in b["checkpoint"]
    assert d["steps"].startswith("Split the task")
    assert "cannot be undone" in d["never"]
    assert a["hours_saved"] == pytest.approx(22 * 12 * 30 / 60)


def test_spec_page_escapes_client_text():
    r = run(rows({"owner_role": "<script>alert(1)</script>", "systems": "A&B"}))
    html = am.spec_page_html(r.specs.iloc[0].to_dict(), r.currency)
    assert "<script>" not in html and "&lt;script&gt;" in html and "A&amp;B" in html


def test_spec_pages_are_written_per_top_candidate(tmp_path):
    r = run(rows({"task_id": "A"}, {"task_id": "B"}), top_specs=2)
    paths = am.write_spec_pages(tmp_path, r, "T", "2027-01-01")
    assert sorted(p.name for p in paths) == ["agent_spec_a.html", "agent_spec_b.html"]
    assert all(p.parent == tmp_path / "pages" for p in paths)
    assert "Human checkpoint" in paths[0].read_text()
    assert am.write_spec_pages("", r, "T", "2027-01-01") == []


# ---------------------------------------------------------------- property: stricter inputs never loosen oversight

task_rows = st.fixed_dictionaries(
    {
        "input_structure": st.integers(1, 5),
        "rule_based": st.integers(1, 5),
        "exception_rate": st.floats(0, 1),
        "data_sensitivity": st.sampled_from(DATA_CLASSES),
        "error_impact": st.sampled_from(ERROR_IMPACTS),
    }
)
weight_sets = st.one_of(
    st.none(),
    st.fixed_dictionaries({k: st.floats(0, 5) for k in am.FACTORS}).filter(lambda w: sum(w.values()) > 0.01),
)


@settings(max_examples=150, deadline=None)
@given(task=task_rows, more=st.floats(0, 1), weights=weight_sets)
def test_raising_the_exception_rate_never_loosens_oversight(task, more, weights):
    riskier = {**task, "exception_rate": min(1.0, task["exception_rate"] + more)}
    c = run(rows(task, riskier), weights=weights).candidates.set_index("task_id")
    assert c.loc["T2", "oversight_level"] >= c.loc["T1", "oversight_level"]


@settings(max_examples=150, deadline=None)
@given(task=task_rows, steps=st.integers(0, 2), weights=weight_sets)
def test_raising_the_error_impact_never_loosens_oversight(task, steps, weights):
    higher = ERROR_IMPACTS[min(2, ERROR_IMPACTS.index(task["error_impact"]) + steps)]
    c = run(rows(task, {**task, "error_impact": higher}), weights=weights).candidates.set_index("task_id")
    assert c.loc["T2", "oversight_level"] >= c.loc["T1", "oversight_level"]


# ---------------------------------------------------------------- engagement wiring


def test_engagement_without_a_survey_gates_on_unknown_readiness(tmp_path):
    eng = load_engagement(write_engagement(tmp_path / "e", skills_survey=None))
    r = am.analyze_engagement(eng)
    assert not r.readiness_known and "no skills survey" in r.readiness_note
    assert r.covered == ("public", "internal")  # ChatGPT Team: approved, team plan, internal
    c = r.candidates.iloc[0]  # T1: (5, 4, 0.1) internal, low → p = (1 + .75 + .9) / 3
    assert c["potential"] == pytest.approx(2.65 / 3)
    assert c["oversight"] == "Runs on its own" and c["gate"] == "Training first"


def test_engagement_whose_training_analysis_failed_still_runs_on_unknown_readiness(tmp_path, monkeypatch):
    from kit.phases import training

    def broken(*args, **kwargs):
        raise ValueError("planted failure")

    monkeypatch.setattr(training, "analyze", broken)
    eng = load_engagement(write_engagement(tmp_path / "e"))
    r = am.analyze_engagement(eng)
    assert not r.readiness_known and "not available" in r.readiness_note and "planted failure" in r.readiness_note
    assert r.candidates.iloc[0]["gate"] == "Training first"


def test_engagement_readiness_comes_from_the_models_training_result(tmp_path):
    from kit.model import EngagementModel

    eng = load_engagement(write_engagement(tmp_path / "e"))
    model = EngagementModel(eng)
    fake = type("R", (), {"departments": pd.DataFrame({"department": ["Sales"], "readiness": [0.75]})})
    model.driver.provide(training_gaps=fake)
    r = am.analyze_engagement(eng, model)
    c = r.candidates.iloc[0]
    assert c["readiness"] == 0.75 and c["gate"] == "Ready now"
    assert r.n_ready_now == 1


# ---------------------------------------------------------------- charts, views and the record


def test_value_feasibility_chart_sizes_by_hours_and_colours_by_oversight():
    spec = am.value_feasibility_chart(run(rows({}, {"error_impact": "high"}))).to_dict()
    enc = spec["encoding"]
    assert enc["x"]["field"] == "feasibility" and "%" in enc["x"]["title"]
    assert enc["y"]["field"] == "annual_value" and "USD" in enc["y"]["title"]
    assert enc["size"]["field"] == "annual_hours"
    assert enc["color"]["field"] == "oversight"
    assert enc["color"]["scale"]["domain"] == list(am.OVERSIGHT_LABELS)
    assert spec["title"]


def test_category_chart_counts_tasks_with_titles():
    spec = am.category_chart(run(rows({}, {"category": "follow_up"}))).to_dict()
    assert spec["encoding"]["x"]["title"] == "Number of tasks" and spec["title"]


def test_result_is_recordable_as_json():
    rec = nb.result_record("agent_candidates", run(rows({}, {"data_sensitivity": "restricted"})))
    json.dumps(rec, allow_nan=False)
    assert rec["scalars"]["n_ready_now"] == 1 and rec["scalars"]["total_agent_hours"] == pytest.approx(60)
    assert {"candidates", "by_category", "specs"} <= set(rec["tables"])


def test_empty_selection_reads_plainly():
    r = run(rows(), departments=["Nowhere"])
    assert r.n_tasks == 0 and r.specs.empty
    assert "No recurring task" in am.summary_text(r)
    assert len(am.category_view(r)) == 6


# ---------------------------------------------------------------- on the sample client

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "halden"


@pytest.fixture(scope="module")
def sample():
    eng = load_engagement(SAMPLE)
    return eng, am.analyze_engagement(eng), json.loads((SAMPLE / "planted.json").read_text())["recurring_work"]


@pytest.fixture(scope="module")
def sample_readiness(sample):
    readiness, _ = am.department_readiness(sample[0])
    return readiness


def test_sample_planted_best_candidates_rank_on_top(sample):
    _, r, planted = sample
    best = planted["best_agent_candidates"]
    assert set(r.candidates.head(len(best))["task_id"]) == set(best)
    assert set(r.specs.head(len(best))["task_id"]) == set(best)
    assert (r.candidates.head(len(best))["oversight"] == "Runs on its own").all()


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"weights": {"input_structure": 1, "rule_based": 1, "exception_rate": 0}},
        {"autonomy_potential": 0.0, "approval_potential": 0.0, "min_potential": 0.0},
        {"readiness_threshold": 0.0},
    ],
)
def test_sample_restricted_task_is_never_recommended(sample, sample_readiness, overrides):
    eng, _, planted = sample
    r = am.analyze_engagement(eng, readiness=sample_readiness, **overrides)
    never = r.candidates[r.candidates["task_id"].isin(planted["never_autonomous"])]
    assert len(never) == len(planted["never_autonomous"])
    assert (never["oversight"] == "Not recommended").all()
    assert (never["gate"] == "Not recommended").all() and not never["ready_now"].any()
    assert not set(planted["never_autonomous"]) & set(r.specs["task_id"])


def test_sample_long_tasks_are_the_planted_ones(sample):
    _, r, planted = sample
    assert set(r.candidates.loc[r.candidates["long_task"], "task_id"]) == set(planted["split_over_60_minutes"])


def test_sample_readiness_comes_through_training(sample):
    _, r, _ = sample
    assert r.readiness_known
    assert r.departments["readiness"].between(0, 1).all()
    assert r.n_ready_now == int(r.candidates["ready_now"].sum())
    assert r.covered == ("public", "internal", "confidential")


def test_sample_explorer_redraws_for_one_department_with_other_weights(sample):
    eng, _, _ = sample
    chart, note, _table = am.explorer(EngagementModel(eng))(department="Purchasing", routine_weight=0.0)
    data = chart.to_dict()["datasets"]
    rows = next(iter(data.values()))
    assert {row["department"] for row in rows} == {"Purchasing"}
    assert "1 : 1 : 0" in note.text


# ---------------------------------------------------------------- the kit's own assumptions

# All internal data, low error impact (risk allows running alone), 60 h a year at 80 an hour = 4,800 × p.
SENS = rows(
    {"task_id": "T1", "input_structure": 4, "rule_based": 4, "exception_rate": 0.2},  # p = .7667: on its own
    {"task_id": "T2", "input_structure": 3, "rule_based": 3, "exception_rate": 0.5},  # p = .5: approve
    {"task_id": "T3", "input_structure": 1, "rule_based": 1, "exception_rate": 0.2},  # p = .2667: draft
    {"task_id": "T4", "input_structure": 5, "rule_based": 5, "exception_rate": 0.25},  # p = .9167, 25% exceptions: approve
)
P = {"T1": 2.3 / 3, "T2": 0.5, "T3": 0.8 / 3, "T4": 2.75 / 3}


def test_cut_offs_and_shares_are_settings_in_engagement_yaml():
    default = run(SENS).candidates.set_index("task_id")
    assert default.loc["T1", "oversight"] == "Runs on its own"
    custom = parse_settings(SETTINGS.model_dump() | {"agent_rules": {
        "autonomy_potential": 0.9, "autonomy_max_exceptions": 0.25, "oversight_share": {"approves_each_output": 0.5}}})  # fmt: skip
    r = am.analyze(SENS, custom, readiness=READY, covered=EVERYTHING)
    c = r.candidates.set_index("task_id")
    assert c.loc["T1", "oversight"] == "A person approves each output"  # .7667 < .9
    assert c.loc["T4", "oversight"] == "Runs on its own"  # .9167 ≥ .9 and 25% exceptions allowed
    assert c.loc["T1", "agent_value"] == pytest.approx(4800 * P["T1"] * 0.5)
    assert (r.autonomy_potential, r.autonomy_max_exceptions, r.oversight_share) == (0.9, 0.25, (1.0, 0.5, 1 / 3, 0.0))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"approval_potential": 0.8}, 'setting "agent_rules" cut-offs must satisfy min_potential < approval_potential '
                                      "< autonomy_potential (given: 0.25, 0.8, 0.75)"),
        ({"oversight_share": {"drafts_with_agent": 0.9}}, 'setting "agent_rules.oversight_share" shares must not grow '
         "with stricter oversight: on_its_own >= approves_each_output >= drafts_with_agent (given: 1, 0.666667, 0.9)"),
        ({"autonomy_potential": 1.5}, 'setting "agent_rules.autonomy_potential" must be less than or equal to 1 (given: 1.5)'),
        ({"autonomy": 0.9}, 'setting "agent_rules.autonomy" is not a known setting'),
    ],
)  # fmt: skip
def test_agent_rules_out_of_range_or_order_are_one_line_naming_the_setting(rules, message):
    from kit.problems import IntakeError

    with pytest.raises(IntakeError) as err:
        parse_settings(SETTINGS.model_dump() | {"agent_rules": rules})
    (problem,) = err.value.problems
    assert str(problem).startswith(f"engagement.yaml: {message}")


@pytest.mark.parametrize(
    ("assumption", "setting", "counts"),
    [
        ("cut_offs", "0.65 / 0.40 / 0.15", (1, 2, 1, 0)),
        ("cut_offs", "0.75 / 0.50 / 0.25", (1, 2, 1, 0)),
        ("cut_offs", "0.85 / 0.60 / 0.35", (0, 2, 1, 1)),  # T1 needs approval, T2 drafting, T3 not recommended
        ("autonomy_max_exceptions", "at most 10%", (0, 3, 1, 0)),  # T1's 20% exceptions are now too many
        ("autonomy_max_exceptions", "at most 30%", (2, 1, 1, 0)),  # T4's 25% exceptions now allowed
        ("oversight_share", "1, 0.5, 0.25", (1, 2, 1, 0)),  # the shares move value, not oversight
    ],
)
def test_sensitivity_counts_tasks_per_oversight_level_as_the_cut_offs_move(assumption, setting, counts):
    s = run(SENS).sensitivity.set_index(["assumption", "setting"]).loc[(assumption, setting)]
    assert (s["on_its_own"], s["approve"], s["draft"], s["not_recommended"]) == counts


@pytest.mark.parametrize(
    ("setting", "shares"),
    [("1, 0.5, 0.25", (1, 0.5, 0.25)), ("1, 0.67, 0.33", (1, 2 / 3, 1 / 3)), ("1, 0.83, 0.42", (1, 5 / 6, 5 / 12))],
)
def test_sensitivity_values_the_agent_work_at_other_oversight_shares(setting, shares):
    r = run(SENS)
    s = r.sensitivity.set_index(["assumption", "setting"]).loc[("oversight_share", setting)]
    own, approve, draft = shares
    expected = 4800 * (P["T1"] * own + P["T2"] * approve + P["T3"] * draft + P["T4"] * approve)
    assert s["agent_value"] == pytest.approx(expected)
    assert s["agent_hours"] == pytest.approx(expected / 80 * 1)  # hours × p × share, at 80 an hour


def test_the_sensitivity_row_of_this_run_is_the_run_itself():
    r = run(SENS)
    current = r.sensitivity[r.sensitivity["current"]]
    assert current["assumption"].tolist() == ["cut_offs", "autonomy_max_exceptions", "oversight_share"]
    by = r.by_oversight.set_index("oversight_level")["tasks"]
    for _, s in current.iterrows():
        assert (s["on_its_own"], s["approve"], s["draft"], s["not_recommended"]) == tuple(by)
        assert s["agent_value"] == pytest.approx(r.total_agent_value)
    view = am.sensitivity_view(r)
    assert "0.75 / 0.50 / 0.25 (this run)" in view["Setting"].tolist()
    assert am.sensitivity_text(r).startswith(
        "This run: 1 task(s) run on their own, 0 not recommended, agent value USD 8,640 a year. Loosening the cut-offs "
        "by 0.1: 1 on its own, 0 not recommended"
    )


@pytest.mark.parametrize(
    ("assumption", "source"),
    [
        ("Automation potential to run on its own", "kit assumption (not from a published source); setting agent_rules.autonomy_potential"),
        ("Most runs needing a human decision, to run on its own", "kit assumption (not from a published source); setting agent_rules.autonomy_max_exceptions"),
        ("Automation potential for a person to approve each output", "kit assumption (not from a published source); setting agent_rules.approval_potential"),
        ("Automation potential below which an agent is not recommended", "kit assumption (not from a published source); setting agent_rules.min_potential"),
        ("Share of the work an agent takes on: on its own, approved, drafting", "kit assumption (not from a published source); setting agent_rules.oversight_share"),
        ("Runs longer than this are split first", "METR 2025 (arXiv 2503.14499): about 1 hour at 50% success; option phases.agent_candidates.long_task_minutes"),
        ("Automate only when predictable and low-consequence", "tones9/AI-Adoption-Assessment-Tool (published open rubric, provisional)"),
    ],
)
def test_method_notes_label_each_threshold_as_cited_or_a_kit_assumption(assumption, source):
    view = am.assumptions_view(run(SENS)).set_index("Assumption")
    assert view.loc[assumption, "Source"] == source


def test_the_engagement_template_documents_the_agent_rules_with_their_defaults():
    import yaml

    from kit.settings import AgentRules

    text = (Path(__file__).resolve().parents[2] / "engagement_templates" / "engagement.yaml").read_text(encoding="utf-8")
    assert parse_settings(yaml.safe_load(text)).agent_rules == AgentRules()  # exact defaults, shares included
    doc = next(p for p in text.split("\n\n") if p.startswith("# agent_rules — "))
    assert "Kit assumptions (not from a published source)" in doc
    for line in ("autonomy_potential — number > 0 up to 1, default 0.75", "autonomy_max_exceptions — number 0..1, default 0.2",
                 "approval_potential — number > 0 up to 1, default 0.5", "min_potential — number 0..1, default 0.25",
                 "approves_each_output (default 2/3)"):  # fmt: skip
        assert line in doc.replace("\n#     ", " ").replace("\n#   ", " "), line

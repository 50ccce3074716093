"""The engagement model: one results graph per engagement, each result computed once and read the
same by every deliverable."""

from __future__ import annotations

import pytest

from kit.intake import load_engagement
from kit.model import GRAPH, EngagementModel, Unavailable
from kit.phases import PHASES
from tests.e2e.conftest import SAMPLE

SOURCE_PHASES = [p.name for p in PHASES if p.name != "engagement_summary"]


@pytest.fixture(scope="module")
def eng():
    return load_engagement(SAMPLE)


@pytest.fixture(scope="module")
def summary_model(eng):
    model = EngagementModel(eng)
    model.result("engagement_summary")
    return model


def test_the_summary_computed_alone_shows_all_five_analyses(summary_model):
    summary = summary_model.result("engagement_summary")
    assert summary.n_ok == 5 and summary.missing == ()
    assert all(r.ok for r in summary_model["phase_records"].values())


def test_the_summary_computes_every_node_exactly_once(summary_model):
    # every node but the workbook, which is built from the summary (its notebook writes it)
    assert dict(summary_model.computed) == dict.fromkeys(set(GRAPH.nodes) - {"engagement_workbook"}, 1)
    assert summary_model["engagement_workbook"][:2] == b"PK"  # an xlsx (a zip), built from what is known
    assert dict(summary_model.computed) == dict.fromkeys(GRAPH.nodes, 1)


def test_a_changed_option_recomputes_only_what_depends_on_it(eng):
    model = EngagementModel(eng)
    model.result("engagement_summary")
    stale = model.set_options("roi_ranking", ranking="point")
    assert stale == {"roi_ranking", "training_ranking", "training_gaps", "department_readiness", "agent_candidates",
                     "phase_records", "progress", "engagement_summary", "engagement_workbook"}  # fmt: skip
    model.result("engagement_summary")
    assert model.computed["consolidation"] == 1 and model.computed["workflow_savings"] == 1
    assert model.computed["roi_ranking"] == 2 and model.computed["engagement_summary"] == 2


def test_training_follows_the_roi_ranking_of_the_same_model(eng):
    for ranking in ("conservative", "point"):
        model = EngagementModel(eng, {"roi_ranking": {"ranking": ranking}})
        roi = model.result("roi_ranking")
        assert model["training_ranking"] is roi.ranking
        assert roi.ranking_basis == ranking


def test_a_phase_without_its_tables_is_skipped_and_says_which(eng):
    tables = dict(eng.tables)
    tables.pop("recurring_work")
    lacking = type(eng)(**{**eng.__dict__, "tables": tables, "missing": {"recurring_work": "file not found"}})
    model = EngagementModel(lacking)
    value = model["agent_candidates"]
    assert isinstance(value, Unavailable) and value.status == "skipped"
    assert value.reason == "needs recurring_work: file not found"
    assert model["phase_records"]["agent_candidates"].status == "skipped"


def test_a_failing_analysis_is_a_failed_result_and_the_others_go_on(eng, monkeypatch):
    from kit.phases import consolidation

    def broken(*args, **kwargs):
        raise ValueError("planted failure")

    monkeypatch.setattr(consolidation, "analyze", broken)
    model = EngagementModel(eng)
    value = model["consolidation"]
    assert isinstance(value, Unavailable) and value.status == "failed"
    assert value.reason == "ValueError: planted failure" and "Traceback" in value.detail
    summary = model.result("engagement_summary")
    assert summary.n_ok == 4 and "Consolidation: tool spend, use and governance" in summary.missing
    assert model.result("training_gaps") is not None  # teaches the inventory as it is


def test_results_persisted_in_a_run_folder_are_read_back_not_recomputed(eng, tmp_path):
    model = EngagementModel(eng)
    model.result("engagement_summary")
    model.save(tmp_path)
    again = EngagementModel(eng, run_dir=tmp_path)
    assert again.result("engagement_summary").executive_summary == model.result("engagement_summary").executive_summary
    assert sum(again.computed.values()) == 0 and again.driver.loaded["engagement_summary"] == 1
    assert (tmp_path / "results" / "roi_ranking.json").is_file()


# ---------------------------------------------------------------- one figure everywhere


def _sheet(book, name: str):
    import pandas as pd

    rows = list(book[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def _savings_everywhere(model):
    """Each workflow's saving and its source as Phase 1, Phase 2, the summary and the workbook show them."""
    import io

    from openpyxl import load_workbook

    from kit.phases import summary as sm

    wm = model.result("workflow_mapping").inventory.set_index("workflow_id")
    roi = model.result("roi_ranking").ranking.set_index("workflow_id")
    summary = model.result("engagement_summary")
    book = load_workbook(io.BytesIO(sm.workbook_bytes(summary, model["phase_records"])), read_only=True)
    inventory_sheet = _sheet(book, "Workflow inventory").set_index("Workflow id")
    roi_sheet = _sheet(book, "ROI ranking").set_index("Workflow id")
    return wm, roi, summary, inventory_sheet, roi_sheet


@pytest.mark.parametrize("client", ["sample", "hand-made"])
def test_every_workflow_has_one_saving_and_source_in_every_deliverable(client, eng, tmp_path):
    from tests.conftest import write_engagement

    if client == "hand-made":
        rows = "\n".join(f"O{i},W1,{'true' if i % 2 else 'false'},{40 + i if i % 2 else 60 + i}" for i in range(12))
        folder = write_engagement(tmp_path / "e", time_studies="observation_id,workflow_id,ai_assisted,minutes\n" + rows + "\n")
        source = load_engagement(folder)
    else:
        source = eng
    wm, roi, summary, inventory_sheet, roi_sheet = _savings_everywhere(EngagementModel(source))
    estimates = EngagementModel(source)["workflow_savings"].table.set_index("workflow_id")
    assert set(wm.index) == set(roi.index) == set(estimates.index)
    for wid in wm.index:
        saving, origin = estimates.loc[wid, "saving"], estimates.loc[wid, "source"]
        assert wm.loc[wid, "expected_saving"] == saving and wm.loc[wid, "saving_source"] == origin
        assert roi.loc[wid, "saving"] == saving and roi.loc[wid, "source"] == origin
        assert inventory_sheet.loc[wid, "Expected saving (%)"] == pytest.approx(saving, abs=1e-12)
        assert inventory_sheet.loc[wid, "Saving from"] == origin
        assert roi_sheet.loc[wid, "Time saved (%)"] == pytest.approx(saving, abs=1e-12)
        assert roi_sheet.loc[wid, "Saving estimated from"] == origin
    chosen = summary.workflows.set_index("workflow_id")
    assert list(chosen.index) == list(roi[roi["recommended"]].index)
    assert len(chosen) > 0 or client == "hand-made"
    for wid in chosen.index:
        assert chosen.loc[wid, "saving"] == pytest.approx(roi.loc[wid, "saving"], abs=1e-12)


def test_ranking_by_point_estimate_changes_every_deliverable_that_depends_on_it(eng):
    from kit.phases import summary as sm

    base = EngagementModel(eng)
    point = EngagementModel(eng, {"roi_ranking": {"ranking": "point"}})
    for model, basis in ((base, "conservative"), (point, "point")):
        roi = model.result("roi_ranking")
        assert roi.ranking_basis == basis
        training = model.result("training_gaps")
        # training's priorities follow this model's ranking, not a ranking of their own
        assert model["training_ranking"] is roi.ranking
        top = set(roi.ranking[roi.ranking["saving"] > 0]["workflow_id"].head(10))
        assert top, "some workflow saves time"
        summary = model.result("engagement_summary")
        assert list(summary.workflows["workflow_id"]) == list(roi.start_here["workflow_id"])
        book_rec = model["phase_records"]["roi_ranking"].record
        assert list(book_rec["tables"]["ranking"]["workflow_id"]) == list(roi.ranking["workflow_id"])
        assert training.respondents > 0
    order = [list(m.result("roi_ranking").ranking["workflow_id"]) for m in (base, point)]
    assert order[0] != order[1], "the two rankings differ on the sample"
    assert sm.executive_summary_text(base.result("engagement_summary")) != "" and point.computed["roi_ranking"] == 1

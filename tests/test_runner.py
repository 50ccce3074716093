"""The runner's plan and bookkeeping, without executing notebooks (end-to-end runs are in tests/e2e)."""

from __future__ import annotations

import datetime as dt

import pytest

from kit.intake import load_engagement
from kit.phases import PHASES, get_phase
from kit.runner import RunError, check_parameters, new_run_dir, plan_phases, point_latest
from tests.conftest import write_engagement


def test_phase_missing_a_table_is_skipped_with_the_reason(tmp_path):
    eng = load_engagement(write_engagement(tmp_path / "e", workflows=None, time_studies=None))
    outcomes = {o.phase: o for o in plan_phases(eng, None)}
    assert outcomes["workflow_mapping"].status == "skipped"
    assert "workflows" in outcomes["workflow_mapping"].error


def test_every_phase_is_planned_when_all_tables_are_present(engagement_dir):
    eng = load_engagement(engagement_dir)
    assert [o.status for o in plan_phases(eng, None)] == ["planned"] * len(PHASES)


@pytest.mark.parametrize("name", ["workflow_mapping", "01", "01_workflow_mapping", "01_workflow_mapping.ipynb"])
def test_a_phase_can_be_named_by_name_number_or_file(name):
    assert get_phase(name).name == "workflow_mapping"


def test_unknown_phase_lists_the_known_ones():
    with pytest.raises(KeyError, match="known phases: workflow_mapping, roi_ranking, training_gaps, consolidation, agent_candidates, engagement_summary"):
        get_phase("astrology")


def test_unknown_parameter_is_rejected_not_ignored():
    with pytest.raises(RunError, match="unknown parameter"):
        check_parameters([get_phase("workflow_mapping")], {"adoptoin_rate": 0.5})


def test_runner_owned_parameters_cannot_be_overridden():
    with pytest.raises(RunError, match="set by the runner"):
        check_parameters([get_phase("workflow_mapping")], {"output_dir": "/tmp"})


def test_run_folders_never_collide(tmp_path):
    now = dt.datetime(2027, 1, 11, 9, 30)
    first, _ = new_run_dir(tmp_path, "acme", now)
    second, _ = new_run_dir(tmp_path, "acme", now)
    assert (first, second) == ("20270111-093000", "20270111-093000-1")


def test_latest_is_moved_to_the_new_run(tmp_path):
    _, a = new_run_dir(tmp_path, "acme", dt.datetime(2027, 1, 1))
    _, b = new_run_dir(tmp_path, "acme", dt.datetime(2027, 1, 2))
    point_latest(a)
    link = point_latest(b)
    assert link.resolve() == b.resolve()


def test_index_names_pages_by_their_title_without_the_client_suffix(tmp_path):
    from kit.report import page_html
    from kit.runner import page_title

    page = tmp_path / "playbook_ceo.html"
    page.write_text(page_html("AI playbook: CEO & founders", "<p>x</p>", client="Acme", date="2027-01-01"))
    assert page_title(page) == "AI playbook: CEO & founders"
    (tmp_path / "notes.txt").write_text("<title>no</title>")
    assert page_title(tmp_path / "notes.txt") == ""


def test_without_symlinks_the_latest_run_is_named_in_a_file(tmp_path, monkeypatch):
    import os

    _, run = new_run_dir(tmp_path, "acme", dt.datetime(2027, 1, 3))

    def no_symlinks(*args, **kwargs):
        raise OSError("symlinks not permitted")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    marker = point_latest(run)
    assert marker.name == "latest.txt" and marker.read_text().strip() == run.name

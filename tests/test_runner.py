"""The runner's plan and bookkeeping, without executing notebooks (end-to-end runs are in tests/e2e)."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kit.intake import load_engagement
from kit.notebook import load_record
from kit.phases import PHASE_BY_NAME, PHASES, get_phase
from kit.runner import (
    NothingToRun,
    PhaseOutcome,
    RunError,
    RunWriteError,
    check_parameters,
    new_run_dir,
    plan_phases,
    point_latest,
    run_engagement,
)
from tests.conftest import TABLES, write_engagement


def test_phase_missing_a_table_is_skipped_with_the_reason(tmp_path):
    eng = load_engagement(write_engagement(tmp_path / "e", workflows=None, time_studies=None))
    outcomes = {o.phase: o for o in plan_phases(eng, None)}
    assert outcomes["workflow_mapping"].status == "skipped"
    assert "workflows" in outcomes["workflow_mapping"].error


def test_every_phase_is_planned_when_all_tables_are_present(engagement_dir):
    eng = load_engagement(engagement_dir)
    assert [o.status for o in plan_phases(eng, None, has_baseline=True)] == ["planned"] * len(PHASES)
    # without a baseline run, only the progress phase (it compares with one) is skipped
    assert [o.phase for o in plan_phases(eng, None) if o.status == "skipped"] == ["progress"]


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


# --- run_engagement with the notebooks replaced by a recorder (no kernels) ----------------------


class InlineKernels:
    """Stands in for the runner's warm kernels: phases run in threads of this process, no kernel.
    `started` lists, per run, the phases whose notebooks a kernel would have been warmed for, when the
    run started (or asked for) one."""

    started: list[list[str]] = []

    def __init__(self, size=None, run_dir=None, phases=None):
        self.pool = ThreadPoolExecutor(size or 2)
        self.stopping = threading.Event()
        self.phases, self.used = [p.name for p in phases or PHASES], False

    def plan(self, size, run_dir, phases):
        if not self.used:
            self.phases = [p.name for p in phases]

    def close(self, kill=True):
        self.pool.shutdown()

    def start(self):
        self.get()

    def get(self):
        if not self.used:
            self.used = True
            InlineKernels.started.append(self.phases)
        return self

    def submit(self, job):
        return self.pool.submit(lambda: job(None)[0])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.fixture
def recorded(monkeypatch):
    """Replace notebook execution by a recorder; returns the parameters each phase was given."""
    import kit.runner as runner

    calls: list[dict] = []

    def execute(kernel, *, pool, stopping, phase_name, parameters, **kwargs):
        calls.append({"phase": phase_name, **parameters})
        phase = PHASE_BY_NAME[phase_name]
        outcome = PhaseOutcome(phase.name, phase.title, "ok", notebook=f"notebooks/{phase.notebook}", parameters=parameters)
        return outcome, kernel

    monkeypatch.setattr(runner, "Kernels", InlineKernels)
    monkeypatch.setattr(InlineKernels, "started", [])
    monkeypatch.setattr(runner, "_render_phase", execute)
    return calls


@pytest.fixture
def rendering(recorded, monkeypatch):
    """Like `recorded`, and each phase leaves its notebook and HTML, so the run cache keeps its render."""
    import kit.runner as runner

    def execute(kernel, *, pool, stopping, phase_name, parameters, run_dir, **kwargs):
        recorded.append({"phase": phase_name, **parameters})
        phase = PHASE_BY_NAME[phase_name]
        notebook, html = Path("notebooks") / phase.notebook, f"{phase.notebook.removesuffix('.ipynb')}.html"
        (run_dir / notebook).write_bytes(phase.path.read_bytes())
        (run_dir / html).write_text(f"<html>{phase_name}</html>", encoding="utf-8")
        return PhaseOutcome(phase.name, phase.title, "ok", notebook=str(notebook), html=html, parameters=parameters), kernel

    monkeypatch.setattr(runner, "_render_phase", execute)
    return recorded


def test_a_rerun_with_no_input_changed_starts_no_kernel_and_reuses_every_phase(engagement_dir, rendering, tmp_path):
    day = dt.datetime(2027, 1, 1)
    first = run_engagement(engagement_dir, reports_root=tmp_path, now=day)  # becomes the baseline
    second = run_engagement(engagement_dir, reports_root=tmp_path, now=day.replace(hour=1))  # renders progress
    # started as each run began (nothing recorded; then a baseline recorded), so warmed for every notebook
    assert InlineKernels.started == [[p.name for p in PHASES]] * 2
    assert [o.phase for o in second.outcomes if not o.reused] == ["engagement_summary", "progress"]  # it quotes progress
    rendered = len(rendering)

    third = run_engagement(engagement_dir, reports_root=tmp_path, now=day.replace(hour=2))
    assert len(InlineKernels.started) == 2 and len(rendering) == rendered  # no kernel, nothing executed
    assert third.ok and all(o.reused for o in third.outcomes)
    assert first.latest is not None and third.latest is not None
    assert sorted((third.run_dir / "notebooks").iterdir()) and (third.run_dir / "index.html").is_file()


def test_kernels_start_as_a_run_begins_when_its_inputs_changed_and_not_when_they_did_not(engagement_dir, rendering,
                                                                                        tmp_path, monkeypatch):  # fmt: skip
    """`InputsRecord`: a run whose engagement folder, options and baseline are those of the last run
    that ended with every phase ok starts no kernel; an edited table, another option or a run after a
    failed phase starts them before the engagement is even loaded (they warm while it loads)."""
    import kit.runner as runner

    at_load: list[int] = []
    load = runner.load_engagement

    def loading(*args, **kwargs):
        at_load.append(len(InlineKernels.started))
        return load(*args, **kwargs)

    monkeypatch.setattr(runner, "load_engagement", loading)
    day = dt.datetime(2027, 1, 1)

    def run(hour: int, **kwargs) -> int:
        """How many kernel starts the run asked for before it loaded the engagement (0 or 1)."""
        before = len(InlineKernels.started)
        run_engagement(engagement_dir, reports_root=tmp_path, now=day.replace(hour=hour), **kwargs)
        return at_load[-1] - before

    assert run(0) == 1  # nothing recorded yet
    assert run(1) == 1  # a baseline is recorded now: progress renders
    assert run(2) == 0 and len(InlineKernels.started) == 2  # the same inputs: nothing renders, no kernel at all
    table = engagement_dir / "recurring_work.csv"
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run(3) == 1  # a table edited (its size and time changed)
    assert run(4) == 0
    assert run(5, parameters={"top_n": 2}) == 1  # another option
    failing = PHASE_BY_NAME["agent_candidates"]

    def fail(kernel, *, pool, stopping, phase_name, parameters, run_dir, **kwargs):
        phase = PHASE_BY_NAME[phase_name]
        status = "failed" if phase is failing else "ok"
        return PhaseOutcome(phase.name, phase.title, status, error="boom" if status == "failed" else None), kernel

    monkeypatch.setattr(runner, "_render_phase", fail)
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run(6) == 1
    record = tmp_path / "test-client" / ".cache" / runner.InputsRecord.FILE
    assert not record.exists()  # a phase failed: it renders again next time, so nothing is recorded
    assert run(7) == 1
    assert not runner.InputsRecord(tmp_path / "not-an-engagement", tmp_path, None).changed()  # nothing to walk
    settings = engagement_dir / "engagement.yaml"
    settings.write_bytes(b"\xef\xbb\xbf" + settings.read_bytes())  # saved with a BOM, as Excel's editors do
    assert runner.InputsRecord(engagement_dir, tmp_path, None).path == record  # read as the intake reads it


def _deck_text(run_dir: Path) -> str:
    from pptx import Presentation

    from kit.deck import deck_path

    prs = Presentation(str(deck_path(run_dir, "test-client")))
    return "\n".join(sh.text_frame.text for slide in prs.slides for sh in slide.shapes if sh.has_text_frame)


def test_a_follow_up_runs_deck_has_the_progress_slide_against_its_baseline(engagement_dir, rendering, tmp_path):
    day = dt.datetime(2027, 1, 1)
    first = run_engagement(engagement_dir, reports_root=tmp_path, now=day)  # becomes the baseline
    second = run_engagement(engagement_dir, reports_root=tmp_path, now=day.replace(hour=1))
    assert "Progress since the baseline" not in _deck_text(first.run_dir)
    text = _deck_text(second.run_dir)
    assert "Progress since the baseline" in text and first.run_id in text
    third = run_engagement(engagement_dir, reports_root=tmp_path, now=day.replace(hour=2))  # the deck reused from the cache
    assert "Progress since the baseline" in _deck_text(third.run_dir) and first.run_id in _deck_text(third.run_dir)


def test_every_path_handed_to_a_notebook_is_absolute_when_the_user_gives_relative_ones(
    engagement_dir, recorded, tmp_path, monkeypatch
):
    monkeypatch.chdir(engagement_dir.parent)
    result = run_engagement(Path(engagement_dir.name), reports_root=Path("reports"))
    assert sorted(c["phase"] for c in recorded) == sorted(p.name for p in PHASES if not p.needs_baseline)
    for call in recorded:
        assert Path(call["engagement"]).is_absolute() and Path(call["engagement"]) == engagement_dir.resolve()
        assert Path(call["output_dir"]).is_absolute()
        assert Path(call["output_dir"]) == (engagement_dir.parent / "reports" / "test-client" / result.run_id).resolve()
    assert result.run_dir.is_absolute() and result.latest is not None


def test_a_partial_selection_never_moves_latest(engagement_dir, recorded, tmp_path):
    full = run_engagement(engagement_dir, reports_root=tmp_path, now=dt.datetime(2027, 1, 1))
    assert full.latest is not None and full.unselected == []
    partial = run_engagement(engagement_dir, reports_root=tmp_path, phases=["04"], now=dt.datetime(2027, 1, 2))
    assert partial.ok and partial.latest is None
    # the full run became the baseline, so the progress phase is among those the partial run left out
    assert (tmp_path / "test-client" / "baseline").read_text(encoding="utf-8").strip() == full.run_id
    assert partial.unselected == [p.name for p in PHASES if p.name != "consolidation"]
    assert (tmp_path / "test-client" / "latest").resolve() == full.run_dir.resolve()


def test_a_full_run_moves_latest_when_the_data_skip_a_phase(recorded, tmp_path):
    folder = write_engagement(tmp_path / "e", recurring_work=None)
    result = run_engagement(folder, reports_root=tmp_path / "r")
    assert {o.phase: o.status for o in result.outcomes}["agent_candidates"] == "skipped"
    assert result.unselected == [] and result.latest is not None


def test_a_run_with_nothing_to_analyse_is_refused_and_writes_nothing(recorded, tmp_path):
    folder = write_engagement(tmp_path / "e", **{name: None for name in TABLES})
    with pytest.raises(NothingToRun) as info:
        run_engagement(folder, reports_root=tmp_path / "r")
    message = str(info.value)
    assert message.startswith("nothing to analyse: every selected phase lacks a table it needs (")
    assert "workflow_mapping needs workflows" in message and "consolidation needs tools, usage" in message
    assert info.value.exit_code == 1
    assert not (tmp_path / "r").exists() and recorded == []


def test_a_write_error_is_one_line_naming_the_path_and_cause_and_latest_stays(
    engagement_dir, recorded, tmp_path, monkeypatch
):
    import kit.runner as runner

    good = run_engagement(engagement_dir, reports_root=tmp_path, now=dt.datetime(2027, 1, 1))
    real_write = runner.write_atomic

    def disk_full_for_the_manifest(path, content):
        if Path(path).name == "manifest.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write(path, content)

    monkeypatch.setattr(runner, "write_atomic", disk_full_for_the_manifest)
    with pytest.raises(RunWriteError) as info:
        run_engagement(engagement_dir, reports_root=tmp_path, now=dt.datetime(2027, 1, 2))
    run_dir = tmp_path / "test-client" / "20270102-000000"
    assert str(info.value) == f"cannot write {run_dir / 'manifest.json'}: No space left on device"
    assert info.value.exit_code == 1
    assert (tmp_path / "test-client" / "latest").resolve() == good.run_dir.resolve()


def test_an_unwritable_reports_folder_is_one_line_naming_it(engagement_dir, recorded, tmp_path, monkeypatch):
    real_mkdir = Path.mkdir

    def refuse_under_r(self, *args, **kwargs):
        if self.is_relative_to(tmp_path / "r"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse_under_r)
    with pytest.raises(RunWriteError) as info:
        run_engagement(engagement_dir, reports_root=tmp_path / "r")
    assert str(info.value) == f"cannot write {tmp_path / 'r' / 'test-client'}: Permission denied"
    assert recorded == []


def test_the_snapshot_is_computed_while_the_first_notebooks_render_not_after_them(engagement_dir, recorded, tmp_path,
                                                                                  monkeypatch):  # fmt: skip
    import kit.runner as runner

    seen: dict[str, bool] = {}

    def execute(kernel, *, pool, stopping, phase_name, parameters, run_dir, **kwargs):
        snapshot = run_dir / "results" / "snapshot.pkl"
        deadline = time.monotonic() + 5
        while not snapshot.is_file() and time.monotonic() < deadline and phase_name == "workflow_mapping":
            time.sleep(0.02)  # a notebook still rendering: the main process is free meanwhile
        seen[phase_name] = snapshot.is_file()
        phase = PHASE_BY_NAME[phase_name]
        return PhaseOutcome(phase.name, phase.title, "ok", notebook=f"notebooks/{phase.notebook}"), kernel

    monkeypatch.setattr(runner, "_render_phase", execute)
    result = run_engagement(engagement_dir, reports_root=tmp_path)
    assert result.ok and seen["workflow_mapping"] and seen["engagement_summary"]
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["computed"]["snapshot"] == 1 and manifest["computed"]["engagement_summary"] == 1


def test_the_summary_is_computed_while_the_phases_render_and_again_only_when_one_fails(engagement_dir, recorded,
                                                                                      tmp_path, monkeypatch):  # fmt: skip
    """Computed ahead as if every phase succeeds (its record is in results/ before the last phase
    finishes); a phase whose report fails makes it computed again, and it then shows that phase failed."""
    import kit.runner as runner

    ahead: dict[str, bool] = {}

    def execute(kernel, *, pool, stopping, phase_name, parameters, run_dir, **kwargs):
        summary = run_dir / "results" / "engagement_summary.json"
        deadline = time.monotonic() + 5
        while not summary.is_file() and time.monotonic() < deadline and phase_name == failing[0]:
            time.sleep(0.02)
        ahead[phase_name] = summary.is_file()
        phase = PHASE_BY_NAME[phase_name]
        status = "failed" if phase_name == failing[1] else "ok"
        return PhaseOutcome(phase.name, phase.title, status, error="boom" if status == "failed" else None,
                            notebook=f"notebooks/{phase.notebook}"), kernel  # fmt: skip

    monkeypatch.setattr(runner, "_render_phase", execute)
    failing = ("consolidation", None)
    result = run_engagement(engagement_dir, reports_root=tmp_path / "ok")
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert result.ok and ahead["consolidation"] and manifest["computed"]["engagement_summary"] == 1
    assert manifest["computed"]["engagement_workbook"] == 1  # built ahead too: its notebook only writes it
    failing = ("consolidation", "consolidation")
    result = run_engagement(engagement_dir, reports_root=tmp_path / "failed")
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["computed"]["engagement_summary"] == 2 and manifest["computed"]["engagement_workbook"] == 2
    record = load_record(result.run_dir / "results" / "engagement_summary.json")
    assert record["scalars"]["missing"] == [PHASE_BY_NAME["consolidation"].title] and record["scalars"]["n_ok"] == 4
    import openpyxl

    from kit.model import load_result

    book = openpyxl.load_workbook(io.BytesIO(load_result(result.run_dir, "engagement_workbook")))
    cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any("failed" in c.lower() for c in cells)  # the workbook built again says the phase failed

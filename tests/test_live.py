"""`kit open`'s parts: the JupyterLab command and how its failure is reported (e2e runs are in tests/e2e/test_open.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kit import live


@pytest.mark.parametrize(("uid", "allow_root"), [(0, True), (1000, False)])
def test_jupyterlab_is_allowed_to_run_as_root_only_when_kit_runs_as_root(monkeypatch, uid, allow_root):
    monkeypatch.setattr(live.os, "geteuid", lambda: uid)
    argv = live.jupyterlab_argv(Path("/x/live/01_workflow_mapping.ipynb"))
    assert argv[:4] == [sys.executable, "-m", "jupyterlab", "/x/live/01_workflow_mapping.ipynb"]
    assert ("--allow-root" in argv) is allow_root


@pytest.mark.parametrize(
    ("stderr", "code", "started", "reason"),
    [
        ("[I 2026-12-01 22:21:20.454 ServerApp] loaded\n"
         "[C 2026-12-01 22:21:20.455 ServerApp] Running as root is not recommended. Use --allow-root to bypass.\n",
         1, False, "Running as root is not recommended. Use --allow-root to bypass."),
        ("[I 2026 ServerApp] Jupyter Server 2.14 is running at:\n[E 2026 ServerApp] kernel died\nbye\n",
         3, True, "kernel died"),
        ("Traceback (most recent call last):\nValueError: bad config\n", 1, False, "ValueError: bad config"),
        ("[I 2026 ServerApp] Jupyter Server 2.14 is running at:\n[I 2026 ServerApp] Shutting down\n", 0, True, ""),
    ],
)  # fmt: skip
def test_jupyterlab_exit_is_reported_with_its_last_error_line(capsys, stderr, code, started, reason):
    fake = [sys.executable, "-c", f"import sys; sys.stderr.write({stderr!r}); sys.exit({code})"]
    assert live.run_jupyterlab(fake) == live.LabExit(code, started, reason)
    assert capsys.readouterr().err == stderr  # its log (address, token) still reaches the consultant


def test_jupyterlab_that_cannot_be_launched_is_reported(tmp_path):
    exit_ = live.run_jupyterlab([str(tmp_path / "no-such-python")])
    assert (exit_.code, exit_.started) == (127, False) and "No such file or directory" in exit_.reason


# ---------------------------------------------------------------- saved notebooks reopen cleanly


def _notebook_with_widget_and_chart():
    import nbformat

    nb = nbformat.v4.new_notebook()
    widget = nbformat.v4.new_output("display_data", data={
        live.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "LiveControls(children=(VBox(...),))",
    })  # fmt: skip
    chart = nbformat.v4.new_output("display_data", data={"application/vnd.vegalite.v5+json": {"mark": "bar"}})
    nb.cells = [nbformat.v4.new_code_cell("nb.controls(...)", outputs=[widget]), nbformat.v4.new_code_cell("chart", outputs=[chart])]
    return nb


def test_widget_views_are_replaced_by_a_plain_line_and_other_outputs_kept():
    nb = _notebook_with_widget_and_chart()
    assert live.strip_widget_views(nb) == 1
    assert nb.cells[0].outputs[0]["data"] == {"text/plain": live.RERUN_NOTE, "text/html": f"<p><em>{live.RERUN_NOTE}</em></p>"}
    assert nb.cells[1].outputs[0]["data"] == {"application/vnd.vegalite.v5+json": {"mark": "bar"}}
    assert live.strip_widget_views(nb) == 0


def test_jupyterlab_started_by_kit_open_saves_notebooks_without_widget_views(tmp_path):
    """The setting `jupyterlab_argv` passes, applied to Jupyter server's own contents manager."""
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from traitlets.config import Config

    (flag,) = [a for a in live.jupyterlab_argv(tmp_path / "n.ipynb") if a.startswith("--ContentsManager.pre_save_hook=")]
    name, _, value = flag[2:].partition("=")
    config = Config()
    config.ContentsManager.pre_save_hook = value
    manager = FileContentsManager(root_dir=str(tmp_path), config=config)
    manager.save({"type": "notebook", "format": "json", "content": _notebook_with_widget_and_chart()}, "n.ipynb")

    saved = manager.get("n.ipynb")["content"]
    assert name == "ContentsManager.pre_save_hook"
    assert saved.cells[0].outputs[0]["data"]["text/plain"] == live.RERUN_NOTE
    assert live.WIDGET_VIEW not in (tmp_path / "n.ipynb").read_text(encoding="utf-8")


def test_a_kept_live_copy_saved_elsewhere_is_opened_without_widget_views(tmp_path, monkeypatch):
    import nbformat

    from kit.intake import load_engagement
    from kit.phases import PHASES
    from tests.conftest import write_engagement

    eng = load_engagement(write_engagement(tmp_path / "eng"))
    target = live.live_dir(eng, tmp_path / "reports") / PHASES[0].notebook
    target.parent.mkdir(parents=True)
    nbformat.write(_notebook_with_widget_and_chart(), target)

    copy = live.prepare_live_copy(eng, PHASES[0], tmp_path / "reports")
    assert copy.reused and copy.path == target
    assert nbformat.read(target, as_version=4).cells[0].outputs[0]["data"]["text/plain"] == live.RERUN_NOTE

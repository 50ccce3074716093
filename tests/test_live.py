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

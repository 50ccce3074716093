"""SIGINT and SIGTERM to `kit run` while phases execute: a prompt stop, nothing left running.

The stop must take a few seconds (not the rest of the running phases), end every pool worker and
kernel, mark the run folder incomplete, and leave `latest` on the earlier good run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from kit.phases import NOTEBOOKS_DIR, PHASES
from tests.e2e.test_faults import assert_earlier_run_untouched, earlier_good_run, new_runs

STOP_WITHIN = 10.0  # seconds from the signal to the exit of `kit`
MARKER_ENV = "KIT_TEST_SIGNAL_MARKER"


def marked_processes(marker: str) -> list[int]:
    """Live processes whose environment carries `marker` (what `kit` and its descendants inherit)."""
    found = []
    needle = f"{MARKER_ENV}={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone, a zombie, or not ours to read
            continue
    return found


def stalling_notebooks(folder: Path, markers: Path) -> Path:
    """Copies of the phase notebooks in which every phase but the summary touches a marker file, then sleeps."""
    shutil.copytree(NOTEBOOKS_DIR, folder)
    for phase in (p for p in PHASES if not p.after):
        nb = nbformat.read(folder / phase.notebook, as_version=4)
        code = f"import pathlib, time\npathlib.Path({str(markers / phase.name)!r}).touch()\ntime.sleep(300)"
        nb.cells.insert(3, nbformat.v4.new_code_cell(code))
        nbformat.write(nb, folder / phase.notebook)
    return folder


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="walks /proc for leftover processes")
@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_run_within_seconds_and_leaves_nothing_running(engagement_dir, tmp_path, signum, exit_code):
    reports = tmp_path / "reports"
    before = earlier_good_run(reports)
    markers = tmp_path / "markers"
    markers.mkdir()
    marker = uuid.uuid4().hex
    env = {**os.environ, "KIT_NOTEBOOKS_DIR": str(stalling_notebooks(tmp_path / "nb", markers)), MARKER_ENV: marker}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit.cli", "run", str(engagement_dir), "--reports", str(reports), "--workers", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not any(markers.iterdir()):  # a kernel is executing a phase's cells
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no phase started within 300 s"
            time.sleep(0.2)
        running_before = len(marked_processes(marker))
        sent = time.monotonic()
        proc.send_signal(signum)
        try:
            stdout, stderr = proc.communicate(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"kit was still running {STOP_WITHIN:.0f} s after {signum.name}")
        took = time.monotonic() - sent
        print(f"{signum.name}: exit after {took:.1f} s; {running_before} processes were running")

        assert proc.returncode == exit_code, stderr
        assert running_before >= 3  # kit, a pool worker and its kernel at least
        leftover = marked_processes(marker)
        assert leftover == [], f"still running after kit exited: {leftover}"
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: interrupted by {signum.name}"), stderr
        assert "Traceback" not in stdout + stderr

        assert_earlier_run_untouched(reports, before)
        (run,) = new_runs(reports)
        manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["status"] == "incomplete" and manifest["latest"] is False
        statuses = {p["phase"]: p["status"] for p in manifest["phases"]}
        assert set(statuses) == {p.name for p in PHASES}
        assert statuses == {p.name: "skipped" if p.needs_baseline else "interrupted" for p in PHASES}
        assert "This run is incomplete" in (run / "index.html").read_text(encoding="utf-8")
        snapshot = {p: p.stat().st_mtime_ns for p in run.rglob("*")}
        time.sleep(2)  # nothing writes into the run folder after kit has gone
        assert {p: p.stat().st_mtime_ns for p in run.rglob("*")} == snapshot
    finally:
        for pid in marked_processes(marker):  # only processes this test started (they carry its marker)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

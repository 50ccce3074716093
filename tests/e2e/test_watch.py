"""`kit watch` as a consultant uses it: edit a table while it watches, and each save gives a new
run that renders only what the edit touched, in kernels kept warm from the run before, equal to a
clean run; a bad edit is reported and the watch goes on; Ctrl-C or SIGTERM stop it, and nothing
it started is left running."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid

from kit.phases import PHASES
from tests.e2e.conftest import kit
from tests.e2e.test_incremental import REUSED, run_folder, same_html
from tests.e2e.test_signals import MARKER_ENV, marked_processes

WAIT = 300  # seconds a run may take on a loaded machine


class Watch:
    """`kit watch` in a subprocess, its output read line by line."""

    def __init__(self, *args: str, cwd) -> None:
        self.marker = uuid.uuid4().hex
        env = {**os.environ, MARKER_ENV: self.marker, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "kit.cli", "watch", *args], cwd=cwd, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def until(self, start: str) -> list[str]:
        """The lines printed up to the first that starts with `start` (included)."""
        got, end = [], time.monotonic() + WAIT
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            assert line is not None, f"kit watch ended ({self.proc.wait()}) before {start!r}:\n" + "".join(self.seen)
            got.append(line)
            self.seen.append(line)
            if line.startswith(start):
                return got
        raise AssertionError(f"no {start!r} within {WAIT} s:\n" + "".join(self.seen))

    def rest(self) -> str:
        """Everything it printed, to its exit."""
        while (line := self.lines.get(timeout=30)) is not None:
            self.seen.append(line)
        return "".join(self.seen)

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def gone(marker: str, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while marked_processes(marker):
        if time.monotonic() > end:
            return False
        time.sleep(0.2)
    return True


def test_each_saved_edit_runs_again_in_warm_kernels_and_equals_a_clean_run(sample_run, sample_copy, tmp_path):
    _, reports, _ = sample_run
    client = tmp_path / "halden"
    shutil.copytree(sample_copy, client)
    shutil.copytree(reports, tmp_path / "reports", symlinks=True)
    work = client / "recurring_work.csv"
    watch = Watch("halden", cwd=tmp_path)
    try:
        first = "".join(watch.until("Watching"))
        assert "Report ready" in first  # the folder as it is: a run that reuses every phase
        time.sleep(1.5)

        edit(work, ",4.0,50,4,4,0.15,", ",4.0,55,4,4,0.15,")
        out = "".join(watch.until("Watching"))
        assert "Changed: recurring_work.csv. Running again." in out and "Report ready" in out, out
        warm = set(marked_processes(watch.marker))
        assert len(warm) >= 3  # the watch itself, the zygote and the kernels it keeps for the next run

        edit(work, ",4.0,55,4,4,0.15,", ",4.0,60,4,4,0.15,")
        out = "".join(watch.until("Watching"))
        assert "Report ready" in out, out
        assert set(marked_processes(watch.marker)) == warm  # rendered in the same kernels: none started
        again = (tmp_path / "reports" / "halden" / "latest").resolve()
        manifest = json.loads((again / "manifest.json").read_text())
        assert set(manifest["reused"]["phases"]) == REUSED
        assert {p["phase"] for p in manifest["phases"] if not p["reused"]} == {
            "agent_candidates", "engagement_summary", "progress"}  # fmt: skip

        # a bad edit: reported with its file, row and column; nothing is run, the watch goes on
        edit(work, ",4.0,60,4,4,0.15,", ",4.0,sixty,4,4,0.15,")
        out = "".join(watch.until("Watching"))
        assert "recurring_work.csv" in out and "minutes_per_run" in out and "Traceback" not in out, out
        assert (tmp_path / "reports" / "halden" / "latest").resolve() == again

        code = watch.stop(signal.SIGINT)
        rest = watch.rest()
        assert code == 0 and "Stopped watching." in rest, rest
        assert gone(watch.marker)  # the zygote and the kernels with it
    finally:
        if watch.proc.poll() is None:
            watch.proc.kill()

    # the last good edit, run clean: the watch's re-run in reused kernels gave the same deliverables
    edit(work, ",4.0,sixty,4,4,0.15,", ",4.0,60,4,4,0.15,")
    clean = run_folder(tmp_path / "reports", kit("run", "halden", "--force", cwd=tmp_path))
    for phase in (p for p in PHASES if p.name in {"agent_candidates", "engagement_summary", "progress"}):
        stem = phase.notebook.removesuffix(".ipynb")
        assert (again / "results" / f"{phase.name}.json").read_text() == (clean / "results" / f"{phase.name}.json").read_text()
        assert same_html(again / f"{stem}.html", clean / f"{stem}.html"), stem
    for page in (clean / "pages").glob("*.html"):
        assert same_html(again / "pages" / page.name, page), page.name


def test_sigterm_between_runs_stops_the_watch_and_what_it_started(sample_run, sample_copy, tmp_path):
    _, reports, _ = sample_run
    shutil.copytree(sample_copy, tmp_path / "halden")
    shutil.copytree(reports, tmp_path / "reports", symlinks=True)
    watch = Watch("halden", cwd=tmp_path)
    try:
        watch.until("Watching")
        assert watch.stop(signal.SIGTERM) == 143
        assert gone(watch.marker)
    finally:
        if watch.proc.poll() is None:
            watch.proc.kill()


def test_watching_a_folder_that_does_not_exist_is_refused(tmp_path):
    proc = kit("watch", "nowhere", cwd=tmp_path)
    assert proc.returncode == 1
    assert "nowhere is not a folder" in proc.stderr and "Traceback" not in proc.stderr


def test_an_edit_that_makes_an_option_unknown_is_reported_and_the_watch_goes_on(sample_run, sample_copy, tmp_path):
    """`--param` of the agents' phase, then its table removed: that run's request is refused (as `kit
    run` refuses it, exit 2), but the watch goes on, and runs again once the table is back."""
    _, reports, _ = sample_run
    shutil.copytree(sample_copy, tmp_path / "halden")
    shutil.copytree(reports, tmp_path / "reports", symlinks=True)
    work = tmp_path / "halden" / "recurring_work.csv"
    watch = Watch("halden", "--param", "readiness_threshold=0.5", cwd=tmp_path)
    try:
        watch.until("Watching")
        time.sleep(1.5)
        work.rename(tmp_path / "recurring_work.csv")
        out = "".join(watch.until("Watching"))
        assert "readiness_threshold" in out and "Traceback" not in out, out
        (tmp_path / "recurring_work.csv").rename(work)
        out = "".join(watch.until("Watching"))
        assert "Report ready" in out, out
        assert watch.stop(signal.SIGINT) == 0
        assert gone(watch.marker)
    finally:
        if watch.proc.poll() is None:
            watch.proc.kill()

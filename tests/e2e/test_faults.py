"""Faults around a run: what is selected, where it writes, and a file system that refuses.

Each case ends with a plain message and a non-zero exit (or a run that says it is partial), and
the earlier good run and its `latest` link are never touched.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from kit.phases import PHASES
from tests.conftest import SETTINGS, TABLES, write_engagement
from tests.e2e.conftest import kit, tree_hashes

SLUG = "test-client"


def earlier_good_run(reports: Path) -> dict[str, str]:
    """A finished run `20270101-000000` with `latest` pointing at it; returns the folder's hashes."""
    run = reports / SLUG / "20270101-000000"
    run.mkdir(parents=True)
    (run / "index.html").write_text("<!DOCTYPE html><title>good run</title>\n", encoding="utf-8")
    (run / "manifest.json").write_text('{"status": "ok"}\n', encoding="utf-8")
    os.symlink(run.name, reports / SLUG / "latest", target_is_directory=True)
    return tree_hashes(reports)


def assert_earlier_run_untouched(reports: Path, before: dict[str, str]) -> None:
    assert os.readlink(reports / SLUG / "latest") == "20270101-000000"
    after = tree_hashes(reports)
    assert {k: after.get(k) for k in before} == before


def new_runs(reports: Path) -> list[Path]:
    """Run folders other than the earlier good run (and `latest` and the cache, `.cache`)."""
    return [p for p in (reports / SLUG).iterdir() if p.name not in ("latest", "20270101-000000", ".cache")]


def stderr_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.strip()]


# --- latest --------------------------------------------------------------------------------


def test_a_partial_selection_is_reported_as_partial_and_latest_stays(engagement_dir, tmp_path):
    reports = tmp_path / "reports"
    before = earlier_good_run(reports)
    proc = kit("run", str(engagement_dir), "--reports", str(reports), "--phase", "04", cwd=tmp_path)
    out = proc.stdout.replace("\n", " ")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Report ready" not in out and "Partial run ready:" in out
    assert f"(not made the latest: 1 of the {sum(not p.needs_baseline for p in PHASES)} phases this engagement's data allow were run)" in out
    assert_earlier_run_untouched(reports, before)
    (partial,) = new_runs(reports)
    manifest = json.loads((partial / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["latest"] is False
    assert [p["phase"] for p in manifest["phases"]] == ["consolidation"]


def test_a_folder_with_nothing_to_analyse_exits_one_and_says_why(tmp_path):
    reports = tmp_path / "reports"
    before = earlier_good_run(reports)
    folder = write_engagement(tmp_path / "only-settings", **{name: None for name in TABLES})
    proc = kit("run", str(folder), "--reports", str(reports), cwd=tmp_path)
    assert proc.returncode == 1
    lines = stderr_lines(proc)
    assert len(lines) == 1 and lines[0].startswith("error: nothing to analyse: every selected phase lacks a table")
    assert "workflow_mapping needs workflows" in lines[0]
    assert "Report ready" not in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
    assert new_runs(reports) == []
    assert_earlier_run_untouched(reports, before)


# --- file system ---------------------------------------------------------------------------


def _mount_tmpfs(path: Path, options: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    except FileNotFoundError:
        return False
    return done.returncode == 0


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@pytest.fixture
def read_only_reports(tmp_path):
    """A reports folder holding an earlier good run, then made read-only for the running user.

    As root (CI containers) chmod denies nothing, so the folder is a read-only tmpfs mount
    (EROFS); without mount rights as root the test is skipped. Other users get chmod 0555.
    """
    reports = tmp_path / "reports"
    staging = tmp_path / "staging"
    before = earlier_good_run(staging)
    if os.geteuid() != 0:
        staging.rename(reports)
        for folder in (reports, reports / SLUG):
            folder.chmod(0o555)
        yield reports, before, "Permission denied"
        for folder in (reports, reports / SLUG):
            folder.chmod(0o755)
        return
    if not _mount_tmpfs(reports, "size=1m"):
        pytest.skip("needs mount rights to make a folder read-only for root")
    subprocess.run(["cp", "-a", f"{staging}/.", str(reports)], check=True)
    subprocess.run(["mount", "-o", "remount,ro", str(reports)], check=True)
    try:
        yield reports, before, "Read-only file system"
    finally:
        _unmount(reports)


def test_a_read_only_reports_folder_is_one_line_naming_the_path(engagement_dir, tmp_path, read_only_reports):
    reports, before, cause = read_only_reports
    proc = kit("run", str(engagement_dir), "--reports", str(reports), cwd=tmp_path)
    assert proc.returncode == 1
    lines = stderr_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: cannot write {reports / SLUG}/") and lines[0].endswith(f": {cause}")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert_earlier_run_untouched(reports, before)


@pytest.fixture
def full_disk(tmp_path):
    """A 4 MB tmpfs for the reports, holding an earlier good run; fill(free) leaves `free` bytes."""
    mount = tmp_path / "disk"
    if os.geteuid() != 0 or not _mount_tmpfs(mount, "size=4m"):
        pytest.skip("needs root with mount rights for a small file system")

    def fill(free: int) -> None:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while os.write(fd, b"\0" * 65536):
                pass
        except OSError:  # ENOSPC: the file system is full
            pass
        finally:
            os.close(fd)
        size = (mount / "filler").stat().st_size
        os.truncate(mount / "filler", max(0, size - free))

    try:
        yield mount, fill
    finally:
        _unmount(mount)


def _looks_complete(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".json", ".ipynb"):
        try:
            json.loads(text)
        except ValueError:
            return False
        return True
    if path.suffix == ".html":
        return text.rstrip().endswith("</html>")
    return True


@pytest.mark.parametrize("free", [0, 300_000], ids=["no-space", "300-kB-free"])
def test_a_full_disk_is_one_line_naming_the_path_and_no_truncated_file_looks_complete(
    engagement_dir, tmp_path, full_disk, free
):
    mount, fill = full_disk
    reports = mount / "reports"
    before = earlier_good_run(reports)
    fill(free)
    proc = kit("run", str(engagement_dir), "--reports", str(reports), "--phase", "01", cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out and "[Errno" not in out
    cause = [line for line in stderr_lines(proc) if "No space left on device" in line]
    assert cause and f"cannot write {reports / SLUG}/" in cause[0], proc.stderr
    assert_earlier_run_untouched(reports, before)
    (run,) = new_runs(reports)
    for path in run.rglob("*"):
        if path.is_file() and ".incomplete." not in path.name:
            assert not path.name.startswith("."), f"temporary file left: {path}"
            assert _looks_complete(path), f"{path.relative_to(run)} is truncated but named as complete"


# --- slug length ---------------------------------------------------------------------------

LONG_SLUG = "a" * 300


def test_a_300_character_slug_is_rejected_by_run_with_the_settings_message(tmp_path):
    folder = write_engagement(tmp_path / "e", settings=SETTINGS.replace("slug: test-client", f"slug: {LONG_SLUG}"))
    proc = kit("run", str(folder), "--reports", str(tmp_path / "reports"), cwd=tmp_path)
    assert proc.returncode == 1
    assert 'engagement.yaml: setting "slug" must be at most 64 characters' in proc.stderr.replace("\n", "")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (tmp_path / "reports").exists()


def test_a_300_character_slug_is_refused_by_new_in_one_line(tmp_path):
    proc = kit("new", LONG_SLUG, cwd=tmp_path)
    assert proc.returncode == 1
    lines = stderr_lines(proc)
    assert len(lines) == 1 and lines[0].startswith("error: invalid engagement slug") and "at most 64 characters" in lines[0]
    assert not (tmp_path / "engagements").exists() or not any((tmp_path / "engagements").iterdir())

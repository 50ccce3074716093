"""End-to-end fixtures: one full `kit run` of the sample client, shared by the tests that read it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "halden"


def kit(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The `kit` command as a user runs it (a subprocess, output captured)."""
    return subprocess.run(
        [sys.executable, "-m", "kit.cli", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=900
    )


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def sample_copy(tmp_path_factory) -> Path:
    """A copy of the sample client (tests must not write into the repository)."""
    target = tmp_path_factory.mktemp("client") / "halden"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".kit"))
    return target


@pytest.fixture(scope="session")
def sample_run(sample_copy):
    """Run every phase on the sample client once, as a user does: `kit run halden` from the folder
    holding it, with the default (relative) `reports/`. Returns (completed process, reports root,
    input hashes)."""
    before = tree_hashes(sample_copy)
    proc = kit("run", sample_copy.name, cwd=sample_copy.parent)
    return proc, sample_copy.parent / "reports", before

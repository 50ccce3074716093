"""`kit open`: a live copy is kept across re-opens, `--fresh` backs it up, and JupyterLab's own failures are reported."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from kit.phases import PHASES

NOTE = "Client asked: include the Leeds warehouse next time."


def kit_open(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit.cli", "open", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip


def live_copy(reports: Path) -> Path:
    return reports / "test-client" / "live" / PHASES[0].notebook


def notes(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.source == NOTE]


def test_reopening_keeps_the_consultants_edits(engagement_dir, tmp_path):
    reports = tmp_path / "r"
    first = kit_open(str(engagement_dir), "01", "--reports", str(reports), "--no-launch", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    nb = nbformat.read(live_copy(reports), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(NOTE))
    nbformat.write(nb, live_copy(reports))

    again = kit_open(str(engagement_dir), "01", "--reports", str(reports), "--no-launch", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert notes(live_copy(reports)) == [NOTE]
    assert "Prepared" not in again.stdout and "existing live copy" in again.stdout


def test_fresh_backs_up_the_edited_copy_and_prepares_a_clean_one(engagement_dir, tmp_path):
    reports = tmp_path / "r"
    assert kit_open(str(engagement_dir), "01", "--reports", str(reports), "--no-launch", cwd=tmp_path).returncode == 0
    nb = nbformat.read(live_copy(reports), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(NOTE))
    nbformat.write(nb, live_copy(reports))

    fresh = kit_open(str(engagement_dir), "01", "--reports", str(reports), "--no-launch", "--fresh", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    backups = sorted(
        (live_copy(reports).parent / "backups").glob(f"{PHASES[0].notebook.removesuffix('.ipynb')}-*.ipynb")
    )
    assert len(backups) == 1 and notes(backups[0]) == [NOTE]
    assert notes(live_copy(reports)) == []
    assert str(backups[0]) in fresh.stdout.replace("\n", "")


def jupyter_env(tmp_path: Path, port: int) -> dict:
    """JupyterLab configured through its own config folder: no browser, this port and no other."""
    config = tmp_path / "jupyter-config"
    config.mkdir(exist_ok=True)
    server = {"ServerApp": {"open_browser": False, "port": port, "port_retries": 0, "ip": "127.0.0.1"}}
    (config / "jupyter_server_config.json").write_text(json.dumps(server))
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
            "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data")}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_starts_and_serves_the_live_copy_even_as_root(engagement_dir, tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit.cli", "open", str(engagement_dir), "01", "--reports", str(tmp_path / "r")],
        cwd=tmp_path, env=jupyter_env(tmp_path, port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    seen: list[str] = []
    deadline = time.monotonic() + 240
    try:
        for line in proc.stdout:
            seen.append(line)
            if f"http://127.0.0.1:{port}/lab" in line or time.monotonic() > deadline:
                break
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    output = "".join(seen)
    assert f"http://127.0.0.1:{port}/lab" in output, output
    assert "Running as root is not recommended" not in output


def test_jupyterlab_that_cannot_start_exits_non_zero_with_its_reason(engagement_dir, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = kit_open(str(engagement_dir), "01", "--reports", str(tmp_path / "r"), cwd=tmp_path,
                        env=jupyter_env(tmp_path, port))  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        f"JupyterLab did not start: ERROR: the Jupyter server could not be started because port {port} is not available."
        in proc.stderr
    )
    assert "Traceback" not in proc.stdout + proc.stderr

"""`kit open`: a live copy of a phase notebook with the client's parameters, and JupyterLab on it.

The live copy is the consultant's working document: opening it again keeps it as it was left
(outputs, added cells); only `fresh=True` replaces it, after moving it to `live/backups/`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from kit.intake import Engagement
from kit.phases import Phase
from kit.runner import phase_options

BACKUPS = "backups"


@dataclass(frozen=True)
class LiveCopy:
    path: Path
    reused: bool  # an existing copy was kept as it was
    backup: Path | None = None  # where the previous copy was moved (fresh only)


def live_dir(eng: Engagement, reports: Path) -> Path:
    return (Path(reports) / eng.settings.slug / "live").resolve()


def prepare_live_copy(eng: Engagement, phase: Phase, reports: Path, *, fresh: bool = False,
                      now: dt.datetime | None = None) -> LiveCopy:  # fmt: skip
    """The live copy of `phase` under `<reports>/<slug>/live/`: the existing one unless `fresh`; else a
    new copy parameterized with the engagement and its `phases:` options from engagement.yaml, the
    previous one (if any) first moved to `live/backups/<notebook>-<YYYYMMDD-HHMMSS>.ipynb`."""
    import papermill

    live = live_dir(eng, reports)
    target = live / phase.notebook
    if target.exists() and not fresh:
        return LiveCopy(target, reused=True)
    live.mkdir(parents=True, exist_ok=True)
    parameters = {"engagement": str(eng.folder), "output_dir": str(live)}
    parameters |= phase_options(phase, {}, eng.settings).model_dump()
    partial = live / f".preparing-{os.getpid()}-{phase.notebook}"
    try:
        papermill.execute_notebook(
            str(phase.path), str(partial), parameters=parameters, prepare_only=True, progress_bar=False
        )
        backup = _back_up(target, now or dt.datetime.now()) if target.exists() else None
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return LiveCopy(target, reused=False, backup=backup)


def _back_up(path: Path, now: dt.datetime) -> Path:
    folder = path.parent / BACKUPS
    folder.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        backup = folder / f"{path.stem}-{stamp}{'' if n == 0 else f'-{n}'}{path.suffix}"
        if not backup.exists():
            os.replace(path, backup)
            return backup
    raise FileExistsError(f"no free backup name for {path} in {folder}")


def jupyterlab_argv(notebook: Path) -> list[str]:
    """The command that opens `notebook` in JupyterLab; as root it needs --allow-root, or it refuses to start."""
    argv = [sys.executable, "-m", "jupyterlab", str(notebook)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv


@dataclass(frozen=True)
class LabExit:
    code: int
    started: bool  # the server said it was running
    reason: str  # its last error line ("" when it exited cleanly)


_LOG_PREFIX = re.compile(r"^\[(?:[A-Z] [^\]]*|Voila)\]\s*")  # JupyterLab's "[E 2026-… ServerApp]", Voilà's "[Voila]"
_RUNNING = "is running at"


def run_jupyterlab(argv: list[str]) -> LabExit:
    """Run JupyterLab (or Voilà, for `kit present`) until it exits, passing its log through to stderr
    (the address and token are there). Ctrl-C reaches the server too (JupyterLab asks to confirm its
    own shutdown, Voilà stops its kernels and exits): keep waiting."""
    try:
        proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, errors="replace")
    except OSError as exc:
        return LabExit(127, False, f"{argv[0]}: {exc.strerror or exc}")
    tail: deque[str] = deque(maxlen=50)
    started = False
    while True:
        try:
            for line in proc.stderr:  # type: ignore[union-attr]
                sys.stderr.write(line)
                tail.append(line.rstrip())
                started = started or _RUNNING in line
            code = proc.wait()
            break
        except KeyboardInterrupt:
            continue
    return LabExit(code, started, _reason(list(tail)) if code else "")


def _reason(lines: list[str]) -> str:
    """JupyterLab's last critical or error log line without its prefix, else its last line."""
    errors = [line for line in lines if line.startswith(("[C ", "[E "))]
    last = errors[-1] if errors else next((line for line in reversed(lines) if line.strip()), "")
    return _LOG_PREFIX.sub("", last).strip() or "no message"

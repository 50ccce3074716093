"""`kit open`: a live copy of a phase notebook with the client's parameters, and JupyterLab on it.

The live copy is the consultant's working document: opening it again keeps it as it was left
(outputs, added cells); only `fresh=True` replaces it, after moving it to `live/backups/`.

Widgets live in the kernel: a saved output that only points at a widget model shows "Error
displaying widget: model not found" once the notebook is reopened with a new kernel. So the
JupyterLab that `kit open` starts saves every notebook through `pre_save_hook`, which replaces each
widget view with one plain line saying to run the cell; `kit open` does the same to a kept copy
saved elsewhere. (JupyterLab's widget-manager setting `saveState` would store the widgets' state
instead, but reopened controls then look live while nothing in the kernel answers them.)
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
from typing import Any

from kit.intake import Engagement
from kit.phases import Phase
from kit.runner import phase_options

BACKUPS = "backups"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RERUN_NOTE = "Live controls were here: run this cell (or Run All) to use them again."


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
        strip_widget_file(target)
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


def strip_widget_views(notebook: dict[str, Any]) -> int:
    """Replace every widget view among `notebook`'s outputs (a notebook as JSON, changed in place)
    by `RERUN_NOTE` as plain text and HTML; returns how many were replaced."""
    replaced = 0
    for cell in notebook.get("cells") or ():
        for output in cell.get("outputs") or ():
            if WIDGET_VIEW in (output.get("data") or {}):
                output["data"] = {"text/plain": RERUN_NOTE, "text/html": f"<p><em>{RERUN_NOTE}</em></p>"}
                output["metadata"] = {}
                replaced += 1
    return replaced


def pre_save_hook(model: dict[str, Any], **_kwargs: Any) -> None:
    """Jupyter server's `ContentsManager.pre_save_hook`: a notebook is saved without widget views."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip_widget_views(model["content"])


def strip_widget_file(path: Path) -> int:
    """`strip_widget_views` on a notebook file, rewritten only when something was replaced."""
    import nbformat

    from kit.report import write_atomic

    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    replaced = strip_widget_views(notebook)
    if replaced:
        write_atomic(path, nbformat.writes(notebook))
    return replaced


def jupyterlab_argv(notebook: Path) -> list[str]:
    """The command that opens `notebook` in JupyterLab, saving notebooks without widget views
    (`pre_save_hook`); as root it needs --allow-root, or it refuses to start."""
    argv = [sys.executable, "-m", "jupyterlab", str(notebook), f"--ContentsManager.pre_save_hook={__name__}.pre_save_hook"]
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

"""The baseline of an engagement and the data a later run compares with it.

A run records, besides its results, a `Snapshot` of the intake tables as it analysed them
(pseudonymized; `results/snapshot.pkl`, a node of `kit.model`), so a follow-up can compare the
newer data with what the baseline saw even after the client's files were replaced.

The baseline is named in `<reports>/<slug>/baseline` (a one-line text file holding the run id,
next to `latest`): the first complete run, unless `kit run --baseline RUN_ID` names another.
`RunData` is one run as the progress comparison reads it: its id, snapshot and phase results.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

BASELINE_FILE = "baseline"
SNAPSHOT_TABLES = ("workflows", "time_studies", "skills_survey", "role_targets", "tools", "usage", "expenses",
                   "pilots")  # fmt: skip
USAGE_COLUMNS = ("user_id", "tool", "date")
#: The results of a run the progress comparison reads (the baseline's plan and predictions).
READS = ("roi_ranking", "training_gaps", "consolidation", "agent_candidates", "engagement_summary")


class BaselineError(Exception):
    """No usable baseline: one plain line saying why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    """The intake tables a run analysed (person ids pseudonymized), the day its trailing windows
    end on, and the accountable owner its settings named. Usage keeps one row per person, tool and
    active day (`USAGE_COLUMNS`)."""

    as_of: pd.Timestamp | None
    owner: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def snapshot_of(tables: Mapping[str, pd.DataFrame | None], as_of: pd.Timestamp | None, owner: str) -> Snapshot:
    """A `Snapshot` of the loaded tables (copies; usage reduced to distinct person-tool-days)."""
    kept = {}
    for name in SNAPSHOT_TABLES:
        df = tables.get(name)
        if df is None:
            continue
        if name == "usage":
            df = df[list(USAGE_COLUMNS)].drop_duplicates()
        kept[name] = df.reset_index(drop=True).copy()
    return Snapshot(None if as_of is None else pd.Timestamp(as_of), owner.strip(), kept)


@dataclass(frozen=True)
class RunData:
    """One run as the progress comparison reads it: `results` maps a phase to its result (absent
    when the run has none); `notes` says what could not be read."""

    run_id: str
    snapshot: Snapshot | None
    results: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def result(self, phase: str) -> Any | None:
        value = self.results.get(phase)
        return value if value else None  # kit.model.Unavailable is falsy

    def table(self, name: str) -> pd.DataFrame | None:
        return None if self.snapshot is None else self.snapshot.table(name)


def load_run(run_dir: str | Path) -> RunData:
    """The snapshot and the `READS` results persisted in a run folder; what is missing or cannot be
    read (a run of an older kit) is named in `notes`."""
    from kit.model import load_result, result_path

    run_dir = Path(run_dir)
    notes, results, snapshot = [], {}, None
    for name in ("snapshot", *READS):
        if not result_path(run_dir, name).is_file():
            notes.append(f"run {run_dir.name} recorded no {name.replace('_', ' ')}")
            continue
        try:
            value = load_result(run_dir, name)
        except (OSError, pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError) as exc:
            notes.append(f"run {run_dir.name}: its {name.replace('_', ' ')} could not be read ({type(exc).__name__})")
            continue
        if name == "snapshot":
            snapshot = value
        else:
            results[name] = value
    return RunData(run_dir.name, snapshot, results, tuple(notes))


# ---------------------------------------------------------------- where the baseline is recorded


def baseline_file(reports_root: str | Path, slug: str) -> Path:
    return Path(reports_root) / slug / BASELINE_FILE


def recorded_baseline(reports_root: str | Path, slug: str) -> str | None:
    """The run id recorded as the baseline, or None when none is (or its folder is gone)."""
    path = baseline_file(reports_root, slug)
    try:
        run_id = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return run_id if run_id and (path.parent / run_id).is_dir() else None


def live_baseline(output_dir: str | Path | None, slug: str) -> RunData | None:
    """The engagement's recorded baseline run for a notebook working outside a run (`kit open`'s
    live copy in `<reports>/<slug>/live/`, `kit present`'s copy in `<reports>/<slug>/present/`):
    the same baseline a `kit run` into those reports compares with; None when the folder is not
    such a folder or no baseline is recorded."""
    if not output_dir:
        return None
    folder = Path(output_dir).resolve()
    if folder.parent.name != slug:
        return None
    run_id = recorded_baseline(folder.parent.parent, slug)
    return load_run(folder.parent / run_id) if run_id else None


def check_baseline_run(reports_root: str | Path, slug: str, run_id: str) -> Path:
    """The folder of run `run_id` under `<reports>/<slug>/`; BaselineError when it is not a
    complete run this kit wrote."""
    import json

    folder = Path(reports_root) / slug / run_id
    if "/" in run_id or run_id in ("", ".", "..", "latest", BASELINE_FILE) or not folder.is_dir():
        raise BaselineError(f"--baseline {run_id}: no run {run_id!r} under {Path(reports_root) / slug}")
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BaselineError(f"--baseline {run_id}: {folder} has no readable manifest.json") from None
    if manifest.get("status") != "ok":
        raise BaselineError(f"--baseline {run_id}: that run is {manifest.get('status', 'not complete')}; "
                            "a baseline must be a complete run")  # fmt: skip
    return folder


def record_baseline(reports_root: str | Path, slug: str, run_id: str) -> Path:
    """Name `run_id` as the engagement's baseline (written atomically)."""
    from kit.report import write_atomic

    return write_atomic(baseline_file(reports_root, slug), run_id + "\n")

"""`kit run`: validate the engagement, execute the phase notebooks, export HTML, write the index.

The run reads as a straight line: resolve the plan -> execute (independent phases in parallel,
each notebook in its own fresh kernel) -> export -> index. Every run writes a new folder
`<reports>/<slug>/<run-id>/` (an absolute path: the kernels run in `notebooks/`), and nothing
outside it but `latest`. `latest` is moved only when the run covered every phase the data allow
and each succeeded, so a failed, partial or interrupted run never hides or touches an earlier
good one. SIGINT and SIGTERM stop the workers and their kernels within seconds and mark the run
folder incomplete; a file-system error becomes one RunWriteError naming the path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import html
import json
import os
import platform
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kit import __version__, render
from kit.baseline import BaselineError, RunData, check_baseline_run, load_run, record_baseline, recorded_baseline
from kit.cache import CACHE_DIR, RunCache, digest, file_sha256, fingerprint
from kit.intake import Engagement, load_engagement, save_run_engagement
from kit.kernel_io import install_poll_workaround
from kit.kernels import REPORT_ENV, KernelPool, drop_early_zygote, warm_code
from kit.model import GRAPH, EngagementModel, Unavailable
from kit.options import PhaseOptions, option_error
from kit.phases import NOTEBOOKS_DIR, PHASE_BY_NAME, PHASES, Phase, get_phase
from kit.report import IndexEntry, index_html, write_atomic
from kit.settings import EngagementSettings, load_settings

CELL_TIMEOUT = 600  # seconds one notebook cell may take before the phase is retried, then failed
BASE_PARAMETERS = ("engagement", "output_dir", "run_date")


class RunError(Exception):
    """A user-facing problem with the run request (unknown phase or parameter): no traceback."""

    exit_code = 2


class NothingToRun(RunError):
    """Every selected phase lacks a table it needs: there is nothing to analyse (no folder written)."""

    exit_code = 1


class RunWriteError(RunError):
    """The file system refused a write (read-only, full, name too long): one line naming the path."""

    exit_code = 1


class RunInterrupted(Exception):
    """SIGINT or SIGTERM stopped the run; `run_dir`, when one was made, is marked incomplete."""

    def __init__(self, signum: int, run_dir: Path | None = None) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum, self.run_dir = signum, run_dir

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 130 for SIGINT, 143 for SIGTERM


@dataclass
class PhaseOutcome:
    phase: str
    title: str
    status: str  # planned, running, ok, failed, skipped, interrupted
    seconds: float = 0.0
    error: str | None = None
    notebook: str | None = None  # relative to the run folder
    html: str | None = None
    parameters: dict = field(default_factory=dict)
    reused: bool = False  # copied from an earlier run rendered from the same inputs (kit.cache)


@dataclass
class RunResult:
    run_dir: Path
    run_id: str
    outcomes: list[PhaseOutcome]
    latest: Path | None  # the `latest` link, when this run became the latest
    unselected: list[str] = field(default_factory=list)  # phases the data allow that were not selected

    @property
    def ok(self) -> bool:
        return all(o.status in ("ok", "skipped") for o in self.outcomes)

    @property
    def allowed(self) -> int:
        """How many phases the engagement's data allow (selected or not)."""
        return sum(o.status != "skipped" for o in self.outcomes) + len(self.unselected)

    @property
    def selected(self) -> int:
        return sum(o.status != "skipped" for o in self.outcomes)

    @property
    def index(self) -> Path:
        return self.run_dir / "index.html"


ProgressCallback = Callable[[PhaseOutcome], None]


NO_BASELINE = ("needs a baseline run: the first complete run becomes it (or name one with --baseline RUN_ID); "
               "this run is compared with nothing")  # fmt: skip


def plan_phases(eng: Engagement, only: list[str] | None, has_baseline: bool = False) -> list[PhaseOutcome]:
    """Which phases run: all by default; a phase missing one of its tables (or the baseline it
    compares with) is skipped with the reason."""
    selected = [get_phase(n) for n in only] if only else list(PHASES)
    outcomes = []
    for phase in selected:
        lacking = [t for t in phase.tables if not eng.has(t)]
        if phase.needs_baseline and not has_baseline:
            outcomes.append(PhaseOutcome(phase.name, phase.title, "skipped", error=NO_BASELINE))
        elif lacking:
            why = "; ".join(f"{t}: {eng.missing.get(t, 'not loaded')}" for t in lacking)
            outcomes.append(PhaseOutcome(phase.name, phase.title, "skipped", error=f"needs {why}"))
        else:
            outcomes.append(PhaseOutcome(phase.name, phase.title, "planned"))
    return outcomes


def check_parameters(phases: list[Phase], extra: dict[str, object]) -> None:
    """Reject a --param that no selected phase declares (a typo must not pass silently) or whose value is
    outside its option's type and range (kit.options); every problem at once, one line each.

    A bare `name` goes to every selected phase whose options declare it; `<phase>.name` (a phase's
    name, number or file name, e.g. `roi_ranking.ranking` or `02.ranking`) to that phase only."""
    if not extra:
        return
    reserved = sorted(set(extra) & set(BASE_PARAMETERS))
    if reserved:
        raise RunError(f"parameter(s) {', '.join(reserved)} are set by the runner and cannot be given")
    unknown, problems = [], []
    for key, value in extra.items():
        prefix, _, name = key.rpartition(".")
        shown = f"--param {key}={_shown(value)}"
        if not prefix:
            targets = [p for p in phases if name in p.options.model_fields]
            if not targets:
                unknown.append(key)
        else:
            target, targets = _phase_named(prefix), []
            if target is None:
                problems.append(f"{shown}: unknown phase {prefix!r}; known phases: {', '.join(p.name for p in PHASES)}")
            elif target not in phases:
                problems.append(f"{shown}: phase {target.name} is not part of this run")
            elif name not in target.options.model_fields:
                options = ", ".join(target.options.model_fields) or "none"
                problems.append(f"{shown}: phase {target.name} has no option {name!r} (its options: {options})")
            else:
                targets = [target]
        for target in targets:
            why = option_error(target.options, name, value)
            if why:
                problems.append(f"{shown}: {why}")
    if unknown:
        declared = sorted({name for p in phases for name in p.options.model_fields})
        problems.insert(0, f"unknown parameter(s): {', '.join(sorted(unknown))}. The notebooks declare: "
                           f"{', '.join(declared) or 'no options'}")  # fmt: skip
    if problems:
        raise RunError("\n".join(dict.fromkeys(problems)))


def phase_options(phase: Phase, extra: dict[str, object], settings: EngagementSettings) -> PhaseOptions:
    """The options `phase` runs with: its defaults, then engagement.yaml's `phases.<name>`, then the
    --param values that reach it (bare names it declares, then `<phase>.name`). Checked by check_parameters."""
    given = settings.phases.model_dump(exclude_unset=True).get(phase.name, {})  # type: ignore[attr-defined]
    bare = {k: v for k, v in extra.items() if k in phase.options.model_fields}
    named = {}
    for key, value in extra.items():
        prefix, _, name = key.rpartition(".")
        if prefix and _phase_named(prefix) is phase:
            named[name] = value
    return phase.options.model_validate(given | bare | named)


def _phase_named(name: str) -> Phase | None:
    try:
        return get_phase(name)
    except KeyError:
        return None


def _shown(value: object) -> str:
    """A --param value as the user typed it (YAML spelling for true/false and null)."""
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else str(value)


def unselected_phases(eng: Engagement, outcomes: list[PhaseOutcome], has_baseline: bool = False) -> list[str]:
    """Phases the engagement's data allow that this run does not include (a `--phase` selection)."""
    chosen = {o.phase for o in outcomes}
    return [p.name for p in PHASES if p.name not in chosen and all(eng.has(t) for t in p.tables)
            and (has_baseline or not p.needs_baseline)]  # fmt: skip


def resolve_baseline(root: Path, slug: str, given: str | None) -> RunData | None:
    """The run this one is compared with: `--baseline RUN_ID` when given (a complete run), else the
    one recorded for the engagement (`kit.baseline`), else None."""
    try:
        run_id = check_baseline_run(root, slug, given).name if given else recorded_baseline(root, slug)
    except BaselineError as exc:
        raise RunError(str(exc)) from None
    return load_run(root / slug / run_id) if run_id else None


def nothing_to_run(eng: Engagement, outcomes: list[PhaseOutcome]) -> NothingToRun:
    needs = "; ".join(
        f"{o.phase} needs {', '.join(t for t in PHASE_BY_NAME[o.phase].tables if not eng.has(t))}" for o in outcomes
    )
    return NothingToRun(
        f"nothing to analyse: every selected phase lacks a table it needs ({needs}); "
        f"`kit validate {eng.folder}` lists what is missing"
    )


def describe_os_error(exc: OSError, path: Path | str | None = None) -> str:
    """`cannot write <path>: <cause>`, the one line a user sees for a file-system error."""
    return f"cannot write {exc.filename or path or 'the run folder'}: {exc.strerror or exc}"


def new_run_dir(root: Path, slug: str, now: dt.datetime) -> tuple[str, Path]:
    base = root / slug
    base.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        run_id = stamp if n == 0 else f"{stamp}-{n}"
        try:
            (base / run_id).mkdir()
            return run_id, base / run_id
        except FileExistsError:
            continue
    raise RunError(f"could not create a new run folder under {base}")


# Errors a notebook cell raises when a write is refused; shown as "cannot write <path>: <cause>".
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.ENAMETOOLONG,
                           errno.EFBIG})  # fmt: skip
_ERRNO_VALUE = re.compile(r"^\[Errno (?P<errno>\d+)\] (?P<cause>.+?): '(?P<path>.+)'$", re.DOTALL)


def cell_error(exc) -> str:
    """One line for an error raised in a notebook cell (a papermill PapermillExecutionError)."""
    where = f" (notebook cell {exc.exec_count})"
    found = _ERRNO_VALUE.match(str(exc.evalue or ""))
    if found and int(found["errno"]) in _WRITE_ERRNOS:
        return f"cannot write {found['path']}: {found['cause']}{where}"
    return f"{exc.ename}: {exc.evalue}{where}"


def run_engagement(
    engagement: str | Path,
    *,
    reports_root: Path = Path("reports"),
    phases: list[str] | None = None,
    parameters: dict[str, object] | None = None,
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
    cell_timeout: int = CELL_TIMEOUT,
    force: bool = False,
    baseline: str | None = None,
) -> RunResult:
    """Run the engagement's phases and return what happened. `baseline` names the run the
    progress phase compares with (recorded as the engagement's baseline when this run completes);
    without it, the recorded baseline, and the first complete run records itself.

    Tables, model results and rendered phases that an earlier run of this kit computed from the
    same inputs are reused from the engagement's cache (`kit.cache`); `force` reuses nothing.
    Raises IntakeError (bad input), NothingToRun or RunError (bad request) before writing
    anything; RunWriteError when the file system refuses a write; RunInterrupted on SIGINT or
    SIGTERM, after stopping every kernel and marking the run folder incomplete.
    """
    notify = on_progress or (lambda _o: None)
    root = Path(reports_root).expanduser().resolve()  # absolute: the kernels run in notebooks/
    request = [phases, parameters, baseline]
    inputs = InputsRecord(Path(engagement), root, request)
    with StopRequest() as stop, Kernels(workers) as kernels:
        if force or inputs.changed():  # some phase will render: its kernels warm while the run loads
            kernels.start()
        else:  # most likely every render is kept: the zygote `kit run` started is not needed
            drop_early_zygote()
        caches: list[RunCache] = []

        def cache_for(settings: EngagementSettings) -> RunCache:
            caches.append(RunCache.for_engagement(root, settings.slug, read=not force))
            return caches[0]

        eng = load_engagement(engagement, cache=cache_for)
        cache = caches[0]
        base = resolve_baseline(root, eng.settings.slug, baseline)
        outcomes = plan_phases(eng, phases, has_baseline=base is not None)
        planned = [PHASE_BY_NAME[o.phase] for o in outcomes if o.status == "planned"]
        if not planned:
            raise nothing_to_run(eng, outcomes)
        check_parameters(planned, parameters or {})
        stop.check()

        now = now or dt.datetime.now()
        try:
            run_id, run_dir = new_run_dir(root, eng.settings.slug, now)
            unselected = unselected_phases(eng, outcomes, has_baseline=base is not None)
            result = RunResult(run_dir, run_id, outcomes, latest=None, unselected=unselected)
            _run(eng, result, parameters or {}, now, workers, notify, cell_timeout, stop, cache, base, kernels)
            inputs.save(result.ok)
            if result.latest is not None and (baseline or base is None):  # the first complete run, or --baseline
                record_baseline(root, eng.settings.slug, base.run_id if baseline else run_id)
        except OSError as exc:
            raise RunWriteError(describe_os_error(exc, root)) from None
    return result


def left_out(path: Path, folder: Path, reports: Path) -> bool:
    """Whether `path` is none of the run's inputs: not in the resolved engagement `folder`, hidden,
    in a hidden folder, an office lock file (`~$book.xlsx`), or in the resolved `reports` folder
    when that is kept inside `folder` (an engagement folder kept inside the reports folder is all input)."""
    if not path.is_relative_to(folder) or (reports.is_relative_to(folder) and path.is_relative_to(reports)):
        return True
    return any(part.startswith((".", "~$")) for part in path.relative_to(folder).parts)


def input_files(folder: Path, reports: Path) -> list[list] | None:
    """What a run reads from the engagement folder, as `[path, size, modification time]` per file
    (relative paths, sorted): every file but hidden ones, those in hidden folders, office lock files
    (`~$book.xlsx`) and a reports folder kept inside the engagement folder. None when the folder
    cannot be walked."""
    files = []
    folder = Path(folder).resolve()
    reports = Path(reports).resolve()
    try:
        for path in sorted(folder.rglob("*")):
            if left_out(path, folder, reports):
                continue
            rel = path.relative_to(folder)
            if path.is_file():
                info = path.stat()
                files.append([str(rel), info.st_size, info.st_mtime_ns])
    except OSError:
        return None
    return files


class InputsRecord:
    """What the engagement folder held when this kit last ran it to the end with every phase ok
    (each file's path, size and modification time, the kit's fingerprint and the run's request: its
    phases, options and baseline, given or recorded), kept in `<reports>/<slug>/.cache/inputs.json`. When the folder
    still holds the same, the run will most likely reuse every render and start no kernel; when it
    does not (a table edited, another option), some phase will render, so its kernels are started
    at once, to warm while the engagement is loaded and the model computed, instead of after. A
    wrong guess costs only time: kernels started for nothing are stopped, and a run that needs
    kernels it did not start early starts them then. A folder without valid settings
    (`kit.settings.load_settings`) is not walked and starts nothing early: the run reports it
    before rendering."""

    FILE = "inputs.json"

    def __init__(self, folder: Path, root: Path, request: object) -> None:
        self.folder, self.root, self.request = folder, root, request
        self.path: Path | None = None
        with contextlib.suppress(Exception):  # no valid settings: not an engagement folder to guess about
            slug = load_settings(folder).slug
            self.path = root / slug / CACHE_DIR / self.FILE
            self.request = [request, recorded_baseline(root, slug)]  # the second run has a baseline
        self.now = self._signature() if self.path is not None else None  # never walk a folder that is not one

    def _signature(self) -> str | None:
        files = input_files(self.folder, self.root)
        if files is None:
            return None
        return digest("inputs", fingerprint(), str(self.folder.resolve()), files, self.request)

    def changed(self) -> bool:
        """Whether some phase will likely render (kernels are then started at once). False when the
        folder has no readable engagement.yaml: the run reports that before it renders anything."""
        if self.path is None:
            return False
        try:
            return self.now is None or json.loads(self.path.read_text(encoding="utf-8")) != self.now
        except (OSError, ValueError):
            return True

    def save(self, ok: bool) -> None:
        """After a run: kept when every phase was ok (its renders are in the cache), else removed."""
        if self.path is None or not self.path.parent.is_dir():
            return
        with contextlib.suppress(OSError):
            if ok and self.now is not None:
                write_atomic(self.path, json.dumps(self.now))
            else:
                self.path.unlink(missing_ok=True)


def _run(
    eng: Engagement, result: RunResult, extra: dict, now: dt.datetime, workers: int | None,
    notify: ProgressCallback, cell_timeout: int, stop: StopRequest, cache: RunCache,
    baseline: RunData | None = None, kernels: Kernels | None = None,
) -> None:  # fmt: skip
    """Compute the model, render the planned phases into `result.run_dir`, then write the manifest
    and the index, and move `latest` when the run covered every phase the data allow and each
    succeeded. Kernels start (and warm) while the model is computed when some phase needs one."""
    run_dir, run_id, outcomes = result.run_dir, result.run_id, result.outcomes
    (run_dir / "notebooks").mkdir()
    (run_dir / "results").mkdir()
    (run_dir / "logs").mkdir()
    date = now.date().isoformat()
    progress = PhaseOutcome(MODEL_TASK, "Engagement model", "planned")
    for o in [progress, *outcomes]:
        notify(o)
    planned = sum(o.status == "planned" for o in outcomes)
    model = build_model(eng, outcomes, extra, cache, baseline)
    baseline_dir = run_dir.parent / baseline.run_id if baseline is not None else None  # its progress slide
    deck = DeckAhead(run_dir, eng.settings, cache, baseline_dir, now, outcomes)
    progress.status = "running"
    misses = _render_misses(model, cache, eng, outcomes, run_dir, extra, date)
    # what may render: the phases without a kept render and, if any, those reporting on them (the summary)
    due = [*misses, *(o.phase for o in outcomes if o.status == "planned" and PHASE_BY_NAME[o.phase].after)]
    try:
        # as many kernels as phases can render at once (a summary alone after one phase: one kernel),
        # each warmed with the imports of the notebooks that may render (all of them when none is due yet)
        size = workers or max(1, min(os.cpu_count() or 1, planned, len(misses)))
        kernels = kernels or Kernels()
        kernels.plan(size, run_dir, [PHASE_BY_NAME[n] for n in due] if misses else list(PHASES))
        with kernels:
            if misses:
                kernels.start()
            notify(progress)
            compute_model(model, outcomes, run_dir, cache)
            _model_progress(progress, model, cache)
            notify(progress)
            stop.check()
            prepare = functools.partial(_prepare_dependent, model, outcomes, run_dir, cache)
            idle = functools.partial(_compute_ahead, model, outcomes, run_dir, cache)
            _execute(eng, outcomes, run_dir, extra, date, kernels, notify, cell_timeout, stop, prepare, model, cache,
                     idle, deck.start if not result.unselected else None)  # fmt: skip
            stop.check()
    except RunInterrupted as exc:
        _mark_interrupted(outcomes, run_dir, exc.signal_name)
        write_manifest(eng, run_dir, run_id, outcomes, now, status="incomplete")
        notice = (f"This run is incomplete: it was interrupted ({exc.signal_name}) before every phase had "
                  "finished, and it was not made the latest run.")  # fmt: skip
        write_index(eng, run_dir, run_id, outcomes, date, notice=notice)
        exc.run_dir = run_dir
        raise
    becomes_latest = result.ok and not result.unselected
    write_manifest(eng, run_dir, run_id, outcomes, now, latest=becomes_latest, computed=dict(model.computed),
                   reused=_reused(model, cache, outcomes))  # fmt: skip
    write_index(eng, run_dir, run_id, outcomes, date)
    if becomes_latest and _write_deck(run_dir, eng.settings, cache, baseline_dir, deck.result()):  # every phase it allows
        write_index(eng, run_dir, run_id, outcomes, date)  # again, to list the deck under pages/
    if becomes_latest:
        result.latest = point_latest(run_dir)


def _write_deck(run_dir: Path, settings: EngagementSettings, cache: RunCache, baseline: Path | None = None,
                ahead: object = None) -> Path | None:  # fmt: skip
    """The steering-committee deck (`kit.deck.write_run_deck`: reused from the cache when its records
    are unchanged; with the progress slide when the run has a `baseline` run folder; `ahead`, the
    deck built while the summary rendered, when its key is right); kit.deck (python-pptx) is
    imported only by a run that writes one."""
    from kit.deck import write_run_deck

    return write_run_deck(run_dir, settings, cache, baseline=baseline, ahead=ahead)


class DeckAhead:
    """The deck built in a thread while the summary renders (`kit.deck.build_ahead`), from what the
    manifest will say if the summary succeeds; `_write_deck` takes it only when its key is the
    finished run's, so a wrong guess costs time, never a wrong deck. Started (`start(phase)`) when
    the summary goes to a kernel and no phase has failed (the others may still render: the deck reads
    the model's records, not their reports); a failure here is left to the deck built after the
    run, which reports it."""

    def __init__(self, run_dir: Path, settings: EngagementSettings, cache: RunCache | None, baseline: Path | None,
                 now: dt.datetime, outcomes: list[PhaseOutcome]) -> None:  # fmt: skip
        self.run_dir, self.settings, self.cache, self.baseline = run_dir, settings, cache, baseline
        self.now, self.outcomes = now, outcomes
        self.thread: threading.Thread | None = None
        self.built: object = None

    def start(self, phase: str) -> None:
        failed = any(o.status in ("failed", "interrupted") for o in self.outcomes)  # then no deck is written
        if self.thread is not None or self.cache is None or not PHASE_BY_NAME[phase].after or failed:
            return
        manifest = {"started": self.now.isoformat(timespec="seconds"),
                    "phases": [{"phase": phase, "status": "ok", "error": None}]}  # fmt: skip

        def build() -> None:
            from kit.deck import build_ahead

            with contextlib.suppress(Exception):
                self.built = build_ahead(self.run_dir, self.settings, self.cache, self.baseline, manifest)

        self.thread = threading.Thread(target=build, name="kit-deck", daemon=True)
        self.thread.start()

    def result(self) -> object:
        if self.thread is not None:
            self.thread.join()
        return self.built


MODEL_TASK = "(model)"  # the progress line of the engagement model (not a phase)


def build_model(
    eng: Engagement, outcomes: list[PhaseOutcome], extra: dict, cache: RunCache | None, baseline: RunData | None = None
) -> EngagementModel:
    """The run's engagement model (`kit.model`), the engagement loaded once: every phase's options
    as this run resolves them, phases not selected marked "not run"; nothing computed yet."""
    options = {p.name: phase_options(p, extra, eng.settings) for p in PHASES}
    model = EngagementModel(eng, options, cache=cache, baseline=baseline)
    chosen = {o.phase for o in outcomes}
    model.not_run({p.name: "not run: not selected for this run" for p in PHASES if p.name not in chosen})
    return model


def compute_model(model: EngagementModel, outcomes: list[PhaseOutcome], run_dir: Path, cache: RunCache | None) -> None:
    """Compute (or read from the cache) every planned phase, each node once, and persist every node
    in `results/` for the notebooks to render, with the engagement they read (`results/engagement.pkl`).
    A phase whose analysis raised keeps its traceback in its log; its notebook shows the one-line
    reason. The summary, and any phase that reports on others, is computed later (`_prepare_dependent`)."""
    for o in outcomes:
        if o.status == "planned" and not PHASE_BY_NAME[o.phase].after:
            _log_unavailable(run_dir, o.phase, model[o.phase])
            for node in sorted(GRAPH.upstream(o.phase) & set(GRAPH.nodes)):  # read back from the cache too:
                model[node]  # the notebook's explorers read them from results/
    if cache is not None:
        cache.flush()
    save_run_engagement(model.eng, cache, run_dir / "results")
    model.save(run_dir)


def _compute_ahead(model: EngagementModel, outcomes: list[PhaseOutcome], run_dir: Path, cache: RunCache | None) -> None:
    """While the first notebooks render: compute and persist what a phase that reports on others
    reads and that no phase's outcome can change (the snapshot of the intake tables, the baselines),
    then that phase itself (the summary) as if every phase rendering now succeeds, so
    `_prepare_dependent` is left nothing to do unless one failed (then `EngagementModel.not_run`
    marks it and what reads it, the summary, is computed again)."""
    phases = set(PHASE_BY_NAME)
    ahead, last = set(), []
    for o in outcomes:
        if o.status == "planned" and PHASE_BY_NAME[o.phase].after:
            ahead |= {n for n in GRAPH.upstream(o.phase) & set(GRAPH.nodes) if n not in phases
                      and not GRAPH.upstream(n) & phases}  # fmt: skip
            last.append(o.phase)
    if not last:
        return
    for node in [*sorted(ahead), *last, *_products(last)]:
        model[node]
    if cache is not None:
        cache.flush()
    model.save(run_dir)


def _products(phases: list[str]) -> list[str]:
    """The nodes computed from these phases that are no phase (the summary's workbook): what their
    notebooks would otherwise build."""
    return sorted(n for n in GRAPH.downstream(phases) if n not in PHASE_BY_NAME)


def _prepare_dependent(
    model: EngagementModel, outcomes: list[PhaseOutcome], run_dir: Path, cache: RunCache | None, phase: str
) -> None:
    """Before a phase that reports on others starts (the summary): the phases whose report failed
    count as failed for it, then it is computed and persisted."""
    if not PHASE_BY_NAME[phase].after:
        return
    model.not_run({o.phase: f"failed: {o.error}" for o in outcomes if o.status == "failed"})
    _log_unavailable(run_dir, phase, model[phase])
    for node in _products([phase]):  # its workbook, built here rather than in its notebook
        model[node]
    if cache is not None:
        cache.flush()
    model.save(run_dir)


def _render_misses(model, cache, eng, outcomes, run_dir, extra, date) -> list[str]:
    """The planned phases that report on no other and have no kept render: if any, kernels are
    started at once, to warm while the model is computed (a summary alone starts them when due)."""
    misses = []
    for o in outcomes:
        phase = PHASE_BY_NAME[o.phase]
        if o.status == "planned" and not phase.after:
            params = _notebook_parameters(eng, phase, run_dir, extra, date)
            if cache.render(o.phase, render.render_key(model, o.phase, params, _status(outcomes)), count=False) is None:
                misses.append(o.phase)
    return misses


def _model_progress(progress: PhaseOutcome, model: EngagementModel, cache: RunCache) -> None:
    computed, reused = sorted(model.computed), sorted(model.reused)
    progress.status = "ok"
    progress.error = f"{len(computed)} computed, {len(reused)} reused" + (
        f"; tables reused: {', '.join(cache.hits['tables'])}" if cache.hits["tables"] else ""
    )


def _reused(model: EngagementModel, cache: RunCache, outcomes: list[PhaseOutcome]) -> dict:
    """What this run took from the cache instead of computing it (the manifest's `reused`)."""
    return {
        "tables": sorted(set(cache.hits["tables"])),
        "nodes": sorted(model.reused),
        "phases": [o.phase for o in outcomes if o.reused],
        "forced": not cache.read,
    }


def _log_unavailable(run_dir: Path, phase: str, value: object) -> None:
    if isinstance(value, Unavailable) and value.detail:
        log = run_dir / "logs" / f"{phase}.log"
        log.parent.mkdir(exist_ok=True)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(value.detail)


class StopRequest:
    """While a run is under way, SIGINT and SIGTERM are remembered instead of raising at an
    arbitrary point (inside a write, or while the pool holds a lock); the runner acts on them at
    its next `check()`, a fraction of a second later. Handlers are only installed in the main
    thread, and the previous ones are restored on exit."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            self._previous = {s: signal.signal(s, self._remember) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _remember(self, signum: int, _frame: object) -> None:
        if self.signum is None:
            self.signum = signum

    def check(self) -> None:
        if self.signum is not None:
            raise RunInterrupted(self.signum)


def _mark_interrupted(outcomes: list[PhaseOutcome], run_dir: Path, signal_name: str) -> None:
    """Phases that had not finished become `interrupted`; temp files of cut-off writes are removed."""
    for o in outcomes:
        if o.status == "running":
            o.status, o.error = "interrupted", f"interrupted by {signal_name} while running"
            stem = PHASE_BY_NAME[o.phase].notebook.removesuffix(".ipynb")
            partial = Path("notebooks") / f"{stem}.incomplete.ipynb"
            o.notebook = str(partial) if (run_dir / partial).is_file() else None
        elif o.status == "planned":
            o.status, o.error = "interrupted", f"not started: the run was interrupted by {signal_name}"
    for leftover in run_dir.rglob(".*.tmp"):  # kit.report.write_atomic's temp files
        leftover.unlink(missing_ok=True)




class Kernels:
    """The run's pool of warm kernels (`kit.kernels.KernelPool`), started on first `get()` (or by
    `start()`, early: while the engagement is loaded and the model computed), never when every
    phase's render is kept; warmed with the import lines of `phases`' notebooks (all of them when
    started before the run knows what it renders). `plan()` says, once the run folder exists, how
    many kernels the run wants (a pool already started grows to it) and where their logs go. On exit
    every kernel is shut down, or killed when the run is being stopped, the kernels' logs are kept in
    the run folder's `logs/` and the connection-file folder is removed."""

    EARLY = 2  # kernels started before the run knows how many phases it renders (more are added then)

    def __init__(self, size: int | None = None) -> None:
        self.size = size or min(self.EARLY, os.cpu_count() or 1)
        self.run_dir: Path | None = None  # known from `plan()`
        self.phases = list(PHASES)  # whose notebooks' import lines warm the kernels (`plan()` narrows them)
        self.pool: KernelPool | None = None
        self.stopping = threading.Event()
        self.closed = False
        # Connection files (and the kernels' stderr) go to a folder of this run's own; the user's
        # Jupyter runtime folder is left alone.
        self.dir = Path(tempfile.mkdtemp(prefix="kit-kernels-"))

    def plan(self, size: int, run_dir: Path, phases: list[Phase]) -> None:
        self.run_dir = run_dir
        if self.pool is None:
            self.size, self.phases = size, phases
        else:
            self.pool.grow(size)

    def start(self) -> None:
        self.get()

    def get(self) -> KernelPool:
        if self.pool is None:
            install_poll_workaround()
            held = _held_kernels
            if held is not None:  # `kit watch`: kernels kept from one run to the next, in a folder of theirs
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = held.dir
            if held is not None and held.pool is not None:  # the kernels of the previous run
                self.pool = held.pool
                self.pool.grow(self.size)
                return self.pool
            env = {**os.environ, REPORT_ENV: "1", "JUPYTER_RUNTIME_DIR": str(self.dir)}
            warm = warm_code([p.path for p in self.phases])
            self.pool = KernelPool(self.size, NOTEBOOKS_DIR, env, self.dir, self.dir / "logs", warm)
            if held is not None:
                held.pool = self.pool
        return self.pool

    def __enter__(self) -> Kernels:
        return self

    def __exit__(self, exc_type, *_exc: object) -> None:
        self.close(kill=exc_type is not None)

    def close(self, kill: bool = True) -> None:
        """Stop every kernel (at once with `kill`, else after the jobs under way), keep their logs.
        Kernels held for later runs (`hold_kernels`) are left running, unless the run is being
        stopped (`kill`): the next run then starts new ones."""
        if self.closed:
            return
        self.closed = True
        self.stopping.set()
        held = _held_kernels if self.pool is not None and _held_kernels is not None \
            and _held_kernels.pool is self.pool else None  # fmt: skip
        if held is not None and kill:
            held.pool = None  # stopped below; a later run starts its own
            held = None
        if self.pool is not None and held is None:
            kill = kill or not self.pool.submitted  # started early for nothing: not waited for
            if kill:
                self.pool.kill()
            self.pool.shutdown(wait=not kill)
            self.pool.kill()  # a kernel started while the run was stopping
        drop_early_zygote()  # `kit run` started one that no pool took (the run ended before rendering)
        logs = self.dir / "logs"
        kept = [*logs.iterdir()] if logs.is_dir() else []
        zygote = self.pool.zygote if self.pool is not None else None
        if zygote is not None and zygote.log.parent != logs and zygote.log.is_file():
            kept.append(zygote.log)  # the early zygote's log, in a folder of its own
        if self.run_dir is not None and (self.run_dir / "logs").is_dir():
            for log in kept:
                with contextlib.suppress(OSError):
                    shutil.copyfile(log, self.run_dir / "logs" / log.name)
                    if held is not None or (zygote is not None and zygote.shared):
                        os.truncate(log, 0)  # written on by the next run (appended): its own lines only
        if zygote is not None and zygote.owned_dir is not None and not zygote.shared:
            shutil.rmtree(zygote.owned_dir, ignore_errors=True)
        if _held_kernels is None or self.dir != _held_kernels.dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class HeldKernels:
    """`kit watch`'s kernels, kept from one run to the next (`hold_kernels`)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kit-kernels-"))
        self.pool: KernelPool | None = None


_held_kernels: HeldKernels | None = None


@contextlib.contextmanager
def hold_kernels():
    """`kit watch`: the runs inside the block share their kernels and the zygote they fork from
    (`kit.kernels.hold_zygote`). A run's kernels stay up when it ends, warm, and the next run
    renders in them at once: each notebook still starts from a reset namespace
    (`kit.kernels.WarmKernel.reset`), as the second notebook of a run always did. A run that is
    stopped ends them; the next starts new ones. All are stopped when the block exits."""
    global _held_kernels
    from kit.kernels import hold_zygote

    held = _held_kernels = HeldKernels()
    try:
        with hold_zygote():
            yield
    finally:
        _held_kernels = None
        if held.pool is not None:
            held.pool.kill()
            held.pool.shutdown(wait=False)
        shutil.rmtree(held.dir, ignore_errors=True)


def _execute(
    eng: Engagement, outcomes: list[PhaseOutcome], run_dir: Path, extra: dict, date: str,
    kernels: Kernels, notify: ProgressCallback, cell_timeout: int = CELL_TIMEOUT,
    stop: StopRequest | None = None, prepare: Callable[[str], None] | None = None,
    model: EngagementModel | None = None, cache: RunCache | None = None, idle: Callable[[], None] | None = None,
    submitted: Callable[[str], None] | None = None,
) -> None:  # fmt: skip
    """Render the planned phases, dependents after what they read; `prepare(name)` runs just before
    a phase starts (the summary's results are computed then), `idle()` once while the first
    notebooks render (work the main process would otherwise do later), `submitted(name)` once a
    phase is handed to a kernel (the deck is built while the summary renders). A phase whose render key an earlier
    run kept (`kit.render.render_key`, `cache`) is copied from the cache; the others are executed
    in the run's warm kernels (`kernels`)."""
    by_name = {o.phase: o for o in outcomes}
    pending = {o.phase for o in outcomes if o.status == "planned"}
    done: set[str] = {o.phase for o in outcomes if o.status != "planned"}
    running: dict[Future, tuple[str, str | None]] = {}
    settled = -1
    while pending or running:
        if stop is not None:
            stop.check()
        for name in sorted(pending):
            phase = PHASE_BY_NAME[name]
            if not all(dep in done or dep not in by_name for dep in phase.after):
                continue
            if phase.after:  # what it reads: the status of every phase so far
                write_status(run_dir, outcomes)
            if prepare is not None:
                prepare(name)
            params = _notebook_parameters(eng, phase, run_dir, extra, date)
            pending.discard(name)
            key = render.render_key(model, name, params, _status(outcomes)) if model is not None else None
            kept = cache.render(name, key) if cache is not None and key else None
            if kept is not None:
                _reuse(by_name[name], kept, run_dir, params)
                done.add(name)
                notify(by_name[name])
                continue
            job = functools.partial(
                _render_phase, pool=kernels.get(), stopping=kernels.stopping, phase_name=name, parameters=params,
                run_dir=run_dir, client=eng.settings.client, date=date, cell_timeout=cell_timeout,
            )  # fmt: skip
            running[kernels.get().submit(job)] = (name, key)
            by_name[name].status, by_name[name].parameters = "running", params
            notify(by_name[name])
            if submitted is not None:
                submitted(name)
        if not running:
            if pending and len(done) > settled:  # a kept render made a dependent ready: look again
                settled = len(done)
                continue
            break
        if idle is not None:
            idle, work = None, idle
            work()
        finished, _ = wait(running, timeout=0.25, return_when=FIRST_COMPLETED)
        for future in finished:
            name, key = running.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # the kernel could not be started, say
                result = PhaseOutcome(name, by_name[name].title, "failed", error=f"{type(exc).__name__}: {exc}")
            by_name[name].__dict__.update(asdict(result))
            pages = render.written_pages(run_dir, name)
            if result.status == "ok" and cache is not None and key:
                cache.put_render(name, key, run_dir, render.rendered_files(name, result.html, pages))
            done.add(name)
            notify(by_name[name])


def _reuse(outcome: PhaseOutcome, kept: Path, run_dir: Path, params: dict) -> None:
    """A phase rendered by an earlier run from the same inputs: its files copied into this run."""
    start = time.perf_counter()
    files = render.restore(kept, run_dir, params)
    outcome.status, outcome.reused, outcome.parameters = "ok", True, params
    outcome.notebook = next(f for f in files if f.endswith(".ipynb"))
    outcome.html = next((f for f in files if f.endswith(".html") and "/" not in f), None)
    outcome.seconds = round(time.perf_counter() - start, 2)


def _render_phase(kernel, *, pool, stopping, **job):
    """Pool job (kit.render.render_phase); a name of its own so tests can replace the execution."""
    return render.render_phase(kernel, pool, stopping, **job)


def _notebook_parameters(eng: Engagement, phase: Phase, run_dir: Path, extra: dict, date: str) -> dict:
    params = {"engagement": str(eng.folder), "output_dir": str(run_dir), "run_date": date}
    return params | phase_options(phase, extra, eng.settings).model_dump()


def _status(outcomes: list[PhaseOutcome]) -> dict[str, tuple[str, str | None]]:
    return {o.phase: (o.status, o.error) for o in outcomes}


STATUS_FILE = "status.json"


def write_status(run_dir: Path, outcomes: list[PhaseOutcome]) -> Path:
    """`results/status.json`: each phase's status and error so far, for phases that report on others."""
    status = {o.phase: {"title": o.title, "status": o.status, "error": o.error} for o in outcomes}
    return write_atomic(run_dir / "results" / STATUS_FILE, json.dumps(status, indent=2))


def write_manifest(
    eng: Engagement, run_dir: Path, run_id: str, outcomes: list[PhaseOutcome], now: dt.datetime,
    *, status: str | None = None, latest: bool = False, computed: dict[str, int] | None = None,
    reused: dict | None = None,
) -> Path:  # fmt: skip
    """`manifest.json`. `status` is ok, failed or incomplete (interrupted); `latest` whether this
    run is made the latest."""
    status = status or ("ok" if all(o.status in ("ok", "skipped") for o in outcomes) else "failed")
    manifest = {
        "kit_version": __version__,
        "run_id": run_id,
        "started": now.isoformat(timespec="seconds"),
        "finished": dt.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "client": eng.settings.client,
        "slug": eng.settings.slug,
        "engagement": str(eng.folder),
        "settings": eng.settings.model_dump(mode="json", exclude={"pseudonym_key"}),
        "inputs": {
            name: {"file": str(path), "sha256": eng.digests.get(name) or file_sha256(path)}
            for name, path in sorted(eng.sources.items())
        },
        "missing": eng.missing,
        "warnings": [str(p) for p in eng.warnings],
        "phases": [asdict(o) for o in outcomes],
        "status": status,
        "latest": latest,
        "computed": computed or {},  # engagement-model node -> times computed in this run
        "reused": reused or {},  # tables, nodes and phases taken from the cache (kit.cache), and whether --force
    }
    return write_atomic(run_dir / "manifest.json", json.dumps(manifest, indent=2, default=str))


def write_index(
    eng: Engagement, run_dir: Path, run_id: str, outcomes: list[PhaseOutcome], date: str, *, notice: str = ""
) -> Path:
    entries = []
    progress = next((o for o in outcomes if o.status == "ok" and PHASE_BY_NAME[o.phase].needs_baseline), None)
    for o in sorted(outcomes, key=lambda o: o is not progress):  # a follow-up's progress report first
        href = o.html if o.status == "ok" else o.notebook
        if href and not (run_dir / href).is_file():
            href = None
        note = o.error or f"{o.seconds:.0f} s"
        entries.append(IndexEntry(title=o.title, href=href, status=o.status, note=note, kind="report"))
    pages = run_dir / "pages"
    for page in sorted(p for p in pages.glob("*") if not p.name.startswith(".")) if pages.is_dir() else []:
        kind = "page" if page.suffix == ".html" else "file"
        title = page_title(page) or page.stem.replace("_", " ").replace("-", " ").capitalize()
        note = "" if kind == "page" else f"{page.suffix.lstrip('.').upper()} file"
        entries.append(IndexEntry(title=title, href=f"pages/{page.name}", status="ok", note=note, kind=kind))
    summary = next((o for o in outcomes if o.status == "ok" and PHASE_BY_NAME[o.phase].stage == "Summary"), None)
    html = index_html(
        client=eng.settings.client, date=date, run_id=run_id, entries=entries,
        problems=[str(p) for p in eng.warnings], summary_href=summary.html if summary else None,
        executive_summary=_executive_summary(run_dir, summary.phase) if summary else "", notice=notice,
        progress_href=progress.html if progress else None,
    )  # fmt: skip
    return write_atomic(run_dir / "index.html", html)


_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def page_title(path: Path) -> str:
    """The <title> of an HTML page written by a phase ('' for other files or no title)."""
    if path.suffix != ".html":
        return ""
    with open(path, encoding="utf-8", errors="replace") as fh:
        found = _TITLE.search(fh.read(4096))
    # kit.report pages are titled "<title> · <client>"; the index already names the client.
    return html.unescape(found.group(1)).rsplit(" · ", 1)[0].strip() if found else ""


def _executive_summary(run_dir: Path, phase: str) -> str:
    """The summary phase's one-paragraph executive summary, from its recorded results."""
    try:
        record = json.loads((run_dir / "results" / f"{phase}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(record.get("scalars", {}).get("executive_summary") or "")


def point_latest(run_dir: Path) -> Path:
    """Point `<slug>/latest` at this run (a relative symlink replaced atomically)."""
    link = run_dir.parent / "latest"
    tmp = run_dir.parent / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    try:
        os.symlink(run_dir.name, tmp, target_is_directory=True)
    except OSError:  # no symlinks here (e.g. Windows without the privilege): name the run in a file
        return write_atomic(run_dir.parent / "latest.txt", run_dir.name + "\n")
    os.replace(tmp, link)
    return link

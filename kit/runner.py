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
import hashlib
import html
import json
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

from kit import __version__
from kit.baseline import BaselineError, RunData, check_baseline_run, load_run, record_baseline, recorded_baseline
from kit.deck import write_run_deck
from kit.intake import Engagement, load_engagement
from kit.kernel_io import install_poll_workaround
from kit.model import EngagementModel, Unavailable
from kit.options import PhaseOptions, option_error
from kit.phases import PHASE_BY_NAME, PHASES, Phase, get_phase
from kit.report import IndexEntry, export_notebook_html, index_html, write_atomic
from kit.settings import EngagementSettings

REPORT_ENV = "KIT_REPORT"
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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _execute_phase(
    phase_name: str, parameters: dict, run_dir: str, client: str, date: str, cell_timeout: int = CELL_TIMEOUT
) -> PhaseOutcome:
    """Worker: execute one notebook in a fresh kernel and export it. Never raises.

    A cell that exceeds `cell_timeout` seconds, or a kernel that dies, is retried once in a new
    kernel: both are infrastructure failures (a lost kernel message stalls execution now and
    then), not the client's data. An error raised by the notebook itself is never retried.
    papermill saves the notebook as it goes, so it is written as `<name>.incomplete.ipynb` and
    gets its own name only once papermill has finished with it (successfully or with an error).
    """
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    os.environ[REPORT_ENV] = "1"
    install_poll_workaround()
    phase = PHASE_BY_NAME[phase_name]
    out = Path(run_dir)
    notebook = Path("notebooks") / phase.notebook
    partial = notebook.with_name(f"{notebook.stem}.incomplete.ipynb")
    outcome = PhaseOutcome(phase.name, phase.title, "running", notebook=str(partial), parameters=parameters)
    start = time.perf_counter()
    try:
        _log_to(out / "logs" / f"{phase.name}.log")
        for attempt in (1, 2):
            try:
                papermill.execute_notebook(
                    str(phase.path), str(out / partial), parameters=parameters, progress_bar=False,
                    log_output=False, cwd=str(phase.path.parent), report_mode=False, execution_timeout=cell_timeout,
                )  # fmt: skip
                outcome.status, outcome.error = "ok", None
            except PapermillExecutionError as exc:
                outcome.status, outcome.error = "failed", cell_error(exc)
            except (TimeoutError, DeadKernelError) as exc:
                outcome.status = "failed"
                outcome.error = f"{type(exc).__name__}: {exc} (after {attempt} attempt(s))"
                print(f"attempt {attempt}: {outcome.error}", file=sys.stderr)  # into the phase's log
                if attempt == 1:
                    continue
            break
        os.replace(out / partial, out / notebook)
        outcome.notebook = str(notebook)
        if outcome.status == "ok":
            html = Path(f"{notebook.stem}.html")
            export_notebook_html(out / notebook, out / html, title=phase.title, client=client, date=date)
            outcome.html = str(html)
    except OSError as exc:  # disk full, read-only folder: papermill's own writes, the log, the export
        outcome.status, outcome.html = "failed", None
        outcome.error = describe_os_error(exc, out / outcome.notebook)
    except Exception as exc:  # an export error, say: report it, keep the other phases going
        outcome.status, outcome.html = "failed", None
        outcome.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()  # into the phase's log
    outcome.seconds = round(time.perf_counter() - start, 2)
    return outcome


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


def _log_to(path: Path) -> None:
    """Send this worker's stderr, and that of the kernels it starts, to the phase's log file."""
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stderr.flush()
    os.dup2(fd, 2)
    os.close(fd)


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
    baseline: str | None = None,
) -> RunResult:
    """Run the engagement's phases and return what happened. `baseline` names the run the
    progress phase compares with (recorded as the engagement's baseline when this run completes);
    without it, the recorded baseline, and the first complete run records itself.

    Raises IntakeError (bad input), NothingToRun or RunError (bad request) before writing
    anything; RunWriteError when the file system refuses a write; RunInterrupted on SIGINT or
    SIGTERM, after stopping every worker and kernel and marking the run folder incomplete.
    """
    notify = on_progress or (lambda _o: None)
    with StopRequest() as stop:
        eng = load_engagement(engagement)
        root = Path(reports_root).expanduser().resolve()  # absolute: the kernels run in notebooks/
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
            _run(eng, result, parameters or {}, now, workers, notify, cell_timeout, stop, base)
            if result.latest is not None and (baseline or base is None):  # the first complete run, or --baseline
                record_baseline(root, eng.settings.slug, base.run_id if baseline else run_id)
        except OSError as exc:
            raise RunWriteError(describe_os_error(exc, root)) from None
    return result


def _run(
    eng: Engagement, result: RunResult, extra: dict, now: dt.datetime, workers: int | None,
    notify: ProgressCallback, cell_timeout: int, stop: StopRequest, baseline: RunData | None = None,
) -> None:  # fmt: skip
    """Execute the planned phases into `result.run_dir`, then write the manifest and the index, and
    move `latest` when the run covered every phase the data allow and each succeeded."""
    run_dir, run_id, outcomes = result.run_dir, result.run_id, result.outcomes
    (run_dir / "notebooks").mkdir()
    (run_dir / "results").mkdir()
    date = now.date().isoformat()
    for o in outcomes:
        notify(o)
    try:
        model = compute_model(eng, outcomes, run_dir, extra, baseline)
        stop.check()
        prepare = functools.partial(_prepare_dependent, model, outcomes, run_dir)
        _execute(eng, outcomes, run_dir, extra, date, workers, notify, cell_timeout, stop, prepare)
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
    write_manifest(eng, run_dir, run_id, outcomes, now, latest=becomes_latest, computed=dict(model.computed))
    write_index(eng, run_dir, run_id, outcomes, date)
    if becomes_latest and write_run_deck(run_dir, eng.settings):  # a complete run: every phase it allows
        write_index(eng, run_dir, run_id, outcomes, date)  # again, to list the deck under pages/
    if becomes_latest:
        result.latest = point_latest(run_dir)


def compute_model(
    eng: Engagement, outcomes: list[PhaseOutcome], run_dir: Path, extra: dict, baseline: RunData | None = None
) -> EngagementModel:
    """The run's engagement model (`kit.model`), the engagement loaded once: every phase's
    options as this run resolves them, phases not selected marked "not run", every planned phase
    computed (each node once) and persisted in `results/` for its notebook to render. A phase
    whose analysis raised keeps its traceback in its log; its notebook shows the one-line reason.
    The summary, and any phase that reports on others, is computed later (`_prepare_dependent`)."""
    options = {p.name: phase_options(p, extra, eng.settings) for p in PHASES}
    model = EngagementModel(eng, options, baseline=baseline)
    chosen = {o.phase for o in outcomes}
    model.not_run({p.name: "not run: not selected for this run" for p in PHASES if p.name not in chosen})
    for o in outcomes:
        if o.status == "planned" and not PHASE_BY_NAME[o.phase].after:
            _log_unavailable(run_dir, o.phase, model[o.phase])
    model.save(run_dir)
    return model


def _prepare_dependent(model: EngagementModel, outcomes: list[PhaseOutcome], run_dir: Path, phase: str) -> None:
    """Before a phase that reports on others starts (the summary): the phases whose report failed
    count as failed for it, then it is computed and persisted."""
    if not PHASE_BY_NAME[phase].after:
        return
    model.not_run({o.phase: f"failed: {o.error}" for o in outcomes if o.status == "failed"})
    _log_unavailable(run_dir, phase, model[phase])
    model.save(run_dir)


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


def _execute(
    eng: Engagement, outcomes: list[PhaseOutcome], run_dir: Path, extra: dict, date: str,
    workers: int | None, notify: ProgressCallback, cell_timeout: int = CELL_TIMEOUT,
    stop: StopRequest | None = None, prepare: Callable[[str], None] | None = None,
) -> None:  # fmt: skip
    """Execute the planned notebooks in a pool, dependents after what they read; `prepare(name)`
    runs just before a phase is submitted (the summary's results are computed then)."""
    by_name = {o.phase: o for o in outcomes}
    pending = {o.phase for o in outcomes if o.status == "planned"}
    done: set[str] = {o.phase for o in outcomes if o.status != "planned"}
    workers = workers or max(1, min(os.cpu_count() or 1, len(pending)))
    running: dict[Future, str] = {}
    # Kernel connection files go to a folder of this run's own, removed afterwards (even when the
    # kernels had to be killed); the user's Jupyter runtime folder is left alone.
    kernels_dir = tempfile.mkdtemp(prefix="kit-kernels-")
    pool = ProcessPoolExecutor(
        max_workers=max(workers, 1), mp_context=get_context("spawn"), initializer=_start_worker,
        initargs=(kernels_dir,),
    )  # fmt: skip
    try:
        while pending or running:
            if stop is not None:
                stop.check()
            for name in sorted(pending):
                phase = PHASE_BY_NAME[name]
                if all(dep in done or dep not in by_name for dep in phase.after):
                    if phase.after:  # what it reads: the status of every phase so far
                        write_status(run_dir, outcomes)
                    if prepare is not None:
                        prepare(name)
                    params = {"engagement": str(eng.folder), "output_dir": str(run_dir), "run_date": date}
                    params |= phase_options(phase, extra, eng.settings).model_dump()
                    future = pool.submit(
                        _execute_phase, name, params, str(run_dir), eng.settings.client, date, cell_timeout
                    )
                    running[future] = name
                    pending.discard(name)
                    by_name[name].status, by_name[name].parameters = "running", params
                    notify(by_name[name])
            if not running:
                break
            finished, _ = wait(running, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # the worker process itself died
                    result = PhaseOutcome(name, by_name[name].title, "failed", error=f"{type(exc).__name__}: {exc}")
                by_name[name].__dict__.update(asdict(result))
                done.add(name)
                notify(by_name[name])
    except BaseException:
        stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(kernels_dir, ignore_errors=True)


def _start_worker(kernels_dir: str) -> None:
    """Pool worker set-up. A session of its own keeps a terminal's Ctrl-C (sent to the whole
    foreground group) away from the workers: the runner alone decides how they stop."""
    if hasattr(os, "setsid"):
        os.setsid()
    os.environ["JUPYTER_RUNTIME_DIR"] = kernels_dir


STOP_GRACE = 2.0  # seconds workers and kernels get to exit after SIGTERM before SIGKILL


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers and the kernels they started (SIGTERM, then SIGKILL after STOP_GRACE).

    Kernels run in sessions of their own (jupyter_client starts them so), so they are found as
    the workers' descendants, listed before any worker is signalled: a killed worker's kernels
    are re-parented and could no longer be found through it.
    """
    import psutil

    workers = []
    for pid in list(getattr(pool, "_processes", None) or {}):
        try:
            workers.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    kernels = []
    for worker in workers:
        try:
            kernels += worker.children(recursive=True)
        except psutil.NoSuchProcess:
            continue
    everyone = workers + kernels  # workers first: a worker must not see its kernel die and retry
    for proc in everyone:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    for proc in _still_running(everyone, STOP_GRACE):
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()


def _still_running(procs: list, timeout: float) -> list:
    """The processes of `procs` still running after up to `timeout` seconds. A zombie counts as
    ended: an orphaned kernel stays one until the system reaps it, which can take a while in a
    container (psutil.wait_procs would wait for that)."""
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                if proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


STATUS_FILE = "status.json"


def write_status(run_dir: Path, outcomes: list[PhaseOutcome]) -> Path:
    """`results/status.json`: each phase's status and error so far, for phases that report on others."""
    status = {o.phase: {"title": o.title, "status": o.status, "error": o.error} for o in outcomes}
    return write_atomic(run_dir / "results" / STATUS_FILE, json.dumps(status, indent=2))


def write_manifest(
    eng: Engagement, run_dir: Path, run_id: str, outcomes: list[PhaseOutcome], now: dt.datetime,
    *, status: str | None = None, latest: bool = False, computed: dict[str, int] | None = None,
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
            name: {"file": str(path), "sha256": file_sha256(path)} for name, path in sorted(eng.sources.items())
        },
        "missing": eng.missing,
        "warnings": [str(p) for p in eng.warnings],
        "phases": [asdict(o) for o in outcomes],
        "status": status,
        "latest": latest,
        "computed": computed or {},  # engagement-model node -> times computed in this run
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

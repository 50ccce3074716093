"""Rendering one phase of a `kit run`: execute its notebook with papermill in a warm kernel
(`kit.kernels`) and export it to HTML, or reuse what an earlier run rendered from the same inputs.

A phase's render key (`render_key`) is the digest of everything its deliverable is made from:
the kit's fingerprint, the notebook file, the phase's parameters but the folders (its options and
the run date; the tables' contents are keyed, not where they lie), the keys of every model node
and source the phase reads (its result, all upstream of it, the tables it needs), the engagement's
warnings (every report shows them) and, for a phase that reports on others, their status. Equal
keys give equal deliverables, so a kept render (`kit.cache.RunCache.render`) is copied into the
new run folder instead of being executed again; the copied notebook's injected parameters name
the new run folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path

from kit.cache import RunCache, digest, file_sha256, fingerprint
from kit.kernels import ENGINE, KernelPool, WarmKernel
from kit.phases import PHASE_BY_NAME


def render_key(model, phase: str, parameters: dict, status: dict[str, tuple[str, str | None]]) -> str:
    """What the phase's deliverable is made from (see the module docstring), as one digest."""
    p = PHASE_BY_NAME[phase]
    reads = sorted(model.driver.graph.upstream(phase) | {phase} | set(p.tables) | {"settings"})
    shown = {k: v for k, v in parameters.items() if k not in ("output_dir", "engagement")}  # folders: not content
    warnings = [str(w) for w in model.eng.warnings]
    after = {name: status.get(name) for name in p.after}
    return digest(
        "render", fingerprint(), phase, file_sha256(p.path), shown, [(n, model.key(n)) for n in reads], warnings, after
    )


def rendered_files(phase: str, html: str | None, pages: list[str]) -> list[str]:
    """The files of a rendered phase, relative to the run folder."""
    files = [str(Path("notebooks") / PHASE_BY_NAME[phase].notebook), *[f"pages/{p}" for p in pages]]
    return files + ([html] if html else [])


def restore(folder: Path, run_dir: Path, parameters: dict) -> list[str]:
    """Copy a kept render into `run_dir`; its notebook's injected parameters are those of this run.
    Returns the files copied (relative to the run folder)."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from kit.report import write_atomic

    files = RunCache.render_files(folder)
    for name in files:
        target = run_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".ipynb"):
            nb = load_notebook_node(str(folder / name))
            nb = parameterize_notebook(nb, parameters, report_mode=False)
            write_atomic(target, nbformat.writes(nb))
        else:
            tmp = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(folder / name, tmp)
            os.replace(tmp, target)
    return files


def pages_log(run_dir: Path, phase: str) -> Path:
    return run_dir / "logs" / f".{phase}.pages"


def written_pages(run_dir: Path, phase: str) -> list[str]:
    """The pages the phase's notebook wrote (listed by kit.notebook), that exist."""
    log = pages_log(run_dir, phase)
    try:
        names = log.read_text(encoding="utf-8").split()
    except OSError:
        return []
    finally:
        log.unlink(missing_ok=True)
    return sorted({n for n in names if (run_dir / "pages" / n).is_file()})


def render_phase(
    kernel: WarmKernel, pool: KernelPool, stopping: threading.Event, phase_name: str, parameters: dict,
    run_dir: Path, client: str, date: str, cell_timeout: int,
):  # fmt: skip
    """Pool job: execute one notebook in `kernel` and export it; returns (PhaseOutcome, kernel in use).

    A cell that exceeds `cell_timeout` seconds, or a kernel that dies, is retried once in a fresh
    kernel: both are infrastructure failures, not the client's data; an error raised by the notebook
    itself is never retried. papermill saves the notebook as it goes, so it is written as
    `<name>.incomplete.ipynb` and gets its own name once papermill is done with it.
    """
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from kit.notebook import PAGES_LOG_ENV  # kit.notebook lists each page a notebook writes in this file
    from kit.runner import PhaseOutcome, cell_error, describe_os_error

    phase = PHASE_BY_NAME[phase_name]
    notebook = Path("notebooks") / phase.notebook
    partial = notebook.with_name(f"{notebook.stem}.incomplete.ipynb")
    outcome = PhaseOutcome(phase.name, phase.title, "running", notebook=str(partial), parameters=parameters)
    log = run_dir / "logs" / f"{phase.name}.log"
    start = time.perf_counter()
    try:
        log.parent.mkdir(exist_ok=True)
        for attempt in (1, 2):
            try:
                kernel.reset({PAGES_LOG_ENV: str(pages_log(run_dir, phase.name))})
                papermill.execute_notebook(
                    str(phase.path), str(run_dir / partial), parameters=parameters, progress_bar=False,
                    log_output=False, report_mode=False, execution_timeout=cell_timeout, engine_name=ENGINE,
                    kernel=kernel,
                )  # fmt: skip
                outcome.status, outcome.error = "ok", None
            except PapermillExecutionError as exc:
                outcome.status, outcome.error = "failed", cell_error(exc)
            except (TimeoutError, DeadKernelError, RuntimeError) as exc:
                outcome.status = "failed"
                outcome.error = f"{type(exc).__name__}: {exc} (after {attempt} attempt(s))"
                _append(log, f"attempt {attempt}: {outcome.error}\n")
                if attempt == 1 and not stopping.is_set():
                    kernel = pool.replace(kernel)
                    continue
            break
        if stopping.is_set():  # the run is being stopped: it marks this phase; nothing more is written
            outcome.status = "interrupted"
            return outcome, kernel
        if (run_dir / partial).is_file():
            os.replace(run_dir / partial, run_dir / notebook)
            outcome.notebook = str(notebook)
        if outcome.status == "ok":
            html = Path(f"{notebook.stem}.html")
            exported = {"ipynb": str(run_dir / notebook), "html": str(run_dir / html), "title": phase.title,
                        "client": client, "date": date}  # fmt: skip
            lines = kernel.call(f"from kit.render import export_here as _export\n_export({exported!r})", cell_timeout)
            failure = json.loads(lines[-1]) if lines else {"error": "the kernel reported nothing of the export"}
            if failure:
                outcome.status, outcome.error = "failed", failure["error"]
                _append(log, failure.get("traceback") or f"{failure['error']}\n")
            else:
                outcome.html = str(html)
    except OSError as exc:  # disk full, read-only folder: papermill's own writes, the log, the export
        outcome.status, outcome.html = "failed", None
        outcome.error = describe_os_error(exc, run_dir / outcome.notebook)
    except Exception as exc:  # an export error, say: report it, keep the other phases going
        outcome.status, outcome.html = "failed", None
        outcome.error = f"{type(exc).__name__}: {exc}"
        _append(log, traceback.format_exc())
    outcome.seconds = round(time.perf_counter() - start, 2)
    return outcome, kernel


def export_here(job: dict[str, str]) -> None:
    """Run in a warm kernel by `render_phase`: export the executed notebook `job["ipynb"]` to
    `job["html"]` (`kit.report.export_notebook_html`) in the kernel's own process, so phases export
    side by side on their cores, and print one JSON line: `{}`, or the failure (`error`, the
    one-line reason a run reports, and `traceback`, for the phase's log)."""
    from kit.report import export_notebook_html
    from kit.runner import describe_os_error

    failure: dict[str, str] = {}
    try:
        export_notebook_html(Path(job["ipynb"]), Path(job["html"]), title=job["title"], client=job["client"],
                             date=job["date"])  # fmt: skip
    except OSError as exc:  # disk full, read-only folder
        failure = {"error": describe_os_error(exc, job["html"]), "traceback": traceback.format_exc()}
    except Exception as exc:  # noqa: BLE001 - an export error fails this phase, not the run
        failure = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    print(json.dumps(failure))


def _append(log: Path, text: str) -> None:
    try:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError:
        print(text, file=sys.stderr, end="")

"""`kit present`: the phase notebooks for a client meeting, served by Voilà on this machine only.

Voilà runs each notebook in a kernel of its own and shows its Markdown, outputs and live controls,
never its code. The notebooks are copies of the engagement's live copies (`kit open` prepares the
ones missing), so what the consultant set up in a live copy is what the client sees. Each is
executed when the server starts (Voilà's pre-heated kernels), so a page opens at once.

Offline: the template `kit_present` (kit/templates/jupyter/voila/templates/) drops the Font Awesome
and mermaid links Voilà's lab template takes from a CDN, and the server listens on 127.0.0.1 only.
The Voilà server runs in a child process with the kit's kernel-client guard installed
(`kit.kernel_io`): without it Voilà 0.5's cell executor can stall at a widget cell.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from kit.intake import Engagement
from kit.live import prepare_live_copy
from kit.phases import Phase

HOST = "127.0.0.1"
TEMPLATE = "kit_present"
TEMPLATES_ROOT = Path(__file__).resolve().parent / "templates" / "jupyter"  # holds voila/templates/kit_present
PRESENT = "present"


@dataclass(frozen=True)
class Presentation:
    target: Path  # the notebook (one phase) or the folder (every phase) Voilà serves
    notebooks: tuple[Path, ...]
    prepared: tuple[Path, ...]  # live copies that did not exist and were prepared for it


def present_dir(eng: Engagement, reports: Path) -> Path:
    return (Path(reports) / eng.settings.slug / PRESENT).resolve()


def prepare_presentation(eng: Engagement, phases: list[Phase], reports: Path, *, single: bool) -> Presentation:
    """Copies of `phases`' live copies (each prepared as `kit open` does when missing) in
    `<reports>/<slug>/present/`, outputs cleared (Voilà executes them afresh). Other notebooks in
    that folder are removed so the listing shows exactly these; `single` serves the one notebook."""
    folder = present_dir(eng, reports)
    folder.mkdir(parents=True, exist_ok=True)
    copies, prepared = [], []
    for phase in phases:
        live = prepare_live_copy(eng, phase, reports)
        if not live.reused:
            prepared.append(live.path)
        nb = nbformat.read(live.path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        target = folder / phase.notebook
        partial = folder / f".{phase.notebook}.{os.getpid()}.partial"
        nbformat.write(nb, partial)
        os.replace(partial, target)
        copies.append(target)
    for stale in set(folder.glob("*.ipynb")) - set(copies):
        stale.unlink()
    return Presentation(copies[0] if single else folder, tuple(copies), tuple(prepared))


def voila_argv(target: Path, port: int | None = None) -> list[str]:
    """The command that serves `target` (a notebook or a folder of them) with Voilà: this module's
    `main`, so the kernel-client guard is installed first. Other settings (browser, refill delay)
    come from Voilà's own configuration (voila.json in the Jupyter config path)."""
    argv = [sys.executable, "-m", "kit.present", str(target), f"--Voila.ip={HOST}", f"--template={TEMPLATE}",
            "--preheat_kernel=True", "--strip_sources=True", "--show_tracebacks=False"]  # fmt: skip
    if port is not None:
        argv.append(f"--port={port}")
    return argv


def main(argv: list[str] | None = None) -> None:
    """Voilà's command line, with the kernel-client guard and the kit's template folder."""
    from kit.kernel_io import install_poll_workaround

    install_poll_workaround()
    # Ctrl-C stops the server even when a shell started it in the background (which ignores SIGINT).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(TEMPLATES_ROOT), os.environ.get("JUPYTER_PATH")]))
    from tornado.web import HTTPError
    from voila.app import Voila

    try:
        Voila.launch_instance(argv=sys.argv[1:] if argv is None else argv)
    except HTTPError as exc:
        # Voilà 0.5 stopped (Ctrl-C) while a pre-heated kernel was still starting: shutting down
        # every kernel then fails on that one, which ends itself once its parent is gone.
        if exc.status_code != 404:
            raise
        print(f"[Voila] stopped while a kernel was starting ({exc.log_message % exc.args})", file=sys.stderr)


if __name__ == "__main__":
    main()

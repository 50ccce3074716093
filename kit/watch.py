"""`kit watch`: run an engagement, then again each time one of its files changes.

A consultant editing the client's tables during a working session sees the deliverables follow:
each change (saved in Excel, a text editor, a copy over the file) starts a run exactly as
`kit run` would make it, in a run folder of its own, reusing what the change left valid
(`kit.cache`). Between runs the process stays warm: its own imports, and the zygote the kernels
fork from (`kit.kernels.hold_zygote`), so a re-run starts rendering about as soon as its results
are computed instead of importing the whole stack again.

What counts as a change is what a run reads (`kit.runner.input_files`): each file's size and
modification time, hidden files and folders left out, as are the lock files office suites keep
beside an open workbook (`~$name.xlsx`, `.~lock.name#`) and a reports folder kept inside the
engagement folder. The folder's events (`watchfiles`: inotify and the like) wake the watch at
once; it also looks every second, so a change made while a run was under way, or before the
watcher was set up, starts the next run as soon as it is seen, and a folder whose file system
sends no events (some network drives) is still followed. Changes that arrive together (a save
that writes a temporary file, then renames it) start one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

# milliseconds without a further change before the changes seen are acted on (a save's writes arrive
# within a few milliseconds of each other); at most DEBOUNCE_MS in all, however long they go on
STEP_MS = 100
DEBOUNCE_MS = 1600
TICK_MS = 1000  # the watch looks at the folder at least this often, events or not
# imported while the watch waits: what a re-run needs that a run reusing everything did not import
# (the workbook's and the deck's writers, papermill and the kernel client: a third of a second)
WARM_MODULES = ("openpyxl", "openpyxl.writer.excel", "pptx", "pptx.chart.data", "papermill", "nbclient",
                "jupyter_client.asynchronous")  # fmt: skip


def warm_imports() -> None:
    """Import `WARM_MODULES` now (between runs), so the next run does not while it renders."""
    import importlib

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional part missing: the run reports it where it needs it
            pass


def _filter(folder: Path, reports: Path):
    import watchfiles

    from kit.runner import left_out

    class InputsFilter(watchfiles.DefaultFilter):
        """Events for what `kit.runner.input_files` lists (the signature decides; this only keeps
        the watch from waking for a hidden file or the reports folder)."""

        def __call__(self, change: watchfiles.Change, path: str) -> bool:
            return not left_out(Path(path), folder, reports) and super().__call__(change, path)

    return InputsFilter()


def changed_files(before: list[list] | None, after: list[list] | None) -> list[str]:
    """The files added, removed or modified between two `input_files` listings (relative paths)."""
    old = {f[0]: tuple(f[1:]) for f in before or []}
    new = {f[0]: tuple(f[1:]) for f in after or []}
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))


def changes(engagement: Path, reports: Path, seen: list[list] | None, stop_event=None) -> Iterator[list[str]]:
    """Each time the engagement folder's files differ from `seen` (`input_files`, taken before the
    run that read them), the files that changed; the listing then yielded with is the next `seen`,
    so what changes while the caller runs is yielded next. Until `stop_event` is set; Ctrl-C
    raises KeyboardInterrupt."""
    import watchfiles

    from kit.runner import input_files

    folder = Path(engagement).resolve()
    reports = Path(reports).expanduser().resolve()
    for _batch in watchfiles.watch(
        folder, watch_filter=_filter(folder, reports), step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=stop_event,
        rust_timeout=TICK_MS, yield_on_timeout=True,
    ):  # fmt: skip
        now = input_files(folder, reports)
        if now is None or now == seen:
            continue
        changed, seen = changed_files(seen, now), now
        yield changed


def describe(changed: list[str], shown: int = 3) -> str:
    """`a.csv, b.csv and 2 more`."""
    head = ", ".join(changed[:shown])
    return head if len(changed) <= shown else f"{head} and {len(changed) - shown} more"

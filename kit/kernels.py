"""Warm kernels: a small pool of Jupyter kernels, each started once per run with the kit imported,
that papermill executes the phase notebooks in, one after another.

papermill's engine registry takes an engine of our own (`WarmKernelEngine`, registered as
"kit-warm"): papermill parameterizes, executes and saves the notebook as always, only against a
kernel that is already running (nbclient keeps a kernel manager it was given, `owns_km` false,
and reuses a client already connected). Between two notebooks the kernel's namespace is reset
(`InteractiveShell.reset(new_session=True)`: variables, history and the execution counter, so a
notebook's cells are numbered from 1 as in a fresh kernel) and its working folder and the
variables the runner sets are put back; imported modules stay loaded, which is the point. A
notebook therefore sees what a fresh kernel would, minus the import time.

Each kernel belongs to one thread of the pool, which starts it, warms it (the notebooks' own
import lines, from the notebooks themselves) and then takes phases from a shared queue, so a
kernel's asyncio objects never cross threads. A stalled cell or a dead kernel is an infrastructure
failure: the kernel is replaced by a fresh one and the phase retried once (by the runner).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from kit.zygote import Zygote
from kit.zygote import available as zygote_available
from kit.zygote import provisioner as zygote_provisioner

ENGINE = "kit-warm"
START_TIMEOUT = 60  # seconds a kernel may take to start and answer
WARM_TIMEOUT = 300  # seconds the warm-up imports may take (a loaded machine)
SAVE_EVERY = 2.0  # seconds between papermill's saves of a notebook while it runs (it is saved at the end too)
# No IPython history database in a kit kernel: nothing reads it, and each cell would write to it.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]


REPORT_ENV = "KIT_REPORT"  # set to "1" in the kernels of `kit run` (kit.notebook reads it)
# Besides the notebooks' imports, a kernel warms with what the runner asks of it: the model's results
# (kit.model), and the export of each notebook it executed (kit.render.export_here), its templates compiled.
WARM_KIT = "import kit.model, kit.notebook, kit.render, kit.report\nkit.report.warm_exporter()"


def warm_code(paths: list[Path]) -> str:
    """What a run's kernels warm with: the notebooks' import lines, then `WARM_KIT`."""
    return "\n".join([*notebook_imports(paths), WARM_KIT])


def notebook_imports(paths: list[Path]) -> list[str]:
    """The distinct import lines of the notebooks' code cells, in order: what a kernel warms with."""
    lines: list[str] = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            for line in "".join(cell["source"]).splitlines():
                if line.startswith(("import ", "from ")) and line not in lines:
                    lines.append(line)
    return lines


async def wait_ready(kc: Any, timeout: float) -> None:
    """Wait until the kernel answers on its shell channel and publishes on its iopub channel.

    jupyter_client's `wait_for_ready` does the same, then reads iopub until it has been silent for
    0.2 s (a fixed 0.2 s per kernel started, on the run's critical path). Here the wait ends with
    the kernel's `idle` status for a `kernel_info` request: the iopub socket is connected, and a
    message still queued there belongs to no later request (every client of the kit reads only the
    replies to its own requests). A request whose status was lost (iopub not yet subscribed) is
    asked again, as jupyter_client does."""
    import time
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        reply = None
        with contextlib.suppress(Empty):
            while reply is None:  # a reply to an earlier attempt counts too
                msg = await kc.shell_channel.get_msg(timeout=1)
                reply = msg if msg["msg_type"] == "kernel_info_reply" else None
        if reply is not None:
            kc._handle_kernel_info_reply(reply)  # the protocol version, as wait_for_ready sets it
            with contextlib.suppress(Empty):
                while True:
                    msg = await kc.iopub_channel.get_msg(timeout=0.2)
                    if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                            and msg["parent_header"].get("msg_type") == "kernel_info_request"):  # fmt: skip
                        return
        if not await kc.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        del msg_id


class WarmKernel:
    """One kernel (started in `cwd` with `env`, stderr to `log`) and the client connected to it."""

    def __init__(
        self, name: str, cwd: Path, env: dict[str, str], runtime_dir: Path, log: Path, zygote: Zygote | None = None
    ) -> None:
        import uuid

        from jupyter_client.manager import AsyncKernelManager

        self.name, self.cwd, self.env, self.log = name, cwd, env, log
        self.km = AsyncKernelManager(kernel_name="python3", connection_file=str(runtime_dir / f"{name}.json"))
        if zygote is not None:  # forked from the run's warm zygote (`kit.zygote`), else launched afresh
            self.km.kernel_id = str(uuid.uuid4())
            self.km.provisioner = zygote_provisioner(zygote, self.km)
        self.kc: Any = None
        self.pid: int | None = None

    def start(self, warm_code: str) -> None:
        from jupyter_core.utils import run_sync

        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as stderr:
            run_sync(self.km.start_kernel)(
                cwd=str(self.cwd), env=self.env, stderr=stderr, extra_arguments=KERNEL_ARGUMENTS
            )
        self.pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(wait_ready)(self.kc, START_TIMEOUT)
        self.execute(warm_code, WARM_TIMEOUT)

    def execute(self, code: str, timeout: float) -> None:
        """Run `code` in the kernel, outputs discarded; raises RuntimeError if it raised there."""
        self.call(code, timeout)

    def call(self, code: str, timeout: float) -> list[str]:
        """Run `code` in the kernel and return what it printed (stdout), line by line; raises
        RuntimeError if it raised there."""
        from jupyter_core.utils import run_sync

        printed: list[str] = []

        def keep(msg: dict) -> None:
            if msg["header"]["msg_type"] == "stream" and msg["content"].get("name") == "stdout":
                printed.append(msg["content"]["text"])

        reply = run_sync(self.kc.execute_interactive)(
            code, silent=False, store_history=False, timeout=timeout, output_hook=keep
        )
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RuntimeError(f"kernel {self.name}: {content.get('ename')}: {content.get('evalue')}")
        return "".join(printed).splitlines()

    def reset(self, variables: dict[str, str]) -> None:
        """Forget the previous notebook: namespace, history, execution count; working folder and
        `variables` (environment) set for the next one."""
        code = (
            "get_ipython().reset(new_session=True, aggressive=False)\n"
            "import gc as _gc, os as _os\n"
            f"_os.chdir({str(self.cwd)!r})\n"
            f"_os.environ.update({variables!r})\n"
            "_gc.collect()\n"
            "del _gc, _os\n"
        )
        self.execute(code, START_TIMEOUT)

    def shutdown(self, now: bool = False) -> None:
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            if self.kc is not None:
                self.kc.stop_channels()
        with contextlib.suppress(Exception):
            run_sync(self.km.shutdown_kernel)(now=now)  # also removes the connection file


_early: Zygote | None = None
_early_lock = threading.Lock()
_held = False  # `kit watch`: the zygote outlives each run (`hold_zygote`)


def start_early_zygote() -> None:
    """For `kit run`, first thing: start the zygote its kernels fork from (`kit.zygote`), warmed
    with every notebook in the notebooks folder, before the run imports its own stack (about a
    second, which the zygote's warm-up overlaps). The run's pool takes it (`take_early_zygote`)
    when it warms with the imports its kernels need in the same folder; a run that renders
    nothing, or one that needs other imports, ends it (`drop_early_zygote`). While the zygote is
    held (`hold_zygote`), a zygote that ended is started again."""
    global _early
    from kit.paths import NOTEBOOKS_DIR

    if not zygote_available():
        return
    with _early_lock:
        if _early is not None and not (_held and not _early.usable()):
            return
        if _early is not None:  # held, but it ended (or its warm-up failed): a fresh one
            _end(_early)
        log_dir = Path(tempfile.mkdtemp(prefix="kit-zygote-"))
        code = warm_code(sorted(NOTEBOOKS_DIR.glob("*.ipynb")))
        _early = Zygote(NOTEBOOKS_DIR, {**os.environ, REPORT_ENV: "1"}, code, log_dir / "zygote.log", WARM_TIMEOUT)
        _early.owned_dir = log_dir
        _early.shared = _held
        _early.start()


def take_early_zygote(cwd: Path, code: str) -> Zygote | None:
    """The early zygote, when it warmed in `cwd` with every line of `code` (the kernels run `code`
    themselves after their fork, finding it imported); else it is ended. A held zygote stays
    held: the pool uses it and leaves it running."""
    global _early
    if _held:
        start_early_zygote()  # again, if the held one ended
    with _early_lock:
        zygote = _early
        if not _held:
            _early = None
    if zygote is None:
        return None
    if zygote.cwd == cwd and set(code.splitlines()) <= set(zygote.warm_code.splitlines()):
        return zygote
    if not _held:
        _end(zygote)
    return None


def drop_early_zygote() -> None:
    """End the early zygote if no pool took it (a held one stays)."""
    global _early
    with _early_lock:
        if _held:
            return
        zygote, _early = _early, None
    if zygote is not None:
        _end(zygote)


@contextlib.contextmanager
def hold_zygote():
    """`kit watch`: one zygote for every run inside the block (started now, again if it ends),
    warm between runs, so a re-run forks its kernels at once instead of importing the stack
    again; ended when the block exits."""
    global _held
    with _early_lock:
        _held = True
    try:
        start_early_zygote()
        yield
    finally:
        with _early_lock:
            _held = False
        drop_early_zygote()


def _end(zygote: Zygote) -> None:
    import shutil

    zygote.close(kill=True)
    if zygote.owned_dir is not None:
        shutil.rmtree(zygote.owned_dir, ignore_errors=True)


@functools.cache
def register_engine() -> str:
    """Register the `kit-warm` engine in papermill's engine registry (once; papermill is imported only
    by a run that executes a notebook) and return its name."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class WarmKernelEngine(NBClientEngine):
        """papermill's nbclient engine, run against a `WarmKernel` (`kernel=`) that it does not shut
        down. papermill saves the notebook as each cell starts and ends; here at most every
        `SAVE_EVERY` seconds while it runs, and always when it is done (or failed)."""

        @classmethod
        def execute_managed_notebook(
            cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None, start_timeout=60,
            execution_timeout=None, kernel: WarmKernel | None = None, **kwargs,
        ):  # fmt: skip
            if kernel is None:
                raise ValueError("the kit-warm engine needs kernel=<WarmKernel>")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            )  # fmt: skip
            client = PapermillNotebookClient(nb_man, km=kernel.km, **final)
            client.kc = kernel.kc  # connected already; nbclient keeps a client it did not create
            save = nb_man.save

            def save_now_and_then(**kw):
                if (nb_man.now() - nb_man.last_save_time).total_seconds() >= SAVE_EVERY:
                    save(**kw)

            nb_man.save = save_now_and_then
            try:
                return client.execute()
            finally:
                del nb_man.save  # papermill's own again: notebook_complete saves the notebook as it ends

    papermill_engines.register(ENGINE, WarmKernelEngine)
    return ENGINE


Job = Callable[[WarmKernel], Any]


class KernelPool:
    """`size` threads, each owning one warm kernel; `submit(job)` runs `job(kernel)` on the first
    free one and returns a Future. `replace(kernel)` (from inside a job) swaps in a fresh kernel.
    With `fork` (where the platform can), the kernels are forked from one zygote that ran
    `warm_code` once (`kit.zygote`); each kernel still runs it, finding its imports done."""

    def __init__(
        self, size: int, cwd: Path, env: dict[str, str], runtime_dir: Path, logs: Path, warm_code: str,
        fork: bool = True,
    ):  # fmt: skip
        self._jobs: queue.Queue = queue.Queue()
        self._cwd, self._env, self._runtime, self._logs, self._warm = cwd, env, runtime_dir, logs, warm_code
        self.zygote = None
        if fork and zygote_available():  # the one `kit run` started first thing, else one of its own
            self.zygote = take_early_zygote(cwd, warm_code) or Zygote(cwd, env, warm_code, logs / "zygote.log",
                                                                      WARM_TIMEOUT)  # fmt: skip
        if self.zygote is not None:
            self.zygote.start()  # it warms while papermill is imported here
        register_engine()
        self._lock = threading.Lock()
        self.kernels: list[WarmKernel] = []
        self._count = 0
        self.submitted = 0  # jobs taken so far
        self._threads: list[threading.Thread] = []
        self.grow(size)

    def grow(self, size: int) -> None:
        """Start threads (each with its kernel) until the pool has `size` (never fewer than now)."""
        while len(self._threads) < size:
            thread = threading.Thread(target=self._serve, name=f"kit-kernel-{len(self._threads)}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _new_kernel(self) -> WarmKernel:
        with self._lock:
            self._count += 1
            name = f"kernel-{self._count}"
            kernel = WarmKernel(name, self._cwd, self._env, self._runtime, self._logs / f"{name}.log", self.zygote)
            self.kernels.append(kernel)
        kernel.start(self._warm)
        return kernel

    def replace(self, kernel: WarmKernel) -> WarmKernel:
        kernel.shutdown(now=True)
        return self._new_kernel()

    def _serve(self) -> None:
        kernel: WarmKernel | None = None
        start_error: BaseException | None = None
        try:
            kernel = self._new_kernel()
        except BaseException as exc:  # noqa: BLE001 - reported to every job this thread takes
            start_error = exc
        while True:
            item = self._jobs.get()
            if item is None:
                break
            job, future = item
            if not future.set_running_or_notify_cancel():
                continue
            if start_error is not None:
                future.set_exception(start_error)
                continue
            try:
                result, kernel = job(kernel)
                future.set_result(result)
            except BaseException as exc:  # noqa: BLE001 - the runner reports it as the phase's failure
                future.set_exception(exc)
        if kernel is not None:  # the run is done with it: stopped at once (a graceful shutdown takes ~1 s)
            kernel.shutdown(now=True)

    def submit(self, job: Callable[[WarmKernel], tuple[Any, WarmKernel]]) -> Future:
        """`job(kernel) -> (result, kernel now in use)` (the kernel changes when a job replaced it)."""
        future: Future = Future()
        self.submitted += 1
        self._jobs.put((job, future))
        return future

    def pids(self) -> list[int]:
        return [k.pid for k in self.kernels if k.pid]

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs and shut every kernel down (after the jobs under way with `wait`); the
        zygote ends once no kernel can be started any more (every thread done), else with the run."""
        for _ in self._threads:
            self._jobs.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
            if self.zygote is not None and not self.zygote.shared:
                self.zygote.close()

    def kill(self) -> None:
        """Stop every kernel at once (SIGKILL): a job running in one then fails and its thread ends.
        A zygote shared with later runs (`hold_zygote`) is left running."""
        import signal

        if self.zygote is not None and not self.zygote.shared:
            self.zygote.close(kill=True)
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

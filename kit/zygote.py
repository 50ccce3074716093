"""Kernels forked from one warm process: the run's zygote.

Each warm kernel used to be a fresh interpreter that imported the whole stack (pandas, Altair,
nbconvert, the kit) and compiled the report templates: about 3.5 s of CPU per kernel, paid again
by every kernel of a run. The zygote pays it once: `python -m kit.zygote`, started with the
kernels' working folder and environment, runs the kernels' warm-up code (the notebooks' import
lines and the runner's, `kit.kernels.WARM_KIT`) and then, for each kernel the run starts, forks a
child that becomes that kernel: a session of its own, stdin from /dev/null, stderr to the kernel's
log, the working folder and environment asked for, then `ipykernel_launcher` run as `python -m`
runs it. The child starts with the imports done and shares the zygote's memory until it writes
to it (copy on write); otherwise it is the kernel a plain launch gives (same command line, same
`sys.path`, the connection file jupyter_client wrote).

jupyter_client keeps managing the kernel (`ZygoteProvisioner`, its local provisioner with only the
launch changed: the kernel's process is a child of the zygote, polled and signalled by pid). The
zygote lives as long as the run's pool: it ends when the runner closes its request pipe, or when
the runner dies (the pipe closes then too); kernels started with `JPY_PARENT_PID` end when their
parent does, as they would after a plain launch. When the zygote cannot serve (no fork on this
platform, its warm-up raised, another interpreter in the kernel spec), each kernel is launched
the plain way, and the warm-up's error shows where it always did: in the kernel.

Protocol (one JSON object per line): the runner writes the warm-up code first, then one request
per kernel (`args`, `cwd`, `env`, `stderr`); the zygote answers the warm-up with `{"ready": true}`
or `{"error": ...}`, each request with `{"pid": n}`.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

LAUNCHER = "ipykernel_launcher"
# imported by the zygote before the warm-up: what every kernel imports to start
PRELOAD = "import ipykernel.kernelapp, ipykernel.ipkernel, ipykernel.zmqshell, ipykernel.debugger, zmq, tornado.ioloop\n"


class ZygoteUnavailable(Exception):
    """The zygote cannot fork this kernel: it is launched the plain way."""


class ZygoteClosed(RuntimeError):
    """The pool is stopping: no kernel is started, forked or not."""


def available() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


class Zygote:
    """The runner's side: starts the zygote process on first `fork()` (or `start()`), sends it the
    warm-up, and asks it for kernels, one thread at a time. `close()` ends it."""

    def __init__(self, cwd: Path, env: dict[str, str], warm_code: str, log: Path, timeout: float) -> None:
        self.cwd, self.env, self.warm_code, self.log, self.timeout = cwd, env, warm_code, log, timeout
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._reply: Any = None
        self._ready: bool | None = None  # None: warm-up not answered yet
        self.error: str | None = None
        self.closed = False
        self.owned_dir: Path | None = None  # a folder of its own (its log's), removed when it is done with
        self.shared = False  # serves run after run (`kit.kernels.hold_zygote`): a pool leaves it running

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._proc is not None or self.closed:
            return
        read, write = os.pipe()
        try:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log, "ab") as stderr:
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", "kit.zygote", str(write)], stdin=subprocess.PIPE, stderr=stderr,
                    cwd=self.cwd, env=self.env, pass_fds=(write,), start_new_session=True,
                )  # fmt: skip
        except OSError as exc:
            os.close(read)
            self.error = f"the zygote could not start ({exc})"
            self._ready = False
            return
        finally:
            os.close(write)
        self._reply = os.fdopen(read, "r", encoding="utf-8")
        self._send({"warm": self.warm_code})

    def _send(self, message: dict) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
        self._proc.stdin.flush()

    def _answer(self) -> dict:
        ready, _, _ = select.select([self._reply], [], [], self.timeout)
        line = self._reply.readline() if ready else ""
        if not line:
            raise ZygoteUnavailable("the zygote did not answer" if not ready else "the zygote ended")
        return json.loads(line)

    def usable(self) -> bool:
        """Whether it can still fork kernels: not closed, its process running, its warm-up not failed."""
        return not self.closed and self._ready is not False and (self._proc is None or self._proc.poll() is None)

    def fork(self, args: list[str], cwd: str, env: dict[str, str], stderr: str) -> int:
        """The pid of a new kernel process running `python -m ipykernel_launcher *args`."""
        with self._lock:
            self._start()
            try:
                if self.closed:
                    raise ZygoteClosed("the run is stopping: no kernel is started")
                if self._ready is None:
                    answer = self._answer()
                    self._ready = bool(answer.get("ready"))
                    self.error = answer.get("error")
                if not self._ready:
                    raise ZygoteUnavailable(self.error or "the zygote is not ready")
                self._send({"args": args, "cwd": cwd, "env": env, "stderr": stderr})
                return int(self._answer()["pid"])
            except (OSError, ValueError, KeyError, ZygoteUnavailable) as exc:
                if self.closed:
                    raise ZygoteClosed("the run is stopping: no kernel is started") from None
                self._ready = False
                self.error = str(exc) if isinstance(exc, ZygoteUnavailable) else f"{type(exc).__name__}: {exc}"
                raise ZygoteUnavailable(self.error) from None

    def close(self, kill: bool = False) -> None:
        """End the zygote: its request pipe closed (or, with `kill`, at once); a kernel being
        forked meanwhile is not started. The kernels it forked are the pool's to stop."""
        self.closed = True
        proc = self._proc
        if proc is None:
            return
        if kill:
            with contextlib.suppress(OSError):
                proc.kill()
        with contextlib.suppress(OSError, ValueError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(OSError, ValueError):
            self._reply.close()


class ForkedProcess:
    """What jupyter_client's local provisioner asks of a `subprocess.Popen`, for a kernel that is
    the zygote's child (the zygote reaps it; its exit status is not known here)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its pid reused by another user's process)
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    async def gone(self, timeout: float) -> bool:
        """Whether it ended (and was reaped) within `timeout` seconds, looking every 5 ms."""
        import asyncio
        import time

        end = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < end:
            await asyncio.sleep(0.005)
        return self.poll() is not None

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def provisioner(zygote: Zygote, km: Any) -> Any:
    """A provisioner for `km` (an AsyncKernelManager) that launches its kernel from `zygote`."""
    from jupyter_client.provisioning import LocalProvisioner

    class ZygoteProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            args = _launcher_args(cmd)
            if args is None:
                return await super().launch_kernel(cmd, **kwargs)
            env = {**(kwargs.get("env") or os.environ), "JPY_PARENT_PID": str(os.getpid())}
            stderr = kwargs.get("stderr")
            log = getattr(stderr, "name", None)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            if not isinstance(log, str) or cwd != str(zygote.cwd):
                return await super().launch_kernel(cmd, **kwargs)
            try:
                pid = zygote.fork(args, cwd, env, log)
            except ZygoteUnavailable:
                return await super().launch_kernel(cmd, **kwargs)
            self.process = ForkedProcess(pid)
            self.pid, self.pgid, self.cwd = pid, pid, cwd  # a session (and process group) of its own
            return self.connection_info

        async def kill(self, restart: bool = False) -> None:
            """SIGKILL, then back once the zygote has reaped it (a few ms): the kernel manager then
            finds it gone at its first look instead of sleeping its 0.1 s poll interval."""
            await super().kill(restart=restart)
            if isinstance(self.process, ForkedProcess):
                await self.process.gone(timeout=1.0)

    return ZygoteProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)


def _launcher_args(cmd: list[str]) -> list[str] | None:
    """The arguments after `-m ipykernel_launcher` when `cmd` runs this interpreter's launcher
    (the kernel spec the kit uses), else None: another interpreter is launched the plain way."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", LAUNCHER]:
        return None
    try:
        same = Path(cmd[0]).resolve() == Path(sys.executable).resolve() or cmd[0] == sys.executable
    except OSError:
        return None
    return list(cmd[3:]) if same else None


# ---------------------------------------------------------------- the zygote process


def _become_kernel(request: dict, close: list[int]) -> None:
    """In the forked child: become the kernel the request describes, then end."""
    code = 1
    try:
        os.setsid()
        for fd in close:
            with contextlib.suppress(OSError):
                os.close(fd)
        for target, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_APPEND),
        ):
            fd = os.open(path, flags, 0o644)
            if fd != target:
                os.dup2(fd, target)
                os.close(fd)
        for signum in (signal.SIGINT, signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import runpy

        args = list(request["args"])
        if os.environ.get("JPY_PARENT_PID"):  # read when ipykernel was imported (in the zygote): given again
            args.append(f"--IPKernelApp.parent_handle={int(os.environ['JPY_PARENT_PID'])}")
        sys.argv = [LAUNCHER, *args]
        runpy.run_module(LAUNCHER, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - the kernel's log says why it ended
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _reap(_signum: int, _frame: object) -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def main(argv: list[str]) -> None:
    reply = os.fdopen(int(argv[0]), "w", encoding="utf-8", buffering=1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner ends the zygote (its pipe closes)

    def answer(message: dict) -> None:
        reply.write(json.dumps(message) + "\n")
        reply.flush()

    first = sys.stdin.readline()
    if not first:
        return
    try:
        exec(compile(PRELOAD + json.loads(first)["warm"], "<kit warm-up>", "exec"), {"__name__": "__kit_warm__"})  # noqa: S102
    except BaseException as exc:  # noqa: BLE001 - each kernel then starts the plain way and shows it
        import traceback

        traceback.print_exc()
        answer({"error": f"{type(exc).__name__}: {exc}"})
        return
    import gc

    gc.collect()
    gc.freeze()  # the warm stack moved out of every later collection: a kernel's gc neither walks it nor
    # writes to it (which would copy the pages it shares with the zygote); its own objects are collected
    answer({"ready": True})
    signal.signal(signal.SIGCHLD, _reap)  # the kernels are reaped as they end (their CPU time counted)
    close = [reply.fileno()]  # stdin (the request pipe) is replaced by /dev/null
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, close)
        answer({"pid": pid})


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.stderr.flush()
    os._exit(0)  # no teardown of the warm stack, object by object: the run waits for this exit

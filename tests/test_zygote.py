"""Kernels forked from the run's zygote (kit.zygote): the warm-up's imports are done once, in the
zygote, and each forked kernel is otherwise the kernel a plain launch gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kit import zygote
from kit.kernels import KernelPool

pytestmark = pytest.mark.skipif(not zygote.available(), reason="no fork on this platform")

PROBE = textwrap.dedent(
    """
    import json as _j, os as _o, sys as _s
    import kit_zygote_marker as _m
    from ipykernel.kernelapp import IPKernelApp as _A
    print('to the log', file=_s.__stderr__, flush=True)
    print(_j.dumps({"pid": _o.getpid(), "ppid": _o.getppid(), "sid": _o.getsid(0), "marker": _m.PID,
                    "cwd": _o.getcwd(), "path": _s.path, "note": _o.environ.get("KIT_NOTE"),
                    "parent_handle": _A.instance().parent_handle}))
    """
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ")[-1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
    except OSError:
        return True


def _gone(*pids: int, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def _env(tmp_path: Path) -> dict[str, str]:
    pkgs = tmp_path / "pkgs"
    pkgs.mkdir(exist_ok=True)
    (pkgs / "kit_zygote_marker.py").write_text("import os\nPID = os.getpid()  # the process that imported it\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(pkgs), os.environ.get("PYTHONPATH", "")]),
            "KIT_NOTE": "given"}  # fmt: skip


def _probe(pool: KernelPool, count: int) -> list[dict]:
    def job(kernel):
        time.sleep(0.5)  # both kernels take a job: each thread holds one until the other is taken
        return json.loads(kernel.call(PROBE, 60)[-1]), kernel

    futures = [pool.submit(job) for _ in range(count)]
    return [f.result(timeout=300) for f in futures]


def test_kernels_forked_from_the_zygote_find_its_imports_done_and_are_otherwise_plain_kernels(tmp_path):
    env = _env(tmp_path)
    forked = KernelPool(2, tmp_path, env, tmp_path, tmp_path / "logs", "import kit_zygote_marker", fork=True)
    runtime = tmp_path / "plain-runtime"  # connection files of its own (kernel-1.json is the other pool's)
    runtime.mkdir()
    plain = KernelPool(1, tmp_path, env, runtime, tmp_path / "plain-logs", "import kit_zygote_marker", fork=False)
    try:
        seen = _probe(forked, 2)
        (alone,) = _probe(plain, 1)
        zygote_pid = forked.zygote.pid
    finally:
        forked.shutdown()
        plain.shutdown()
    assert plain.zygote is None and alone["marker"] == alone["pid"]  # a plain kernel imports for itself
    assert len({s["pid"] for s in seen}) == 2 and zygote_pid not in {s["pid"] for s in seen}
    for s in seen:
        assert s["marker"] == zygote_pid == s["ppid"]  # imported once, in the zygote, before the fork
        assert s["sid"] == s["pid"]  # a session of its own, as jupyter_client starts a kernel
        assert s["parent_handle"] == os.getpid()  # it polls for its parent like a plain kernel
        assert (s["cwd"], s["note"], s["path"]) == (alone["cwd"], alone["note"], alone["path"]) == (
            str(tmp_path), "given", alone["path"])  # fmt: skip
    logs = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert logs == ["kernel-1.log", "kernel-2.log", "zygote.log"]
    for log in ("kernel-1.log", "kernel-2.log"):
        assert "to the log" in (tmp_path / "logs" / log).read_text()  # each kernel's stderr, its own log
    assert _gone(zygote_pid, *(s["pid"] for s in seen))  # the pool shut down: nothing left running


def test_a_zygote_whose_warm_up_fails_leaves_each_kernel_to_start_the_plain_way_and_say_why(tmp_path):
    pool = KernelPool(1, tmp_path, dict(os.environ), tmp_path, tmp_path / "logs", "import kit_no_such_module")
    try:
        future = pool.submit(lambda kernel: (kernel.pid, kernel))
        with pytest.raises(RuntimeError, match="ModuleNotFoundError: No module named 'kit_no_such_module'"):
            future.result(timeout=300)  # the warm-up's error, raised where a plain kernel raises it
    finally:
        pool.shutdown()
    assert "kit_no_such_module" in (pool.zygote.error or "")
    assert "Traceback" in (tmp_path / "logs" / "zygote.log").read_text()
    assert pool.kernels[0].km.provisioner.process.__class__.__name__ == "Popen"  # launched, not forked


@pytest.mark.parametrize("fork", [True, False])
def test_killing_the_pool_stops_its_kernel_and_the_zygote_at_once(tmp_path, fork):
    pool = KernelPool(1, tmp_path, dict(os.environ), tmp_path, tmp_path / "logs", "import json", fork=fork)
    started = pool.submit(lambda kernel: (kernel.pid, kernel)).result(timeout=300)
    future = pool.submit(lambda kernel: (kernel.execute("import time; time.sleep(120)", 6), kernel))
    time.sleep(1.0)
    pool.kill()
    assert _gone(started, *([pool.zygote.pid] if fork else []), within=5.0)  # at once, not after the cell
    with pytest.raises(Exception):  # noqa: B017 - the cell's kernel is gone; the job fails (by its timeout here)
        future.result(timeout=60)
    pool.shutdown(wait=False)


def test_a_forked_kernel_killed_by_its_provisioner_has_ended_and_been_reaped_when_the_call_returns(tmp_path):
    """The provisioner's kill waits (every 5 ms) for the zygote to reap the kernel, so the kernel
    manager's own wait (which sleeps 0.1 s between looks) finds it gone at its first look."""
    from jupyter_core.utils import run_sync

    pool = KernelPool(1, tmp_path, dict(os.environ), tmp_path, tmp_path / "logs", "import json", fork=True)
    try:
        kernel = pool.submit(lambda k: (k, k)).result(timeout=300)
        pid, provisioner = kernel.pid, kernel.km.provisioner
        assert pid is not None and _alive(pid) and isinstance(provisioner.process, zygote.ForkedProcess)
        run_sync(provisioner.kill)()
        assert not os.path.exists(f"/proc/{pid}")  # ended and reaped by the zygote, not even a zombie
        assert provisioner.process.poll() is not None
        kernel.shutdown(now=True)  # the manager's cleanup: connection file removed
        assert not (tmp_path / f"{kernel.name}.json").exists()
    finally:
        pool.kill()
        pool.shutdown(wait=False)


def test_when_the_runner_dies_its_zygote_and_kernels_end_too(tmp_path):
    script = tmp_path / "runner.py"
    script.write_text(textwrap.dedent(f"""
        import os, json, signal
        from pathlib import Path
        from kit.kernels import KernelPool
        tmp = Path({str(tmp_path)!r})
        pool = KernelPool(1, tmp, dict(os.environ), tmp, tmp / "logs", "import json")
        pid = pool.submit(lambda kernel: (kernel.pid, kernel)).result(timeout=300)
        print(json.dumps([pool.zygote.pid, pid]), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no shutdown, no exit handlers
    """))  # fmt: skip
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr
    zygote_pid, kernel_pid = json.loads(done.stdout.splitlines()[-1])
    assert _gone(zygote_pid, kernel_pid, within=15.0)  # its pipe closed: the zygote ends; its kernel follows


def test_the_early_zygote_is_taken_by_a_pool_that_warms_the_same_way_and_ended_otherwise(tmp_path, monkeypatch):
    """`kit run` starts the zygote first thing (`start_early_zygote`); the run's pool takes it when
    its kernels warm with the same code in the same folder; another warm-up, or a run that renders
    nothing (`drop_early_zygote`, also on the run's exit: `kit.runner.Kernels.close`), ends it."""
    import kit.paths
    from kit import kernels
    from kit.runner import Kernels

    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_a.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["import json\n"]}]}))
    monkeypatch.setattr(kit.paths, "NOTEBOOKS_DIR", folder)
    code = kernels.warm_code(sorted(folder.glob("*.ipynb")))

    kernels.start_early_zygote()
    early = kernels._early
    assert early is not None and early.pid and early.warm_code == code and early.cwd == folder
    assert kernels.take_early_zygote(folder, code) is early and kernels._early is None
    early.close()

    kernels.start_early_zygote()
    other = kernels._early
    assert kernels.take_early_zygote(tmp_path, code) is None  # another folder: ended, not taken
    assert _gone(other.pid) and not other.owned_dir.exists()

    kernels.start_early_zygote()
    unused = kernels._early
    Kernels().close()  # a run that started no pool
    assert kernels._early is None and _gone(unused.pid) and not unused.owned_dir.exists()


def test_a_held_zygote_serves_every_pool_that_needs_no_more_than_it_warmed_and_is_started_again_if_it_ends(
    tmp_path, monkeypatch
):
    """`kit watch` (`hold_zygote`): pools take the zygote and leave it running; one whose imports it
    lacks starts its own; a zygote that died is replaced; the block's exit ends it."""
    import kit.paths
    from kit import kernels

    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_a.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["import json\nimport wave\n"]}]}))
    monkeypatch.setattr(kit.paths, "NOTEBOOKS_DIR", folder)
    code = kernels.warm_code(sorted(folder.glob("*.ipynb")))
    narrower = "import json\n" + kernels.WARM_KIT  # the imports of one notebook the run renders
    with kernels.hold_zygote():
        held = kernels._early
        assert held is not None and held.shared
        pool = kernels.KernelPool(1, folder, dict(os.environ), tmp_path, tmp_path / "logs", narrower)
        assert pool.zygote is held
        first = pool.submit(lambda kernel: (kernel.pid, kernel)).result(timeout=300)
        pool.shutdown()
        assert held.usable() and not _gone(held.pid, within=0.5)  # left running for the next run
        assert _gone(first)
        assert kernels.take_early_zygote(folder, code + "\nimport csv") is None  # an import it lacks
        assert kernels._early is held

        os.kill(held.pid, signal.SIGKILL)
        assert _gone(held.pid)
        again = kernels.take_early_zygote(folder, code)
        assert again is not None and again is not held and again.usable() and not held.owned_dir.exists()
    assert kernels._early is None and _gone(again.pid) and not again.owned_dir.exists()

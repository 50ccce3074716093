"""Warm kernels (kit.kernels): papermill executes one notebook after another in the same kernel,
and each notebook still sees what a fresh kernel would (namespace, execution count, working folder)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import papermill

from kit.kernels import ENGINE, KernelPool, notebook_imports
from kit.phases import PHASES


def notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "")) or o.get("data", {}).get("text/plain", "") for c in nb.cells for o in c.outputs]


def test_notebooks_in_one_warm_kernel_each_start_from_a_fresh_namespace(tmp_path):
    notebook(tmp_path / "first.ipynb", "import os\nleft_behind = 1\nos.chdir('/')\nprint(os.getpid())",
             "import sys\nprint('wave' in sys.modules)")  # fmt: skip
    notebook(tmp_path / "second.ipynb", "import os\nprint(os.getpid())",
             "print('left_behind' in dir(), os.getcwd(), os.environ['KIT_NOTE'])")  # fmt: skip
    pool = KernelPool(1, tmp_path, dict(os.environ), tmp_path, tmp_path / "logs", "import wave")

    def job(name, note):
        def run(kernel):
            kernel.reset({"KIT_NOTE": note})
            papermill.execute_notebook(str(tmp_path / f"{name}.ipynb"), str(tmp_path / f"{name}.out.ipynb"),
                                       engine_name=ENGINE, kernel=kernel, progress_bar=False)  # fmt: skip
            return nbformat.read(tmp_path / f"{name}.out.ipynb", as_version=4), kernel

        return run

    try:
        one = pool.submit(job("first", "a")).result(timeout=300)
        two = pool.submit(job("second", "b")).result(timeout=300)
    finally:
        pool.shutdown()
    pid_one, warmed = outputs(tmp_path / "first.out.ipynb")
    pid_two, seen = outputs(tmp_path / "second.out.ipynb")
    assert pid_one == pid_two  # the same kernel process ran both
    assert warmed.strip() == "True"  # the modules the pool warmed the kernel with are loaded already
    assert seen.split() == ["False", str(tmp_path), "b"]  # nothing of the first, its folder and variables set
    assert [c.execution_count for c in two.cells] == [1, 2] == [c.execution_count for c in one.cells]
    assert pool.kernels[0].pid and not _alive(pool.kernels[0].pid)  # shut down with the pool


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").is_file() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def test_kernels_warm_with_the_notebooks_own_import_lines():
    lines = notebook_imports([p.path for p in PHASES])
    assert "from kit import notebook as nb" in lines and len(lines) == len(set(lines))
    assert all(line.startswith(("import ", "from ")) for line in lines)


def test_importing_the_kit_skips_the_iri_grammars_and_vega_lite_still_validates():
    code = (
        "import sys, kit.notebook, altair as alt\n"
        "alt.Chart(alt.Data(values=[{'a': 1}])).mark_bar().encode(x='a:Q').to_dict()\n"
        "print(sys.modules.get('rfc3987_syntax'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"


def test_the_warm_up_imports_no_statsmodels_or_scipy_stats_until_a_fit_needs_them():
    from kit.kernels import WARM_KIT

    warm = "\n".join([*notebook_imports([p.path for p in PHASES]), WARM_KIT])
    code = (
        f"{warm}\nimport sys\nprint(sorted(m for m in ('statsmodels.api', 'scipy.stats') if m in sys.modules))\n"
        "from kit import estimates\n"
        "fit = estimates.sm.OLS([1.0, 2.0, 3.5], estimates.sm.add_constant([0.0, 1.0, 2.0])).fit()\n"
        "print(round(float(fit.params[1]), 6), 'statsmodels.api' in sys.modules, estimates.stats.norm.ppf(0.5))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=PHASES[0].path.parent)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "1.25 True 0.0"]


def test_a_pool_job_that_fails_reports_its_error_and_the_pool_goes_on(tmp_path):
    pool = KernelPool(1, tmp_path, dict(os.environ), tmp_path, tmp_path / "logs", "pass")
    seen = threading.Event()

    def broken(kernel):
        raise ValueError("planted")

    def fine(kernel):
        seen.set()
        return kernel.name, kernel

    try:
        failed = pool.submit(broken)
        assert isinstance(failed.exception(timeout=300), ValueError)
        assert pool.submit(fine).result(timeout=300) == "kernel-1" and seen.is_set()
    finally:
        pool.shutdown()


def test_a_kernel_exports_the_notebook_it_ran_as_this_process_would_and_reports_a_failure_in_one_line(tmp_path):
    """kit.render.export_here, run in a warm kernel (as render_phase runs it): the report equals the
    one exported here; a failed export prints the one-line reason a run reports, nothing raised."""
    import json

    import nbformat

    from kit.kernels import WARM_KIT
    from kit.report import export_notebook_html

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Findings"), nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<p>48 hours a year</p>", "text/plain": "48"})])]  # fmt: skip
    nbformat.write(nb, tmp_path / "n.ipynb")
    pool = KernelPool(1, tmp_path, dict(os.environ), tmp_path, tmp_path / "logs", WARM_KIT)

    def export(html: Path) -> list[str]:
        job = {"ipynb": str(tmp_path / "n.ipynb"), "html": str(html), "title": "Findings", "client": "Acme", "date": "2027-01-11"}
        code = f"from kit.render import export_here as _export\n_export({job!r})"
        return pool.submit(lambda kernel: (kernel.call(code, 300), kernel)).result(timeout=300)

    try:
        assert json.loads(export(tmp_path / "k.html")[-1]) == {}
        failed = json.loads(export(tmp_path / "n.ipynb" / "k.html")[-1])  # its folder is a file
    finally:
        pool.shutdown()
    here = export_notebook_html(tmp_path / "n.ipynb", tmp_path / "h.html", title="Findings", client="Acme", date="2027-01-11")
    assert (tmp_path / "k.html").read_text(encoding="utf-8") == here.read_text(encoding="utf-8")
    assert failed["error"].startswith(f"cannot write {tmp_path / 'n.ipynb'}") and "Not a directory" in failed["error"]
    assert "NotADirectoryError" in failed["traceback"]


class _Channel:
    """A client channel that hands out scripted messages (`Empty` for a timeout)."""

    def __init__(self, script):
        self.script = list(script)

    async def get_msg(self, timeout=None):
        from queue import Empty

        item = self.script.pop(0) if self.script else None
        if item is None:
            raise Empty
        return item


class _Client:
    def __init__(self, shell, iopub, alive=True):
        self.shell_channel, self.iopub_channel, self.alive = _Channel(shell), _Channel(iopub), alive
        self.requests, self.handled = 0, []

    def kernel_info(self):
        self.requests += 1
        return f"info-{self.requests}"

    def _handle_kernel_info_reply(self, msg):
        self.handled.append(msg)

    async def is_alive(self):
        return self.alive


def _msg(kind, state=None, parent="kernel_info_request"):
    return {"msg_type": kind, "content": {"execution_state": state, "protocol_version": "5.3"},
            "parent_header": {"msg_type": parent}}  # fmt: skip


def test_a_kernel_is_ready_once_its_iopub_publishes_the_status_of_a_kernel_info_request():
    from jupyter_core.utils import run_sync

    from kit.kernels import wait_ready

    reply = _msg("kernel_info_reply")
    # first request: the reply comes, but the iopub subscription missed its status (asked again);
    # second: an earlier stream message, then busy and idle for the request
    kc = _Client(shell=[reply, reply], iopub=[None, _msg("stream", parent="execute_request"), _msg("status", "busy"),
                                              _msg("status", "idle"), _msg("status", "idle")])  # fmt: skip
    run_sync(wait_ready)(kc, 10)
    assert kc.requests == 2
    assert kc.handled == [reply, reply]  # the protocol version taken from the reply, as jupyter_client does
    assert kc.iopub_channel.script == [_msg("status", "idle")]  # nothing read past the idle status it waited for


def test_a_kernel_that_dies_before_answering_is_reported():
    import pytest
    from jupyter_core.utils import run_sync

    from kit.kernels import wait_ready

    with pytest.raises(RuntimeError, match="died before replying"):
        run_sync(wait_ready)(_Client(shell=[], iopub=[], alive=False), 10)

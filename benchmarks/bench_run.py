"""Time `kit run` on the sample client against the plain command-line loop a consultant would
otherwise write (`papermill` then `jupyter nbconvert --to html` for each notebook, one by one), and
a re-run after one intake table changed against a full run.

    .venv/bin/python benchmarks/bench_run.py [--engagement sample_data/halden] [--repeat 2] [--no-loop]
    .venv/bin/python benchmarks/bench_run.py --engagement /tmp/big --no-loop   # kit sample /tmp/big --scale 58

Each repeat works on a fresh copy of the engagement and a fresh reports folder, so the first
`kit run` is cold (no cache) and becomes the baseline; a `kit run --force` then recomputes and
re-renders everything, the progress phase included, which the re-run does too (the cold run has no
baseline to compare with, so it skips that phase: "--force / re-run" is the like-for-like ratio);
the re-run then changes one cell (`--change FILE:COLUMN`, recurring
work's minutes per run by default) and runs again on the same reports folder. Then `kit watch`
starts on the same folders (its first run reuses everything), the same cell is changed once more
and the time until its re-run's report is ready is measured, the change's detection included
(`--no-watch` skips it; its CPU is the watching process's only). Prints wall and CPU seconds (the process and
its kernels) and the peak memory of the run's whole process tree (sampled every 0.1 s), each
repeat, then the median ratios. The kernels are forked from one warm process (`kit.zygote`) and
share its memory until they write to it: the sum of RSS counts those pages once per process, the
sum of PSS (Linux) once in all; both are printed. Ratios measured in one invocation are what to compare: the
machine may be shared, and single timings on two cores vary by seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _pss(p) -> int:
    """A process's proportional set size: its pages shared with others (the kernels forked from
    the zygote share its imports) counted once across them, where RSS counts them in each."""
    try:
        return p.memory_full_info().pss
    except (AttributeError, OSError):  # not Linux, or no access: its RSS
        return p.memory_info().rss


def _sample_tree(pid: int, done: threading.Event, peak: list[float]) -> None:
    """Until `done`: every 0.1 s, the largest sum of RSS (`peak[0]`) and of PSS (`peak[1]`), in MB,
    of the process `pid` and its descendants."""
    import psutil

    while not done.is_set():
        try:
            parent = psutil.Process(pid)
            live = [p for p in [parent, *parent.children(recursive=True)] if p.is_running()]
            peak[0] = max(peak[0], sum(p.memory_info().rss for p in live) / 2**20)
            peak[1] = max(peak[1], sum(_pss(p) for p in live) / 2**20)
        except psutil.Error:
            pass
        done.wait(0.1)


def timed(cmds: list[list[str]], env: dict) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds of the children, peak MB of the process tree as the sum of its
    processes' RSS, and as the sum of their PSS) for running `cmds` in order."""
    before = os.times()
    peak = [0.0, 0.0]
    start = time.perf_counter()
    for cmd in cmds:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        done = threading.Event()
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, done, peak), daemon=True)
        sampler.start()
        code = proc.wait()
        done.set()
        sampler.join()
        if code:
            raise SystemExit(f"failed ({code}): {' '.join(cmd)}")
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, peak[0], peak[1]


def watched_rerun(client: Path, reports: Path, change: tuple[str, str], env: dict) -> tuple[float, float, float, float]:
    """`kit watch` on the engagement: once its first run is done and it watches, change one cell and
    time until the re-run's report is ready (what the consultant waits for, the change's detection
    included). (wall seconds, CPU seconds of the watching process over the re-run, peak MB as in
    `timed`)."""
    import psutil

    cmd = [str(BIN / "kit"), "watch", str(client), "--reports", str(reports)]
    proc = subprocess.Popen(cmd, env={**env, "PYTHONUNBUFFERED": "1"}, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    peak = [0.0, 0.0]
    done = threading.Event()

    def until(*marks: str) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(marks):
                return
            if "did not complete" in line:
                raise SystemExit(f"kit watch: a run failed: {line.strip()}")
        raise SystemExit(f"kit watch ended ({proc.wait()}) before printing {marks}")

    try:
        until("Watching")
        time.sleep(1.5)  # as a person would, some time after the report: the watcher is set up by then
        me = psutil.Process(proc.pid)
        cpu_before = sum(me.cpu_times()[:2])
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, done, peak), daemon=True)
        sampler.start()
        start = time.perf_counter()
        change_one_cell(client / change[0], change[1])
        until("Report ready", "Partial run ready")
        wall = time.perf_counter() - start
        cpu = sum(me.cpu_times()[:2]) - cpu_before  # the watching process only: its kernels end with each run
        done.set()
        sampler.join()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return wall, cpu, peak[0], peak[1]


WATCHED = "re-run under kit watch"
FORCED = "full run, baseline (--force)"  # like the re-run, it compares with the first run (progress)


def change_one_cell(path: Path, column: str) -> None:
    """Add 1 to `column` in the first data row (a value, not a row count or a warning)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, cells = lines[0].strip().split(","), lines[1].rstrip("\n").split(",")
    i = header.index(column)
    cells[i] = f"{float(cells[i]) + 1:g}"
    lines[1] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engagement", default=str(ROOT / "sample_data" / "halden"))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--change", default="recurring_work.csv:minutes_per_run", help="FILE:COLUMN changed before the re-run")
    parser.add_argument("--no-loop", action="store_true", help="skip the papermill + nbconvert loop")
    parser.add_argument("--no-watch", action="store_true", help="skip the re-run under `kit watch`")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from kit.phases import PHASES

    env = {**os.environ}
    out = Path(tempfile.mkdtemp(prefix="kit-bench-"))
    rows: dict[str, list[tuple[float, float, float, float]]] = {"kit run (cold)": [], FORCED: [], "re-run, one table changed": [],
                                                          WATCHED: [], "papermill + nbconvert loop": []}  # fmt: skip
    try:
        for n in range(args.repeat):
            client = out / f"client-{n}" / Path(args.engagement).name
            shutil.copytree(args.engagement, client, ignore=shutil.ignore_patterns(".kit"))
            reports = out / f"reports-{n}"
            kit_run = [[str(BIN / "kit"), "run", str(client), "--reports", str(reports)]]
            rows["kit run (cold)"].append(timed(kit_run, env))
            rows[FORCED].append(timed([[*kit_run[0], "--force"]], env))  # the same work as the re-run: progress too
            name, _, column = args.change.partition(":")
            change_one_cell(client / name, column)
            rows["re-run, one table changed"].append(timed(kit_run, env))
            if not args.no_watch:
                rows[WATCHED].append(watched_rerun(client, reports, (name, column), env))
            if args.no_loop:
                continue
            loop_dir = out / f"loop-{n}"
            loop_dir.mkdir()
            loop = []
            for phase in PHASES:
                executed = loop_dir / phase.notebook
                loop.append([str(BIN / "papermill"), str(phase.path), str(executed), "-p", "engagement", str(client),
                             "-p", "output_dir", str(loop_dir), "--no-progress-bar"])  # fmt: skip
                loop.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
            rows["papermill + nbconvert loop"].append(timed(loop, env))
    finally:
        shutil.rmtree(out, ignore_errors=True)

    print(f"engagement: {args.engagement}   phases: {len(PHASES)}   cores: {os.cpu_count()}   "
          f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    medians = {}
    for name, runs in rows.items():
        if not runs:
            continue
        medians[name] = statistics.median(r[0] for r in runs)
        shown = ", ".join(f"{w:.1f} s wall / {c:.1f} s CPU / {m:,.0f} MB RSS, {p:,.0f} MB PSS" for w, c, m, p in runs)
        print(f"{name:28}: median {medians[name]:6.1f} s   ({shown})")
    cold = medians["kit run (cold)"]
    if "papermill + nbconvert loop" in medians:
        pairs = [lp[0] / k[0] for k, lp in zip(rows["kit run (cold)"], rows["papermill + nbconvert loop"], strict=True)]
        print(f"ratio loop / kit run       : {statistics.median(pairs):6.2f}x  (per repeat: {', '.join(f'{p:.2f}' for p in pairs)})")
    for rerun, what in (("re-run, one table changed", "re-run"), (WATCHED, "watched")):
        for full in ("kit run (cold)", FORCED):
            if not rows[rerun]:
                continue
            pairs = [k[0] / r[0] for k, r in zip(rows[full], rows[rerun], strict=True)]
            label = "cold" if full == "kit run (cold)" else "--force"
            print(f"ratio {label:7} / {what:11}: {statistics.median(pairs):6.2f}x  "
                  f"(per repeat: {', '.join(f'{p:.2f}' for p in pairs)})")  # fmt: skip
    print(f"kit run (cold) median      : {cold:6.1f} s")


if __name__ == "__main__":
    main()

"""Time `kit run` on the sample client against the plain command-line loop a consultant would
otherwise write: `papermill` then `jupyter nbconvert --to html` for each notebook, one by one.

    .venv/bin/python benchmarks/bench_run.py [--engagement sample_data/halden] [--repeat 2]

Prints both wall times (best of --repeat) and their ratio. Output goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmds: list[list[str]], env: dict) -> float:
    start = time.perf_counter()
    for cmd in cmds:
        subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engagement", default=str(ROOT / "sample_data" / "halden"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from kit.phases import PHASES

    env = {**os.environ}
    out = Path(tempfile.mkdtemp(prefix="kit-bench-"))
    try:
        kit_cmd = [[str(BIN / "kit"), "run", args.engagement, "--reports", str(out / "kit")]]
        loop = []
        for phase in PHASES:
            executed = out / "loop" / phase.notebook
            loop.append([str(BIN / "papermill"), str(phase.path), str(executed), "-p", "engagement", args.engagement,
                         "-p", "output_dir", str(out / "loop"), "--no-progress-bar"])  # fmt: skip
            loop.append([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        (out / "loop").mkdir(parents=True)
        kit_times = [timed(kit_cmd, env) for _ in range(args.repeat)]
        loop_times = [timed(loop, env) for _ in range(args.repeat)]
    finally:
        shutil.rmtree(out, ignore_errors=True)

    k, lp = min(kit_times), min(loop_times)
    print(f"phases: {len(PHASES)}   cores: {os.cpu_count()}")
    print(f"kit run                    : {k:6.1f} s  (runs: {', '.join(f'{t:.1f}' for t in kit_times)})")
    print(f"papermill + nbconvert loop : {lp:6.1f} s  (runs: {', '.join(f'{t:.1f}' for t in loop_times)})")
    print(f"ratio loop / kit run       : {lp / k:6.2f}x")


if __name__ == "__main__":
    main()

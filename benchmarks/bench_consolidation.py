"""Benchmark: the consolidation phase on a scaled-up sample client (~5 million usage rows).

    python benchmarks/bench_consolidation.py [--rows 5000000] [--folder DIR]

Generates the sample client with `kit.sample.generate(folder, scale=...)`, the scale chosen so
usage has about `--rows` rows (calibrated on a scale-10 run), then measures separately:

- `load_engagement` (read + validate + pseudonymize every table) and
- `consolidation.analyze_engagement` (the whole analysis),

each for wall time (a run without tracing) and peak traced memory (a second run under
`tracemalloc`, which sees numpy and pandas buffers), and prints the process's peak resident
set size (`resource.getrusage`). Nothing is written outside the temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kit.intake import load_engagement
from kit.phases import consolidation
from kit.sample import generate

MB = 1024 * 1024


def _timed(fn):
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _traced(fn):
    gc.collect()
    tracemalloc.start()
    try:
        value = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="target number of usage rows")
    parser.add_argument("--folder", type=Path, default=None, help="keep the generated engagement here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        probe = 10.0  # rows grow a little faster than linearly at small scales: calibrate at 10
        scale = args.rows / generate(Path(tmp) / "calibrate", scale=probe)["rows"]["usage"] * probe
        folder = args.folder or Path(tmp) / "big"
        (planted, gen_s) = _timed(lambda: generate(folder, scale=scale))
        n_rows = planted["rows"]["usage"]
        size = (folder / "usage.csv").stat().st_size / MB

        eng, load_s = _timed(lambda: load_engagement(folder))
        result, analyze_s = _timed(lambda: consolidation.analyze_engagement(eng))
        del eng, result
        eng, load_peak = _traced(lambda: load_engagement(folder))
        result, analyze_peak = _traced(lambda: consolidation.analyze_engagement(eng))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

        print(f"usage rows          {n_rows:>12,}  (scale {scale:.1f}, usage.csv {size:,.0f} MB, generated in {gen_s:.1f} s)")
        print(f"people / tools      {result.headcount:>12,}  / {len(result.tools) + len(result.shadow[result.shadow['kind'] == consolidation.UNLISTED])}")
        print(f"load_engagement     {load_s:>10.2f} s   peak traced {load_peak / MB:>8,.0f} MB")
        print(f"analyze_engagement  {analyze_s:>10.2f} s   peak traced {analyze_peak / MB:>8,.0f} MB")
        print(f"process peak RSS    {rss:>10,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

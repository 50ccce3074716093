"""Bad input and failing phases: a clear message, a non-zero exit, and no earlier run touched."""

from __future__ import annotations

import os
import shutil

import nbformat

from kit.phases import NOTEBOOKS_DIR, PHASES
from tests.e2e.conftest import kit, tree_hashes


def test_broken_input_is_reported_and_leaves_earlier_runs_untouched(sample_run, sample_copy, tmp_path):
    _, reports, _ = sample_run
    before = tree_hashes(reports)
    broken = tmp_path / "halden"
    shutil.copytree(sample_copy, broken)
    lines = (broken / "time_studies.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[13].split(",")
    cells[header.index("minutes")] = "-3"
    lines[13] = ",".join(cells)
    (broken / "time_studies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    proc = kit("run", str(broken), "--reports", str(reports), cwd=tmp_path)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert 'time_studies.csv row 14, column minutes: "-3" must be a number > 0' in out
    assert "Traceback" not in out
    assert tree_hashes(reports) == before  # no new run folder, latest unchanged


def test_validate_lists_problems_and_exits_one(tmp_path):
    from tests.conftest import TABLES, write_engagement

    folder = write_engagement(tmp_path / "e", tools=TABLES["tools"].replace(",team,", ",premium,"))
    proc = kit("validate", str(folder), cwd=tmp_path)
    assert proc.returncode == 1
    assert 'tools.csv row 2, column plan: "premium" must be one of free, individual, team, enterprise' in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_validate_passes_a_good_engagement(engagement_dir, tmp_path):
    proc = kit("validate", str(engagement_dir), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "follows the intake contract" in proc.stdout


def test_unknown_parameter_is_rejected_before_anything_runs(engagement_dir, tmp_path):
    proc = kit("run", str(engagement_dir), "--param", "adoptoin_rate=0.5", "--reports", str(tmp_path / "r"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown parameter(s): adoptoin_rate" in proc.stderr
    assert not (tmp_path / "r" / "test-client").exists() or not any((tmp_path / "r" / "test-client").iterdir())


def test_failing_phase_is_named_the_others_finish_and_latest_stays(engagement_dir, tmp_path):
    from tests.e2e.test_faults import assert_earlier_run_untouched, earlier_good_run, new_runs

    reports = tmp_path / "reports"
    before = earlier_good_run(reports)  # a --phase run would not do: it never becomes `latest`

    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks)
    failing = nbformat.read(notebooks / PHASES[0].notebook, as_version=4)
    failing.cells.insert(3, nbformat.v4.new_code_cell("raise ValueError('planted failure')"))
    nbformat.write(failing, notebooks / PHASES[0].notebook)
    env = {**os.environ, "KIT_NOTEBOOKS_DIR": str(notebooks)}

    proc = kit("run", str(engagement_dir), "--reports", str(reports), cwd=tmp_path, env=env)
    assert proc.returncode == 1
    assert f"failed {PHASES[0].title}: ValueError: planted failure" in proc.stderr.replace("\n", " ")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert_earlier_run_untouched(reports, before)
    (failed_run,) = new_runs(reports)
    assert (failed_run / "notebooks" / PHASES[0].notebook).is_file()  # the failing notebook is kept
    for phase in (p for p in PHASES[1:] if not p.needs_baseline):  # no baseline yet: progress is skipped
        assert (failed_run / f"{phase.notebook.removesuffix('.ipynb')}.html").is_file()


def test_a_stalled_cell_is_retried_once_in_a_fresh_kernel(engagement_dir, tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks)
    marker = tmp_path / "stalled-once"
    stalling = nbformat.read(notebooks / PHASES[0].notebook, as_version=4)
    stall = f"import pathlib, time\nm = pathlib.Path({str(marker)!r})\nif not m.exists():\n    m.touch(); time.sleep(120)"
    stalling.cells.insert(3, nbformat.v4.new_code_cell(stall))
    nbformat.write(stalling, notebooks / PHASES[0].notebook)
    env = {**os.environ, "KIT_NOTEBOOKS_DIR": str(notebooks)}

    proc = kit("run", str(engagement_dir), "--reports", str(tmp_path / "r"), "--phase", PHASES[0].name,
               "--cell-timeout", "25", cwd=tmp_path, env=env)  # fmt: skip
    # 25 s: every ordinary cell fits in it even on a loaded 2-core machine (5 s did not); the stall is 120 s.
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = next((tmp_path / "r" / "test-client").glob(f"*/logs/{PHASES[0].name}.log")).read_text()
    assert "attempt 1:" in log and "Timeout" in log

"""Hostile and faulty input through `kit validate` and `kit run`: literal text, bounded output,
one plain line per problem, and an earlier good run left exactly as it was."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kit.phases import PHASES
from tests.conftest import SETTINGS, TABLES, write_engagement
from tests.e2e.conftest import kit, tree_hashes

WIDE = {**os.environ, "COLUMNS": "200"}  # rich folds table cells to the terminal width; keep each on one line
TS_HEADER = "observation_id,workflow_id,ai_assisted,minutes\n"
MANY_BAD = 100_000

# (case id, keyword arguments for write_engagement, a line the output must hold literally)
BAD_INPUTS = [
    ("markup-closing-tag", {"workflows": TABLES["workflows"].replace("writing", "[/red]")},
     'workflows.csv row 2, column task_type: "[/red]" must be one of writing, summarizing'),
    ("markup-in-value", {"time_studies": TS_HEADER + "O1,W1,false,60\nO2,W1,true,[bold]35 min\n"},
     'time_studies.csv row 3, column minutes: "[bold]35 min" must be a number > 0'),
    ("extra-field", {"time_studies": TS_HEADER + "O1,W1,false,60\nO2,W1,true,40,9\nO3,W1,true,-2\n"},
     "time_studies.csv row 3: has 5 fields, the header has 4"),
    ("duplicate-yaml-key", {"settings": SETTINGS.replace("50\n", "55\n", 1) + "hourly_cost: 5500\n"},
     'engagement.yaml row 7: setting "hourly_cost" appears twice (rows 4 and 7)'),
]  # fmt: skip


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory) -> Path:
    """A reports folder holding one good run of the first phase for slug test-client."""
    base = tmp_path_factory.mktemp("earlier")
    reports = base / "reports"
    proc = kit("run", str(write_engagement(base / "good")), "--reports", str(reports), "--phase", PHASES[0].name,
               cwd=base)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return reports


def _output(proc) -> str:
    return proc.stdout + proc.stderr


@pytest.mark.parametrize(("case", "change", "line"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_validate_reports_bad_input_literally_without_a_traceback(tmp_path, case, change, line):
    folder = write_engagement(tmp_path / "eng", **change)
    proc = kit("validate", str(folder), cwd=tmp_path, env=WIDE)
    assert proc.returncode == 1, _output(proc)
    assert line in proc.stdout + proc.stderr
    assert "Traceback" not in _output(proc)


@pytest.mark.parametrize(("case", "change", "line"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_run_with_bad_input_names_the_problem_and_leaves_the_earlier_run(earlier_run, tmp_path, case, change, line):
    before = tree_hashes(earlier_run)
    folder = write_engagement(tmp_path / "eng", **change)
    proc = kit("run", str(folder), "--reports", str(earlier_run), cwd=tmp_path, env=WIDE)
    assert proc.returncode == 1, _output(proc)
    assert line in proc.stderr
    assert "Traceback" not in _output(proc)
    assert tree_hashes(earlier_run) == before


def test_markup_in_a_bad_value_is_shown_literally_in_the_problems_table(tmp_path):
    folder = write_engagement(tmp_path / "eng", time_studies=TS_HEADER + "O1,W1,false,60\nO2,W1,true,[bold]35 min\n")
    proc = kit("validate", str(folder), cwd=tmp_path, env=WIDE)
    table_rows = [row for row in proc.stdout.splitlines() if row.startswith("│")]
    assert any('"[bold]35 min"' in row for row in table_rows), proc.stdout


def test_client_name_with_markup_is_valid_and_shown_literally(tmp_path):
    folder = write_engagement(tmp_path / "eng", settings=SETTINGS.replace("Test Client", '"[/bold] Acme"'))
    proc = kit("validate", str(folder), cwd=tmp_path, env=WIDE)
    assert proc.returncode == 0, _output(proc)
    assert "OK [/bold] Acme: the input follows the intake contract." in proc.stdout


@pytest.fixture(scope="module")
def many_bad_rows(tmp_path_factory) -> Path:
    """An engagement whose time_studies.csv has 100,000 rows with a bad minutes cell."""
    rows = "".join(f"O{i},W1,false,-3\n" for i in range(MANY_BAD))
    return write_engagement(tmp_path_factory.mktemp("many") / "eng", time_studies=TS_HEADER + rows)


def _client_files(folder: Path) -> dict[str, str]:
    return {name: digest for name, digest in tree_hashes(folder).items() if not name.startswith(".kit/")}


def _listed_file(output: str) -> Path:
    found = re.search(r"Complete list \(([\d,]+) problems\): (.+)$", output, flags=re.MULTILINE)
    assert found, output[-3000:]
    assert int(found.group(1).replace(",", "")) == MANY_BAD
    return Path(found.group(2).strip())


@pytest.mark.parametrize("command", ["validate", "run"])
def test_many_problems_print_a_bounded_summary_and_list_every_one_in_a_file(
    many_bad_rows, earlier_run, tmp_path, command
):
    before = tree_hashes(earlier_run)
    inputs = _client_files(many_bad_rows)
    args = ["--reports", str(earlier_run)] if command == "run" else []
    proc = kit(command, str(many_bad_rows), *args, cwd=tmp_path, env=WIDE)
    out = _output(proc)
    assert proc.returncode == 1
    assert len(out.splitlines()) < 150  # was 300,007 lines (26 MB)
    shown = [line for line in out.splitlines() if line.startswith("time_studies.csv row ")]
    assert len(shown) == 20
    assert f"… and {MANY_BAD - 20:,} more in time_studies.csv, column minutes" in out
    listed = _listed_file(out)
    assert listed == many_bad_rows / ".kit" / "problems.txt"
    lines = listed.read_text(encoding="utf-8").splitlines()
    assert len(lines) == MANY_BAD
    assert lines[0] == 'time_studies.csv row 2, column minutes: "-3" must be a number > 0'
    assert lines[-1] == f'time_studies.csv row {MANY_BAD + 1}, column minutes: "-3" must be a number > 0'
    assert tree_hashes(earlier_run) == before
    assert _client_files(many_bad_rows) == inputs  # only the kit's own .kit/ folder was written to


def test_problem_list_falls_back_to_a_temporary_file_when_the_scratch_folder_cannot_be_written(tmp_path):
    rows = "".join(f"O{i},W1,false,-3\n" for i in range(50))
    folder = write_engagement(tmp_path / "eng", time_studies=TS_HEADER + rows)
    (folder / ".kit").write_text("a file where the kit's folder would be", encoding="utf-8")
    proc = kit("validate", str(folder), cwd=tmp_path, env=WIDE)
    found = re.search(r"Complete list \(50 problems\): (.+)$", proc.stdout, flags=re.MULTILINE)
    assert found, proc.stdout
    listed = Path(found.group(1).strip())
    assert not listed.is_relative_to(folder)
    assert len(listed.read_text(encoding="utf-8").splitlines()) == 50


def test_a_clean_validate_removes_the_problem_list_of_an_earlier_check(tmp_path):
    folder = write_engagement(tmp_path / "eng", time_studies=TS_HEADER + "O1,W1,false,-3\n")
    assert kit("validate", str(folder), cwd=tmp_path).returncode == 1
    assert (folder / ".kit" / "problems.txt").read_text(encoding="utf-8").startswith("time_studies.csv row 2")
    write_engagement(folder)
    assert kit("validate", str(folder), cwd=tmp_path).returncode == 0
    assert not (folder / ".kit" / "problems.txt").exists()

"""Hostile input files: malformed CSV rows, a sheet that claims a huge size, a flood of bad cells."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from openpyxl import Workbook

from kit.intake import TABLE_SPECS, load_table
from tests.conftest import TABLES, write_engagement
from tests.intake.test_load import problems_of

TS_HEADER = "observation_id,workflow_id,ai_assisted,minutes\n"


def test_rows_with_extra_fields_are_reported_with_their_rows_alongside_other_problems(tmp_path):
    text = TS_HEADER + "O1,W1,no,3\nO2,W1,no,4,9\nO3,W1,no,-1\nO4,W1,no,5,6,7\nO5,W1,no,2\n"
    folder = write_engagement(tmp_path / "eng", time_studies=text)
    assert problems_of(folder) == [
        "time_studies.csv row 3: has 5 fields, the header has 4",
        'time_studies.csv row 4, column minutes: "-1" must be a number > 0',
        "time_studies.csv row 5: has 6 fields, the header has 4",
    ]


def test_rows_after_a_quoted_line_break_keep_their_spreadsheet_row_numbers(tmp_path):
    text = TS_HEADER + 'O1,W1,no,3\n"O2\nsecond line",W1,no,4\nO3,W1,no,5,6\nO4,W1,no,-1\n'
    folder = write_engagement(tmp_path / "eng", time_studies=text)
    assert problems_of(folder) == [
        "time_studies.csv row 4: has 5 fields, the header has 4",
        'time_studies.csv row 5, column minutes: "-1" must be a number > 0',
    ]


def test_a_first_data_row_with_an_extra_field_is_reported_not_shifted_into_an_index(tmp_path):
    text = TS_HEADER + "O1,W1,no,3,4\nO2,W1,no,-5\n"
    folder = write_engagement(tmp_path / "eng", time_studies=text)
    assert problems_of(folder) == [
        "time_studies.csv row 2: has 5 fields, the header has 4",
        'time_studies.csv row 3, column minutes: "-5" must be a number > 0',
    ]


def test_short_rows_are_still_read_as_blank_trailing_cells(tmp_path):
    text = TS_HEADER + "O1,W1,no,3\nO2,W1,no,4,9\nO3,W1\n"
    folder = write_engagement(tmp_path / "eng", time_studies=text)
    assert problems_of(folder) == [
        "time_studies.csv row 3: has 5 fields, the header has 4",
        'time_studies.csv row 4, column ai_assisted: "" is empty; must be true/false, yes/no, y/n or 1/0',
        'time_studies.csv row 4, column minutes: "" is empty; must be a number > 0',
    ]


def _workbook_with_far_cell(path: Path, far_cell: str = "XFD1048576") -> Path:
    book = Workbook()
    for line in TABLES["workflows"].splitlines():
        book.active.append(line.split(","))
    book.active[far_cell] = "x"
    book.save(path)
    return path


def test_a_far_away_cell_makes_a_tiny_workbook_claim_a_huge_sheet(tmp_path):
    path = _workbook_with_far_cell(tmp_path / "workflows.xlsx")
    assert path.stat().st_size < 8_000
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True).worksheets[0]
    assert (sheet.max_row, sheet.max_column) == (1_048_576, 16_384)


def test_xlsx_with_a_far_away_cell_loads_within_memory_and_time_limits(tmp_path):
    path = _workbook_with_far_cell(tmp_path / "workflows.xlsx")
    script = textwrap.dedent(f"""
        import resource, time
        limit = 2 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        from pathlib import Path
        from kit.intake import TABLE_SPECS, load_table
        start = time.perf_counter()
        frame, problems = load_table(Path({str(path)!r}), TABLE_SPECS["workflows"])
        print(len(frame), len(problems), round(time.perf_counter() - start, 1))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows, problems, seconds = proc.stdout.split()
    assert (rows, problems) == ("2", "0")  # the far cell lies outside the header's columns
    assert float(seconds) < 30


def test_xlsx_trailing_blank_rows_are_not_data_and_inner_blank_rows_keep_numbering(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["observation_id", "workflow_id", "ai_assisted", "minutes"])
    sheet.append(["O1", "W1", "no", 3])
    sheet.append([])
    sheet.append(["O3", "W1", "no", -1])
    sheet["A1000000"] = " "
    book.save(tmp_path / "time_studies.xlsx")
    frame, problems = load_table(tmp_path / "time_studies.xlsx", TABLE_SPECS["time_studies"])
    assert [str(p) for p in problems] == ['time_studies.xlsx row 4, column minutes: "-1" must be a number > 0']


def test_sheet_with_more_data_than_a_table_can_hold_is_a_clear_error(tmp_path, monkeypatch):
    from kit.intake import readers

    assert readers.MAX_XLSX_CELLS >= 1_048_576 * 12  # a full Excel sheet of a 12-column export still loads
    monkeypatch.setattr(readers, "MAX_XLSX_CELLS", 40)
    book = Workbook()
    sheet = book.active
    sheet.append(["observation_id", "workflow_id", "ai_assisted", "minutes"])
    for i in range(20):
        sheet.append([f"O{i}", "W1", "no", 3])
    book.save(tmp_path / "time_studies.xlsx")
    _, problems = load_table(tmp_path / "time_studies.xlsx", TABLE_SPECS["time_studies"])
    assert [str(p) for p in problems] == [
        "time_studies.xlsx: its first sheet holds more than 40 cells of data under the header's 4 columns "
        "(row 12 reached); save the table as CSV or remove what is not part of the table"
    ]


def test_every_one_of_many_bad_cells_is_reported_with_its_row(tmp_path):
    rows = "".join(f"O{i},W1,no,{-3 if i % 2 else 3}\n" for i in range(100_000))
    path = tmp_path / "time_studies.csv"
    path.write_text(TS_HEADER + rows, encoding="utf-8")
    _, problems = load_table(path, TABLE_SPECS["time_studies"])
    assert [p.row for p in problems] == list(range(3, 100_002, 2))
    assert str(problems[-1]) == 'time_studies.csv row 100001, column minutes: "-3" must be a number > 0'


CSV_STRUCTURES = [
    TS_HEADER + "O1,W1,no,3\nO2,W1,no,4,9\nO3,W1,no,-1\n",
    TS_HEADER + 'O1,W1,no,3\n"O2\nsecond line",W1,no,4\nO3,W1,no,5,6\n\nO5,W1\nO6,W1,no,1,2,3\n',
    TS_HEADER + "O1,W1,no,3,4\n",
    TS_HEADER + "O1,W1,no,3,4\nO2,W1,no,5\nO3,W1,no,6,7\n",
]


@pytest.mark.parametrize(
    "text", CSV_STRUCTURES, ids=["extra-field", "line-breaks-blank-and-short-rows", "only-row-bad", "first-row-bad"]
)
def test_csv_module_reader_agrees_with_the_pandas_reader(tmp_path, text):
    from kit.intake import readers

    path = tmp_path / "time_studies.csv"
    path.write_text(text, encoding="utf-8")
    fast, fast_bad = readers._read_csv(path)
    slow, slow_bad = readers._read_csv_by_record(path)
    assert fast_bad == slow_bad and fast_bad
    assert fast.astype(object).values.tolist() == slow.astype(object).values.tolist()
    assert list(fast.columns) == list(slow.columns)

"""Excel exports: every sheet of a workbook is an export of its own, a header below a preamble is
found, real Excel date and number cells read as a CSV export's text would, and a sheet no format
matches gets the contract's error (closest formats and their missing columns) with nothing written."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from kit.imports import ImportFailure, import_files

MAPPING = "expenses:\n  holder:\n    qbo.xlsx: ana@acme.com\n"


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


RAMP = [["Transaction Date", "Amount", "Merchant Name", "User", "Memo"],
        [dt.datetime(2026, 6, 3), 20.0, "OPENAI *CHATGPT SUBSCR", "Ana Lima", "ChatGPT Plus"],
        [dt.datetime(2026, 6, 5), -20.0, "OPENAI *CHATGPT SUBSCR", "Ana Lima", "refund"]]  # fmt: skip
AMEX = [["Date", "Description", "Card Member", "Account #", "Amount"],
        [dt.date(2026, 6, 1), "ANTHROPIC CLAUDE.AI", "BEN ODE", "-41007", 25],
        [dt.date(2026, 6, 10), "AUTOPAY PAYMENT - THANK YOU", "BEN ODE", "-41007", -500]]  # fmt: skip


def _expenses(folder: Path) -> list[dict[str, str]]:
    with (folder / "expenses.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_each_sheet_of_a_workbook_is_imported_as_its_own_export(tmp_path: Path):
    path = _book(tmp_path / "cards.xlsx", {"Ramp": RAMP, "Amex": AMEX, "Empty": []})
    result = import_files([path], tmp_path)
    assert [(r.source, r.format, r.rows_read, r.rows_kept) for r in result.reports] == [
        ("cards.xlsx [Ramp]", "ramp", 2, 2), ("cards.xlsx [Amex]", "amex", 2, 1)]  # fmt: skip
    rows = _expenses(tmp_path)
    # Excel date cells read as dates whatever the format's own date style (Amex prints MM/DD/YYYY)
    assert [(r["source"], r["date"], r["amount"]) for r in rows] == [
        ("cards.xlsx [Amex]", "2026-06-01", "25.00"),
        ("cards.xlsx [Ramp]", "2026-06-03", "20.00"), ("cards.xlsx [Ramp]", "2026-06-05", "-20.00")]  # fmt: skip
    assert len({r["expense_id"] for r in rows}) == 3  # ids stay unique across sheets of one file
    before = (tmp_path / "expenses.csv").read_bytes()
    import_files([path], tmp_path)
    assert (tmp_path / "expenses.csv").read_bytes() == before


def test_a_header_below_a_preamble_is_found_in_a_sheet(tmp_path: Path):
    (tmp_path / "import_mapping.yaml").write_text(MAPPING, encoding="utf-8")
    rows = [["Acme Corp"], ["Transaction Detail by Account"], ["June 2026"], [],
            [None, "Date", "Transaction Type", "Num", "Name", "Memo/Description", "Split", "Amount", "Balance"],
            ["Software subscriptions"],
            [None, dt.datetime(2026, 6, 3), "Expense", None, "OpenAI", "ChatGPT Team", "Amex", 300, 300],
            [None, dt.datetime(2026, 6, 15), "Expense", None, "Anthropic", "Claude refund", "Amex", -250.5, 49.5],
            ["Total for Software subscriptions", None, None, None, None, None, None, 49.5, None]]  # fmt: skip
    report = import_files([_book(tmp_path / "qbo.xlsx", {"Sheet1": rows})], tmp_path).reports[0]
    assert (report.source, report.format, report.header_row, report.encoding) == (
        "qbo.xlsx", "quickbooks_transactions", 5, "xlsx")  # fmt: skip
    assert [(r["date"], r["amount"]) for r in _expenses(tmp_path)] == [("2026-06-03", "300.00"), ("2026-06-15", "-250.50")]


def test_a_sheet_no_format_matches_gets_the_contracts_error_and_nothing_is_written(tmp_path: Path):
    notes = [["Transaction Date", "Amount", "Merchant Name"], [dt.datetime(2026, 6, 1), 5, "X"]]
    path = _book(tmp_path / "cards.xlsx", {"Ramp": RAMP, "Notes": notes})
    with pytest.raises(ImportFailure) as exc:
        import_files([path], tmp_path)
    assert str(exc.value) == ("cards.xlsx [Notes]: no known export format matches its header; closest: ramp (missing "
                              "'User'); brex (missing 'Swipe Date (UTC)', 'User'); expensify (missing 'Timestamp', 'Merchant') (kit import "
                              "--list shows every format's columns)")  # fmt: skip
    assert not (tmp_path / "expenses.csv").exists()


def test_a_workbook_that_is_not_one_is_one_plain_line(tmp_path: Path):
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ImportFailure, match=r"^broken.xlsx: could not be opened as an Excel workbook"):
        import_files([tmp_path / "broken.xlsx"], tmp_path)


@pytest.mark.parametrize(
    ("name", "rows", "expected"),
    [
        ("amex.xlsx", AMEX, [("2026-06-01", "25.00")]),  # the format reads MM/DD/YYYY text only
        ("chase.xlsx", [["Transaction Date", "Post Date", "Description", "Category", "Type", "Amount"],
                        [dt.datetime(2026, 6, 2), dt.datetime(2026, 6, 3), "JASPER.AI", "Shopping", "Sale", -49]],
         [("2026-06-02", "49.00")]),
    ],
)  # fmt: skip
def test_excel_date_cells_are_dates_in_formats_that_print_them_otherwise(tmp_path: Path, name, rows, expected):
    (tmp_path / "import_mapping.yaml").write_text("expenses:\n  holder:\n    chase.xlsx: ben@acme.com\n", encoding="utf-8")
    report = import_files([_book(tmp_path / name, {"Sheet1": rows})], tmp_path).reports[0]
    assert report.dropped == [] or all("card payment" in d["reason"] for d in report.dropped)
    assert [(r["date"], r["amount"]) for r in _expenses(tmp_path)] == expected

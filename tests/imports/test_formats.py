"""Each format's fixture is detected from its header and gives the planted rows; unknown and
broken files get one plain line naming the closest formats and their missing columns."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kit.imports import FORMATS, ImportFailure, import_files
from kit.imports.read import combined_header, open_table
from kit.intake.readers import parse_table, read_raw
from kit.intake.schemas import Usage
from tests.imports import fixtures as fx

MAPPING = fx.TIME_MAPPING + fx.SURVEYMONKEY_MAPPING + """\
expenses:
  holder:
    expensify_export.csv: ana@acme.com
    chase_activity.csv: ben@acme.com
    qbo_transaction_detail.csv: ana@acme.com
    "5678": ben@acme.com
"""

# format -> (rows read, rows kept, rows written, drop reasons (substrings, in row order))
EXPECTED = {
    "m365_copilot_usage": (4, 3, 6, ["no activity date in any app"]),
    "m365_active_users": (3, 1, 3, ["deleted user", "no activity date in any app"]),
    "chatgpt_engagement": (3, 2, 3, ["not active in this period"]),
    "okta_app_usage": (4, 3, 2, ['"not a date" is not a date']),
    "entra_signins": (4, 3, 2, ['sign-in status "Failure"']),
    "ramp": (3, 3, 3, []),
    "brex": (2, 2, 2, []),
    "expensify": (2, 2, 2, []),
    "amex": (3, 2, 2, ["card payment"]),
    "chase": (3, 2, 2, ["card payment"]),
    "capital_one": (3, 2, 2, ["map card 9999"]),
    "quickbooks_transactions": (5, 2, 2, ["section heading", "total row", "total row"]),
    "toggl": (4, 2, 2, ['project "Sales admin" is not mapped', "duration is zero"]),
    "clockify": (1, 1, 1, []),
    "harvest": (2, 2, 2, []),
    "google_forms": (3, 2, 2, ["replaced by a later response"]),
    "ms_forms": (1, 1, 2, []),
    "surveymonkey": (1, 1, 2, []),
    "typeform": (1, 1, 1, []),
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "import_mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return tmp_path


def _write(folder: Path, name: str) -> Path:
    file_name, data = fx.FIXTURES[name]()
    path = folder / file_name
    path.write_bytes(data)
    return path


def test_every_registered_format_has_a_fixture_and_an_expectation():
    assert set(fx.FIXTURES) == {f.name for f in FORMATS} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_detected_and_gives_the_planted_rows(folder: Path, name: str):
    path = _write(folder, name)
    assert open_table(path).fmt.name == name
    report = import_files([path], folder, dry_run=True).reports[0]
    read, kept, written, reasons = EXPECTED[name]
    assert (report.rows_read, report.rows_kept, report.rows_written) == (read, kept, written)
    dropped = [str(d["reason"]) for d in report.dropped]
    assert len(dropped) == len(reasons) and all(r in d for r, d in zip(reasons, dropped, strict=True)), dropped


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("name", "amounts"),
    [
        ("ramp", ["20.00", "-20.00", "1250.50"]),  # charges positive, refund negative, $1,250.50
        ("chase", ["49.00", "-49.00"]),  # charges negative in the export: flipped
        ("capital_one", ["16.99", "-16.99"]),  # Debit - Credit
        ("quickbooks_transactions", ["300.00", "-250.00"]),  # $(250.00) is negative
        ("amex", ["20.00", "-20.00"]),  # a credit is negative; the payment is dropped
    ],
)
def test_amounts_have_charges_positive_and_refunds_negative(folder: Path, name: str, amounts: list[str]):
    import_files([_write(folder, name)], folder)
    assert [r["amount"] for r in _rows(folder, "expenses")] == amounts


@pytest.mark.parametrize(
    ("name", "minutes", "ai", "days"),
    [
        ("toggl", ["45", "25.5"], ["false", "true"], ["2026-06-01", "2026-06-02"]),  # HH:MM:SS, tag "AI"
        ("clockify", ["30"], ["true"], ["2026-06-04"]),  # decimal hours; "ChatGPT" matches the pattern
        ("harvest", ["90", "45"], ["false", "true"], ["2026-06-15", "2026-06-16"]),  # 1,5 h; day-first dates
    ],
)
def test_time_entries_become_time_studies(folder: Path, name, minutes, ai, days):
    import_files([_write(folder, name)], folder)
    rows = _rows(folder, "time_studies")
    assert [r["minutes"] for r in rows] == minutes
    assert [r["ai_assisted"] for r in rows] == ai
    assert [r["observed_on"] for r in rows] == days
    assert {r["workflow_id"] for r in rows} == {"WF-1"}


def test_copilot_snapshot_rows_keep_the_app_and_the_window(folder: Path):
    import_files([_write(folder, "m365_copilot_usage")], folder)
    rows = _rows(folder, "usage")
    ana = [(r["app"], r["date"]) for r in rows if r["user_id"] == "ana@acme.com"]
    assert ana == [("Teams Copilot", "2026-06-29"), ("Word Copilot", "2026-06-20"), ("Copilot Chat", "2026-06-28")]
    assert {(r["tool"], r["snapshot"], r["window_days"]) for r in rows} == {("Microsoft 365 Copilot", "2026-06-30", "30")}
    # a concealed 32-hex name is accepted as the person's identifier
    assert "0123456789ABCDEF0123456789ABCDEF" in {r["user_id"] for r in rows}


def test_admin_center_spelling_reads_as_the_same_format_with_its_decisions_recorded(folder: Path):
    path = folder / fx.copilot_admin()[0]
    path.write_bytes(fx.copilot_admin()[1])
    report = import_files([path], folder, dry_run=True).reports[0]
    assert report.format == "m365_copilot_usage" and report.rows_written == 3
    assert any("no Report Refresh Date: the snapshot is dated on the latest activity date (2026-06-29)" in d
               for d in report.decisions)  # fmt: skip
    assert any("each snapshot covers 30 days" in d for d in report.decisions)


def test_two_header_rows_are_forward_filled_and_joined():
    top = ["Respondent ID", "Q1", "Rate your AI skills", "", ""]
    sub = ["", "Response", "Prompting", "Checking output", "Data"]
    assert combined_header(top, sub) == ["Respondent ID", "Q1", "Rate your AI skills [Prompting]",
                                         "Rate your AI skills [Checking output]", "Rate your AI skills [Data]"]  # fmt: skip


def test_quickbooks_header_is_found_below_the_preamble(folder: Path):
    table = open_table(_write(folder, "quickbooks_transactions"))
    assert table.header_row == 5 and table.rows[0][0] == 6  # spreadsheet rows: four preamble rows first


def test_localized_microsoft_forms_header_is_recognized(folder: Path):
    table = open_table(_write(folder, "ms_forms"))
    assert table.fmt.name == "ms_forms" and table.header[1] == "Startzeit"


def test_unknown_file_names_the_closest_formats_and_their_missing_columns(tmp_path: Path):
    path = tmp_path / "mystery.csv"
    path.write_text("Transaction Date,Amount,Merchant Name\n06/01/26,5.00,X\n", encoding="utf-8")
    with pytest.raises(ImportFailure) as exc:
        import_files([path], tmp_path)
    message = str(exc.value)
    assert message.startswith("mystery.csv: no known export format matches its header; closest: ramp (missing 'User')")
    assert "\n" not in message


def test_as_format_names_the_columns_the_file_lacks(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("Date,Amount\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match=r"x.csv: is not a toggl export: missing column\(s\) 'User', 'Project'"):
        import_files([path], tmp_path, as_format="toggl")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "x.csv: is empty"), (b"\n\n", "x.csv: is empty")],
)
def test_empty_file_is_one_plain_line(tmp_path: Path, content: bytes, message: str):
    (tmp_path / "x.csv").write_bytes(content)
    with pytest.raises(ImportFailure, match=message):
        import_files([tmp_path / "x.csv"], tmp_path)


def test_bad_rows_are_named_by_their_spreadsheet_row(folder: Path):
    report = import_files([_write(folder, "okta_app_usage")], folder, dry_run=True).reports[0]
    assert report.dropped == [{"row": 5, "reason": 'date "not a date" is not a date'}]


def test_copilot_v2_report_carries_prompts_and_active_days_on_an_all_apps_row(folder: Path):
    path = folder / fx.copilot_v2()[0]
    path.write_bytes(fx.copilot_v2()[1])
    report = import_files([path], folder).reports[0]
    assert (report.format, report.rows_read, report.rows_kept, report.rows_written) == ("m365_copilot_usage", 4, 2, 8)
    assert [d["reason"] for d in report.dropped] == [
        "no activity date in any app (enabled or licensed, not active)",
        'Prompts submitted for all apps "n/a" is not a whole number',
    ]
    rows = _rows(folder, "usage")
    heavy = [(r["app"], r["date"], r["prompts"], r["active_days"]) for r in rows
             if r["user_id"] == "E58EEF6A6BBD3D0293CB306D24A42057"]  # fmt: skip
    assert heavy == [("Teams Copilot", "2026-07-01", "", ""), ("Word Copilot", "2026-06-20", "", ""),
                     ("Copilot Chat", "2026-07-02", "", ""), ("Copilot Chat (work)", "2026-07-02", "", ""),
                     ("Edge Copilot", "2026-06-30", "", ""), ("All apps", "2026-07-02", "142", "19")]  # fmt: skip
    ben = [(r["app"], r["prompts"], r["active_days"], r["window_days"]) for r in rows if r["user_id"] == "ben@acme.com"]
    assert ben == [("Copilot Chat (web)", "", "", "28"), ("All apps", "4", "2", "28")]
    assert {r["tool"] for r in rows} == {"Microsoft 365 Copilot"}
    assert ('report version 2: prompts and active usage days on one "All apps" row per active person (usage columns '
            "prompts, active_days, over the row's window_days); totals of the people kept: Prompts submitted for all "
            "apps 146; Prompts submitted for Copilot Chat (work) 90; Prompts submitted for Copilot Chat (web) 16; "
            "Active Usage Days for all apps 21") in report.decisions


def test_imported_v2_usage_loads_with_its_prompt_columns(folder: Path):
    path = folder / fx.copilot_v2()[0]
    path.write_bytes(fx.copilot_v2()[1])
    import_files([path], folder)
    raw, _ = read_raw(folder / "usage.csv")
    usage, problems = parse_table(raw, Usage, "usage.csv")
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert usage["prompts"].sum() == 146 and usage["active_days"].dropna().tolist() == [19, 2]

"""Seats from the Microsoft 365 active-users report ("Assigned Products") into tools.csv: new tools get
a row to complete, hand-entered rows are kept as entered, a re-import changes nothing, a changed file
replaces only its own rows, and the newest report's count wins."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from kit.imports import import_files
from kit.intake import load_engagement
from kit.scaffold import new_engagement
from tests.imports import fixtures as fx

HEADER = "tool,vendor,category,plan,seats,cost_per_seat_month,approved,max_data_class,billing_cycle,renewal_date,owner,sso_enabled"


@pytest.fixture
def eng(tmp_path: Path) -> Path:
    return new_engagement("acme", tmp_path / "engagements", client="Acme")


def _report(tmp_path: Path, name: str = "m365_active_users.csv", data: bytes | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes(data if data is not None else fx.m365_active_users()[1])
    return path


def _tools(eng: Path) -> dict[str, dict[str, str]]:
    with (eng / "tools.csv").open(encoding="utf-8", newline="") as handle:
        return {r["tool"]: r for r in csv.DictReader(handle)}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_assigned_products_become_tools_csv_seats_with_the_cells_to_complete(eng: Path, tmp_path: Path):
    result = import_files([_report(tmp_path)], eng)
    tools = _tools(eng)
    # Ana holds E3 + Copilot, Eve holds E3; the deleted user's licence is not a seat
    assert {t: r["seats"] for t, r in tools.items()} == {"Microsoft 365": "2", "Microsoft 365 Copilot": "1"}
    copilot = tools["Microsoft 365 Copilot"]
    assert {k: copilot[k] for k in ("vendor", "category", "plan", "approved", "sso_enabled", "cost_per_seat_month",
                                    "max_data_class", "source", "seats_as_of")} == {
        "vendor": "Microsoft", "category": "chat_assistant", "plan": "enterprise", "approved": "true",
        "sso_enabled": "true", "cost_per_seat_month": "", "max_data_class": "", "source": "m365_active_users.csv",
        "seats_as_of": "2026-06-30"}  # fmt: skip
    report = result.reports[0]
    assert report.tool_seats == {"Microsoft 365": 2, "Microsoft 365 Copilot": 1}
    assert any(d.startswith('tools.csv: new row "Microsoft 365 Copilot" with 1 seat(s) assigned; fill in its '
                            "cost_per_seat_month and max_data_class") for d in report.decisions)  # fmt: skip
    errors = [str(p) for p in load_engagement(eng, strict=False, pseudonymize=False).problems if p.severity == "error"]
    assert any("tools.csv row 3, column cost_per_seat_month" in e for e in errors), errors


def test_reimport_changes_nothing_and_keeps_the_cells_the_consultant_filled(eng: Path, tmp_path: Path):
    path = _report(tmp_path)
    import_files([path], eng)
    text = (eng / "tools.csv").read_text(encoding="utf-8").replace(
        "Microsoft 365 Copilot,Microsoft,chat_assistant,enterprise,1,,true,,", "Microsoft 365 Copilot,Microsoft,"
        "chat_assistant,enterprise,1,30,true,confidential,")  # fmt: skip
    (eng / "tools.csv").write_text(text, encoding="utf-8")
    before = _sha(eng / "tools.csv")
    import_files([path], eng)
    assert _sha(eng / "tools.csv") == before
    assert _tools(eng)["Microsoft 365 Copilot"]["cost_per_seat_month"] == "30"


def test_hand_entered_rows_are_kept_and_the_difference_is_recorded(eng: Path, tmp_path: Path):
    (eng / "tools.csv").write_text(f"{HEADER}\nMicrosoft 365 Copilot,Microsoft,chat_assistant,enterprise,60,30,true,"
                                   "confidential,annual,,IT,true\n", encoding="utf-8")  # fmt: skip
    report = import_files([_report(tmp_path)], eng).reports[0]
    lines = (eng / "tools.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1] == "Microsoft 365 Copilot,Microsoft,chat_assistant,enterprise,60,30,true,confidential,annual,,IT,true,,"
    assert _tools(eng)["Microsoft 365"]["seats"] == "2"  # a tool it did not list is added
    assert ('tools.csv: "Microsoft 365 Copilot" is entered by hand with 60 seat(s); the report assigns 1: kept as '
            "entered (seats paid for may exceed those assigned)") in report.decisions


def test_a_changed_report_replaces_only_its_own_rows(eng: Path, tmp_path: Path):
    (eng / "tools.csv").write_text(f"{HEADER}\nZoom,Zoom,other,team,5,15,true,internal,monthly,,,true\n", encoding="utf-8")
    path = _report(tmp_path)
    import_files([path], eng)
    # Ana's Copilot licence removed and a new E3 holder added
    changed = fx.m365_active_users()[1].replace(b"MICROSOFT 365 E3+MICROSOFT 365 COPILOT", b"MICROSOFT 365 E3")
    path.write_bytes(changed.rstrip(b"\r\n") + b"\r\n2026-06-30,fay@acme.com,Fay Li,False,,True,True,True,False,False,"
                     b"True,2026-06-29,,,,,,2024-01-01,MICROSOFT 365 E3\r\n")  # fmt: skip
    report = import_files([path], eng).reports[0]
    tools = _tools(eng)
    assert {t: r["seats"] for t, r in tools.items()} == {"Zoom": "5", "Microsoft 365": "3"}
    assert 'tools.csv: "Microsoft 365 Copilot" removed (this report no longer assigns it)' in report.decisions


@pytest.mark.parametrize(
    ("second_refresh", "seats"),
    [("2026-07-31", "3"), ("2026-05-31", "2")],  # a newer report takes the row over; an older one leaves it
)
def test_the_newest_report_sets_the_seats(eng: Path, tmp_path: Path, second_refresh: str, seats: str):
    import_files([_report(tmp_path)], eng)
    later = fx.m365_active_users()[1].replace(b"2026-06-30,", second_refresh.encode() + b",")
    later = later.rstrip(b"\r\n") + (f"\r\n{second_refresh},gus@acme.com,Gus Ng,False,,True,True,True,False,False,True,,"
                                     ",,,,,2024-01-01,MICROSOFT 365 E3\r\n").encode()  # fmt: skip
    import_files([_report(tmp_path, "m365_active_users_2.csv", later)], eng)
    assert _tools(eng)["Microsoft 365"]["seats"] == seats


def test_products_the_alias_list_does_not_know_are_not_written(eng: Path, tmp_path: Path):
    data = fx.m365_active_users()[1].replace(b"MICROSOFT 365 E3+MICROSOFT 365 COPILOT",
                                             b"MICROSOFT 365 E3+VISIO PLAN 2")  # fmt: skip
    report = import_files([_report(tmp_path, data=data)], eng).reports[0]
    assert set(_tools(eng)) == {"Microsoft 365"}
    assert ("products not written to tools.csv (not in the alias list, import_mapping.yaml tools or tools.csv): "
            "VISIO PLAN 2") in report.decisions


def test_dry_run_reports_the_seats_and_writes_no_tools_csv(eng: Path, tmp_path: Path):
    before = _sha(eng / "tools.csv")
    report = import_files([_report(tmp_path)], eng, dry_run=True).reports[0]
    assert report.tool_seats == {"Microsoft 365": 2, "Microsoft 365 Copilot": 1}
    assert _sha(eng / "tools.csv") == before


def test_validate_notes_where_the_seats_come_from(eng: Path, tmp_path: Path):
    import_files([_report(tmp_path)], eng)
    notes = [str(p) for p in load_engagement(eng, strict=False, pseudonymize=False).problems if p.file == "tools.csv"
             and p.severity == "note"]  # fmt: skip
    assert notes == ["tools.csv: seats of Microsoft 365 (2), Microsoft 365 Copilot (1) are the licences "
                     "m365_active_users.csv assigns (Assigned Products); hand-entered rows keep their own seats"]

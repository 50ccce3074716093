"""`kit import` as a whole: merge, idempotence, untouched sources, provenance, dry run, people
resolution, the mapping rules, and provenance shown by `kit validate` and the loaded engagement."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kit.cli import app
from kit.imports import ImportFailure, import_files
from kit.imports.build import Context, resolve_tool
from kit.imports.mapping import Mapping
from kit.imports.people import Identity, propose_people, read_people
from kit.intake import load_engagement
from kit.scaffold import new_engagement
from tests.imports import fixtures as fx


def _put(folder: Path, fixture) -> Path:
    name, data = fixture()
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture
def eng(tmp_path: Path) -> Path:
    """A new engagement from the templates, with exports beside it (not inside)."""
    return new_engagement("acme", tmp_path / "engagements", client="Acme")


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_reimport_is_idempotent_and_sources_are_untouched(eng: Path, tmp_path: Path):
    exports = tmp_path / "exports"
    exports.mkdir()
    files = [_put(exports, fx.copilot_graph), _put(exports, fx.okta_app_usage), _put(exports, fx.ramp)]
    sources = _digest(exports)
    import_files(files, eng)
    first = _digest(eng)
    import_files(files, eng)
    assert _digest(eng) == first
    assert _digest(exports) == sources


def test_reimporting_a_changed_file_replaces_its_rows_and_keeps_the_others(eng: Path, tmp_path: Path):
    okta = _put(tmp_path, fx.okta_app_usage)
    copilot = _put(tmp_path, fx.copilot_graph)
    import_files([okta, copilot], eng)
    copilot.write_bytes(fx.copilot_graph()[1].replace(b"2026-06-29,2026-06-29", b"2026-06-29,"))  # Ana: no Teams
    import_files([copilot], eng)
    usage = (eng / "usage.csv").read_text(encoding="utf-8")
    assert usage.count("okta_app_usage.csv") == 2  # untouched
    assert usage.count("copilot_2026-06-30.csv") == 5  # was 6


def test_hand_entered_rows_are_kept_beside_imported_ones(eng: Path, tmp_path: Path):
    (eng / "usage.csv").write_text("user_id,tool,date\nE1,Zoom,2026-06-01\n", encoding="utf-8")
    import_files([_put(tmp_path, fx.okta_app_usage)], eng)
    lines = (eng / "usage.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "user_id,tool,date,actions,app,snapshot,window_days,prompts,active_days,source"
    assert lines[1] == "E1,Zoom,2026-06-01,,,,,,,"
    assert len(lines) == 4


def test_provenance_records_source_hash_format_rows_and_reasons(eng: Path, tmp_path: Path):
    path = _put(tmp_path, fx.entra_signins)
    import_files([path], eng)
    entry = json.loads((eng / ".kit" / "imports.json").read_text(encoding="utf-8"))["imports"][0]
    assert entry["source"] == "entra_signins.csv"
    assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (entry["format"], entry["table"], entry["rows_read"], entry["rows_kept"], entry["rows_dropped"]) == (
        "entra_signins", "usage", 4, 3, 1)  # fmt: skip
    assert entry["dropped"] == [{"row": 4, "reason": 'sign-in status "Failure" (only successful sign-ins count as use)'}]
    assert entry["encoding"] == "utf-8 with byte-order mark"
    assert any(d.startswith('tool: "ChatGPT" -> "ChatGPT Team"') for d in entry["decisions"])


def test_dry_run_writes_nothing(eng: Path, tmp_path: Path):
    before = _digest(eng)
    result = import_files([_put(tmp_path, fx.copilot_graph)], eng, dry_run=True)
    assert result.reports[0].rows_written == 6 and result.written == []
    assert _digest(eng) == before


def test_a_bad_file_stops_the_import_before_anything_is_written(eng: Path, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    before = _digest(eng)
    with pytest.raises(ImportFailure, match="bad.csv: no known export format"):
        import_files([_put(tmp_path, fx.ramp), bad], eng)
    assert _digest(eng) == before


def test_people_table_is_proposed_once_then_used_as_edited(eng: Path, tmp_path: Path):
    chatgpt, amex = _put(tmp_path, fx.chatgpt_engagement), _put(tmp_path, fx.amex)
    import_files([chatgpt, amex], eng)
    people = read_people(eng / "people.csv")
    ana = people.get("ana@acme.com")
    assert (ana["name"], ana["department"]) == ("Ana Lima", "Finance")
    # the card member "ANA LIMA" resolved to the same person through her name
    assert "ana@acme.com,2026-06-01" not in (eng / "expenses.csv").read_text()  # ids only in employee_id
    assert {r.split(",")[2] for r in (eng / "expenses.csv").read_text().splitlines()[1:]} == {"ana@acme.com"}
    (eng / "people.csv").write_text("id,email,name,department,role,aliases\nP1,ana@acme.com,Ana Lima,Finance,,\n",
                                    encoding="utf-8")  # fmt: skip
    result = import_files([chatgpt, amex], eng)
    assert {r.split(",")[0] for r in (eng / "usage.csv").read_text().splitlines()[1:]} == {"P1"}
    assert result.unresolved == []
    okta = import_files([_put(tmp_path, fx.okta_app_usage)], eng)
    assert okta.unresolved == ["ben@acme.com (okta_app_usage.csv)"]


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        (Identity(user="ANA@acme.com"), "ana@acme.com"),  # email, any case
        (Identity(user="alima"), "ana@acme.com"),  # a login listed as an alias
        (Identity(name="Lima, Ana"), "ana@acme.com"),  # "Last, First"
        (Identity(name="  ana   lima "), "ana@acme.com"),
        (Identity(user="0123456789abcdef0123456789abcdef"), None),  # a concealed name is never guessed
    ],
)
def test_identities_resolve_through_email_alias_and_name(identity: Identity, expected):
    people = propose_people([Identity(user="ana@acme.com", name="Ana Lima"), Identity(user="alima", email="ana@acme.com")])
    assert people.resolve(identity) == expected


@pytest.mark.parametrize(
    ("name", "inventory", "mapping", "expected"),
    [
        ("Word Copilot", (), {}, "Microsoft 365 Copilot"),
        ("Copilot Chat", ("Microsoft 365 Copilot Chat",), {}, "Microsoft 365 Copilot Chat"),  # the inventory's choice
        ("Copilot Chat", ("Microsoft 365 Copilot",), {}, "Microsoft 365 Copilot"),
        ("ChatGPT Enterprise", ("ChatGPT Team",), {}, "ChatGPT Team"),
        ("Word Copilot", (), {"word copilot": "Copilot for M365"}, "Copilot for M365"),  # the consultant's alias wins
        ("Some New App", (), {}, "Some New App"),  # not in the list: as named (unlisted use)
    ],
)
def test_tool_names_map_to_the_inventory_through_the_alias_list(name, inventory, mapping, expected):
    assert resolve_tool(name, Context(mapping=Mapping(tools=mapping), inventory=inventory))[0] == expected


def test_unattributable_expense_lines_say_how_to_attribute_them(eng: Path, tmp_path: Path):
    report = import_files([_put(tmp_path, fx.expensify)], eng, dry_run=True).reports[0]
    assert report.rows_kept == 0
    assert "map the file expensify_export.csv to a person under expenses.holder" in report.dropped[0]["reason"]


def test_unmapped_survey_answers_and_missing_department_are_reasons(eng: Path, tmp_path: Path):
    (eng / "import_mapping.yaml").write_text(fx.SURVEYMONKEY_MAPPING, encoding="utf-8")
    path = _put(tmp_path, fx.surveymonkey)
    path.write_bytes(path.read_bytes().replace(b'Sales,Account manager', b','))
    report = import_files([path], eng, dry_run=True).reports[0]
    assert report.dropped == [{"row": 3, "reason": "no department or role for this respondent (a Department/Role "
                                                   "question, or fill them in people.csv)"}]  # fmt: skip


def test_bad_mapping_file_is_one_line_per_key(eng: Path, tmp_path: Path):
    (eng / "import_mapping.yaml").write_text("survey:\n  levels:\n    Expert: 7\ntime:\n  ai_pattern: '('\n")
    with pytest.raises(ImportFailure) as exc:
        import_files([_put(tmp_path, fx.ramp)], eng)
    lines = str(exc.value).splitlines()
    assert len(lines) == 2 and all(line.startswith("import_mapping.yaml: ") for line in lines)


def test_loaded_engagement_and_validate_show_provenance(eng: Path, tmp_path: Path):
    import_files([_put(tmp_path, fx.copilot_graph)], eng)
    loaded = load_engagement(eng, strict=False, pseudonymize=False)
    notes = [str(p) for p in loaded.problems if p.severity == "note"]
    assert notes[0].startswith("usage.csv: imported from copilot_2026-06-30.csv (Microsoft 365 Copilot usage, user detail")
    assert "4 row(s) read, 3 kept, 1 dropped" in notes[0] and "it cannot show daily activity" in notes[0]
    assert loaded.tables["usage"]["snapshot"].notna().all()
    out = CliRunner().invoke(app, ["validate", str(eng)])
    assert "imported from copilot_2026-06-30.csv" in out.output.replace("\n", " ") or "copilot_2026-06-30" in out.output


def test_cli_lists_formats_with_their_columns():
    out = CliRunner().invoke(app, ["import", "--list"], terminal_width=250)
    assert out.exit_code == 0
    assert "m365_copilot_usage" in out.output and "Transaction Date, Amount, Merchant Name, User" in out.output


def test_cli_dry_run_prints_the_summary_and_an_unknown_file_exits_1(eng: Path, tmp_path: Path):
    path = _put(tmp_path, fx.okta_app_usage)
    out = CliRunner().invoke(app, ["import", str(path), "--into", str(eng), "--dry-run"], terminal_width=250)
    assert out.exit_code == 0, out.output
    assert "okta_app_usage.csv -> usage.csv" in out.output and "4 row(s) read, 3 kept, 1 dropped" in out.output
    assert "Dry run: nothing was written." in out.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["import", str(bad), "--into", str(eng)])
    assert out.exit_code == 1 and "Traceback" not in out.output

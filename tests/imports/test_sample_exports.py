"""End to end: the sample client as raw vendor exports (`kit sample --raw-exports`), imported into
its engagement with `kit import`, gives the bundled sample's tables; `kit run` then succeeds and
finds what the sample plants."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kit import sample
from kit.notebook import load_record
from tests.e2e.conftest import kit

BUNDLED = Path(__file__).resolve().parents[2] / "sample_data" / "halden"


COPILOT = "Microsoft 365 Copilot"
COPILOT_LICENCES = 80  # planted: the licence report assigns 80 Copilot seats (the inventory said 60)
COPILOT_EXPORT, M365_EXPORT = "copilot_usage_v2.csv", "m365_active_users.csv"


def _licence_exports(folder: Path) -> None:
    """The client's Microsoft 365 reports, built from the sample's Okta log: a Copilot usage v2 report
    (each Copilot user's last Okta day of Copilot as their Copilot Chat and Word last activity, 28-day
    period) and the active-users report (every person holds E3; 80 hold Copilot: its 57 users and 23
    who never used it; Exchange last activity = the person's last Microsoft 365 day)."""
    okta = pd.read_csv(folder / sample.EXPORTS_DIR / "okta_app_usage.csv", dtype=str, keep_default_na=False)
    okta["day"] = okta["Login Date_ISO8601"].str[:10]
    last = {tool: rows.groupby("Login")["day"].max() for tool, rows in okta.groupby("Instance name")}
    emails = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)["email"].tolist()
    users = list(last[COPILOT].index)
    licensed = users + [e for e in emails if e not in set(users)][: COPILOT_LICENCES - len(users)]
    copilot = pd.DataFrame({"Report Refresh Date": "2026-12-31", "User Principal Name": licensed, "Display Name": "",
                            "Last Activity Date": [last[COPILOT].get(e, "") for e in licensed]})  # fmt: skip
    copilot["Copilot Chat Last Activity Date"] = copilot["Word Copilot Last Activity Date"] = copilot["Last Activity Date"]
    copilot["Report Period"] = 28
    copilot["Prompts submitted for all apps"] = [10 if d else 0 for d in copilot["Last Activity Date"]]
    copilot["Active Usage Days for all apps"] = [2 if d else 0 for d in copilot["Last Activity Date"]]
    copilot.to_csv(folder / sample.EXPORTS_DIR / COPILOT_EXPORT, index=False)
    m365 = pd.DataFrame({"Report Refresh Date": "2026-12-31", "User Principal Name": emails, "Display Name": "",
                         "Is Deleted": "False", "Exchange Last Activity Date": [last["Microsoft 365"].get(e, "") for e in emails],
                         "Assigned Products": ["MICROSOFT 365 E3+MICROSOFT 365 COPILOT" if e in set(licensed)
                                               else "MICROSOFT 365 E3" for e in emails]})  # fmt: skip
    m365.to_csv(folder / sample.EXPORTS_DIR / M365_EXPORT, index=False)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("raw") / "halden"
    proc = kit("sample", str(folder), "--raw-exports", cwd=folder.parent)
    assert proc.returncode == 0, proc.stderr
    # the consultant lets the licence report carry Copilot's seats: its hand-entered row is removed
    tools = pd.read_csv(folder / "tools.csv", dtype=str, keep_default_na=False)
    tools[tools["tool"] != COPILOT].to_csv(folder / "tools.csv", index=False)
    _licence_exports(folder)
    exports = sorted(str(p) for p in (folder / sample.EXPORTS_DIR).glob("*.csv"))
    proc = kit("import", *exports, "--into", str(folder), cwd=folder.parent)
    assert proc.returncode == 0, proc.stderr
    # then fills in what the report cannot know (price, data class), and imports again
    tools = pd.read_csv(folder / "tools.csv", dtype=str, keep_default_na=False)
    row = tools["tool"] == COPILOT
    tools.loc[row, ["cost_per_seat_month", "max_data_class", "billing_cycle"]] = ["30.0", "confidential", "annual"]
    tools.to_csv(folder / "tools.csv", index=False)
    before = (folder / "tools.csv").read_bytes()
    proc = kit("import", *exports, "--into", str(folder), cwd=folder.parent)
    assert proc.returncode == 0, proc.stderr
    assert (folder / "tools.csv").read_bytes() == before  # the re-import changed nothing
    return folder


def _table(folder: Path, name: str, columns: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)[columns]
    return frame.sort_values(columns, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("usage", ["user_id", "tool", "date", "actions"]),
        ("expenses", ["date", "employee_id", "vendor", "amount", "description"]),
        ("skills_survey", ["respondent_id", "department", "role", "skill", "level"]),
        ("time_studies", ["workflow_id", "ai_assisted", "employee_id", "observed_on"]),
    ],
)
def test_imported_tables_hold_the_bundled_samples_rows(imported: Path, table: str, columns: list[str]):
    mine, theirs = _table(imported, table, columns), _table(BUNDLED, table, columns)
    if table == "usage":  # the licence reports add snapshot rows beside the Okta log's
        okta = pd.read_csv(imported / "usage.csv", dtype=str, keep_default_na=False)
        mine = okta.loc[okta["source"] == "okta_app_usage.csv", columns].sort_values(columns, kind="stable")
        mine = mine.reset_index(drop=True)
    if table == "expenses":  # Ramp prints amounts as the sample writes them; compare as numbers
        mine["amount"], theirs["amount"] = mine["amount"].astype(float), theirs["amount"].astype(float)
    pd.testing.assert_frame_equal(mine, theirs)


def test_imported_minutes_equal_the_samples_to_the_second(imported: Path):
    mine = pd.read_csv(imported / "time_studies.csv")["minutes"].sort_values().to_numpy()
    theirs = pd.read_csv(BUNDLED / "time_studies.csv")["minutes"].sort_values().to_numpy()
    assert abs(mine - theirs).max() < 1 / 60


def test_provenance_lists_every_export_with_nothing_dropped(imported: Path):
    entries = json.loads((imported / ".kit" / "imports.json").read_text(encoding="utf-8"))["imports"]
    summary = {e["source"]: (e["format"], e["rows_read"], e["rows_dropped"]) for e in entries}
    assert summary.pop(COPILOT_EXPORT) == ("m365_copilot_usage", COPILOT_LICENCES, COPILOT_LICENCES - 57)
    people = len(pd.read_csv(imported / "people.csv"))
    bundled = pd.read_csv(BUNDLED / "usage.csv")
    suite_users = bundled.loc[bundled["tool"] == "Microsoft 365", "user_id"].nunique()
    # everyone holds a licence; those the log never saw in Microsoft 365 have no activity date (dropped)
    assert summary.pop(M365_EXPORT) == ("m365_active_users", people, people - suite_users)
    assert summary == {
        "google_forms_responses.csv": ("google_forms", 148, 0),
        "okta_app_usage.csv": ("okta_app_usage", 88546, 0),
        "ramp_transactions.csv": ("ramp", 358, 0),
        "toggl_detailed.csv": ("toggl", 2698, 0),
    }


def test_kit_run_on_the_imported_client_finds_what_the_sample_plants(imported: Path, tmp_path: Path):
    proc = kit("run", str(imported), "--reports", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    truth = json.loads((imported / sample.PLANTED_FILE).read_text(encoding="utf-8"))
    results = tmp_path / "halden" / "latest" / "results"
    roi = load_record(results / "roi_ranking.json")["tables"]
    assert set(roi["start_here"]["workflow_id"]) == set(truth["best_workflows"])
    tools = load_record(results / "consolidation.json")["tables"]
    cancelled = tools["tools"].loc[tools["tools"]["recommendation"] == "cancel", "tool"]
    assert set(cancelled) == set(truth["tools"]["idle_tools"])
    unlisted = tools["shadow"].loc[tools["shadow"]["kind"] == "unlisted tool in use", "tool"]
    assert set(unlisted) == set(truth["tools"]["shadow_tools_in_usage"])
    # the planted licence count: the licence report's 80 Copilot seats, not the inventory's 60, so the
    # chat assistants' consolidation adds 3 seats to Copilot (it would add 23 at 60 seats)
    copilot = tools["tools"].set_index("tool").loc[COPILOT]
    assert (copilot["seats"], copilot["active_users"], copilot["extra_seats"]) == (COPILOT_LICENCES, 53, 3)
    assert copilot["recommendation"] == "keep" and "add 3 seat(s) for people moving in" in copilot["reason"]
    html = (tmp_path / "halden" / "latest" / "04_consolidation.html").read_text(encoding="utf-8")
    assert "seats of Microsoft 365 Copilot (80) are the licences m365_active_users.csv assigns" in html
    assert "imported from okta_app_usage.csv (Okta application usage report" in html

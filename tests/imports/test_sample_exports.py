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


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("raw") / "halden"
    proc = kit("sample", str(folder), "--raw-exports", cwd=folder.parent)
    assert proc.returncode == 0, proc.stderr
    exports = sorted(str(p) for p in (folder / sample.EXPORTS_DIR).glob("*.csv"))
    proc = kit("import", *exports, "--into", str(folder), cwd=folder.parent)
    assert proc.returncode == 0, proc.stderr
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
    html = (tmp_path / "halden" / "latest" / "04_consolidation.html").read_text(encoding="utf-8")
    assert "imported from okta_app_usage.csv (Okta application usage report" in html

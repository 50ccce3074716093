"""The intake contract, rule by rule: what must be accepted and how each bad input is reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from kit.intake import load_engagement
from kit.problems import IntakeError
from tests.conftest import TABLES, write_engagement


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(IntakeError) as info:
        load_engagement(folder)
    return [str(p) for p in info.value.problems if p.is_error]


def test_valid_engagement_loads_every_table_with_contract_types(engagement_dir):
    eng = load_engagement(engagement_dir, pseudonymize=False)
    assert set(eng.tables) == set(TABLES)
    wf = eng.tables["workflows"]
    assert wf["runs_per_month"].dtype == "float64"
    assert wf["people_involved"].tolist() == [1, 1]  # optional column absent: its default
    ts = eng.tables["time_studies"]
    assert ts["ai_assisted"].dtype == bool and ts["ai_assisted"].tolist() == [False, True]
    assert eng.tables["usage"]["date"].dtype == "datetime64[ns]"
    assert eng.tables["tools"]["billing_cycle"].tolist() == ["monthly", "monthly"]
    assert eng.problems == []


# One failing case per rule of the contract: (table, csv text, the exact expected line).
BAD_CELLS = [
    ("time_studies", "observation_id,workflow_id,ai_assisted,minutes\nO1,W1,false,-3\n",
     'time_studies.csv row 2, column minutes: "-3" must be a number > 0'),
    ("time_studies", "observation_id,workflow_id,ai_assisted,minutes\nO1,W1,maybe,3\n",
     'time_studies.csv row 2, column ai_assisted: "maybe" must be true/false, yes/no, y/n or 1/0'),
    ("time_studies", "observation_id,workflow_id,ai_assisted,minutes\nO1,W1,no,3\nO1,W1,no,4\n",
     'time_studies.csv row 3, column observation_id: "O1" is duplicated (must be unique)'),
    ("time_studies", "observation_id,workflow_id,ai_assisted,minutes,complexity\nO1,W1,no,3,6\n",
     'time_studies.csv row 2, column complexity: "6" must be a whole number from 1 to 5'),
    ("time_studies", "observation_id,workflow_id,ai_assisted,minutes,quality_score\nO1,W1,no,3,101\n",
     'time_studies.csv row 2, column quality_score: "101" must be a number from 0 to 100'),
    ("time_studies", "observation_id,workflow_id,ai_assisted,minutes,observed_on\nO1,W1,no,3,12/01/2026\n",
     'time_studies.csv row 2, column observed_on: "12/01/2026" must be a date YYYY-MM-DD'),
    ("time_studies", "observation_id,workflow_id,ai_assisted,minutes\nO1,W404,no,3\n",
     'time_studies.csv row 2, column workflow_id: "W404" must be a workflow_id listed in workflows'),
    ("workflows", TABLES["workflows"].replace("writing", "poetry"),
     'workflows.csv row 2, column task_type: "poetry" must be one of writing, summarizing, research, analysis, '
     "data_entry, customer_communication, internal_communication, reporting, scheduling, coding, review_approval, "
     "creative_design, physical_onsite, other"),
    ("workflows", TABLES["workflows"].replace(",10,60,", ",ten,60,"),
     'workflows.csv row 2, column runs_per_month: "ten" must be a number >= 0'),
    ("workflows", TABLES["workflows"].replace(",internal", ",secret"),
     'workflows.csv row 2, column data_sensitivity: "secret" must be one of public, internal, confidential, restricted'),
    ("workflows", TABLES["workflows"].replace("Analyst,", ","),
     'workflows.csv row 2, column owner_role: "" is empty; must be a non-empty text'),
    ("workflows", "workflow_id,department,workflow,task_type,runs_per_month,minutes_per_run,data_sensitivity\n",
     'workflows.csv: required column "owner_role" is missing'),
    ("workflows", "workflow_id,department,workflow,owner_role,task_type,runs_per_month,minutes_per_run,data_sensitivity,people_involved\n"
     "W1,F,V,A,writing,1,1,public,0\n",
     'workflows.csv row 2, column people_involved: "0" must be a whole number >= 1'),
    ("skills_survey", "respondent_id,department,role,skill,level\nE1,F,A,prompting,2.5\n",
     'skills_survey.csv row 2, column level: "2.5" must be a whole number from 0 to 4'),
    ("skills_survey", "respondent_id,department,role,skill,level\nE1,F,A,prompting,1\nE1,F,A,prompting,2\n",
     'skills_survey.csv row 3, column respondent_id, skill: "E1 + prompting" is duplicated: '
     "the pair (respondent_id, skill) must appear at most once"),
    ("role_targets", "role,skill,target_level,weight\n*,prompting,2,0\n",
     'role_targets.csv row 2, column weight: "0" must be a number > 0'),
    ("tools", TABLES["tools"].replace(",team,", ",premium,"),
     'tools.csv row 2, column plan: "premium" must be one of free, individual, team, enterprise'),
    ("tools", TABLES["tools"].replace(",10,30,", ",-1,30,"),
     'tools.csv row 2, column seats: "-1" must be a whole number >= 0'),
    ("tools", TABLES["tools"].replace("Otter,", "ChatGPT Team,"),
     'tools.csv row 3, column tool: "ChatGPT Team" is duplicated (must be unique)'),
    ("usage", "user_id,tool,date,actions\nE1,X,2026-02-30,1\n",
     'usage.csv row 2, column date: "2026-02-30" must be a date YYYY-MM-DD'),
    ("usage", "user_id,tool,date,actions\nE1,X,2026-02-03,-1\n",
     'usage.csv row 2, column actions: "-1" must be a whole number >= 0'),
    ("expenses", "expense_id,date,employee_id,vendor,amount\nX1,2026-01-01,E1,Shop,abc\n",
     'expenses.csv row 2, column amount: "abc" must be a number'),
    ("recurring_work", TABLES["recurring_work"].replace(",0.1,", ",1.5,"),
     'recurring_work.csv row 2, column exception_rate: "1.5" must be a number from 0 to 1'),
    ("recurring_work", TABLES["recurring_work"].replace(",low", ",severe"),
     'recurring_work.csv row 2, column error_impact: "severe" must be one of low, medium, high'),
    ("recurring_work", TABLES["recurring_work"].replace(",report,", ",memo,"),
     'recurring_work.csv row 2, column category: "memo" must be one of report, follow_up, research, internal_comms, '
     "data_sync, other"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "text", "expected"), BAD_CELLS, ids=[c[2][:60] for c in BAD_CELLS])
def test_each_contract_rule_reports_file_row_column_value_and_expectation(tmp_path, table, text, expected):
    folder = write_engagement(tmp_path / "eng", **{table: text})
    assert expected in problems_of(folder)


def test_all_problems_are_reported_together_not_only_the_first(tmp_path):
    folder = write_engagement(
        tmp_path / "eng",
        time_studies="observation_id,workflow_id,ai_assisted,minutes\nO1,W1,maybe,-3\nO2,W1,yes,0\n",
        tools=TABLES["tools"].replace(",team,", ",premium,"),
    )
    lines = problems_of(folder)
    assert len(lines) == 4
    assert {line.split(" ")[0] for line in lines} == {"time_studies.csv", "tools.csv"}


@pytest.mark.parametrize("spelling", ["true", "TRUE", "Yes", "y", "1", " yes "])
def test_boolean_spellings_mean_true(tmp_path, spelling):
    text = f"observation_id,workflow_id,ai_assisted,minutes\nO1,W1,{spelling},3\n"
    eng = load_engagement(write_engagement(tmp_path / "eng", time_studies=text))
    assert eng.tables["time_studies"]["ai_assisted"].tolist() == [True]


@pytest.mark.parametrize("spelling", ["false", "False", "NO", "n", "0"])
def test_boolean_spellings_mean_false(tmp_path, spelling):
    text = f"observation_id,workflow_id,ai_assisted,minutes\nO1,W1,{spelling},3\n"
    eng = load_engagement(write_engagement(tmp_path / "eng", time_studies=text))
    assert eng.tables["time_studies"]["ai_assisted"].tolist() == [False]


def test_headers_and_enums_match_after_trimming_and_lower_casing(tmp_path):
    text = (
        " Workflow_ID ,DEPARTMENT,Workflow,Owner_Role,Task_Type,Runs_Per_Month,Minutes_Per_Run,Data_Sensitivity\n"
        "W1,Finance,Variance,Analyst, Writing ,10,60, INTERNAL\n"
    )
    eng = load_engagement(write_engagement(tmp_path / "eng", workflows=text))
    row = eng.tables["workflows"].iloc[0]
    assert (row["task_type"], row["data_sensitivity"]) == ("writing", "internal")


def test_column_order_is_free_and_unknown_columns_are_kept(tmp_path):
    text = "minutes,notes,ai_assisted,workflow_id,observation_id\n3,hello,no,W1,O1\n"
    eng = load_engagement(write_engagement(tmp_path / "eng", time_studies=text))
    assert eng.tables["time_studies"]["notes"].tolist() == ["hello"]


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    folder = write_engagement(tmp_path / "eng")
    (folder / "workflows.csv").write_bytes(b"\xef\xbb\xbf" + TABLES["workflows"].encode("utf-8"))
    eng = load_engagement(folder)
    assert "workflow_id" in eng.tables["workflows"].columns


def test_non_utf8_file_is_reported_not_crashed(tmp_path):
    folder = write_engagement(tmp_path / "eng")
    (folder / "workflows.csv").write_bytes(TABLES["workflows"].replace("Finance", "Fïnance").encode("latin-1"))
    assert problems_of(folder) == ["workflows.csv: is not UTF-8 text (save it as 'CSV UTF-8')"]


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path):
    text = "observation_id,workflow_id,ai_assisted,minutes\nO1,W1,no,3\n\nO3,W1,no,-1\n"
    folder = write_engagement(tmp_path / "eng", time_studies=text)
    assert problems_of(folder) == ['time_studies.csv row 4, column minutes: "-1" must be a number > 0']


def test_xlsx_first_sheet_with_real_excel_dates_is_accepted(tmp_path):
    folder = write_engagement(tmp_path / "eng", usage=None)
    book = Workbook()
    sheet = book.active
    sheet.append(["User_ID", "Tool", "Date", "Actions"])
    sheet.append(["E1", "ChatGPT Team", dt.datetime(2026, 12, 1), 3])
    sheet.append(["E2", "ChatGPT Team", "2026-12-02", 4.0])
    book.create_sheet("ignored").append(["nothing"])
    book.save(folder / "usage.xlsx")
    usage = load_engagement(folder, pseudonymize=False).tables["usage"]
    assert usage["date"].tolist() == [pd.Timestamp("2026-12-01"), pd.Timestamp("2026-12-02")]
    assert usage["actions"].tolist() == [3, 4]


def test_xlsx_problems_name_the_sheet_row(tmp_path):
    folder = write_engagement(tmp_path / "eng", usage=None)
    book = Workbook()
    book.active.append(["user_id", "tool", "date"])
    book.active.append(["E1", "X", "yesterday"])
    book.save(folder / "usage.xlsx")
    assert problems_of(folder) == ['usage.xlsx row 2, column date: "yesterday" must be a date YYYY-MM-DD']


def test_data_override_in_settings_points_at_another_file(tmp_path):
    from tests.conftest import SETTINGS

    folder = write_engagement(tmp_path / "eng", settings=SETTINGS + "data:\n  usage: exports/sso.csv\n", usage=None)
    (folder / "exports").mkdir()
    (folder / "exports" / "sso.csv").write_text(TABLES["usage"], encoding="utf-8")
    assert load_engagement(folder).has("usage")


def test_missing_required_table_is_named_without_stopping_the_others(tmp_path):
    eng = load_engagement(write_engagement(tmp_path / "eng", recurring_work=None))
    assert not eng.has("recurring_work") and "recurring_work" in eng.missing
    assert eng.has("workflows")


def test_missing_role_targets_fall_back_to_template_defaults_with_a_warning(tmp_path):
    eng = load_engagement(write_engagement(tmp_path / "eng", role_targets=None))
    assert eng.has("role_targets") and len(eng.tables["role_targets"]) > 0
    assert any("default targets" in str(w) for w in eng.warnings)


def test_survey_skill_without_target_is_a_warning_not_an_error(tmp_path):
    survey = TABLES["skills_survey"] + "E2,Sales,Sales Rep,juggling,1\n"
    eng = load_engagement(write_engagement(tmp_path / "eng", skills_survey=survey))
    assert any('skill "juggling" has no target' in str(w) for w in eng.warnings)


def test_usage_of_a_tool_not_in_the_inventory_is_not_an_error(engagement_dir):
    eng = load_engagement(engagement_dir)
    assert "Perplexity" in set(eng.tables["usage"]["tool"])


def test_client_files_are_never_modified(engagement_dir):
    before = {p: p.read_bytes() for p in engagement_dir.rglob("*") if p.is_file()}
    load_engagement(engagement_dir)
    after = {p: p.read_bytes() for p in before}
    assert after == before


def test_non_strict_load_keeps_good_tables_and_lists_problems(tmp_path):
    folder = write_engagement(tmp_path / "eng", tools=TABLES["tools"].replace(",team,", ",premium,"))
    eng = load_engagement(folder, strict=False)
    assert not eng.has("tools") and eng.has("workflows")
    assert eng.missing["tools"] == "tools.csv has errors"


# ---------------------------------------------------------------- the fast CSV path reads what plain text reads

USAGE_HEADER = "user_id,tool,date,actions,Team\n"
FAST_PATH_CASES = [
    ("usage", USAGE_HEADER + "007,ChatGPT,2026-01-02,3,A\n7,ChatGPT,2026-01-02,03,7\n007, chatgpt ,2026-01-03,,\n"),
    ("usage", USAGE_HEADER + "1,True,2026-01-02,1,1\n2,False,2026-13-01,-4,2\n\n3,True,2026-01-02,1.5,3\n"),
    ("usage", "\ufeff" + USAGE_HEADER + "E1,Zoom,2026-01-02,7,x\n  ,Zoom,2026-01-02,7,y\n,,,,\n"),
    ("time_studies", "observation_id,workflow_id,ai_assisted,minutes,employee_id\n"
                     "1,W1,yes,3,10\n1,W1,no,4,11\n2,W1,maybe,0,\n3,W2,1,5.5,012\n"),
    ("tools", "tool,vendor,category,plan,seats,cost_per_seat_month,approved,max_data_class\n"
              "Zoom,Zoom,other,team,10,15,yes,internal\nZoom,Zoom,other,Team ,x,15,no,secret\n"),
]


def _plain_text_read(path: Path) -> pd.DataFrame:
    """`read_raw` as first written: every cell a Python string (pandas' C parser, dtype=str)."""
    from kit.intake import readers

    frame, _ = readers._pandas_csv(path, str)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _assert_same_as_plain_text(path: Path, table: str) -> None:
    from kit.intake import TABLE_SPECS, load_table
    from kit.intake.readers import parse_table, read_raw

    model = TABLE_SPECS[table].model
    fast, bad_rows = read_raw(path)  # numbers as categories too: pandas converts them, they are read again
    assert bad_rows == []
    want, want_problems = parse_table(_plain_text_read(path), model, path.name)
    for typed, problems in (parse_table(fast, model, path.name), load_table(path, TABLE_SPECS[table])):
        pd.testing.assert_frame_equal(typed, want)
        assert [str(p) for p in problems] == [str(p) for p in want_problems]


@pytest.mark.parametrize(("table", "text"), FAST_PATH_CASES, ids=["numeric-looking-ids", "booleans-and-bad-cells",
                                                                  "bom-blank-cells", "duplicated-ids", "bad-enums"])
def test_a_csv_read_through_its_distinct_values_gives_the_same_table_and_problems_as_plain_text(tmp_path, table, text):
    path = tmp_path / f"{table}.csv"
    path.write_text(text, encoding="utf-8")
    _assert_same_as_plain_text(path, table)


def test_every_table_of_a_scaled_sample_reads_the_same_through_its_distinct_values(tmp_path):
    from kit import sample
    from kit.intake import TABLE_SPECS

    sample.generate(tmp_path / "x2", seed=7, scale=2)
    for table in TABLE_SPECS:
        path = tmp_path / "x2" / f"{table}.csv"
        if path.is_file():
            _assert_same_as_plain_text(path, table)


def _hand_made_table() -> pd.DataFrame:
    index = pd.Index([0, 1, 3, 7])  # blank rows removed: labels with gaps
    return pd.DataFrame({
        "none_int": pd.Series(pd.NA, index=index, dtype="Int64"), "id": ["a", "b", "c", "d"],
        "none_date": pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"), "n": pd.array([1, None, 3, 4], "Int64"),
        "none_bool": pd.Series(pd.NA, index=index, dtype="boolean"), "none_float": np.nan, "text": "",
    }, index=index)  # fmt: skip


def test_a_table_kept_in_the_run_cache_comes_back_equal_without_its_empty_columns(tmp_path):
    import pickle

    from kit import sample
    from kit.intake import PackedTable, pack_table, unpack_table

    sample.generate(tmp_path / "x2", seed=7, scale=2)
    tables = dict(load_engagement(tmp_path / "x2").tables, hand_made=_hand_made_table())
    for name, table in tables.items():
        packed = pack_table(table)
        assert unpack_table(pickle.loads(pickle.dumps(packed))).equals(table), name
        pd.testing.assert_frame_equal(unpack_table(pickle.loads(pickle.dumps(packed))), table)
    packed = pack_table(tables["usage"])
    assert isinstance(packed, PackedTable) and {name for _, name, _ in packed.empty} == {
        "snapshot", "window_days", "prompts", "active_days"}  # fmt: skip
    assert [name for _, name, _ in pack_table(tables["hand_made"]).empty] == [
        "none_int", "none_date", "none_bool", "none_float"]  # fmt: skip

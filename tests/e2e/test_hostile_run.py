"""`kit run` on a small client whose names are hostile: formulas, markup, script links, colliding
role names and task ids that are not file names. Every phase runs and every deliverable is safe."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from kit.phases import PHASES
from kit.runner import page_title
from tests.e2e.conftest import kit
from tests.test_hostile import render

CLIENT = "=HYPERLINK(\"http://evil.example/?c\",\"Client\") <script>alert('client')</script>"
OWNER = "=cmd|' /C calc'!A0 [owner](javascript:alert(1))"
CHAT = '=HYPERLINK("http://evil.example/?t","x") Chat <img src=x onerror="alert(1)">'
OTTER = "<script>alert('tool')</script> Otter"
SHADOW = "[x](javascript:alert(1)) Perplexity"
ROLES = ("Account manager", "Account-Manager")
TASK_IDS = ("OPS/12", "ops 12", "..", "../../etc/passwd", "a\\b", "=1+1", "任务", "x" * 200)


def write_csv(folder: Path, name: str, rows: list[dict]) -> None:
    pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)


def hostile_client(folder: Path) -> Path:
    folder.mkdir(parents=True)
    settings = {"client": CLIENT, "slug": "hostile", "start_date": "2027-01-11", "hourly_cost": 50,
                "accountable_owner": OWNER, "as_of": "2026-12-31", "hourly_cost_by_role": {ROLES[1]: 80}}  # fmt: skip
    (folder / "engagement.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    wf = {"task_type": "writing", "runs_per_month": 40, "minutes_per_run": 30, "data_sensitivity": "internal"}
    write_csv(folder, "workflows", [
        {"workflow_id": "W/1", "department": "=Sales", "workflow": "+Quote <b>drafts</b>", "owner_role": ROLES[0], **wf},
        {"workflow_id": "..", "department": "=Sales", "workflow": "@Follow-ups", "owner_role": ROLES[1], **wf},
    ])  # fmt: skip
    write_csv(folder, "time_studies", [
        {"observation_id": f"O{i}", "workflow_id": w, "ai_assisted": ai, "minutes": m}
        for i, (w, ai, m) in enumerate([("W/1", False, 30), ("W/1", True, 20), ("..", False, 30), ("..", True, 25)])
    ])  # fmt: skip
    write_csv(folder, "skills_survey", [
        {"respondent_id": e, "department": "=Sales", "role": role, "skill": skill, "level": lvl}
        for e, role, lvl in (("E1", ROLES[0], 1), ("E2", ROLES[1], 2), ("E3", ROLES[0], 3))
        for skill in ("prompting", "-verification")
    ])  # fmt: skip
    write_csv(folder, "role_targets", [{"role": "*", "skill": s, "target_level": 3} for s in ("prompting", "-verification")])
    write_csv(folder, "tools", [
        {"tool": CHAT, "vendor": "=OpenAI", "category": "chat_assistant", "plan": "team", "seats": 10,
         "cost_per_seat_month": 30, "approved": "true", "max_data_class": "internal", "renewal_date": "2027-01-31",
         "owner": "@IT"},
        {"tool": OTTER, "vendor": "-Otter.ai", "category": "meeting_assistant", "plan": "individual", "seats": 2,
         "cost_per_seat_month": 17, "approved": "no", "max_data_class": "public", "owner": OWNER},
    ])  # fmt: skip
    write_csv(folder, "usage", [
        {"user_id": e, "tool": t, "date": f"2026-12-{d:02d}"}
        for e, t in (("E1", CHAT), ("E2", CHAT), ("E3", SHADOW), ("E2", OTTER)) for d in range(1, 21)
    ])  # fmt: skip
    write_csv(folder, "expenses", [
        {"expense_id": "X1", "date": "2026-11-05", "employee_id": "E3", "vendor": "=OPENAI *CHATGPT", "amount": 20},
        {"expense_id": "X2", "date": "2026-11-20", "employee_id": "E3", "vendor": "=OPENAI *CHATGPT", "amount": -20},
    ])  # fmt: skip
    write_csv(folder, "recurring_work", [
        {"task_id": t, "department": "=Sales", "task": f"Report <i>{i}</i> [x](javascript:alert({i}))",
         "category": "report", "owner_role": ROLES[i % 2], "runs_per_month": 4 + i, "minutes_per_run": 30,
         "input_structure": 5, "rule_based": 4, "exception_rate": 0.1, "data_sensitivity": "internal",
         "error_impact": "low", "systems": "=ERP;<b>Excel</b>"}
        for i, t in enumerate(TASK_IDS)
    ])  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    client = hostile_client(tmp_path_factory.mktemp("client") / "hostile")
    reports = tmp_path_factory.mktemp("reports")
    proc = kit("run", str(client), "--reports", str(reports), "--param", f"top_specs={len(TASK_IDS)}", cwd=reports)
    return proc, reports / "hostile" / "latest"


def test_every_phase_runs_on_hostile_names(hostile_run):
    proc, run = hostile_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert {p["phase"]: p["status"] for p in manifest["phases"]} == {p.name: "skipped" if p.needs_baseline else "ok" for p in PHASES}


def test_each_role_and_each_task_id_has_its_own_safe_page_linked_from_the_index(hostile_run):
    _, run = hostile_run
    pages = sorted((run / "pages").iterdir())
    for p in pages:
        assert re.fullmatch(r"[a-z0-9_-]{1,100}\.(html|md|txt|xlsx|pptx)", p.name), p.name
    titles = {page_title(p) for p in pages if p.suffix == ".html"}
    assert {f"AI playbook: {r}" for r in ROLES} <= titles
    specs = [t for t in titles if t.startswith("Agent specification: ")]
    assert sorted(specs) == sorted(f"Agent specification: Report <i>{i}</i> [x](javascript:alert({i}))"
                                   for i in range(len(TASK_IDS)))  # fmt: skip
    index = (run / "index.html").read_text(encoding="utf-8")
    assert all(f'href="pages/{p.name}"' in index for p in pages)
    summary = (run / "06_engagement_summary.html").read_text(encoding="utf-8")
    # the summary links every page the phases wrote; the deck is written after it, from its results
    assert all(f'href="pages/{p.name}"' in summary for p in pages if p.suffix != ".pptx")


def test_the_workbook_holds_no_formula_and_shows_the_names_as_written(hostile_run):
    _, run = hostile_run
    wb = openpyxl.load_workbook(run / "pages" / "engagement_workbook.xlsx")
    assert [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
    tools = wb["Tools"]
    assert sorted(row[0] for row in tools.iter_rows(min_row=2, values_only=True)) == sorted([CHAT, OTTER])
    assert all(c.quotePrefix for c in tools["A"][1:] if c.value.startswith("="))


def test_the_policy_markdown_renders_no_html_and_no_script_link(hostile_run):
    _, run = hostile_run
    md = (run / "pages" / "acceptable_use_policy.md").read_text(encoding="utf-8")
    html = render(md)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    text = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert CHAT in text.replace("&amp;", "&") and OWNER in text.replace("&amp;", "&")

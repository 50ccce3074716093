"""Progress since the baseline: the sample's planted follow-up outcomes are found, and each comparison
rule holds on hand-made cases (kit.phases.progress, kit.baseline, `kit progress`)."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from typer.testing import CliRunner

from kit import sample
from kit.baseline import RunData, Snapshot, baseline_file, load_run, record_baseline, recorded_baseline
from kit.cli import app
from kit.intake import load_engagement
from kit.model import EngagementModel
from kit.phases import progress as pg
from kit.phases.progress import analysis as pga
from kit.runner import point_latest
from kit.settings import parse_settings

AS_OF = pd.Timestamp("2027-03-31")


@pytest.fixture(scope="module")
def follow_up(tmp_path_factory):
    """The sample's baseline run and its follow-up three months on, as two run folders."""
    root = tmp_path_factory.mktemp("progress")
    folder, reports = root / "halden", root / "reports" / "halden"
    sample.generate(folder, seed=7)
    base = EngagementModel(load_engagement(folder))
    base["engagement_summary"], base["snapshot"]
    base.save(reports / "20270101-090000")
    truth = sample.generate_follow_up(folder, seed=7)
    eng = load_engagement(folder)
    model = EngagementModel(eng, baseline=load_run(reports / "20270101-090000"))
    result = model["progress"]
    model.save(reports / "20270401-090000")
    return SimpleNamespace(folder=folder, reports=root / "reports", truth=truth["follow_up"], result=result,
                           model=model)  # fmt: skip


# --- the sample's planted outcomes ------------------------------------------------------------


def test_sample_follow_up_finds_the_pick_that_realizes_clearly_less_than_predicted(follow_up):
    r = follow_up.result
    w = r.workflows.set_index("workflow_id")
    assert w.loc[follow_up.truth["clearly_less"], "verdict"] == pg.LESS
    assert w.loc["W01", "realized_high"] < w.loc["W01", "predicted_low"]
    assert w.loc["W01", "realized"] == pytest.approx(follow_up.truth["realized_saving"]["W01"], abs=0.1)
    assert list(w.loc[["W49", "W02"], "verdict"]) == [pg.IN_LINE, pg.IN_LINE]
    # the untreated re-timed workflows make it a difference in differences; W30 has too few runs to count
    assert w.loc["W01", "method"].startswith("difference in differences") and w.loc["W01", "controls"] == "W03, W20"
    gate = r.gates.set_index("phase").loc["Foundation"]
    assert gate["gate"] == pg.NOT_PASSED and "RFQ response drafting" in gate["missing"]


def test_sample_follow_up_finds_the_recommended_cancellation_that_was_not_done(follow_up):
    recs = follow_up.result.recommendations.set_index("tool")
    assert recs.loc[follow_up.truth["not_cancelled"], "status"] == pg.NOT_DONE
    done = [t for t, (seats, _) in sample.FOLLOW_UP_DONE.items() if t in recs.index]
    assert set(recs.loc[done, "status"]) == {pg.CARRIED_OUT}
    late = follow_up.result.milestones[follow_up.result.milestones["status"] == pg.LATE]
    assert list(late["milestone"]) == ["Cancel Jasper, renews 01 Feb 2027"]
    assert follow_up.result.realized_saving < follow_up.result.planned_saving


def test_sample_follow_up_adoption_rose_in_the_trained_departments_only(follow_up):
    r = follow_up.result
    d = r.adoption[r.adoption["scope"] == "department"].set_index("group")
    more_days = d["days_now"] - d["days_before"]
    trained = follow_up.truth["trained_departments"]
    assert set(r.trained_groups) == set(trained)
    assert (more_days[trained] > 2).all() and (d.loc[trained, "change"] > 0).all()
    others = d.index.difference(trained)
    assert (more_days[others].abs() < 0.01).all() and (d.loc[others, "change"] == 0).all()
    cohorts = r.cohorts.set_index("group")
    assert cohorts.loc["Trained cohorts", "difference_low"] > 0  # trained usage rose more than untrained


def test_sample_follow_up_finds_the_pilot_that_moved_to_approval(follow_up):
    p = follow_up.result.pilots.set_index("task_id")
    assert p.loc[follow_up.truth["pilot_to_approval"], "stage"] == "approval"
    assert p.loc["T14", "path"] == "shadow from 15 Feb 2027 → approval from 20 Mar 2027"
    assert p.loc["T15", "stage"] == "shadow" and p.loc["T10", "status"] == "not started: on track"


def test_sample_follow_up_names_the_owner_and_matches_every_workflow_tool_and_person(follow_up):
    r = follow_up.result
    owner = r.milestones[r.milestones["milestone"] == "Name one accountable owner for the rollout"].iloc[0]
    assert owner["status"] == pg.DONE and follow_up.truth["owner"] in owner["evidence"]
    assert r.matching.empty and r.new_tools == ()


def test_executive_paragraph_and_workbook_of_a_follow_up_carry_the_progress(follow_up):
    from openpyxl import load_workbook

    from kit.phases import summary as sm

    summary = follow_up.model["engagement_summary"]
    assert summary.executive_summary.startswith("Since the baseline (run 20270101-090000")
    assert "RFQ response drafting realizes clearly less than predicted" in summary.executive_summary
    data = sm.workbook_bytes(summary, follow_up.model["phase_records"], follow_up.result)
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert names[1:4] == ["Progress figures", "Progress gates", "Progress milestones"]
    assert "Progress figures" not in load_workbook(io.BytesIO(sm.workbook_bytes(summary, {}))).sheetnames


# --- hand-made cases of each rule -------------------------------------------------------------

SETTINGS = parse_settings({"client": "Acme", "slug": "acme", "start_date": "2027-01-04", "hourly_cost": 50})


def _run(run_id, as_of, tables, results=None, owner=""):
    return RunData(run_id, Snapshot(pd.Timestamp(as_of), owner, tables), results or {})


def _evidence(owner=""):
    empty = pd.DataFrame(columns=pg.COLUMNS["pilots"])
    return pga._Evidence(owner, pd.DataFrame(columns=pg.COLUMNS["workflows"]),
                        pd.DataFrame(columns=pg.COLUMNS["recommendations"]), math.nan, math.nan, False, {}, empty,
                        math.nan)  # fmt: skip


@pytest.mark.parametrize(("due", "status", "said"), [
    ("2027-03-30", pg.LATE, "1 day(s) ago"),  # late by one day
    ("2027-03-31", pg.ON_TRACK, "still names nobody"),  # due today: not late yet
    ("2027-04-30", pg.ON_TRACK, "still names nobody"),
])  # fmt: skip
def test_a_milestone_not_done_is_late_from_the_day_after_its_due_date(due, status, said):
    marks = pd.DataFrame([{"phase": "Foundation", "due": pd.Timestamp(due), "milestone": "Name one owner",
                           "owner": "Leadership", "source": "engagement.yaml", "subject": ""}])  # fmt: skip
    out = pg.milestone_status(marks, _evidence(owner=""), AS_OF).iloc[0]
    assert out["status"] == status and said in out["evidence"]
    assert pg.milestone_status(marks, _evidence(owner="Kim"), AS_OF).iloc[0]["status"] == pg.DONE


def test_shadow_ai_milestone_evidence_quotes_the_run_rate_in_the_engagement_currency():
    marks = pd.DataFrame([{"phase": "Consolidation", "due": pd.Timestamp("2027-03-01"), "milestone": "Bring shadow AI in",
                           "owner": "IT", "source": "Consolidation", "subject": "Shadow AI"}])  # fmt: skip
    e = dataclasses.replace(_evidence(), shadow_now=1200.0, shadow_people_now=5.0, currency="EUR")
    out = pg.milestone_status(marks, e, AS_OF).iloc[0]
    assert "AI on expenses now EUR 1,200 a year" in out["evidence"] and out["status"] != pg.DONE


def _consolidation_runs(after_inventory, later_usage):
    tools = pd.DataFrame({"tool": ["Otter"], "recommendation": ["cancel"], "seats": [10], "target_seats": [0],
                          "annual_cost": [1200.0], "annual_saving": [1200.0], "moves_to": [""], "users_moved": [0]})  # fmt: skip
    cons = SimpleNamespace(tools=tools, expense_matches=pd.DataFrame())
    marks = pd.DataFrame([{"phase": "Consolidation", "due": pd.Timestamp("2027-01-15"), "milestone": "Cancel Otter",
                           "source": "Consolidation", "subject": "Otter"}])  # fmt: skip
    inv = pd.DataFrame({"tool": ["Otter"], "seats": [10], "cost_per_seat_month": [10.0]})
    b = _run("b", "2026-12-31", {"tools": inv}, {"consolidation": cons,
                                                 "engagement_summary": SimpleNamespace(milestones=marks)})  # fmt: skip
    c = _run("c", AS_OF, {"tools": after_inventory, "usage": later_usage})
    return b, c


@pytest.mark.parametrize(("inventory", "users", "status", "realized"), [
    ("gone", [], pg.CARRIED_OUT, 1200.0),
    ("gone", ["U1", "U2"], pg.STILL_USED, 1200.0),  # cancelled in the inventory, still in the usage export
    ("kept", [], pg.NOT_DONE, 0.0),
])  # fmt: skip
def test_a_cancelled_tool_still_in_usage_is_reported_as_not_carried_out(inventory, users, status, realized):
    inv = pd.DataFrame({"tool": ["Otter"] if inventory == "kept" else [], "seats": [10] if inventory == "kept" else [],
                        "cost_per_seat_month": [10.0] if inventory == "kept" else []})  # fmt: skip
    usage = pd.DataFrame({"user_id": users, "tool": "Otter", "date": pd.Timestamp("2027-02-01")})
    b, c = _consolidation_runs(inv, usage)
    recs, _, _ = pg.consolidation_progress(b, c, AS_OF)
    row = recs.iloc[0]
    assert (row["status"], row["realized_saving"]) == (status, realized)
    if users:
        assert "2 person(s) used it after 15 Jan 2027" in row["evidence"]


def test_both_runs_usage_is_each_person_tool_and_day_once_whether_the_exports_are_the_same_or_overlap(follow_up):
    """`_usage`: the same table in both runs is taken once (not doubled, then de-duplicated); tables
    that overlap give what concatenating and de-duplicating them gives. `_by_tool` splits rows as a
    filter per tool does."""
    usage = follow_up.model.eng.tables["usage"]
    key = ["user_id", "tool", "date"]
    same = pga._usage(_run("b", "2026-12-31", {"usage": usage}), _run("c", AS_OF, {"usage": usage.copy()}))
    pd.testing.assert_frame_equal(same, usage.drop_duplicates(key).reset_index(drop=True))
    half = len(usage) // 2
    early, late = usage.iloc[: half + 100], usage.iloc[half:]  # 100 rows in both exports
    both = pga._usage(_run("b", "2026-12-31", {"usage": early}), _run("c", AS_OF, {"usage": late}))
    pd.testing.assert_frame_equal(both, pd.concat([early, late], ignore_index=True).drop_duplicates(key))
    assert len(both) == len(usage.drop_duplicates(key))
    split = pga._by_tool(usage)
    assert sorted(split) == sorted(usage["tool"].unique())
    for tool, rows in split.items():
        pd.testing.assert_frame_equal(rows, usage[usage["tool"] == tool])


def _edit_first_row(path: Path, column: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, cells = lines[0].rstrip("\n").split(","), lines[1].rstrip("\n").split(",")
    i = header.index(column)
    cells[i] = f"{float(cells[i]) + 1:g}"
    lines[1] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_the_usage_parts_of_progress_are_kept_while_another_table_changes_and_equal_a_clean_comparison(
    follow_up, tmp_path
):
    """`progress_usage` (matching, adoption, seats, the consolidation and training follow-ups: what reads
    the usage export) is a node of its own: a change to the recurring work recomputes the progress
    node but reuses it; a change to the usage export recomputes it; either way the result is the one
    a clean comparison, without the cache and without the split, gives."""
    from kit.cache import RunCache
    from tests.test_cache import assert_same

    folder = tmp_path / "halden"
    shutil.copytree(follow_up.folder, folder)
    baseline = load_run(follow_up.reports / "halden" / "20270101-090000")
    cache = RunCache(tmp_path / "cache")

    def run(cached: bool = True) -> EngagementModel:
        used = cache if cached else None  # tables keyed by their files' content through the cache
        model = EngagementModel(load_engagement(folder, cache=used), baseline=baseline, cache=used)
        model["progress"]
        cache.flush()
        return model

    first = run()
    assert {"progress_usage", "progress"} <= set(first.computed)
    _edit_first_row(folder / "recurring_work.csv", "minutes_per_run")
    again = run()
    assert "progress" in again.computed and "progress_usage" in again.reused and "progress_usage" not in again.computed
    clean = run(cached=False)
    assert_same(again["progress"], clean["progress"], "progress")
    whole = pga.analyze(baseline, RunData("this run", clean["snapshot"], {
        k: clean[k] for k in ("roi_ranking", "training_gaps", "consolidation", "agent_candidates")}), clean.eng.settings)
    assert_same(again["progress"], whole, "progress")  # the split changes nothing
    assert whole.adoption["active_now"].sum() > 0 and len(whole.seats)  # the parts hold something to compare

    usage = folder / "usage.csv"
    lines = usage.read_text(encoding="utf-8").splitlines(keepends=True)
    usage.write_text("".join(lines[:-50]), encoding="utf-8")  # the export's last 50 rows gone
    third = run()
    assert {"progress_usage", "progress"} <= set(third.computed)
    assert_same(third["progress"], run(cached=False)["progress"], "progress")
    assert not third["progress_usage"].adoption.equals(again["progress_usage"].adoption)


def test_when_the_usage_parts_raise_the_progress_phase_fails_with_the_reason_and_nothing_is_kept(
    follow_up, tmp_path, monkeypatch
):
    from kit.cache import RunCache
    from kit.model import Unavailable

    def broken(*args, **kwargs):
        raise ValueError("usage export unreadable")

    monkeypatch.setattr(pg, "usage_parts", broken)
    cache = RunCache(tmp_path / "cache")
    eng = load_engagement(follow_up.folder, cache=cache)
    model = EngagementModel(eng, baseline=load_run(follow_up.reports / "halden" / "20270101-090000"), cache=cache)
    result = model["progress"]
    assert isinstance(result, Unavailable) and result.status == "failed"
    assert result.reason == "ValueError: usage export unreadable" and "Traceback" in result.detail
    cache.flush()
    assert not list((cache.root / "nodes").glob("progress*"))  # a failure is never kept: the next run tries again


def _studies(wid, n, ai, start, minutes=30.0, prefix="O"):
    return pd.DataFrame({"observation_id": [f"{prefix}{wid}{i}" for i in range(n)], "workflow_id": wid,
                         "ai_assisted": ai, "minutes": [minutes * (1 + 0.01 * i) for i in range(n)],
                         "observed_on": pd.Timestamp(start)})  # fmt: skip


@pytest.mark.parametrize(("after_runs", "measured"), [(2, False), (4, False), (5, True)])
def test_a_workflow_re_timed_on_too_few_runs_gets_a_plain_message_not_a_number(after_runs, measured):
    start = pd.DataFrame({"workflow_id": ["W1"], "workflow": ["Drafting"], "department": ["Sales"], "saving": [0.4],
                          "saving_low": [0.3], "saving_high": [0.5], "annual_hours_saved": [100.0]})  # fmt: skip
    before = _studies("W1", 8, False, "2026-11-01")
    wf = pd.DataFrame({"workflow_id": ["W1"], "workflow": ["Drafting"]})
    b = _run("b", "2026-12-31", {"time_studies": before, "workflows": wf},
             {"roi_ranking": SimpleNamespace(start_here=start)})  # fmt: skip
    now = pd.concat([before, _studies("W1", after_runs, True, "2027-03-01", minutes=18.0, prefix="N")])
    c = _run("c", AS_OF, {"time_studies": now, "workflows": wf})
    row = pg.workflow_progress(b, c, SETTINGS)[0].iloc[0]
    if measured:
        assert row["verdict"] == pg.IN_LINE and row["realized"] == pytest.approx(0.4, abs=0.05)
    else:
        assert row["verdict"] == pg.NOT_MEASURED and math.isnan(row["realized"])
        assert f"re-timed on {after_runs} run(s)" in row["note"] and "at least 5" in row["note"]


def test_different_people_new_tools_and_renamed_workflows_are_reported_not_matched():
    wb = pd.DataFrame({"workflow_id": ["W1", "W2", "W3"], "workflow": ["Drafting", "Quotes", "Filing"]})
    wc = pd.DataFrame({"workflow_id": ["W1", "W9", "W4"], "workflow": ["Drafting v2", "Quotes", "Invoices"]})
    survey_b = pd.DataFrame({"respondent_id": ["P1", "P2", "P3"], "department": "Sales"})
    survey_c = pd.DataFrame({"respondent_id": ["P1", "P7"], "department": "Sales"})
    tools_b, tools_c = pd.DataFrame({"tool": ["Otter"]}), pd.DataFrame({"tool": ["otter ", "Gamma"]})
    b = _run("b", "2026-12-31", {"workflows": wb, "skills_survey": survey_b, "tools": tools_b})
    c = _run("c", AS_OF, {"workflows": wc, "skills_survey": survey_c, "tools": tools_c})
    m = pg.matching(b, c)
    got = {(k, i) for k, i in zip(m["kind"], m["item"], strict=True)}
    assert got == {("workflow renamed", "W1"), ("new workflow", "W9"), ("new workflow", "W4"),
                   ("workflow gone", "W2"), ("workflow gone", "W3"), ("new tool", "Gamma"),
                   ("new people", "skills survey"), ("people not re-surveyed", "skills survey")}  # fmt: skip
    detail = m.set_index("item")["detail"]
    assert "the baseline had \"Quotes\" as W2; ids differ, so they are not compared" in detail["W9"]
    assert "1 respondent(s) were not in the baseline survey" in m.loc[m["kind"] == "new people", "detail"].iloc[0]


def test_habitual_users_are_active_in_at_least_9_of_the_12_weeks_ending_on_as_of():
    days = [AS_OF - pd.Timedelta(days=7 * w) for w in range(9)]  # 9 distinct weeks
    usage = pd.DataFrame({"user_id": ["A"] * 9 + ["B"] * 8, "tool": "Copilot", "date": days + days[:8]})
    assert pg.habitual_users(usage, AS_OF) == {"A"}


def test_without_a_baseline_the_progress_result_is_empty_and_says_why():
    eng = SimpleNamespace(settings=SETTINGS)
    r = pg.empty_result("no baseline run is recorded for this engagement", eng.settings)
    assert not r.available and r.workflows.empty and "Nothing to compare yet" in pg.status_text(r)
    assert pg.summary_text(r) == ""


# --- the baseline record and `kit progress` ---------------------------------------------------


def _settings_yaml(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "engagement.yaml").write_text("client: Acme\nslug: acme\nstart_date: 2027-01-04\nhourly_cost: 50\n",
                                            encoding="utf-8")  # fmt: skip


def test_kit_progress_without_a_baseline_fails_with_one_plain_line(tmp_path):
    _settings_yaml(tmp_path / "acme")
    out = CliRunner().invoke(app, ["progress", str(tmp_path / "acme"), "--reports", str(tmp_path / "reports")])
    assert out.exit_code == 1
    lines = [ln for ln in out.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: no baseline run recorded for acme")
    assert "Traceback" not in out.output


def test_kit_progress_compares_the_latest_run_with_the_recorded_baseline(follow_up):
    reports = follow_up.reports
    record_baseline(reports, "halden", "20270101-090000")
    point_latest(reports / "halden" / "20270401-090000")
    assert recorded_baseline(reports, "halden") == "20270101-090000"
    out = CliRunner().invoke(app, ["progress", str(follow_up.folder), "--reports", str(reports)])
    assert out.exit_code == 0, out.output
    assert "run 20270401-090000 against the baseline 20270101-090000" in out.output
    assert "RFQ response drafting realizes clearly less than predicted" in out.output
    assert "Foundation" in out.output and "not passed" in out.output


def test_run_baseline_option_must_name_a_complete_run(tmp_path):
    from kit.runner import RunError, resolve_baseline

    (tmp_path / "acme" / "20270101-090000").mkdir(parents=True)
    (tmp_path / "acme" / "20270101-090000" / "manifest.json").write_text(json.dumps({"status": "failed"}))
    with pytest.raises(RunError, match="no run 'nope' under"):
        resolve_baseline(tmp_path, "acme", "nope")
    with pytest.raises(RunError, match="that run is failed; a baseline must be a complete run"):
        resolve_baseline(tmp_path, "acme", "20270101-090000")
    assert resolve_baseline(tmp_path, "acme", None) is None  # nothing recorded: no baseline


def test_progress_phase_is_skipped_without_a_baseline_and_does_not_hold_back_latest(follow_up):
    from kit.runner import plan_phases, unselected_phases

    eng = load_engagement(follow_up.folder)
    plan = {o.phase: o for o in plan_phases(eng, None, has_baseline=False)}
    assert plan["progress"].status == "skipped" and "needs a baseline run" in plan["progress"].error
    assert plan_phases(eng, None, has_baseline=True)[-1].status == "planned"
    assert unselected_phases(eng, [o for o in plan.values() if o.phase != "progress"]) == []


def test_index_links_the_progress_report_first_when_there_is_one():
    from kit.report import IndexEntry, index_html

    html = index_html(client="Acme", date="2027-04-01", run_id="r", entries=[IndexEntry("Summary", "06.html")],
                      summary_href="06.html", executive_summary="Since the baseline …", progress_href="07_progress.html")  # fmt: skip
    assert html.index("07_progress.html") < html.index("Since the baseline") < html.index('href="06.html"')
    assert "Start here: progress since the baseline" in html and "Then the summary" in html


# --- live copies and the presentation -----------------------------------------------------------


def test_a_live_copy_compares_with_the_recorded_baseline_as_the_run_does(follow_up, tmp_path, monkeypatch):
    from kit import notebook as nb

    monkeypatch.delenv(nb.REPORT_ENV, raising=False)
    record_baseline(follow_up.reports, "halden", "20270101-090000")
    eng = load_engagement(follow_up.folder)
    for folder in ("live", "present"):  # kit open's live copies and kit present's copies of them
        live = nb.model(eng, str(follow_up.reports / "halden" / folder), "progress")["progress"]
        assert live.available and pg.summary_text(live) == pg.summary_text(follow_up.result)
    elsewhere = nb.model(eng, str(tmp_path / "scratch"), "progress")["progress"]
    assert not elsewhere.available  # not an engagement's reports folder: nothing to compare with


def test_kit_present_includes_the_progress_notebook_once_a_baseline_is_recorded(follow_up, monkeypatch):
    from kit import live

    served = []
    monkeypatch.setattr(live, "run_jupyterlab", lambda argv: served.append(argv) or SimpleNamespace(code=0, started=True, reason=""))
    record_baseline(follow_up.reports, "halden", "20270101-090000")
    out = CliRunner().invoke(app, ["present", str(follow_up.folder), "07", "--reports", str(follow_up.reports)])
    assert out.exit_code == 0, out.output
    assert served and served[0][3].endswith("present/07_progress.ipynb")
    baseline_file(follow_up.reports, "halden").unlink()
    out = CliRunner().invoke(app, ["present", str(follow_up.folder), "07", "--reports", str(follow_up.reports)])
    assert out.exit_code == 1 and "cannot be presented: it needs a baseline run" in out.output

"""The engagement-summary phase's extra pages: the Excel workbook (pages/engagement_workbook.xlsx)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit import safe
from kit.phases.summary.analysis import NAME, PhaseRecord, SummaryResult, _table, _title


def workbook_note(path) -> str:
    if path is None:
        return (
            "Live session without a run folder: `kit run` writes the Excel workbook (pages/engagement_workbook.xlsx)."
        )
    return (
        f"The key tables of every phase are in an Excel workbook, pages/{Path(path).name}, one sheet per table with "
        "readable column names and units, for your own slides; its first sheet lists the others."
    )


# ---------------------------------------------------------------- Excel workbook

MONEY, HOURS, SHARE, DATE, NUMBER, INT, TEXT = "#,##0", "#,##0.0", "0%", "yyyy-mm-dd", "#,##0.00", "#,##0", None


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: a table of a phase record (or of the summary) with readable
    columns. `columns`: (record column, header with its unit, number format); `{cur}` in a header
    becomes the currency."""

    name: str
    phase: str  # a source phase, or "engagement_summary"
    table: str
    about: str
    columns: tuple[tuple[str, str, str | None], ...]


WORKBOOK_SHEETS: tuple[Sheet, ...] = (
    Sheet("Headline figures", NAME, "headlines", "The executive figures with their intervals and sources", (
        ("figure", "Figure", TEXT), ("value", "Value", NUMBER), ("low", "Low end", NUMBER), ("high", "High end", NUMBER),
        ("unit", "Unit", TEXT), ("phase", "From", TEXT), ("source", "Record field", TEXT))),
    Sheet("Diagnosis", NAME, "diagnosis", "Six factors: leadership's rating and the evidence (1 failing … 3 successful)", (
        ("label", "Factor", TEXT), ("self_assessment", "Leadership's rating (1–3)", INT),
        ("evidence_level", "Evidence (1–3)", INT), ("gap", "Evidence − rating (levels)", INT),
        ("finding", "Finding", TEXT), ("evidence", "Evidence", TEXT))),
    Sheet("Diagnosis checks", NAME, "signals", "Every check behind the diagnosis", (
        ("label", "Factor", TEXT), ("check", "Check", TEXT), ("observed", "What the data show", TEXT),
        ("result", "Result", TEXT), ("source", "From", TEXT))),
    Sheet("Roadmap", NAME, "roadmap", "The four phases with dates, owner, goal and metric", (
        ("phase", "Phase", TEXT), ("start", "Starts", DATE), ("end", "Ends", DATE), ("weeks", "Weeks", INT),
        ("owner", "Accountable", TEXT), ("goal", "Goal", TEXT), ("metric", "Metric", TEXT))),
    Sheet("Milestones", NAME, "milestones", "Dated milestones with owner and metric", (
        ("phase", "Phase", TEXT), ("due", "Due", DATE), ("milestone", "Milestone", TEXT), ("owner", "Owner", TEXT),
        ("metric", "Metric", TEXT), ("baseline", "Baseline", NUMBER), ("target", "Target", NUMBER),
        ("unit", "Unit of baseline and target", TEXT), ("note", "Note", TEXT))),
    Sheet("Chosen workflows", NAME, "workflows", "The workflows to start with: baseline, target, hours and value", (
        ("workflow", "Workflow", TEXT), ("department", "Department", TEXT), ("owner_role", "Owner role", TEXT),
        ("baseline_minutes", "Baseline (minutes per run)", HOURS), ("baseline_source", "Baseline from", TEXT),
        ("target_minutes", "Target (minutes per run)", HOURS), ("saving", "Time saved (%)", SHARE),
        ("saving_low", "Time saved, low end (%)", SHARE), ("saving_high", "Time saved, high end (%)", SHARE),
        ("annual_hours_saved", "Hours saved per year", HOURS), ("annual_hours_saved_low", "Hours saved, low end", HOURS),
        ("annual_hours_saved_high", "Hours saved, high end", HOURS), ("net_value", "Net value ({cur})", MONEY),
        ("net_value_low", "Net value, low end ({cur})", MONEY), ("net_value_high", "Net value, high end ({cur})", MONEY))),
    Sheet("What we need from you", NAME, "requests", "Data gaps found by the phases", (
        ("request", "Request", TEXT), ("from", "Found by", TEXT))),
    Sheet("Workflow inventory", "workflow_mapping", "inventory", "Every workflow: hours, cost, expected saving, score", (
        ("workflow_id", "Workflow id", TEXT), ("workflow", "Workflow", TEXT), ("department", "Department", TEXT),
        ("owner_role", "Owner role", TEXT), ("task_type", "Task type", TEXT), ("data_sensitivity", "Data class", TEXT),
        ("runs_per_month", "Runs per month", NUMBER), ("minutes_per_run", "Minutes per run", HOURS),
        ("annual_hours", "Hours per year", HOURS), ("annual_cost", "Cost per year ({cur})", MONEY),
        ("expected_saving", "Expected saving (%)", SHARE), ("saving_source", "Saving from", TEXT),
        ("suitability_score", "Suitability (0–100)", INT), ("potential_hours", "Hours AI could give back per year", HOURS))),
    Sheet("Departments", "workflow_mapping", "departments", "Hours and cost per department", (
        ("department", "Department", TEXT), ("workflows", "Workflows", INT), ("annual_hours", "Hours per year", HOURS),
        ("share_of_hours", "Share of hours (%)", SHARE), ("annual_cost", "Cost per year ({cur})", MONEY),
        ("potential_hours", "Hours AI could give back per year", HOURS))),
    Sheet("Data gaps", "workflow_mapping", "gaps", "Workflows with no owner, no time study or no approved tool", (
        ("gap", "Gap", TEXT), ("workflow", "Workflow", TEXT), ("department", "Department", TEXT), ("detail", "Detail", TEXT))),
    Sheet("ROI ranking", "roi_ranking", "ranking", "Every workflow ranked by the value AI adds, with intervals", (
        ("rank", "Rank", INT), ("workflow_id", "Workflow id", TEXT), ("workflow", "Workflow", TEXT), ("department", "Department", TEXT),
        ("source", "Saving estimated from", TEXT), ("n_without_ai", "Runs timed without AI", INT),
        ("n_with_ai", "Runs timed with AI", INT), ("saving", "Time saved (%)", SHARE),
        ("saving_low", "Time saved, low end (%)", SHARE), ("saving_high", "Time saved, high end (%)", SHARE),
        ("annual_hours_saved", "Hours saved per year", HOURS), ("cost", "Cost over the horizon ({cur})", MONEY),
        ("net_value", "Net value ({cur})", MONEY), ("net_value_low", "Net value, low end ({cur})", MONEY),
        ("net_value_high", "Net value, high end ({cur})", MONEY), ("payback_months", "Payback (months)", HOURS),
        ("recommended", "Start here", TEXT), ("note", "Note", TEXT))),
    Sheet("Start here", "roi_ranking", "start_here", "The workflows the ROI ranking picks to start with", (
        ("rank", "Rank", INT), ("workflow", "Workflow", TEXT), ("owner_role", "Owner role", TEXT),
        ("department", "Department", TEXT), ("saving", "Time saved (%)", SHARE),
        ("annual_hours_saved", "Hours saved per year", HOURS), ("annual_value", "Value per year ({cur})", MONEY),
        ("cost", "Cost over the horizon ({cur})", MONEY), ("net_value", "Net value ({cur})", MONEY),
        ("net_value_low", "Net value, low end ({cur})", MONEY), ("net_value_high", "Net value, high end ({cur})", MONEY),
        ("payback_months", "Payback (months)", HOURS))),
    Sheet("Readiness", "training_gaps", "departments", "Training readiness per department", (
        ("department", "Department", TEXT), ("respondents", "Respondents", INT), ("headcount", "Headcount", INT),
        ("response_rate", "Response rate (%)", SHARE), ("readiness", "Skills at target (%)", SHARE),
        ("mean_gap", "Mean gap (levels)", NUMBER), ("people_fully_at_target", "People fully at target", INT))),
    Sheet("Skill gaps", "training_gaps", "role_skill", "Mean level against target per role and skill", (
        ("role", "Role", TEXT), ("skill", "Skill", TEXT), ("respondents", "Respondents", INT),
        ("mean_level", "Mean level (0–4)", NUMBER), ("target_level", "Target level (0–4)", INT),
        ("weight", "Weight", NUMBER), ("mean_gap", "Mean gap (levels)", NUMBER),
        ("share_below_target", "Below target (%)", SHARE))),
    Sheet("Training cohorts", "training_gaps", "cohorts", "Who trains together on what, in priority order", (
        ("priority", "Priority", INT), ("cohort", "Cohort", TEXT), ("skill", "Skill", TEXT), ("roles", "Roles", TEXT),
        ("departments", "Departments", TEXT), ("size", "People", INT), ("groups", "Groups", INT),
        ("from_level", "Mean level today (0–4)", NUMBER), ("target_max", "Target level (0–4)", INT),
        ("hours_per_person", "Training hours per person", HOURS), ("total_hours", "Training hours in all", HOURS))),
    Sheet("Leadership gap", "training_gaps", "leadership_gap", "Leaders' self-rated level against their teams'", (
        ("leader_role", "Leader", TEXT), ("team", "Team", TEXT), ("team_size", "Team size", INT),
        ("leader_mean_level", "Leader's mean level (0–4)", NUMBER), ("team_mean_level", "Team's mean level (0–4)", NUMBER),
        ("gap", "Gap (levels)", NUMBER), ("far_ahead", "Far ahead", TEXT))),
    Sheet("Tools", "consolidation", "tools", "Every tool: seats, use, cost and the recommendation", (
        ("tool", "Tool", TEXT), ("vendor", "Vendor", TEXT), ("category", "Category", TEXT), ("plan", "Plan", TEXT),
        ("approved", "Approved", TEXT), ("seats", "Seats", INT), ("active_users", "Active users", INT),
        ("utilization", "Seats in use (%)", SHARE), ("annual_cost", "Annual cost ({cur})", MONEY),
        ("recommendation", "Recommendation", TEXT), ("target_seats", "Seats after", INT),
        ("annual_saving", "Annual saving ({cur})", MONEY), ("next_renewal", "Next renewal", DATE),
        ("owner", "Owner", TEXT), ("reason", "Why", TEXT))),
    Sheet("Renewals", "consolidation", "renewals", "Renewals in the next 90 days and when to decide", (
        ("tool", "Tool", TEXT), ("next_renewal", "Renews on", DATE), ("days_to_renewal", "Days left", INT),
        ("decide_by", "Decide by", DATE), ("stage", "Stage (90-60-30)", TEXT), ("recommendation", "Recommendation", TEXT),
        ("annual_saving", "Annual saving ({cur})", MONEY), ("owner", "Owner", TEXT))),
    Sheet("Shadow AI", "consolidation", "shadow", "AI used outside the tool inventory", (
        ("kind", "Finding", TEXT), ("tool", "Tool or product", TEXT), ("people", "People", INT),
        ("annual_run_rate", "Run rate per year, live subscriptions ({cur})", MONEY),
        ("annual_spend", "Charged, last 12 months ({cur})", MONEY), ("detail", "Detail", TEXT))),
    Sheet("Governance gaps", "consolidation", "governance_gaps", "Inventory AI tools on free plans, unapproved or without SSO", (
        ("kind", "Gap", TEXT), ("tool", "Tool", TEXT), ("plan", "Plan", TEXT), ("people", "People", INT),
        ("annual_cost", "Tool cost per year, already in spend ({cur})", MONEY), ("detail", "Detail", TEXT))),
    Sheet("Agent candidates", "agent_candidates", "candidates", "Recurring tasks ranked for AI agents", (
        ("rank", "Rank", INT), ("task", "Task", TEXT), ("department", "Department", TEXT), ("category", "Category", TEXT),
        ("owner_role", "Owner role", TEXT), ("potential", "Automation potential (%)", SHARE),
        ("annual_hours", "Task hours per year", HOURS), ("annual_value", "Value per year ({cur})", MONEY),
        ("oversight", "Oversight", TEXT), ("agent_hours", "Agent hours per year", HOURS),
        ("agent_value", "Agent value per year ({cur})", MONEY), ("gate", "Gate", TEXT), ("gate_reason", "Why", TEXT))),
    Sheet("Agent specifications", "agent_candidates", "specs", "The top candidates' specifications", (
        ("rank", "Rank", INT), ("task", "Task", TEXT), ("owner_role", "Owner role", TEXT), ("oversight", "Oversight", TEXT),
        ("gate", "Gate", TEXT), ("trigger", "Trigger", TEXT), ("output", "Output", TEXT), ("checkpoint", "Human checkpoint", TEXT),
        ("success_metric", "Success metric", TEXT), ("hours_saved", "Hours saved per year", HOURS),
        ("value_saved", "Value per year ({cur})", MONEY))),
)  # fmt: skip


PROGRESS = "progress"
#: Sheets of the progress phase (a follow-up run: only when a baseline exists), placed first.
PROGRESS_SHEETS: tuple[Sheet, ...] = (
    Sheet("Progress figures", PROGRESS, "headlines", "Headline figures: the baseline (or prediction) and now", (
        ("figure", "Figure", TEXT), ("before", "Baseline or predicted", NUMBER), ("now", "Now", NUMBER),
        ("low", "Now, low end", NUMBER), ("high", "Now, high end", NUMBER), ("unit", "Unit", TEXT))),
    Sheet("Progress gates", PROGRESS, "gates", "Each roadmap phase: did it deliver its metric", (
        ("phase", "Phase", TEXT), ("start", "Starts", DATE), ("end", "Ends", DATE), ("metric", "Metric", TEXT),
        ("state", "State", TEXT), ("gate", "Gate", TEXT), ("missing", "What is missing", TEXT))),
    Sheet("Progress milestones", PROGRESS, "milestones", "Each baseline milestone: done, on track, late", (
        ("phase", "Phase", TEXT), ("due", "Due", DATE), ("milestone", "Milestone", TEXT), ("owner", "Owner", TEXT),
        ("status", "Status", TEXT), ("evidence", "Evidence", TEXT))),
    Sheet("Progress workflows", PROGRESS, "workflows", "Chosen workflows: time saved now vs predicted", (
        ("workflow", "Workflow", TEXT), ("before_runs", "Runs at the baseline (no AI)", INT),
        ("after_runs", "Runs timed since", INT), ("before_minutes", "Median minutes then", HOURS),
        ("after_minutes", "Median minutes now", HOURS), ("realized", "Time saved now (%)", SHARE),
        ("realized_low", "Low end (%)", SHARE), ("realized_high", "High end (%)", SHARE),
        ("predicted", "Predicted (%)", SHARE), ("predicted_low", "Predicted low (%)", SHARE),
        ("predicted_high", "Predicted high (%)", SHARE), ("verdict", "Verdict", TEXT), ("method", "Method", TEXT),
        ("note", "Note", TEXT))),
    Sheet("Progress adoption", PROGRESS, "adoption", "Active and habitual people per department, then and now", (
        ("group", "Department", TEXT), ("headcount", "Headcount", INT), ("active_before", "Active then", INT),
        ("active_now", "Active now", INT), ("share_before", "Share then (%)", SHARE),
        ("share_now", "Share now (%)", SHARE), ("habitual_before", "Habitual then", INT),
        ("habitual_now", "Habitual now", INT), ("trained", "Has a trained cohort", TEXT))),
    Sheet("Progress monthly use", PROGRESS, "adoption_monthly", "People active on AI tools per month", (
        ("month", "Month", DATE), ("scope", "Scope", TEXT), ("group", "Group", TEXT),
        ("active_people", "People active", INT))),
    Sheet("Progress seats", PROGRESS, "seats", "Seats, active users and seats reassigned per tool", (
        ("tool", "Tool", TEXT), ("seats_before", "Seats then", INT), ("seats_now", "Seats now", INT),
        ("active_before", "Active then", INT), ("active_now", "Active now", INT), ("started", "Started", INT),
        ("stopped", "Stopped", INT), ("reassigned", "Seats reassigned", INT))),
    Sheet("Progress tool changes", PROGRESS, "recommendations", "Each recommendation: carried out, planned vs realized", (
        ("tool", "Tool", TEXT), ("recommendation", "Recommendation", TEXT), ("due", "Decide by", DATE),
        ("status", "Status", TEXT), ("planned_saving", "Planned saving ({cur} a year)", MONEY),
        ("realized_saving", "Realized saving ({cur} a year)", MONEY), ("evidence", "Evidence", TEXT))),
    Sheet("Progress shadow AI", PROGRESS, "shadow_trend", "AI on expenses outside approved tools per month", (
        ("month", "Month", DATE), ("spend", "Spend ({cur})", MONEY), ("payers", "People", INT))),
    Sheet("Progress readiness", PROGRESS, "readiness", "Skills at target then and now per department and role", (
        ("scope", "Scope", TEXT), ("group", "Group", TEXT), ("respondents_before", "Respondents then", INT),
        ("respondents_now", "Respondents now", INT), ("same_people", "Answered both", INT),
        ("readiness_before", "Then (%)", SHARE), ("readiness_now", "Now, everyone (%)", SHARE),
        ("readiness_now_same", "Now, same people (%)", SHARE), ("note", "Note", TEXT))),
    Sheet("Progress trained cohorts", PROGRESS, "cohorts", "Trained vs untrained: change in the share active", (
        ("group", "Group", TEXT), ("people", "People", INT), ("active_before", "Active then (%)", SHARE),
        ("active_now", "Active now (%)", SHARE), ("change", "Change", SHARE), ("difference", "Difference", SHARE),
        ("difference_low", "Low end", SHARE), ("difference_high", "High end", SHARE), ("note", "Note", TEXT))),
    Sheet("Progress pilots", PROGRESS, "pilots", "Agent pilots: stage now against the plan", (
        ("task", "Task", TEXT), ("planned_start", "Planned start", DATE), ("started_on", "Started", DATE),
        ("stage", "Stage now", TEXT), ("path", "Path", TEXT), ("acceptance", "Outputs accepted (%)", SHARE),
        ("status", "Against the plan", TEXT))),
    Sheet("Progress matching", PROGRESS, "matching", "New, gone or renamed workflows, tools and people", (
        ("kind", "What", TEXT), ("item", "Item", TEXT), ("detail", "Detail", TEXT))),
)  # fmt: skip


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return safe.cell_text(value)
    return value


def _append(ws, values: list[Any]) -> None:
    """Append one row; every string is stored as text, never as a formula or an error code, and
    one a spreadsheet would take for a formula (OWASP's `= + - @`, tab, carriage return) carries
    the quote prefix: shown as the client wrote it, and it stays text when the cell is edited."""
    cells = [_cell(v) for v in values]
    ws.append(cells)
    for cell, value in zip(ws[ws.max_row], cells, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"
            if safe.starts_like_formula(value):
                cell.quotePrefix = True


PRINT_LANDSCAPE_WIDTH = 100  # characters of column width above which a sheet prints in landscape


def _print_setup(ws, header_rows: str) -> None:
    """Print readably: every column on one page's width (as many pages down as it takes), the
    header row repeated on each page, landscape when the columns are wide."""
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: as many pages as needed
    ws.print_title_rows = header_rows
    width = sum((d.width or 10) for d in ws.column_dimensions.values())
    ws.page_setup.orientation = "landscape" if width > PRINT_LANDSCAPE_WIDTH else "portrait"
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "&P of &N"


def workbook_bytes(r: SummaryResult, records: Mapping[str, PhaseRecord], progress: Any = None) -> bytes:
    """The Excel workbook: a Contents sheet, then, in a follow-up (`progress` available), the
    `PROGRESS_SHEETS`, then every sheet of `WORKBOOK_SHEETS` (a sheet whose phase is missing says
    why, in its first row)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    contents = wb.active
    contents.title = "Contents"
    _append(contents, [f"{r.client}: AI adoption engagement workbook"])
    contents["A1"].font = Font(bold=True, size=14)
    _append(contents, [f"Money in {r.currency}. Shares are percentages. Figures as recorded by each phase."])
    _append(contents, [])
    _append(contents, ["Sheet", "What it holds", "From", "Status"])
    for c in contents[4]:
        c.font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EFF4FB")
    follow_up = PROGRESS_SHEETS if getattr(progress, "available", False) else ()
    for sheet in (*follow_up, *WORKBOOK_SHEETS):
        if sheet.phase == PROGRESS:
            df, status, source = getattr(progress, sheet.table), "ok", "Progress since the baseline"
        elif sheet.phase == NAME:
            df, status, source = getattr(r, sheet.table), "ok", "Engagement summary"
        else:
            pr = records.get(sheet.phase)
            rec = pr.record if pr is not None and pr.ok else None
            df = _table(rec, sheet.table)
            source = pr.title if pr is not None and pr.title else _title(sheet.phase)
            status = (
                "ok"
                if df is not None
                else (f"{pr.status}: {pr.error}" if pr is not None and not pr.ok else "table not recorded")
            )
        _append(contents, [sheet.name, sheet.about, source, status])
        ws = wb.create_sheet(sheet.name)
        if df is None:
            _append(ws, [f"Not available: {source} — {status}."])
            ws["A1"].font = Font(bold=True, color="B42318")
            ws.column_dimensions["A"].width = 100
            continue
        cols = [(c, h.replace("{cur}", r.currency), f) for c, h, f in sheet.columns if c in df.columns]
        _append(ws, [h for _, h, _ in cols])
        for cell in ws[1]:
            cell.font, cell.fill = Font(bold=True), header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in df[[c for c, _, _ in cols]].itertuples(index=False, name=None):
            _append(ws, list(row))
        for j, (_, header, fmt) in enumerate(cols, start=1):
            letter = get_column_letter(j)
            if fmt:
                for cell in ws[letter][1:]:
                    cell.number_format = fmt
            longest = max([len(header)] + [len(str(c.value)) for c in ws[letter][1:200] if c.value is not None])
            ws.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        ws.freeze_panes = "A2"
        _print_setup(ws, header_rows="1:1")
    for letter, width in zip("ABCD", (26, 70, 22, 40), strict=True):
        contents.column_dimensions[letter].width = width
    _print_setup(contents, header_rows="4:4")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

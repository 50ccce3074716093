"""The workflow-mapping phase's extra pages: the clarity document (pages/clarity_document.txt)."""

from __future__ import annotations

from kit.intake.schemas import DATA_CLASSES
from kit.phases.workflow_mapping.analysis import W, WorkflowMappingResult
from kit.settings import EngagementSettings


def clarity_document(r: WorkflowMappingResult, settings: EngagementSettings) -> str:
    """A plain-text company context the client can paste into its AI tools."""
    inv = r.inventory
    lines = [
        f"COMPANY CONTEXT: {settings.client}",
        "Paste this into your AI tool's custom instructions or project knowledge so answers fit how we work.",
        "",
        "DEPARTMENTS AND WHAT THEY DO",
    ]
    for dept, rows in inv.groupby(W.department, sort=True):
        roles = ", ".join(sorted(rows[W.owner_role].unique()))
        lines.append(f"- {dept} (roles: {roles})")
        for _, w in rows.sort_values("annual_hours", ascending=False).iterrows():
            systems = f"; systems: {w[W.systems].replace(';', ', ')}" if isinstance(w[W.systems], str) and w[W.systems] else ""
            lines.append(
                f"    * {w[W.workflow]} — {w[W.task_type].replace('_', ' ')}, about {w[W.runs_per_month]:g} times a month, "
                f"{w[W.minutes_per_run]:g} min each, {w[W.data_sensitivity]} data{systems}"
            )
    systems = sorted({s.strip() for v in inv[W.systems].dropna() for s in str(v).split(";") if s.strip()})
    if systems:
        lines += ["", "SYSTEMS WE USE", "- " + ", ".join(systems)]
    lines += ["", "DATA RULES (which data may go into which AI tool)"]
    if len(r.data_rules):
        matrix = r.data_rules
        for cls in DATA_CLASSES:
            allowed = sorted(matrix.loc[matrix[cls], "tool"])
            if cls == "public":
                lines.append("- public: any tool.")
            elif allowed:
                lines.append(f"- {cls}: only {', '.join(allowed)}.")
            else:
                lines.append(f"- {cls}: no AI tool. Do not paste {cls} data into any AI tool.")
    else:
        lines.append("- Until an approved tool list exists: only public information goes into AI tools.")
    lines += [
        "- restricted data (e.g. personal data of employees or customers, payment data) never goes into an AI tool.",
        "- Always check AI output before it leaves the company; you remain responsible for it.",
    ]
    return "\n".join(lines) + "\n"


def clarity_note(path) -> str:
    """Where the clarity document went (None: a live session with no run folder)."""
    if path is None:
        return "Live session without a run folder: `kit run` writes the clarity document as a text file."
    return f"The clarity document is in this run's folder as pages/{path.name}; open it with any text editor."

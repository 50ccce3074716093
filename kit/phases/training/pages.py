"""The training-gaps phase's extra pages: one HTML playbook per role."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kit import pages
from kit.intake.schemas import DATA_CLASSES
from kit.phases.training.analysis import (
    SKILL_MEANING,
    S,
    T,
    TrainingResult,
    W,
    _level_name,
    _metrics,
    _never_in_ai,
    _usable,
    skill_label,
)


def playbooks_note(paths: list) -> str:
    """Where the playbooks went (an empty list or Nones: a live session with no run folder)."""
    written = [p for p in paths if p is not None]
    if not written:
        return "Live session without a run folder: `kit run` writes one playbook page per role."
    return (f"{len(written)} playbook pages are in this run's folder under pages/ and listed on the run's index page; "
            "each opens on its own and can be sent to the people in that role.")  # fmt: skip


# ---------------------------------------------------------------- playbook pages (trusted HTML from escaped pieces)


@dataclass(frozen=True)
class PlaybookPage:
    name: str  # file name under pages/
    title: str
    body: str  # trusted HTML: every data string in it is escaped


def _saving_phrase(row: pd.Series) -> str:
    if pd.isna(row["saving"]):
        return ""
    where = {"measured": "timed at this company", "pooled": "similar tasks timed at this company",
             "partially pooled": "timed at this company", "borrowed": "similar tasks timed at this company",
             "prior": "published studies", "published prior": "published studies"}.get(str(row["source"]), "")  # fmt: skip
    return f"About {row['saving']:.0%} less time per run" + (f" ({where})" if where else "") + "."


def playbook_html(r: TrainingResult, role: str) -> str:
    """The body of one role's playbook page, written for the people in that role
    (kit/templates/pages/playbook.html.j2; every data string escaped)."""
    pb = r.playbooks[r.playbooks["role"] == role].iloc[0]
    wf = r.role_workflows[r.role_workflows["role"] == role]
    rs = r.role_skill[r.role_skill[S.role] == role]
    usable, other = wf[_usable(wf)], wf[~_usable(wf)]
    helps = []
    for _, w in usable.head(5).iterrows():
        tools = [t for t in str(w["covering_tools"]).split("; ") if t]
        facts = [_saving_phrase(w)]
        if tools:
            facts.append("Use: " + ", ".join(tools[:4]) + f" (approved for {w[W.data_sensitivity]} data).")
        if w["start_here"]:
            facts.append("The company starts its AI rollout with this workflow.")
        helps.append({"workflow": w[W.workflow], "advice": w["advice"], "facts": " ".join(f for f in facts if f)})
    skills = []
    for _, s in rs.iterrows():
        meaning = SKILL_MEANING.get(str(s[S.skill]).strip().lower(), "")
        skills.append([skill_label(s[S.skill]), meaning[:1].upper() + meaning[1:], f"{s['mean_level']:.1f} ({_level_name(s['mean_level'])})",
                       f"{s[T.target_level]:.0f} ({_level_name(s[T.target_level])})",
                       f"{1 - s['share_below_target']:.0%}"])  # fmt: skip
    approved = [t for t in str(pb["approved_tools"]).split("; ") if t]
    table = r.ai_tools[r.ai_tools["tool"].isin(approved)]
    return pages.render(
        "playbook.html.j2",
        respondents=int(pb["respondents"]), role=role, department=pb["department"],
        usable=helps, other=[{"workflow": w[W.workflow], "advice": w["advice"]} for _, w in other.iterrows()],
        skills=skills, skills_to_build=pb["skills_to_build"],
        training_hours_per_person=pb["training_hours_per_person"], hours_per_level=f"{r.hours_per_level:g}",
        data_classes=[c.capitalize() for c in DATA_CLASSES],
        tools=[[t["tool"], *("yes" if t[c] else "no" for c in DATA_CLASSES)] for _, t in table.iterrows()],
        never=_never_in_ai(wf, r.ai_tools, not r.ai_tools.empty),
        metrics=_metrics(pb["readiness"], pb["active_ai_users"], pb["respondents"], wf, r.active_window_days),
    )  # fmt: skip


def playbook_pages(r: TrainingResult) -> list[PlaybookPage]:
    """One page per survey role (file name, title, body) for `kit.notebook.write_page`."""
    return [PlaybookPage(row["page"], f"AI playbook: {row['role']}", playbook_html(r, row["role"]))
            for _, row in r.playbooks.iterrows()]  # fmt: skip

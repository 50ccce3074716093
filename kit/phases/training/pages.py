"""The training-gaps phase's extra pages: one HTML playbook per role."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd

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


def _e(value) -> str:
    return escape(str(value), quote=True)


def _html_table(header: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    """A kit-styled table; cells are escaped here."""
    num = ' class="kit-num"'

    def cells(tag: str, values: list[str]) -> str:
        return "".join(f"<{tag}{num if i in numeric else ''}>{_e(v)}</{tag}>" for i, v in enumerate(values))

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f'<table class="kit-table"><thead><tr>{cells("th", header)}</tr></thead><tbody>{body}</tbody></table>'


def _saving_phrase(row: pd.Series) -> str:
    if pd.isna(row["saving"]):
        return ""
    where = {"measured": "timed at this company", "pooled": "similar tasks timed at this company",
             "partially pooled": "timed at this company", "borrowed": "similar tasks timed at this company",
             "prior": "published studies", "published prior": "published studies"}.get(str(row["source"]), "")  # fmt: skip
    return f"About {row['saving']:.0%} less time per run" + (f" ({where})" if where else "") + "."


def playbook_html(r: TrainingResult, role: str) -> str:
    """The body of one role's playbook page, written for the people in that role."""
    pb = r.playbooks[r.playbooks["role"] == role].iloc[0]
    wf = r.role_workflows[r.role_workflows["role"] == role]
    rs = r.role_skill[r.role_skill[S.role] == role]
    out = [
        (
            f'<div class="kit-say"><p>This page is for the {pb["respondents"]} '
            f"{'person' if pb['respondents'] == 1 else 'people'} working as {_e(role)} ({_e(pb['department'])}). It says where "
            "AI can help in your own work, what to learn and to what level, which tools you may use with which data, "
            "what never goes into an AI tool, and how we will all see that it is working.</p></div>"
        )
    ]
    out.append("<h2>Where AI helps in your work</h2>")
    usable, other = wf[_usable(wf)], wf[~_usable(wf)]
    if usable.empty:
        out.append("<p>None of the workflows recorded for your role is a good fit for AI yet. The skills below still "
                   "matter: you will meet AI output from colleagues and customers.</p>")  # fmt: skip
    for _, w in usable.head(5).iterrows():
        tools = [t for t in str(w["covering_tools"]).split("; ") if t]
        facts = [_saving_phrase(w)]
        if tools:
            facts.append("Use: " + ", ".join(tools[:4]) + f" (approved for {w[W.data_sensitivity]} data).")
        if w["start_here"]:
            facts.append("The company starts its AI rollout with this workflow.")
        out.append(f"<h3>{_e(w[W.workflow])}</h3><p>{_e(w['advice'])}</p>")
        out.append(f'<p class="kit-table-note" style="margin:0 0 14px">{_e(" ".join(f for f in facts if f))}</p>')
    if len(other):
        items = "".join(
            f"<li><strong>{_e(w[W.workflow])}</strong>: {_e(w['advice'])}</li>" for _, w in other.iterrows()
        )
        out.append(f"<h3>Keep these as they are for now</h3><ul>{items}</ul>")

    out.append("<h2>Skills to build</h2>")
    rows = []
    for _, s in rs.iterrows():
        meaning = SKILL_MEANING.get(str(s[S.skill]).strip().lower(), "")
        rows.append([skill_label(s[S.skill]), meaning[:1].upper() + meaning[1:], f"{s['mean_level']:.1f} ({_level_name(s['mean_level'])})",
                     f"{s[T.target_level]:.0f} ({_level_name(s[T.target_level])})",
                     f"{1 - s['share_below_target']:.0%}"])  # fmt: skip
    if rows:
        out.append(_html_table(["Skill", "What it means", "Your role today (mean)", "Target", "At target now"], rows,
                               numeric=frozenset({4})))  # fmt: skip
    if pb["skills_to_build"]:
        out.append(f"<p>To build: {_e(pb['skills_to_build'])}. Training is in small groups, on your own workflows, "
                   f"about {pb['training_hours_per_person']:.0f} hours per person in all "
                   f"({r.hours_per_level:g} hours per level).</p>")  # fmt: skip
    else:
        out.append("<p>Your role is at target on every skill: you can help colleagues in other roles.</p>")
    out.append('<p class="kit-table-note" style="margin:0 0 14px">Levels: 0 none, 1 aware, 2 basic use, 3 proficient, '
               "4 advanced (teaches others).</p>")  # fmt: skip

    out.append("<h2>Which tool for which data</h2>")
    tools = [t for t in str(pb["approved_tools"]).split("; ") if t]
    table = r.ai_tools[r.ai_tools["tool"].isin(tools)]
    if len(table):
        rows = [[t["tool"], *("yes" if t[c] else "no" for c in DATA_CLASSES)] for _, t in table.iterrows()]
        out.append(_html_table(["Approved tool", *(c.capitalize() for c in DATA_CLASSES)], rows))
        out.append("<p>Public data may go into any tool. Internal data only into the approved tools marked above; "
                   "confidential data only into tools under an enterprise agreement cleared for it.</p>")  # fmt: skip
    else:
        out.append("<p>No AI tool is approved yet: until one is, only public information may go into AI tools.</p>")

    out.append("<h2>Never put into an AI tool</h2>")
    never = _never_in_ai(wf, r.ai_tools, not r.ai_tools.empty)
    out.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in never) + "</ul>")
    out.append("<p>You remain responsible for anything you send or decide with AI's help: check it first.</p>")

    out.append("<h2>How we will see progress</h2>")
    metrics = _metrics(pb["readiness"], pb["active_ai_users"], pb["respondents"], wf, r.active_window_days)
    out.append("<ul>" + "".join(f"<li>{_e(m)}</li>" for m in metrics) + "</ul>")
    return "\n".join(out)


def playbook_pages(r: TrainingResult) -> list[PlaybookPage]:
    """One page per survey role (file name, title, body) for `kit.notebook.write_page`."""
    return [PlaybookPage(row["page"], f"AI playbook: {row['role']}", playbook_html(r, row["role"]))
            for _, row in r.playbooks.iterrows()]  # fmt: skip

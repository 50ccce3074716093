"""The agent-candidates phase's extra pages: one HTML specification per recommended agent."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path

from kit import notebook as nb
from kit.phases.agents.analysis import SPEC_FIELDS, AgentsResult, R

_LISTS = {"steps": "ol", "never": "ul", "pilot_plan": "ol"}


def spec_page_html(spec: Mapping, currency: str) -> str:
    """The body of a one-page agent specification (trusted HTML, every value escaped)."""
    facts = (
        f"<p><strong>{escape(str(spec['oversight']))}</strong> · {escape(str(spec[R.department]))} · owner: "
        f"{escape(str(spec[R.owner_role]))} · expected saving about {spec['hours_saved']:,.0f} hours a year "
        f"({escape(currency)} {spec['value_saved']:,.0f})<br>"
        f"<strong>{escape(str(spec['gate']))}</strong>: {escape(str(spec['gate_reason']))}</p>"
    )
    rows = []
    for key, label in SPEC_FIELDS.items():
        value = str(spec[key])
        if key in _LISTS:
            items = "".join(f"<li>{escape(line)}</li>" for line in value.split("\n") if line.strip())
            cell = f"<{_LISTS[key]} style=\"margin:0;padding-left:1.2rem\">{items}</{_LISTS[key]}>"
        else:
            cell = escape(value)
        style = "width:22%;vertical-align:top;border-bottom:1px solid var(--kit-rule)"
        rows.append(f'<tr><th scope="row" style="{style}">{escape(label)}</th><td>{cell}</td></tr>')
    return facts + f'<table class="kit-table" style="width:100%"><tbody>{"".join(rows)}</tbody></table>'


def write_spec_pages(output_dir: str | Path | None, r: AgentsResult, client: str, date) -> list[Path]:
    """Write one standalone page per top candidate to `<output_dir>/pages/<its page>`, e.g.
    `agent_spec_ops_12.html` (the run index links them); nothing without a run folder. Returns
    the paths written."""
    paths = []
    for spec in r.specs.to_dict("records"):
        title = f"Agent specification: {spec[R.task]}"
        path = nb.write_page(output_dir, spec["page"], title, spec_page_html(spec, r.currency),
                             client, date)  # fmt: skip
        if path is not None:
            paths.append(path)
    return paths


def spec_pages_note(paths: list[Path], r: AgentsResult) -> str:
    if r.specs.empty:
        return "No task is recommended for an agent, so no specification was written."
    if not paths:
        return (
            f"Live session without a run folder: `kit run` writes the {len(r.specs)} specification pages "
            "(pages/agent_spec_<task>.html)."
        )
    names = ", ".join(f"pages/{p.name}" for p in paths)
    return f"Each specification is also a one-page document for the task owner, in this run's folder: {names}."

"""The agent-candidates phase's extra pages: one HTML specification per recommended agent."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kit import notebook as nb
from kit import pages
from kit.phases.agents.analysis import SPEC_FIELDS, AgentsResult, R

_LISTS = {"steps": "ol", "never": "ul", "pilot_plan": "ol"}


def spec_page_html(spec: Mapping, currency: str) -> str:
    """The body of a one-page agent specification (kit/templates/pages/agent_spec.html.j2;
    every value escaped)."""
    rows = []
    for key, label in SPEC_FIELDS.items():
        value = str(spec[key])
        lines = [line for line in value.split("\n") if line.strip()]
        rows.append({"label": label, "list": _LISTS.get(key, ""), "lines": lines, "value": value})
    facts = {k: str(spec[k]) for k in ("oversight", "gate", "gate_reason")}
    facts |= {"department": str(spec[R.department]), "owner_role": str(spec[R.owner_role]),
              "hours_saved": spec["hours_saved"], "value_saved": spec["value_saved"]}  # fmt: skip
    return pages.render("agent_spec.html.j2", spec=facts, rows=rows, currency=currency)


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

"""The consolidation phase's extra pages: the acceptable-use policy draft (Markdown and HTML)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from kit import safe
from kit.intake.schemas import DATA_CLASSES
from kit.phases.consolidation.analysis import ConsolidationResult, T, W
from kit.settings import EngagementSettings
from kit.vocabulary import (  # shared labels
    CANCEL,
    CONSOLIDATE,
)

# ---------------------------------------------------------------- acceptable-use policy


def acceptable_use_policy(
    r: ConsolidationResult, settings: EngagementSettings, quote: Callable[[str], str] = str
) -> list[tuple[str, list[str]]]:
    """The policy draft as sections of plain text: [(heading, [paragraph or "- bullet", ...])].
    Every string from the client's data goes through `quote` (e.g. `kit.safe.markdown`)."""
    m = r.data_matrix
    client = quote(settings.client)
    named = settings.accountable_owner.strip()
    owner = quote(named) if named else "[name the owner of AI tools]"
    retiring = set(r.tools.loc[r.tools["recommendation"].isin([CANCEL, CONSOLIDATE]), T.tool])
    by_class = []
    for cls in DATA_CLASSES:
        allowed = [quote(t) + (" (to be retired)" if t in retiring else "") for t in (m.loc[m[cls], "tool"] if len(m) else [])]
        if cls == "public":
            by_class.append("- Public (already published, e.g. the website, price lists): any AI tool; prefer the "
                            "approved tools below.")  # fmt: skip
        elif cls == "restricted":
            by_class.append("- Restricted (personal data of employees or customers, payment card data, health data, "
                            "credentials): no AI tool, ever.")  # fmt: skip
        elif allowed:
            what = "internal documents, emails, plans" if cls == "internal" else "contracts, prices, financials, customer records"
            by_class.append(f"- {cls.capitalize()} ({what}): only {', '.join(allowed)}.")
        else:
            by_class.append(f"- {cls.capitalize()}: no AI tool is approved for {cls} data yet; do not use AI with it.")
    uncovered = r.uncovered_workflows
    gaps = []
    if len(uncovered):
        open_gaps = uncovered[uncovered[W.data_sensitivity] != "restricted"]
        for _, row in open_gaps.head(10).iterrows():
            gaps.append(f"- {quote(row[W.workflow])} ({quote(row[W.department])}): {quote(row['reason'])}.")
    sections = [
        ("Purpose and scope", [
            (f"This policy says which AI tools {client} staff may use for company work and which information "
            "may go into them. It applies to everyone who works for the company, on any device."),
            "This is a draft generated from the tool inventory and its contracts on "
            f"{r.as_of:%d %B %Y}. Review every line before it is adopted."
            + (" Tools marked \"to be retired\" are recommended for cancelling or consolidating in the spend review."
               if retiring & set(m["tool"] if len(m) else []) else ""),
        ]),
        ("Approved tools by data class", [
            "Classify the information before you paste, upload or connect it. When in doubt, treat it as the higher class.",
            *by_class,
        ]),
        ("Never allowed", [
            ("- Putting company information that is not public into a free or personal AI account (consumer ChatGPT, "
            "Gemini, Claude, DeepSeek or similar), even on your own device."),
            "- Paying for an AI tool on a personal or company card and expensing it without approval.",
            "- Restricted data in any AI tool.",
            ("- Sending AI output to customers, suppliers or authorities without a person reading and checking it; you "
            "remain responsible for it."),
            "- Letting an AI tool take decisions about people (hiring, pay, credit) without human review.",
        ]),
        ("How to request a new tool", [
            (f"Send the request to {owner} with: the tool and plan, the work it is for, the highest data class it would "
            "hold, the number of people, and the cost. The request is checked for an enterprise agreement, single "
            "sign-on, where data is stored and whether an approved tool already does the job. Until approved, use only "
            "public information with it."),
        ]),
    ]
    if gaps:
        sections.append(("Work that has no approved tool yet", [
            "These workflows may not use AI until a suitable tool is approved for their data:", *gaps,
        ]))  # fmt: skip
    sections.append(("Questions and incidents", [
        (f"Ask {owner} when unsure. Report at once any company data entered into a tool not allowed above; reporting "
        "early is never a disciplinary matter."),
        ("Sources: NIST AI 600-1 (Generative AI profile) asks for an acceptable-use policy; the data tiering follows "
        "common university and industry guidance (e.g. Northwestern University)."),
    ]))
    return sections


def acceptable_use_policy_text(r: ConsolidationResult, settings: EngagementSettings) -> str:
    """The policy draft as Markdown, for the client to edit; client strings are escaped
    (`kit.safe.markdown`), so a viewer shows them as text: no raw HTML, no link, no script."""
    out = [f"# Acceptable use of AI tools — {safe.markdown(settings.client)} (draft)", ""]
    for heading, paragraphs in acceptable_use_policy(r, settings, quote=safe.markdown):
        out += [f"## {heading}", ""]
        for i, p in enumerate(paragraphs):
            nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else ""
            out.append(p)
            if not (p.startswith("- ") and nxt.startswith("- ")):
                out.append("")
    return "\n".join(out)


def acceptable_use_policy_html(r: ConsolidationResult, settings: EngagementSettings) -> str:
    """The policy draft as an HTML body; every string from the data is escaped."""
    parts = []
    for heading, paragraphs in acceptable_use_policy(r, settings):
        parts.append(f"<h2>{escape(heading)}</h2>")
        bullets: list[str] = []
        for p in [*paragraphs, ""]:
            if p.startswith("- "):
                bullets.append(f"<li>{escape(p[2:])}</li>")
                continue
            if bullets:
                parts.append("<ul>" + "".join(bullets) + "</ul>")
                bullets = []
            if p:
                parts.append(f"<p>{escape(p)}</p>")
    return "\n".join(parts)


def policy_note(path) -> str:
    """Where the policy draft went (None: a live session with no run folder)."""
    if path is None:
        return "Live session without a run folder: `kit run` writes the policy draft as its own page."
    return (
        f"The acceptable-use policy draft is in this run's folder as pages/{Path(path).name}, with an editable text "
        "copy beside it (acceptable_use_policy.md)."
    )

"""What the engagement-summary report shows: narrative text, tables (`*_view`), charts and live controls,
built from `kit.phases.summary.analysis`'s result."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from html import escape
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from kit import charts
from kit.phases.summary.analysis import (
    ALREADY_DUE,
    EARLY,
    FACTOR_LABELS,
    LEVELS,
    PATTERNS,
    ROADMAP_PHASES,
    PhaseRecord,
    SummaryResult,
    _join,
    _range,
    _record,
    _registry,
    _table,
    analyze,
)
from kit.settings import HEALTH_FACTORS
from kit.text import number, share


def status_text(r: SummaryResult) -> str:
    if not r.n_missing:
        return f"All {r.n_ok} analyses completed; every figure below is read from their recorded results."
    lines = [f"{r.n_ok} of {r.n_ok + r.n_missing} analyses completed. Missing from this summary:"]
    for _, p in r.phases[r.phases["status"] != "ok"].iterrows():
        lines.append(
            f"{p['title']} ({p['status']}{': ' + p['error'] if p['error'] else ''}), so {p['missing']} are missing."
        )
    return "\n\n".join(lines)


def diagnosis_text(r: SummaryResult) -> str:
    d = r.diagnosis
    known = d[d["evidence_level"].notna()]
    if known.empty:
        return "No factor could be placed: the analyses it rests on are missing."
    counts = known["evidence_level"].astype(int).map(LEVELS).value_counts()
    text = (
        "On the evidence, "
        + _join(
            [
                f"{n} factor{'s' if n != 1 else ''} {'show' if n != 1 else 'shows'} the {lvl} pattern"
                for lvl, n in counts.items()
            ]
        )
        + "."
    )
    dis = d[d["disagrees"]]
    if len(dis):
        worst = dis.reindex(dis["gap"].abs().sort_values(ascending=False).index).iloc[0]
        text += (
            f" Leadership's view and the data differ on {_join(list(dis['label'].str.lower()))}; the widest gap is "
            f"{worst['label'].lower()}: rated {LEVELS[int(worst['self_assessment'])]}, the data show "
            f"{LEVELS[int(worst['evidence_level'])]}. Where the two disagree, the gap itself is the finding: the "
            "rollout is being steered on a picture the data do not support."
        )
    elif d["self_assessment"].notna().any():
        text += " Where leadership rated a factor, the data agree."
    unknown = d[d["evidence_level"].isna()]
    if len(unknown):
        text += f" Not placed for lack of evidence: {_join(list(unknown['label'].str.lower()))}."
    return text


def roadmap_text(r: SummaryResult) -> str:
    p = r.roadmap
    owner = r.owner or "an owner still to be named"
    text = (
        f"The roadmap runs {p['weeks'].sum()} weeks, from {r.start_date:%d %B %Y} to {r.end_date:%d %B %Y}, in four "
        f"phases accountable to {owner}: "
        + _join([f"{x['phase']} ({x['weeks']} weeks)" for _, x in p.iterrows()])
        + "."
    )
    early = r.milestones[r.milestones["timing"].isin([EARLY, ALREADY_DUE]) & (r.milestones["phase"] == "Consolidation")]
    if len(early):
        now = early[early["timing"] == ALREADY_DUE]
        text += (
            f" Renewals do not wait for the plan: {len(early)} tool decision{'s fall' if len(early) != 1 else ' falls'} "
            f"due before the Consolidation phase starts ({_join(list(early['subject']))}) and are brought forward"
        )
        text += (
            f"; {len(now)} of them ({_join(list(now['subject']))}) are due before the engagement itself starts."
            if len(now)
            else "."
        )
    return text


def requests_text(r: SummaryResult) -> str:
    if r.requests.empty:
        return "Nothing is missing: the analyses found no gap in the data."
    n = len(r.requests)
    return (
        f"{n} item{'s' if n != 1 else ''} would make the next run more complete or more certain; the first matter most."
    )


# ---------------------------------------------------------------- charts


LEVEL_AXIS = "datum.value == 1 ? 'Failing' : datum.value == 2 ? 'Partial' : datum.value == 3 ? 'Successful' : ''"


def diagnosis_chart(r: SummaryResult) -> alt.Chart:
    """Each factor on the failing–successful scale: leadership's rating and the evidence."""
    d = r.diagnosis
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "factor": d["label"],
                    "source": "Leadership's self-assessment",
                    "level": d["self_assessment"].astype(float),
                }
            ),
            pd.DataFrame(
                {"factor": d["label"], "source": "Evidence in the data", "level": d["evidence_level"].astype(float)}
            ),
        ],
        ignore_index=True,
    ).dropna(subset=["level"])
    long["level_name"] = long["level"].astype(int).map(LEVELS)
    pairs = (
        d[["label", "self_assessment", "evidence_level"]]
        .dropna()
        .astype({"self_assessment": float, "evidence_level": float})
    )
    order = list(d["label"])
    x = alt.X(
        "level:Q",
        title="Failing ↔ successful rollout pattern",
        scale=alt.Scale(domain=[0.8, 3.2]),
        axis=alt.Axis(values=[1, 2, 3], labelExpr=LEVEL_AXIS, grid=True),
    )
    links = (
        alt.Chart(pairs.rename(columns={"label": "factor"}))
        .mark_rule(color=charts.NEUTRAL, strokeWidth=3)
        .encode(
            y=alt.Y("factor:N", sort=order, title=None),
            x=alt.X("self_assessment:Q", scale=alt.Scale(domain=[0.8, 3.2])),
            x2="evidence_level:Q",
        )
    )
    dots = (
        alt.Chart(long)
        .mark_point(filled=True, size=220, opacity=0.95)
        .encode(
            y=alt.Y("factor:N", sort=order, title=None),
            x=x,
            color=alt.Color(
                "source:N",
                title=None,
                scale=alt.Scale(
                    domain=["Leadership's self-assessment", "Evidence in the data"],
                    range=[charts.PALETTE[1], charts.PRIMARY],
                ),
            ),
            shape=alt.Shape(
                "source:N",
                title=None,
                scale=alt.Scale(
                    domain=["Leadership's self-assessment", "Evidence in the data"], range=["diamond", "circle"]
                ),
            ),
            tooltip=[
                alt.Tooltip("factor:N", title="Factor"),
                alt.Tooltip("source:N", title="Source"),
                alt.Tooltip("level_name:N", title="Placement"),
            ],
        )
    )
    return (
        alt.layer(
            links,
            dots,
            title=alt.TitleParams(
                "Where the rollout stands: leadership's view and the evidence",
                subtitle="A grey bar joins the two where they disagree.",
            ),
        )
        .properties(height=alt.Step(40))
        .configure_legend(orient="bottom")
    )


PHASE_COLOURS = dict(
    zip(ROADMAP_PHASES, (charts.PRIMARY, charts.PALETTE[2], charts.PALETTE[1], charts.PALETTE[4]), strict=True)
)


# the first and last dates flush with the plot's ends, so no label runs past the chart's edge
_DATE_AXIS = alt.Axis(format="%d %b %Y", labelAngle=0, labelFlush=True, labelOverlap="greedy")


def roadmap_chart(r: SummaryResult) -> alt.Chart:
    """Gantt-style: the four phases as bars from start to end, milestones as diamonds on their row."""
    plan = r.roadmap.assign(end_next=r.roadmap["end"] + pd.Timedelta(days=1))[
        ["phase", "start", "end", "end_next", "weeks", "goal"]
    ]
    marks = r.milestones[["phase", "due", "milestone", "owner", "metric", "note"]].assign(
        timing=np.where(
            r.milestones["timing"].isin([EARLY, ALREADY_DUE]), "Due before its phase", "In or after its phase"
        )
    )
    y = alt.Y("phase:N", sort=list(ROADMAP_PHASES), title=None)
    colour = alt.Color(
        "phase:N", legend=None, scale=alt.Scale(domain=list(PHASE_COLOURS), range=list(PHASE_COLOURS.values()))
    )
    bars = (
        alt.Chart(plan)
        .mark_bar(height=24, opacity=0.35, cornerRadius=3)
        .encode(
            x=alt.X("start:T", title="Date", axis=_DATE_AXIS),
            x2="end_next:T",
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip("phase:N", title="Phase"),
                alt.Tooltip("start:T", title="Starts", format="%d %b %Y"),
                alt.Tooltip("end:T", title="Ends", format="%d %b %Y"),
                alt.Tooltip("weeks:Q", title="Weeks"),
                alt.Tooltip("goal:N", title="Goal"),
            ],
        )
    )
    points = (
        alt.Chart(marks)
        .mark_point(shape="diamond", filled=True, size=120, opacity=0.9)
        .encode(
            x=alt.X("due:T", axis=_DATE_AXIS),
            y=y,
            color=alt.Color(
                "timing:N",
                title="Milestone",
                scale=alt.Scale(
                    domain=["In or after its phase", "Due before its phase"], range=[charts.TEXT, charts.NEGATIVE]
                ),
            ),
            tooltip=[
                alt.Tooltip("milestone:N", title="Milestone"),
                alt.Tooltip("due:T", title="Due", format="%d %b %Y"),
                alt.Tooltip("owner:N", title="Owner"),
                alt.Tooltip("metric:N", title="Metric"),
                alt.Tooltip("note:N", title="Note"),
            ],
        )
    )
    return (
        alt.layer(
            bars,
            points,
            title=alt.TitleParams(
                f"Roadmap: {r.roadmap['weeks'].sum()} weeks from {r.start_date:%d %B %Y}",
                subtitle="Bars: the four phases. Diamonds: milestones; red ones fall due before their phase starts.",
            ),
        )
        .properties(height=alt.Step(46), padding={"left": 5, "top": 5, "bottom": 5, "right": 30})
        .resolve_scale(color="independent")
        .configure_legend(orient="bottom")
    )


# ---------------------------------------------------------------- views for the deliverable


def headlines_view(r: SummaryResult) -> pd.DataFrame:
    """The headline figures as text, with their intervals and where each comes from."""
    level = f"{r.confidence_level:.0%}"

    def fmt(value: float, unit: str) -> str:
        if not math.isfinite(value):
            return "missing"
        if unit == "share":
            return f"{value:.0%}"
        return number(value)

    h = r.headlines
    return pd.DataFrame(
        {
            "Figure": h["figure"],
            "Value": [fmt(v, u) for v, u in zip(h["value"], h["unit"], strict=True)],
            "Unit": h["unit"].replace("share", "of skills"),
            f"Range ({level})": [
                f"{fmt(lo, u)} to {fmt(hi, u)}" if math.isfinite(lo) and math.isfinite(hi) else ""
                for lo, hi, u in zip(h["low"], h["high"], h["unit"], strict=True)
            ],
            "From": h["phase"],
        }
    )


def phases_view(r: SummaryResult) -> pd.DataFrame:
    p = r.phases
    return pd.DataFrame(
        {
            "Analysis": p["title"],
            "Stage": p["stage"],
            "Status": p["status"],
            "Note": np.where(
                p["status"] == "ok",
                "recorded result used",
                p["error"] + np.where(p["missing"] != "", " — missing: " + p["missing"], ""),
            ),
        }
    )


def diagnosis_view(r: SummaryResult) -> pd.DataFrame:
    d = r.diagnosis

    def level(v) -> str:
        return "not rated" if pd.isna(v) else f"{int(v)} {LEVELS[int(v)]}"

    return pd.DataFrame(
        {
            "Factor": d["label"],
            "Leadership's rating": [level(v) for v in d["self_assessment"]],
            "Evidence": [level(v) if not pd.isna(v) else "unknown" for v in d["evidence_level"]],
            "Finding": d["finding"],
        }
    )


def signals_view(r: SummaryResult) -> pd.DataFrame:
    s = r.signals
    return s[["label", "check", "observed", "result", "source"]].rename(
        columns={
            "label": "Factor",
            "check": "Check",
            "observed": "What the data show",
            "result": "Result",
            "source": "From",
        }
    )


def patterns_view() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Factor": [FACTOR_LABELS[f] for f in HEALTH_FACTORS],
            "Failing pattern (1)": [PATTERNS[f][0] for f in HEALTH_FACTORS],
            "Successful pattern (3)": [PATTERNS[f][1] for f in HEALTH_FACTORS],
        }
    )


def roadmap_view(r: SummaryResult) -> pd.DataFrame:
    p = r.roadmap
    return pd.DataFrame(
        {
            "Phase": p["phase"],
            "Starts": p["start"],
            "Ends": p["end"],
            "Weeks": p["weeks"],
            "Accountable": p["owner"],
            "Goal": p["goal"],
            "Metric that proves it": p["metric"],
        }
    )


def milestones_view(r: SummaryResult, phase: str | None = None) -> pd.DataFrame:
    m = r.milestones if phase is None else r.milestones[r.milestones["phase"] == phase]
    return pd.DataFrame(
        {
            "Phase": m["phase"],
            "Due": m["due"],
            "Milestone": m["milestone"],
            "Owner": m["owner"],
            "Metric": m["metric"],
            "Note": m["note"],
        }
    ).reset_index(drop=True)


def workflows_view(r: SummaryResult) -> pd.DataFrame:
    w = r.workflows
    cur, level = r.currency, f"{r.confidence_level:.0%}"
    return pd.DataFrame(
        {
            "Workflow": w["workflow"],
            "Owner": w["owner_role"] + " (" + w["department"] + ")",
            "Minutes per run today": w["baseline_minutes"],
            "Target minutes with AI": w["target_minutes"],
            f"Time saved ({level} range)": [
                f"{share(s)} ({share(lo)} to {share(hi)})"
                for s, lo, hi in zip(w["saving"], w["saving_low"], w["saving_high"], strict=True)
            ],
            "Hours saved per year (range)": [
                f"{h:,.0f}{_range(lo, hi)}"
                for h, lo, hi in zip(
                    w["annual_hours_saved"], w["annual_hours_saved_low"], w["annual_hours_saved_high"], strict=True
                )
            ],
            f"Net value, {r.horizon_months} months ({cur})": w["net_value"],
        }
    )


def workflows_caption(r: SummaryResult) -> str:
    """Where the baseline minutes of the chosen workflows come from."""
    sources = dict.fromkeys(s for s in r.workflows["baseline_source"] if s)
    return "Minutes per run today: the " + "; the ".join(sources) + "." if sources else ""


def requests_view(r: SummaryResult) -> pd.DataFrame:
    return r.requests.rename(columns={"request": "What we need from you", "from": "Found by"})


MILESTONES_CAPTION = (
    "Milestones, drawn from the analyses: the chosen workflows (ROI ranking), the priority training cohorts "
    "(training gaps), every tool change dated by its renewal (consolidation) and the first agent pilots"
)


def explorer(model):
    """A view for the live controls: the whole roadmap section (in words, the chart, the phase
    table and the milestones) under other phase lengths. The phase records and baselines come
    from `model` (computed once); each set of lengths is analysed once."""
    records, settings, baselines = model["phase_records"], model.eng.settings, model["baselines"]
    weeks = settings.phase_weeks

    @functools.lru_cache(maxsize=32)
    def result(foundation: int, training: int, consolidation: int, agents: int) -> SummaryResult:
        lengths = {"foundation": foundation, "training": training, "consolidation": consolidation, "agents": agents}
        return analyze(records, settings, baselines=baselines, phase_weeks=lengths)

    def view(
        foundation: int = weeks.foundation, training: int = weeks.training, consolidation: int = weeks.consolidation,
        agents: int = weeks.agents,
    ) -> list:  # fmt: skip
        from kit import notebook as nb

        r = result(int(foundation), int(training), int(consolidation), int(agents))
        return [
            nb.say(roadmap_text(r), label=""), roadmap_chart(r), nb.table(roadmap_view(r)),
            nb.table(milestones_view(r), max_rows=80, caption=MILESTONES_CAPTION),
        ]

    return view


# ---------------------------------------------------------------- the run's deliverables


class Links:
    """A list of links to the run's other deliverables (relative hrefs; all text escaped)."""

    def __init__(self, items: list[tuple[str, str | None, str]]) -> None:
        self.items = items  # (title, href or None, note)

    def _repr_html_(self) -> str:
        rows = []
        for title, href, note in self.items:
            label = f'<a href="{escape(href, quote=True)}">{escape(title)}</a>' if href else escape(title)
            rows.append(f"<li>{label}{' — ' + escape(note) if note else ''}</li>")
        return "<ul>" + "".join(rows) + "</ul>"

    def __repr__(self) -> str:
        return "\n".join(f"- {t}{' (' + h + ')' if h else ''}{': ' + n if n else ''}" for t, h, n in self.items)


PAGE_KINDS = (
    ("playbook_", "Role playbook"),
    ("agent_spec_", "Agent specification"),
    ("acceptable_use_policy", "Policy draft"),
)


def _page_titles(records: Mapping[str, PhaseRecord]) -> dict[str, str]:
    """Page file name → what it is about: a playbook's role, an agent specification's task."""
    titles = {}
    playbooks = _table(_record(records, "training_gaps"), "playbooks", ("page", "role"))
    if playbooks is not None:
        titles |= dict(zip(playbooks["page"].astype(str), playbooks["role"].astype(str), strict=True))
    specs = _table(_record(records, "agent_candidates"), "specs", ("page", "task"))
    if specs is not None:
        titles |= dict(zip(specs["page"].astype(str), specs["task"].astype(str), strict=True))
    return titles


def deliverables(r: SummaryResult, output_dir: str | Path | None, records: Mapping[str, PhaseRecord] | None = None):
    """Links to every phase report and page of this run (only those that exist on disk), pages
    named from `records` where they can be; a note in a live session without a run folder."""
    if not output_dir:
        from kit import notebook as nb

        return nb.say(
            "Live session without a run folder: `kit run` links every report, playbook, agent specification "
            "and policy draft here.",
            label="",
        )
    run = Path(output_dir)
    registry = _registry()
    items: list[tuple[str, str | None, str]] = []
    for _, p in r.phases.iterrows():
        phase = registry.get(p["phase"])
        html = f"{phase.notebook.removesuffix('.ipynb')}.html" if phase is not None else None
        href = html if html and (run / html).is_file() else None
        items.append(
            (
                f"{p['title']} (report)",
                href if p["status"] == "ok" else None,
                "" if p["status"] == "ok" else f"{p['status']}: {p['error']}",
            )
        )
    pages = sorted((run / "pages").glob("*")) if (run / "pages").is_dir() else []
    named = _page_titles(records or {})
    for page in pages:
        if page.name.startswith("."):
            continue
        kind = next((label for prefix, label in PAGE_KINDS if page.name.startswith(prefix)), "")
        title = named.get(page.name) or page.stem.replace("_", " ").replace("-", " ").capitalize()
        items.append((f"{kind}: {title}" if kind else title, f"pages/{page.name}", page.suffix.lstrip(".").upper()))
    return Links(items)

"""Engagement summary: the diagnosis, the phased roadmap and the executive view, built from the
results the other phases recorded.

Method (stated in the deliverable):
- Sources: each phase's recorded result (`results/<phase>.json`, written by `nb.record`) and its
  run status (`results/status.json`, written by the runner). Without a run folder (live use,
  nbmake) each phase is computed through `kit` and converted to the same record shape. A phase
  that failed, was skipped or did not run is reported as such; every figure that depends on it is
  shown as missing, never estimated. Headline figures are the phases' own recorded numbers; the
  only arithmetic is summing a recorded column (e.g. the interval ends of the chosen workflows).
- Diagnosis: each of the six factors of the failing-vs-successful comparison gets checks on the
  evidence (`SIGNALS` below, thresholds in constants). A check fails, passes or is unknown (its
  phase is missing). Placement: 1 (failing pattern) when a decisive check fails (no accountable
  owner) or at least half the known checks fail; 2 (partial) when some fail; 3 (successful)
  when none fails; unknown when no check could be made, or when none fails but fewer than half
  of the checks could be made. It sits beside leadership's own score
  (`health_check` in engagement.yaml); a difference of a level or more is a finding.
- Roadmap: Foundation, Training, Consolidation and Agents follow one another from `start_date`,
  lasting `phase_weeks`. Milestones come from the analyses: the chosen workflows (ROI ranking),
  the priority training cohorts, every tool change dated by its decide-by date (30 days before
  renewal), and the first agent pilots. A decision due before its phase starts is flagged.
- Baseline minutes of a chosen workflow: the ROI ranking's `baseline_minutes` when it records one,
  else the median of its unassisted time-study runs, else the inventory's typical minutes per run
  (said so). Target = baseline × (1 − the measured saving).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit.evidence import UTILIZATION_FLOOR  # Torii: below it, paying for empty seats
from kit.options import READINESS_THRESHOLD as READINESS_BAR  # the readiness that gates agents
from kit.settings import HEALTH_FACTORS, EngagementSettings
from kit.vocabulary import (  # shared labels
    CANCEL,
    CONSOLIDATE,
    CONSUMER,
    DOWNSIZE,
    GATE_READY,
    KEEP,
    NOT_RECOMMENDED,
    UNAPPROVED,
    UNLISTED,
)

NAME = "engagement_summary"
STATUS_FILE = "status.json"

#: What is lost from the summary when a phase is missing, for the reader.
PHASE_LOSS = {
    "workflow_mapping": "the workflow inventory and its data gaps",
    "roi_ranking": "the chosen workflows, their hours and value, and the Foundation milestones",
    "training_gaps": "readiness, the people to train and the training cohorts",
    "consolidation": "tool savings, shadow AI, renewals and the Consolidation milestones",
    "agent_candidates": "agent hours and the agent pilots",
}

ROADMAP_PHASES = ("Foundation", "Training", "Consolidation", "Agents")
LEVELS = {1: "failing", 2: "partial", 3: "successful"}
FACTOR_LABELS = {
    "starting_point": "Starting point",
    "training": "Training",
    "data_governance": "Data governance",
    "ownership": "Ownership",
    "timeline": "Timeline",
    "measurement": "Measurement",
}
PATTERNS = {  # factor: (failing pattern, successful pattern)
    "starting_point": ("Tools bought before the work was mapped: many tools, empty seats, nothing measured",
                       "Workflows mapped and timed first, then tools chosen for them"),
    "training": ("No targets per role, low readiness, leaders far ahead of their teams",
                 "Targets per role and training on each role's own workflows"),
    "data_governance": ("Free and unapproved tools in use, AI on expenses, company data with no approved tool",
                        "Approved tools for each class of data, and one policy everyone knows"),
    "ownership": ("Nobody accountable for the rollout", "One named owner, and an owner for every workflow and tool"),
    "timeline": ("No dated plan; decisions fall due before anyone acts on them",
                 "A phased plan with dated milestones, started from a measured baseline"),
    "measurement": ("No baseline, so no one can show what changed",
                    "Baseline measured before the rollout and measured again after it"),
}  # fmt: skip

# Thresholds of the diagnosis checks.
UNNEEDED_TOOL_SHARE = 0.25  # AI tools to cancel or merge at or above this share: bought before needed
MEASURED_SHARE = 0.5  # workflows timed in both arms below this share: nothing measured
DEFAULT_TARGET_SHARE = 0.5  # roles relying only on default targets at or above this share: no role targets
RESPONSE_RATE_BAR = 0.5  # survey response rate below this: skills not baselined

SHADOW_PHRASES = {
    UNLISTED: ("tool in use but not in the inventory", "tools in use but not in the inventory"),
    UNAPPROVED: ("unapproved tool in use", "unapproved tools in use"),
    CONSUMER: ("tool in use on a free or individual plan", "tools in use on free or individual plans"),
}
READY_NOW = GATE_READY

TOP_COHORTS = 5
TOP_PILOTS = 3
DECISION_LEAD_DAYS = 30  # decide a renewal 30 days before it (the 90-60-30 cycle, evidence.md)
NO_OWNER = "Not named yet"


# ---------------------------------------------------------------- collecting the records


@dataclass(frozen=True)
class PhaseRecord:
    """One source phase for the summary: its status (ok, failed, skipped, not run), the error
    or reason, and its record {"scalars": {...}, "tables": {name: DataFrame}} (None unless ok)."""

    status: str
    error: str | None = None
    record: dict[str, Any] | None = None
    title: str = ""
    stage: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.record is not None


def _registry():
    from kit.phases import PHASE_BY_NAME

    return PHASE_BY_NAME


def source_phases() -> tuple[str, ...]:
    """The phases the summary reads: its registry entry's `after`."""
    return tuple(_registry()[NAME].after)


def _meta(phase: str) -> tuple[str, str, tuple[str, ...]]:
    """A phase's title, stage and tables, from the registry (`kit.phases`)."""
    registered = _registry().get(phase)
    if registered is not None:
        return registered.title, registered.stage, tuple(registered.tables)
    return phase.replace("_", " ").capitalize(), "", ()


def _title(phase: str) -> str:
    return _meta(phase)[0]


def loaded_record(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A record as `kit.notebook.result_record` builds it, in the shape `kit.notebook.load_record`
    returns (through the same JSON, so live and recorded results are alike to the last digit)."""
    from kit import notebook as nb

    text = json.dumps(raw, ensure_ascii=False, allow_nan=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "record.json"
        path.write_text(text, encoding="utf-8")
        return nb.load_record(path)


def _read_status(results: Path) -> dict[str, dict] | None:
    path = results / STATUS_FILE
    if not path.is_file():
        return None
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) else None


def _from_run(output_dir: Path, phases: tuple[str, ...]) -> dict[str, PhaseRecord]:
    from kit import notebook as nb

    results = output_dir / "results"
    status = _read_status(results)
    out = {}
    for phase in phases:
        title, stage, _ = _meta(phase)
        entry = (status or {}).get(phase)
        path = results / f"{phase}.json"
        if status is not None and entry is None:
            out[phase] = PhaseRecord("not run", "not part of this run", None, title, stage)
            continue
        state = entry.get("status", "ok") if entry else ("ok" if path.is_file() else "not run")
        title = (entry or {}).get("title") or title
        error = (entry or {}).get("error")
        if state != "ok":
            out[phase] = PhaseRecord(
                state, error or ("no result in this run folder" if state == "not run" else None), None, title, stage
            )
            continue
        try:
            record = nb.load_record(path)
        except (OSError, ValueError, KeyError) as exc:
            out[phase] = PhaseRecord(
                "failed", f"finished but its result could not be read ({type(exc).__name__}: {exc})", None, title, stage
            )
            continue
        out[phase] = PhaseRecord("ok", None, record, title, stage)
    return out


def records_from_results(results: Mapping[str, Any]) -> dict[str, PhaseRecord]:
    """Each source phase's status and record from its result in the engagement model (a result,
    or `kit.model.Unavailable` when it was skipped or failed), in the shape `collect` returns."""
    from kit import notebook as nb
    from kit.model import Unavailable

    out = {}
    for phase in source_phases():
        title, stage, _ = _meta(phase)
        value = results.get(phase)
        if value is None:
            out[phase] = PhaseRecord("not run", "did not run", None, title, stage)
            continue
        if isinstance(value, Unavailable):
            out[phase] = PhaseRecord(value.status, value.reason, None, title, stage)
            continue
        out[phase] = PhaseRecord("ok", None, loaded_record(nb.result_record(phase, value)), title, stage)
    return out


def baselines_from(time_studies: pd.DataFrame | None) -> pd.DataFrame | None:
    """Per workflow: the median minutes of its runs timed without AI, and how many there were
    (None without time studies)."""
    if time_studies is None:
        return None
    plain = time_studies[~time_studies["ai_assisted"].astype(bool)]
    out = plain.groupby("workflow_id")["minutes"].agg(baseline_minutes="median", baseline_runs="size").reset_index()
    out["baseline_runs"] = out["baseline_runs"].astype("int64")
    return out


def collect(eng, output_dir: str | Path | None) -> dict[str, PhaseRecord]:
    """Each source phase's status and record: read from `<output_dir>/results/` (JSON records and
    status.json, as a run folder holds them), or, without a run folder, from the engagement
    model (`kit.model`; each phase computed once)."""
    if output_dir:
        return _from_run(Path(output_dir), source_phases())
    from kit.model import EngagementModel

    return EngagementModel(eng)["phase_records"]


def time_study_baselines(eng) -> pd.DataFrame | None:
    """`baselines_from` the engagement's time studies."""
    return baselines_from(eng.tables.get("time_studies"))


# ---------------------------------------------------------------- record access


def _record(records: Mapping[str, PhaseRecord], phase: str) -> dict | None:
    r = records.get(phase)
    return r.record if r is not None and r.ok else None


def _scalar(rec: dict | None, name: str, default: Any = None) -> Any:
    if rec is None:
        return default
    value = rec.get("scalars", {}).get(name, default)
    return default if value is None else value


def _table(rec: dict | None, name: str, needs: tuple[str, ...] = ()) -> pd.DataFrame | None:
    """A recorded table, or None when the record or the table or one of `needs` columns is missing."""
    if rec is None:
        return None
    df = rec.get("tables", {}).get(name)
    if df is None or any(c not in df.columns for c in needs):
        return None
    return df


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def _texts(values) -> list[str]:
    return [str(v) for v in values if isinstance(v, str) and v.strip()]


# ---------------------------------------------------------------- diagnosis


@dataclass(frozen=True)
class Signal:
    factor: str
    check: str
    observed: str
    failing: bool | None  # None: unknown (its phase is missing)
    source: str
    decisive: bool = False  # failing alone places the factor at "failing"


def _unknown(factor: str, check: str, phase: str, records: Mapping[str, PhaseRecord]) -> Signal:
    r = records.get(phase)
    title = r.title if r is not None and r.title else _title(phase)
    state = r.status if r is not None else "not run"
    return Signal(factor, check, f"unknown: {title} {state}", None, title)


def _starting_point(records, settings) -> list[Signal]:
    f = "starting_point"
    out = []
    cons = _record(records, "consolidation")
    tools = _table(cons, "tools", ("is_ai", "seats", "active_users", "recommendation"))
    if tools is None:
        out.append(_unknown(f, "AI seats in use", "consolidation", records))
        out.append(_unknown(f, "AI tools not needed", "consolidation", records))
    else:
        ai = tools[tools["is_ai"].fillna(False).astype(bool)]
        paid = ai[ai["seats"].astype(float) > 0]
        seats = float(paid["seats"].sum())
        used = float(np.minimum(paid["active_users"].astype(float), paid["seats"].astype(float)).sum())
        window = _scalar(cons, "window_days", 30)
        if seats:
            share = used / seats
            out.append(
                Signal(
                    f,
                    "AI seats in use",
                    f"{used:,.0f} of {seats:,.0f} paid AI seats used in the last {window} days "
                    f"({share:.0%}; below {UTILIZATION_FLOOR:.0%} means paying for empty seats)",
                    share < UTILIZATION_FLOOR,
                    "Consolidation",
                )
            )
        else:
            out.append(Signal(f, "AI seats in use", "no paid AI seats", None, "Consolidation"))
        unneeded = ai[ai["recommendation"].isin([CANCEL, CONSOLIDATE])]
        if len(ai):
            share = len(unneeded) / len(ai)
            out.append(
                Signal(
                    f,
                    "AI tools not needed",
                    f"{len(unneeded)} of {len(ai)} AI tools are to be cancelled or merged into another",
                    share >= UNNEEDED_TOOL_SHARE,
                    "Consolidation",
                )
            )
        else:
            out.append(Signal(f, "AI tools not needed", "no AI tool in the inventory", None, "Consolidation"))
    roi, wm = _record(records, "roi_ranking"), _record(records, "workflow_mapping")
    src = roi if roi is not None else wm
    n_measured, n_total = _scalar(src, "n_measured"), _scalar(src, "n_workflows")
    if src is None or not n_total:
        out.append(_unknown(f, "Workflows timed", "workflow_mapping", records))
    else:
        share = n_measured / n_total
        out.append(
            Signal(
                f,
                "Workflows timed",
                f"{n_measured} of {n_total} workflows timed with and without AI ({share:.0%})",
                share < MEASURED_SHARE,
                "ROI ranking" if roi is not None else "Workflow mapping",
            )
        )
    return out


def _training(records, settings) -> list[Signal]:
    f = "training"
    rec = _record(records, "training_gaps")
    if rec is None:
        return [
            _unknown(f, c, "training_gaps", records) for c in ("Role targets", "Readiness", "Leaders and their teams")
        ]
    out = []
    playbooks = _table(rec, "playbooks", ("role",))
    roles = len(playbooks) if playbooks is not None else 0
    without = _texts(_scalar(rec, "roles_without_targets", []))
    default = _texts(_scalar(rec, "roles_on_default_targets", []))
    if roles:
        own = roles - len(without) - len(default)
        text = f"{own} of {roles} roles have targets of their own"
        if default:
            text += f"; {len(default)} use only the defaults"
        if without:
            text += f"; {len(without)} have none ({', '.join(without)})"
        out.append(
            Signal(
                f, "Role targets", text, bool(without) or len(default) / roles >= DEFAULT_TARGET_SHARE, "Training gaps"
            )
        )
    else:
        out.append(Signal(f, "Role targets", "no survey roles", None, "Training gaps"))
    readiness = _num(_scalar(rec, "readiness"))
    if math.isfinite(readiness):
        out.append(
            Signal(
                f,
                "Readiness",
                f"{readiness:.0%} of skills at their role's target (bar: {READINESS_BAR:.0%})",
                readiness < READINESS_BAR,
                "Training gaps",
            )
        )
    else:
        out.append(Signal(f, "Readiness", "no skill has a target", None, "Training gaps"))
    lead = _table(rec, "leadership_gap", ("far_ahead", "gap"))
    if lead is None or lead.empty:
        out.append(Signal(f, "Leaders and their teams", "no leader role to compare", None, "Training gaps"))
    else:
        far = lead[lead["far_ahead"].fillna(False).astype(bool)]
        threshold = _num(_scalar(rec, "leader_gap_threshold", 1.0))
        text = f"{len(far)} of {len(lead)} leaders rate themselves at least {threshold:g} level above their teams" + (
            f" (up to {lead['gap'].max():.1f})" if len(far) else ""
        )
        out.append(Signal(f, "Leaders and their teams", text, len(far) > 0, "Training gaps"))
    return out


def _governance(records, settings) -> list[Signal]:
    f = "data_governance"
    cons = _record(records, "consolidation")
    if cons is None:
        out = [
            _unknown(f, "Unapproved or free AI in use", "consolidation", records),
            _unknown(f, "AI on expenses", "consolidation", records),
        ]
    else:
        out = []
        shadow = _table(cons, "shadow", ("kind", "tool"))
        gaps = _table(cons, "governance_gaps", ("kind", "tool"))  # free or unapproved inventory tools live here
        if shadow is not None and gaps is not None:
            shadow = pd.concat([shadow, gaps], ignore_index=True)
        if shadow is None:
            out.append(Signal(f, "Unapproved or free AI in use", "no shadow-AI table recorded", None, "Consolidation"))
        else:
            kinds = shadow[shadow["kind"].isin(list(SHADOW_PHRASES))]
            counts = kinds["kind"].value_counts()
            text = (
                "; ".join(_n(n, *SHADOW_PHRASES[k]) for k, n in counts.items())
                if len(kinds)
                else "none found in usage or the inventory"
            )
            out.append(Signal(f, "Unapproved or free AI in use", text, len(kinds) > 0, "Consolidation"))
        spend = _num(_scalar(cons, "totals", {}).get("shadow_spend"))
        if not _scalar(cons, "has_expenses", True):
            out.append(Signal(f, "AI on expenses", "no expense export to check", None, "Consolidation"))
        elif math.isfinite(spend):
            cur = _scalar(cons, "currency", settings.currency)
            text = f"{cur} {spend:,.0f} a year of AI subscriptions paid on expenses" if spend > 0 else "none found"
            out.append(Signal(f, "AI on expenses", text, spend > 0, "Consolidation"))
    matrix = _table(cons, "data_matrix", ("internal", "confidential"))
    source = "Consolidation"
    if matrix is None:
        matrix, source = (
            _table(_record(records, "workflow_mapping"), "data_rules", ("internal", "confidential")),
            "Workflow mapping",
        )
    if matrix is None:
        out.append(_unknown(f, "Company data with an approved tool", "consolidation", records))
    else:
        counts = {c: int(matrix[c].fillna(False).astype(bool).sum()) for c in ("internal", "confidential")}
        text = "; ".join(f"{c} data: {n} approved tool{'s' if n != 1 else ''}" for c, n in counts.items())
        out.append(Signal(f, "Company data with an approved tool", text, min(counts.values()) == 0, source))
    return out


def _ownership(records, settings: EngagementSettings) -> list[Signal]:
    f = "ownership"
    owner = settings.accountable_owner.strip()
    out = [
        Signal(
            f,
            "Accountable owner",
            f"named: {owner}" if owner else "nobody is named (engagement.yaml: accountable_owner)",
            not owner,
            "engagement.yaml",
            decisive=True,
        )
    ]
    gaps = _table(_record(records, "workflow_mapping"), "gaps", ("gap",))
    if gaps is None:
        out.append(_unknown(f, "Workflow owners", "workflow_mapping", records))
    else:
        n = int((gaps["gap"] == "no owner").sum())
        out.append(
            Signal(
                f,
                "Workflow owners",
                f"{_n(n, 'workflow names', 'workflows name')} nobody who does them"
                if n
                else "every workflow names the role that does it",
                n > 0,
                "Workflow mapping",
            )
        )
    tools = _table(_record(records, "consolidation"), "tools", ("tool", "seats"))
    if tools is None:
        out.append(_unknown(f, "Tool owners", "consolidation", records))
    elif "owner" not in tools.columns:
        out.append(Signal(f, "Tool owners", "the inventory has no owner column", True, "Consolidation"))
    else:
        paid = tools[tools["seats"].astype(float) > 0]
        none = paid[paid["owner"].fillna("").astype(str).str.strip() == ""]
        text = (
            f"{len(none)} of {len(paid)} paid tools have no owner ({', '.join(none['tool'].astype(str).head(5))})"
            if len(none)
            else f"all {len(paid)} paid tools have an owner"
        )
        out.append(Signal(f, "Tool owners", text, len(none) > 0, "Consolidation"))
    return out


def _chosen_baselines(records) -> Signal | None:
    start = _table(_record(records, "roi_ranking"), "start_here", ("source",))
    if start is None or start.empty:
        return None
    measured = int((start["source"] == "measured").sum())
    return Signal(
        "",
        "Baselines for the chosen workflows",
        f"{measured} of {len(start)} chosen workflows have a baseline timed with and without AI",
        measured < len(start),
        "ROI ranking",
    )


def _timeline(records, settings: EngagementSettings) -> list[Signal]:
    f = "timeline"
    out = []
    roi = _record(records, "roi_ranking")
    start = _table(roi, "start_here")
    if start is None:
        out.append(_unknown(f, "Workflows to start with", "roi_ranking", records))
        out.append(_unknown(f, "Baselines for the chosen workflows", "roi_ranking", records))
    else:
        out.append(
            Signal(
                f,
                "Workflows to start with",
                f"{_n(len(start), 'workflow qualifies', 'workflows qualify')} to start with"
                if len(start)
                else "no workflow qualifies to start with",
                start.empty,
                "ROI ranking",
            )
        )
        base = _chosen_baselines(records)
        if base is not None:
            out.append(replace(base, factor=f))
    renewals = _table(_record(records, "consolidation"), "renewals", ("tool", "decide_by"))
    if renewals is None:
        out.append(_unknown(f, "Renewal decisions already due", "consolidation", records))
    else:
        begin = pd.Timestamp(settings.start_date)
        due = renewals[pd.to_datetime(renewals["decide_by"]) < begin]
        text = (
            f"{_n(len(due), 'renewal decision falls', 'renewal decisions fall')} due before the engagement starts ({', '.join(due['tool'].astype(str))})"
            if len(due)
            else "no renewal decision falls due before the engagement starts"
        )
        out.append(Signal(f, "Renewal decisions already due", text, len(due) > 0, "Consolidation"))
    return out


def _measurement(records, settings) -> list[Signal]:
    f = "measurement"
    out = []
    base = _chosen_baselines(records)
    if base is not None:
        out.append(replace(base, factor=f))
    elif _record(records, "roi_ranking") is None:
        out.append(_unknown(f, "Baselines for the chosen workflows", "roi_ranking", records))
    cons = _record(records, "consolidation")
    if cons is None:
        out.append(_unknown(f, "AI use tracked", "consolidation", records))
    else:
        rows = int(_num(_scalar(cons, "n_usage_rows", 0)) or 0)
        out.append(
            Signal(
                f,
                "AI use tracked",
                f"{rows:,} usage rows from the admin consoles" if rows else "no usage export",
                rows == 0,
                "Consolidation",
            )
        )
    training = _record(records, "training_gaps")
    coverage = _table(training, "coverage", ("headcount", "respondents"))
    if training is None:
        out.append(_unknown(f, "Skills baselined", "training_gaps", records))
    elif coverage is None or coverage["headcount"].isna().all():
        n = _scalar(training, "respondents", 0)
        out.append(
            Signal(f, "Skills baselined", f"{n} survey respondents (headcount unknown)", n == 0, "Training gaps")
        )
    else:
        known = coverage[coverage["headcount"].notna()]
        heads, answered = float(known["headcount"].astype(float).sum()), float(known["respondents"].astype(float).sum())
        rate = answered / heads if heads else 0.0
        out.append(
            Signal(
                f,
                "Skills baselined",
                f"{answered:,.0f} of {heads:,.0f} people answered the skills survey ({rate:.0%})",
                rate < RESPONSE_RATE_BAR,
                "Training gaps",
            )
        )
    return out


SIGNALS = {
    "starting_point": _starting_point,
    "training": _training,
    "data_governance": _governance,
    "ownership": _ownership,
    "timeline": _timeline,
    "measurement": _measurement,
}


def placement(signals: list[Signal]) -> int | None:
    """1 failing, 2 partial, 3 successful, None unknown (rule in the module docstring). Passing
    checks place a factor only when at least half of its checks could be made: a thin slice of
    evidence shows a failing pattern, never a successful one."""
    known = [s for s in signals if s.failing is not None]
    failing = [s for s in known if s.failing]
    if not known or (not failing and len(known) < math.ceil(len(signals) / 2)):
        return None
    if any(s.decisive for s in failing) or len(failing) / len(known) >= 0.5:
        return 1
    return 2 if failing else 3


def diagnose(records: Mapping[str, PhaseRecord], settings: EngagementSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(diagnosis: one row per factor, signals: one row per check)."""
    rows, checks = [], []
    for factor in HEALTH_FACTORS:
        signals = SIGNALS[factor](records, settings)
        level = placement(signals)
        own = settings.health_check.get(factor)
        failing = [s for s in signals if s.failing]
        label = FACTOR_LABELS[factor]
        if level is None:
            why = dict.fromkeys(s.observed.removeprefix("unknown: ") for s in signals if s.failing is None)
            lead = "Not enough evidence to place it" if any(s.failing is not None for s in signals) else "No evidence"
            finding = f"{lead}: {'; '.join(why)}."
        elif own is None:
            finding = f"Not self-assessed; the data point to {LEVELS[level]}."
        elif own == level:
            finding = f"The data agree with leadership's view ({LEVELS[level]})."
        else:
            finding = (
                f"Leadership rates this {LEVELS[own]} ({own}); the data point to {LEVELS[level]} ({level})"
                + (": " + "; ".join(s.observed for s in failing) if failing else "")
                + "."
            )
        rows.append(
            {
                "factor": factor,
                "label": label,
                "self_assessment": own,
                "evidence_level": level,
                "gap": None if own is None or level is None else level - own,
                "evidence": "; ".join(f"{s.check}: {s.observed}" for s in signals),
                "failing_pattern": PATTERNS[factor][0],
                "successful_pattern": PATTERNS[factor][1],
                "finding": finding,
            }
        )
        for s in signals:
            checks.append(
                {
                    "factor": factor,
                    "label": label,
                    "check": s.check,
                    "observed": s.observed,
                    "source": s.source,
                    "result": "unknown" if s.failing is None else ("failing pattern" if s.failing else "passes"),
                }
            )
    diagnosis = pd.DataFrame(rows)
    for col in ("self_assessment", "evidence_level", "gap"):
        diagnosis[col] = diagnosis[col].astype("Int64")
    diagnosis["disagrees"] = (diagnosis["gap"].abs() >= 1).fillna(False).astype(bool)
    return diagnosis, pd.DataFrame(checks)


# ---------------------------------------------------------------- roadmap


def roadmap_phases(settings: EngagementSettings, phase_weeks: Mapping[str, int] | None = None) -> pd.DataFrame:
    """The four phases one after another from `start_date` (`phase_weeks` overrides the settings)."""
    weeks = settings.phase_weeks.model_dump() | {k.lower(): int(v) for k, v in (phase_weeks or {}).items()}
    owner = settings.accountable_owner.strip() or NO_OWNER
    start = pd.Timestamp(settings.start_date)
    rows = []
    for name in ROADMAP_PHASES:
        n = int(weeks[name.lower()])
        end = start + pd.Timedelta(weeks=n) - pd.Timedelta(days=1)
        rows.append({"phase": name, "start": start, "end": end, "weeks": n, "owner": owner})
        start = end + pd.Timedelta(days=1)
    return pd.DataFrame(rows)


def _money(x: float, currency: str) -> str:
    return f"{currency} {x:,.0f}".replace("-", "−")


def _goals(records, settings, workflows: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Per roadmap phase: (goal, the metric that proves it)."""
    cur = settings.currency
    roi, tr = _record(records, "roi_ranking"), _record(records, "training_gaps")
    cons, ag = _record(records, "consolidation"), _record(records, "agent_candidates")
    foundation_metric = "Minutes per run of the chosen workflows against their time-study baseline"
    if len(workflows):
        foundation_metric += f"; about {_scalar(roi, 'start_here_hours_saved', 0):,.0f} hours a year given back"
    readiness = _num(_scalar(tr, "readiness"))
    training_metric = (
        f"Skills at target from {readiness:.0%} to at least {READINESS_BAR:.0%} (repeat the skills survey)"
        if math.isfinite(readiness)
        else "Skills at target (the training phase is missing: no baseline)"
    )
    totals = _scalar(cons, "totals", {}) or {}
    if totals:
        cons_metric = (
            f"Annual tool spend from {_money(totals.get('current_annual_spend', 0), cur)} to "
            f"{_money(totals.get('spend_after', 0), cur)}; AI on expenses from "
            f"{_money(_shadow_rate(totals), cur)} a year to none"
        )
    else:
        cons_metric = "Annual tool spend (the consolidation phase is missing: no baseline)"
    if ag is not None:
        agent_metric = (
            f"Share of agent outputs accepted without correction (95% to leave the pilot); about "
            f"{_scalar(ag, 'ready_now_agent_hours', 0):,.0f} hours a year from the pilots ready now"
        )
    else:
        agent_metric = "Share of agent outputs accepted (the agent phase is missing)"
    return {
        "Foundation": (
            "Name the owner, agree the data rules and put AI to work on the chosen workflows",
            foundation_metric,
        ),
        "Training": (
            "Train the priority cohorts on their own workflows and hand out the role playbooks",
            training_metric,
        ),
        "Consolidation": (
            "Cancel, merge and resize tools at their renewal dates; bring shadow AI into approved tools",
            cons_metric,
        ),
        "Agents": ("Pilot the first agents: shadow mode, then approval, then on their own where safe", agent_metric),
    }


def chosen_workflows(records: Mapping[str, PhaseRecord], baselines: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ROI ranking's start-here workflows with the baseline and target minutes per run."""
    cols = [
        "rank",
        "workflow_id",
        "workflow",
        "department",
        "owner_role",
        "source",
        "baseline_minutes",
        "baseline_runs",
        "baseline_source",
        "target_minutes",
        "saving",
        "saving_low",
        "saving_high",
        "annual_hours_saved",
        "annual_hours_saved_low",
        "annual_hours_saved_high",
        "annual_value",
        "net_value",
        "net_value_low",
        "net_value_high",
        "payback_months",
    ]
    start = _table(_record(records, "roi_ranking"), "start_here", ("workflow_id", "workflow", "saving"))
    if start is None or start.empty:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype=float
                    if c not in ("workflow_id", "workflow", "department", "owner_role", "source", "baseline_source")
                    else str
                )
                for c in cols
            }
        )
    d = start.copy()
    for c in cols:
        if c not in d.columns:
            d[c] = np.nan
    d["baseline_source"] = ""
    if "baseline_minutes" in start.columns and start["baseline_minutes"].notna().any():
        d["baseline_source"] = np.where(d["baseline_minutes"].notna(), "as recorded by the ROI ranking", "")
    d["baseline_minutes"] = d["baseline_minutes"].astype(float)
    d["baseline_runs"] = d["baseline_runs"].astype(float)
    if baselines is not None and len(baselines):
        b = baselines.set_index("workflow_id")
        todo = d["baseline_minutes"].isna()
        d["baseline_minutes"] = d["baseline_minutes"].where(
            ~todo, d["workflow_id"].map(b["baseline_minutes"]).astype(float)
        )
        d["baseline_runs"] = d["baseline_runs"].where(~todo, d["workflow_id"].map(b["baseline_runs"]).astype(float))
        d.loc[todo & d["baseline_minutes"].notna(), "baseline_source"] = "median of the runs timed without AI"
    if "minutes_per_run" in d.columns:
        todo = d["baseline_minutes"].isna()
        d["baseline_minutes"] = d["baseline_minutes"].where(~todo, d["minutes_per_run"].astype(float))
        d.loc[todo & d["baseline_minutes"].notna(), "baseline_source"] = "inventory estimate (no time study)"
    d["baseline_runs"] = d["baseline_runs"].astype("Int64")
    d["target_minutes"] = d["baseline_minutes"] * (1 - d["saving"].astype(float))
    return d[cols].reset_index(drop=True)


def _spread(start: pd.Timestamp, end: pd.Timestamp, n: int) -> list[pd.Timestamp]:
    """n due dates spread evenly over [start, end], the last on `end`."""
    days = (end - start).days + 1
    return [start + pd.Timedelta(days=math.ceil(days * (i + 1) / n) - 1) for i in range(n)]


#: `milestones.timing`: where a milestone's due date falls against its phase.
IN_PHASE, ALREADY_DUE, EARLY, AFTER = "in its phase", "already due", "before its phase", "after the roadmap"


def _timing(due: pd.Timestamp, phase: str, phases: pd.DataFrame) -> tuple[str, str]:
    """(timing, note) of a milestone: renewals do not wait for the plan."""
    own = phases.set_index("phase").loc[phase]
    if due < phases["start"].min():
        return ALREADY_DUE, "Already due before the engagement starts: decide in week 1"
    if due < own["start"]:
        within = phases[(phases["start"] <= due) & (phases["end"] >= due)]["phase"]
        return EARLY, f"Falls in {within.iloc[0]}: decide it then, ahead of this phase"
    if due > phases["end"].max():
        return AFTER, f"After the roadmap ends: decide it {DECISION_LEAD_DAYS} days before the renewal"
    return IN_PHASE, ""


@dataclass(frozen=True)
class Milestone:
    phase: str  # the roadmap phase it belongs to
    due: pd.Timestamp
    milestone: str
    owner: str
    metric: str  # the measure that proves it, in words
    subject: str = ""  # the workflow, cohort, tool or task it is about
    baseline: float = math.nan  # the metric today ...
    target: float = math.nan  # ... and its target, in `unit`
    unit: str = ""
    source: str = ""  # the phase it comes from
    note: str = ""


MILESTONE_COLUMNS = [f.name for f in fields(Milestone)] + ["timing"]


def _foundation_milestones(records, settings, span, workflows: pd.DataFrame) -> list[Milestone]:
    start, end = span.loc["Foundation", "start"], span.loc["Foundation", "end"]
    owner = settings.accountable_owner.strip() or NO_OWNER
    out = []
    if not settings.accountable_owner.strip():
        out.append(Milestone("Foundation", start + pd.Timedelta(days=4), "Name one accountable owner for the rollout",
                             "Leadership", "A named person in engagement.yaml (accountable_owner)",
                             source="engagement.yaml"))  # fmt: skip
    if _record(records, "consolidation") is not None:
        out.append(Milestone("Foundation", start + pd.Timedelta(days=13),
                             "Adopt the acceptable-use policy (draft from the consolidation review)", owner,
                             "Policy approved and sent to everyone", "Acceptable-use policy", source="Consolidation"))  # fmt: skip
    for _, w in workflows.iterrows():
        base, target = _num(w["baseline_minutes"]), _num(w["target_minutes"])
        runs = "" if pd.isna(w["baseline_runs"]) else f", {int(w['baseline_runs'])} runs"
        metric = "Minutes per run (no baseline recorded)"
        if math.isfinite(base):
            metric = (f"Minutes per run: {base:,.0f} today ({w['baseline_source']}{runs}) → {target:,.0f} with AI "
                      f"({_num(w['saving']):.0%} less)")  # fmt: skip
        who = f"{w['owner_role']} ({w['department']})" if isinstance(w["department"], str) else str(w["owner_role"])
        out.append(Milestone("Foundation", end, f"AI in daily use on {w['workflow']}", who, metric, str(w["workflow"]),
                             base, target, "minutes per run", "ROI ranking"))  # fmt: skip
    return out


def _training_milestones(records, settings, span) -> list[Milestone]:
    start, end = span.loc["Training", "start"], span.loc["Training", "end"]
    tr = _record(records, "training_gaps")
    if tr is None:
        return []
    out = []
    cohorts = _table(tr, "cohorts", ("cohort", "size"))
    if cohorts is not None and len(cohorts):
        if "priority" in cohorts:
            cohorts = cohorts.sort_values("priority", kind="stable")
        top = cohorts.head(TOP_COHORTS)
        for due, (_, c) in zip(_spread(start, end, len(top)), top.iterrows(), strict=True):
            lo, hi, level = _num(c.get("target_min")), _num(c.get("target_max")), _num(c.get("from_level"))
            target = f"{lo:g}" if lo == hi or not math.isfinite(hi) else f"{lo:g}–{hi:g}"
            depts = str(c.get("departments", "")).replace("; ", ", ")
            people = f"{_n(int(c['size']), 'person', 'people')} in {_n(int(c.get('groups', 1)), 'group')}"
            out.append(Milestone(
                "Training", due, f"Train {c['cohort']}: {people}", f"Head of {depts}" if depts else NO_OWNER,
                f"Level {level:.1f} → {target} (0–4 scale); {_num(c.get('hours_per_person')):.0f} training hours per person",
                str(c["cohort"]), level, lo, "skill level (0–4)", "Training gaps",
            ))  # fmt: skip
    readiness = _num(_scalar(tr, "readiness"))
    metric = (
        f"Skills at target: {readiness:.0%} today → at least {READINESS_BAR:.0%}"
        if math.isfinite(readiness)
        else "Skills at target"
    )
    out.append(Milestone("Training", end, "Repeat the skills survey", settings.accountable_owner.strip() or NO_OWNER,
                         metric, "Skills survey", readiness, READINESS_BAR, "share of skills at target", "Training gaps"))  # fmt: skip
    return out


def _consolidation_milestones(records, settings, span) -> list[Milestone]:
    """Every tool change, due on the consolidation phase's decide-by date (else 30 days before the
    next renewal, else the end of the phase), and the end of shadow AI."""
    end = span.loc["Consolidation", "end"]
    cur, owner = settings.currency, settings.accountable_owner.strip() or NO_OWNER
    cons = _record(records, "consolidation")
    tools = _table(cons, "tools", ("tool", "recommendation", "annual_saving"))
    if tools is None:
        return []
    renewals = _table(cons, "renewals", ("tool", "decide_by"))
    decide = {} if renewals is None else dict(zip(renewals["tool"], pd.to_datetime(renewals["decide_by"]), strict=True))
    changes = tools[tools["recommendation"] != KEEP].copy()
    changes["_renewal"] = pd.to_datetime(changes["next_renewal"]) if "next_renewal" in changes else pd.NaT
    changes["_due"] = [
        decide.get(tool, renewal - pd.Timedelta(days=DECISION_LEAD_DAYS) if not pd.isna(renewal) else end)
        for tool, renewal in zip(changes["tool"], changes["_renewal"], strict=True)
    ]
    out = []
    for _, t in changes.sort_values(["_due", "annual_saving"], ascending=[True, False], kind="stable").iterrows():
        rec, saving, cost = t["recommendation"], _num(t["annual_saving"]), _num(t.get("annual_cost"))
        seats = (
            f"; seats {int(_num(t['seats']))} → {int(_num(t['target_seats']))}"
            if rec == DOWNSIZE and "target_seats" in t
            else ""
        )
        moves = (
            f" (its users move to {t['moves_to']})"
            if rec == CONSOLIDATE and isinstance(t.get("moves_to"), str) and t["moves_to"]
            else ""
        )
        renew = "" if pd.isna(t["_renewal"]) else f", renews {t['_renewal']:%d %b %Y}"
        who = t["owner"] if isinstance(t.get("owner"), str) and t["owner"].strip() else owner
        metric = (f"Annual saving {_money(saving, cur)}{seats}" if saving >= 0 else
                  f"Extra seats on the kept tool cost {_money(-saving, cur)} a year{seats}")  # fmt: skip
        out.append(Milestone("Consolidation", t["_due"], f"{rec.capitalize()} {t['tool']}{moves}{renew}", who, metric,
                             str(t["tool"]), cost, cost - saving, f"{cur} a year", "Consolidation"))  # fmt: skip
    totals = _scalar(cons, "totals", {}) or {}
    spend, people = _num(_shadow_rate(totals)), _num(totals.get("shadow_people"))
    if math.isfinite(spend) and (spend > 0 or people > 0):
        out.append(Milestone(
            "Consolidation", end, "Move shadow-AI users onto approved tools and stop AI on expenses", owner,
            f"AI on expenses: {_money(spend, cur)} a year → none; {_n(int(people or 0), 'person', 'people')} using AI "
            "outside the approved tools → none", "Shadow AI", spend, 0.0, f"{cur} a year", "Consolidation",
        ))  # fmt: skip
    return out


def _shadow_rate(totals: Mapping[str, Any]) -> Any:
    """What AI on expenses costs a year: the run rate of the live subscriptions when consolidation
    records it (a trailing sum understates subscriptions that started during the year), else the
    trailing 12-month sum."""
    return totals.get("shadow_run_rate", totals.get("shadow_spend", 0))


def _agent_milestones(records, settings, span) -> list[Milestone]:
    """The first pilots: specified candidates ready now first, then by rank, a week apart."""
    start, end = span.loc["Agents", "start"], span.loc["Agents", "end"]
    specs = _table(_record(records, "agent_candidates"), "specs", ("task",))
    if specs is None or specs.empty:
        return []
    ready = specs["gate"] == READY_NOW if "gate" in specs else False
    rank = specs["rank"].astype(float) if "rank" in specs else np.arange(len(specs), dtype=float)
    order = specs.assign(_ready=ready, _rank=rank).sort_values(
        ["_ready", "_rank"], ascending=[False, True], kind="stable"
    )
    out = []
    for i, (_, s) in enumerate(order.head(TOP_PILOTS).iterrows()):
        hours, aim, gate = _num(s.get("hours_saved")), str(s.get("oversight", "")).lower(), s.get("gate", "")
        note = "" if gate == READY_NOW else f"gate today: {gate}; training and consolidation come first"
        out.append(Milestone(
            "Agents", start + pd.Timedelta(weeks=i), f"Start the pilot: {s['task']}" + (f" (aim: {aim})" if aim else ""),
            str(s.get("owner_role", NO_OWNER)),
            f"At least 95% of outputs accepted without correction; about {hours / 12:,.0f} hours a month given back",
            str(s["task"]), math.nan, hours, "hours a year", "Agent candidates", note,
        ))  # fmt: skip
    out.append(Milestone("Agents", end, "Decide which pilots run on their own, with approval, or stop",
                         settings.accountable_owner.strip() or NO_OWNER, "Acceptance rate and hours given back per pilot",
                         source="Agent candidates"))  # fmt: skip
    return out


def milestones(records, settings: EngagementSettings, phases: pd.DataFrame, workflows: pd.DataFrame) -> pd.DataFrame:
    """Dated milestones of every phase, each with its owner and the metric that proves it, and its
    `timing` against its phase (`_timing`)."""
    span = phases.set_index("phase")
    marks = [
        *_foundation_milestones(records, settings, span, workflows),
        *_training_milestones(records, settings, span),
        *_consolidation_milestones(records, settings, span),
        *_agent_milestones(records, settings, span),
    ]
    rows = []
    for m in marks:
        timing, why = _timing(pd.Timestamp(m.due), m.phase, phases)
        rows.append(
            asdict(m) | {"due": pd.Timestamp(m.due), "timing": timing, "note": "; ".join(n for n in (why, m.note) if n)}
        )
    out = pd.DataFrame(rows, columns=MILESTONE_COLUMNS)
    out["due"] = pd.to_datetime(out["due"])
    out[["baseline", "target"]] = out[["baseline", "target"]].astype(float)
    return out


# ---------------------------------------------------------------- headline figures


def headline_figures(records: Mapping[str, PhaseRecord], settings: EngagementSettings) -> pd.DataFrame:
    """The executive figures, each with the record field it is read from (`source`) and, where the
    phase recorded one, its interval. Missing phases give a row with no value."""
    cur = settings.currency
    rows = []

    def add(key, figure, phase, value, unit, source, low=np.nan, high=np.nan):
        rows.append(
            {
                "key": key,
                "figure": figure,
                "value": _num(value),
                "low": _num(low),
                "high": _num(high),
                "unit": unit,
                "phase": _title(phase),
                "source": source,
                "available": _record(records, phase) is not None,
            }
        )

    roi = _record(records, "roi_ranking")
    start = _table(roi, "start_here")
    horizon = _scalar(roi, "horizon_months", settings.horizon_months)
    # The picks' interval is the ROI phase's Monte Carlo interval of their total (adding up each
    # pick's ends would be an interval at a far higher level than stated).
    lo = _scalar(roi, "start_here_hours_saved_low", np.nan)
    hi = _scalar(roi, "start_here_hours_saved_high", np.nan)
    add(
        "chosen_workflows",
        "Workflows to start with",
        "roi_ranking",
        len(start) if start is not None else np.nan,
        "workflows",
        "roi_ranking.start_here (rows)",
    )
    add(
        "chosen_hours",
        "Hours a year the chosen workflows give back",
        "roi_ranking",
        _scalar(roi, "start_here_hours_saved"),
        "hours a year",
        "roi_ranking.start_here_hours_saved",
        lo,
        hi,
    )
    add(
        "chosen_net_value",
        f"Net value of the chosen workflows over {horizon} months (capacity freed at loaded cost, not cash)",
        "roi_ranking",
        _scalar(roi, "start_here_net_value"),
        f"{cur} over {horizon} months",
        "roi_ranking.start_here_net_value",
        _scalar(roi, "start_here_net_value_low"),
        _scalar(roi, "start_here_net_value_high"),
    )
    cons = _record(records, "consolidation")
    totals = _scalar(cons, "totals", {}) or {}
    add(
        "tool_spend",
        "Tool spend today",
        "consolidation",
        totals.get("current_annual_spend"),
        f"{cur} a year",
        "consolidation.totals.current_annual_spend",
    )
    add(
        "tool_saving",
        "Savings from cancelling, merging and resizing tools",
        "consolidation",
        totals.get("total_saving"),
        f"{cur} a year",
        "consolidation.totals.total_saving",
    )
    rate = "shadow_run_rate" if "shadow_run_rate" in totals else "shadow_spend"
    add(
        "shadow_spend",
        "AI paid on expenses outside the approved tools (annual run rate of the live subscriptions)"
        if rate == "shadow_run_rate" else "AI paid on expenses outside the approved tools (last 12 months)",
        "consolidation",
        totals.get(rate),
        f"{cur} a year",
        f"consolidation.totals.{rate}",
    )
    tr = _record(records, "training_gaps")
    depts = _table(tr, "departments", ("respondents", "people_fully_at_target"))
    people = (
        (depts["respondents"].astype(float) - depts["people_fully_at_target"].astype(float)).sum()
        if depts is not None
        else np.nan
    )
    add(
        "people_to_train",
        "People below their role's target on at least one skill",
        "training_gaps",
        people,
        "people",
        "training_gaps.departments (respondents − people_fully_at_target)",
    )
    add(
        "training_hours",
        "Training hours",
        "training_gaps",
        _scalar(tr, "total_training_hours"),
        "hours",
        "training_gaps.total_training_hours",
    )
    add(
        "readiness",
        "Skills at their role's target today",
        "training_gaps",
        _scalar(tr, "readiness"),
        "share",
        "training_gaps.readiness",
    )
    ag = _record(records, "agent_candidates")
    add(
        "agent_hours",
        "Hours a year AI agents could take on",
        "agent_candidates",
        _scalar(ag, "total_agent_hours"),
        "hours a year",
        "agent_candidates.total_agent_hours",
    )
    add(
        "agent_hours_ready",
        "… of which in pilots ready now",
        "agent_candidates",
        _scalar(ag, "ready_now_agent_hours"),
        "hours a year",
        "agent_candidates.ready_now_agent_hours",
    )
    add(
        "agent_value",
        "Value of the agent hours",
        "agent_candidates",
        _scalar(ag, "total_agent_value"),
        f"{cur} a year",
        "agent_candidates.total_agent_value",
    )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- what we need from the client


def data_requests(records: Mapping[str, PhaseRecord], settings: EngagementSettings) -> pd.DataFrame:
    """Data gaps the phases found, as requests to the client, each with the phase it came from."""
    rows: list[tuple[str, str]] = []

    def ask(source: str, *parts: str) -> None:
        rows.append(("".join(parts), source))

    def names(values, sep: str = ", ") -> str:
        return sep.join(str(v) for v in values)

    if not settings.accountable_owner.strip():
        ask("Diagnosis", "Name one accountable owner for the rollout (engagement.yaml: accountable_owner).")
    if missing := [FACTOR_LABELS[f].lower() for f in HEALTH_FACTORS if f not in settings.health_check]:
        ask("Diagnosis", f"Leadership's own rating (1–3) of: {names(missing)} (engagement.yaml: health_check).")
    for phase, r in records.items():
        if not r.ok:
            lost = PHASE_LOSS.get(phase, "its figures")
            ask(
                r.title,
                f"{r.title} {r.status}: {r.error or 'no reason given'}. ",
                f"Without it this summary lacks {lost}.",
            )
    for text in _texts(_scalar(_record(records, "workflow_mapping"), "collect_next", [])):
        if "accountable owner" not in text.lower():  # asked above, once
            ask("Workflow mapping", text)
    start = _table(_record(records, "roi_ranking"), "start_here", ("workflow", "source"))
    if start is not None and len(unmeasured := start[start["source"] != "measured"]):
        ask("ROI ranking", "Time studies (runs with and without AI) for the chosen workflows not yet measured: ",
            names(unmeasured["workflow"], "; "), ".")  # fmt: skip

    tr = _record(records, "training_gaps")
    if roles := _texts(_scalar(tr, "roles_without_targets", [])):
        ask("Training gaps", f"Target skill levels for the roles that have none: {names(roles)}.")
    if roles := _texts(_scalar(tr, "roles_on_default_targets", [])):
        ask("Training gaps", f"Confirm that the default skill targets fit: {names(roles)}.")
    if roles := _texts(_scalar(tr, "unanswered_target_roles", [])):
        ask(
            "Training gaps",
            f"Roles with targets but no survey answers (a planned hire, or a renamed role?): {names(roles)}.",
        )
    join = _num(_scalar(tr, "usage_join_rate"))
    if math.isfinite(join) and join < 0.9:
        ask("Training gaps", f"Matching person ids between the skills survey and the usage export: only {join:.0%} of ",
            "respondents were found in usage.")  # fmt: skip
    coverage = _table(tr, "coverage", ("department", "response_rate"))
    if coverage is not None and len(low := coverage[coverage["response_rate"].astype(float) < 0.8]):
        rates = (f"{d} ({r:.0%})" for d, r in zip(low["department"], low["response_rate"], strict=True))
        ask("Training gaps", f"More survey answers from: {names(rates)}.")

    cons = _record(records, "consolidation")
    if cons is not None and not _scalar(cons, "has_expenses", True):
        ask("Consolidation", "The card and expense export (expenses.csv), to find AI subscriptions paid outside the ",
            "approved tools.")  # fmt: skip
    shadow = _table(cons, "shadow", ("kind", "tool"))
    if shadow is not None and len(unlisted := shadow.loc[shadow["kind"] == UNLISTED, "tool"]):
        ask("Consolidation", "Who uses these tools, and under which contract (in use but not in the tool inventory): ",
            names(unlisted), ".")  # fmt: skip
    tools = _table(cons, "tools", ("tool", "seats"))
    if tools is not None:
        paid = tools[tools["seats"].astype(float) > 0]
        if "renewal_date" in paid and len(no_date := paid.loc[paid["renewal_date"].isna(), "tool"]):
            ask("Consolidation", f"Renewal dates for: {names(no_date)}.")
        if "owner" in paid and len(
            no_owner := paid.loc[paid["owner"].fillna("").astype(str).str.strip() == "", "tool"]
        ):
            ask("Consolidation", f"An owner for: {names(no_owner)}.")

    ag = _record(records, "agent_candidates")
    if ag is not None and not _scalar(ag, "readiness_known", True):
        ask("Agent candidates", f"Training readiness for the agent gate: {_scalar(ag, 'readiness_note', 'unknown')}.")
    candidates = _table(ag, "candidates", ("task", "long_task"))
    if candidates is not None:
        long = candidates[candidates["long_task"].fillna(False).astype(bool)]
        if "oversight_level" in long:
            long = long[long["oversight_level"].astype(float) < NOT_RECOMMENDED]
        if len(long):
            ask("Agent candidates", "The owners of these tasks to split them into steps of under an hour: ",
                names(long["task"], "; "), ".")  # fmt: skip
    return pd.DataFrame(rows, columns=["request", "from"])


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class SummaryResult:
    phases: pd.DataFrame  # one row per source phase: phase, title, stage, status, error, missing
    diagnosis: pd.DataFrame  # one row per factor: self_assessment, evidence_level (1–3), gap, finding
    signals: pd.DataFrame  # one row per diagnosis check: observed, result, source
    roadmap: pd.DataFrame  # one row per roadmap phase: start, end, weeks, owner, goal, metric
    milestones: pd.DataFrame  # phase, due, milestone, owner, metric, baseline, target, unit, source, note
    workflows: pd.DataFrame  # the chosen workflows with baseline and target minutes and intervals
    headlines: pd.DataFrame  # key, figure, value, low, high, unit, phase, source, available
    requests: pd.DataFrame  # request, from: what we need from the client
    executive_summary: str
    client: str
    currency: str
    start_date: dt.date
    end_date: dt.date
    owner: str  # "" when nobody is named
    horizon_months: int
    confidence_level: float
    n_ok: int
    n_missing: int
    missing: tuple[str, ...]  # titles of the phases that failed, were skipped or did not run
    disagreements: tuple[str, ...]  # factors where the data and leadership differ by a level or more
    phase_weeks: dict[str, int] = field(default_factory=dict)
    progress: str = ""  # what the follow-up measured since the baseline (kit.phases.progress), "" without one


def analyze(
    records: Mapping[str, PhaseRecord],
    settings: EngagementSettings,
    *,
    baselines: pd.DataFrame | None = None,
    phase_weeks: Mapping[str, int] | None = None,
    progress: str = "",
) -> SummaryResult:
    """The summary of the phases' recorded results (`collect`). `baselines` (workflow_id,
    baseline_minutes, baseline_runs; `time_study_baselines`) dates the chosen workflows' metric;
    `phase_weeks` overrides `settings.phase_weeks` (what-if); `progress` (the progress phase's
    summary sentences, when a baseline exists) opens the executive paragraph."""
    phase_rows = [
        {
            "phase": p,
            "title": r.title or _title(p),
            "stage": r.stage or _meta(p)[1],
            "status": r.status if r.ok or r.status != "ok" else "failed",
            "error": r.error or "",
            "missing": "" if r.ok else PHASE_LOSS.get(p, "its figures"),
        }
        for p, r in records.items()
    ]
    phases = pd.DataFrame(phase_rows, columns=["phase", "title", "stage", "status", "error", "missing"])
    diagnosis, signals = diagnose(records, settings)
    plan = roadmap_phases(settings, phase_weeks)
    workflows = chosen_workflows(records, baselines)
    goals = _goals(records, settings, workflows)
    plan["goal"] = plan["phase"].map(lambda p: goals[p][0])
    plan["metric"] = plan["phase"].map(lambda p: goals[p][1])
    marks = milestones(records, settings, plan, workflows)
    heads = headline_figures(records, settings)
    requests = data_requests(records, settings)
    roi = _record(records, "roi_ranking")
    missing = tuple(phases.loc[phases["status"] != "ok", "title"])
    result = SummaryResult(
        phases=phases,
        diagnosis=diagnosis,
        signals=signals,
        roadmap=plan,
        milestones=marks,
        workflows=workflows,
        headlines=heads,
        requests=requests,
        executive_summary="",
        client=settings.client,
        currency=settings.currency,
        start_date=settings.start_date,
        end_date=plan["end"].max().date(),
        owner=settings.accountable_owner.strip(),
        horizon_months=int(_scalar(roi, "horizon_months", settings.horizon_months)),
        confidence_level=float(_scalar(roi, "confidence_level", settings.confidence_level)),
        n_ok=int((phases["status"] == "ok").sum()),
        n_missing=len(missing),
        missing=missing,
        disagreements=tuple(diagnosis.loc[diagnosis["disagrees"], "label"]),
        phase_weeks=dict(zip(plan["phase"].str.lower(), plan["weeks"].astype(int), strict=True)),
        progress=progress,
    )
    return replace(result, executive_summary=executive_summary_text(result))


def analyze_engagement(eng, output_dir: str | Path | None = None, **overrides) -> SummaryResult:
    """`analyze` of `collect(eng, output_dir)` with the time-study baselines of the engagement."""
    overrides.setdefault("baselines", time_study_baselines(eng))
    return analyze(collect(eng, output_dir), eng.settings, **overrides)


# ---------------------------------------------------------------- narrative (plain text)


def _head(r: SummaryResult, key: str) -> pd.Series | None:
    row = r.headlines[r.headlines["key"] == key]
    if row.empty or not math.isfinite(row["value"].iloc[0]):
        return None
    return row.iloc[0]


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _range(low: float, high: float, money: str = "") -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    fmt = (lambda x: _money(x, money)) if money else (lambda x: f"{x:,.0f}".replace("-", "−"))
    return f" ({fmt(low)} to {fmt(high)})"


def executive_summary_text(r: SummaryResult) -> str:
    """One plain-language paragraph for executives, written from the figures."""
    cur = r.currency
    parts = []
    hours, value = _head(r, "chosen_hours"), _head(r, "chosen_net_value")
    if hours is not None and len(r.workflows):
        names = _join(list(r.workflows["workflow"].astype(str)))
        n = len(r.workflows)
        text = (
            f"{r.client} can start with {n} workflow{'s' if n != 1 else ''} ({names}), which would give back about "
            f"{hours['value']:,.0f} hours a year{_range(hours['low'], hours['high'])}"
        )
        if value is not None:
            text += (
                f", worth a net {_money(value['value'], cur)} over {r.horizon_months} months"
                f"{_range(value['low'], value['high'], cur)}"
            )
        parts.append(text + ".")
    elif "ROI ranking" in r.missing:
        parts.append(
            f"Which workflows {r.client} should start with is not known yet, because the ROI ranking is missing."
        )
    else:
        parts.append(
            f"No workflow of {r.client} qualifies yet as a place to start: none saves time, pays back and has "
            "an approved tool for its data."
        )
    saving, spend = _head(r, "tool_saving"), _head(r, "tool_spend")
    if saving is not None:
        share = (
            f", {saving['value'] / spend['value']:.0%} of the {_money(spend['value'], cur)} spent on them"
            if spend is not None and spend["value"]
            else ""
        )
        parts.append(
            f"Cancelling, merging and resizing tools saves another {_money(saving['value'], cur)} a year{share}."
        )
    people, train_hours, ready = _head(r, "people_to_train"), _head(r, "training_hours"), _head(r, "readiness")
    agents, agents_ready = _head(r, "agent_hours"), _head(r, "agent_hours_ready")
    bits = []
    if people is not None:
        details = [f"{train_hours['value']:,.0f} hours in all"] if train_hours is not None else []
        details += [f"{ready['value']:.0%} of skills are at target today"] if ready is not None else []
        text = f"{_n(int(people['value']), 'person needs', 'people need')} training to reach their role's targets"
        bits.append(text + (f" ({'; '.join(details)})" if details else ""))
    if agents is not None:
        text = f"AI agents could take on about {agents['value']:,.0f} hours a year of recurring work"
        if agents_ready is not None:
            text += f", {agents_ready['value']:,.0f} of them in pilots that could start now"
        bits.append(text)
    if bits:
        sentence = _join(bits)
        parts.append(sentence[0].upper() + sentence[1:] + ".")
    if r.disagreements:
        parts.append(
            f"The data paint a less healthy picture than leadership's own assessment on "
            f"{_join([d.lower() for d in r.disagreements])}."
            if _worse(r)
            else f"The data and leadership's own assessment differ on {_join([d.lower() for d in r.disagreements])}."
        )
    if not r.owner:
        parts.append("Nobody is named as accountable for the rollout; naming that person is the first decision.")
    else:
        parts.append(
            f"{r.owner} is accountable for the four phases, from {r.start_date:%d %B %Y} to {r.end_date:%d %B %Y}."
        )
    if r.missing:
        parts.append(f"Not included because the phase did not complete: {_join(list(r.missing))}.")
    if r.progress:  # a follow-up: what was delivered comes first
        parts.insert(0, r.progress)
    return " ".join(parts)


def _worse(r: SummaryResult) -> bool:
    gaps = r.diagnosis.loc[r.diagnosis["disagrees"], "gap"].dropna()
    return bool(len(gaps)) and bool((gaps < 0).all())

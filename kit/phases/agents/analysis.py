"""Phase 5 (Agents): which recurring work AI agents should run, and how safely.

Method (stated in the deliverable):
- Automation potential p (0–1), in the spirit of the UiPath Automation Hub "idea score" (the
  plain mean of 1–5 answers on rule-basedness, input type and structure, …): a weighted mean of
  three factors scaled to 0–1, structure = (input_structure − 1) ÷ 4, rules = (rule_based − 1) ÷ 4,
  routine = 1 − exception_rate. Default weights 1 : 1 : 1 (the plain mean); settable.
- Annual hours = runs per month × 12 × minutes per run ÷ 60. Annual value = annual hours × the
  owner role's fully loaded hourly cost × p; value over the horizon = annual value × horizon ÷ 12.
- Risk level from data class × error impact: low impact 0, medium 1, high 2; confidential data
  one step stricter; restricted data is never given to an agent (level 3).
- Predictability level from p: 0 when p ≥ 0.75 and at most 20% of runs need a human decision,
  1 when p ≥ 0.5, 2 when p ≥ 0.25, else 3 (too little of the task is automatable). The published
  open rubric (tones9/AI-Adoption-Assessment-Tool, provisional) automates only when predictability
  is high and consequence low, and augments when judgement or consequence is high; the cut-offs
  that put it into numbers are kit assumptions, not from a published source (settable as
  `agent_rules` in engagement.yaml, `kit.settings.AgentRules`).
- Oversight = the stricter of the two levels: 0 runs on its own, 1 a person approves each output,
  2 a person drafts with the agent, 3 not recommended.
- Feasibility = p × the share of the work an agent takes on at that oversight (1, ⅔, ⅓, 0; a kit
  assumption, `agent_rules.oversight_share`). Agent hours = annual hours × feasibility; agent
  value = annual value × that share. Candidates are ranked by agent value.
- Sensitivity: the oversight counts, agent hours and agent value again with the cut-offs all
  moved by ±0.1, the exception limit by ±0.1, and the approve/draft shares × 0.75 and × 1.25.
- Long tasks: runs over `long_task_minutes` (60, `kit.evidence.AGENT_TASK_MINUTES`) are flagged
  for splitting: the task length current models complete half the time was about an hour in
  early 2025, and about 5× shorter at 80% reliability (METR 2025, arXiv 2503.14499).
- Readiness gate: "ready now" when the oversight is not "not recommended", the department's
  training readiness (`kit.phases.training`) is at least `readiness_threshold`, and an approved
  tool covers the task's data class (`kit.governance.covered_classes`). Otherwise the gate names
  the phase that must come first (Training, Consolidation, or both).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit import charts, safe
from kit.evidence import AGENT_TASK_MINUTES
from kit.governance import covered_classes
from kit.intake.schemas import (
    DATA_CLASSES,
    ERROR_IMPACTS,
    RECURRING_CATEGORIES,
    RecurringWork,
)
from kit.options import READINESS_THRESHOLD  # department readiness for "ready now" (one default, kit.options)
from kit.settings import AgentRules, EngagementSettings
from kit.vocabulary import (  # shared labels
    APPROVE,
    AUTONOMOUS,
    DRAFT,
    GATE_BOTH,
    GATE_CONSOLIDATION,
    GATE_NOT,
    GATE_READY,
    GATE_TRAINING,
    NOT_RECOMMENDED,
)

R = RecurringWork  # column names come from the schema model
MONTHS_PER_YEAR = 12
WORKING_DAYS_PER_MONTH = 21.7

# --- the scoring rules ---------------------------------------------------------------------------

#: Factors of the automation potential, each scaled to 0–1 (1 = best suited to an agent).
FACTORS = ("input_structure", "rule_based", "exception_rate")
DEFAULT_WEIGHTS: dict[str, float] = {"input_structure": 1.0, "rule_based": 1.0, "exception_rate": 1.0}

OVERSIGHT_LABELS = (
    "Runs on its own",
    "A person approves each output",
    "A person drafts with the agent",
    "Not recommended",
)
OVERSIGHT_COLOURS = (charts.POSITIVE, charts.PRIMARY, "#E07B39", charts.NEGATIVE)
RISK_LABELS = ("low", "medium", "high", "never to an agent")
_RULES = AgentRules()  # the defaults of engagement.yaml's agent_rules (kit assumptions)
#: Share of the automatable work an agent takes on at each oversight level (ranks and hours).
DEFAULT_OVERSIGHT_SHARE: tuple[float, float, float, float] = _RULES.oversight_share.as_tuple()

IMPACT_LEVEL = {"low": AUTONOMOUS, "medium": APPROVE, "high": DRAFT}
SENSITIVITY_STEP = {"public": 0, "internal": 0, "confidential": 1}  # restricted: never

AUTONOMY_POTENTIAL = _RULES.autonomy_potential  # p needed to run on its own (0.75)
APPROVAL_POTENTIAL = _RULES.approval_potential  # p needed for "approve each output" (0.5)
MIN_POTENTIAL = _RULES.min_potential  # below: too little of the task is automatable (0.25)
AUTONOMY_MAX_EXCEPTIONS = _RULES.autonomy_max_exceptions  # most runs needing a person, to run alone (0.2)
CUT_OFF_STEP = 0.1  # the sensitivity table moves the cut-offs and the exception limit by this
SHARE_FACTORS = (0.75, 1.25)  # ... and the approve and draft shares by these
#: How a method note labels a threshold that no published source gives.
ACCEPT_TARGET = 0.95  # pilot exit: share of outputs accepted without correction (assumption)

GATES = (GATE_READY, GATE_TRAINING, GATE_CONSOLIDATION, GATE_BOTH, GATE_NOT)

CATEGORY_LABELS = {
    "report": "Reports",
    "follow_up": "Follow-ups",
    "research": "Research",
    "internal_comms": "Internal comms",
    "data_sync": "Data sync",
    "other": "Other",
}


def risk_level(data_sensitivity: str, error_impact: str) -> int:
    """The risk matrix: error impact low 0, medium 1, high 2; confidential data one step
    stricter (capped at 3); restricted data 3 whatever the impact."""
    if data_sensitivity not in SENSITIVITY_STEP:
        return NOT_RECOMMENDED
    return min(IMPACT_LEVEL[error_impact] + SENSITIVITY_STEP[data_sensitivity], NOT_RECOMMENDED)


def risk_matrix() -> pd.DataFrame:
    """Data class × error impact → the oversight an agent needs on risk alone (display table)."""
    rows = [
        {"Data class": c, **{f"{i} error impact": OVERSIGHT_LABELS[risk_level(c, i)] for i in ERROR_IMPACTS}}
        for c in DATA_CLASSES
    ]
    return pd.DataFrame(rows)


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS) if weights is None else {k: float(weights.get(k, 0.0)) for k in FACTORS}
    unknown = set(weights or {}) - set(FACTORS)
    if unknown:
        raise ValueError(f"unknown weight(s) {sorted(unknown)}; the factors are {', '.join(FACTORS)}")
    if any(v < 0 or not math.isfinite(v) for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"weights must be finite, >= 0 and not all zero, got {w}")
    return w


def automation_potential(rows: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """p in 0..1 per row: the weighted mean of (input_structure − 1) ÷ 4, (rule_based − 1) ÷ 4 and
    1 − exception_rate."""
    w = _weights(weights)
    factors = {
        "input_structure": (rows[R.input_structure].astype(float) - 1) / 4,
        "rule_based": (rows[R.rule_based].astype(float) - 1) / 4,
        "exception_rate": 1 - rows[R.exception_rate].astype(float),
    }
    return sum(w[k] * factors[k] for k in FACTORS) / sum(w.values())


def predictability_level(
    potential: float,
    exception_rate: float,
    *,
    autonomy_potential: float = AUTONOMY_POTENTIAL,
    approval_potential: float = APPROVAL_POTENTIAL,
    min_potential: float = MIN_POTENTIAL,
    autonomy_max_exceptions: float = AUTONOMY_MAX_EXCEPTIONS,
) -> int:
    """The oversight the task's predictability allows (see the module docstring)."""
    if potential >= autonomy_potential and exception_rate <= autonomy_max_exceptions:
        return AUTONOMOUS
    if potential >= approval_potential:
        return APPROVE
    if potential >= min_potential:
        return DRAFT
    return NOT_RECOMMENDED


# --- the result ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentsResult:
    candidates: pd.DataFrame  # one row per task, ranked (rank 1 = best agent value)
    by_category: pd.DataFrame  # one row per category: tasks, recommended, ready now, hours, value
    by_oversight: pd.DataFrame  # one row per oversight level: tasks, agent hours, agent value
    departments: pd.DataFrame  # department, readiness (NaN = unknown), passes, tasks, ready_now
    specs: pd.DataFrame  # one row per top candidate: the agent specification's fields
    # the kit's assumptions moved one at a time: assumption, setting, current, tasks per oversight
    # level (on_its_own, approve, draft, not_recommended), agent_hours, agent_value
    sensitivity: pd.DataFrame
    n_tasks: int
    n_recommended: int  # oversight other than "not recommended"
    n_autonomous: int
    n_ready_now: int
    n_long_tasks: int
    total_agent_hours: float  # hours a year agents could give back at the oversight each needs
    total_agent_value: float  # per year, in `currency`
    ready_now_agent_hours: float
    ready_now_agent_value: float
    weights: dict[str, float]
    readiness_threshold: float
    long_task_minutes: float
    autonomy_potential: float
    approval_potential: float
    min_potential: float
    autonomy_max_exceptions: float
    oversight_share: tuple[float, float, float, float]
    readiness_known: bool
    readiness_note: str  # where readiness came from, or why it is unknown
    coverage_known: bool
    covered: tuple[str, ...]  # data classes an approved tool covers
    currency: str
    horizon_months: int


CANDIDATE_COLUMNS = (
    "rank", R.task_id, R.task, R.department, R.category, R.owner_role, R.data_sensitivity, R.error_impact,
    R.runs_per_month, R.minutes_per_run, "potential", "annual_hours", "hourly_cost", "annual_value",
    "value_over_horizon", "risk_level", "risk", "oversight_level", "oversight", "oversight_reason", "feasibility",
    "agent_hours", "agent_value", "long_task", "readiness", "gate", "gate_reason", "ready_now", R.systems,
)  # fmt: skip


def analyze(
    recurring_work: pd.DataFrame,
    settings: EngagementSettings,
    *,
    readiness: pd.DataFrame | None = None,
    covered: set[str] | None = None,
    weights: Mapping[str, float] | None = None,
    readiness_threshold: float = READINESS_THRESHOLD,
    long_task_minutes: float = AGENT_TASK_MINUTES,
    departments: list[str] | None = None,
    autonomy_potential: float | None = None,
    approval_potential: float | None = None,
    min_potential: float | None = None,
    autonomy_max_exceptions: float | None = None,
    oversight_share: tuple[float, float, float, float] | None = None,
    top_specs: int = 5,
    readiness_note: str | None = None,
) -> AgentsResult:
    """Score, rank and gate the recurring tasks.

    `readiness`: department training readiness (columns `department`, `readiness` in 0..1);
    None means unknown, and every gate then says training comes first. `covered`: data classes an
    approved tool covers; None means no tool inventory. `departments` keeps only those (a view
    filter; totals follow it). `readiness_note` says where readiness came from (or why unknown).
    The cut-offs and `oversight_share` default to `settings.agent_rules` (kit assumptions).
    """
    w = _weights(weights)
    rules = settings.agent_rules
    autonomy_potential = rules.autonomy_potential if autonomy_potential is None else float(autonomy_potential)
    approval_potential = rules.approval_potential if approval_potential is None else float(approval_potential)
    min_potential = rules.min_potential if min_potential is None else float(min_potential)
    if autonomy_max_exceptions is None:
        autonomy_max_exceptions = rules.autonomy_max_exceptions
    oversight_share = rules.oversight_share.as_tuple() if oversight_share is None else tuple(oversight_share)
    if len(oversight_share) != len(OVERSIGHT_LABELS):
        raise ValueError("oversight_share needs one share per oversight level")
    tasks = recurring_work.copy()
    if departments:
        tasks = tasks[tasks[R.department].isin(departments)]
    tasks = tasks.reset_index(drop=True)

    tasks["potential"] = automation_potential(tasks, w)
    tasks["annual_hours"] = tasks[R.runs_per_month] * MONTHS_PER_YEAR * tasks[R.minutes_per_run] / 60
    tasks["hourly_cost"] = tasks[R.owner_role].map(settings.hourly_cost_for).astype(float)
    tasks["annual_value"] = tasks["annual_hours"] * tasks["hourly_cost"] * tasks["potential"]
    tasks["value_over_horizon"] = tasks["annual_value"] * settings.horizon_months / MONTHS_PER_YEAR

    risk = [risk_level(c, i) for c, i in zip(tasks[R.data_sensitivity], tasks[R.error_impact], strict=True)]
    predictable = [
        predictability_level(
            p,
            e,
            autonomy_potential=autonomy_potential,
            approval_potential=approval_potential,
            min_potential=min_potential,
            autonomy_max_exceptions=autonomy_max_exceptions,
        )
        for p, e in zip(tasks["potential"], tasks[R.exception_rate], strict=True)
    ]
    tasks["risk_level"] = pd.Series(risk, index=tasks.index, dtype="int64")
    tasks["risk"] = tasks["risk_level"].map(dict(enumerate(RISK_LABELS))).astype(str)
    predictable_level = pd.Series(predictable, index=tasks.index)
    tasks["oversight_level"] = np.maximum(tasks["risk_level"], predictable_level).astype("int64")
    tasks["oversight"] = tasks["oversight_level"].map(dict(enumerate(OVERSIGHT_LABELS))).astype(str)
    tasks["oversight_reason"] = pd.Series(
        [
            _oversight_reason(row, pred, autonomy_potential, autonomy_max_exceptions)
            for row, pred in zip(tasks.to_dict("records"), predictable, strict=True)
        ],
        index=tasks.index,
        dtype=str,
    )
    share = tasks["oversight_level"].map(dict(enumerate(oversight_share))).astype(float)
    tasks["feasibility"] = tasks["potential"] * share
    tasks["agent_hours"] = tasks["annual_hours"] * tasks["feasibility"]
    tasks["agent_value"] = tasks["annual_value"] * share
    tasks["long_task"] = tasks[R.minutes_per_run] > long_task_minutes
    sensitivity = _sensitivity(
        tasks, (autonomy_potential, approval_potential, min_potential), autonomy_max_exceptions, oversight_share
    )

    dept_ready = _readiness_by_department(readiness)
    tasks["readiness"] = tasks[R.department].map(lambda d: dept_ready.get(_key(d), np.nan)).astype(float)
    if readiness_note is None:
        known = readiness is not None
        readiness_note = "from the readiness table given to the analysis" if known else "no skills survey was collected"
    gates = [
        _gate(row, readiness is not None, covered, readiness_threshold, readiness_note)
        for row in tasks.to_dict("records")
    ]
    tasks["gate"] = pd.Series([g for g, _ in gates], index=tasks.index, dtype=str)
    tasks["gate_reason"] = pd.Series([r for _, r in gates], index=tasks.index, dtype=str)
    tasks["ready_now"] = tasks["gate"] == GATE_READY
    split = tasks["long_task"] & (tasks["gate"] != GATE_NOT)
    tasks.loc[split, "gate_reason"] += f"; split it into steps under {long_task_minutes:g} minutes first"

    tasks = tasks.sort_values(
        ["agent_value", "annual_value", R.task_id], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    tasks.insert(0, "rank", np.arange(1, len(tasks) + 1))
    extra = [c for c in tasks.columns if c not in CANDIDATE_COLUMNS]
    candidates = tasks[list(CANDIDATE_COLUMNS) + extra]

    recommended = candidates["oversight_level"] < NOT_RECOMMENDED
    ready = candidates["ready_now"]
    return AgentsResult(
        candidates=candidates,
        by_category=_by_category(candidates),
        by_oversight=_by_oversight(candidates),
        departments=_departments(candidates, dept_ready, readiness_threshold),
        specs=_specs(candidates[recommended].head(top_specs), settings, spec_page_names(recurring_work[R.task_id])),
        sensitivity=sensitivity,
        n_tasks=len(candidates),
        n_recommended=int(recommended.sum()),
        n_autonomous=int((candidates["oversight_level"] == AUTONOMOUS).sum()),
        n_ready_now=int(ready.sum()),
        n_long_tasks=int(candidates["long_task"].sum()),
        total_agent_hours=float(candidates["agent_hours"].sum()),
        total_agent_value=float(candidates["agent_value"].sum()),
        ready_now_agent_hours=float(candidates.loc[ready, "agent_hours"].sum()),
        ready_now_agent_value=float(candidates.loc[ready, "agent_value"].sum()),
        weights=w,
        readiness_threshold=float(readiness_threshold),
        long_task_minutes=float(long_task_minutes),
        autonomy_potential=float(autonomy_potential),
        approval_potential=float(approval_potential),
        min_potential=float(min_potential),
        autonomy_max_exceptions=float(autonomy_max_exceptions),
        oversight_share=tuple(float(x) for x in oversight_share),
        readiness_known=readiness is not None,
        readiness_note=readiness_note,
        coverage_known=covered is not None,
        covered=tuple(c for c in DATA_CLASSES if covered and c in covered),
        currency=settings.currency,
        horizon_months=settings.horizon_months,
    )


def _levels(tasks: pd.DataFrame, cut_offs: tuple[float, float, float], max_exceptions: float) -> np.ndarray:
    """Oversight level per task (vectorized `predictability_level`, then the stricter of it and risk)."""
    autonomy, approval, minimum = cut_offs
    p, e = tasks["potential"].to_numpy(float), tasks[R.exception_rate].to_numpy(float)
    predictable = np.select(
        [(p >= autonomy) & (e <= max_exceptions), p >= approval, p >= minimum], [AUTONOMOUS, APPROVE, DRAFT], NOT_RECOMMENDED
    )
    return np.maximum(tasks["risk_level"].to_numpy(int), predictable).astype(int)


def _sensitivity(
    tasks: pd.DataFrame, cut_offs: tuple[float, float, float], max_exceptions: float, shares: tuple[float, ...]
) -> pd.DataFrame:
    """Tasks per oversight level, agent hours and agent value with one kit assumption moved: the
    three cut-offs together by ±CUT_OFF_STEP (kept in 0..1), the exception limit by ±CUT_OFF_STEP,
    and the approve and draft shares × SHARE_FACTORS (at most the share of running on its own)."""

    def clip(value: float) -> float:
        return min(1.0, max(0.0, round(value, 9)))  # round: 0.75 − 0.1 is 0.65, not 0.6499…

    def share_label(sh) -> str:
        return ", ".join(f"{x:.2f}".rstrip("0").rstrip(".") for x in sh[:3])

    cases = []
    for d in (-CUT_OFF_STEP, 0.0, CUT_OFF_STEP):
        moved = tuple(clip(c + d) for c in cut_offs)
        cases.append(("cut_offs", " / ".join(f"{c:.2f}" for c in moved), d == 0, moved, max_exceptions, shares))
    for d in (-CUT_OFF_STEP, 0.0, CUT_OFF_STEP):
        e = clip(max_exceptions + d)
        cases.append(("autonomy_max_exceptions", f"at most {e:.0%}", d == 0, cut_offs, e, shares))
    for f in (SHARE_FACTORS[0], 1.0, SHARE_FACTORS[1]):
        sh = (shares[0], min(shares[0], shares[1] * f), min(shares[0], shares[2] * f), shares[3])
        cases.append(("oversight_share", share_label(sh), f == 1.0, cut_offs, max_exceptions, sh))
    rows = []
    for assumption, setting, current, co, e, sh in cases:
        level = _levels(tasks, co, e)
        share = np.asarray(sh, dtype=float)[level]
        counts = np.bincount(level, minlength=len(OVERSIGHT_LABELS))
        rows.append({
            "assumption": assumption, "setting": setting, "current": bool(current),
            "on_its_own": int(counts[AUTONOMOUS]), "approve": int(counts[APPROVE]), "draft": int(counts[DRAFT]),
            "not_recommended": int(counts[NOT_RECOMMENDED]),
            "agent_hours": float((tasks["annual_hours"].to_numpy(float) * tasks["potential"].to_numpy(float) * share).sum()),
            "agent_value": float((tasks["annual_value"].to_numpy(float) * share).sum()),
        })  # fmt: skip
    cols = ["assumption", "setting", "current", "on_its_own", "approve", "draft", "not_recommended", "agent_hours",
            "agent_value"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def readiness_from(surveyed: bool, training, outcome=None) -> tuple[pd.DataFrame | None, str]:
    """Training readiness per department from the training result, and a note on its source.
    None (unknown) when no skills survey was collected or the training analysis is unavailable
    (`outcome` then says why)."""
    if not surveyed:
        return None, "no skills survey was collected"
    if training is None:
        reason = getattr(outcome, "reason", "")
        return None, f"the training analysis is not available{f' ({reason})' if reason else ''}"
    return training.departments[["department", "readiness"]].copy(), "from the training analysis of the skills survey"


def department_readiness(eng, model=None) -> tuple[pd.DataFrame | None, str]:
    """Training readiness per department from the engagement model's training result (`readiness_from`)."""
    from kit.model import EngagementModel

    return (model or EngagementModel(eng))["department_readiness"]


def analyze_engagement(eng, model=None, **overrides) -> AgentsResult:
    """`analyze` on a loaded Engagement: readiness from the engagement model's training result
    (`model`; one is built with engagement.yaml's options when not given), coverage from the tool
    inventory. Overrides (e.g. `readiness=`, `covered=`) replace what would be computed."""
    if "readiness" not in overrides:
        overrides["readiness"], note = department_readiness(eng, model)
        overrides.setdefault("readiness_note", note)
    if "covered" not in overrides:
        overrides["covered"] = covered_classes(eng.tables.get("tools")) if eng.has("tools") else None
    return analyze(eng.tables["recurring_work"], eng.settings, **overrides)


def _key(department: str) -> str:
    return str(department).strip().lower()


def _readiness_by_department(readiness: pd.DataFrame | None) -> dict[str, float]:
    if readiness is None or readiness.empty:
        return {}
    values = readiness.dropna(subset=["readiness"])
    return {_key(d): float(r) for d, r in zip(values["department"], values["readiness"], strict=True)}


def _oversight_reason(row: dict, predictable: int, autonomy_potential: float, max_exceptions: float) -> str:
    cls, impact = row[R.data_sensitivity], row[R.error_impact]
    if cls == "restricted":
        return "restricted data never goes to an agent"
    risk = risk_level(cls, impact)
    if risk >= predictable:
        if risk == AUTONOMOUS:
            return f"{cls} data, low error impact, predictable enough to run alone"
        extra = "; confidential data adds a step" if cls == "confidential" else ""
        return f"{impact} error impact{extra}"
    p, e = row["potential"], row[R.exception_rate]
    if predictable == NOT_RECOMMENDED:
        return f"too little of it can be automated (potential {p:.0%})"
    if p >= autonomy_potential and e > max_exceptions:
        return f"{e:.0%} of runs need a human decision"
    return f"automation potential {p:.0%}: needs judgement or unstructured input"


def _gate(row: dict, readiness_known: bool, covered: set[str] | None, threshold: float, note: str) -> tuple[str, str]:
    if row["oversight_level"] >= NOT_RECOMMENDED:
        return GATE_NOT, row["oversight_reason"]
    reasons = []
    cls = row[R.data_sensitivity]
    if covered is None:
        reasons.append("no tool inventory: no approved tool is known to cover its data")
    elif cls not in covered:
        reasons.append(f"no approved tool covers {cls} data")
    need_tools = bool(reasons)
    dept, ready = row[R.department], row["readiness"]
    if not readiness_known:
        reasons.append(f"training readiness unknown: {note}")
    elif pd.isna(ready):
        reasons.append(f"no survey answers from {dept}: readiness unknown")
    elif ready < threshold:
        reasons.append(f"{dept} training readiness {ready:.0%}, below {threshold:.0%}")
    need_training = len(reasons) > int(need_tools)
    if need_tools and need_training:
        return GATE_BOTH, "; ".join(reasons)
    if need_tools:
        return GATE_CONSOLIDATION, reasons[0]
    if need_training:
        return GATE_TRAINING, reasons[0]
    return GATE_READY, f"{dept} training readiness {ready:.0%}; an approved tool covers {cls} data"


def _by_category(c: pd.DataFrame) -> pd.DataFrame:
    rec = c["oversight_level"] < NOT_RECOMMENDED
    out = (
        c.assign(recommended=rec, autonomous=c["oversight_level"] == AUTONOMOUS)
        .groupby(R.category)
        .agg(
            tasks=(R.task_id, "size"),
            recommended=("recommended", "sum"),
            autonomous=("autonomous", "sum"),
            ready_now=("ready_now", "sum"),
            annual_hours=("annual_hours", "sum"),
            agent_hours=("agent_hours", "sum"),
            agent_value=("agent_value", "sum"),
        )
        .reindex(list(RECURRING_CATEGORIES), fill_value=0)
        .rename_axis(R.category)
        .reset_index()
    )
    for col in ("tasks", "recommended", "autonomous", "ready_now"):
        out[col] = out[col].astype("int64")
    out.insert(1, "label", out[R.category].map(CATEGORY_LABELS))
    return out


def _by_oversight(c: pd.DataFrame) -> pd.DataFrame:
    out = (
        c.groupby("oversight_level")
        .agg(tasks=(R.task_id, "size"), agent_hours=("agent_hours", "sum"), agent_value=("agent_value", "sum"))
        .reindex(range(len(OVERSIGHT_LABELS)), fill_value=0)
        .rename_axis("oversight_level")
        .reset_index()
    )
    out["tasks"] = out["tasks"].astype("int64")
    out.insert(1, "oversight", [OVERSIGHT_LABELS[i] for i in out["oversight_level"]])
    return out


def _departments(c: pd.DataFrame, dept_ready: dict[str, float], threshold: float) -> pd.DataFrame:
    out = (
        c.groupby(R.department)
        .agg(tasks=(R.task_id, "size"), ready_now=("ready_now", "sum"), agent_hours=("agent_hours", "sum"))
        .reset_index()
    )
    out["ready_now"] = out["ready_now"].astype("int64")
    out.insert(1, "readiness", out[R.department].map(lambda d: dept_ready.get(_key(d), np.nan)).astype(float))
    out.insert(2, "passes", out["readiness"] >= threshold)
    return out.sort_values(["readiness", R.department], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


# --- agent specifications ------------------------------------------------------------------------

_TRIGGER = {
    "report": "Scheduled, {cadence}",
    "follow_up": "When an item falls due for a follow-up; checked {cadence}",
    "research": "On request or on a schedule, {cadence}",
    "internal_comms": "Scheduled, {cadence}",
    "data_sync": "When source records change; synced {cadence}",
    "other": "{Cadence}",
}
_STEPS = {
    "report": (
        "Pull the figures from {systems}.",
        "Check them against the source totals and the last run; flag anything that does not reconcile.",
        "Draft the report in the agreed template, with a short plain-language commentary.",
        "{checkpoint}",
        "Send it to the agreed recipients and file a copy.",
    ),
    "follow_up": (
        "List the open items due for a follow-up in {systems}.",
        "Draft each follow-up from the approved templates, with the item's own facts.",
        "Set aside anything unusual (a dispute, new terms, missing data) for the {owner}.",
        "{checkpoint}",
        "Send, log the follow-up on the record and schedule the next reminder.",
    ),
    "research": (
        "Take the question, its scope and the deadline.",
        "Search the agreed sources ({systems}); public information only unless cleared.",
        "Extract the facts with a source link for each.",
        "Summarize them in the standard template and mark anything uncertain.",
        "{checkpoint}",
    ),
    "internal_comms": (
        "Gather the facts from {systems}.",
        "Draft the message in the house style for its audience.",
        "{checkpoint}",
        "Post or send it to the agreed channel.",
    ),
    "data_sync": (
        "Read new or changed records from the source ({systems}).",
        "Match each to its target record by an agreed key.",
        "Write the mapped fields; leave any record it cannot match untouched.",
        "Reconcile counts between source and target; send mismatches to the {owner}.",
        "{checkpoint}",
    ),
    "other": (
        "Collect the inputs from {systems}.",
        "Apply the written rules for the task.",
        "Set aside exceptions for the {owner}.",
        "{checkpoint}",
        "Deliver the result and keep a log.",
    ),
}
_OUTPUT = {
    "report": "The finished report, in the agreed template, sent to its recipients",
    "follow_up": "Sent follow-ups, each logged on its record",
    "research": "A short brief with a source for every fact",
    "internal_comms": "A message ready to post, in the house style",
    "data_sync": "Updated records in the target system and a reconciliation log",
    "other": "The completed task and a log of what was done",
}
_NEVER = {
    "report": "Publish a figure it cannot reconcile to the source system.",
    "follow_up": "Promise prices, terms, dates or credits, or answer a dispute or complaint on its own.",
    "research": "Present a claim without a source, or put company data into a public search tool.",
    "internal_comms": (
        "Announce decisions about people (pay, roles, performance) or anything the owner has not approved."
    ),
    "data_sync": "Delete records, overwrite a value it cannot match, or change fields outside the agreed mapping.",
    "other": "Decide an exception on its own.",
}


def _cadence(runs_per_month: float) -> str:
    if runs_per_month >= 30:
        per_day = runs_per_month / WORKING_DAYS_PER_MONTH
        return f"about {runs_per_month:,.0f} times a month (~{per_day:,.0f} per working day)"
    if runs_per_month >= 15:
        return "every working day"
    if runs_per_month >= 6:
        return f"a few times a week (about {runs_per_month:,.0f} a month)"
    if runs_per_month >= 3:
        return "weekly"
    if runs_per_month >= 0.8:
        return "monthly"
    if runs_per_month >= 0.25:
        return "quarterly"
    return "a few times a year" if runs_per_month > 0 else "on request"


def _checkpoint(level: int, owner: str, exceptions_per_month: float) -> str:
    if level == AUTONOMOUS:
        return (
            f"No approval per run: exceptions (about {exceptions_per_month:,.0f} a month) go to the {owner}, "
            "who also checks a sample of outputs every week."
        )
    if level == APPROVE:
        return f"The {owner} approves each output before it is sent or saved."
    return f"The {owner} writes the final version from the agent's draft; nothing leaves without them."


def _pilot(level: int, owner: str, weeks: int, reason: str) -> str:
    shadow = max(1, round(weeks / 4))
    approval = max(1, round(weeks / 2))
    lines = [
        f"Weeks 1–{shadow}, shadow mode: the agent runs alongside the {owner}; its outputs are compared, not used.",
    ]
    end = shadow + approval
    if level == AUTONOMOUS:
        lines += [
            (
                f"Weeks {shadow + 1}–{end}, approval: the {owner} approves each output. Move on when at least "
                f"{ACCEPT_TARGET:.0%} are accepted unchanged for two weeks running and no error reached a "
                "customer or system."
            ),
            f"From week {end + 1}, autonomous: it runs on its own; exceptions and a weekly sample go to the {owner}.",
        ]
    elif level == APPROVE:
        lines += [
            f"From week {shadow + 1}, approval: the {owner} approves each output.",
            f"Autonomous: not planned ({reason}); revisit after three months of clean approvals.",
        ]
    else:
        lines += [
            f"From week {shadow + 1}, assisted: the {owner} drafts with the agent.",
            f"Autonomous: not planned ({reason}).",
        ]
    return "\n".join(lines)


def _specs(top: pd.DataFrame, settings: EngagementSettings, pages: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    for t in top.to_dict("records"):
        owner, cat, level = t[R.owner_role], t[R.category], int(t["oversight_level"])
        systems_list = [s.strip() for s in str(t[R.systems] or "").split(";") if s.strip()]
        systems = ", ".join(systems_list) or "the systems named by the owner"
        cadence = _cadence(t[R.runs_per_month])
        checkpoint = _checkpoint(level, owner, t[R.runs_per_month] * t[R.exception_rate])
        steps = [s.format(systems=systems, owner=owner, checkpoint=checkpoint) for s in _STEPS[cat]]
        if t["long_task"]:
            steps.insert(0, f"Split the task into steps of under {AGENT_TASK_MINUTES} minutes of human work each "
                         f"(one run takes {t[R.minutes_per_run]:g} minutes today).")  # fmt: skip
        never = [
            f"Use restricted data, or put its {t[R.data_sensitivity]} data into any tool not approved for that class.",
            _NEVER[cat],
        ]
        if t[R.error_impact] == "high":
            never.append("Take any step that cannot be undone without a person's approval.")
        never.append("Hide uncertainty: every output says what the agent was unsure of.")
        hours_month = t["agent_hours"] / MONTHS_PER_YEAR
        rows.append(
            {
                "rank": t["rank"],
                R.task_id: t[R.task_id],
                "page": pages[str(t[R.task_id])],
                R.task: t[R.task],
                R.department: t[R.department],
                R.category: cat,
                R.owner_role: owner,
                "oversight": t["oversight"],
                "gate": t["gate"],
                "gate_reason": t["gate_reason"],
                "trigger": _TRIGGER[cat].format(cadence=cadence, Cadence=cadence[:1].upper() + cadence[1:]) + ".",
                "inputs_systems": f"{systems} ({t[R.data_sensitivity]} data)",
                "steps": "\n".join(steps),
                "output": _OUTPUT[cat] + ".",
                "checkpoint": checkpoint,
                "never": "\n".join(never),
                "success_metric": (
                    f"At least {ACCEPT_TARGET:.0%} of outputs accepted without correction, "
                    "no breach of the data rules, "
                    f"and about {hours_month:,.0f} hours a month given back."
                ),
                "hours_saved": t["agent_hours"],
                "value_saved": t["agent_value"],
                "pilot_plan": _pilot(level, owner, settings.phase_weeks.agents, t["oversight_reason"]),
            }
        )
    columns = [
        "rank", R.task_id, "page", R.task, R.department, R.category, R.owner_role, "oversight", "gate", "gate_reason",
        "trigger", "inputs_systems", "steps", "output", "checkpoint", "never", "success_metric", "hours_saved",
        "value_saved", "pilot_plan",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


SPEC_FIELDS = {
    "trigger": "Trigger",
    "inputs_systems": "Inputs and systems",
    "steps": "Steps",
    "output": "Output",
    "checkpoint": "Human checkpoint",
    "never": "It must never",
    "success_metric": "Success metric",
    "pilot_plan": "Pilot plan",
}


def spec_page_names(task_ids: Iterable[str]) -> dict[str, str]:
    """Task id → its specification's file name, distinct for every id the contract allows (ids
    are opaque strings: `OPS/12`, `..`, `任务`); see `kit.safe.page_names`."""
    return safe.page_names(task_ids, "agent_spec_", fallback="task")

"""Deterministic synthetic client generator, and the bundled sample client.

`generate(out_dir, seed=7, scale=1.0)` writes a complete engagement folder for "Halden Industrial
Supply", a fictional ~$18M industrial distributor with ~150 people in 7 departments: engagement.yaml,
one CSV per intake table, and `planted.json`, the facts deliberately planted in the data (true time
savings, idle tools, shadow-AI charges, agent candidates ...) so tests can check that each analysis
finds them. `sample_data/README.md` describes the planted facts of the bundled sample (seed 7,
scale 1).

Every random draw comes from `numpy.random.default_rng(seed)` (one spawned stream per table, so a
change to one table's logic leaves the others unchanged); the output is byte-identical for the same
seed, scale and usage_days. `scale` multiplies headcount, and with it seats, survey rows, usage
rows, expense lines and workflow volumes; the workflow, time-study and recurring-work lists keep
their length.

    python -m kit.sample sample_data/halden [--seed 7] [--scale 1] [--usage-days 365]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from kit.estimates import prior_moments
from kit.intake import schemas

CLIENT = "Halden Industrial Supply"
SLUG = "halden"
START_DATE = dt.date(2027, 1, 11)
AS_OF = dt.date(2026, 12, 31)  # last usage day, 11 days before the engagement starts
HOURLY_COST = 55.0
SKILLS = ("prompting", "output_verification", "data_handling", "workflow_automation", "tool_fluency")
ACTIVE_WINDOW = 30  # days; "active" = a usage row on as_of or the 29 days before it
PLANTED_FILE = "planted.json"

STREAMS = ("people", "workflows", "time_studies", "usage", "skills_survey", "expenses", "study_design")
# (a stream added at the end leaves the earlier ones, and so the bundled sample, unchanged)


# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """A job role. `skill_means` per SKILLS; None marks a leader, who rates ~1.5 above the team."""

    name: str
    department: str
    headcount: int
    skill_means: tuple[float, float, float, float, float] | None
    hourly_cost: float | None = None


ROLES: tuple[Role, ...] = (
    Role("CEO", "Administration", 1, None, 160),
    Role("HR generalist", "Administration", 3, (1.8, 1.6, 2.2, 0.9, 1.7)),
    Role("IT administrator", "Administration", 4, (2.8, 2.6, 3.0, 2.8, 3.2), 70),
    Role("VP Sales", "Sales", 1, None, 120),
    Role("Account manager", "Sales", 11, (2.2, 1.8, 1.7, 1.0, 2.0), 72),
    Role("Sales representative", "Sales", 18, (1.9, 1.4, 1.4, 0.8, 1.7)),
    Role("Customer service manager", "Customer Service", 1, None),
    Role("Customer service representative", "Customer Service", 24, (1.7, 0.6, 0.7, 0.8, 1.6), 38),
    Role("Operations manager", "Operations", 1, None, 85),
    Role("Operations coordinator", "Operations", 6, (1.3, 1.2, 1.4, 1.2, 1.4)),
    Role("Warehouse associate", "Operations", 52, (0.5, 0.4, 0.5, 0.3, 0.5), 30),
    Role("Purchasing manager", "Purchasing", 1, None),
    Role("Buyer", "Purchasing", 9, (1.6, 1.5, 1.8, 1.1, 1.6)),
    Role("Controller", "Finance", 1, None, 95),
    Role("Accountant", "Finance", 9, (1.5, 2.0, 2.3, 1.4, 1.6)),
    Role("Marketing manager", "Marketing", 1, None),
    Role("Marketing specialist", "Marketing", 5, (2.6, 2.0, 1.8, 1.5, 2.5), 60),
)
ROLE_BY_NAME = {r.name: r for r in ROLES}
LEADERS = tuple(r.name for r in ROLES if r.skill_means is None)
OFFICE_ROLES = tuple(r.name for r in ROLES if r.name != "Warehouse associate")


def _headcount(role: Role, scale: float) -> int:
    """Leaders stay one person; every other role scales (at least one person)."""
    return 1 if role.skill_means is None else max(1, round(role.headcount * scale))


def _people(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """One row per employee: id (E0001 ...), department, role, latent AI affinity; sorted by id."""
    roles = [r for r in ROLES for _ in range(_headcount(r, scale))]
    n = len(roles)
    width = max(4, len(str(n)))
    numbers = rng.permutation(n) + 1
    frame = pd.DataFrame(
        {
            "person_id": [f"E{k:0{width}d}" for k in numbers],
            "department": [r.department for r in roles],
            "role": [r.name for r in roles],
            "affinity": rng.normal(0.0, 1.0, n),
        }
    )
    return frame.sort_values("person_id", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Workflows and time studies
# --------------------------------------------------------------------------------------------

# True time saving with AI by task type (evidence.md): writing -40% (Noy & Zhang 2023, whose tasks
# include emails); support chat +14% issues per hour on average, ~0 for the top agents and +34%
# for novices (Brynjolfsson et al. 2025), i.e. 0 to 1 - 1/1.34 = 25% less time with a mean near
# the published 12.3%; consulting tasks inside the frontier -25% (Dell'Acqua et al. 2023); coding
# -26% to -56% (Cui et al. 2024, Peng et al. 2023); product innovation -16% (Dell'Acqua et al.
# 2025); physical work ~0. Each range is the central 90% of a normal distribution of workflows'
# effects on log minutes (the reading `kit.estimates` gives every published range): nothing
# published bounds how far one workflow may sit from its task type's typical saving.
SAVING_RANGE_LEVEL = 0.90
SAVING_RANGE: dict[str, tuple[float, float]] = {
    "writing": (0.30, 0.45),
    "summarizing": (0.25, 0.35),
    "customer_communication": (0.00, 0.25),
    "internal_communication": (0.20, 0.35),
    "coding": (0.25, 0.55),
    "research": (0.15, 0.30),
    "analysis": (0.15, 0.30),
    "reporting": (0.15, 0.30),
    "creative_design": (0.12, 0.25),
    "review_approval": (0.05, 0.15),
    "data_entry": (0.03, 0.12),
    "scheduling": (0.03, 0.12),
    "other": (0.00, 0.10),
    "physical_onsite": (0.00, 0.02),
}

# Time-study plan per workflow: "normal" = 10-40 runs per arm (at most 3 months of volume, min 10);
# "planted" = 35-40 per arm; "none" = not studied; (baseline, ai) = exactly that many runs.
NORMAL, PLANTED, NONE = "normal", "planted", "none"


@dataclass(frozen=True)
class Workflow:
    department: str
    workflow: str
    owner_role: str
    task_type: str
    runs_per_month: float
    minutes_per_run: float
    data_sensitivity: str
    people_involved: int
    systems: str
    pain_points: str = ""
    saving: float | None = None  # planted true saving; None = drawn from SAVING_RANGE
    studies: object = NORMAL


AM, SR, CSR, OC, WA, BUY, ACC, MS = (
    "Account manager", "Sales representative", "Customer service representative",
    "Operations coordinator", "Warehouse associate", "Buyer", "Accountant", "Marketing specialist",
)  # fmt: skip

WORKFLOWS: tuple[Workflow, ...] = (
    # Sales
    Workflow("Sales", "RFQ response drafting", AM, "writing", 260, 35, "internal", 11,
             "Salesforce;NetSuite;Outlook", "Specs are copied by hand from supplier PDFs into quotes", 0.45, PLANTED),
    Workflow("Sales", "Quote follow-up emails", AM, "writing", 420, 15, "internal", 11,
             "Salesforce;Outlook", "Follow-ups slip when reps are on the road", 0.40, PLANTED),
    Workflow("Sales", "Account call notes to CRM", SR, "summarizing", 380, 10, "internal", 18,
             "Salesforce;Teams", "Notes are typed up hours after the call"),
    Workflow("Sales", "Prospect research before site visits", SR, "research", 120, 25, "public", 18,
             "Salesforce;LinkedIn"),
    Workflow("Sales", "Weekly pipeline review deck", "VP Sales", "reporting", 4, 90, "confidential", 1,
             "Salesforce;Excel;PowerPoint"),
    Workflow("Sales", "Pricing exception approvals", "VP Sales", "review_approval", 60, 12, "confidential", 1,
             "Salesforce;NetSuite", "Margin rules live in the VP's head", -0.18, PLANTED),
    Workflow("Sales", "Commission calculations", AM, "analysis", 2, 150, "confidential", 2,
             "Salesforce;NetSuite;Excel", "Disputes every quarter"),
    Workflow("Sales", "Customer visit scheduling", SR, "scheduling", 90, 12, "internal", 18, "Outlook;Salesforce"),
    Workflow("Sales", "Trade-show lead list cleanup", SR, "data_entry", 6, 120, "internal", 6, "Excel;Salesforce"),
    Workflow("Sales", "Contract terms redlining", "VP Sales", "review_approval", 8, 60, "confidential", 1,
             "Word;Outlook", studies=(12, 2)),
    # Customer Service
    Workflow("Customer Service", "Order status and delivery ETA emails", CSR, "customer_communication", 900, 8,
             "internal", 24, "Zendesk;NetSuite;Outlook", "Same questions every day"),
    Workflow("Customer Service", "RMA and return authorization processing", CSR, "data_entry", 240, 14,
             "internal", 24, "Zendesk;NetSuite"),
    Workflow("Customer Service", "Complaint case summaries for escalation", CSR, "summarizing", 80, 20,
             "confidential", 10, "Zendesk;Outlook"),
    Workflow("Customer Service", "Phone order entry", CSR, "data_entry", 1100, 6, "internal", 24, "NetSuite"),
    Workflow("Customer Service", "Customer credit card refunds", CSR, "other", 45, 10, "restricted", 6,
             "Zendesk;NetSuite;Authorize.net", "Card numbers read out over the phone"),
    Workflow("Customer Service", "Knowledge-base article updates", "Customer service manager", "writing", 10, 45,
             "public", 1, "Zendesk"),
    Workflow("Customer Service", "Weekly service quality review", "Customer service manager", "review_approval", 4,
             120, "internal", 1, "Zendesk;Excel"),
    Workflow("Customer Service", "Back-order notification calls", CSR, "customer_communication", 300, 9,
             "internal", 24, "NetSuite;Zendesk"),
    Workflow("Customer Service", "Service desk shift scheduling", "Customer service manager", "scheduling", 4, 90,
             "internal", 1, "Excel;Teams"),
    # Operations
    Workflow("Operations", "Pick, pack and ship", WA, "physical_onsite", 9000, 6, "internal", 52,
             "NetSuite WMS;RF scanners"),
    Workflow("Operations", "Cycle counts", WA, "physical_onsite", 400, 25, "internal", 12, "NetSuite WMS;RF scanners"),
    Workflow("Operations", "Receiving and putaway", WA, "physical_onsite", 700, 15, "internal", 20,
             "NetSuite WMS;RF scanners", "Paper packing slips do not match POs"),
    Workflow("Operations", "Forklift safety inspection checklist", WA, "physical_onsite", 440, 5, "internal", 20,
             "Paper forms", studies=NONE),
    Workflow("Operations", "Carrier rate shopping for LTL shipments", OC, "research", 260, 12, "internal", 6,
             "Freightquote;NetSuite"),
    Workflow("Operations", "Bill of lading and customs paperwork", OC, "data_entry", 180, 15, "confidential", 6,
             "NetSuite;Carrier portals"),
    Workflow("Operations", "Delivery route planning", OC, "scheduling", 22, 60, "internal", 2, "Excel;Google Maps"),
    Workflow("Operations", "Damage and freight claim write-ups", OC, "writing", 25, 40, "internal", 4,
             "Outlook;Carrier portals", "Claims rejected for missing detail"),
    Workflow("Operations", "Daily warehouse KPI report", "Operations manager", "reporting", 22, 30, "internal", 1,
             "NetSuite;Excel"),
    Workflow("Operations", "Safety incident reports", "Operations manager", "writing", 6, 45, "confidential", 1,
             "Word;SharePoint"),
    Workflow("Operations", "Warehouse SOP updates", "Operations manager", "internal_communication", 4, 60,
             "internal", 1, "Word;SharePoint", studies=(3, 9)),
    Workflow("Operations", "Shift handover notes", OC, "internal_communication", 44, 10, "internal", 6, "Teams"),
    # Purchasing
    Workflow("Purchasing", "Purchase order creation", BUY, "data_entry", 600, 8, "internal", 9, "NetSuite"),
    Workflow("Purchasing", "Supplier price-increase analysis", BUY, "analysis", 30, 60, "confidential", 4,
             "NetSuite;Excel", "Suppliers send increases as PDFs"),
    Workflow("Purchasing", "Expedite requests to suppliers", BUY, "writing", 350, 10, "internal", 9,
             "Outlook;NetSuite"),
    Workflow("Purchasing", "New supplier research", BUY, "research", 12, 90, "public", 4, "Web;Excel"),
    Workflow("Purchasing", "Reorder point review", BUY, "analysis", 40, 30, "internal", 9, "NetSuite;Excel"),
    Workflow("Purchasing", "Supplier scorecards", "Purchasing manager", "reporting", 3, 120, "internal", 1,
             "NetSuite;Excel"),
    Workflow("Purchasing", "Supplier contract review", "Purchasing manager", "review_approval", 5, 90,
             "confidential", 1, "Word;Outlook"),
    Workflow("Purchasing", "Spec sheet translation for overseas suppliers", BUY, "other", 20, 30, "internal", 3,
             "Word;Outlook"),
    # Finance
    Workflow("Finance", "Month-end variance commentary", "Controller", "writing", 1, 240, "confidential", 1,
             "NetSuite;Excel;Word", studies=(4, 3)),
    Workflow("Finance", "AP invoice entry", ACC, "data_entry", 1400, 4, "internal", 5, "NetSuite;Outlook",
             "Invoices arrive in four formats"),
    Workflow("Finance", "Customer collections emails", ACC, "customer_communication", 300, 10, "confidential", 3,
             "NetSuite;Outlook"),
    Workflow("Finance", "Bank reconciliation", ACC, "analysis", 22, 45, "confidential", 2, "NetSuite;Excel"),
    Workflow("Finance", "Payroll adjustments", ACC, "other", 30, 15, "restricted", 2, "ADP;Excel", studies=NONE),
    Workflow("Finance", "Monthly management report", "Controller", "reporting", 1, 300, "confidential", 1,
             "NetSuite;Excel;PowerPoint"),
    Workflow("Finance", "Expense report audits", ACC, "review_approval", 150, 6, "confidential", 2, "Expensify"),
    Workflow("Finance", "Excel macro and report maintenance", ACC, "coding", 6, 90, "internal", 2, "Excel"),
    Workflow("Finance", "Credit applications review", ACC, "analysis", 160, 30, "restricted", 3,
             "NetSuite;Dun & Bradstreet", "Credit reports contain owners' SSNs", 0.30),
    # Marketing
    Workflow("Marketing", "Product descriptions for the web catalog", MS, "writing", 320, 28, "public", 5,
             "Magento;NetSuite;Excel", "12,000 SKUs still have supplier boilerplate", 0.46, PLANTED),
    Workflow("Marketing", "Customer email newsletter", MS, "writing", 4, 180, "public", 3, "HubSpot;Canva"),
    Workflow("Marketing", "Social media posts", MS, "creative_design", 40, 25, "public", 3, "Canva;LinkedIn"),
    Workflow("Marketing", "Product images and web banners", MS, "creative_design", 60, 40, "public", 3,
             "Canva;Adobe Creative Cloud"),
    Workflow("Marketing", "Competitor price monitoring", MS, "research", 20, 45, "public", 2, "Web;Excel"),
    Workflow("Marketing", "Campaign performance report", "Marketing manager", "reporting", 2, 120, "internal", 1,
             "HubSpot;Excel"),
    Workflow("Marketing", "Trade show planning", "Marketing manager", "other", 2, 240, "internal", 1,
             "Excel;Outlook", studies=NONE),
    # Administration
    Workflow("Administration", "Job postings", "HR generalist", "writing", 8, 45, "public", 2, "ADP;LinkedIn"),
    Workflow("Administration", "Resume screening", "HR generalist", "review_approval", 200, 5, "confidential", 2,
             "ADP;Outlook"),
    Workflow("Administration", "New-hire paperwork", "HR generalist", "data_entry", 10, 60, "restricted", 2, "ADP"),
    Workflow("Administration", "Policy questions from employees", "HR generalist", "internal_communication", 120,
             10, "internal", 3, "Outlook;Teams"),
    Workflow("Administration", "IT helpdesk tickets", "IT administrator", "other", 300, 15, "internal", 4,
             "Microsoft 365;Teams"),
    Workflow("Administration", "PowerShell and integration scripts", "IT administrator", "coding", 20, 120,
             "internal", 3, "Azure;NetSuite"),
    Workflow("Administration", "Legacy EDI map fixes", "IT administrator", "coding", 12, 150, "confidential", 2,
             "SPS Commerce;NetSuite", "Maps written 15 years ago, nobody documented them", -0.20, PLANTED),
    Workflow("Administration", "Board update memo", "CEO", "writing", 1, 180, "confidential", 1, "Word",
             studies=(1, 2)),
    Workflow("Administration", "All-hands meeting notes", "CEO", "internal_communication", 1, 120, "internal", 1,
             "PowerPoint;Teams", studies=NONE),
    Workflow("Administration", "Vendor security questionnaires", "IT administrator", "research", 3, 120,
             "confidential", 2, "Excel;Word"),
)  # fmt: skip


def _workflow_id(i: int) -> str:
    return f"W{i + 1:02d}"


def drawn_saving(task_type: str, u: float, shift: float = 0.0) -> float:
    """The true saving at quantile `u` of the task type's distribution: log(1 - saving) normal,
    `SAVING_RANGE` its central `SAVING_RANGE_LEVEL` range, its centre moved by `shift`."""
    lo, hi = SAVING_RANGE[task_type]
    top, bottom = math.log(1 - lo), math.log(1 - hi)
    sd = (top - bottom) / (2 * float(stats.norm.ppf(0.5 + SAVING_RANGE_LEVEL / 2)))
    return 1 - math.exp((top + bottom) / 2 + shift - sd * float(stats.norm.ppf(u)))


def type_shifts(rng: np.random.Generator, spread: float) -> dict[str, float]:
    """Per task type, how far one client's typical effect (log minutes) sits from the generator's
    centre: `spread` × the published prior's SD (`kit.estimates.prior_moments`) × a standard
    normal draw. 0 (the default, and the sample) puts every client's task types at the centre."""
    draws = rng.standard_normal(len(SAVING_RANGE))  # drawn even at 0: the stream stays the same
    return {t: spread * prior_moments(t)[1] * float(d) for t, d in zip(sorted(SAVING_RANGE), draws, strict=True)}


def _workflows(
    rng: np.random.Generator, scale: float, people: pd.DataFrame, shift: dict[str, float] | None = None
) -> tuple[pd.DataFrame, dict]:
    counts = people["role"].value_counts()
    rows, saving = [], {}
    for i, w in enumerate(WORKFLOWS):
        wid = _workflow_id(i)
        drawn = round(drawn_saving(w.task_type, float(rng.uniform()), (shift or {}).get(w.task_type, 0.0)), 3)
        saving[wid] = w.saving if w.saving is not None else drawn
        rows.append(
            {
                "workflow_id": wid,
                "department": w.department,
                "workflow": w.workflow,
                "owner_role": w.owner_role,
                "task_type": w.task_type,
                "runs_per_month": _scaled_volume(w.runs_per_month, scale),
                "minutes_per_run": w.minutes_per_run,
                "data_sensitivity": w.data_sensitivity,
                "people_involved": int(min(max(1, round(w.people_involved * scale)), counts[w.owner_role])),
                "systems": w.systems,
                "pain_points": w.pain_points,
            }
        )
    return pd.DataFrame(rows, columns=_columns(schemas.Workflows)), saving


def _scaled_volume(runs: float, scale: float) -> float:
    """Company-wide volume grows with headcount; kept to one decimal."""
    return float(round(runs * scale, 1)) if runs * scale >= 1 else float(round(runs * scale, 2))


def _weekdays(first: dt.date, last: dt.date) -> np.ndarray:
    days = pd.date_range(first, last, freq="D")
    return days[days.day_of_week < 5].strftime("%Y-%m-%d").to_numpy()


def _time_studies(
    rng: np.random.Generator,
    people: pd.DataFrame,
    saving: dict[str, float],
    *,
    noise_sd: float | None = None,
    runs_per_arm: int | None = None,
    show_plants: bool = True,
) -> tuple[pd.DataFrame, dict]:
    """Runs with log(minutes) = log(base) + effect*ai + 0.12*(complexity-3) + noise, effect = log(1-saving).

    Study settings (defaults: the bundled sample): `noise_sd` replaces each workflow's noise SD
    (drawn from 0.25-0.35), `runs_per_arm` the runs per arm of every normal and planted study,
    and `show_plants=False` stops redrawing planted workflows until their sample shows the plant.
    The random draws are the same either way, so other workflows are unaffected."""
    dates = _weekdays(START_DATE - dt.timedelta(days=91), START_DATE - dt.timedelta(days=1))
    by_role = {role: grp["person_id"].to_numpy() for role, grp in people.groupby("role", sort=True)}
    frames, arms = [], {}
    for i, w in enumerate(WORKFLOWS):
        wid = _workflow_id(i)
        if w.studies == NONE:
            continue
        if w.studies == NORMAL:  # a rare workflow cannot be observed 40 times in 3 months
            cap = max(10, math.ceil(3 * w.runs_per_month))
            n_base, n_ai = (min(int(k), cap) for k in rng.integers(10, 41, size=2))
        elif w.studies == PLANTED:
            n_base, n_ai = (int(k) for k in rng.integers(35, 41, size=2))
        else:
            n_base, n_ai = w.studies  # type: ignore[misc]
        if runs_per_arm is not None and w.studies in (NORMAL, PLANTED):
            n_base = n_ai = int(runs_per_arm)
        arms[wid] = {"baseline": n_base, "ai": n_ai}
        effect = math.log(1.0 - saving[wid])
        sd = float(rng.uniform(0.25, 0.35))
        sd = sd if noise_sd is None else float(noise_sd)
        base_quality = float(rng.uniform(64, 80))
        quality_gain = _quality_gain(w.task_type, saving[wid])
        ai = np.r_[np.zeros(n_base, bool), np.ones(n_ai, bool)]
        for _attempt in range(200):  # planted workflows are redrawn until the sample shows the plant
            complexity = rng.choice(np.arange(1, 6), size=ai.size, p=[0.1, 0.25, 0.3, 0.25, 0.1])
            log_minutes = (
                math.log(w.minutes_per_run) + effect * ai + 0.12 * (complexity - 3) + rng.normal(0, sd, ai.size)
            )
            if w.studies != PLANTED or not show_plants or _shows_plant(log_minutes, ai, saving[wid]):
                break
        minutes = np.maximum(np.round(np.exp(log_minutes), 1), 0.5)
        quality = np.clip(np.round(base_quality + quality_gain * ai + rng.normal(0, 7, ai.size)), 0, 100)
        quality_missing = rng.random(ai.size) < 0.02  # reviewers skip a few runs
        frames.append(
            pd.DataFrame(
                {
                    "workflow_id": wid,
                    "ai_assisted": ai,
                    "minutes": minutes,
                    "employee_id": rng.choice(by_role[w.owner_role], size=ai.size),
                    "observed_on": rng.choice(dates, size=ai.size),
                    "complexity": complexity,
                    "quality_score": pd.array(np.where(quality_missing, np.nan, quality)).astype("Int64"),
                }
            )
        )
    ts = pd.concat(frames, ignore_index=True)
    ts = ts.sort_values(["observed_on", "workflow_id"], kind="stable").reset_index(drop=True)
    ts.insert(0, "observation_id", [f"O{k + 1:05d}" for k in range(len(ts))])
    ts["ai_assisted"] = np.where(ts["ai_assisted"], "true", "false")
    return ts[_columns(schemas.TimeStudies)], arms


def _quality_gain(task_type: str, saving: float) -> float:
    """Reviewer score change with AI: writing +18% (Noy & Zhang 2023), worse when AI slows the work."""
    if saving < 0:
        return -6.0
    return {"writing": 12.0, "customer_communication": 6.0, "summarizing": 5.0, "physical_onsite": 0.0}.get(
        task_type, 3.0
    )


def _shows_plant(log_minutes: np.ndarray, ai: np.ndarray, saving: float) -> bool:
    """A planted workflow's sample must show its plant: saving within 0.05, or a slower AI-arm mean."""
    minutes = np.exp(log_minutes)
    if saving < 0:
        return minutes[ai].mean() > 1.05 * minutes[~ai].mean()
    estimate = 1.0 - math.exp(log_minutes[ai].mean() - log_minutes[~ai].mean())
    return abs(estimate - saving) < 0.05


# --------------------------------------------------------------------------------------------
# Tools and usage
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    """A tool in the inventory (or, with listed=False, shadow use seen only in usage).

    Users come from `roles` ("Role" or "Role:share"); with `utilization`, round(utilization*seats)
    of them are active in the last 30 days and `lapsed` more stopped earlier; without it (core
    software) everyone picked is active and seats = users + 4%. `active` is the user count of a
    seatless tool. An idle tool (`idle_days`) has only lapsed users, none in the last idle_days.
    """

    tool: str
    vendor: str
    category: str
    plan: str
    seats: int | None
    cost: float
    approved: bool
    max_data_class: str
    billing_cycle: str
    renewal: str
    owner: str
    sso: bool | None
    roles: tuple[str, ...]
    p: float  # chance of activity on a working day
    actions: float  # mean events on an active day
    ai: bool = True
    utilization: float | None = None
    active: int = 0
    lapsed: int = 0
    idle_days: int | None = None
    listed: bool = True


ALL_OFFICE = OFFICE_ROLES
SALES = ("VP Sales", AM, SR)
TOOLS: tuple[Tool, ...] = (
    # core software
    Tool("Microsoft 365", "Microsoft", "productivity_suite", "enterprise", None, 36, True, "confidential", "annual",
         "2027-06-30", "IT", True, (*ALL_OFFICE, f"{WA}:0.6"), 0.93, 40, ai=False),
    Tool("RF-SMART WMS", "RF-SMART", "warehouse_management", "enterprise", None, 25, True, "confidential", "annual",
         "2027-11-30", "Operations manager", True, ("Operations manager", OC, f"{WA}:0.85"), 0.92, 60, ai=False),
    Tool("Salesforce Sales Cloud", "Salesforce", "crm", "enterprise", None, 165, True, "confidential", "annual",
         "2027-09-30", "VP Sales", True, (*SALES, "Customer service manager", "Marketing manager"), 0.9, 30, ai=False),
    Tool("NetSuite", "Oracle NetSuite", "erp", "enterprise", None, 129, True, "confidential", "annual",
         "2027-04-30", "Controller", True,
         ("CEO", "Controller", ACC, "Purchasing manager", BUY, "Operations manager", OC, CSR, AM), 0.88, 35,
         ai=False),
    Tool("Zendesk Suite", "Zendesk", "helpdesk", "team", None, 89, True, "confidential", "annual", "2027-08-31",
         "Customer service manager", True, ("Customer service manager", CSR), 0.95, 45, ai=False),
    Tool("HubSpot Marketing Hub", "HubSpot", "marketing_automation", "team", None, 90, True, "internal", "annual",
         "2027-05-31", "Marketing manager", True, ("Marketing manager", MS, "VP Sales"), 0.8, 20, ai=False),
    Tool("Zoom", "Zoom Video Communications", "video_conferencing", "team", 24, 15.99, True, "internal", "monthly",
         "2027-01-20", "IT", True, (*SALES, BUY, "Purchasing manager", MS, "Marketing manager"), 0.25, 3,
         ai=False, utilization=0.7, lapsed=5),
    Tool("DocuSign", "DocuSign", "e_signature", "team", 10, 40, True, "confidential", "annual", "2027-07-31",
         "Controller", True, ("CEO", "VP Sales", "Controller", "Purchasing manager", "HR generalist", AM), 0.15, 2,
         ai=False, utilization=0.8, lapsed=1),
    Tool("Adobe Acrobat Pro", "Adobe", "documents", "team", 25, 19.99, True, "confidential", "annual", "2027-10-31",
         "IT", True, (ACC, "Controller", BUY, "HR generalist", OC, AM), 0.3, 4, ai=False, utilization=0.72,
         lapsed=2),
    Tool("ADP Workforce Now", "ADP", "hr_payroll", "enterprise", 5, 45, True, "confidential", "annual", "2027-12-31",
         "HR generalist", True, ("HR generalist", "Controller", ACC), 0.6, 8, ai=False, utilization=0.8),
    Tool("Smartsheet", "Smartsheet", "project_management", "team", 15, 19, True, "internal", "annual", "2027-02-15",
         "Operations manager", True, (OC, "Operations manager", BUY, "Marketing manager", MS), 0.35, 6, ai=False,
         lapsed=9, idle_days=150),
    Tool("Power BI Pro", "Microsoft", "business_intelligence", "enterprise", 20, 14, True, "confidential", "annual",
         "2027-06-30", "IT", True, (*LEADERS, ACC, BUY, OC), 0.45, 6, ai=False, utilization=0.85, lapsed=1),
    # AI tools
    Tool("Microsoft 365 Copilot", "Microsoft", "chat_assistant", "enterprise", 60, 30, True, "confidential", "annual",
         "2027-06-30", "IT", True, (*LEADERS, ACC, BUY, "HR generalist", "IT administrator", OC, AM, MS, SR), 0.7, 7,
         utilization=0.88, lapsed=4),
    Tool("ChatGPT Team", "OpenAI", "chat_assistant", "team", 40, 30, True, "internal", "annual", "2027-03-15", "IT",
         True, (AM, SR, MS, CSR, "IT administrator"), 0.65, 9, utilization=0.9, lapsed=3),
    Tool("Claude Team", "Anthropic", "chat_assistant", "team", 15, 30, True, "internal", "monthly", "2027-02-20",
         "IT", True, ("IT administrator", MS, ACC, AM), 0.45, 8, utilization=0.47, lapsed=3),
    Tool("ChatGPT (free)", "OpenAI", "chat_assistant", "free", 0, 0, False, "public", "monthly", "", "", False,
         (CSR, SR, OC, BUY), 0.25, 4, active=12),
    Tool("Otter.ai", "Otter.ai", "meeting_assistant", "team", 10, 20, False, "public", "annual", "2027-01-15",
         "VP Sales", False, (AM, SR, "VP Sales"), 0.3, 2, lapsed=6, idle_days=120),
    Tool("Fireflies.ai", "Fireflies.ai", "meeting_assistant", "team", 12, 19, True, "internal", "monthly", "",
         "VP Sales", True, (AM, SR, "VP Sales"), 0.35, 2, utilization=0.5, lapsed=2),
    Tool("Microsoft Teams Premium", "Microsoft", "meeting_assistant", "enterprise", 25, 10, True, "confidential",
         "annual", "2027-03-10", "IT", True, (*LEADERS, AM, BUY), 0.3, 2, utilization=0.32, lapsed=2),
    Tool("Grammarly Business", "Grammarly", "writing_assistant", "team", 30, 15, True, "internal", "annual",
         "2027-09-01", "Customer service manager", True, (CSR, SR, MS, "HR generalist"), 0.75, 12, utilization=0.77,
         lapsed=2),
    Tool("Jasper", "Jasper AI", "writing_assistant", "team", 5, 69, True, "public", "annual", "2027-02-01",
         "Marketing manager", False, (MS, "Marketing manager"), 0.5, 5, lapsed=4, idle_days=200),
    Tool("Copy.ai", "Copy.ai", "writing_assistant", "individual", 3, 49, False, "public", "monthly", "", "", False,
         (MS, "Marketing manager"), 0.4, 4, lapsed=2, idle_days=280),
    Tool("GitHub Copilot Business", "GitHub", "coding_assistant", "team", 4, 19, True, "internal", "monthly", "",
         "IT", True, ("IT administrator",), 0.75, 15, utilization=1.0),
    Tool("Zapier", "Zapier", "automation", "team", 3, 69, True, "internal", "annual", "2027-05-15", "IT", True,
         ("IT administrator", MS), 0.4, 10, utilization=0.67),
    Tool("Salesforce Einstein", "Salesforce", "crm_ai", "enterprise", 30, 50, True, "confidential", "annual",
         "2027-01-31", "VP Sales", True, (*SALES, "Customer service manager"), 0.3, 4, utilization=0.4, lapsed=3),
    Tool("Zendesk AI", "Zendesk", "support_ai", "enterprise", 25, 50, True, "confidential", "annual", "2027-08-31",
         "Customer service manager", True, ("Customer service manager", CSR), 0.9, 20, utilization=0.92, lapsed=1),
    Tool("Canva Teams", "Canva", "image_media", "team", 8, 10, True, "public", "annual", "2027-04-15",
         "Marketing manager", False, (MS, "Marketing manager", "HR generalist", SR), 0.4, 6, utilization=0.75),
    Tool("Midjourney", "Midjourney", "image_media", "individual", 1, 30, False, "public", "monthly", "", "", False,
         (MS,), 0.35, 6, utilization=1.0),
    Tool("DeepL Pro", "DeepL", "translation", "individual", 3, 10.49, False, "public", "monthly", "", "", False,
         (BUY, CSR), 0.3, 5, utilization=1.0),
    Tool("Gamma", "Gamma", "presentation", "individual", 2, 10, False, "public", "monthly", "", "", False,
         (AM, MS), 0.2, 3, utilization=1.0),
    # shadow AI: seen in usage (browser/network logs), absent from the inventory
    Tool("Perplexity", "Perplexity AI", "search_research", "free", 0, 0, False, "public", "monthly", "", "", False,
         (BUY, AM, MS, "IT administrator"), 0.3, 5, active=6, listed=False),
    Tool("DeepSeek", "DeepSeek", "chat_assistant", "free", 0, 0, False, "public", "monthly", "", "", False,
         (OC, BUY, "IT administrator"), 0.2, 4, active=3, listed=False),
    Tool("Gemini", "Google", "chat_assistant", "free", 0, 0, False, "public", "monthly", "", "", False,
         (SR, CSR, AM, MS), 0.25, 4, active=5, listed=False),
)  # fmt: skip
TOOL_BY_NAME = {t.tool: t for t in TOOLS}
EDGE_TOOL = "Zoom"  # two lapsed Zoom users last used it exactly 30 and 29 days before as_of
HOLIDAYS = ("2026-01-01", "2026-05-25", "2026-07-03", "2026-09-07", "2026-11-26", "2026-11-27", "2026-12-25")


def _pool(people: pd.DataFrame, roles: tuple[str, ...], rng: np.random.Generator, exclude: set[str]) -> np.ndarray:
    """Indices of people in `roles` ("Role:share" keeps that share of the role), minus `exclude`."""
    chosen = []
    for spec in roles:
        name, _, share = spec.partition(":")
        idx = people.index[(people["role"] == name) & ~people["person_id"].isin(exclude)].to_numpy()
        if share:
            idx = np.sort(rng.choice(idx, size=round(float(share) * idx.size), replace=False))
        chosen.append(idx)
    return np.unique(np.concatenate(chosen)) if chosen else np.array([], int)


def _weighted_pick(rng: np.random.Generator, pool: np.ndarray, k: int, weights: np.ndarray) -> np.ndarray:
    k = min(k, pool.size)
    if k == 0:
        return np.array([], int)
    w = weights[pool] / weights[pool].sum()
    return np.sort(rng.choice(pool, size=k, replace=False, p=w))


@dataclass
class _Plan:
    """Who uses a tool: current users (active in the window) and lapsed ones with a stop day."""

    seats: int
    current: np.ndarray
    lapsed: np.ndarray
    lapsed_stop: np.ndarray


def _plan_tools(
    rng: np.random.Generator, people: pd.DataFrame, scale: float, n_days: int, nonusers: set[str]
) -> dict[str, _Plan]:
    weights = np.exp(0.8 * people["affinity"].to_numpy())
    plans = {}
    for t in TOOLS:
        pool = _pool(people, t.roles, rng, nonusers)
        if t.utilization is None and t.idle_days is None and t.active == 0:  # core software, everyone in pool
            current = pool
            seats = current.size + math.ceil(0.04 * current.size)
        else:
            seats = 0 if not t.seats else max(1, round(t.seats * scale))
            if t.idle_days is not None:
                n_current = 0
            elif t.utilization is not None:
                n_current = round(t.utilization * seats)
            else:
                n_current = max(1, round(t.active * scale))
            current = _weighted_pick(rng, pool, n_current, weights if t.ai else np.ones(len(people)))
        rest = np.setdiff1d(pool, current)
        lapsed = _weighted_pick(rng, rest, round(t.lapsed * scale) if t.lapsed else 0, np.ones(len(people)))
        last = n_days - 1 - (t.idle_days if t.idle_days is not None else 35)
        stop = rng.integers(max(20, last - 150), last + 1, size=lapsed.size) if lapsed.size else np.array([], int)
        if t.tool == EDGE_TOOL and lapsed.size >= 2:
            stop[:2] = (n_days - 1 - ACTIVE_WINDOW, n_days - ACTIVE_WINDOW)  # as_of - 30, as_of - 29
        plans[t.tool] = _Plan(seats, current, lapsed, stop)
    return plans


def _day_factors(days: pd.DatetimeIndex) -> np.ndarray:
    factor = np.ones(len(days))
    factor[days.day_of_week == 5] = 0.06
    factor[days.day_of_week == 6] = 0.03
    factor[days.strftime("%Y-%m-%d").isin(HOLIDAYS)] = 0.03
    return factor


def _usage(
    rng: np.random.Generator, people: pd.DataFrame, plans: dict[str, _Plan], n_days: int, heavy: set[str]
) -> pd.DataFrame:
    """Daily rows per user x tool x active day, vectorized per tool; `heavy` people use ChatGPT Team most working days."""
    days = pd.date_range(end=AS_OF, periods=n_days, freq="D")
    factor = _day_factors(days)
    workdays = np.flatnonzero(factor == 1.0)
    recent = workdays[workdays >= n_days - 28]  # a current user is active at least once in here
    day_index = np.arange(n_days)
    affinity = people["affinity"].to_numpy()
    heavy_idx = set(people.index[people["person_id"].isin(heavy)])
    users_out, days_out, tools_out, actions_out = [], [], [], []
    for code, t in enumerate(TOOLS):
        plan = plans[t.tool]
        users = np.r_[plan.current, plan.lapsed].astype(int)
        if users.size == 0:
            continue
        n_cur = plan.current.size
        if t.ai:  # adoption rises over the year: most people start in the second half
            start = np.floor(rng.beta(1.5, 1.2, users.size) * (n_days - 40)).astype(int)
            p = np.clip(t.p * np.exp(0.3 * affinity[users]), 0.03, 0.95)
            ramp = 0.6 + 0.4 * day_index / (n_days - 1)
        else:
            start = np.zeros(users.size, int)
            p = np.clip(t.p * rng.uniform(0.8, 1.1, users.size), 0.03, 0.98)
            ramp = np.ones(n_days)
        stop = np.r_[np.full(n_cur, n_days - 1), plan.lapsed_stop].astype(int)
        start = np.minimum(start, np.maximum(stop - 20, 0))
        if t.tool == "ChatGPT Team":
            is_heavy = np.isin(users, list(heavy_idx))
            start[is_heavy], p[is_heavy] = rng.integers(0, 30, int(is_heavy.sum())), 0.85
        chance = p[:, None] * (factor * ramp)[None, :]
        mask = rng.random((users.size, n_days), dtype=np.float32) < chance
        mask &= (day_index[None, :] >= start[:, None]) & (day_index[None, :] <= stop[:, None])
        quiet = np.flatnonzero(~mask[:n_cur][:, recent].any(axis=1))
        mask[quiet, rng.choice(recent, size=quiet.size)] = True  # current users are active in the window
        lapsed_rows = np.arange(n_cur, users.size)
        mask[lapsed_rows, stop[n_cur:]] = True  # a lapsed user's last day is their stop day
        rows, cols = np.nonzero(mask)
        lam = t.actions * rng.gamma(2.0, 0.5, users.size)
        users_out.append(users[rows])
        days_out.append(cols)
        tools_out.append(np.full(rows.size, code))
        actions_out.append(1 + rng.poisson(lam[rows]))
    user = np.concatenate(users_out)
    day = np.concatenate(days_out)
    tool_code = np.concatenate(tools_out)
    actions = np.concatenate(actions_out)
    tool_rank = np.argsort(np.argsort([t.tool for t in TOOLS]))  # sort rows by tool name, not list order
    order = np.lexsort((tool_rank[tool_code], user, day))
    return pd.DataFrame(
        {
            "user_id": people["person_id"].to_numpy()[user[order]],
            "tool": np.array([t.tool for t in TOOLS], dtype=object)[tool_code[order]],
            "date": days.strftime("%Y-%m-%d").to_numpy()[day[order]],
            "actions": actions[order],
        }
    )


def _tools_table(plans: dict[str, _Plan]) -> pd.DataFrame:
    rows = [
        {
            "tool": t.tool,
            "vendor": t.vendor,
            "category": t.category,
            "plan": t.plan,
            "seats": plans[t.tool].seats,
            "cost_per_seat_month": t.cost,
            "approved": _bool(t.approved),
            "max_data_class": t.max_data_class,
            "billing_cycle": t.billing_cycle,
            "renewal_date": t.renewal,
            "owner": t.owner,
            "sso_enabled": "" if t.sso is None else _bool(t.sso),
        }
        for t in TOOLS
        if t.listed
    ]
    return pd.DataFrame(rows, columns=_columns(schemas.Tools))


# --------------------------------------------------------------------------------------------
# Skills survey and role targets
# --------------------------------------------------------------------------------------------

TARGETS: tuple[tuple[str, tuple[int, ...], tuple[float, ...]], ...] = (
    # role, target_level per SKILLS, weight per SKILLS
    ("CEO", (2, 2, 3, 1, 1), (1, 1, 1.5, 0.5, 0.5)),
    ("VP Sales", (3, 2, 2, 1, 2), (1, 1, 1, 0.5, 1)),
    ("Customer service manager", (3, 3, 3, 2, 2), (1, 1.5, 1.5, 1, 1)),
    ("Controller", (2, 4, 3, 2, 2), (1, 1.5, 1.5, 1, 1)),
    ("HR generalist", (2, 2, 3, 1, 2), (1, 1, 1.5, 0.5, 1)),
    ("IT administrator", (3, 3, 4, 3, 4), (1, 1, 1.5, 1, 1)),
    ("Account manager", (3, 3, 2, 1, 2), (1.5, 1, 1, 0.5, 1)),
    ("Sales representative", (3, 2, 2, 1, 2), (1, 1, 1, 0.5, 1)),
    ("Customer service representative", (2, 3, 3, 1, 2), (1, 1.5, 1.5, 0.5, 1)),
    ("Warehouse associate", (1, 1, 1, 0, 1), (1, 1, 1, 0.5, 1)),
    ("Buyer", (2, 2, 2, 2, 2), (1, 1.5, 1, 1, 1)),
    ("Accountant", (2, 3, 3, 2, 2), (1, 1.5, 1.5, 1, 1)),
    ("Marketing specialist", (3, 3, 2, 2, 3), (1.5, 1, 1, 1, 1)),
    ("Data analyst", (3, 4, 4, 3, 3), (1, 1.5, 1.5, 1, 1)),  # a planned hire: nobody in the survey
    ("*", (2, 2, 2, 1, 2), (1, 1, 1, 0.5, 1)),
)
ROLES_WITHOUT_TARGETS = tuple(
    r.name for r in ROLES if r.name not in {role for role, _, _ in TARGETS}
)  # covered by the "*" rows


def _role_targets() -> pd.DataFrame:
    rows = [
        {"role": role, "skill": skill, "target_level": level, "weight": weight}
        for role, levels, weights in TARGETS
        for skill, level, weight in zip(SKILLS, levels, weights, strict=True)
    ]
    return pd.DataFrame(rows, columns=_columns(schemas.RoleTargets))


def _survey_levels(
    rng: np.random.Generator,
    people: pd.DataFrame,
    nonusers: set[str],
    heavy: set[str],
    has_rows: np.ndarray,
    ai_days_90: np.ndarray,
) -> np.ndarray:
    """Levels (people x SKILLS): role mean + 0.45*affinity + noise, leaders ~1.5 above their team.

    Planted people are overridden (proficient non-users 3-4, frequent users 0-1); nobody else
    matches those two patterns (mean >= 3 with no usage; max <= 1 with >= 20 AI days in 90).
    """
    n = len(people)
    means = np.array([ROLE_BY_NAME[r].skill_means or (0,) * len(SKILLS) for r in people["role"]], float)
    latent = means + 0.45 * people["affinity"].to_numpy()[:, None] + rng.normal(0, 0.4, (n, len(SKILLS)))
    levels = np.clip(np.round(latent), 0, 4).astype(int)
    is_nonuser = people["person_id"].isin(nonusers).to_numpy()
    is_heavy = people["person_id"].isin(heavy).to_numpy()
    levels[is_nonuser] = rng.integers(3, 5, (int(is_nonuser.sum()), len(SKILLS)))
    levels[is_heavy] = rng.integers(0, 2, (int(is_heavy.sum()), len(SKILLS)))
    planted = is_nonuser | is_heavy
    too_proficient = ~planted & ~has_rows & (levels.mean(axis=1) >= 2.6)
    levels[too_proficient] = np.minimum(levels[too_proficient], 2)
    low_but_busy = ~planted & (levels.max(axis=1) <= 1) & (ai_days_90 >= 20)
    levels[low_but_busy, SKILLS.index("tool_fluency")] = 2
    is_leader = people["role"].isin(LEADERS).to_numpy()
    team_of_company = ~is_leader
    for i in np.flatnonzero(is_leader):
        team = team_of_company if people.at[i, "role"] == "CEO" else (
            team_of_company & (people["department"] == people.at[i, "department"]).to_numpy()
        )  # fmt: skip
        gap = levels[team].mean(axis=0) + 1.5 + rng.normal(0, 0.25, len(SKILLS))
        levels[i] = np.clip(np.round(gap), 0, 4)
    return levels


def _survey_table(people: pd.DataFrame, levels: np.ndarray) -> pd.DataFrame:
    n = len(people)
    return pd.DataFrame(
        {
            "respondent_id": np.repeat(people["person_id"].to_numpy(), len(SKILLS)),
            "department": np.repeat(people["department"].to_numpy(), len(SKILLS)),
            "role": np.repeat(people["role"].to_numpy(), len(SKILLS)),
            "skill": np.tile(np.array(SKILLS, dtype=object), n),
            "level": levels.reshape(-1),
        },
        columns=_columns(schemas.SkillsSurvey),
    )


# --------------------------------------------------------------------------------------------
# Expenses
# --------------------------------------------------------------------------------------------

ORDINARY_VENDORS: tuple[tuple[str, float, float, str, float], ...] = (
    # vendor as printed, min, max amount, description, relative frequency
    ("DELTA AIR LINES", 180, 650, "Flight to customer site", 3),
    ("UNITED AIRLINES", 160, 620, "Flight to supplier visit", 2),
    ("MARRIOTT HOTELS", 140, 320, "Hotel", 3),
    ("HAMPTON INN", 110, 210, "Hotel", 2),
    ("UBER *TRIP", 12, 65, "Taxi", 4),
    ("SHELL OIL 57442", 35, 85, "Fuel", 4),
    ("STAPLES 00123", 15, 140, "Office supplies", 3),
    ("AMAZON MKTPLACE PMTS", 12, 220, "Office supplies", 4),
    ("THE HOME DEPOT #2211", 20, 300, "Shop supplies", 2),
    ("GRAINGER", 40, 400, "Warehouse supplies", 2),
    ("OLIVE GARDEN 0412", 45, 180, "Customer lunch", 2),
    ("CHIPOTLE 1187", 12, 60, "Meal while travelling", 2),
    ("FEDEX OFFICE 5521", 10, 90, "Printing of trade-show materials", 1),
    ("USPS PO 4455", 8, 45, "Postage", 1),
    ("LINKEDIN PREMIUM", 39.99, 39.99, "Sales Navigator", 1),
    ("ADOBE *STOCK", 29.99, 29.99, "Stock images", 1),
    ("DROPBOX*PLUS", 11.99, 11.99, "File sharing with a customer", 1),
    ("ZOOM.US 888-799-9666", 15.99, 15.99, "Video calls", 1),
)
# Vendor names an over-eager keyword match would flag: not AI (an open-air cafe, a barbecue place).
TRAP_VENDORS: tuple[tuple[str, float, str], ...] = (
    ("OPENAIR BISTRO", 46.50, "Team lunch"),
    ("CLAUDE'S BBQ & GRILL", 68.20, "Customer dinner"),
)


@dataclass(frozen=True)
class Subscription:
    """A planted personal AI subscription put on a company card: monthly from first to last month."""

    vendors: tuple[str, ...]  # as printed; cycled month by month (statements vary)
    amount: float
    description: str
    roles: tuple[str, ...]
    first_month: int
    last_month: int
    day: int
    tool: str
    user_of: str | None = None  # the subscriber is a current user of this tool in usage


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(("OPENAI *CHATGPT SUBSCR",), 20.00, "ChatGPT Plus", (SR,), 1, 12, 14, "ChatGPT"),
    Subscription(("OpenAI ChatGPT Plus San Francisco CA", "OPENAI *CHATGPT SUBSCR"), 20.00, "AI subscription", (AM,),
                 4, 12, 3, "ChatGPT"),
    Subscription(("MIDJOURNEY INC.", "Midjourney Inc"), 30.00, "Image generation", (MS,), 3, 12, 22, "Midjourney"),
    Subscription(("PERPLEXITY.AI",), 20.00, "Research tool", (), 6, 12, 9, "Perplexity", user_of="Perplexity"),
    Subscription(("Anthropic Claude.ai", "ANTHROPIC* CLAUDE.AI SUBSCRIPTION"), 20.00, "Claude Pro", ("Controller",),
                 2, 12, 27, "Claude"),
    Subscription(("Otter.ai",), 16.99, "Meeting notes", (CSR,), 8, 12, 5, "Otter.ai"),
)  # fmt: skip


def _expenses(
    rng: np.random.Generator, people: pd.DataFrame, scale: float, plans: dict[str, _Plan], exclude: set[str]
) -> tuple[pd.DataFrame, dict]:
    days = pd.date_range(AS_OF - dt.timedelta(days=364), AS_OF, freq="D")
    workdays = days[days.day_of_week < 5]
    spenders = people[people["role"].isin((*SALES, *LEADERS, BUY, MS, "IT administrator", OC))]
    spender_weights = np.where(spenders["role"].isin(SALES), 3.0, 1.0)
    n = max(1, round(300 * scale))
    vendor_p = np.array([v[4] for v in ORDINARY_VENDORS], float)
    which = rng.choice(len(ORDINARY_VENDORS), size=n, p=vendor_p / vendor_p.sum())
    lo = np.array([v[1] for v in ORDINARY_VENDORS])[which]
    hi = np.array([v[2] for v in ORDINARY_VENDORS])[which]
    lines = pd.DataFrame(
        {
            "date": rng.choice(workdays.strftime("%Y-%m-%d").to_numpy(), size=n),
            "employee_id": rng.choice(
                spenders["person_id"].to_numpy(), size=n, p=spender_weights / spender_weights.sum()
            ),
            "vendor": np.array([v[0] for v in ORDINARY_VENDORS], dtype=object)[which],
            "amount": np.round(rng.uniform(lo, hi), 2),
            "description": np.array([v[3] for v in ORDINARY_VENDORS], dtype=object)[which],
            "kind": "ordinary",
        }
    )
    traps = pd.DataFrame(
        {
            "date": rng.choice(workdays.strftime("%Y-%m-%d").to_numpy(), size=len(TRAP_VENDORS)),
            "employee_id": rng.choice(spenders["person_id"].to_numpy(), size=len(TRAP_VENDORS)),
            "vendor": [v[0] for v in TRAP_VENDORS],
            "amount": [v[1] for v in TRAP_VENDORS],
            "description": [v[2] for v in TRAP_VENDORS],
            "kind": "trap",
        }
    )
    shadow, used = [], set(exclude)
    copies = max(1, round(scale))
    for copy in range(copies):
        for s in SUBSCRIPTIONS:
            if s.user_of is not None:
                candidates = people.loc[plans[s.user_of].current, "person_id"].to_numpy()
            else:
                candidates = people.loc[people["role"].isin(s.roles), "person_id"].to_numpy()
            candidates = np.array([c for c in candidates if c not in used], dtype=object)
            if candidates.size == 0:
                continue
            person = str(candidates[rng.integers(candidates.size)])
            used.add(person)
            for month in range(s.first_month, s.last_month + 1):
                vendor = s.vendors[(month - s.first_month) % len(s.vendors)]
                day = dt.date(AS_OF.year, month, min(s.day, 28))
                shadow.append((day.isoformat(), person, vendor, s.amount, s.description, s.tool, copy))
    shadow_frame = pd.DataFrame(
        shadow, columns=["date", "employee_id", "vendor", "amount", "description", "tool", "copy"]
    )
    # A double charge by Anthropic in November, refunded in December.
    claude = shadow_frame[(shadow_frame["tool"] == "Claude") & (shadow_frame["copy"] == 0)]
    refund_rows = pd.DataFrame()
    if len(claude):
        first = claude.iloc[-1]
        refund_rows = pd.DataFrame(
            [
                (f"{AS_OF.year}-11-28", first["employee_id"], "ANTHROPIC* CLAUDE.AI SUBSCRIPTION", 20.00,
                 "Claude Pro (charged twice)", "Claude", 0),
                (f"{AS_OF.year}-12-02", first["employee_id"], "ANTHROPIC* CLAUDE.AI SUBSCRIPTION", -20.00,
                 "Refund of double charge", "Claude", 0),
            ],
            columns=shadow_frame.columns,
        )  # fmt: skip
    shadow_frame = pd.concat([shadow_frame, refund_rows], ignore_index=True)
    shadow_frame["kind"] = "shadow"
    frame = pd.concat([lines, traps, shadow_frame.drop(columns=["copy"])], ignore_index=True)
    frame = frame.sort_values(["date", "employee_id", "vendor", "amount"], kind="stable").reset_index(drop=True)
    frame.insert(0, "expense_id", [f"X{k + 1:05d}" for k in range(len(frame))])
    is_shadow = frame["kind"] == "shadow"
    truth = {
        "shadow_expense_ids": frame.loc[is_shadow, "expense_id"].tolist(),
        "shadow_expense_by_tool": {
            tool: grp["expense_id"].tolist() for tool, grp in frame[is_shadow].groupby("tool", sort=True)
        },
        "shadow_expense_employees": sorted(frame.loc[is_shadow, "employee_id"].unique().tolist()),
        "shadow_subscribers_by_tool": {
            tool: sorted(grp["employee_id"].unique().tolist())
            for tool, grp in frame[is_shadow].groupby("tool", sort=True)
        },
        "shadow_expense_total": round(float(frame.loc[is_shadow, "amount"].sum()), 2),
        "refund_expense_ids": frame.loc[frame["amount"] < 0, "expense_id"].tolist(),
        "keyword_trap_expense_ids": frame.loc[frame["kind"] == "trap", "expense_id"].tolist(),
    }
    return frame[_columns(schemas.Expenses)], truth


# --------------------------------------------------------------------------------------------
# Recurring work
# --------------------------------------------------------------------------------------------

RECURRING: tuple[tuple, ...] = (
    # department, task, category, owner_role, runs/month, minutes, input_structure, rule_based,
    # exception_rate, data_sensitivity, error_impact, systems
    ("Sales", "Weekly pipeline report to sales leadership", "report", AM, 4, 50, 4, 4, 0.15, "confidential", "medium",
     "Salesforce;Excel"),
    ("Sales", "Quote expiry reminders to customers", "follow_up", SR, 160, 6, 3, 3, 0.2, "internal", "medium",
     "Salesforce;Outlook"),
    ("Sales", "New-account setup requests to credit", "internal_comms", AM, 25, 15, 3, 3, 0.3, "confidential",
     "medium", "Salesforce;NetSuite"),
    ("Sales", "Competitor pricing check before large bids", "research", AM, 12, 45, 2, 2, 0.5, "public", "medium",
     "Web;Excel"),
    ("Sales", "Monthly customer profitability analysis", "report", "VP Sales", 1, 240, 3, 2, 0.4, "confidential",
     "high", "NetSuite;Salesforce;Excel"),
    ("Customer Service", "Shipment tracking numbers onto order records", "data_sync", CSR, 400, 3, 5, 5, 0.02,
     "internal", "low", "Zendesk;NetSuite;FedEx"),
    ("Customer Service", "Daily open-ticket summary to the service manager", "report", CSR, 22, 20, 4, 4, 0.1,
     "internal", "low", "Zendesk"),
    ("Customer Service", "Back-order follow-ups with customers", "follow_up", CSR, 120, 10, 3, 3, 0.35, "internal",
     "medium", "NetSuite;Outlook"),
    ("Customer Service", "Customer survey comment tagging", "other", "Customer service manager", 4, 60, 2, 3, 0.25,
     "internal", "low", "Zendesk;Excel"),
    ("Operations", "Daily back-order status sync NetSuite to Salesforce", "data_sync", OC, 22, 40, 5, 5, 0.03,
     "internal", "low", "NetSuite;Salesforce"),
    ("Operations", "Carrier delivery exception follow-ups", "follow_up", OC, 90, 12, 3, 2, 0.45, "internal", "medium",
     "Carrier portals;Outlook"),
    ("Operations", "Weekly warehouse safety bulletin", "internal_comms", "Operations manager", 4, 30, 2, 2, 0.2,
     "internal", "low", "Word;Teams"),
    ("Operations", "Daily carrier pickup schedule to warehouse leads", "internal_comms", OC, 22, 15, 4, 4, 0.1,
     "internal", "low", "NetSuite;Teams"),
    ("Purchasing", "Daily reorder-point exception report", "report", BUY, 22, 35, 5, 5, 0.04, "internal", "low",
     "NetSuite;Excel"),
    ("Purchasing", "PO acknowledgement chasing", "follow_up", BUY, 200, 6, 3, 3, 0.3, "internal", "medium",
     "NetSuite;Outlook"),
    ("Purchasing", "Supplier price list updates into NetSuite", "data_sync", BUY, 15, 50, 3, 4, 0.25, "internal",
     "high", "Excel;NetSuite"),
    ("Purchasing", "Quarterly supplier performance review pack", "report", "Purchasing manager", 0.33, 180, 3, 2,
     0.4, "confidential", "medium", "NetSuite;Excel;PowerPoint"),
    ("Purchasing", "Alternative supplier search for shortages", "research", BUY, 8, 60, 1, 1, 0.7, "public", "medium",
     "Web"),
    ("Finance", "Vendor invoice three-way match", "data_sync", ACC, 600, 4, 4, 4, 0.12, "confidential", "medium",
     "NetSuite"),
    ("Finance", "Payroll change processing in ADP", "data_sync", "HR generalist", 40, 12, 5, 5, 0.05, "restricted",
     "high", "ADP;Excel"),
    ("Finance", "Overdue invoice reminder emails", "follow_up", ACC, 250, 5, 4, 4, 0.2, "confidential", "medium",
     "NetSuite;Outlook"),
    ("Finance", "Daily cash position report", "report", ACC, 22, 25, 5, 4, 0.08, "confidential", "medium",
     "NetSuite;Bank portal;Excel"),
    ("Finance", "Expense report policy checks", "other", ACC, 150, 4, 4, 3, 0.25, "confidential", "low", "Expensify"),
    ("Marketing", "Weekly web traffic and campaign digest", "report", MS, 4, 40, 4, 4, 0.1, "internal", "low",
     "HubSpot;Google Analytics"),
    ("Marketing", "Product feed sync to distributor portals", "data_sync", MS, 8, 45, 4, 4, 0.15, "public", "medium",
     "Magento;Excel"),
    ("Marketing", "Monthly market and competitor news scan", "research", "Marketing manager", 1, 60, 1, 2, 0.5,
     "public", "low", "Web"),
    ("Administration", "New-hire IT account requests", "internal_comms", "HR generalist", 6, 20, 4, 4, 0.15,
     "confidential", "medium", "ADP;Microsoft 365"),
    ("Administration", "Weekly IT patch status report", "report", "IT administrator", 4, 30, 5, 4, 0.1, "internal",
     "low", "Intune;Excel"),
    ("Administration", "License reclaim reminders to inactive users", "follow_up", "IT administrator", 10, 15, 4, 4,
     0.1, "internal", "low", "Microsoft 365;Okta"),
    ("Administration", "Monthly company newsletter", "internal_comms", "HR generalist", 1, 55, 2, 2, 0.2, "internal",
     "low", "Word;Outlook"),
)  # fmt: skip
BEST_AGENT_TASKS = (
    "Shipment tracking numbers onto order records",
    "Daily back-order status sync NetSuite to Salesforce",
    "Daily reorder-point exception report",
)
NEVER_AUTONOMOUS_TASKS = ("Payroll change processing in ADP",)


def _recurring(scale: float) -> pd.DataFrame:
    columns = _columns(schemas.RecurringWork)
    rows = [dict(zip(columns[1:], row, strict=True)) for row in RECURRING]
    frame = pd.DataFrame(rows)
    frame["runs_per_month"] = [_scaled_volume(r, scale) for r in frame["runs_per_month"]]
    frame.insert(0, "task_id", [f"T{k + 1:02d}" for k in range(len(frame))])
    return frame[columns]


# --------------------------------------------------------------------------------------------
# engagement.yaml
# --------------------------------------------------------------------------------------------

HEALTH_CHECK = {  # leadership's self-assessment, rosier than the data
    "starting_point": 3,
    "training": 2,
    "data_governance": 3,
    "ownership": 3,
    "timeline": 2,
    "measurement": 3,
}


def _settings_text(people: pd.DataFrame, seed: int, scale: float) -> str:
    costs = "\n".join(f"  {r.name}: {r.hourly_cost:g}" for r in ROLES if r.hourly_cost is not None)
    health = "\n".join(f"  {k}: {v}" for k, v in HEALTH_CHECK.items())
    counts = people["department"].value_counts()
    departments = dict.fromkeys(r.department for r in ROLES)
    headcount = "\n".join(f"  {d}: {int(counts[d])}" for d in departments)
    return f"""\
# {CLIENT}: the kit's bundled fictional sample client.
# Generated by `python -m kit.sample` (seed {seed}, scale {scale:g}); regenerate rather than edit.
# The facts planted in the data are listed in planted.json and sample_data/README.md.
client: {CLIENT}
slug: {SLUG}
currency: USD
start_date: {START_DATE.isoformat()}
accountable_owner: ""  # nobody owns the rollout: itself a finding
hourly_cost: {HOURLY_COST:g}
hourly_cost_by_role:
{costs}
horizon_months: 12
adoption_rate: 0.7
as_of: {AS_OF.isoformat()}
pseudonymize: true
health_check:
{health}

# kit extensions
headcount_by_department:
{headcount}
# A fixed key so the sample's deliverables are reproducible; never do this for a real client.
pseudonym_key: "halden-sample-key-not-secret"
"""


# --------------------------------------------------------------------------------------------
# generate
# --------------------------------------------------------------------------------------------


def _columns(model: type) -> list[str]:
    return list(model.to_schema().columns)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def generate(out_dir: Path, *, seed: int = 7, scale: float = 1.0, usage_days: int = 365) -> dict:
    """Write a synthetic engagement folder into `out_dir` and return what was planted in it.

    Files: engagement.yaml, one CSV per intake table and planted.json (the returned dict).
    Usage covers `usage_days` days ending on as_of (2026-12-31). Deterministic for a given
    (seed, scale, usage_days).
    """
    if scale <= 0:
        raise ValueError("scale must be > 0")
    if usage_days < 180:
        raise ValueError("usage_days must be at least 180 (idle tools need a long quiet tail)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rngs = dict(zip(STREAMS, np.random.default_rng(seed).spawn(len(STREAMS)), strict=True))

    people = _people(rngs["people"], scale)
    warehouse = people.loc[people["role"] == WA, "person_id"].to_numpy()
    nonusers = set(rngs["people"].choice(warehouse, size=max(1, round(5 * scale)), replace=False).tolist())

    workflows, saving = _workflows(rngs["workflows"], scale, people)
    studies, arms = _time_studies(rngs["time_studies"], people, saving)

    plans = _plan_tools(rngs["usage"], people, scale, usage_days, nonusers)
    chatgpt_current = people.loc[plans["ChatGPT Team"].current]
    heavy_pool = chatgpt_current.loc[chatgpt_current["role"].isin((SR, CSR, AM)), "person_id"].to_numpy()
    heavy = set(rngs["usage"].choice(heavy_pool, size=min(heavy_pool.size, max(1, round(5 * scale))), replace=False))
    usage = _usage(rngs["usage"], people, plans, usage_days, heavy)

    has_rows, ai_days_90 = _usage_by_person(people, usage)
    levels = _survey_levels(rngs["skills_survey"], people, nonusers, heavy, has_rows, ai_days_90)
    survey = _survey_table(people, levels)
    targets = _role_targets()
    tools = _tools_table(plans)
    expenses, expense_truth = _expenses(rngs["expenses"], people, scale, plans, nonusers)
    recurring = _recurring(scale)

    (out / "engagement.yaml").write_text(_settings_text(people, seed, scale), encoding="utf-8")
    tables = {
        "workflows": workflows,
        "time_studies": studies,
        "skills_survey": survey,
        "role_targets": targets,
        "tools": tools,
        "usage": usage,
        "expenses": expenses,
        "recurring_work": recurring,
    }
    for name, frame in tables.items():
        _write_csv(frame, out / f"{name}.csv")

    truth = {
        "seed": seed,
        "scale": scale,
        "usage_days": usage_days,
        "as_of": AS_OF.isoformat(),
        "start_date": START_DATE.isoformat(),
        "headcount": len(people),
        "rows": {name: len(frame) for name, frame in tables.items()},
        **_workflow_truth(workflows, saving, arms),
        **_skills_truth(people, levels, nonusers, heavy),
        **_tools_truth(tools, usage, plans, people),
        "expenses": expense_truth,
        **_recurring_truth(recurring),
    }
    (out / PLANTED_FILE).write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return truth


def workflow_studies(
    seed: int,
    *,
    noise_sd: float | None = None,
    runs_per_arm: int | None = None,
    show_plants: bool = True,
    type_spread: float = 0.0,
    untimed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float], str]:
    """One synthetic client's workflows, time studies (as typed frames, like the intake reads
    them), true savings and engagement.yaml text, without writing anything: for simulation
    studies of the estimator. The same seed and defaults give the bundled sample's tables (the
    employee ids are not pseudonymized); see `_time_studies` for the study settings.

    Study design (a stream of its own, so the defaults leave every other draw unchanged):
    `type_spread` moves each task type's centre for this client (`type_shifts`); `untimed` leaves
    that many normally studied workflows, chosen at random, without time studies (besides the
    sample's own untimed ones), so that borrowed estimates are tried on every kind of workflow."""
    rngs = dict(zip(STREAMS, np.random.default_rng(seed).spawn(len(STREAMS)), strict=True))
    people = _people(rngs["people"], 1.0)
    shift = type_shifts(rngs["study_design"], type_spread)
    normal = [_workflow_id(i) for i, w in enumerate(WORKFLOWS) if w.studies == NORMAL]
    dropped = set(rngs["study_design"].choice(normal, size=untimed, replace=False).tolist()) if untimed else set()
    workflows, saving = _workflows(rngs["workflows"], 1.0, people, shift)
    studies, _ = _time_studies(
        rngs["time_studies"], people, saving, noise_sd=noise_sd, runs_per_arm=runs_per_arm, show_plants=show_plants
    )
    studies = studies[~studies["workflow_id"].isin(dropped)].reset_index(drop=True)
    studies = studies.assign(
        ai_assisted=studies["ai_assisted"] == "true", complexity=studies["complexity"].astype("Int64")
    )
    workflows = workflows.astype({"people_involved": "Int64"})
    return workflows, studies, saving, _settings_text(people, seed, 1.0)


AI_TOOLS = tuple(t.tool for t in TOOLS if t.ai)


def _usage_by_person(people: pd.DataFrame, usage: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per person: any usage row at all; distinct days with AI-tool use in the last 90 days."""
    has_rows = people["person_id"].isin(usage["user_id"].unique()).to_numpy()
    cutoff = (AS_OF - dt.timedelta(days=89)).isoformat()
    recent = usage[(usage["date"] >= cutoff) & usage["tool"].isin(AI_TOOLS)]
    days = recent.groupby("user_id")["date"].nunique()
    return has_rows, people["person_id"].map(days).fillna(0).to_numpy()


def _workflow_truth(workflows: pd.DataFrame, saving: dict[str, float], arms: dict) -> dict:
    ids = workflows["workflow_id"].tolist()
    planted = [_workflow_id(i) for i, w in enumerate(WORKFLOWS) if w.studies == PLANTED]
    hourly = {r.name: r.hourly_cost or HOURLY_COST for r in ROLES}
    value = (
        workflows["runs_per_month"]
        * workflows["minutes_per_run"]
        / 60
        * workflows["workflow_id"].map(saving)
        * workflows["owner_role"].map(hourly)
    )
    return {
        "true_saving": {wid: saving[wid] for wid in ids},
        "best_workflows": [w for w in planted if saving[w] > 0],
        "slower_with_ai": [w for w in planted if saving[w] < 0],
        "monthly_value_at_true_saving": {wid: round(float(v), 2) for wid, v in zip(ids, value, strict=True)},
        "restricted_workflows": workflows.loc[workflows["data_sensitivity"] == "restricted", "workflow_id"].tolist(),
        "no_time_studies": [w for w in ids if w not in arms],
        "too_few_runs": {
            w: n for w, n in arms.items() if min(n.values()) < 5
        },  # fewer than the default min_runs_per_arm
        "runs_per_arm": arms,
    }


def _skills_truth(people: pd.DataFrame, levels: np.ndarray, nonusers: set[str], heavy: set[str]) -> dict:
    frame = pd.DataFrame(levels, columns=list(SKILLS))
    frame["role"], frame["department"] = people["role"].to_numpy(), people["department"].to_numpy()
    role_means = frame.groupby("role", sort=True)[list(SKILLS)].mean()
    targets = _role_targets()
    star = targets[targets["role"] == "*"].set_index("skill")
    gaps = []
    for role, row in role_means.iterrows():
        own = targets[targets["role"] == role].set_index("skill")
        t = own if len(own) else star
        for skill in SKILLS:
            gap = t.at[skill, "target_level"] - row[skill]
            gaps.append((role, skill, round(float(gap), 3), round(float(gap * t.at[skill, "weight"]), 3)))
    gaps.sort(key=lambda g: (-g[3], g[0], g[1]))
    is_leader = people["role"].isin(LEADERS).to_numpy()
    leadership = {}
    for i in np.flatnonzero(is_leader):
        dept = people.at[i, "department"]
        team = ~is_leader if people.at[i, "role"] == "CEO" else ~is_leader & (frame["department"] == dept).to_numpy()
        leader_mean, team_mean = float(levels[i].mean()), float(levels[team].mean())
        leadership[people.at[i, "role"]] = {
            "person_id": people.at[i, "person_id"],
            "department": "whole company" if people.at[i, "role"] == "CEO" else dept,
            "leader_mean_level": round(leader_mean, 3),
            "team_mean_level": round(team_mean, 3),
            "gap": round(leader_mean - team_mean, 3),
        }
    overall = frame.groupby("role", sort=True)[list(SKILLS)].mean().mean(axis=1)
    return {
        "skills": {
            "weakest_role_skills": [list(g[:2]) for g in gaps[:2]],
            "largest_weighted_gaps": [
                {"role": g[0], "skill": g[1], "gap": g[2], "weighted_gap": g[3]} for g in gaps[:6]
            ],
            "lowest_overall_role": str(overall.idxmin()),
            "role_mean_levels": {
                role: {s: round(float(v), 3) for s, v in row.items()} for role, row in role_means.iterrows()
            },
            "leadership_gap": leadership,
            "proficient_nonusers": sorted(nonusers),
            "frequent_low_raters": sorted(str(h) for h in heavy),
            "roles_without_target_rows": list(ROLES_WITHOUT_TARGETS),
            "target_roles_without_respondents": ["Data analyst"],
        }
    }


def _tools_truth(tools: pd.DataFrame, usage: pd.DataFrame, plans: dict[str, _Plan], people: pd.DataFrame) -> dict:
    def active(days: int) -> pd.Series:
        cutoff = (AS_OF - dt.timedelta(days=days - 1)).isoformat()
        return usage[usage["date"] >= cutoff].groupby("tool")["user_id"].nunique()

    active_30, active_31 = active(ACTIVE_WINDOW), active(ACTIVE_WINDOW + 1)
    listed = tools.set_index("tool")
    utilization = {}
    for tool, row in listed.iterrows():
        if row["seats"] > 0:
            utilization[tool] = round(int(active_30.get(tool, 0)) / int(row["seats"]), 3)
    by_category = listed.groupby("category", sort=True).groups
    renew = pd.to_datetime(listed["renewal_date"], errors="coerce")
    soon = renew[(renew > pd.Timestamp(AS_OF)) & (renew <= pd.Timestamp(AS_OF) + pd.Timedelta(days=90))]
    in_use = set(active_30.index)  # used in the last 30 days
    edge = plans[EDGE_TOOL]
    edge_users = people.loc[edge.lapsed[:2], "person_id"].tolist() if edge.lapsed.size >= 2 else []
    last_use = usage.groupby("tool")["date"].max()
    return {
        "tools": {
            "active_window_days": ACTIVE_WINDOW,
            "active_window_rule": "active = a usage row dated as_of or up to 29 days before it",
            "active_users_30d": {t: int(active_30.get(t, 0)) for t in listed.index},
            "utilization": utilization,
            "idle_tools": [t for t in listed.index if listed.at[t, "seats"] > 0 and active_30.get(t, 0) == 0],
            "idle_tools_last_use": {
                t: last_use.get(t, "") for t in listed.index if listed.at[t, "seats"] > 0 and active_30.get(t, 0) == 0
            },
            "over_provisioned": {t: u for t, u in utilization.items() if 0.3 <= u <= 0.6},
            "well_used_approved": {
                t: u for t, u in utilization.items() if u >= 0.85 and listed.at[t, "approved"] == "true"
            },
            "overlapping_categories": {c: sorted(ix) for c, ix in by_category.items() if len(ix) >= 2},
            "unapproved_in_use": sorted(t for t in listed.index if listed.at[t, "approved"] == "false" and t in in_use),
            "free_or_individual_in_use": sorted(
                t for t in listed.index if listed.at[t, "plan"] in ("free", "individual") and t in in_use
            ),
            "renewals_within_90_days": {t: d.date().isoformat() for t, d in soon.sort_values().items()},
            "shadow_tools_in_usage": {
                t.tool: sorted(usage.loc[usage["tool"] == t.tool, "user_id"].unique().tolist())
                for t in TOOLS
                if not t.listed
            },
            "ai_tools": list(AI_TOOLS),
            "window_edge": {
                "tool": EDGE_TOOL,
                "last_used_30_days_before_as_of": edge_users[:1],
                "last_used_29_days_before_as_of": edge_users[1:2],
                "active_users_if_window_is_30_days": int(active_30.get(EDGE_TOOL, 0)),
                "active_users_if_window_is_31_days": int(active_31.get(EDGE_TOOL, 0)),
            },
        }
    }


def _recurring_truth(recurring: pd.DataFrame) -> dict:
    by_task = recurring.set_index("task")["task_id"]
    return {
        "recurring_work": {
            "best_agent_candidates": [by_task[t] for t in BEST_AGENT_TASKS],
            "never_autonomous": [by_task[t] for t in NEVER_AUTONOMOUS_TASKS],
            "split_over_60_minutes": recurring.loc[recurring["minutes_per_run"] > 60, "task_id"].tolist(),
        }
    }


# --------------------------------------------------------------------------------------------
# Raw-exports variant: the same client as the exports its systems would give (kit import reads them)
# --------------------------------------------------------------------------------------------

EXPORTS_DIR = "exports"
KEPT_AS_TABLES = ("engagement.yaml", "workflows.csv", "tools.csv", "role_targets.csv", "recurring_work.csv",
                  PLANTED_FILE)  # fmt: skip  # no vendor export holds these: the consultant writes them
FIRST_NAMES = ("Ana", "Ben", "Cora", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Max", "Nia",
               "Oli", "Pia", "Quin", "Rui", "Sam", "Tea")  # fmt: skip
LAST_NAMES = ("Aalto", "Brandt", "Costa", "Dahl", "Eriksen", "Fischer", "Garcia", "Holm", "Ito", "Jensen", "Kovac",
              "Lund", "Moreau", "Novak", "Olsen", "Park")  # fmt: skip
SURVEY_GRID = "How would you rate your skill with AI tools?"
SURVEY_ROWS = {
    "prompting": "Writing prompts and instructions for an AI tool",
    "output_verification": "Checking AI output for errors before using it",
    "data_handling": "Knowing which data may go into which AI tool",
    "workflow_automation": "Automating a repeated task with AI",
    "tool_fluency": "Using the AI tools the company provides",
}  # the kit's survey template (kit/data/skills_survey_mapping.yaml)
SURVEY_ANSWERS = ("0 - Never used", "1 - Aware of it", "2 - Basic use", "3 - Proficient", "4 - Advanced, I teach others")


def _person_name(pid: str, i: int) -> str:
    return f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]}" + (
        f" {i // (len(FIRST_NAMES) * len(LAST_NAMES)) + 1}" if i >= len(FIRST_NAMES) * len(LAST_NAMES) else "")  # fmt: skip


def _hms(minutes: float) -> str:
    seconds = round(minutes * 60)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def generate_raw_exports(out_dir: Path, *, seed: int = 7, scale: float = 1.0, usage_days: int = 365) -> dict:
    """The sample client (same seed, same truth) as its systems would export it: usage as an Okta
    app usage report, expenses as Ramp transactions, time studies as a Toggl detailed report, the
    skills survey as Google Forms responses to the kit's template, in `<out>/exports/`; beside them
    the tables no export holds, people.csv (ids of the bundled sample) and import_mapping.yaml.
    What the exports cannot carry: time studies' complexity and quality scores, and the ids of
    expense lines and observations (kit import numbers them). Returns the planted truth."""
    import shutil
    import tempfile

    out = Path(out_dir)
    (out / EXPORTS_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate(Path(tmp), seed=seed, scale=scale, usage_days=usage_days)
        for name in KEPT_AS_TABLES:
            shutil.copyfile(Path(tmp) / name, out / name)
        read = lambda n: pd.read_csv(Path(tmp) / f"{n}.csv", dtype=str, keep_default_na=False)  # noqa: E731
        usage, expenses, studies, survey, workflows = (read(n) for n in
                                                       ("usage", "expenses", "time_studies", "skills_survey", "workflows"))  # fmt: skip
    ids = sorted(set(usage["user_id"]) | set(expenses["employee_id"]) | set(studies["employee_id"])
                 | set(survey["respondent_id"]))  # fmt: skip
    who = survey.drop_duplicates("respondent_id").set_index("respondent_id")
    people = pd.DataFrame({"id": ids})
    people["name"] = [_person_name(p, i) for i, p in enumerate(ids)]
    people["email"] = [n.lower().replace(" ", ".") + "@halden.example" for n in people["name"]]
    people["department"] = people["id"].map(who["department"]).fillna("")
    people["role"] = people["id"].map(who["role"]).fillna("")
    people["aliases"] = ""
    _write_csv(people[["id", "email", "name", "department", "role", "aliases"]], out / "people.csv")
    name, email = people.set_index("id")["name"], people.set_index("id")["email"]

    day = pd.to_datetime(usage["date"])
    okta = pd.DataFrame({
        "Person": usage["user_id"].map(name), "Login": usage["user_id"].map(email),
        "Application username": usage["user_id"].map(email), "Logins": usage["actions"].replace("", "1"),
        "Instance name": usage["tool"], "Login Date": day.dt.strftime("%b %d, %Y"),
        "Login Date_ISO8601": day.dt.strftime("%Y-%m-%dT09:00:00.000Z"),
    })  # fmt: skip
    _write_csv(okta, out / EXPORTS_DIR / "okta_app_usage.csv")
    ramp = pd.DataFrame({
        "Transaction Date": pd.to_datetime(expenses["date"]).dt.strftime("%m/%d/%y"), "Amount": expenses["amount"],
        "Merchant Name": expenses["vendor"], "User": expenses["employee_id"].map(name), "Memo": expenses["description"],
    })  # fmt: skip
    _write_csv(ramp, out / EXPORTS_DIR / "ramp_transactions.csv")
    project = workflows.set_index("workflow_id")["workflow"]
    toggl = pd.DataFrame({
        "User": studies["employee_id"].map(name), "Email": studies["employee_id"].map(email), "Client": "",
        "Project": studies["workflow_id"].map(project), "Task": "", "Description": "", "Billable": "No",
        "Start date": studies["observed_on"], "Start time": "09:00:00",
        "Duration": [_hms(float(m)) for m in studies["minutes"]],
        "Tags": studies["ai_assisted"].map({"true": "AI", "false": ""}),
    })  # fmt: skip
    (out / EXPORTS_DIR / "toggl_detailed.csv").write_text("\ufeff" + toggl.to_csv(index=False, lineterminator="\n"),
                                                          encoding="utf-8")  # fmt: skip
    wide = survey.pivot(index="respondent_id", columns="skill", values="level")
    forms = pd.DataFrame({"Timestamp": "2026/12/01 9:00:00 AM GMT", "Email Address": wide.index.map(email),
                          "Department": wide.index.map(who["department"]), "Role": wide.index.map(who["role"])})  # fmt: skip
    for skill, label in SURVEY_ROWS.items():
        forms[f"{SURVEY_GRID} [{label}]"] = wide[skill].map(lambda v: SURVEY_ANSWERS[int(v)] if v == v else "").to_numpy()
    _write_csv(forms, out / EXPORTS_DIR / "google_forms_responses.csv")
    rules = "\n".join(f"    - project: {json.dumps(w)}\n      workflow: {i}" for i, w in project.items())
    (out / "import_mapping.yaml").write_text(
        "# How kit import reads this client's exports (engagement_templates/import_mapping.yaml documents every key).\n"
        "time:\n  workflows:\n" + rules + "\n  ai_tags: [AI]\n", encoding="utf-8")  # fmt: skip
    return truth


# ---------------------------------------------------------------- the follow-up, three months on

FOLLOW_UP_AS_OF = dt.date(2027, 3, 31)  # three months after the baseline's last usage day
FOLLOW_UP_OWNER = "Dana Whitfield (COO)"
FOLLOW_UP_REALIZED = {"W01": 0.15, "W49": 0.44, "W02": 0.36}  # time saved in daily use; W01 far below its 0.45
FOLLOW_UP_CONTROLS = ("W03", "W20", "W30")  # untreated workflows re-timed without AI (W30 on too few runs)
FOLLOW_UP_TREND = 0.03  # every workflow about 3% faster three months on (a shared change, not AI's)
FOLLOW_UP_DONE = {  # tool: (seats after, date carried out); Jasper's recommended cancellation is not done
    "Otter.ai": (0, "2027-01-12"), "Smartsheet": (0, "2027-01-20"), "Claude Team": (0, "2027-01-21"),
    "ChatGPT Team": (0, "2027-02-13"), "Zoom": (22, "2027-01-05"), "Salesforce Einstein": (16, "2027-01-20"),
    "Microsoft Teams Premium": (16, "2027-02-20"), "Canva Teams": (7, "2027-03-10"),
    "Microsoft 365 Copilot": (80, "2027-01-21"),  # the 20 seats the consolidations move onto it
}  # fmt: skip
FOLLOW_UP_NOT_DONE = "Jasper"
TRAINED_DEPARTMENTS = ("Finance", "Sales")  # the five priority cohorts are in these
FOLLOW_UP_PILOTS = (  # task_id, stage, started_on, stage_since, reviewed, accepted
    ("T14", "approval", "2027-02-15", "2027-03-20", 120, 116),
    ("T15", "shadow", "2027-03-01", "2027-03-01", 40, 35),
)
TRAINING_TARGETS = {  # (role, skill): the level the baseline's priority cohorts train to
    (SR, "prompting"): 3, (AM, "prompting"): 3, (SR, "output_verification"): 2, (ACC, "output_verification"): 3,
    (AM, "output_verification"): 3,
}  # fmt: skip


def generate_follow_up(out_dir: Path, *, seed: int = 7) -> dict:
    """Write the sample client three months on (data to `FOLLOW_UP_AS_OF`) into `out_dir`: the same
    engagement folder with newer data, for `kit run` after a baseline run of `generate`'s output.

    Planted outcomes (also in planted.json → follow_up): W01 realizes clearly less than predicted
    (`FOLLOW_UP_REALIZED`); the recommended cancellation of Jasper was not done; AI use rose in the
    trained departments only (`TRAINED_DEPARTMENTS`: their people's re-survey levels reached the
    cohorts' targets and new people there took up Microsoft 365 Copilot); pilot T14 moved from
    shadow to approval. Also: an owner is named, three untreated workflows were re-timed without
    AI (W30 on too few runs), the re-timed work is 3% faster across the board."""
    out = Path(out_dir)
    truth = generate(out, seed=seed)
    rng = np.random.default_rng([seed, 2027, 3])
    read = functools.partial(pd.read_csv, keep_default_na=False)
    settings = (out / "engagement.yaml").read_text(encoding="utf-8")
    settings = settings.replace('accountable_owner: ""  # nobody owns the rollout: itself a finding',
                                f'accountable_owner: "{FOLLOW_UP_OWNER}"')
    settings = settings.replace(f"as_of: {AS_OF.isoformat()}", f"as_of: {FOLLOW_UP_AS_OF.isoformat()}")
    settings = settings.replace("# Halden Industrial Supply:", "# Follow-up snapshot, three months on. Halden Industrial Supply:", 1)
    (out / "engagement.yaml").write_text(settings, encoding="utf-8")

    workflows = read(out / "workflows.csv").set_index("workflow_id")
    studies = read(out / "time_studies.csv")
    days = _weekdays(dt.date(2027, 2, 15), FOLLOW_UP_AS_OF)
    new, n = [], len(studies)
    runs = {**{w: 30 for w in FOLLOW_UP_REALIZED}, **{w: 25 for w in FOLLOW_UP_CONTROLS}, "W30": 3}
    for wid, k in runs.items():
        base = float(workflows.loc[wid, "minutes_per_run"])
        saving = FOLLOW_UP_REALIZED.get(wid, 0.0)
        people = studies.loc[studies["workflow_id"] == wid, "employee_id"].unique()
        complexity = rng.integers(1, 6, size=k)
        log_m = (np.log(base) + np.log(1 - saving) + np.log(1 - FOLLOW_UP_TREND) + 0.12 * (complexity - 3)
                 + rng.normal(0, 0.28, size=k))  # fmt: skip
        for i in range(k):
            n += 1
            new.append({"observation_id": f"O{n:05d}", "workflow_id": wid, "ai_assisted": _bool(wid in FOLLOW_UP_REALIZED),
                        "minutes": round(float(np.exp(log_m[i])), 1), "employee_id": rng.choice(people),
                        "observed_on": str(rng.choice(days)), "complexity": int(complexity[i]),
                        "quality_score": int(rng.integers(55, 90))})  # fmt: skip
    studies = pd.concat([studies, pd.DataFrame(new)], ignore_index=True)
    _write_csv(studies, out / "time_studies.csv")

    survey = read(out / "skills_survey.csv")
    for (role, skill), target in TRAINING_TARGETS.items():
        hit = (survey["role"] == role) & (survey["skill"] == skill)
        survey.loc[hit, "level"] = np.minimum(4, np.maximum(survey.loc[hit, "level"], target)
                                              + rng.choice([0, 0, 1], size=int(hit.sum())))  # fmt: skip
    _write_csv(survey, out / "skills_survey.csv")

    tools = read(out / "tools.csv")
    for tool, (seats, _) in FOLLOW_UP_DONE.items():
        if seats == 0:
            tools = tools[tools["tool"] != tool]
        else:
            tools.loc[tools["tool"] == tool, "seats"] = seats
    _write_csv(tools.reset_index(drop=True), out / "tools.csv")

    usage = read(out / "usage.csv", parse_dates=["date"])
    people = read(out / "skills_survey.csv").drop_duplicates("respondent_id").set_index("respondent_id")
    dept = people["department"].to_dict()
    december = usage[usage["date"] > pd.Timestamp(AS_OF) - pd.Timedelta(days=30)]
    q1 = pd.DatetimeIndex(_weekdays(dt.date(2027, 1, 1), FOLLOW_UP_AS_OF))
    removed = {t: pd.Timestamp(d) for t, (seats, d) in FOLLOW_UP_DONE.items() if seats == 0}
    rows = []
    for (user, tool), dates in december.groupby(["user_id", "tool"])["date"]:
        if dept.get(user) in TRAINED_DEPARTMENTS and tool in AI_TOOLS:  # the trained use AI almost daily
            active = q1[rng.random(len(q1)) < 0.97]
        else:  # everyone else goes on exactly as in December, month after month
            active = pd.DatetimeIndex(sorted({d + pd.Timedelta(days=k) for d in dates for k in (30, 60, 90)}))
            active = active[active <= pd.Timestamp(FOLLOW_UP_AS_OF)]
        if tool in removed:  # its users move to Copilot when it goes
            rows += [(user, tool, d) for d in active[active < removed[tool]]]
            rows += [(user, "Microsoft 365 Copilot", d) for d in active[active >= removed[tool]]]
        else:
            rows += [(user, tool, d) for d in active]
    ai_users = set(december.loc[december["tool"].isin(AI_TOOLS), "user_id"])
    newcomers = sorted(p for p, d in dept.items() if d in TRAINED_DEPARTMENTS and p not in ai_users)
    for user in newcomers:  # trained people take up Copilot after their training (mid-February)
        start = pd.Timestamp("2027-02-17") + pd.Timedelta(days=int(rng.integers(0, 10)))
        rows += [(user, "Microsoft 365 Copilot", d) for d in q1[(q1 >= start) & (rng.random(len(q1)) < 0.6)]]
    follow_usage = pd.DataFrame(rows, columns=["user_id", "tool", "date"]).drop_duplicates()
    follow_usage = follow_usage.sort_values(["date", "user_id", "tool"], kind="stable").reset_index(drop=True)
    follow_usage["actions"] = rng.integers(3, 60, size=len(follow_usage))
    follow_usage["date"] = follow_usage["date"].dt.strftime("%Y-%m-%d")
    _write_csv(follow_usage, out / "usage.csv")

    expenses = read(out / "expenses.csv")
    ordinary = expenses[~expenses["expense_id"].isin(truth["expenses"]["shadow_expense_ids"])].tail(40).copy()
    ordinary["date"] = pd.to_datetime(ordinary["date"]).map(lambda d: d.replace(year=2027, month=1 + d.month % 3, day=min(d.day, 28)))
    shadow_q1 = [("E0017", "OPENAI *CHATGPT SUBSCR", 20.0, "2027-01-14"), ("E0017", "OPENAI *CHATGPT SUBSCR", 20.0, "2027-02-14"),
                 ("E0017", "OPENAI *CHATGPT SUBSCR", 20.0, "2027-03-14"), ("E0127", "Anthropic Claude.ai", 20.0, "2027-01-09"),
                 ("E0110", "MIDJOURNEY INC.", 30.0, "2027-01-20"), ("E0110", "MIDJOURNEY INC.", 30.0, "2027-02-20")]  # fmt: skip
    lines = [{"employee_id": e, "vendor": v, "amount": a, "date": pd.Timestamp(d), "description": "Subscription"}
             for e, v, a, d in shadow_q1]  # fmt: skip
    q1_lines = pd.concat([ordinary.drop(columns=["expense_id"]), pd.DataFrame(lines)], ignore_index=True)
    q1_lines = q1_lines.sort_values("date", kind="stable").reset_index(drop=True)
    q1_lines.insert(0, "expense_id", [f"X{len(expenses) + 1 + i:05d}" for i in range(len(q1_lines))])
    q1_lines["date"] = q1_lines["date"].dt.strftime("%Y-%m-%d")
    _write_csv(q1_lines[expenses.columns], out / "expenses.csv")

    pilots = pd.DataFrame(FOLLOW_UP_PILOTS, columns=["task_id", "stage", "started_on", "stage_since",
                                                     "outputs_reviewed", "outputs_accepted"]).assign(owner="Operations manager")  # fmt: skip
    _write_csv(pilots, out / "pilots.csv")

    truth["follow_up"] = {
        "as_of": FOLLOW_UP_AS_OF.isoformat(), "owner": FOLLOW_UP_OWNER, "realized_saving": FOLLOW_UP_REALIZED,
        "clearly_less": "W01", "controls": list(FOLLOW_UP_CONTROLS), "too_few_runs": "W30",
        "not_cancelled": FOLLOW_UP_NOT_DONE, "carried_out": {t: d for t, (_, d) in FOLLOW_UP_DONE.items()},
        "trained_departments": list(TRAINED_DEPARTMENTS), "newcomers": len(newcomers),
        "pilot_to_approval": "T14", "pilots": [p[0] for p in FOLLOW_UP_PILOTS],
        "rows": {"time_studies_added": len(new), "usage": len(follow_usage), "expenses": len(q1_lines)},
    }  # fmt: skip
    (out / PLANTED_FILE).write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kit.sample", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="engagement folder to write (created if missing)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7, the bundled sample)")
    parser.add_argument("--scale", type=float, default=1.0, help="headcount multiplier (default 1, ~150 people)")
    parser.add_argument("--usage-days", type=int, default=365, help="days of usage ending 2026-12-31 (default 365)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    truth = generate(args.out_dir, seed=args.seed, scale=args.scale, usage_days=args.usage_days)
    rows = ", ".join(f"{name} {n:,}" for name, n in truth["rows"].items())
    print(f"wrote {args.out_dir} in {time.perf_counter() - began:.1f} s: {truth['headcount']} people; {rows}")


if __name__ == "__main__":
    main()

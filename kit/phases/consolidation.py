"""Phase 4 (Consolidation): what the company pays for its tools, who uses them, what to cancel,
shrink or merge, where AI is used outside the approved tools, and which data may go where.

Method (stated in the deliverable, see `method_text`):
- Active user of a tool = a usage row for that person and tool dated in the window
  (as_of − N days, as_of], i.e. the N days ending on and including `as_of` (N =
  `active_window_days`, 30 by default; Cledara's 30-day rule, Productiv 60, Trelica 90). A row
  dated exactly N days before `as_of` is outside; N − 1 days before is inside.
- Utilization = active users ÷ seats paid for; below 0.8 means paying for empty seats (Torii,
  `kit.evidence.UTILIZATION_FLOOR`). Annual cost = seats × cost per seat per month × 12, whatever
  the billing cycle (an annual contract only moves when the saving can be taken: at renewal).
- Monthly actives: distinct people per calendar month (the usage dashboard). Recent monthly
  actives, for downsizing: distinct people in each of the last `recent_months` 30-day blocks
  ending at `as_of`; their peak sets the seats needed.
- Recommendations (one per inventory tool, first rule that applies):
  cancel — no active user, or utilization below `cancel_below` (10%, a kit assumption, not from a
  published source: `consolidation_rules.cancel_below` in engagement.yaml);
  consolidate — two or more remaining tools in one category (not "other"): keep the approved,
  best-governed (highest data class, then plan, then single sign-on), most-used one and move the
  others' active users to it;
  downsize — utilization below the floor: seats = ceil(peak recent monthly actives × (1 + buffer));
  the buffer (10%, the `downsize_buffer` option) is a kit assumption, not from a published source;
  keep — otherwise.
  `sensitivity` reruns the recommendations at other cancel thresholds and buffers (5/10/20% and
  0/10/20%, plus this run's), so the deliverable shows what moves when an assumption moves.
  The kept tool of a category needs ceil((its peak + people moving in) × (1 + buffer)) seats; the
  seats this adds beyond what it needs on its own are the extra seats, and their cost is
  subtracted from the savings of the tools the people come from, in proportion to the people each
  sends. A saving is annual: cancel and consolidate save the tool's annual cost (less that share),
  downsize saves the seats removed.
- Renewals in the next `renewal_horizon_days` (90): a past renewal date rolls forward by its
  billing cycle; decide by 30 days before renewal (the 90-60-30 cycle, evidence.md).
- Adoption: people active on any AI tool per month ÷ headcount: `headcount_by_department` when
  given, else every distinct person in the intake tables that name people (survey, usage, time
  studies, expenses); the deliverable says which.
- Shadow AI (outside the inventory): (a) tools in usage that are not in the inventory; (b) expense
  lines matching the shipped list of AI vendors (`kit/data/ai_vendors.csv`, see `ai_vendors.md`
  beside it) that are not an approved tool's own bill. Spend is reported two ways: charged in the
  365 days to as_of, refunds netted (`shadow_spend`), and the run rate of the monthly subscriptions
  still live (`shadow_run_rate`: each one's typical charge × 12; live = charged within 45 days of
  the end of the expense export, and not refunded since).
- Governance gaps (inside the inventory, so their cost is already in the tool spend, never shadow
  spend): AI tools of the inventory in use on a free or individual plan, unapproved, or without
  single sign-on.
- Data rules: the tiering in `kit.governance`; workflows need the tool categories of
  `kit.governance.TASK_TOOL_CATEGORIES`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from kit import safe
from kit.charts import NEGATIVE, NEUTRAL, POSITIVE
from kit.evidence import UTILIZATION_FLOOR
from kit.governance import CLASS_RANK, TASK_TOOL_CATEGORIES, data_class_matrix, workflow_coverage
from kit.intake import TABLES
from kit.intake.schemas import DATA_CLASSES, PLANS, TOOL_CATEGORIES, Expenses, Tools, Usage, Workflows
from kit.options import ConsolidationOptions
from kit.settings import EngagementSettings
from kit.text import money
from kit.text import names as name_list
from kit.vocabulary import (  # shared labels
    CANCEL,
    CONSOLIDATE,
    CONSUMER,
    DOWNSIZE,
    EXPENSED,
    KEEP,
    KIT_ASSUMPTION,
    NO_SSO,
    UNAPPROVED,
    UNLISTED,
)

T, U, X, W = Tools, Usage, Expenses, Workflows  # column names come from the schema models

AI_VENDORS_FILE = Path(__file__).resolve().parents[1] / "data" / "ai_vendors.csv"
MONTHS_PER_YEAR = 12
BLOCK_DAYS = 30  # length of one "recent month" for downsizing
DECISION_LEAD_DAYS = 30  # give notice at least this many days before renewal (90-60-30 cycle)
RUNNING_DAYS = 45  # a monthly charge seen this recently (before the export's end) is still running
RECURRING_GAP_DAYS = (20, 40)  # median days between charges of a monthly subscription
RECURRING_AMOUNT_TOLERANCE = 0.2  # each charge within ±20% of the typical charge
BILL_SHARE = 0.9  # an expense ≥ 90% of an approved tool's periodic bill is that bill
REFUND_SHARE = 0.9  # a refund ≥ 90% of the last charge, after it, ends that subscription
DOWNSIZE_BUFFER = ConsolidationOptions().downsize_buffer  # seats kept above the recent peak (kit assumption)
#: Settings the sensitivity table reruns the recommendations at (this run's own are added).
CANCEL_STEPS = (0.05, 0.1, 0.2)
BUFFER_STEPS = (0.0, 0.1, 0.2)
#: How a method note labels a threshold that no published source gives.

#: Categories of AI tools (the contract's recommended categories, less "other"); a tool in
#: another category is an AI tool when it matches the AI vendor list.
AI_CATEGORIES = frozenset(TOOL_CATEGORIES) - {"other"}
PLAN_RANK = {p: i for i, p in enumerate(PLANS)}

RECOMMENDATIONS = (CANCEL, CONSOLIDATE, DOWNSIZE, KEEP)

SHADOW_KINDS = (UNLISTED, EXPENSED)  # outside the inventory: the only shadow spend
GAP_KINDS = (CONSUMER, UNAPPROVED, NO_SSO)  # inventory tools: governance gaps, their cost already in spend

HEADCOUNT_GIVEN = "headcount"  # headcount_source: given (headcount_by_department or `headcount=`)
PEOPLE_SEEN = "people seen"  # ... distinct people across the intake tables that name people
PEOPLE_IN_USAGE = "people in usage"  # ... distinct people in usage alone (analyze without a headcount)


@dataclass(frozen=True)
class ConsolidationResult:
    """What the consolidation phase found. Field names are read by later phases; keep them.

    tools: one row per inventory tool — tool, vendor, category, plan, approved, sso_enabled,
        max_data_class, is_ai, seats, cost_per_seat_month, annual_cost, active_users,
        utilization, below_floor, cost_per_active_user, idle_seats, idle_seat_cost, users_ever,
        last_used, peak_recent_actives, recommendation (cancel/consolidate/downsize/keep),
        target_seats, annual_saving, reason, moves_to, users_moved, extra_seats, next_renewal.
    monthly_active: month (first day), tool, active_users, listed (in the inventory), is_ai.
    adoption: month, people_active (on any AI tool), headcount, share, complete (whole month).
    renewals: renewals within the horizon — tool, next_renewal, days_to_renewal, decide_by,
        stage, recommendation, annual_saving, annual_cost.
    consolidation: one row per category with a kept tool receiving people — category, keep,
        moving (tools, "; "), users_moved, extra_seats, extra_seat_cost, annual_saving.
    shadow: shadow-AI findings, outside the inventory (kinds UNLISTED, EXPENSED) — kind, tool,
        vendor, category, people, annual_spend (charged in the 365 days to as_of, refunds netted),
        annual_run_rate (live monthly subscriptions × 12), detail, product.
    governance_gaps: AI tools of the inventory in use on a free or individual plan, unapproved or
        without single sign-on (kinds GAP_KINDS) — kind, tool, vendor, category, plan, people,
        annual_cost (already in current_annual_spend; never shadow spend), detail.
    expense_matches: expense lines matching the AI vendor list — expense_id, date, employee_id,
        vendor, description, amount, product, covered_by, shadow, recurring, in_year.
    subscriptions: one row per person and product with monthly charges outside the approved tools —
        employee_id, product, charges, monthly_charge (median charge), last_charge, live,
        annual_run_rate (monthly_charge × 12 when live, else 0).
    sensitivity: the recommendations rerun at other settings of the kit's assumptions —
        assumption, value, current, cancelled, consolidated, downsized, saving_cancel, total_saving.
    data_matrix: approved AI tools × data classes (True where the class may go into the tool).
    uncovered_workflows: workflows no approved tool in a needed category may serve, with reason.
    totals: current_annual_spend, saving_cancel, saving_consolidate, saving_downsize,
        total_saving, spend_after, idle_seat_cost, shadow_spend (trailing 365 days),
        shadow_run_rate (a year), live_subscriptions, shadow_people, governance_gaps,
        governance_gap_people, paid_seats, active_paid_seats.
    """

    tools: pd.DataFrame
    monthly_active: pd.DataFrame
    adoption: pd.DataFrame
    renewals: pd.DataFrame
    consolidation: pd.DataFrame
    shadow: pd.DataFrame
    governance_gaps: pd.DataFrame
    expense_matches: pd.DataFrame
    subscriptions: pd.DataFrame
    sensitivity: pd.DataFrame
    data_matrix: pd.DataFrame
    uncovered_workflows: pd.DataFrame
    totals: dict[str, float]
    as_of: dt.date
    window_days: int
    window_start: dt.date  # first day inside the window
    downsize_buffer: float
    cancel_below: float
    headcount: int
    headcount_source: str  # HEADCOUNT_GIVEN, PEOPLE_SEEN or PEOPLE_IN_USAGE
    headcount_tables: tuple[str, ...]  # the tables people were counted in (PEOPLE_SEEN, PEOPLE_IN_USAGE)
    people_seen: int  # distinct people in usage who used any tool (before as_of)
    n_usage_rows: int
    n_usage_after_as_of: int  # rows dated after as_of, left out of every figure
    currency: str
    has_expenses: bool
    has_workflows: bool
    usage_snapshots: tuple[str, ...] = ()  # ISO dates of the last-activity snapshots in usage
    n_snapshot_rows: int = 0  # usage rows from those snapshots (the rest are daily rows)


# ---------------------------------------------------------------- AI vendor list


def normalize_text(values: pd.Series) -> pd.Series:
    """Lower-case, every run of non-alphanumeric characters as one space, trimmed (the form
    keywords of the AI vendor list are matched against)."""
    return values.fillna("").astype(str).str.lower().str.replace(r"[\W_]+", " ", regex=True).str.strip()


@functools.lru_cache(maxsize=1)
def ai_vendors() -> pd.DataFrame:
    """The shipped AI vendor list (`kit/data/ai_vendors.csv`) with one regex per product."""
    table = pd.read_csv(AI_VENDORS_FILE, dtype=str, keep_default_na=False)
    table["consumer_price_month"] = pd.to_numeric(table["consumer_price_month"])
    patterns = []
    for keywords in table["keywords"]:
        words = [re.escape(" ".join(k.split())) for k in keywords.split(";") if k.strip()]
        patterns.append(r"(?:^| )(?:" + "|".join(words) + r")(?: |$)")
    table["pattern"] = patterns
    return table


def match_ai_product(text: pd.Series) -> pd.Series:
    """The AI vendor list's product each text names (first matching row wins), else <NA>.
    `text` is raw (e.g. merchant + description); it is normalized here."""
    norm = normalize_text(text)
    out = pd.Series(pd.NA, index=text.index, dtype="object")
    for product, pattern in zip(ai_vendors()["product"], ai_vendors()["pattern"], strict=True):
        todo = out.isna()
        if not todo.any():
            break
        hit = norm[todo].str.contains(pattern, regex=True)
        out.loc[hit[hit].index] = product
    return out


def _name_key(names: pd.Series | pd.Index) -> np.ndarray:
    """Tool names compared ignoring case and repeated spaces."""
    return np.array([" ".join(str(n).split()).casefold() for n in names], dtype=object)


# ---------------------------------------------------------------- usage, vectorized


@dataclass(frozen=True)
class _Usage:
    """Usage reduced to integer codes: tool index (inventory first, then unlisted), person."""

    tool_names: list[str]  # canonical names; the first n_listed are the inventory's
    n_listed: int
    tool: np.ndarray  # int64 code per row (rows after as_of removed)
    person: np.ndarray
    day: np.ndarray  # days since 1970-01-01
    people: np.ndarray  # person identifier of each person code
    snapshot: np.ndarray  # day of the row's last-activity snapshot, -1 for a daily row
    window: np.ndarray  # the snapshot's window in days (0 for a daily row)


def _encode_usage(usage: pd.DataFrame, inventory: pd.Series, as_of_day: int) -> _Usage:
    day = usage[U.date].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    keep = day <= as_of_day
    person, people = pd.factorize(usage[U.user_id].to_numpy()[keep])
    raw_tool, raw_names = pd.factorize(usage[U.tool].to_numpy()[keep])
    listed_keys = _name_key(inventory)
    canon: dict[str, int] = {k: i for i, k in enumerate(listed_keys)}
    names = list(inventory)
    lookup = np.empty(len(raw_names), dtype=np.int64)
    for i, (key, name) in enumerate(zip(_name_key(raw_names), raw_names, strict=True)):
        if key not in canon:
            canon[key] = len(names)
            names.append(" ".join(str(name).split()))
        lookup[i] = canon[key]
    return _Usage(
        tool_names=names,
        n_listed=len(inventory),
        tool=lookup[raw_tool] if len(raw_tool) else np.empty(0, dtype=np.int64),
        person=person.astype(np.int64),
        day=day[keep],
        people=np.asarray(people, dtype=object),
        **_snapshot_codes(usage, keep),
    )


def _snapshot_codes(usage: pd.DataFrame, keep: np.ndarray) -> dict[str, np.ndarray]:
    """Per kept row: its snapshot day (-1 for a daily row) and window days (kit extension of usage:
    a row with `snapshot` means "last active on `date`, as seen by the export taken on `snapshot`
    covering the `window_days` ending on it")."""
    n = int(keep.sum())
    if "snapshot" not in usage or not usage["snapshot"].notna().any():
        return {"snapshot": np.full(n, -1, dtype=np.int64), "window": np.zeros(n, dtype=np.int64)}
    snap = usage["snapshot"].to_numpy(dtype="datetime64[ns]")[keep]
    known = ~np.isnat(snap)
    days = np.where(known, snap.astype("datetime64[D]").astype(np.int64), -1)
    window = usage["window_days"] if "window_days" in usage else pd.Series(BLOCK_DAYS, index=usage.index)
    window = pd.to_numeric(window, errors="coerce").fillna(BLOCK_DAYS).to_numpy(dtype=np.int64)[keep]
    return {"snapshot": days, "window": np.where(known, window, 0)}


def _distinct_per_tool(tool: np.ndarray, person: np.ndarray, n_tools: int, n_people: int) -> np.ndarray:
    """Distinct people per tool code."""
    pairs = pd.unique(tool * max(n_people, 1) + person)
    return np.bincount(pairs // max(n_people, 1), minlength=n_tools)


def _window_pairs(u: _Usage, start_day: int, end_day: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (tool, person) pairs with use on a day in [start_day, end_day]."""
    mask = (u.day >= start_day) & (u.day <= end_day)
    n = max(len(u.people), 1)
    pairs = pd.unique(u.tool[mask] * n + u.person[mask])
    return pairs // n, pairs % n


def _recent_peak(u: _Usage, as_of_day: int, blocks: int, n_tools: int) -> tuple[np.ndarray, np.ndarray]:
    """Per tool: the largest count of distinct people measured over the last `blocks` 30-day blocks
    ending at as_of, and what measured it. Measurements: each 30-day block (block k = (as_of − 30(k+1),
    as_of − 30k]; every row's date is a real day of use), and each last-activity snapshot taken in that
    span, counting everyone active in its window as the export states it (the part of the window inside
    the span; daily rows of those days included). A snapshot's later use hides its people's earlier
    days, so blocks before a snapshot undercount; its window does not, and no daily rows are invented."""
    span_start = as_of_day - BLOCK_DAYS * blocks
    mask = u.day > span_start
    block = (as_of_day - u.day[mask]) // BLOCK_DAYS
    n = max(len(u.people), 1)
    keys = pd.unique((block * n_tools + u.tool[mask]) * n + u.person[mask])
    counts = np.bincount(keys // n, minlength=blocks * n_tools).reshape(blocks, n_tools)
    best_block = counts.argmax(axis=0)
    peak = counts.max(axis=0)
    basis = np.array([f"30-day block to {_day_text(as_of_day - BLOCK_DAYS * int(k))}" for k in best_block], dtype=object)
    taken = (u.snapshot > span_start) & (u.snapshot >= 0)
    for snap, window in sorted({(int(s), int(w)) for s, w in zip(u.snapshot[taken], u.window[taken], strict=True)}):
        start, end = max(snap - window, span_start), min(snap, as_of_day)
        in_window = (u.day > start) & (u.day <= end)
        rows = in_window & (((u.snapshot == snap) & (u.window == window)) | (u.snapshot < 0))
        measured = _distinct_per_tool(u.tool[rows], u.person[rows], n_tools, len(u.people))
        label = f"snapshot {_day_text(snap)} ({window}-day window" + (
            f", its last {end - start} days)" if snap - window < span_start else ")")
        better = measured > peak
        peak = np.where(better, measured, peak)
        basis[better] = label
    return peak, basis


def _day_text(day: int) -> str:
    return f"{pd.Timestamp(day, unit='D'):%d %b %Y}"


def _trend_rows(u: _Usage) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(month code, tool, person) of the rows the monthly trend counts: a daily row in its calendar
    month; a snapshot row in its snapshot's month when it falls inside that snapshot's window (the
    latest snapshot of each tool and month), so a snapshot never adds invented months."""
    to_month = lambda d: d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)  # noqa: E731
    daily = u.snapshot < 0
    month, tool, person = [to_month(u.day[daily])], [u.tool[daily]], [u.person[daily]]
    snap = ~daily
    if snap.any():
        s_month = to_month(u.snapshot[snap])
        frame = pd.DataFrame({"m": s_month, "t": u.tool[snap], "s": u.snapshot[snap]})
        latest = frame.groupby(["m", "t"])["s"].transform("max").to_numpy()
        inside = (u.snapshot[snap] == latest) & (u.day[snap] > u.snapshot[snap] - u.window[snap]) & (
            u.day[snap] <= u.snapshot[snap])  # fmt: skip
        month.append(s_month[inside])
        tool.append(u.tool[snap][inside])
        person.append(u.person[snap][inside])
    return np.concatenate(month), np.concatenate(tool), np.concatenate(person)


def _measured_months(u: _Usage) -> np.ndarray:
    """Months the trend has a measurement for: every month across the daily log's span (a month
    with no use there is a real zero) plus the month of each snapshot."""
    to_month = lambda d: d.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)  # noqa: E731
    daily = u.day[u.snapshot < 0]
    months = [np.arange(to_month(daily).min(), to_month(daily).max() + 1)] if len(daily) else []
    months.append(to_month(u.snapshot[u.snapshot >= 0]))
    return np.unique(np.concatenate(months)) if months else np.empty(0, dtype=np.int64)


def _monthly(u: _Usage, n_tools: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distinct people per (calendar month, tool) and per month across a set of tools."""
    month, tool, person = _trend_rows(u)
    if not len(month):
        return pd.DataFrame(columns=["month_code", "tool_code", "active_users"]), pd.DataFrame()
    m0 = int(month.min())
    n = max(len(u.people), 1)
    triples = pd.unique(((month - m0) * n_tools + tool) * n + person)
    month_tool, person = triples // n, triples % n
    codes, counts = np.unique(month_tool, return_counts=True)
    per_tool = pd.DataFrame(
        {"month_code": codes // n_tools + m0, "tool_code": codes % n_tools, "active_users": counts}
    )
    people = pd.DataFrame({"month_code": month_tool // n_tools + m0, "tool_code": month_tool % n_tools, "person": person})
    return per_tool, people


# ---------------------------------------------------------------- the analysis


def analyze(
    tools: pd.DataFrame,
    usage: pd.DataFrame,
    settings: EngagementSettings,
    *,
    as_of: dt.date | pd.Timestamp | None,
    expenses: pd.DataFrame | None = None,
    workflows: pd.DataFrame | None = None,
    window_days: int | None = None,
    downsize_buffer: float = DOWNSIZE_BUFFER,
    cancel_below: float | None = None,
    recent_months: int = 3,
    renewal_horizon_days: int = 90,
    headcount: int | None = None,
    headcount_source: str = HEADCOUNT_GIVEN,
    headcount_tables: tuple[str, ...] = (),
) -> ConsolidationResult:
    """The spend, use and governance review. `as_of` ends every trailing window (None: the last
    usage date); `window_days` overrides `settings.active_window_days`; `downsize_buffer` is the
    share of seats kept above the recent peak; `cancel_below` overrides
    `settings.consolidation_rules.cancel_below`; `headcount` is the adoption curve's denominator,
    counted as `headcount_source` says (None: everyone who appears in usage)."""
    if window_days is None:
        window_days = settings.active_window_days
    if cancel_below is None:
        cancel_below = settings.consolidation_rules.cancel_below
    if window_days < 1 or recent_months < 1 or downsize_buffer < 0:
        raise ValueError("window_days and recent_months must be >= 1 and downsize_buffer >= 0")
    if not 0 <= cancel_below < UTILIZATION_FLOOR:
        raise ValueError(f"cancel_below must be from 0 to below {UTILIZATION_FLOOR:g}, got {cancel_below!r}")
    if as_of is None:
        as_of = usage[U.date].max() if len(usage) else pd.Timestamp(dt.date.today())
    as_of = pd.Timestamp(as_of).normalize()
    as_of_day = int((as_of - pd.Timestamp("1970-01-01")).days)
    window_start_day = as_of_day - window_days + 1

    inv = tools.reset_index(drop=True).copy()
    u = _encode_usage(usage, inv[T.tool], as_of_day)
    n_tools = len(u.tool_names)

    names = pd.Series(u.tool_names)
    catalogue_product = match_ai_product(names)
    inv_text = inv[T.tool].astype(str) + " " + inv[T.vendor].astype(str)
    inv["ai_product"] = match_ai_product(inv_text).to_numpy()
    inv["is_ai"] = inv[T.category].astype(str).str.strip().str.lower().isin(AI_CATEGORIES) | inv["ai_product"].notna()

    win_tool, win_person = _window_pairs(u, window_start_day, as_of_day)
    active = np.bincount(win_tool, minlength=n_tools)
    ever = _distinct_per_tool(u.tool, u.person, n_tools, len(u.people))
    last_day = pd.Series(u.day).groupby(u.tool).max().reindex(range(n_tools))
    peak, peak_basis = _recent_peak(u, as_of_day, recent_months, n_tools)
    window_users = pd.Series(win_person).groupby(win_tool).agg(lambda s: set(s.tolist())) if len(win_tool) else pd.Series(dtype=object)

    listed = slice(0, u.n_listed)
    inv["annual_cost"] = inv[T.seats] * inv[T.cost_per_seat_month] * MONTHS_PER_YEAR
    inv["active_users"] = active[listed]
    inv["users_ever"] = ever[listed]
    inv["last_used"] = pd.to_datetime(last_day.to_numpy()[listed], unit="D").astype("datetime64[ns]")
    inv["peak_recent_actives"] = peak[listed]
    inv["peak_basis"] = peak_basis[listed]
    seats = inv[T.seats].astype(float)
    inv["utilization"] = (inv["active_users"] / seats.where(seats > 0)).astype(float)
    inv["below_floor"] = inv["utilization"] < UTILIZATION_FLOOR
    inv["cost_per_active_user"] = (inv["annual_cost"] / inv["active_users"].where(inv["active_users"] > 0)).astype(float)
    inv["idle_seats"] = (inv[T.seats] - inv["active_users"]).clip(lower=0)
    inv["idle_seat_cost"] = inv["idle_seats"] * inv[T.cost_per_seat_month] * MONTHS_PER_YEAR

    sensitivity = _sensitivity(inv, window_users, downsize_buffer, cancel_below)
    inv = _recommend(inv, window_users, downsize_buffer, cancel_below)
    consolidation = _consolidation_table(inv)
    inv["next_renewal"] = _next_renewal(inv, as_of)
    renewals = _renewals(inv, as_of, renewal_horizon_days)

    monthly_tool, monthly_people = _monthly(u, n_tools)
    is_ai_code = np.concatenate([inv["is_ai"].to_numpy(dtype=bool), np.ones(n_tools - u.n_listed, dtype=bool)])
    monthly_active = _monthly_active(monthly_tool, u, is_ai_code)
    if headcount is None:
        headcount, headcount_source, headcount_tables = len(u.people), PEOPLE_IN_USAGE, ("usage",)
    adoption = _adoption(monthly_people, is_ai_code, headcount, as_of, _measured_months(u), u)

    matches = _expense_matches(expenses, inv, as_of) if expenses is not None else _empty_matches()
    subscriptions = _subscriptions(matches, expenses, as_of) if expenses is not None else _empty_subscriptions()
    unlisted_codes = range(u.n_listed, n_tools)
    shadow = _shadow(inv, u, unlisted_codes, active, ever, catalogue_product, matches, subscriptions, window_days)
    gaps = _governance_gaps(inv, window_days)

    ai_approved = inv[inv["is_ai"] & inv[T.approved].astype(bool)].reset_index(drop=True)
    matrix = data_class_matrix(ai_approved)
    matrix.insert(1, "category", ai_approved[T.category].to_numpy())
    matrix.insert(2, "plan", ai_approved[T.plan].to_numpy())
    uncovered = _uncovered(workflows, inv[inv["is_ai"]]) if workflows is not None else pd.DataFrame()

    saving = inv.groupby("recommendation")["annual_saving"].sum()
    current = float(inv["annual_cost"].sum())
    total_saving = float(inv["annual_saving"].sum())
    expense_findings = shadow[shadow["kind"] == EXPENSED]
    shadow_people = _shadow_people(u, matches)
    gap_people = set().union(*[window_users.get(i, set()) for i in inv.index[inv[T.tool].isin(set(gaps["tool"]))]])
    totals = {
        "current_annual_spend": current,
        "saving_cancel": float(saving.get(CANCEL, 0.0)),
        "saving_consolidate": float(saving.get(CONSOLIDATE, 0.0)),
        "saving_downsize": float(saving.get(DOWNSIZE, 0.0)),
        "total_saving": total_saving,
        "spend_after": current - total_saving,
        "idle_seat_cost": float(inv["idle_seat_cost"].sum()),
        "paid_seats": float(inv[T.seats].sum()),
        "active_paid_seats": float(np.minimum(inv["active_users"], inv[T.seats]).sum()),
        "shadow_spend": float(expense_findings["annual_spend"].sum()),
        "shadow_run_rate": float(subscriptions["annual_run_rate"].sum()),
        "live_subscriptions": float(subscriptions["live"].sum()),
        "shadow_people": float(len(shadow_people)),
        "governance_gaps": float(len(gaps)),
        "governance_gap_people": float(len(gap_people)),
    }
    return ConsolidationResult(
        tools=inv.drop(columns=["ai_product"]).assign(ai_product=inv["ai_product"].astype("str")),
        monthly_active=monthly_active,
        adoption=adoption,
        renewals=renewals,
        consolidation=consolidation,
        shadow=shadow,
        governance_gaps=gaps,
        expense_matches=matches,
        subscriptions=subscriptions,
        sensitivity=sensitivity,
        data_matrix=matrix,
        uncovered_workflows=uncovered,
        totals=totals,
        as_of=as_of.date(),
        window_days=int(window_days),
        window_start=(as_of - pd.Timedelta(days=window_days - 1)).date(),
        downsize_buffer=float(downsize_buffer),
        cancel_below=float(cancel_below),
        headcount=int(headcount),
        headcount_source=headcount_source,
        headcount_tables=tuple(headcount_tables),
        people_seen=len(u.people),
        n_usage_rows=len(usage),
        n_usage_after_as_of=len(usage) - len(u.day),
        currency=settings.currency,
        has_expenses=expenses is not None,
        has_workflows=workflows is not None,
        usage_snapshots=tuple(str(d) for d in np.unique(u.snapshot[u.snapshot >= 0]).astype("datetime64[D]")),
        n_snapshot_rows=int((u.snapshot >= 0).sum()),
    )


def headcount_from(settings, tables: Mapping[str, pd.DataFrame | None]) -> tuple[int, str, tuple[str, ...]]:
    """The adoption denominator, how it was counted and from which tables: the sum of
    `headcount_by_department` when given, else every distinct person in the intake tables that
    name people (skills survey, usage, time studies, expenses; ids are pseudonymized alike)."""
    given = sum(settings.headcount_by_department.values())
    if given:
        return int(given), HEADCOUNT_GIVEN, ()
    people: set[str] = set()
    names = []
    for spec in TABLES:
        table = tables.get(spec.name)
        if not spec.person_columns or table is None:
            continue
        ids = set().union(*[set(table[c].dropna().astype(str)) for c in spec.person_columns if c in table])
        if ids:
            names.append(spec.name)
            people |= ids
    return len(people), PEOPLE_SEEN, tuple(names)


def engagement_headcount(eng) -> tuple[int, str, tuple[str, ...]]:
    """`headcount_from` on a loaded Engagement."""
    return headcount_from(eng.settings, eng.tables)


def analyze_engagement(eng, **overrides) -> ConsolidationResult:
    """`analyze` on a loaded Engagement: as_of from the engagement, expenses and workflows when
    present, headcount from `engagement_headcount`."""
    headcount, source, tables = engagement_headcount(eng)
    kwargs = {
        "as_of": eng.as_of,
        "expenses": eng.table("expenses") if eng.has("expenses") else None,
        "workflows": eng.table("workflows") if eng.has("workflows") else None,
        "headcount": headcount or None,
        "headcount_source": source,
        "headcount_tables": tables,
    }
    # the loaded tables themselves, not copies: analyze never mutates them, and usage may be millions of rows
    return analyze(eng.tables["tools"], eng.tables["usage"], eng.settings, **(kwargs | overrides))


def _people(n: int) -> str:
    n = int(n)
    return f"{n:,} person" if n == 1 else f"{n:,} people"


def _seats_for(people: float, buffer: float) -> int:
    """ceil(people × (1 + buffer)), rounded first so 10 × 1.1 is 11, not 12."""
    return math.ceil(round(people * (1 + buffer), 9))


def _peak_from(basis: object) -> str:
    """', from the snapshot …' when a snapshot's window set the peak (a block needs no words)."""
    return f" (from the {basis})" if str(basis).startswith("snapshot") else ""


def _governance_rank(inv: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "approved": inv[T.approved].astype(bool).astype(int),
            "data": inv[T.max_data_class].map(CLASS_RANK).fillna(-1),
            "plan": inv[T.plan].map(PLAN_RANK).fillna(-1),
            "sso": inv[T.sso_enabled].fillna(False).astype(bool).astype(int),
            "active": inv["active_users"],
        },
        index=inv.index,
    )


def _recommend(inv: pd.DataFrame, window_users: pd.Series, buffer: float, cancel_below: float) -> pd.DataFrame:
    inv = inv.copy()
    n = len(inv)
    rec = np.array([KEEP] * n, dtype=object)
    target = inv[T.seats].to_numpy(dtype=np.int64).copy()
    saving = np.zeros(n)
    reason = [""] * n
    moves_to = [""] * n
    moved = np.zeros(n, dtype=np.int64)
    extra = np.zeros(n, dtype=np.int64)
    price = inv[T.cost_per_seat_month].to_numpy(dtype=float) * MONTHS_PER_YEAR
    seats = inv[T.seats].to_numpy(dtype=np.int64)
    active = inv["active_users"].to_numpy(dtype=np.int64)
    util = inv["utilization"].to_numpy(dtype=float)
    own_need = np.array([_seats_for(p, buffer) for p in inv["peak_recent_actives"]], dtype=np.int64)
    cost = inv["annual_cost"].to_numpy(dtype=float)
    users = [window_users.get(i, set()) for i in range(n)]

    cancel = (active == 0) | (np.nan_to_num(util, nan=1.0) < cancel_below)
    cancel &= (seats > 0) | (active == 0)
    for i in np.flatnonzero(cancel):
        rec[i], target[i], saving[i] = CANCEL, 0, cost[i]
        reason[i] = (
            "nobody used it in the window"
            if active[i] == 0
            else f"only {active[i]} of {seats[i]} seats used ({util[i]:.0%}, below the {cancel_below:.0%} cancel threshold)"
        )
        if inv.at[i, "users_ever"] == 0:
            reason[i] = "no usage at all in the data: confirm the usage export covers it before cancelling"

    category = inv[T.category].astype(str).str.strip().str.lower()
    rank = _governance_rank(inv)
    for cat, idx in category.groupby(category).groups.items():
        if cat == "other":
            continue
        idx = list(idx)
        remaining = [i for i in idx if not cancel[i]]
        movers_cancelled = [i for i in idx if cancel[i] and active[i] > 0]
        if len(remaining) < 2 and not (remaining and movers_cancelled):
            continue
        order = rank.loc[remaining].sort_values(["approved", "data", "plan", "sso", "active"], ascending=False, kind="stable")
        keep = int(order.index[0])
        sources = [i for i in remaining if i != keep] + movers_cancelled
        sources.sort(key=lambda i: (-active[i], inv.at[i, T.tool]))
        seen = set(users[keep])
        for i in sources:
            fresh = users[i] - seen
            moved[i] = len(fresh)
            seen |= fresh
            moves_to[i] = inv.at[keep, T.tool]
        total_moved = int(moved[sources].sum())
        need = _seats_for(inv.at[keep, "peak_recent_actives"] + total_moved, buffer)
        extra[keep] = max(0, need - seats[keep]) - max(0, own_need[keep] - seats[keep])
        extra_cost = extra[keep] * price[keep]
        moved[keep] = total_moved
        for i in sources:
            share = extra_cost * moved[i] / total_moved if total_moved else 0.0
            saving[i] = cost[i] - share
            if rec[i] == CANCEL:
                reason[i] += f"; its {moved[i]} remaining user(s) move to {inv.at[keep, T.tool]}" if moved[i] else ""
                continue
            rec[i], target[i] = CONSOLIDATE, 0
            why = f"overlaps with {inv.at[keep, T.tool]} ({cat.replace('_', ' ')})"
            why += f"; {moved[i]} active user(s) move there" if moved[i] else "; its users already use it"
            if share:
                why += f", costing {share:,.0f} a year in extra seats"
            if inv.at[i, T.approved] and util[i] >= UTILIZATION_FLOOR:
                why += "; well used today, so plan the move with its users"
            reason[i] = why
        if need < seats[keep] and util[keep] < UTILIZATION_FLOOR:
            rec[keep], target[keep] = DOWNSIZE, need
            saving[keep] = (seats[keep] - need) * price[keep]
            reason[keep] = (
                f"kept for {cat.replace('_', ' ')}; {need} of its {seats[keep]} seats cover its recent peak of "
                f"{_people(inv.at[keep, 'peak_recent_actives'])}{_peak_from(inv.at[keep, 'peak_basis'])}"
                + (f" plus {total_moved} moving in" if total_moved else "") + f" and a {buffer:.0%} buffer"
            )
        else:
            target[keep] = seats[keep] + extra[keep]
            reason[keep] = f"kept for {cat.replace('_', ' ')}: approved, best governed and most used"
            if not inv.at[keep, T.approved]:
                reason[keep] = f"kept for {cat.replace('_', ' ')} (most used and best governed, but not approved yet)"
            if extra[keep]:
                reason[keep] += f"; add {extra[keep]} seat(s) for people moving in"

    for i in range(n):
        if rec[i] != KEEP or reason[i]:
            continue
        if seats[i] > 0 and util[i] < UTILIZATION_FLOOR and own_need[i] < seats[i]:
            rec[i], target[i] = DOWNSIZE, own_need[i]
            saving[i] = (seats[i] - own_need[i]) * price[i]
            reason[i] = (
                f"{active[i]} of {seats[i]} seats used ({util[i]:.0%}); recent peak "
                f"{inv.at[i, 'peak_recent_actives']} users{_peak_from(inv.at[i, 'peak_basis'])} plus {buffer:.0%} buffer"
            )
        elif seats[i] == 0:
            reason[i] = "no paid seats"
        else:
            reason[i] = f"{active[i]} of {seats[i]} seats used ({util[i]:.0%})"

    inv["recommendation"] = rec
    inv["target_seats"] = target
    inv["annual_saving"] = saving
    inv["reason"] = reason
    inv["moves_to"] = moves_to
    inv["users_moved"] = moved
    inv["extra_seats"] = extra
    return inv


def _sensitivity(inv: pd.DataFrame, window_users: pd.Series, buffer: float, cancel_below: float) -> pd.DataFrame:
    """The recommendations rerun with one kit assumption moved (the cancel threshold over
    CANCEL_STEPS, the seat buffer over BUFFER_STEPS, each with this run's own value), the other
    held at this run's value: tools per recommendation and the annual saving."""
    cases = [("cancel_below", c, buffer, c) for c in sorted({*CANCEL_STEPS, cancel_below})]
    cases += [("downsize_buffer", b, b, cancel_below) for b in sorted({*BUFFER_STEPS, buffer})]
    rows = []
    for assumption, value, b, c in cases:
        rec = _recommend(inv, window_users, b, c)
        counts = rec["recommendation"].value_counts()
        rows.append({
            "assumption": assumption, "value": float(value),
            "current": bool(math.isclose(b, buffer) and math.isclose(c, cancel_below)),
            "cancelled": int(counts.get(CANCEL, 0)), "consolidated": int(counts.get(CONSOLIDATE, 0)),
            "downsized": int(counts.get(DOWNSIZE, 0)),
            "saving_cancel": float(rec.loc[rec["recommendation"] == CANCEL, "annual_saving"].sum()),
            "total_saving": float(rec["annual_saving"].sum()),
        })  # fmt: skip
    cols = ["assumption", "value", "current", "cancelled", "consolidated", "downsized", "saving_cancel", "total_saving"]
    return pd.DataFrame(rows, columns=cols)


def _consolidation_table(inv: pd.DataFrame) -> pd.DataFrame:
    rows = []
    movers = inv[inv["moves_to"] != ""]
    for keep, group in movers.groupby("moves_to", sort=False):
        kept = inv[inv[T.tool] == keep].iloc[0]
        rows.append(
            {
                "category": kept[T.category],
                "keep": keep,
                "moving": "; ".join(group[T.tool]),
                "users_moved": int(group["users_moved"].sum()),
                "extra_seats": int(kept["extra_seats"]),
                "extra_seat_cost": float(kept["extra_seats"] * kept[T.cost_per_seat_month] * MONTHS_PER_YEAR),
                "annual_saving": float(group["annual_saving"].sum()),
            }
        )
    cols = ["category", "keep", "moving", "users_moved", "extra_seats", "extra_seat_cost", "annual_saving"]
    return pd.DataFrame(rows, columns=cols)


def _next_renewal(inv: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """The first renewal after as_of: a past date rolls forward by its billing cycle."""
    out = []
    for date, cycle in zip(inv[T.renewal_date], inv[T.billing_cycle], strict=True):
        if pd.isna(date):
            out.append(pd.NaT)
            continue
        date, step = pd.Timestamp(date), pd.DateOffset(years=1) if cycle == "annual" else pd.DateOffset(months=1)
        k = 0
        while date + k * step <= as_of:
            k += 1
        out.append(date + k * step)
    return pd.Series(pd.to_datetime(out), index=inv.index, dtype="datetime64[ns]")


def _renewals(inv: pd.DataFrame, as_of: pd.Timestamp, horizon: int) -> pd.DataFrame:
    soon = inv[inv["next_renewal"].notna() & (inv["next_renewal"] <= as_of + pd.Timedelta(days=horizon))].copy()
    soon["days_to_renewal"] = (soon["next_renewal"] - as_of).dt.days.astype(int)
    decide_by = soon["next_renewal"] - pd.Timedelta(days=DECISION_LEAD_DAYS)
    soon["decide_by"] = decide_by.where(decide_by >= as_of, as_of)
    soon["stage"] = np.select(
        [soon["days_to_renewal"] <= DECISION_LEAD_DAYS, soon["days_to_renewal"] <= 60],
        ["30 days: decide now", "60 days: negotiate"],
        "90 days: review use",
    )
    cols = [T.tool, "next_renewal", "days_to_renewal", "decide_by", "stage", "recommendation", "annual_saving",
            "annual_cost", T.billing_cycle, T.owner]  # fmt: skip
    return soon.sort_values("next_renewal", kind="stable")[cols].reset_index(drop=True)


def _monthly_active(per_tool: pd.DataFrame, u: _Usage, is_ai: np.ndarray) -> pd.DataFrame:
    if per_tool.empty:
        return pd.DataFrame(columns=["month", "tool", "active_users", "listed", "is_ai"])
    codes = per_tool["tool_code"].to_numpy()
    return pd.DataFrame(
        {
            "month": (per_tool["month_code"].to_numpy().astype("datetime64[M]")).astype("datetime64[ns]"),
            "tool": np.asarray(u.tool_names, dtype=object)[codes],
            "active_users": per_tool["active_users"].to_numpy(dtype=np.int64),
            "listed": codes < u.n_listed,
            "is_ai": is_ai[codes],
        }
    ).astype({"tool": "str"})


def _adoption(
    people: pd.DataFrame, is_ai: np.ndarray, headcount: int, as_of: pd.Timestamp, months: np.ndarray, u: _Usage
) -> pd.DataFrame:
    """People active on any AI tool per measured month (`_measured_months`; a month nobody
    measured is left out, not shown as zero). A snapshot's month counts as complete."""
    cols = ["month", "people_active", "headcount", "share", "complete"]
    if people.empty:
        return pd.DataFrame(columns=cols)
    ai = people[is_ai[people["tool_code"].to_numpy()]]
    per_month = ai.drop_duplicates(["month_code", "person"]).groupby("month_code").size()
    per_month = per_month.reindex(months, fill_value=0)
    month = months.astype("datetime64[M]").astype("datetime64[ns]")
    out = pd.DataFrame({"month": month, "people_active": per_month.to_numpy(dtype=np.int64)})
    out["headcount"] = int(headcount)
    out["share"] = out["people_active"] / max(headcount, 1)
    month_end = pd.to_datetime(out["month"]) + pd.offsets.MonthEnd(0)
    snapshot_months = set(u.snapshot[u.snapshot >= 0].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64))
    out["complete"] = (month_end <= as_of) | np.isin(months, list(snapshot_months))
    return out[cols]


# ---------------------------------------------------------------- expenses and shadow AI


def _empty_matches() -> pd.DataFrame:
    cols = [X.expense_id, X.date, X.employee_id, X.vendor, X.description, X.amount, "product", "covered_by",
            "shadow", "recurring", "in_year"]  # fmt: skip
    return pd.DataFrame(columns=cols)


def _periodic_bill(row: pd.Series) -> float:
    months = MONTHS_PER_YEAR if row[T.billing_cycle] == "annual" else 1
    return float(row[T.seats] * row[T.cost_per_seat_month] * months)


def _expense_matches(expenses: pd.DataFrame, inv: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Expense lines naming an AI product; `covered_by` names the approved tool whose own bill
    the line is (same product, amount ≥ 90% of its periodic bill); `recurring` marks a person's
    monthly subscription (median gap 20–40 days, charges within ±20% of the typical one);
    `in_year` marks the 365 days ending at as_of, the lines the findings count."""
    ex = expenses.copy()
    desc = ex[X.description] if X.description in ex else pd.Series("", index=ex.index)
    ex["product"] = match_ai_product(ex[X.vendor].astype(str) + " " + desc.fillna("").astype(str))
    ex = ex[ex["product"].notna()].copy()
    if ex.empty:
        return _empty_matches()
    ex[X.description] = desc.reindex(ex.index).fillna("")
    approved = inv[inv[T.approved].astype(bool) & inv["ai_product"].notna()]
    bills = {}
    for _, tool in approved.iterrows():
        bills.setdefault(tool["ai_product"], []).append((tool[T.tool], _periodic_bill(tool)))
    covered = []
    for product, amount in zip(ex["product"], ex[X.amount], strict=True):
        hit = [name for name, bill in bills.get(product, []) if bill > 0 and abs(amount) >= BILL_SHARE * bill]
        covered.append(hit[0] if hit else "")
    ex["covered_by"] = covered
    ex["shadow"] = ex["covered_by"] == ""
    ex["in_year"] = (ex[X.date] > as_of - pd.Timedelta(days=365)) & (ex[X.date] <= as_of)
    ex["recurring"] = False
    charges = ex[ex["shadow"] & (ex[X.amount] > 0)]
    for _, lines in charges.groupby([X.employee_id, "product"]):
        if _is_monthly(lines):
            ex.loc[lines.index, "recurring"] = True
    cols = list(_empty_matches().columns)
    return ex.sort_values([X.date, X.expense_id], kind="stable")[cols].reset_index(drop=True)


def _is_monthly(charges: pd.DataFrame) -> bool:
    """Positive charges of one person for one product look like a monthly subscription."""
    if len(charges) < 2:
        return False
    dates = charges[X.date].sort_values()
    gap = float(np.median(np.diff(dates.to_numpy()).astype("timedelta64[D]").astype(float)))
    typical = float(charges[X.amount].median())
    steady = ((charges[X.amount] - typical).abs() <= RECURRING_AMOUNT_TOLERANCE * typical).mean() >= 0.5
    return RECURRING_GAP_DAYS[0] <= gap <= RECURRING_GAP_DAYS[1] and bool(steady)


def _vendor_of(product: str) -> str:
    table = ai_vendors()
    hit = table.loc[table["product"] == product, "vendor"]
    return str(hit.iloc[0]) if len(hit) else ""


def _category_of(product: str) -> str:
    table = ai_vendors()
    hit = table.loc[table["product"] == product, "category"]
    return str(hit.iloc[0]) if len(hit) else ""


def _approved_alternative(inv: pd.DataFrame, category: str) -> str:
    """The approved AI tool of a category with the most active users ("" if none)."""
    cands = inv[inv[T.approved].astype(bool) & (inv[T.category].astype(str).str.lower() == category)]
    cands = cands[cands["recommendation"] != CANCEL]
    if cands.empty:
        return ""
    return str(cands.sort_values("active_users", ascending=False, kind="stable")[T.tool].iloc[0])


def _empty_subscriptions() -> pd.DataFrame:
    cols = {X.employee_id: "str", "product": "str", "charges": "int64", "monthly_charge": "float64",
            "last_charge": "datetime64[ns]", "live": "bool", "annual_run_rate": "float64"}  # fmt: skip
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def _subscriptions(matches: pd.DataFrame, expenses: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per person and product paying a monthly AI subscription outside the approved tools,
    from the lines of the 365 days to as_of. monthly_charge = the median charge (so a double charge and its refund change nothing). Live =
    last charge within RUNNING_DAYS of the end of the expense export (its last date up to as_of),
    and not refunded since (what was charged from that day on, refunds netted, is more than
    1 − REFUND_SHARE of a month's charge). annual_run_rate = monthly_charge × 12 when live."""
    if matches.empty or not matches["recurring"].any():
        return _empty_subscriptions()
    dates = expenses.loc[expenses[X.date] <= as_of, X.date]
    export_end = dates.max() if len(dates) else as_of
    lines = matches[matches["shadow"] & matches["in_year"]]
    rows = []
    for (person, product), group in lines.groupby([X.employee_id, "product"], sort=True):
        if not group["recurring"].any():
            continue
        charges = group[group[X.amount] > 0]
        monthly = float(charges[X.amount].median())
        last = charges[X.date].max()
        since = float(group.loc[group[X.date] >= last, X.amount].sum())
        live = bool(last > export_end - pd.Timedelta(days=RUNNING_DAYS)) and since > (1 - REFUND_SHARE) * monthly
        rows.append({X.employee_id: person, "product": product, "charges": len(charges), "monthly_charge": monthly,
                     "last_charge": last, "live": live, "annual_run_rate": monthly * MONTHS_PER_YEAR if live else 0.0})  # fmt: skip
    if not rows:
        return _empty_subscriptions()
    return pd.DataFrame(rows).astype(_empty_subscriptions().dtypes.to_dict())


def _shadow(inv, u: _Usage, unlisted_codes, active, ever, catalogue_product, matches, subscriptions, window_days) -> pd.DataFrame:
    """Shadow-AI findings: tools in usage that the inventory does not list, and AI expensed
    outside the approved tools (charged in the last 365 days and the live subscriptions' run rate)."""
    rows = []
    counted = matches[matches["shadow"] & matches["in_year"]] if len(matches) else matches
    spend_by_product = counted.groupby("product")[X.amount].sum() if len(counted) else pd.Series(dtype=float)
    for code in unlisted_codes:
        product = catalogue_product.iloc[code]
        product = None if pd.isna(product) else str(product)
        category = _category_of(product) if product else ""
        alt_tool = _approved_alternative(inv, category) if category else ""
        detail = f"{_people(ever[code])} used it, {active[code]} in the last {window_days} days; not in the tool inventory"
        expensed = float(spend_by_product.get(product, np.nan)) if product else np.nan
        if not np.isnan(expensed):
            detail += f"; also expensed ({expensed:,.2f}, counted under the expense finding)"
        if alt_tool:
            detail += f"; approved alternative: {alt_tool}"
        spend = np.nan  # usage shows no price; expensed spend is counted once, under the expense finding
        rows.append(
            {"kind": UNLISTED, "tool": u.tool_names[code], "vendor": _vendor_of(product) if product else "",
             "category": category, "people": int(ever[code]), "annual_spend": spend, "annual_run_rate": np.nan,
             "detail": detail, "product": product or ""}
        )  # fmt: skip

    if len(matches):
        shadow_lines = matches[matches["shadow"] & matches["in_year"]]
        for product, lines in shadow_lines.groupby("product", sort=False):
            net = float(lines[X.amount].sum())
            subs = subscriptions[subscriptions["product"] == product]
            live = subs[subs["live"]]
            people = lines[X.employee_id].nunique()
            refunds = int((lines[X.amount] < 0).sum())
            category = _category_of(product)
            alt_tool = _approved_alternative(inv, category)
            detail = f"{len(lines)} expense line(s) by {_people(people)}"
            if refunds:
                detail += f", net of {refunds} refund(s)"
            if len(subs):
                detail += f"; {len(subs)} paying a monthly subscription ({len(live)} still running)"
            if alt_tool:
                detail += f"; approved alternative: {alt_tool}"
            rows.append(
                {"kind": EXPENSED, "tool": product, "vendor": _vendor_of(product), "category": category,
                 "people": int(people), "annual_spend": net, "annual_run_rate": float(live["annual_run_rate"].sum()),
                 "detail": detail, "product": product}
            )  # fmt: skip
    cols = ["kind", "tool", "vendor", "category", "people", "annual_spend", "annual_run_rate", "detail", "product"]
    out = pd.DataFrame(rows, columns=cols)
    out["order"] = out["kind"].map({k: i for i, k in enumerate(SHADOW_KINDS)})
    out = out.sort_values(["order", "people"], ascending=[True, False], kind="stable").drop(columns="order")
    return out.astype({"people": "int64", "annual_spend": "float64", "annual_run_rate": "float64"}).reset_index(drop=True)


def _governance_gaps(inv: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """AI tools of the inventory used in the window on a free or individual plan, unapproved, or
    without single sign-on (unknown SSO is no gap): one row per tool, its first gap as `kind`.
    Their cost is in the tool spend already, so none of it is shadow spend."""
    rows = []
    in_use = inv[inv["is_ai"] & (inv["active_users"] > 0)]
    for _, tool in in_use.iterrows():
        plan, approved = tool[T.plan], bool(tool[T.approved])
        sso = tool[T.sso_enabled]
        no_sso = (not pd.isna(sso)) and not bool(sso)
        if plan in ("free", "individual"):
            kind = CONSUMER
        elif not approved:
            kind = UNAPPROVED
        elif no_sso:
            kind = NO_SSO
        else:
            continue
        notes = [f"{plan} plan"]
        if not approved:
            notes.append("not approved")
        if no_sso:
            notes.append("no single sign-on")
        notes.append(f"may hold {tool[T.max_data_class]} data at most")
        alt_tool = _approved_alternative(inv, str(tool[T.category]).lower())
        if alt_tool and alt_tool != tool[T.tool]:
            notes.append(f"approved alternative: {alt_tool}")
        rows.append(
            {"kind": kind, "tool": tool[T.tool], "vendor": tool[T.vendor], "category": tool[T.category], "plan": plan,
             "people": int(tool["active_users"]), "annual_cost": float(tool["annual_cost"]),
             "detail": f"{_people(tool['active_users'])} used it in the last {window_days} days; " + ", ".join(notes)}
        )  # fmt: skip
    cols = ["kind", "tool", "vendor", "category", "plan", "people", "annual_cost", "detail"]
    out = pd.DataFrame(rows, columns=cols)
    out["order"] = out["kind"].map({k: i for i, k in enumerate(GAP_KINDS)})
    out = out.sort_values(["order", "people"], ascending=[True, False], kind="stable").drop(columns="order")
    return out.astype({"people": "int64", "annual_cost": "float64"}).reset_index(drop=True)


def _shadow_people(u: _Usage, matches: pd.DataFrame) -> set[str]:
    """Distinct people behind the shadow-AI findings: anyone who used an unlisted tool or expensed
    AI outside the approved tools in the last 365 days."""
    codes = np.unique(u.person[u.tool >= u.n_listed])
    people = {str(p) for p in u.people[codes]} if len(codes) else set()
    if len(matches):
        people |= {str(e) for e in matches.loc[matches["shadow"] & matches["in_year"], X.employee_id]}
    return people


def _uncovered(workflows: pd.DataFrame, ai_tools: pd.DataFrame) -> pd.DataFrame:
    cov = workflow_coverage(workflows, ai_tools)
    out = cov[~cov["covered"]].copy()
    out["reason"] = np.where(
        out[W.data_sensitivity] == "restricted",
        "restricted data may go into no AI tool",
        "no approved " + out["needed_categories"].str.replace("_", " ").str.replace("; ", " or ")
        + " tool is cleared for " + out[W.data_sensitivity] + " data",
    )
    out["annual_hours"] = out[W.runs_per_month] * MONTHS_PER_YEAR * out[W.minutes_per_run] / 60
    cols = [W.workflow_id, W.workflow, W.department, W.task_type, W.data_sensitivity, "needed_categories",
            "annual_hours", "reason"]  # fmt: skip
    return out.sort_values("annual_hours", ascending=False, kind="stable")[cols].reset_index(drop=True)


# ---------------------------------------------------------------- narrative (plain text)


def summary_text(r: ConsolidationResult) -> str:
    t, c = r.totals, r.currency
    if not len(r.tools):
        return "The tool inventory is empty: there is no spend to review."
    share = t["total_saving"] / t["current_annual_spend"] if t["current_annual_spend"] else 0.0
    idle_share = 1 - t["active_paid_seats"] / t["paid_seats"] if t["paid_seats"] else 0.0
    counts = r.tools["recommendation"].value_counts()
    parts = [f"{counts.get(k, 0)} to {k}" for k in (CANCEL, CONSOLIDATE, DOWNSIZE) if counts.get(k, 0)]
    text = (
        f"The company pays {money(t['current_annual_spend'], c)} a year for {len(r.tools)} tools. "
        f"In the {r.window_days} days to {r.as_of:%d %b %Y}, {idle_share:.0%} of the {t['paid_seats']:,.0f} paid seats "
        f"went unused, worth {money(t['idle_seat_cost'], c)} a year. "
    )
    if parts:
        text += (
            f"Acting on the recommendations ({'; '.join(parts)}) saves about {money(t['total_saving'], c)} a year "
            f"({share:.0%}), bringing spend to {money(t['spend_after'], c)}. "
        )
    else:
        text += "Every tool is used enough to keep as it is. "
    n_shadow, n_gaps = len(r.shadow), len(r.governance_gaps)
    if n_shadow:
        text += f"\n\nOutside the tool inventory, {n_shadow} shadow-AI finding(s) involve {_people(t['shadow_people'])}"
        text += f"; {_shadow_spend_phrase(r)}." if len(r.expense_matches) else "."
    if n_gaps:
        text += (f"{' ' if n_shadow else chr(10) * 2}Inside it, {n_gaps} AI tool(s) in use have a governance gap "
                 "(a free or individual plan, no approval or no single sign-on); their cost is already in the spend above.")  # fmt: skip
    return text


def _shadow_spend_phrase(r: ConsolidationResult) -> str:
    """The live subscriptions' run rate beside what was charged in the last 365 days."""
    t, c = r.totals, r.currency
    live = int(t["live_subscriptions"])
    charged = f"{money(t['shadow_spend'], c)} charged in the 12 months to {r.as_of:%d %b %Y}, refunds netted"
    if not live:
        return f"no monthly AI subscription on expenses is still running ({charged})"
    subs = "subscription" if live == 1 else "subscriptions"
    return (f"{live} monthly AI {subs} paid on expenses still {'runs' if live == 1 else 'run'} at "
            f"{money(t['shadow_run_rate'], c)} a year ({charged})")  # fmt: skip


def utilization_text(r: ConsolidationResult) -> str:
    paid = r.tools[r.tools[T.seats] > 0]
    low = paid[paid["below_floor"]].sort_values("idle_seat_cost", ascending=False)
    if paid.empty:
        return "No tool has paid seats."
    if low.empty:
        return f"Every paid tool has at least {UTILIZATION_FLOOR:.0%} of its seats in use."
    top = low.head(3)
    worst = "; ".join(
        f"{row[T.tool]} ({row['active_users']} of {row[T.seats]} seats, {money(row['idle_seat_cost'], r.currency)} idle)"
        for _, row in top.iterrows()
    )
    return (
        f"{len(low)} of {len(paid)} paid tools use fewer than {UTILIZATION_FLOOR:.0%} of their seats, the level below "
        f"which a company is paying for empty seats. The largest idle costs: {worst}. Idle seats across all tools "
        f"cost {money(r.totals['idle_seat_cost'], r.currency)} a year."
    )


TABLE_WORDS = {"skills_survey": "the skills survey", "usage": "the usage data", "time_studies": "the time studies",
               "expenses": "the expenses"}  # fmt: skip


def denominator_text(r: ConsolidationResult) -> str:
    """What adoption is a share of: the headcount given, else the people seen and where."""
    if r.headcount_source == HEADCOUNT_GIVEN:
        return "headcount, as given in headcount_by_department"
    return f"the people seen in {_seen_in(r)}; no headcount was given"


def _seen_in(r: ConsolidationResult) -> str:
    return name_list([TABLE_WORDS.get(t, t) for t in r.headcount_tables]) or "the usage data"


def adoption_text(r: ConsolidationResult) -> str:
    a = r.adoption[r.adoption["complete"]] if r.adoption["complete"].any() else r.adoption
    if a.empty:
        return "There is no usage history to show adoption."
    if len(a) == 1 and len(r.usage_snapshots) == 1 and r.n_snapshot_rows == r.n_usage_rows - r.n_usage_after_as_of:
        last = a.iloc[0]
        return (
            f"The usage data is one last-activity snapshot ({pd.Timestamp(r.usage_snapshots[0]):%d %B %Y}): "
            f"{last['people_active']:,} of {_people(r.headcount)} ({last['share']:.0%} of {denominator_text(r)}) "
            "used at least one AI tool in its window. One snapshot shows who was active in that window, not a "
            "monthly trend; exports taken on several dates would show one."
        )
    first, last = a.iloc[0], a.iloc[-1]
    peak = a.loc[a["people_active"].idxmax()]
    ai_now = r.tools[r.tools["is_ai"]].sort_values("active_users", ascending=False)
    most = name_list(ai_now[T.tool].head(3)) if len(ai_now) else "none"
    text = (
        f"In {pd.Timestamp(last['month']):%B %Y}, {last['people_active']:,} of {_people(r.headcount)} "
        f"({last['share']:.0%} of {denominator_text(r)}) used at least one AI tool, up from "
        f"{first['people_active']:,} ({first['share']:.0%}) in {pd.Timestamp(first['month']):%B %Y}. The most used AI "
        f"tools in the last {r.window_days} days: {most}."
    )
    if peak["people_active"] > last["people_active"]:
        text += f" Use peaked at {peak['people_active']:,} people in {pd.Timestamp(peak['month']):%B %Y}."
    return text


def recommendations_text(r: ConsolidationResult) -> str:
    t, c = r.totals, r.currency
    tools = r.tools
    lines = []
    cancel = tools[tools["recommendation"] == CANCEL]
    if len(cancel):
        lines.append(
            f"Cancel {name_list(cancel[T.tool])}: almost nobody uses them; {money(t['saving_cancel'], c)} a year."
        )
    for _, row in r.consolidation.iterrows():
        moving = name_list(row["moving"].split("; "))
        if row["users_moved"]:
            who = f"{_people(row['users_moved'])} who do not use it yet"
            who += f", {row['extra_seats']} extra seat(s)" if row["extra_seats"] else ", no extra seat"
        else:
            who = "their users already use it"
        lines.append(f"Bring {moving} into {row['keep']} ({who}): {money(row['annual_saving'], c)} a year net.")
    down = tools[tools["recommendation"] == DOWNSIZE]
    if len(down):
        lines.append(
            f"Downsize {name_list(down[T.tool])} to their recent peak plus a {r.downsize_buffer:.0%} buffer: "
            f"{money(t['saving_downsize'], c)} a year."
        )
    if not lines:
        return "No change is recommended: every tool is used and none overlaps another."
    well = tools[tools[T.approved].astype(bool) & (tools["recommendation"] == CONSOLIDATE) & ~tools["below_floor"]]
    text = " ".join(lines)
    if len(well):
        text += (
            f"\n\n{name_list(well[T.tool])} {'is' if len(well) == 1 else 'are'} approved and well used today: "
            "consolidating means moving people, so plan it with them and time it to the renewal."
        )
    return text


def renewals_text(r: ConsolidationResult) -> str:
    if r.renewals.empty:
        return f"No renewal falls in the next 90 days after {r.as_of:%d %b %Y}."
    act = r.renewals[r.renewals["recommendation"] != KEEP]
    urgent = r.renewals[r.renewals["days_to_renewal"] <= DECISION_LEAD_DAYS]
    text = f"{len(r.renewals)} subscription(s) renew in the next 90 days; {len(act)} of them carry a recommendation to act on"
    text += f", worth {money(act['annual_saving'].sum(), r.currency)} a year." if len(act) else "."
    if len(urgent):
        text += f" Decide now on {name_list(urgent[T.tool])}: {'it renews' if len(urgent) == 1 else 'they renew'} within 30 days."
    return text


def shadow_text(r: ConsolidationResult) -> str:
    if r.shadow.empty:
        checked = "the usage data and the expenses" if r.has_expenses else "the usage data (no expenses were supplied)"
        return f"No shadow AI found in {checked}: every AI tool in use is in the inventory and no AI is paid on expenses."
    parts = []
    unlisted = r.shadow[r.shadow["kind"] == UNLISTED]
    if len(unlisted):
        parts.append(f"{len(unlisted)} tool(s) in use that the inventory does not list ({name_list(unlisted['tool'])})")
    expensed = r.shadow[r.shadow["kind"] == EXPENSED]
    if len(expensed):
        payers = r.expense_matches.loc[r.expense_matches["shadow"] & r.expense_matches["in_year"], X.employee_id].nunique()
        parts.append(f"AI paid on expenses by {_people(payers)} ({name_list(expensed['tool'])}): {_shadow_spend_phrase(r)}")
    return (
        "Found: " + "; ".join(parts) + ". Company data typed into these tools is outside the company's contracts and "
        "controls. Each finding names the approved tool to move people to where one exists. The run rate is what "
        "the subscriptions still running cost a year from now on; the charged figure is what was paid."
    )


def governance_gaps_text(r: ConsolidationResult) -> str:
    """The inventory's AI tools in use with a governance gap; their cost is not shadow spend."""
    g = r.governance_gaps
    if g.empty:
        return ("No governance gap: every AI tool of the inventory in use is approved, on a business plan and, where "
                "known, behind single sign-on.")  # fmt: skip
    labels = {CONSUMER: "on a free or individual plan", UNAPPROVED: "not approved", NO_SSO: "without single sign-on"}
    parts = [f"{int((g['kind'] == k).sum())} {labels[k]} ({name_list(g.loc[g['kind'] == k, 'tool'])})"
             for k in GAP_KINDS if (g["kind"] == k).any()]  # fmt: skip
    return (
        f"{len(g)} AI tool(s) of the inventory are in use with a governance gap: {'; '.join(parts)}. "
        f"{_people(r.totals['governance_gap_people'])} used them in the last {r.window_days} days. They are known "
        f"tools, so their cost ({money(g['annual_cost'].sum(), r.currency)} a year) is already in the tool spend, "
        "not shadow spend: the fix is an approved business plan, single sign-on, or moving people to the approved "
        "alternative."
    )


def governance_text(r: ConsolidationResult) -> str:
    m = r.data_matrix
    if m.empty:
        return "No approved AI tool exists yet: only public information may go into AI tools until one is approved."
    conf = m.loc[m["confidential"], "tool"].tolist()
    text = (
        f"{len(m)} approved AI tool(s). Internal data may go into {int(m['internal'].sum())} of them; "
        + (f"confidential data only into {name_list(conf)}; " if conf else "confidential data into none; ")
        + "restricted data into none."
    )
    if not r.has_workflows:
        return text + " Without the workflow inventory, workflows cannot be checked against these rules."
    u = r.uncovered_workflows
    if u.empty:
        return text + " Every workflow has an approved tool of the kind it needs for its data."
    restricted = int((u[W.data_sensitivity] == "restricted").sum())
    other = len(u) - restricted
    text += f" {len(u)} workflow(s) have no approved tool they may use"
    text += f": {restricted} because their data is restricted" if restricted else ""
    text += (f"{',' if restricted else ':'} {other} because no approved tool of the kind they need is cleared for their data"
             if other else "")  # fmt: skip
    return text + "."


def method_text(r: ConsolidationResult) -> str:
    """The window and thresholds of this run, in words (for the method section)."""
    before = (pd.Timestamp(r.as_of) - pd.Timedelta(days=r.window_days)).date()
    return (
        f"A person is an active user of a tool when the usage data has a row for them and that tool dated from "
        f"{r.window_start:%d %b %Y} to {r.as_of:%d %b %Y}, both included: the {r.window_days} days ending on as_of, "
        f"window = (as_of − {r.window_days} days, as_of]. Use on {before:%d %b %Y}, exactly {r.window_days} days "
        f"before as_of, does not count. Usage after as_of is ignored. A tool is cancelled below "
        f"{r.cancel_below:.0%} of its seats in use. Downsizing keeps the peak of the last three 30-day blocks of "
        f"active users plus a {r.downsize_buffer:.0%} buffer, rounded up{_snapshot_peak_text(r)}. Adoption is "
        f"measured against {_people(r.headcount)} ({denominator_text(r)})."
    )


def _snapshot_peak_text(r: ConsolidationResult) -> str:
    """What last-activity snapshots add to the downsizing peak, and what they cannot show."""
    if not r.usage_snapshots:
        return ""
    return ("; with last-activity snapshots, a snapshot counts everyone active in its window (the part inside "
            "those blocks), and that count is a measurement of the peak too: a 30-day window is one month's "
            "active users, a longer one counts everyone active in it, at least the busiest month and possibly "
            "more. A snapshot cannot show how they spread over the months (each person's later use hides their "
            "earlier days), so the blocks before it undercount and are not used alone; no daily rows are invented")


def assumptions_view(r: ConsolidationResult) -> pd.DataFrame:
    """Each threshold of this run, its value and where it comes from: a published source, or a kit
    assumption and the setting or option that changes it."""
    rows = [
        ("Active user: use in the last N days", f"{r.window_days} days",
         "Cledara 30 days, Productiv 60, Trelica 90; setting active_window_days"),
        ("Utilization below which seats go unused", f"{UTILIZATION_FLOOR:.0%}", "Torii (utilization below 0.8)"),
        ("Cancel a tool below this utilization", f"{r.cancel_below:.0%}",
         f"{KIT_ASSUMPTION}; setting consolidation_rules.cancel_below"),
        ("Seats kept above the recent peak when downsizing", f"{r.downsize_buffer:.0%}",
         f"{KIT_ASSUMPTION}; option phases.consolidation.downsize_buffer"),
        ("Renewal decision lead time", f"{DECISION_LEAD_DAYS} days", "the 90-60-30 renewal cycle (SaaS practice)"),
        ("Monthly subscription still running", f"charged within {RUNNING_DAYS} days",
         f"{KIT_ASSUMPTION}: one missed monthly charge ends it"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Assumption", "This run", "Source"])


SENSITIVITY_LABELS = {"cancel_below": "Cancel below utilization", "downsize_buffer": "Seat buffer when downsizing"}


def sensitivity_view(r: ConsolidationResult) -> pd.DataFrame:
    """What the recommendations become when one kit assumption moves (the other held)."""
    s = r.sensitivity
    return pd.DataFrame({
        "Assumption": s["assumption"].map(SENSITIVITY_LABELS),
        "Setting": [f"{v:.0%}" + (" (this run)" if cur else "") for v, cur in zip(s["value"], s["current"], strict=True)],
        "Tools cancelled": s["cancelled"],
        "Tools consolidated": s["consolidated"],
        "Tools downsized": s["downsized"],
        f"Saving from cancelling ({r.currency} a year)": s["saving_cancel"],
        f"Total saving ({r.currency} a year)": s["total_saving"],
    })  # fmt: skip


def sensitivity_text(r: ConsolidationResult) -> str:
    """In words: how far the cancel count and the total saving move across the sensitivity table."""
    s, c = r.sensitivity, r.currency
    out = []
    for key, what, count, verb in (("cancel_below", "cancel threshold", "cancelled", "cancelled"),
                                   ("downsize_buffer", "seat buffer", "downsized", "downsized")):  # fmt: skip
        rows = s[s["assumption"] == key]
        if rows.empty:
            continue
        lo, hi = rows.iloc[0], rows.iloc[-1]
        span = f"from {lo['value']:.0%} to {hi['value']:.0%}"
        if rows["total_saving"].round(2).nunique() == 1 and rows[count].nunique() == 1:
            out.append(f"Moving the {what} {span} changes nothing: {int(lo[count])} tool(s) {verb} and "
                       f"{money(lo['total_saving'], c)} a year saved either way.")  # fmt: skip
        else:
            out.append(f"Moving the {what} {span} takes the tools {verb} from {int(lo[count])} to "
                       f"{int(hi[count])} and the total saving from {money(lo['total_saving'], c)} to "
                       f"{money(hi['total_saving'], c)} a year.")  # fmt: skip
    return " ".join(out)


# ---------------------------------------------------------------- charts

REC_COLOURS = {CANCEL: NEGATIVE, CONSOLIDATE: "#7B5EA7", DOWNSIZE: "#E07B39", KEEP: NEUTRAL}


def _rec_scale() -> alt.Scale:
    return alt.Scale(domain=list(REC_COLOURS), range=list(REC_COLOURS.values()))


def spend_chart(r: ConsolidationResult) -> alt.Chart:
    """Annual cost per paid tool, coloured by recommendation."""
    data = r.tools[r.tools["annual_cost"] > 0][[T.tool, "annual_cost", "annual_saving", "recommendation", "utilization"]]
    return (
        alt.Chart(data, title=alt.Title("Annual cost per tool and what to do with it", subtitle=f"{r.currency} per year"))
        .mark_bar()
        .encode(
            x=alt.X("annual_cost:Q", title=f"Annual cost ({r.currency})", axis=alt.Axis(format=",.0f")),
            y=alt.Y("tool:N", sort="-x", title=None),
            color=alt.Color("recommendation:N", title="Recommendation", scale=_rec_scale()),
            tooltip=[
                alt.Tooltip("tool:N", title="Tool"),
                alt.Tooltip("annual_cost:Q", title=f"Annual cost ({r.currency})", format=",.0f"),
                alt.Tooltip("utilization:Q", title="Seats in use", format=".0%"),
                alt.Tooltip("recommendation:N", title="Recommendation"),
                alt.Tooltip("annual_saving:Q", title=f"Annual saving ({r.currency})", format=",.0f"),
            ],
        )
    )


def utilization_chart(r: ConsolidationResult) -> alt.Chart:
    """Share of seats used per paid tool, with the 80% floor."""
    data = r.tools[r.tools[T.seats] > 0][[T.tool, T.seats, "active_users", "utilization", "below_floor"]].copy()
    data["status"] = np.where(data["below_floor"], f"below {UTILIZATION_FLOOR:.0%}", f"{UTILIZATION_FLOOR:.0%} or more")
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("utilization:Q", title=f"Seats in use (active users ÷ seats, last {r.window_days} days)",
                    axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, max(1.0, float(data["utilization"].max() or 1))])),
            y=alt.Y("tool:N", sort="x", title=None),
            color=alt.Color("status:N", title="Utilization",
                            scale=alt.Scale(domain=[f"below {UTILIZATION_FLOOR:.0%}", f"{UTILIZATION_FLOOR:.0%} or more"],
                                            range=[NEGATIVE, POSITIVE])),
            tooltip=[
                alt.Tooltip("tool:N", title="Tool"),
                alt.Tooltip("active_users:Q", title="Active users"),
                alt.Tooltip("seats:Q", title="Seats"),
                alt.Tooltip("utilization:Q", title="Seats in use", format=".0%"),
            ],
        )
    )  # fmt: skip
    floor = alt.Chart(pd.DataFrame({"floor": [UTILIZATION_FLOOR]})).mark_rule(strokeDash=[4, 3]).encode(x="floor:Q")
    return alt.layer(bars, floor, title=alt.Title("Seats in use per tool", subtitle="Dashed line: the 80% floor"))


def usage_dashboard_chart(r: ConsolidationResult, ai_only: bool = True) -> alt.Chart:
    """Monthly active users per tool (heatmap; aggregated, one cell per tool and month)."""
    data = r.monthly_active[r.monthly_active["is_ai"]] if ai_only else r.monthly_active
    data = data.assign(source=np.where(data["listed"], "in inventory", "not in inventory"))
    order = data.groupby("tool")["active_users"].max().sort_values(ascending=False).index.tolist()
    return (
        alt.Chart(data, title=alt.Title("Monthly active users per AI tool" if ai_only else "Monthly active users per tool",
                                        subtitle="People with any use in the calendar month"))
        .mark_rect()
        .encode(
            x=alt.X("yearmonth(month):O", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
            y=alt.Y("tool:N", sort=order, title=None),
            color=alt.Color("active_users:Q", title="Active users", scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("tool:N", title="Tool"),
                alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
                alt.Tooltip("active_users:Q", title="Active users"),
                alt.Tooltip("source:N", title="Listed"),
            ],
        )
    )  # fmt: skip


def adoption_chart(r: ConsolidationResult) -> alt.Chart:
    """Share of people active on any AI tool, per month."""
    data = r.adoption.assign(status=np.where(r.adoption["complete"], "whole month", "month in progress"))
    base = "headcount" if r.headcount_source == HEADCOUNT_GIVEN else "people seen"
    return (
        alt.Chart(data, title=alt.Title("AI adoption: share of people using any AI tool each month",
                                        subtitle=f"Out of {_people(r.headcount)} ({denominator_text(r)})"))
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("share:Q", title=f"People using AI (% of {base})", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
                alt.Tooltip("people_active:Q", title="People using AI"),
                alt.Tooltip("share:Q", title=f"Share of {base}", format=".0%"),
                alt.Tooltip("status:N", title="Period"),
            ],
        )
    )  # fmt: skip


def savings_chart(r: ConsolidationResult) -> alt.Chart:
    """Annual savings by kind of recommendation."""
    t = r.totals
    data = pd.DataFrame(
        {
            "kind": ["Cancel", "Consolidate", "Downsize"],
            "saving": [t["saving_cancel"], t["saving_consolidate"], t["saving_downsize"]],
            "tools": [int((r.tools["recommendation"] == k).sum()) for k in (CANCEL, CONSOLIDATE, DOWNSIZE)],
        }
    )
    data["label"] = data["saving"].map(lambda v: f"{r.currency} {v:,.0f}")
    share = t["total_saving"] / t["current_annual_spend"] if t["current_annual_spend"] else 0.0
    base = alt.Chart(data, title=alt.Title(
        f"Where the {r.currency} {t['total_saving']:,.0f} a year of savings come from",
        subtitle=f"{share:.0%} of the {r.currency} {t['current_annual_spend']:,.0f} spent a year on these tools",
    ))  # fmt: skip
    bars = base.mark_bar().encode(
        x=alt.X("saving:Q", title=f"Annual saving ({r.currency})", axis=alt.Axis(format=",.0f")),
        y=alt.Y("kind:N", sort=None, title=None),
        color=alt.Color("kind:N", legend=None,
                        scale=alt.Scale(domain=["Cancel", "Consolidate", "Downsize"],
                                        range=[REC_COLOURS[CANCEL], REC_COLOURS[CONSOLIDATE], REC_COLOURS[DOWNSIZE]])),
        tooltip=[alt.Tooltip("kind:N", title="Recommendation"), alt.Tooltip("tools:Q", title="Tools"),
                 alt.Tooltip("saving:Q", title=f"Annual saving ({r.currency})", format=",.0f")],
    )  # fmt: skip
    text = base.mark_text(align="left", dx=4).encode(x="saving:Q", y=alt.Y("kind:N", sort=None), text="label:N")
    return alt.layer(bars, text).properties(height=alt.Step(34))


# ---------------------------------------------------------------- views for the deliverable


def recommendations_view(r: ConsolidationResult, include_keep: bool = False) -> pd.DataFrame:
    """One row per tool with a change (every tool with `include_keep`): what to do and why,
    biggest saving first."""
    cols = {
        T.tool: "Tool",
        "recommendation": "Recommendation",
        T.seats: "Seats now",
        "target_seats": "Seats after",
        "annual_saving": f"Annual saving ({r.currency})",
        "reason": "Why",
    }
    order = {k: i for i, k in enumerate(RECOMMENDATIONS)}
    view = r.tools if include_keep else r.tools[r.tools["recommendation"] != KEEP]
    view = view.assign(_o=view["recommendation"].map(order))
    view = view.sort_values(["_o", "annual_saving", "annual_cost"], ascending=[True, False, False], kind="stable")
    return view[list(cols)].rename(columns=cols).reset_index(drop=True)


def seats_view(r: ConsolidationResult) -> pd.DataFrame:
    """Per paid tool: seats, active users, utilization and cost, lowest utilization first."""
    cols = {
        T.tool: "Tool",
        T.seats: "Seats",
        "active_users": f"Active users ({r.window_days} days)",
        "utilization": "Seats in use",
        "annual_cost": f"Annual cost ({r.currency})",
        "cost_per_active_user": f"Cost per active user ({r.currency})",
        "idle_seat_cost": f"Idle-seat cost ({r.currency})",
    }
    paid = r.tools[r.tools[T.seats] > 0].sort_values(["utilization", "idle_seat_cost"], ascending=[True, False], kind="stable")
    return paid[list(cols)].rename(columns=cols).reset_index(drop=True)


def consolidation_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        "category": "Category",
        "keep": "Keep",
        "moving": "Move people from",
        "users_moved": "People moving",
        "extra_seats": "Extra seats",
        "extra_seat_cost": f"Extra-seat cost ({r.currency})",
        "annual_saving": f"Net annual saving ({r.currency})",
    }
    view = r.consolidation.assign(category=r.consolidation["category"].astype(str).str.replace("_", " "))
    return view[list(cols)].rename(columns=cols)


def renewals_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        T.tool: "Tool",
        "next_renewal": "Renews on",
        "days_to_renewal": "Days left",
        "decide_by": "Decide by",
        "stage": "Stage (90-60-30)",
        "recommendation": "Recommendation",
        "annual_saving": f"Annual saving ({r.currency})",
        T.owner: "Owner",
    }
    return r.renewals[list(cols)].rename(columns=cols)


def shadow_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        "kind": "Finding",
        "tool": "Tool or product",
        "people": "People",
        "annual_run_rate": f"Run rate per year, live subscriptions ({r.currency})",
        "annual_spend": f"Charged, last 12 months ({r.currency})",
        "detail": "Detail",
    }
    return r.shadow[list(cols)].rename(columns=cols)


def governance_gaps_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        "kind": "Gap",
        "tool": "Tool",
        "plan": "Plan",
        "people": f"People ({r.window_days} days)",
        "annual_cost": f"Tool cost per year, already in spend ({r.currency})",
        "detail": "Detail",
    }
    return r.governance_gaps[list(cols)].rename(columns=cols)


def data_matrix_view(r: ConsolidationResult) -> pd.DataFrame:
    if r.data_matrix.empty:
        return pd.DataFrame(columns=["Approved AI tool", *[c.capitalize() for c in DATA_CLASSES]])
    view = r.data_matrix.copy()
    for c in DATA_CLASSES:
        view[c] = np.where(view[c], "allowed", "not allowed")
    view["category"] = view["category"].astype(str).str.replace("_", " ")
    names = {"tool": "Approved AI tool", "category": "Category", "plan": "Plan", **{c: c.capitalize() for c in DATA_CLASSES}}
    return view[list(names)].rename(columns=names)


def uncovered_view(r: ConsolidationResult) -> pd.DataFrame:
    cols = {
        W.workflow: "Workflow",
        W.department: "Department",
        W.task_type: "Task type",
        W.data_sensitivity: "Data class",
        "annual_hours": "Hours per year",
        "reason": "Why no tool may be used",
    }
    if r.uncovered_workflows.empty:
        return pd.DataFrame(columns=list(cols.values()))
    return r.uncovered_workflows[list(cols)].rename(columns=cols)


def totals_view(r: ConsolidationResult) -> pd.DataFrame:
    t = r.totals
    rows = [
        ("Current annual spend", t["current_annual_spend"]),
        ("Saving: cancel", t["saving_cancel"]),
        ("Saving: consolidate (net of extra seats)", t["saving_consolidate"]),
        ("Saving: downsize", t["saving_downsize"]),
        ("Total saving", t["total_saving"]),
        ("Annual spend after", t["spend_after"]),
    ]
    return pd.DataFrame(rows, columns=["", f"{r.currency} per year"])


def quality_notes(r: ConsolidationResult, warnings=()) -> pd.DataFrame:
    """Data-quality notes for this phase: intake warnings on its tables, plus what the analysis
    could not judge (tools with no usage rows, usage after as_of, missing renewal dates)."""
    files = ("tools", "usage", "expenses", "workflows", "engagement.yaml")
    notes = [("intake", str(w)) for w in warnings if str(getattr(w, "file", "")).startswith(files)]
    never = r.tools[(r.tools["users_ever"] == 0) & (r.tools[T.seats] > 0)]
    if len(never):
        notes.append(("usage", (f"{len(never)} tool(s) have no usage rows at all ({name_list(never[T.tool], 6)}): either "
                               "nobody ever used them or the usage export does not cover them; confirm before cancelling.")))
    if r.usage_snapshots:
        dates = ", ".join(f"{pd.Timestamp(d):%d %b %Y}" for d in r.usage_snapshots[:6])
        notes.append(("usage", (f"{r.n_snapshot_rows:,} usage row(s) come from {len(r.usage_snapshots)} last-activity "
                               f"snapshot(s) ({dates}): each shows who was active in its window and their last active "
                               "day, not daily use. The monthly trend has one point per snapshot; months with neither "
                               "a snapshot nor daily logs are not shown.")))  # fmt: skip
    if r.n_usage_after_as_of:
        notes.append(("usage", f"{r.n_usage_after_as_of:,} usage row(s) dated after as_of ({r.as_of:%d %b %Y}) are left out."))
    no_date = r.tools[r.tools["next_renewal"].isna() & (r.tools["annual_cost"] > 0)]
    if len(no_date):
        notes.append(("tools", (f"{len(no_date)} paid tool(s) have no renewal date ({name_list(no_date[T.tool], 6)}); "
                               "they cannot appear in the renewal calendar.")))
    if not r.has_expenses:
        notes.append(("expenses", "No expense lines were supplied: AI paid for on cards and expenses cannot be found."))
    if not r.has_workflows:
        notes.append(("workflows", "No workflow inventory: workflows cannot be checked against the data rules."))
    if r.headcount_source != HEADCOUNT_GIVEN:
        notes.append(("engagement.yaml", (f"No headcount_by_department: adoption is measured against the "
                                         f"{r.headcount:,} people seen in {_seen_in(r)}, which overstates it if some "
                                         "staff appear in none of them.")))
    elif r.people_seen > r.headcount:
        notes.append(("engagement.yaml", (f"The usage data names {r.people_seen:,} people, more than the headcount of "
                                         f"{r.headcount:,}: check headcount_by_department.")))
    return pd.DataFrame(notes, columns=["Source", "Note"])


def task_categories_view() -> pd.DataFrame:
    """The documented mapping of task types to the tool categories they need."""
    rows = [(t.replace("_", " "), ", ".join(c.replace("_", " ") for c in cats) or "none (no AI tool needed)")
            for t, cats in TASK_TOOL_CATEGORIES.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["Task type", "Tool categories that can do it"])


def window_choices(r: ConsolidationResult) -> list[int]:
    """Windows offered by the live controls: 30, 60 and 90 days, plus this run's own."""
    return sorted({30, 60, 90, r.window_days})


def explorer(model):
    """A view for the live controls: the savings at another window or buffer, in words and as a
    chart. A change goes through the model's consolidation options, so only the consolidation
    node is recomputed (the headcount and every other input are reused); back at the starting
    settings the model's options are restored as they were (e.g. 0, the engagement's window)."""
    start = model.options("consolidation")
    first = model.result("consolidation")

    def view(window_days: int = first.window_days, downsize_buffer: float = first.downsize_buffer) -> list:
        from kit import notebook as nb

        buffer = round(float(downsize_buffer), 6)  # a slider's 0.15000000000000002
        same = window_days == first.window_days and math.isclose(buffer, first.downsize_buffer)
        changes = start.model_dump() if same else {"active_window_days": int(window_days), "downsize_buffer": buffer}
        model.set_options("consolidation", **changes)
        r = model.result("consolidation")
        t = r.totals
        line = (
            f"With a {r.window_days}-day window and a {r.downsize_buffer:.0%} buffer: saving {money(t['total_saving'], r.currency)} "
            f"a year (cancel {money(t['saving_cancel'], r.currency)}, consolidate {money(t['saving_consolidate'], r.currency)}, "
            f"downsize {money(t['saving_downsize'], r.currency)})."
        )
        return [nb.say(line, label=""), savings_chart(r)]

    return view


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

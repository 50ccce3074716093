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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kit.evidence import UTILIZATION_FLOOR
from kit.governance import CLASS_RANK, data_class_matrix, workflow_coverage
from kit.intake import TABLES
from kit.intake.schemas import PLANS, TOOL_CATEGORIES, Expenses, Tools, Usage, Workflows
from kit.options import ConsolidationOptions
from kit.settings import EngagementSettings
from kit.vocabulary import (  # shared labels
    CANCEL,
    CONSOLIDATE,
    CONSUMER,
    DOWNSIZE,
    EXPENSED,
    KEEP,
    NO_SSO,
    UNAPPROVED,
    UNLISTED,
)

T, U, X, W = Tools, Usage, Expenses, Workflows  # column names come from the schema models

AI_VENDORS_FILE = Path(__file__).resolve().parents[2] / "data" / "ai_vendors.csv"
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
    codes, distinct = pd.factorize(text, use_na_sentinel=False)  # each distinct text matched once
    norm = normalize_text(pd.Series(distinct, dtype=text.dtype))
    found = pd.Series(pd.NA, index=norm.index, dtype="object")
    for product, pattern in zip(ai_vendors()["product"], ai_vendors()["pattern"], strict=True):
        todo = found.isna()
        if not todo.any():
            break
        hit = norm[todo].str.contains(pattern, regex=True)
        found.loc[hit[hit].index] = product
    return pd.Series(found.to_numpy(dtype=object)[codes], index=text.index, dtype="object")


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
    ids, tools = usage[U.user_id].to_numpy(), usage[U.tool].to_numpy()
    if not keep.all():  # else no copy of millions of ids
        ids, tools, day = ids[keep], tools[keep], day[keep]
    person, people = pd.factorize(ids)
    raw_tool, raw_names = pd.factorize(tools)
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
        day=day,
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


def _month_of(day: np.ndarray | np.integer) -> np.ndarray:
    """Month codes (months since January 1970) of day codes (days since 1970-01-01): numpy's
    calendar conversion done once per day of the span and spread by lookup (millions of rows)."""
    day = np.asarray(day, dtype=np.int64)
    if day.size == 0:
        return np.empty(day.shape, dtype=np.int64)
    first = int(day.min())
    table = np.arange(first, int(day.max()) + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return table[day - first]


def _trend_rows(u: _Usage) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(month code, tool, person) of the rows the monthly trend counts: a daily row in its calendar
    month; a snapshot row in its snapshot's month when it falls inside that snapshot's window (the
    latest snapshot of each tool and month), so a snapshot never adds invented months."""
    daily = u.snapshot < 0
    if daily.all():  # a daily log only: no copies of its millions of rows
        return _month_of(u.day), u.tool, u.person
    month, tool, person = [_month_of(u.day[daily])], [u.tool[daily]], [u.person[daily]]
    snap = ~daily
    if snap.any():
        s_month = _month_of(u.snapshot[snap])
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
    daily = u.day[u.snapshot < 0]
    months = [np.arange(_month_of(daily.min()), _month_of(daily.max()) + 1)] if len(daily) else []
    months.append(_month_of(u.snapshot[u.snapshot >= 0]))
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

"""Builders: an export's rows -> rows of one intake table, every dropped row with its reason and
every choice made (date format, sign, tool name, workflow) recorded as a decision.

A builder returns person columns as `Identity` values; `kit.imports.run` resolves them through the
people table once every file is read. Usage from last-activity reports is written as snapshot rows
(`snapshot`, `window_days`: "active at least once in the window_days ending on snapshot"; the row's
`date` is the last active day the export names), never as invented daily rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kit.imports.formats import header_key
from kit.imports.mapping import DATA_DIR, Mapping, keyed
from kit.imports.people import Identity
from kit.imports.read import Table
from kit.imports.values import (
    parse_date,
    parse_duration_minutes,
    parse_flag,
    parse_money,
    pick_date_format,
    uses_decimal_comma,
)

TOOL_ALIASES_FILE = DATA_DIR / "tool_aliases.csv"
USAGE_COLUMNS = ("user_id", "tool", "date", "actions", "app", "snapshot", "window_days", "prompts", "active_days",
                 "source")  # fmt: skip
ALL_APPS = "All apps"  # the app of the row carrying a v2 Copilot report's per-person prompts and active days
EXPENSE_COLUMNS = ("expense_id", "date", "employee_id", "vendor", "amount", "description", "source")
TIME_COLUMNS = ("observation_id", "workflow_id", "ai_assisted", "minutes", "employee_id", "observed_on", "source")
SURVEY_COLUMNS = ("respondent_id", "department", "role", "skill", "level", "source")
TABLE_COLUMNS = {"usage": USAGE_COLUMNS, "expenses": EXPENSE_COLUMNS, "time_studies": TIME_COLUMNS,
                 "skills_survey": SURVEY_COLUMNS}  # fmt: skip
PERSON_COLUMN = {"usage": "user_id", "expenses": "employee_id", "time_studies": "employee_id",
                 "skills_survey": "respondent_id"}  # fmt: skip
_PERIOD = re.compile(r"(\d+)")
_PAYMENT = re.compile(r"\b(?:autopay|payment)\b.*\bthank you\b|^payment\b", re.IGNORECASE)


@dataclass
class Built:
    """What one export gives: rows for its table, dropped rows and the decisions taken."""

    rows: list[dict[str, object]] = field(default_factory=list)
    dropped: list[tuple[int, str]] = field(default_factory=list)
    kept_rows: set[int] = field(default_factory=set)
    decisions: list[str] = field(default_factory=list)
    seats: dict[str, int] = field(default_factory=dict)  # licences assigned per product (Assigned Products)
    licensed: dict[str, set[str]] = field(default_factory=dict)  # product -> users holding it
    seats_as_of: str = ""  # the report's refresh date (ISO), for the tools.csv merge

    def drop(self, row: int, reason: str) -> None:
        self.dropped.append((row, reason))


@dataclass(frozen=True)
class Context:
    mapping: Mapping
    inventory: tuple[str, ...] = ()  # tools.csv's tool names, when the engagement has one
    workflows: frozenset[str] | None = None  # workflows.csv's ids, when the engagement has one


# ---------------------------------------------------------------- tool names


@functools.lru_cache(maxsize=1)
def tool_aliases() -> dict[str, tuple[str, ...]]:
    """The shipped alias list: name in an export (case-insensitive) -> inventory tool names, in
    order of preference (`kit/data/tool_aliases.csv`, documented in tool_aliases.md)."""
    out: dict[str, list[str]] = {}
    with TOOL_ALIASES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(header_key(row["alias"]), []).append(row["tool"].strip())
    return {k: tuple(v) for k, v in out.items()}


@functools.lru_cache(maxsize=1)
def tool_facts() -> dict[str, tuple[str, str]]:
    """Inventory tool (header_key) -> (vendor, category) from the alias list, for a tools.csv row an
    import adds (seats from a licence report)."""
    out: dict[str, tuple[str, str]] = {}
    with TOOL_ALIASES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("vendor") or "").strip():
                out.setdefault(header_key(row["tool"]), (row["vendor"].strip(), (row.get("category") or "other").strip()))
    return out


def resolve_tool(name: str, ctx: Context) -> tuple[str, str]:
    """(inventory tool, how it was chosen) for an app or product named by an export: the mapping
    file's `tools:` first, then the alias list (the first of its tools that the inventory lists,
    else its first), else the name itself."""
    key = header_key(name)
    own = keyed(ctx.mapping.tools)
    if key in own:
        return str(own[key]), "import_mapping.yaml tools"
    listed = {header_key(t): t for t in ctx.inventory}
    choices = tool_aliases().get(key, ())
    for tool in choices:
        if header_key(tool) in listed:
            return listed[header_key(tool)], "alias list, in the inventory"
    if key in listed:
        return listed[key], "inventory"
    if choices:
        return choices[0], "alias list (not in tools.csv: unlisted use)"
    return " ".join(name.split()), "as named (not in the alias list)"


def _tool_decisions(apps: Counter, ctx: Context) -> list[str]:
    out = []
    for app in sorted(apps):
        tool, how = resolve_tool(app, ctx)
        out.append(f'tool: "{app}" -> "{tool}" ({how}; {apps[app]} row(s))')
    return out


# ---------------------------------------------------------------- shared helpers


def _date_format(t: Table, fields: tuple[str, ...], built: Built, fixed: str | None = None) -> str | None:
    if fixed:
        built.decisions.append(f"dates read as {fixed} (import_mapping.yaml)")
        return fixed
    values = [t.value(cells, f) for _, cells in t.rows for f in fields]
    values += [cells[i] for _, cells in t.rows for i in t.apps.values() if i < len(cells)]
    fmt, ambiguous = pick_date_format(values, t.dates)
    if fmt is None:  # some values are bad: use the format most of them fit; bad rows are dropped
        scores = []
        for candidate in t.dates:
            ok = 0
            for v in values:
                try:
                    parse_date(v, candidate) if v.strip() else None
                    ok += 1
                except ValueError:
                    pass
            scores.append((ok, -t.dates.index(candidate), candidate))
        fmt = max(scores)[2] if scores else None
    if fmt is not None and fmt != "%Y-%m-%d":
        note = f"dates read as {fmt}"
        if ambiguous:
            note += " (they also read day-first/month-first: set time.date_format in import_mapping.yaml if wrong)"
        built.decisions.append(note)
    return fmt


def _date(text: str, fmt: str | None) -> dt.date:
    if not text.strip() or fmt is None:
        raise ValueError
    return parse_date(text, fmt)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _row_id(t: Table, row: int) -> str:
    """A stable id per source row: format, the file's hash (and its sheet's, for a workbook of several)."""
    digest = t.sha256[:8] if not t.sheet else hashlib.sha256(f"{t.sha256}/{t.sheet}".encode()).hexdigest()[:8]
    return f"{t.fmt.id_prefix or t.fmt.name.upper()}-{digest}-{row:05d}"


# ---------------------------------------------------------------- usage


def usage_snapshot(t: Table, ctx: Context) -> Built:
    """Last-activity reports (Copilot user detail, Microsoft 365 active users): one row per
    person and app with a last activity date, dated on it, with the report's snapshot and window."""
    b = Built()
    fmt = _date_format(t, ("refresh", "last"), b)
    refresh = [t.value(c, "refresh") for _, c in t.rows]
    latest = None
    if not any(refresh):
        days = []
        for _, cells in t.rows:
            for i in t.apps.values():
                try:
                    days.append(_date(cells[i] if i < len(cells) else "", fmt))
                except ValueError:
                    pass
        latest = max(days) if days else None
        b.decisions.append(f"no Report Refresh Date: the snapshot is dated on the latest activity date ({_iso(latest)})")
    period_given = any(t.value(c, "period") for _, c in t.rows)
    if not period_given:
        b.decisions.append(f"no Report Period: each snapshot covers {ctx.mapping.snapshots.window_days} days "
                           "(snapshots.window_days in import_mapping.yaml)")  # fmt: skip
    apps: Counter = Counter()
    totals: Counter = Counter()
    for row, cells in t.rows:
        user, name = t.value(cells, "user"), t.value(cells, "name")
        if not user:
            b.drop(row, "no user name")
            continue
        try:
            if t.value(cells, "deleted") and parse_flag(t.value(cells, "deleted")):
                b.drop(row, "deleted user")
                continue
        except ValueError:
            pass
        for product in filter(None, (p.strip() for p in re.split(r"[+;,]", t.value(cells, "products")))):
            b.seats[product] = b.seats.get(product, 0) + 1
            b.licensed.setdefault(product, set()).add(user.casefold())
        try:
            snapshot = _date(t.value(cells, "refresh"), fmt) if t.value(cells, "refresh") else latest
        except ValueError:
            b.drop(row, f'Report Refresh Date "{t.value(cells, "refresh")}" is not a date')
            continue
        b.seats_as_of = max(b.seats_as_of, _iso(snapshot))
        m = _PERIOD.search(t.value(cells, "period"))
        window = int(m.group(1)) if m else ctx.mapping.snapshots.window_days
        found, bad = [], []
        for label, i in t.apps.items():
            text = cells[i].strip() if i < len(cells) else ""
            if not text:
                continue
            try:
                found.append((label, _date(text, fmt)))
            except ValueError:
                bad.append(f'{t.header[i]} "{text}" is not a date')
        if not found and t.value(cells, "last"):
            try:
                found.append((t.fmt.tool, _date(t.value(cells, "last"), fmt)))
            except ValueError:
                bad.append(f'Last Activity Date "{t.value(cells, "last")}" is not a date')
        if bad:
            b.drop(row, "; ".join(bad))
            continue
        if not found:
            b.drop(row, "no activity date in any app (enabled or licensed, not active)")
            continue
        try:
            counts = {f: _count(t.value(cells, f)) for f in V2_FIELDS if f in t.fields}
        except ValueError:
            b.drop(row, "; ".join(f'{t.header[t.fields[f]]} "{t.value(cells, f)}" is not a whole number'
                                  for f in V2_FIELDS if f in t.fields and not _is_count(t.value(cells, f))))  # fmt: skip
            continue
        who = Identity(user=user, name=name)
        for label, day in found:
            tool, _ = resolve_tool(label, ctx)
            apps[label] += 1
            b.rows.append({"user_id": who, "tool": tool, "date": day.isoformat(), "actions": "", "app": label,
                           "snapshot": _iso(snapshot), "window_days": window, "_row": row})  # fmt: skip
        if {"prompts", "active_days"} & counts.keys():
            last = _last_activity(t, cells, fmt) or max(day for _, day in found)
            b.rows.append({"user_id": who, "tool": resolve_tool(t.fmt.tool, ctx)[0], "date": last.isoformat(),
                           "actions": "", "app": ALL_APPS, "snapshot": _iso(snapshot), "window_days": window,
                           "prompts": counts.get("prompts", ""), "active_days": counts.get("active_days", ""),
                           "_row": row})  # fmt: skip
            for f, n in counts.items():
                totals[f] += n or 0
        b.kept_rows.add(row)
    b.decisions += _tool_decisions(apps, ctx)
    if totals:
        b.decisions.append(
            f'report version 2: prompts and active usage days on one "{ALL_APPS}" row per active person '
            f"(usage columns prompts, active_days, over the row's window_days); totals of the people kept: "
            + "; ".join(f"{t.header[t.fields[f]]} {totals[f]:,}" for f in V2_FIELDS if f in totals))  # fmt: skip
    if b.seats:
        b.decisions.append("licences assigned: " + "; ".join(f"{k}: {v}" for k, v in sorted(b.seats.items())))
    return b


V2_FIELDS = ("prompts", "prompts_chat_work", "prompts_chat_web", "active_days")


def _is_count(text: str) -> bool:
    try:
        _count(text)
    except ValueError:
        return False
    return True


def _count(text: str) -> int | str:
    """A whole number >= 0 as the report prints it ('' when blank)."""
    if not text.strip():
        return ""
    value = float(text.replace(",", ""))
    if value < 0 or value != int(value):
        raise ValueError(text)
    return int(value)


def _last_activity(t: Table, cells: list[str], fmt: str | None) -> dt.date | None:
    try:
        return _date(t.value(cells, "last"), fmt)
    except ValueError:
        return None


def chatgpt(t: Table, ctx: Context) -> Built:
    """ChatGPT Enterprise/Edu engagement: per person and period, the first and last active day
    (real days of use), messages on the last; the period is the snapshot window."""
    b = Built()
    tool, how = resolve_tool(t.fmt.tool, ctx)
    count = 0
    for row, cells in t.rows:
        email = t.value(cells, "user")
        if not email:
            b.drop(row, "no email")
            continue
        try:
            active = parse_flag(t.value(cells, "active"))
            start, end = _date(t.value(cells, "period_start"), "%Y-%m-%d"), _date(t.value(cells, "period_end"), "%Y-%m-%d")
        except ValueError:
            b.drop(row, "is_active, period_start or period_end cannot be read")
            continue
        if not active:
            b.drop(row, "not active in this period")
            continue
        try:
            last = _date(t.value(cells, "last"), "%Y-%m-%d")
        except ValueError:
            b.drop(row, f'last_day_active_in_period "{t.value(cells, "last")}" is not a date')
            continue
        messages = t.value(cells, "messages")
        try:
            messages = str(int(float(messages))) if messages else ""
        except ValueError:
            messages = ""
        who = Identity(user=email, email=email, name=t.value(cells, "name"), department=t.value(cells, "department"),
                       role=t.value(cells, "role"))  # fmt: skip
        window = (end - start).days + 1
        days = [(last, messages)]
        try:
            first = _date(t.value(cells, "first"), "%Y-%m-%d")
            if first != last:
                days.append((first, ""))
        except ValueError:
            pass
        for day, actions in days:
            b.rows.append({"user_id": who, "tool": tool, "date": day.isoformat(), "actions": actions, "app": t.fmt.tool,
                           "snapshot": end.isoformat(), "window_days": window, "_row": row})  # fmt: skip
        b.kept_rows.add(row)
        count += 1
    b.decisions.append(f'tool: "{t.fmt.tool}" -> "{tool}" ({how}; {count} row(s))')
    b.decisions.append("each active person-period gives its first and last active day; messages on the last")
    return b


def usage_events(t: Table, ctx: Context) -> Built:
    """Sign-in and app-usage logs (Okta, Entra): one row per person, app and day, actions = the
    day's logins (Okta's Logins, else one per successful sign-in)."""
    b = Built()
    fmt = _date_format(t, ("date",), b)
    totals: dict[tuple[str, str, str], list] = {}
    apps: Counter = Counter()
    for row, cells in t.rows:
        user, app = t.value(cells, "user"), t.value(cells, "app")
        status = t.value(cells, "status")
        if "status" in t.fields and header_key(status) not in ("success", "succeeded"):
            b.drop(row, f'sign-in status "{status}" (only successful sign-ins count as use)')
            continue
        if not user or not app:
            b.drop(row, "no user or application")
            continue
        try:
            day = _date(t.value(cells, "date"), fmt)
        except ValueError:
            b.drop(row, f'date "{t.value(cells, "date")}" is not a date')
            continue
        try:
            n = int(float(t.value(cells, "count"))) if t.value(cells, "count") else 1
        except ValueError:
            b.drop(row, f'Logins "{t.value(cells, "count")}" is not a number')
            continue
        key = (user.lower(), app, day.isoformat())
        if key not in totals:
            totals[key] = [Identity(user=user, name=t.value(cells, "name")), 0, row]
        totals[key][1] += n
        apps[app] += 1
        b.kept_rows.add(row)
    for (_, app, day), (who, n, row) in totals.items():
        tool, _ = resolve_tool(app, ctx)
        b.rows.append({"user_id": who, "tool": tool, "date": day, "actions": n, "app": app, "snapshot": "",
                       "window_days": "", "_row": row})  # fmt: skip
    b.decisions += _tool_decisions(apps, ctx)
    return b


# ---------------------------------------------------------------- expenses


def expenses(t: Table, ctx: Context) -> Built:
    """Card and expense lines: date, merchant, amount with charges positive and refunds negative,
    and the card holder (from the export, else the mapping's `expenses.holder`)."""
    b = Built()
    fmt = _date_format(t, ("date",), b)
    sign = {"positive": "charges are positive as exported", "negative": "charges are negative in this export: "
            "signs flipped so charges are positive and refunds negative",
            "debit_credit": "amount = Debit - Credit"}[t.fmt.sign]  # fmt: skip
    b.decisions.append(sign)
    holders = keyed(ctx.mapping.expenses.holder)
    file_holder = holders.get(header_key(t.path.name))
    if "user" not in t.fields and file_holder:
        b.decisions.append(f'every line is attributed to "{file_holder}" (expenses.holder: {t.path.name})')
    amount_cols = [f for f in ("amount", "debit", "credit") if f in t.fields]
    comma = uses_decimal_comma([t.value(c, f) for _, c in t.rows for f in amount_cols])
    if comma:
        b.decisions.append("amounts use a decimal comma")
    for row, cells in t.rows:
        date_text = t.value(cells, "date") or t.value(cells, "posted")
        filled = [c.strip() for c in cells if c.strip()]
        try:
            day = _date(date_text, fmt)
        except ValueError:
            if filled and filled[0].lower().startswith("total"):
                b.drop(row, f'total row ("{filled[0]}")')
            elif len(filled) <= 2 and not date_text:
                b.drop(row, f'section heading or note ("{filled[0]}")')
            else:
                b.drop(row, f'date "{date_text}" is not a date')
            continue
        if header_key(t.value(cells, "type")) == "payment" or _PAYMENT.search(t.value(cells, "memo")):
            b.drop(row, "card payment, not a purchase")
            continue
        try:
            if t.fmt.sign == "debit_credit":
                debit, credit = t.value(cells, "debit"), t.value(cells, "credit")
                amount = (parse_money(debit, decimal_comma=comma) if debit else 0.0) - (
                    parse_money(credit, decimal_comma=comma) if credit else 0.0)  # fmt: skip
            else:
                amount = parse_money(t.value(cells, "amount"), decimal_comma=comma)
                amount = -amount if t.fmt.sign == "negative" else amount
        except ValueError:
            b.drop(row, f'amount "{t.value(cells, "amount")}" is not a number')
            continue
        if amount == 0:
            b.drop(row, "amount is zero")
            continue
        vendor = t.value(cells, "merchant") or t.value(cells, "memo")
        if not vendor:
            b.drop(row, "no merchant or description")
            continue
        person = t.value(cells, "user")
        card = t.value(cells, "card") or t.value(cells, "account")
        holder = holders.get(header_key(card)) or holders.get(header_key(card.lstrip("-X*x ")[-4:])) if card else None
        holder = holder or file_holder
        if person:
            who = Identity(user=person) if "@" in person else Identity(name=person)
        elif holder:
            who = Identity(user=str(holder)) if "@" in str(holder) else Identity(name=str(holder), user=str(holder))
        else:
            what = f"card {card}" if card else f"the file {t.path.name}"
            b.drop(row, f"cannot be attributed: the export names no employee (map {what} to a person under "
                        "expenses.holder in import_mapping.yaml)")  # fmt: skip
            continue
        description = t.value(cells, "memo") if t.value(cells, "merchant") else t.value(cells, "category")
        b.rows.append({"expense_id": _row_id(t, row), "date": day.isoformat(), "employee_id": who, "vendor": vendor,
                       "amount": f"{amount:.2f}", "description": description, "_row": row})  # fmt: skip
        b.kept_rows.add(row)
    return b


# ---------------------------------------------------------------- time studies


def time_entries(t: Table, ctx: Context) -> Built:
    """Time-tracker entries as time studies: the workflow from the project/task mapping, AI
    assistance from a tag or the description pattern, minutes from the duration."""
    b = Built()
    rules = ctx.mapping.time
    fmt = _date_format(t, ("date",), b, rules.date_format)
    comma = uses_decimal_comma([t.value(c, "duration") for _, c in t.rows])
    if comma:
        b.decisions.append("hours use a decimal comma")
    tags = {header_key(x) for x in rules.ai_tags}
    pattern = re.compile(rules.ai_pattern, re.IGNORECASE) if rules.ai_pattern else None
    b.decisions.append("ai_assisted = a tag in [" + ", ".join(sorted(tags)) + "]"
                       + (f" or the description matching /{rules.ai_pattern}/" if pattern else ""))  # fmt: skip
    used: Counter = Counter()
    for row, cells in t.rows:
        project, task = t.value(cells, "project"), t.value(cells, "task")
        workflow = _workflow(rules.workflows, project, task)
        if workflow is None:
            b.drop(row, f'project "{project}"{f" / task {task!r}" if task else ""} is not mapped to a workflow '
                        "(time.workflows in import_mapping.yaml)")  # fmt: skip
            continue
        if ctx.workflows is not None and workflow not in ctx.workflows:
            b.drop(row, f'workflow "{workflow}" (mapped from project "{project}") is not in workflows.csv')
            continue
        try:
            day = _date(t.value(cells, "date"), fmt)
        except ValueError:
            b.drop(row, f'date "{t.value(cells, "date")}" is not a date')
            continue
        text = t.value(cells, "duration") or t.value(cells, "duration_hms")
        try:
            minutes = parse_duration_minutes(text, decimal_comma=comma)
        except ValueError:
            b.drop(row, f'duration "{text}" is not a duration')
            continue
        if minutes <= 0:
            b.drop(row, "duration is zero")
            continue
        name = t.value(cells, "name") or " ".join(x for x in (t.value(cells, "first_name"), t.value(cells, "last_name")) if x)
        email = t.value(cells, "user")
        if not (name or email):
            b.drop(row, "no user")
            continue
        entry_tags = {header_key(x) for x in re.split(r"[,;|]", t.value(cells, "tags")) if x.strip()}
        ai = bool(entry_tags & tags) or bool(pattern and pattern.search(t.value(cells, "notes")))
        used[(project, workflow)] += 1
        b.rows.append({"observation_id": _row_id(t, row), "workflow_id": workflow, "ai_assisted": "true" if ai else "false",
                       "minutes": f"{minutes:.2f}".rstrip("0").rstrip("."), "employee_id": Identity(user=email, email=email, name=name),
                       "observed_on": day.isoformat(), "_row": row})  # fmt: skip
        b.kept_rows.add(row)
    for (project, workflow), n in sorted(used.items()):
        b.decisions.append(f'workflow: project "{project}" -> {workflow} ({n} entries)')
    return b


def _workflow(rules, project: str, task: str) -> str | None:
    p, k = header_key(project), header_key(task)
    for rule in rules:
        if header_key(rule.project) == p and (rule.task is None or header_key(rule.task) == k):
            return rule.workflow
    return None


# ---------------------------------------------------------------- skills survey


_LEADING_LEVEL = re.compile(r"^\s*([0-4])(?:\s*[-–:.)]|\s*$)")


def survey(t: Table, ctx: Context) -> Built:
    """Form responses as the long skills survey: question -> skill and answer -> level from the
    mapping (answers starting with a digit 0-4 read as that level)."""
    b = Built()
    rules = ctx.mapping.survey_rules()
    questions, levels = keyed(rules.questions), keyed(rules.levels)
    skill_cols = {i: str(questions[k]) for i, k in enumerate(t.keys) if k in questions}
    dept_col = t.keys.index(header_key(rules.department)) if rules.department and header_key(rules.department) in t.keys else None
    role_col = t.keys.index(header_key(rules.role)) if rules.role and header_key(rules.role) in t.keys else None
    used = set(t.fields.values()) | set(skill_cols) | {dept_col, role_col}
    ignored = [h for i, h in enumerate(t.header) if i not in used and h.strip()]
    b.decisions.append(f"{len(skill_cols)} question column(s) mapped to skills: "
                       + "; ".join(f'"{t.header[i]}" -> {s}' for i, s in skill_cols.items()))  # fmt: skip
    if ignored:
        b.decisions.append("columns with no skill in the mapping (ignored): " + "; ".join(f'"{h}"' for h in ignored))
    if not skill_cols:
        b.decisions.append("no question matched the survey mapping: nothing imported (survey.questions)")
    for row, cells in t.rows:
        email = t.value(cells, "user")
        name = t.value(cells, "name") or " ".join(x for x in (t.value(cells, "first_name"), t.value(cells, "last_name")) if x)
        anonymous = f"{t.fmt.name}:{t.value(cells, 'response_id') or row}"
        who = Identity(user=email or ("" if name else anonymous), email=email, name=name,
                       department=_cell(cells, dept_col), role=_cell(cells, role_col))  # fmt: skip
        problems = []
        for i, skill in skill_cols.items():
            answer = _cell(cells, i)
            if not answer:
                continue
            level = levels.get(header_key(answer))
            if level is None:
                m = _LEADING_LEVEL.match(answer)
                level = int(m.group(1)) if m else None
            if level is None:
                problems.append(f'answer "{answer}" to "{t.header[i]}" has no level (survey.levels)')
                continue
            b.rows.append({"respondent_id": who, "department": who.department, "role": who.role, "skill": skill,
                           "level": int(level), "_row": row})  # fmt: skip
            b.kept_rows.add(row)
        if problems and row not in b.kept_rows:
            b.drop(row, "; ".join(problems))
        elif problems:
            b.decisions.append(f"row {row}: " + "; ".join(problems))
        elif row not in b.kept_rows and skill_cols:
            b.drop(row, "no skill question answered")
    return b


def _cell(cells: list[str], i: int | None) -> str:
    return cells[i].strip() if i is not None and i < len(cells) else ""


BUILDERS = {
    "usage_snapshot": usage_snapshot,
    "chatgpt": chatgpt,
    "usage_events": usage_events,
    "expenses": expenses,
    "time_entries": time_entries,
    "survey": survey,
}


def read_column(path: Path, column: str) -> tuple[str, ...]:
    """One column of an intake CSV (header matched case-insensitively), or () when absent."""
    if not path.is_file():
        return ()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        key = next((h for h in reader.fieldnames or () if h.strip().lower() == column), None)
        return tuple(r[key].strip() for r in reader if key and r.get(key)) if key else ()

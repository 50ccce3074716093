"""Cell values as vendors export them: dates in the account's format, money with signs and
symbols, durations as HH:MM:SS or decimal hours, and the decimal comma some locales use.

Each parser raises ValueError on a value it cannot read, so the caller can drop the row and say
why. Per-file choices (which date format, decimal comma or point) are made once per column by
`pick_date_format` / `uses_decimal_comma` and recorded as a decision in the provenance.
"""

from __future__ import annotations

import datetime as dt
import re

#: Date formats tried, in order, when a format does not fix one (ISO first; then US, then day-first).
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%b %d, %Y", "%d %b %Y")
_TIME_TAIL = re.compile(
    r"(?:[T ,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?)$"
)
_MONEY_JUNK = re.compile(r"[\s$€£¥]|[A-Z]{3}$|^[A-Z]{3}")
_HMS = re.compile(r"^(\d+):([0-5]?\d)(?::([0-5]?\d))?$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^-?\d+\.\d+$")


def date_part(text: str) -> str:
    """The date of a date or date-time cell ('2025-06-01T10:22:11Z' -> '2025-06-01')."""
    return _TIME_TAIL.sub("", text.strip()).strip()


def parse_date(text: str, fmt: str) -> dt.date:
    return dt.datetime.strptime(date_part(text), fmt).date()


def pick_date_format(values: list[str], formats: tuple[str, ...]) -> tuple[str | None, bool]:
    """The first format that reads every non-blank value, and whether another format reads them
    all too (an ambiguous file, e.g. 03/04/2025 as March or April). (None, False) when none does."""
    present = [v for v in values if v.strip()]
    fitting = []
    for fmt in formats:
        try:
            for v in present:
                parse_date(v, fmt)
        except ValueError:
            continue
        fitting.append(fmt)
    if not fitting:
        return None, False
    return fitting[0], any(_different_meaning(fitting[0], f) for f in fitting[1:])


def _different_meaning(a: str, b: str) -> bool:
    """Two formats that both read the data disagree only when they swap day and month."""
    return a.replace("%y", "%Y") != b.replace("%y", "%Y") and {a[:2], b[:2]} == {"%m", "%d"}


def uses_decimal_comma(values: list[str]) -> bool:
    """True when numbers are written 1,5 (some with a decimal comma, none with a decimal point)."""
    text = [v.strip() for v in values if v.strip()]
    return any(_DECIMAL_COMMA.match(v) for v in text) and not any(_DECIMAL_POINT.match(v) for v in text)


def parse_number(text: str, *, decimal_comma: bool = False) -> float:
    """A plain number: 1.5, 1,234.50, or 1,5 / 1.234,50 with a decimal comma."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        t = t.replace(".", "").replace(",", ".")
    else:
        t = t.replace(",", "")
    if not t:
        raise ValueError("blank")
    return float(t)


def parse_money(text: str, *, decimal_comma: bool = False) -> float:
    """An amount as exports print it: $1,234.50, -12.00, (250.00), $(250.00), 12.00-, 12,50 €."""
    t = _MONEY_JUNK.sub("", text.strip())
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1]
    if t.startswith("-(") and t.endswith(")"):
        negative, t = True, t[2:-1]
    if t.endswith("-"):
        negative, t = True, t[:-1]
    t = _MONEY_JUNK.sub("", t)
    if t.startswith("-"):
        negative, t = not negative, t[1:]
    value = parse_number(t, decimal_comma=decimal_comma)
    return -value if negative else value


def parse_duration_minutes(text: str, *, decimal_comma: bool = False) -> float:
    """Minutes in a duration: HH:MM:SS or H:MM, else decimal hours (1.5 or 1,5)."""
    t = text.strip()
    m = _HMS.match(t)
    if m:
        hours, minutes, seconds = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        return hours * 60 + minutes + seconds / 60
    return parse_number(t, decimal_comma=decimal_comma) * 60


TRUE_WORDS = frozenset({"true", "yes", "y", "1", "active"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "inactive", ""})


def parse_flag(text: str) -> bool:
    t = text.strip().lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    raise ValueError(text)

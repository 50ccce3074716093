"""The one place numbers and money are written for the client, and small sentence helpers.

Every deliverable (phase narratives, views, pages, the summary, the deck) formats money and
counts through these functions, so a figure reads the same everywhere: whole units with
thousands separators, a true minus sign before the currency (`−USD 1,235`), and "not known"
for a missing or non-finite value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

MINUS = "\u2212"
NOT_KNOWN = "not known"


def finite(x: Any) -> bool:
    """Whether `x` is a number that can be printed (not None, NaN, infinite or text)."""
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def number(x: Any, digits: int = 0) -> str:
    """`1,235` or `−1,235`; `digits` decimals; "not known" when missing."""
    if not finite(x):
        return NOT_KNOWN
    v = float(x)
    text = f"{abs(v):,.{digits}f}"
    return MINUS + text if v < 0 and float(text.replace(",", "")) != 0 else text


def money(x: Any, currency: str) -> str:
    """`USD 12,345` / `−USD 1,235`: whole units, thousands separators, sign before the currency."""
    if not finite(x):
        return NOT_KNOWN
    text = number(abs(float(x)))
    return f"{MINUS if float(x) < 0 and text != '0' else ''}{currency} {text}"


def share(x: Any, digits: int = 0) -> str:
    """`42%` or `−3%`; "not known" when missing."""
    if not finite(x):
        return NOT_KNOWN
    text = f"{abs(float(x)):.{digits}%}"
    return MINUS + text if float(x) < 0 and float(text[:-1]) != 0 else text


def names(items: Iterable[object], limit: int = 4) -> str:
    """`a, b and c`; past `limit` items, `a, b, c, d and 3 more`."""
    items = [str(i) for i in items]
    if len(items) <= limit:
        return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] if items else ""
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"

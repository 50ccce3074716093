"""Small helpers for the plain-language sentences the phases write from their numbers."""

from __future__ import annotations

from collections.abc import Iterable


def money(x: float, currency: str) -> str:
    """`USD 12,345`: whole units with thousands separators."""
    return f"{currency} {x:,.0f}"


def names(items: Iterable[object], limit: int = 4) -> str:
    """`a, b and c`; past `limit` items, `a, b, c, d and 3 more`."""
    items = [str(i) for i in items]
    if len(items) <= limit:
        return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] if items else ""
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"

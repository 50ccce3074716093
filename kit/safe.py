"""Client text made safe for each kind of deliverable: page file names, Markdown, spreadsheet cells.

Every name in the intake (a workflow, role, tool, task id …) is an opaque string the client wrote;
none of them may become a path, markup, a link or a formula in what the kit writes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

SLUG_LENGTH = 60  # characters of a name kept in a file name (the whole name stays well under 255 bytes)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(name: object, limit: int = SLUG_LENGTH) -> str:
    """`name` as lower-case ASCII letters and digits joined by underscores, accents folded
    (`Ünïcødé Team` → `unicode_team`), cut to `limit` characters; "" when nothing is left."""
    folded = unicodedata.normalize("NFKD", str(name).casefold()).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("_", folded).strip("_")[:limit].rstrip("_")


def _digest(name: str, length: int) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:length]


def page_names(names: Iterable[object], prefix: str, *, fallback: str = "item", suffix: str = ".html") -> dict[str, str]:
    """One distinct, file-safe page name per distinct name: `<prefix><slug><suffix>`, e.g.
    `playbook_account_manager.html`. Where two names share a slug (`Account manager`,
    `Account-Manager`), a slug had to be cut, or nothing is left of it (`任务`), the name also gets
    `-` and the first 8 hex digits of its SHA-256 (`playbook_account_manager-3f2a9c1d.html`), so
    the same name gives the same page in every run that holds the same names. Names match
    `[a-z0-9_-]`, lower case, so they stay distinct on case-insensitive file systems too."""
    unique = list(dict.fromkeys(str(n) for n in names))
    slugs = {n: slug(n) for n in unique}
    shared = Counter(slugs.values())
    for length in (8, 16, 64):
        out = {}
        for n in unique:
            s = slugs[n]
            plain = s and shared[s] == 1 and len(slug(n, limit=10 * SLUG_LENGTH)) <= SLUG_LENGTH
            out[n] = f"{prefix}{s}{suffix}" if plain else f"{prefix}{s or fallback}-{_digest(n, length)}{suffix}"
        if len(set(out.values())) == len(out):
            return out
    raise ValueError("two names share a SHA-256 digest")  # pragma: no cover


# ---------------------------------------------------------------- Markdown

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]()!#|~{}])")
_BLOCK_START = re.compile(r"^(?:[-+=]|\d+[.)])")


def markdown(text: object) -> str:
    """`text` as literal Markdown on one line: `& < >` as entities (no raw HTML, no autolink),
    the punctuation that makes links, images, emphasis, code, headings and tables backslash-escaped
    (so no `[x](javascript:…)` link can form), and a leading list or heading marker escaped."""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MARKDOWN_PUNCTUATION.sub(r"\\\1", s)
    if m := _BLOCK_START.match(s):
        s = s[: m.end() - 1] + "\\" + s[m.end() - 1 :]
    return s


# ---------------------------------------------------------------- spreadsheet cells

#: A text cell starting with one of these is read as a formula by a spreadsheet (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML 1.0 cannot carry


def starts_like_formula(text: str) -> bool:
    """True when a spreadsheet would take `text`, typed into a cell, for a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def cell_text(text: str) -> str:
    """`text` as a worksheet can hold it: control characters other than tab, line feed and
    carriage return (which an .xlsx file cannot carry) become U+FFFD."""
    return _NOT_IN_XML.sub("\ufffd", text)

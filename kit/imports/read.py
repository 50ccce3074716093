"""Reading a vendor export: its rows as text, where its header is, and which format it is.

The header may sit below a preamble (QuickBooks prints the company and report title first) or span
two rows (SurveyMonkey: question row, then answer row); both are found by trying each of the first
rows as the header of each format. Rows keep the number a spreadsheet shows (first line = row 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from kit.imports.formats import FORMATS, Format, header_key
from kit.intake.readers import excel_cell_text

HEADER_SEARCH_ROWS = 15  # a header further down than this is not looked for
ENCODINGS = ("utf-8-sig", "utf-16", "cp1252")


class ImportFailure(ValueError):
    """A file that cannot be imported; the message is one plain line naming the file."""


@dataclass
class Table:
    """An export's data under its detected header."""

    path: Path
    sha256: str
    fmt: Format
    header: list[str]  # the header as printed (two rows joined for SurveyMonkey)
    keys: list[str]  # header_key of each header cell
    rows: list[tuple[int, list[str]]]  # (spreadsheet row, cells), blank rows left out
    fields: dict[str, int]  # format field -> column index
    apps: dict[str, int]  # app label -> column index
    header_row: int  # spreadsheet row of the (last) header row
    encoding: str = "utf-8"
    unused: list[str] = field(default_factory=list)  # columns no field reads (survey: the questions)
    sheet: str = ""  # the workbook sheet, when the file has more than one

    @property
    def source(self) -> str:
        """The source's name in the tables and the provenance: the file, and its sheet when it has several."""
        return f"{self.path.name} [{self.sheet}]" if self.sheet else self.path.name

    @property
    def dates(self) -> tuple[str, ...]:
        """The date formats to try: the format's, and ISO for a workbook (real date cells read as ISO)."""
        if self.encoding == "xlsx" and "%Y-%m-%d" not in self.fmt.dates:
            return ("%Y-%m-%d", *self.fmt.dates)
        return self.fmt.dates

    def value(self, cells: list[str], name: str) -> str:
        i = self.fields.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_rows(path: Path) -> tuple[list[list[str]], str]:
    """Every row of a CSV file (or a workbook's first sheet) as text cells, and the text encoding used."""
    if path.suffix.lower() == ".xlsx":
        return next(iter(_xlsx_sheets(path).values()), []), "xlsx"
    data = path.read_bytes()
    for encoding in ENCODINGS:
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFailure(f"{path.name}: is not text (save it as CSV UTF-8)")
    bom = data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows, encoding.replace("-sig", "") + (" with byte-order mark" if bom else "")


def _xlsx_sheets(path: Path) -> dict[str, list[list[str]]]:
    """Each sheet's rows as text cells (dates as ISO, 3.0 as 3), in the workbook's order."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise ImportFailure(f"{path.name}: could not be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        return {ws.title: [[excel_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
                for ws in book.worksheets}  # fmt: skip
    finally:
        book.close()


def combined_header(first: list[str], second: list[str]) -> list[str]:
    """Two header rows as one: the question row forward-filled, joined with the answer row
    ("Question [Row]", as Google Forms names grid rows); "Response" and blanks add nothing."""
    out, current = [], ""
    for i in range(max(len(first), len(second))):
        top = first[i].strip() if i < len(first) else ""
        current = top or current
        sub = second[i].strip() if i < len(second) else ""
        if not sub or header_key(sub) in ("response", "open-ended response"):
            out.append(current)
        else:
            out.append(f"{current} [{sub}]" if current else sub)
    return out


@dataclass(frozen=True)
class Match:
    fmt: Format
    row: int  # 0-based index of the first header row
    header: list[str]
    fields: dict[str, int]
    apps: dict[str, int]
    missing: list[str]  # required columns (vendor spelling) not found

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def score(self) -> tuple[int, int, int]:
        found = len(self.fields) + len(self.apps)
        return (not self.missing, found - 2 * len(self.missing), -self.row)


def match(fmt: Format, header: list[str], row: int) -> Match:
    keys = [header_key(h) for h in header]
    position = {}
    for i, k in enumerate(keys):
        position.setdefault(k, i)
    fields: dict[str, int] = {}
    missing = []
    for column in fmt.columns:
        hit = next((position[a] for a in column.aliases if a in position), None)
        if hit is not None:
            fields[column.field] = hit
        elif column.required:
            missing.append(column.label)
    apps = {}
    for label, spellings in fmt.apps.items():
        hit = next((position[header_key(a)] for a in spellings if header_key(a) in position), None)
        if hit is not None:
            apps[label] = hit
    if fmt.apps and not apps:
        missing.append("a per-app last activity column (" + next(iter(fmt.apps.values()))[0] + ", ...)")
    return Match(fmt, row, header, fields, apps, missing)


def candidates(rows: list[list[str]], formats: tuple[Format, ...] = FORMATS) -> list[Match]:
    """Each format's best header among the first rows, best first."""
    best: dict[str, Match] = {}
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(c.strip() for c in cells):
            continue
        for fmt in formats:
            header = combined_header(cells, rows[i + 1]) if fmt.header_rows == 2 and i + 1 < len(rows) else cells
            m = match(fmt, header, i)
            if fmt.name not in best or m.score > best[fmt.name].score:
                best[fmt.name] = m
    return sorted(best.values(), key=lambda m: m.score, reverse=True)


def closest_text(name: str, matches: list[Match], limit: int = 3) -> str:
    """One line: the formats that came closest to the source `name` and the columns each is missing."""
    near = [m for m in matches if len(m.fields) + len(m.apps)][:limit] or matches[:limit]
    parts = [f"{m.fmt.name} (missing {', '.join(repr(c) for c in m.missing)})" for m in near]
    return (f"{name}: no known export format matches its header; closest: " + "; ".join(parts)
            + " (kit import --list shows every format's columns)")  # fmt: skip


def open_tables(path: Path, as_format: Format | None = None) -> list[Table]:
    """The export's tables: one for a CSV file, one per non-empty sheet of a workbook (each sheet is
    an export of its own, named "file [sheet]" when the workbook has several).

    Raises ImportFailure (one line per sheet) when the file cannot be read, is empty, or a sheet
    matches no format (or not the one asked for)."""
    if not path.is_file():
        raise ImportFailure(f"{path}: file not found")
    if path.suffix.lower() not in (".csv", ".xlsx", ".txt"):
        raise ImportFailure(f"{path.name}: must be a .csv or .xlsx export")
    if path.suffix.lower() != ".xlsx":
        rows, encoding = read_rows(path)
        return [_table(path, rows, encoding, as_format, "")]
    sheets = {name: rows for name, rows in _xlsx_sheets(path).items() if _has_cells(rows)}
    if not sheets:
        raise ImportFailure(f"{path.name}: is empty (it needs at least a header row)")
    tables, failures = [], []
    for name, rows in sheets.items():
        try:
            tables.append(_table(path, rows, "xlsx", as_format, name if len(sheets) > 1 else ""))
        except ImportFailure as exc:
            failures.append(str(exc))
    if failures:
        raise ImportFailure("\n".join(failures))
    return tables


def open_table(path: Path, as_format: Format | None = None) -> Table:
    """The file's rows under its header (a workbook: its first sheet with cells), in `as_format` or
    the detected format."""
    return open_tables(path, as_format)[0]


def _has_cells(rows: list[list[str]]) -> bool:
    return any(any(c.strip() for c in r) for r in rows)


def _table(path: Path, rows: list[list[str]], encoding: str, as_format: Format | None, sheet: str) -> Table:
    name = f"{path.name} [{sheet}]" if sheet else path.name
    if not _has_cells(rows):
        raise ImportFailure(f"{name}: is empty (it needs at least a header row)")
    matches = candidates(rows, (as_format,) if as_format else FORMATS)
    top = matches[0]
    if not top.complete:
        if as_format is not None:
            raise ImportFailure(f"{name}: is not a {as_format.name} export: missing column(s) "
                               + ", ".join(repr(c) for c in top.missing))  # fmt: skip
        raise ImportFailure(closest_text(name, matches))
    first_data = top.row + top.fmt.header_rows
    body = [(i + 1, cells) for i, cells in enumerate(rows) if i >= first_data and any(c.strip() for c in cells)]
    used = set(top.fields.values()) | set(top.apps.values())
    unused = [h for i, h in enumerate(top.header) if i not in used and h.strip()]
    return Table(
        path=path, sha256=sha256(path), fmt=top.fmt, header=top.header, keys=[header_key(h) for h in top.header],
        rows=body, fields=top.fields, apps=top.apps, header_row=first_data, encoding=encoding, unused=unused,
        sheet=sheet,
    )  # fmt: skip

"""`kit import`: read exports, resolve people, merge the rows into the engagement's intake tables
and record provenance in `<engagement>/.kit/imports.json`.

Straight line: read and detect every file (any failure stops before anything is written) ->
build each file's rows -> people table (people.csv, else a proposal from the sources) -> resolve
person columns -> merge per table (a file's earlier rows are replaced, so re-importing it changes
nothing) -> write tables, people.csv (when proposed) and provenance. Source files are only read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kit.imports.build import BUILDERS, PERSON_COLUMN, TABLE_COLUMNS, Built, Context, read_column
from kit.imports.formats import FORMATS_BY_NAME, Format
from kit.imports.mapping import MAPPING_FILE, load_mapping
from kit.imports.people import PEOPLE_FILE, Identity, People, propose_people, read_people, write_people
from kit.imports.read import ImportFailure, Table, open_tables
from kit.imports.seats import merge_seats

PROVENANCE_FILE = Path(".kit") / "imports.json"


@dataclass
class SourceReport:
    """What one file gave (the provenance entry of `.kit/imports.json`)."""

    source: str
    sha256: str
    format: str
    title: str
    table: str
    encoding: str
    header_row: int
    rows_read: int
    rows_kept: int
    dropped: list[dict[str, object]]
    rows_written: int
    decisions: list[str]
    unresolved: list[str]
    shows: str
    cannot_show: str
    mapping_file: str | None
    seats: dict[str, int] = field(default_factory=dict)  # licences assigned per product
    tool_seats: dict[str, int] = field(default_factory=dict)  # seats written to tools.csv per tool

    def as_json(self) -> dict[str, object]:
        return {**self.__dict__, "rows_dropped": len(self.dropped)}


@dataclass
class ImportResult:
    folder: Path
    reports: list[SourceReport]
    people_file: Path
    people_proposed: bool
    people_count: int
    unresolved: list[str]
    written: list[Path]
    dry_run: bool


def formats_table() -> list[tuple[str, str, str, str]]:
    """(name, title, intake table, columns needed) per format, for `kit import --list`."""
    return [(f.name, f.title, f.table, f.describe_columns()) for f in FORMATS_BY_NAME.values()]


def import_files(
    files: list[Path], into: Path, *, as_format: str | None = None, dry_run: bool = False,
    mapping: Path | None = None,
) -> ImportResult:  # fmt: skip
    """Import `files` into the engagement folder `into`. Raises ImportFailure (one line per
    problem, every file checked) when a file or the mapping cannot be used; nothing is written then."""
    folder = Path(into)
    if not folder.is_dir():
        raise ImportFailure(f"{folder}: engagement folder not found (create it with kit new)")
    fmt = _format(as_format)
    rules, mapping_name = load_mapping(mapping or folder / MAPPING_FILE)
    ctx = Context(
        mapping=rules, inventory=read_column(folder / "tools.csv", "tool"),
        workflows=frozenset(read_column(folder / "workflows.csv", "workflow_id")) if (folder / "workflows.csv").is_file() else None,
    )  # fmt: skip
    tables, failures = [], []
    for path in files:
        try:
            tables += open_tables(Path(path), fmt)
        except ImportFailure as exc:
            failures.append(str(exc))
    names = Counter(t.source for t in tables)
    failures += [f"{n}: given {k} times (each source is recorded by its file name)" for n, k in names.items() if k > 1]
    if failures:
        raise ImportFailure("\n".join(failures))
    built = [(t, BUILDERS[t.fmt.kind](t, ctx)) for t in tables]

    people_path = folder / PEOPLE_FILE
    people = read_people(people_path) if people_path.is_file() else propose_people(
        [r[PERSON_COLUMN[t.fmt.table]] for t, b in built for r in b.rows])  # fmt: skip
    reports, unresolved_all = [], []
    new_rows: dict[str, dict[str, list[dict]]] = {}
    for t, b in built:
        unresolved = _resolve(t, b, people)
        unresolved_all += [f"{u} ({t.source})" for u in unresolved]
        rows = [{k: v for k, v in r.items() if k != "_row"} | {"source": t.source} for r in b.rows]
        new_rows.setdefault(t.fmt.table, {})[t.source] = rows
        reports.append(_report(t, b, rows, unresolved, mapping_name))

    tools_text = _seats_into_tools(folder, built, reports, ctx)
    written: list[Path] = []
    if not dry_run:
        if tools_text is not None:
            _atomic_write(folder / "tools.csv", tools_text)
            written.append(folder / "tools.csv")
        for table, by_source in new_rows.items():
            path = folder / f"{table}.csv"
            if (folder / f"{table}.xlsx").is_file():
                raise ImportFailure(f"{table}.xlsx: the engagement keeps {table} in Excel; import writes {table}.csv "
                                    "(move or convert the workbook first)")  # fmt: skip
            _atomic_write(path, _merged(path, table, by_source))
            written.append(path)
        if people.proposed and people.rows:
            write_people(people, people_path)
            written.append(people_path)
        _write_provenance(folder, reports)
        written.append(folder / PROVENANCE_FILE)
    return ImportResult(folder, reports, people_path, people.proposed, len(people.rows), unresolved_all, written, dry_run)


def _seats_into_tools(folder: Path, built: list[tuple[Table, Built]], reports: list[SourceReport], ctx: Context) -> str | None:
    """tools.csv's new text after every licence report's seats (None when no file assigns licences
    or nothing changes); each report's tools.csv decisions go to its provenance."""
    path = folder / "tools.csv"
    before = path.read_text(encoding="utf-8-sig") if path.is_file() else None
    text = before
    for (t, b), report in zip(built, reports, strict=True):
        if not b.licensed:
            continue
        if (folder / "tools.xlsx").is_file():
            raise ImportFailure("tools.xlsx: the engagement keeps tools in Excel; import writes the seats of "
                                f"{t.source} to tools.csv (move or convert the workbook first)")  # fmt: skip
        merge = merge_seats(text, t.source, b.seats_as_of, b.licensed, ctx)
        text = merge.text
        report.decisions += merge.decisions
        report.tool_seats = merge.seats
    return None if text == before else text


def _format(name: str | None) -> Format | None:
    if name is None:
        return None
    if name not in FORMATS_BY_NAME:
        raise ImportFailure(f"--as {name}: not a known format; one of {', '.join(FORMATS_BY_NAME)}")
    return FORMATS_BY_NAME[name]


def _resolve(t: Table, b: Built, people: People) -> list[str]:
    """Replace each row's Identity by its people-table id; fill survey department and role from
    the people table; drop survey rows with neither. Returns the identities not in the table."""
    column = PERSON_COLUMN[t.fmt.table]
    unresolved: dict[str, None] = {}
    kept = []
    for r in b.rows:
        who: Identity = r[column]
        pid = people.resolve(who)
        if pid is None:
            pid = who.best_email or who.user or " ".join(who.name.split())
            unresolved[who.label + (" (concealed name in the report)" if who.concealed else "")] = None
        r[column] = pid
        if t.fmt.table == "skills_survey":
            person = people.get(pid) or {}
            r["department"] = r["department"] or person.get("department", "")
            r["role"] = r["role"] or person.get("role", "")
            if not (r["department"] and r["role"]):
                b.drop(r["_row"], "no department or role for this respondent (a Department/Role question, "
                                  "or fill them in people.csv)")  # fmt: skip
                continue
        kept.append(r)
    if t.fmt.table == "skills_survey":  # a person who answered twice: the later response replaces the earlier
        last_row: dict[str, int] = {}
        for r in kept:
            last_row[r[column]] = max(last_row.get(r[column], 0), r["_row"])
        for r in kept:
            if r["_row"] != last_row[r[column]]:
                b.drop(r["_row"], f"replaced by a later response from the same person (row {last_row[r[column]]})")
        kept = [r for r in kept if r["_row"] == last_row[r[column]]]
    removed = {r["_row"] for r in b.rows} - {r["_row"] for r in kept}
    b.rows = sorted(kept, key=lambda r: r["_row"])
    b.kept_rows -= removed
    b.dropped = sorted(set(d for d in b.dropped if d[0] not in b.kept_rows))
    return list(unresolved)


def _report(t: Table, b: Built, rows: list[dict], unresolved: list[str], mapping_name: str | None) -> SourceReport:
    return SourceReport(
        source=t.source, sha256=t.sha256, format=t.fmt.name, title=t.fmt.title, table=t.fmt.table,
        encoding=t.encoding, header_row=t.header_row, rows_read=len(t.rows), rows_kept=len(b.kept_rows),
        dropped=[{"row": r, "reason": why} for r, why in b.dropped], rows_written=len(rows), decisions=b.decisions,
        unresolved=unresolved, shows=t.fmt.shows, cannot_show=t.fmt.cannot_show, mapping_file=mapping_name,
        seats=b.seats,
    )  # fmt: skip


def _merged(path: Path, table: str, by_source: dict[str, list[dict]]) -> str:
    """The table's CSV text: its rows from other sources (and hand-entered rows, source blank)
    kept, this import's sources replaced; ordered by source so a re-import gives the same bytes."""
    columns = list(TABLE_COLUMNS[table])
    old: list[dict[str, str]] = []
    if path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or ()]
            columns = header + [c for c in columns if c not in header]
            for raw in reader:
                row = {h.strip().lower(): v for h, v in raw.items() if h}
                if row.get("source", "") not in by_source:
                    old.append(row)
    rows = old + [r for source in sorted(by_source) for r in by_source[source]]
    rows.sort(key=lambda r: str(r.get("source") or ""))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows({c: "" if r.get(c) is None else r.get(c) for c in columns} for r in rows)
    return out.getvalue()


def _atomic_write(path: Path, text: str) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def read_provenance(folder: Path) -> list[dict[str, object]]:
    """The provenance entries of an engagement folder ([] when nothing was imported)."""
    path = Path(folder) / PROVENANCE_FILE
    if not path.is_file():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8")).get("imports", []))
    except (ValueError, AttributeError):
        return []


def _write_provenance(folder: Path, reports: list[SourceReport]) -> None:
    entries = {e["source"]: e for e in read_provenance(folder)}
    entries.update({r.source: r.as_json() for r in reports})
    (folder / PROVENANCE_FILE).parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"imports": [entries[k] for k in sorted(entries)]}, indent=2, ensure_ascii=False) + "\n"
    _atomic_write(folder / PROVENANCE_FILE, text)

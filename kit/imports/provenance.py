"""Provenance of imported tables as data-quality notes: what each import read, kept and dropped,
and what its source can and cannot show. `kit.intake.load_engagement` adds them to the problems
(severity "note"), so `kit validate` and every report's data-quality section show them."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from kit.imports.run import PROVENANCE_FILE, read_provenance
from kit.problems import Problem

ROWS_LISTED = 8  # rows named per drop reason; the rest are counted


def drop_summary(dropped: list[dict[str, object]]) -> list[str]:
    """Dropped rows grouped by reason: 'reason: rows 4, 7 (+3 more)'."""
    by_reason: dict[str, list[int]] = defaultdict(list)
    for d in dropped:
        by_reason[str(d["reason"])].append(int(d["row"]))
    out = []
    for reason, rows in sorted(by_reason.items(), key=lambda kv: kv[1][0]):
        listed = ", ".join(str(r) for r in rows[:ROWS_LISTED])
        more = f" (+{len(rows) - ROWS_LISTED} more)" if len(rows) > ROWS_LISTED else ""
        out.append(f"{len(rows)} row(s) {reason}: row{'s' if len(rows) > 1 else ''} {listed}{more}")
    return out


def provenance_problems(folder: Path) -> list[Problem]:
    """One note per import (source, format, sha256, rows read/kept/dropped, what it can show),
    plus one warning per drop reason and one for people the people table does not know."""
    problems = []
    for e in read_provenance(folder):
        file = f"{e['table']}.csv"
        dropped = list(e.get("dropped", []))
        problems.append(Problem(file=file, severity="note", message=(
            f"imported from {e['source']} ({e['title']}, sha256 {str(e['sha256'])[:12]}, {PROVENANCE_FILE.as_posix()}): "
            f"{e['rows_read']} row(s) read, {e['rows_kept']} kept, {len(dropped)} dropped. It shows {e['shows']}; "
            f"it cannot show {e['cannot_show']}.")))  # fmt: skip
        seats = dict(e.get("tool_seats") or {})
        if seats:
            problems.append(Problem(file="tools.csv", severity="note", message=(
                f"seats of {', '.join(f'{t} ({n})' for t, n in seats.items())} are the licences {e['source']} "
                "assigns (Assigned Products); hand-entered rows keep their own seats")))  # fmt: skip
        for line in drop_summary(dropped):
            problems.append(Problem(file=file, severity="warning", message=f"{e['source']}: {line}"))
        unresolved = list(e.get("unresolved", []))
        if unresolved:
            names = ", ".join(unresolved[:ROWS_LISTED]) + (f" (+{len(unresolved) - ROWS_LISTED} more)"
                                                           if len(unresolved) > ROWS_LISTED else "")  # fmt: skip
            problems.append(Problem(file=file, severity="warning", message=(
                f"{e['source']}: {len(unresolved)} person(s) not in people.csv, kept under their own identifier: {names}")))  # fmt: skip
    return problems

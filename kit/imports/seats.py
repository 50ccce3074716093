"""Seats from a licence report (Microsoft 365 active users' "Assigned Products") into tools.csv.

Each product maps to an inventory tool through the alias list (or the mapping file's `tools:`);
the tool's seats are the people holding any of its products. Merge rules, as for the other
imported tables:
- a hand-entered row (blank `source`) is kept exactly as entered: its seats are the seats paid
  for, which may exceed those assigned; a difference is recorded as a decision;
- a row an import wrote (`source` = the export's file name, `seats_as_of` = its report date) takes
  the seats of the newest report naming the tool (re-importing the same file changes nothing);
  every other cell, such as the price the consultant filled in, is kept;
- a tool no row lists gets a row with what the report and the alias list know (vendor, category,
  plan enterprise, approved, single sign-on); `cost_per_seat_month` and `max_data_class` are left
  blank for the consultant, and `kit validate` names them;
- rows a file wrote earlier for a product it no longer assigns are removed (a changed file replaces
  only its own rows).
Products that map to no tool the alias list, the mapping or tools.csv knows are not written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from kit.imports.build import Context, resolve_tool, tool_facts
from kit.imports.formats import header_key
from kit.intake.schemas import Tools, contract_columns

TOOL_COLUMNS = (*contract_columns(Tools), "source", "seats_as_of")
NEW_ROW = {"plan": "enterprise", "approved": "true", "sso_enabled": "true", "billing_cycle": "monthly"}


@dataclass
class SeatsMerge:
    """tools.csv after one licence report, and what was decided per tool."""

    text: str
    seats: dict[str, int] = field(default_factory=dict)  # tool -> seats written
    decisions: list[str] = field(default_factory=list)


def seats_per_tool(licensed: dict[str, set[str]], ctx: Context) -> tuple[dict[str, int], list[str]]:
    """Inventory tool -> distinct people holding one of its products, and the products left out."""
    holders: dict[str, set[str]] = {}
    left_out = []
    for product, users in sorted(licensed.items()):
        tool, how = resolve_tool(product, ctx)
        if how.startswith("as named"):
            left_out.append(product)
            continue
        holders.setdefault(tool, set()).update(users)
    return {tool: len(users) for tool, users in sorted(holders.items())}, left_out


def merge_seats(text: str | None, source: str, as_of: str, licensed: dict[str, set[str]], ctx: Context) -> SeatsMerge:
    """tools.csv's text (None: no file yet) with this report's seats merged (see the module docstring)."""
    seats, left_out = seats_per_tool(licensed, ctx)
    header, rows = _read(text)
    columns = header + [c for c in TOOL_COLUMNS if c not in header]
    merge = SeatsMerge(text="")
    by_key = {header_key(r.get("tool", "")): r for r in rows}
    for tool, n in seats.items():
        row = by_key.get(header_key(tool))
        if row is None:
            facts = tool_facts().get(header_key(tool), ("", "other"))
            row = {**NEW_ROW, "tool": tool, "vendor": facts[0], "category": facts[1]}
            rows.append(row)
            by_key[header_key(tool)] = row
            merge.decisions.append(f'tools.csv: new row "{tool}" with {n} seat(s) assigned; fill in its '
                                   "cost_per_seat_month and max_data_class (and check vendor, category, plan)")  # fmt: skip
        elif not row.get("source", "").strip():
            if str(row.get("seats", "")).strip() != str(n):
                merge.decisions.append(f'tools.csv: "{row["tool"]}" is entered by hand with {row.get("seats") or "no"} '
                                       f"seat(s); the report assigns {n}: kept as entered (seats paid for may "
                                       "exceed those assigned)")  # fmt: skip
            continue
        elif row["source"].strip() != source and str(row.get("seats_as_of") or "").strip() > as_of:
            merge.decisions.append(f'tools.csv: "{row["tool"]}" keeps the seats of {row["source"]} '
                                   f"(a newer report, {row['seats_as_of']}); this report assigns {n}")  # fmt: skip
            continue
        row.update({"seats": str(n), "source": source, "seats_as_of": as_of})
        merge.seats[row["tool"]] = n
    gone = [r for r in rows if r.get("source", "").strip() == source and r["tool"] not in merge.seats]
    rows = [r for r in rows if r not in gone]
    merge.decisions += [f'tools.csv: "{r["tool"]}" removed (this report no longer assigns it)' for r in gone]
    if left_out:
        merge.decisions.append("products not written to tools.csv (not in the alias list, import_mapping.yaml tools "
                               "or tools.csv): " + ", ".join(left_out))  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows({c: r.get(c) or "" for c in columns} for r in rows)
    merge.text = out.getvalue()
    return merge


def _read(text: str | None) -> tuple[list[str], list[dict[str, str]]]:
    if not text:
        return [], []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or () if h]
    rows = [{h.strip().lower(): v or "" for h, v in raw.items() if h} for raw in reader]
    return header, rows

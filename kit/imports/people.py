"""One person, many sources: email, user principal name, login and name resolve to one
identifier through the engagement's people table (`<engagement>/people.csv`).

people.csv columns: id, email, name, department, role, aliases (other spellings: logins, user
principal names, concealed report hashes; `;`-separated). `kit import` proposes it from the
sources when it is absent (id = the lower-cased email, else the name or the report's identifier)
and uses it, untouched, when present; identities it cannot resolve are listed, never guessed.
Identifiers are pseudonymized at load like every person identifier.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

PEOPLE_FILE = "people.csv"
PEOPLE_COLUMNS = ("id", "email", "name", "department", "role", "aliases")
CONCEALED = re.compile(r"^[0-9a-fA-F]{32}$")  # Microsoft 365 reports with concealed names


def name_key(name: str) -> str:
    """A person's name compared ignoring case, spaces and "Last, First" order."""
    text = " ".join(name.split())
    if text.count(",") == 1:
        last, first = (p.strip() for p in text.split(","))
        text = f"{first} {last}"
    return text.casefold()


@dataclass(frozen=True)
class Identity:
    """A person as one export names them."""

    user: str = ""  # email, user principal name, login or a concealed hash
    name: str = ""
    email: str = ""
    department: str = ""
    role: str = ""

    @property
    def concealed(self) -> bool:
        return bool(CONCEALED.match(self.user))

    @property
    def best_email(self) -> str:
        if self.email:
            return self.email.strip().lower()
        return self.user.strip().lower() if "@" in self.user else ""

    @property
    def label(self) -> str:
        return self.user or self.email or self.name


@dataclass
class People:
    """The people table and the lookups built from it."""

    rows: list[dict[str, str]] = field(default_factory=list)
    proposed: bool = False  # built by this import, not read from people.csv
    by_key: dict[str, str] = field(default_factory=dict)

    def index(self) -> People:
        self.by_key = {}
        for row in self.rows:
            pid = row["id"]
            for key in (row.get("email", ""), row["id"], *row.get("aliases", "").split(";")):
                if key.strip():
                    self.by_key.setdefault(key.strip().lower(), pid)
            if row.get("name", "").strip():
                self.by_key.setdefault("name:" + name_key(row["name"]), pid)
        return self

    def resolve(self, who: Identity) -> str | None:
        """The people-table id of an identity, or None."""
        for key in (who.best_email, who.user.strip().lower()):
            if key and key in self.by_key:
                return self.by_key[key]
        if who.name and "name:" + name_key(who.name) in self.by_key:
            return self.by_key["name:" + name_key(who.name)]
        return None

    def get(self, pid: str) -> dict[str, str] | None:
        return next((r for r in self.rows if r["id"] == pid), None)


def read_people(path: Path) -> People:
    """people.csv as written or edited by the consultant (headers compared case-insensitively)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for raw in reader:
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            if row.get("id"):
                rows.append({c: row.get(c, "") for c in PEOPLE_COLUMNS})
    return People(rows=rows).index()


def propose_people(identities: list[Identity]) -> People:
    """A people table from the identities the sources name: one person per email; a name or login
    seen beside an email joins that person; the rest become people of their own."""
    rows: dict[str, dict[str, str]] = {}
    alias_of: dict[str, str] = {}
    for who in identities:
        email = who.best_email
        if not email:
            continue
        row = rows.setdefault(email, {c: "" for c in PEOPLE_COLUMNS} | {"id": email, "email": email})
        _fill(row, who)
        for key in (who.user.strip().lower(), "name:" + name_key(who.name) if who.name else ""):
            if key and key != email:
                alias_of.setdefault(key, email)
                if not key.startswith("name:") and key not in row["aliases"].split(";"):
                    row["aliases"] = ";".join(a for a in (row["aliases"], key) if a)
    for who in identities:
        if who.best_email:
            continue
        known = alias_of.get(who.user.strip().lower()) or (alias_of.get("name:" + name_key(who.name)) if who.name else None)
        if known:
            _fill(rows[known], who)
            continue
        pid = who.user.strip() or " ".join(who.name.split())
        if not pid:
            continue
        row = rows.setdefault(pid.lower(), {c: "" for c in PEOPLE_COLUMNS} | {"id": pid})
        _fill(row, who)
    ordered = [rows[k] for k in sorted(rows)]
    return People(rows=ordered, proposed=True).index()


def _fill(row: dict[str, str], who: Identity) -> None:
    for column, value in (("name", who.name), ("department", who.department), ("role", who.role)):
        if value and not row[column]:
            row[column] = " ".join(value.split())


def write_people(people: People, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=PEOPLE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(people.rows)

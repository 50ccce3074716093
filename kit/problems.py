"""Problems found in a client's input, reported all at once in the contract's format."""

from __future__ import annotations

import hashlib
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning", "note"]  # a note: provenance, shown with the warnings

SHOWN_PER_COLUMN = 20  # problems shown on the console per (file, column); the rest are counted
SHOWN_IN_ALL = 200  # problems shown on the console in all
PROBLEMS_FILE = Path(".kit") / "problems.txt"  # the complete list, in the engagement's scratch folder


@dataclass(frozen=True)
class Problem:
    """One problem in one input file.

    `row` is the row number as a spreadsheet shows it (header = row 1); None for a
    problem with the whole file or a setting. `column` is the column (or settings key).
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
            if self.column is not None:
                where += f", column {self.column}"
        if self.value is not None:
            return f'{where}: "{self.value}" {self.message}'
        return f"{where}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class IntakeError(Exception):
    """Raised when input has errors; carries every problem found, not only the first.

    `folder` is the engagement folder when known (the full problem list is written under it).
    """

    def __init__(self, problems: list[Problem], folder: Path | None = None):
        self.problems = list(problems)
        self.folder = folder
        super().__init__(self.problems)

    def __str__(self) -> str:  # built on demand: a file can hold a hundred thousand problems
        errors = [p for p in self.problems if p.is_error]
        lines = "\n".join(str(p) for p in errors)
        return f"{len(errors)} problem(s) in the input:\n{lines}"


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]


def shown_and_left_out(
    problems: list[Problem], per_column: int = SHOWN_PER_COLUMN, in_all: int = SHOWN_IN_ALL
) -> tuple[list[Problem], dict[tuple[str, str | None], int]]:
    """The problems to show (the first `per_column` of each file and column, at most `in_all`),
    and how many of each (file, column) are left out. Errors come before warnings."""
    ordered = errors(problems) + warnings(problems)
    shown: list[Problem] = []
    per: Counter[tuple[str, str | None]] = Counter()
    left_out: Counter[tuple[str, str | None]] = Counter()
    for p in ordered:
        key = (p.file, p.column)
        if per[key] < per_column and len(shown) < in_all:
            shown.append(p)
            per[key] += 1
        else:
            left_out[key] += 1
    return shown, dict(left_out)


def write_problem_list(problems: list[Problem], folder: Path | None) -> Path:
    """Write every problem, one contract line each (errors, then warnings), and return the file.

    The file is `<folder>/.kit/problems.txt` (the kit's own scratch folder, never a client file),
    else, when that cannot be written, a file in the temporary folder named after the engagement.
    Raises OSError when neither can be written.
    """
    text = "".join(f"{p}\n" for p in errors(problems) + warnings(problems))
    candidates = []
    if folder is not None and Path(folder).is_dir():
        candidates.append(Path(folder) / PROBLEMS_FILE)
    tag = hashlib.sha256(str(Path(folder or ".").resolve()).encode("utf-8")).hexdigest()[:12]
    candidates.append(Path(tempfile.gettempdir()) / f"kit-problems-{tag}.txt")
    for path in candidates:
        try:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return path
        except OSError as exc:
            failure = exc
    raise failure


def clear_problem_list(folder: Path) -> None:
    """Remove `<folder>/.kit/problems.txt` left by an earlier check, once the input has no problems."""
    try:
        (Path(folder) / PROBLEMS_FILE).unlink(missing_ok=True)
    except OSError:
        pass  # a stale list that cannot be removed is harmless: it is only read when its path is printed

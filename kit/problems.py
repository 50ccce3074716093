"""Problems found in a client's input, reported all at once in the contract's format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "note"]  # a note: provenance, shown with the warnings


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
    """Raised when input has errors; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error]
        lines = "\n".join(str(p) for p in errors)
        super().__init__(f"{len(errors)} problem(s) in the input:\n{lines}")


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]

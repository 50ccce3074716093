"""docs/methods.md's simulation-study table and the figures Phase 2's method notes show
(`kit.estimates.STUDY_RESULTS`) are the same study: one cannot be updated without the other."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit import estimates

DOC = Path(__file__).resolve().parents[1] / "docs" / "methods.md"
SETTINGS = ("default", "noisy", "atypical")  # the order of STUDY_RESULTS
ESTIMATORS = ("today", "new")


def _number(cell: str) -> float:
    text = cell.strip().replace("−", "-").replace("+", "")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def _doc_rows() -> dict[tuple[str, str], list[str]]:
    section = DOC.read_text(encoding="utf-8").split("## 4. Simulation study", 1)[1]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 11 and cells[0] in SETTINGS and cells[1] in ESTIMATORS:
            rows[cells[0], cells[1]] = cells
    return rows


@pytest.mark.parametrize("i", range(len(estimates.STUDY_RESULTS)))
def test_the_method_notes_quote_the_study_table_in_docs_methods(i):
    _, _, measured, other, untimed, mae, picks, losing = estimates.STUDY_RESULTS[i]
    cells = _doc_rows()[SETTINGS[i // 2], ESTIMATORS[i % 2]]
    # doc columns: setting, estimator, measured, other, no runs, sample's five, lowest, MAE, MAE all, picks, losing
    assert [_number(cells[k]) for k in (2, 3, 4, 7, 9, 10)] == pytest.approx([measured, other, untimed, mae, picks, losing], abs=5e-4)


def test_the_doc_table_has_every_setting_and_estimator():
    assert set(_doc_rows()) == {(s, e) for s in SETTINGS for e in ESTIMATORS}

"""The ROI-ranking phase's extra pages: the analysts' page of regression tables (pages/roi_regressions.html)."""

from __future__ import annotations

from kit.phases.roi.analysis import RoiResult
from kit.phases.roi.presentation import diagnostics_view, regression_view, residuals_chart


def analyst_items(r: RoiResult) -> list:
    """What the analysts' page shows: diagnostics chart, model fit table, every coefficient."""
    from kit import notebook as nb

    four = {"Coefficient": "{:.4f}", "Std. error (HC3)": "{:.4f}", "t": "{:.2f}", "p": "{:.4f}"}
    return [
        residuals_chart(r),
        nb.table(diagnostics_view(r), caption="Fit of each model", max_rows=10_000),
        nb.table(regression_view(r, ai_terms_only=False), formats=four, caption="Every coefficient", max_rows=10_000),
    ]


def analyst_note(path) -> str:
    """Where the analysts' regression page went (None: a live session with no run folder)."""
    if path is None:
        return "Live session without a run folder: `kit run` writes every regression table to a separate page."
    return f"Every regression table, coefficient by coefficient, is in this run's folder as pages/{path.name}."

"""kit.text is the one money and number format: every deliverable writes a figure the same way."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from kit import deck, text
from kit.phases.roi import presentation as roi_presentation
from kit.phases.summary import analysis as summary_analysis

AMOUNT = -1234.5
WRITTEN = "−USD 1,234"  # true minus sign before the currency; whole units; half rounds to even


def roi_narrative(x: float) -> str:
    r = SimpleNamespace(
        n_workflows=3, confidence_level=0.9, horizon_months=12, currency="USD", interval_covers="the spread",
        start_here=pd.DataFrame({"workflow": ["Invoices"], "prior_only": [False]}),
        start_here_net_value=x, start_here_net_value_low=x, start_here_net_value_high=x,
        start_here_hours_saved=10.0, adoption_rate=0.6, ranking_basis="conservative",
    )  # fmt: skip
    return roi_presentation.summary_text(r)


def summary_headline(x: float) -> str:
    headlines = pd.DataFrame(
        {"key": ["tool_saving"], "value": [x], "low": [math.nan], "high": [math.nan], "unit": ["USD a year"]}
    )
    r = SimpleNamespace(
        currency="USD", client="Halden", workflows=pd.DataFrame(), headlines=headlines, missing=(), disagreements=(),
        owner="", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 6, 1), progress="", horizon_months=12,
    )  # fmt: skip
    return summary_analysis.executive_summary_text(r)


def deck_headline(x: float) -> str:
    return deck._headline(pd.Series({"value": x, "unit": "USD a year"}), "USD")


DELIVERABLES = {
    "kit.text.money": lambda x: text.money(x, "USD"),
    "ROI narrative": roi_narrative,
    "summary headline": summary_headline,
    "deck headline": deck_headline,
}


@pytest.mark.parametrize("where", DELIVERABLES)
def test_a_negative_amount_reads_the_same_in_every_deliverable(where):
    written = DELIVERABLES[where](AMOUNT)
    assert WRITTEN in written, written
    assert "USD −" not in written and "USD -" not in written and "-USD" not in written


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234.5, "USD 1,234"), (-1234.5, "−USD 1,234"), (-0.4, "USD 0"), (0, "USD 0"), (2_500_000, "USD 2,500,000"),
     (None, "not known"), (math.nan, "not known"), (math.inf, "not known"), ("n/a", "not known")],
)  # fmt: skip
def test_money_writes_whole_units_with_the_sign_before_the_currency(value, expected):
    assert text.money(value, "USD") == expected


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(-1234.5, 0, "−1,234"), (1234.56, 1, "1,234.6"), (-0.04, 1, "0.0"), (None, 0, "not known")],
)
def test_number_writes_a_true_minus_and_says_when_missing(value, digits, expected):
    assert text.number(value, digits) == expected


@pytest.mark.parametrize(("value", "expected"), [(0.425, "42%"), (-0.03, "−3%"), (-0.001, "0%"), (None, "not known")])
def test_share_writes_a_percentage_with_a_true_minus(value, expected):
    assert text.share(value) == expected

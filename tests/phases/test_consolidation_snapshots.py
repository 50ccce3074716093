"""Consolidation from last-activity snapshots (usage rows with `snapshot` and `window_days`): active
users are counted in the snapshot's window, the monthly trend has one point per snapshot and
never zero-filled months nobody measured, and the report says what one snapshot cannot show."""

from __future__ import annotations

import pandas as pd
import pytest

from kit.phases import consolidation as cs
from tests.phases.test_consolidation import SETTINGS, tools


def snapshot_usage(rows: list[tuple[str, str, str, str | None, int | None]]) -> pd.DataFrame:
    """(user, tool, last activity date, snapshot date or None for a daily row, window days)."""
    df = pd.DataFrame(rows, columns=["user_id", "tool", "date", "snapshot", "window_days"])
    return df.astype({"user_id": "str", "tool": "str", "date": "datetime64[ns]", "snapshot": "datetime64[ns]",
                      "window_days": "Int64"})  # fmt: skip


# Three people licensed for Copilot: u1 active in June, u2 last active in March, u3 in May.
ONE_SNAPSHOT = [
    ("u1", "Copilot", "2026-06-28", "2026-06-30", 30),
    ("u2", "Copilot", "2026-03-02", "2026-06-30", 30),
    ("u3", "Copilot", "2026-05-20", "2026-06-30", 30),
]


def test_one_snapshot_gives_active_users_in_its_window_and_a_single_trend_point():
    r = cs.analyze(tools({"tool": "Copilot", "seats": 3}), snapshot_usage(ONE_SNAPSHOT), SETTINGS, as_of="2026-06-30")
    assert r.tools.set_index("tool").loc["Copilot", "active_users"] == 1
    monthly = r.monthly_active[r.monthly_active["tool"] == "Copilot"]
    # before: three months (March, May, June) with one user each, as if it were a daily log
    assert monthly[["month", "active_users"]].values.tolist() == [[pd.Timestamp("2026-06-01"), 1]]
    assert r.adoption["people_active"].tolist() == [1]
    assert r.usage_snapshots == ("2026-06-30",)


def test_several_snapshots_give_one_point_each_and_no_zero_for_months_between():
    rows = ONE_SNAPSHOT + [
        ("u1", "Copilot", "2026-03-20", "2026-03-31", 30),
        ("u2", "Copilot", "2026-03-02", "2026-03-31", 30),
        ("u3", "Copilot", "2026-01-05", "2026-03-31", 30),
    ]
    r = cs.analyze(tools({"tool": "Copilot", "seats": 3}), snapshot_usage(rows), SETTINGS, as_of="2026-06-30")
    adoption = r.adoption.set_index("month")["people_active"]
    # March: u1 and u2 inside (Mar 2 - Mar 31]; June: u1 only; April and May were not measured
    assert adoption.to_dict() == {pd.Timestamp("2026-03-01"): 2, pd.Timestamp("2026-06-01"): 1}


def test_daily_rows_keep_their_calendar_months_beside_snapshots():
    rows = [("d1", "Chat", "2026-04-10", None, None), ("d1", "Chat", "2026-06-10", None, None),
            ("u1", "Copilot", "2026-06-28", "2026-06-30", 30)]  # fmt: skip
    r = cs.analyze(tools({"tool": "Chat"}, {"tool": "Copilot"}), snapshot_usage(rows), SETTINGS, as_of="2026-06-30")
    adoption = r.adoption.set_index("month")["people_active"].to_dict()
    # May is inside the daily log's span, so its zero is measured; June counts d1 and u1
    assert adoption == {pd.Timestamp("2026-04-01"): 1, pd.Timestamp("2026-05-01"): 0, pd.Timestamp("2026-06-01"): 2}


def test_single_snapshot_report_text_says_it_shows_no_trend():
    r = cs.analyze(tools({"tool": "Copilot", "seats": 3}), snapshot_usage(ONE_SNAPSHOT), SETTINGS, as_of="2026-06-30")
    assert "not a monthly trend" in cs.adoption_text(r)
    notes = " ".join(cs.quality_notes(r)["Note"])
    assert "3 usage row(s) come from 1 last-activity snapshot" in notes


def test_usage_without_snapshot_columns_is_unchanged():
    daily = pd.DataFrame({"user_id": ["a", "a"], "tool": ["T", "T"],
                          "date": pd.to_datetime(["2026-05-03", "2026-06-03"])}).astype({"user_id": "str", "tool": "str"})  # fmt: skip
    r = cs.analyze(tools({"tool": "T"}), daily, SETTINGS, as_of="2026-06-30")
    assert r.adoption["people_active"].tolist() == [1, 1]
    assert r.usage_snapshots == ()


# A 90-day Copilot snapshot on 30 Jun 2026 (window 2 Apr - 30 Jun): six people last active on 20 June
# and twelve whose last activity was 15 April. All eighteen were active inside the window; a snapshot
# cannot say how they spread over the months, so the peak is the eighteen its window counts, not the
# twelve the April block happens to see (the six June people's April use is hidden by their later use).
NINETY_DAYS = ([(f"a{i}", "Copilot", "2026-06-20", "2026-06-30", 90) for i in range(6)]
               + [(f"b{i}", "Copilot", "2026-04-15", "2026-06-30", 90) for i in range(12)])  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "peak", "basis"),
    [
        (NINETY_DAYS, 18, "snapshot 30 Jun 2026 (90-day window)"),  # before: 12, the April block alone
        # a 180-day window counts only the part inside the last three 30-day blocks: the February user is out
        (NINETY_DAYS + [("c0", "Copilot", "2026-02-10", "2026-06-30", 90)], 18, "snapshot 30 Jun 2026 (90-day window)"),
        ([(*r[:3], "2026-06-30", 180) for r in NINETY_DAYS] + [("c0", "Copilot", "2026-02-10", "2026-06-30", 180)], 18,
         "snapshot 30 Jun 2026 (180-day window, its last 90 days)"),
        # monthly 30-day snapshots: each counts its own month; the busiest (May: 9) is the peak
        ([(f"j{i}", "Copilot", "2026-06-25", "2026-06-30", 30) for i in range(5)]
         + [(f"m{i}", "Copilot", "2026-05-25", "2026-05-31", 30) for i in range(9)]
         + [(f"p{i}", "Copilot", "2026-04-25", "2026-05-01", 30) for i in range(7)], 9, "30-day block to 31 May 2026"),
        # daily rows and a snapshot of the same tool: the window counts the people of both
        ([("d1", "Copilot", "2026-04-10", None, None), ("d2", "Copilot", "2026-04-11", None, None),
          ("s1", "Copilot", "2026-06-20", "2026-06-30", 90)], 3, "snapshot 30 Jun 2026 (90-day window)"),
        # daily rows only: the blocks as before
        ([("d1", "Copilot", "2026-04-10", None, None), ("d2", "Copilot", "2026-04-11", None, None),
          ("d1", "Copilot", "2026-06-20", None, None)], 2, "30-day block to 01 May 2026"),
    ],
)  # fmt: skip
def test_downsizing_peak_counts_each_snapshot_window_as_measured(rows, peak, basis):
    r = cs.analyze(tools({"tool": "Copilot", "seats": 40}), snapshot_usage(rows), SETTINGS, as_of="2026-06-30")
    copilot = r.tools.set_index("tool").loc["Copilot"]
    assert (copilot["peak_recent_actives"], copilot["peak_basis"]) == (peak, basis)


def test_a_ninety_day_snapshot_downsizes_to_its_window_not_to_one_block():
    r = cs.analyze(tools({"tool": "Copilot", "seats": 40, "cost_per_seat_month": 30.0}), snapshot_usage(NINETY_DAYS),
                   SETTINGS, as_of="2026-06-30")  # fmt: skip
    copilot = r.tools.set_index("tool").loc["Copilot"]
    # 6 of 40 seats used in the last 30 days (15%: above the 10% cancel line, below the 80% floor)
    assert copilot["recommendation"] == "downsize"
    # ceil(18 x 1.1) = 20 seats kept; before: ceil(12 x 1.1) = 14, a saving of 9,360 instead of 7,200
    assert (copilot["target_seats"], copilot["annual_saving"]) == (20, (40 - 20) * 30.0 * 12)
    assert "snapshot 30 Jun 2026 (90-day window)" in copilot["reason"]
    method = cs.method_text(r)
    assert "a snapshot counts everyone active in its window" in method
    assert "cannot show how they spread over the months" in method

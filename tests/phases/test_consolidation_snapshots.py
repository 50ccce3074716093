"""Consolidation from last-activity snapshots (usage rows with `snapshot` and `window_days`): active
users are counted in the snapshot's window, the monthly trend has one point per snapshot and
never zero-filled months nobody measured, and the report says what one snapshot cannot show."""

from __future__ import annotations

import pandas as pd

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

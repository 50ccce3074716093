"""Consolidation on hand-made tables (every figure checked against a hand computation), on the
sample client's planted facts, and the deliverable's escaping of hostile tool names."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kit.evidence import UTILIZATION_FLOOR
from kit.intake import load_engagement
from kit.phases import consolidation as cs
from kit.settings import parse_settings

SETTINGS = parse_settings({"client": "T", "slug": "t", "start_date": "2027-01-11", "hourly_cost": 50})
AS_OF = pd.Timestamp("2026-12-31")
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "halden"

TOOL_DEFAULTS = {
    "vendor": "Vendor", "category": "chat_assistant", "plan": "team", "seats": 10, "cost_per_seat_month": 20.0,
    "approved": True, "max_data_class": "internal", "billing_cycle": "monthly", "renewal_date": pd.NaT, "owner": "",
    "sso_enabled": True,
}  # fmt: skip


def tools(*rows: dict) -> pd.DataFrame:
    """A tools table with the loader's dtypes; each row gives `tool` and whatever differs."""
    df = pd.DataFrame([TOOL_DEFAULTS | row for row in rows])
    return df.astype({"tool": "str", "vendor": "str", "category": "str", "plan": "str", "seats": "int64",
                      "cost_per_seat_month": "float64", "approved": "bool", "max_data_class": "str",
                      "billing_cycle": "str", "renewal_date": "datetime64[ns]", "owner": "str",
                      "sso_enabled": "boolean"})  # fmt: skip


def usage(*rows: tuple[str, str, int]) -> pd.DataFrame:
    """Usage rows (user, tool, days before AS_OF)."""
    df = pd.DataFrame(
        [(u, t, AS_OF - pd.Timedelta(days=d)) for u, t, d in rows], columns=["user_id", "tool", "date"]
    )
    return df.astype({"user_id": "str", "tool": "str", "date": "datetime64[ns]"})


def expenses(*rows: tuple[str, str, str, float, str]) -> pd.DataFrame:
    """Expense lines (employee, date, vendor, amount, description)."""
    df = pd.DataFrame(
        [(f"X{i}", pd.Timestamp(d), e, v, a, desc) for i, (e, d, v, a, desc) in enumerate(rows)],
        columns=["expense_id", "date", "employee_id", "vendor", "amount", "description"],
    )
    return df.astype({"expense_id": "str", "employee_id": "str", "vendor": "str", "description": "str"})


def run(tools_df, usage_df, **kwargs):
    return cs.analyze(tools_df, usage_df, SETTINGS, as_of=kwargs.pop("as_of", AS_OF), **kwargs)


def row(result, tool):
    return result.tools.set_index("tool").loc[tool]


# ---------------------------------------------------------------- the window


@pytest.mark.parametrize(
    ("days_before", "window", "active"),
    [
        (0, 30, 1),  # as_of itself is inside
        (29, 30, 1),  # the first day of the window: (as_of − 30, as_of]
        (30, 30, 0),  # exactly 30 days before as_of is outside
        (31, 30, 0),
        (-1, 30, 0),  # after as_of: ignored
        (59, 60, 1),
        (60, 60, 0),
        (89, 90, 1),
        (90, 90, 0),
    ],
)
def test_active_window_is_the_n_days_ending_on_as_of_inclusive(days_before, window, active):
    r = run(tools({"tool": "A"}), usage(("u1", "A", days_before), ("u2", "A", 200)), window_days=window)
    assert row(r, "A")["active_users"] == active
    assert r.window_start == (AS_OF - pd.Timedelta(days=window - 1)).date()


def test_window_defaults_to_the_engagement_setting():
    settings = SETTINGS.model_copy(update={"active_window_days": 60})
    r = cs.analyze(tools({"tool": "A"}), usage(("u1", "A", 45)), settings, as_of=AS_OF)
    assert (r.window_days, row(r, "A")["active_users"]) == (60, 1)


def test_usage_after_as_of_is_left_out_and_counted():
    r = run(tools({"tool": "A"}), usage(("u1", "A", -3), ("u2", "A", 1)))
    assert row(r, "A")["users_ever"] == 1
    assert r.n_usage_after_as_of == 1


def test_as_of_none_means_the_last_usage_date():
    r = cs.analyze(tools({"tool": "A"}), usage(("u1", "A", 40), ("u2", "A", 10)), SETTINGS, as_of=None)
    assert r.as_of == (AS_OF - pd.Timedelta(days=10)).date()
    assert row(r, "A")["active_users"] == 1  # the other row is exactly 30 days before that as_of


# ---------------------------------------------------------------- spend and use


def test_utilization_idle_cost_and_cost_per_active_user():
    # 10 seats at 20 a month; 6 people active (one of them on several days), one only long ago.
    rows = [(f"u{i}", "A", i) for i in range(6)] + [("u0", "A", 3), ("old", "A", 200)]
    r = run(tools({"tool": "A", "seats": 10, "cost_per_seat_month": 20.0}), usage(*rows))
    a = row(r, "A")
    assert a["annual_cost"] == pytest.approx(10 * 20 * 12)  # 2,400
    assert a["active_users"] == 6
    assert a["users_ever"] == 7
    assert a["utilization"] == pytest.approx(0.6)
    assert bool(a["below_floor"]) is True
    assert a["idle_seats"] == 4
    assert a["idle_seat_cost"] == pytest.approx(4 * 20 * 12)  # 960
    assert a["cost_per_active_user"] == pytest.approx(2400 / 6)  # 400


@pytest.mark.parametrize(("active", "below"), [(7, True), (8, False), (9, False)])
def test_utilization_floor_is_eighty_percent(active, below):
    r = run(tools({"tool": "A", "seats": 10}), usage(*[(f"u{i}", "A", 1) for i in range(active)]))
    assert UTILIZATION_FLOOR == 0.8
    assert bool(row(r, "A")["below_floor"]) is below


def test_tool_names_in_usage_match_the_inventory_ignoring_case_and_spaces():
    r = run(tools({"tool": "ChatGPT Team"}), usage(("u1", "chatgpt  team", 1), ("u2", "CHATGPT TEAM", 2)))
    assert row(r, "ChatGPT Team")["active_users"] == 2
    assert r.shadow.empty


# ---------------------------------------------------------------- recommendations


def _recent(peaks: tuple[int, int, int], tool: str = "A") -> list[tuple[str, str, int]]:
    """Usage giving `peaks` distinct people in the 30-day blocks ending at as_of (newest first)."""
    rows = []
    for block, n in enumerate(peaks):
        rows += [(f"b{block}u{i}", tool, 30 * block + 5) for i in range(n)]
    return rows


@pytest.mark.parametrize(
    ("peaks", "buffer", "recommendation", "target", "saving"),
    [
        ((6, 7, 5), 0.1, "downsize", 8, (10 - 8) * 20 * 12),  # peak 7 × 1.1 = 7.7 → 8 seats
        ((6, 7, 5), 0.0, "downsize", 7, (10 - 7) * 20 * 12),
        ((6, 7, 5), 0.5, "keep", 10, 0.0),  # 7 × 1.5 = 10.5 → 11 > 10 seats
        ((7, 2, 2), 0.1, "downsize", 8, (10 - 8) * 20 * 12),  # the newest block is the peak
        ((8, 9, 9), 0.1, "keep", 10, 0.0),  # 80% used: no downsizing
    ],
)
def test_downsize_to_recent_peak_plus_buffer(peaks, buffer, recommendation, target, saving):
    r = run(tools({"tool": "A", "seats": 10, "cost_per_seat_month": 20.0}), usage(*_recent(peaks)), downsize_buffer=buffer)
    a = row(r, "A")
    assert a["peak_recent_actives"] == max(peaks)
    assert (a["recommendation"], a["target_seats"]) == (recommendation, target)
    assert a["annual_saving"] == pytest.approx(saving)


def test_buffer_rounding_does_not_add_a_seat_to_an_exact_product():
    # 10 × 1.1 is 11.000000000000002 in floating point: 11 seats, not 12.
    r = run(tools({"tool": "A", "seats": 20}), usage(*_recent((10, 0, 0))))
    assert row(r, "A")["target_seats"] == 11


@pytest.mark.parametrize(
    ("seats", "active", "recommendation", "target", "saving"),
    [
        (5, 0, "cancel", 0, 5 * 69 * 12),  # nobody
        (20, 1, "cancel", 0, 20 * 69 * 12),  # 5% of seats: almost nobody
        (10, 1, "downsize", 2, 8 * 69 * 12),  # 10% is not "almost nobody": 1 × 1.1 → 2 seats
    ],
)
def test_cancel_when_nobody_or_almost_nobody_uses_it(seats, active, recommendation, target, saving):
    r = run(tools({"tool": "J", "seats": seats, "cost_per_seat_month": 69.0}), usage(*[(f"u{i}", "J", 2) for i in range(active)]))
    j = row(r, "J")
    assert (j["recommendation"], j["target_seats"]) == (recommendation, target)
    assert j["annual_saving"] == pytest.approx(saving)


def test_a_tool_without_any_usage_rows_says_to_check_the_export():
    r = run(tools({"tool": "A"}, {"tool": "B"}), usage(("u1", "A", 1)))
    assert row(r, "B")["recommendation"] == "cancel"
    assert "confirm the usage export" in row(r, "B")["reason"]


CHAT = tools(
    {"tool": "Keep", "plan": "enterprise", "max_data_class": "confidential", "seats": 10, "cost_per_seat_month": 30.0},
    {"tool": "Team", "seats": 5, "cost_per_seat_month": 20.0},
    {"tool": "Free", "plan": "free", "seats": 0, "cost_per_seat_month": 0.0, "approved": False,
     "max_data_class": "public", "sso_enabled": False},
)  # fmt: skip
CHAT_USAGE = usage(
    *[(f"u{i}", "Keep", 1) for i in range(1, 6)],  # u1..u5 on the kept tool
    *[(u, "Team", 2) for u in ("u4", "u5", "u6", "u7")],  # two already on Keep, two move
    ("u8", "Free", 3),  # moves
)


def test_consolidation_keeps_the_best_governed_tool_and_moves_the_others_users():
    r = run(CHAT, CHAT_USAGE)
    keep, team, free = row(r, "Keep"), row(r, "Team"), row(r, "Free")
    assert (team["recommendation"], team["moves_to"], team["users_moved"]) == ("consolidate", "Keep", 2)
    assert (free["recommendation"], free["moves_to"], free["users_moved"]) == ("consolidate", "Keep", 1)
    # Keep needs ceil((5 + 3) × 1.1) = 9 of its 10 seats: no extra seat, and it is downsized.
    assert keep["extra_seats"] == 0
    assert (keep["recommendation"], keep["target_seats"]) == ("downsize", 9)
    assert keep["annual_saving"] == pytest.approx(1 * 30 * 12)
    assert team["annual_saving"] == pytest.approx(5 * 20 * 12)  # 1,200
    assert free["annual_saving"] == pytest.approx(0.0)
    c = r.consolidation.set_index("keep").loc["Keep"]
    assert (c["users_moved"], c["extra_seats"], c["annual_saving"]) == (3, 0, pytest.approx(1200.0))


def test_consolidation_charges_extra_seats_to_the_tools_people_come_from():
    small = CHAT.assign(seats=CHAT["seats"].where(CHAT["tool"] != "Keep", 6))
    r = run(small, CHAT_USAGE)
    keep, team, free = row(r, "Keep"), row(r, "Team"), row(r, "Free")
    # Keep: 5 active of 6 seats needs 9 with the 3 moving in: 3 extra seats at 30 a month = 1,080.
    assert (keep["recommendation"], keep["extra_seats"], keep["target_seats"]) == ("keep", 3, 9)
    assert keep["annual_saving"] == pytest.approx(0.0)
    assert team["annual_saving"] == pytest.approx(1200 - 1080 * 2 / 3)  # 480
    assert free["annual_saving"] == pytest.approx(0 - 1080 * 1 / 3)  # −360: governance costs money
    assert r.totals["saving_consolidate"] == pytest.approx(1200 - 1080)
    assert r.consolidation.loc[0, "extra_seat_cost"] == pytest.approx(1080)


def test_approved_beats_more_used_when_choosing_the_tool_to_keep():
    t = tools({"tool": "Approved", "seats": 5}, {"tool": "Popular", "seats": 20, "approved": False})
    u = usage(*[(f"p{i}", "Popular", 1) for i in range(18)], ("a1", "Approved", 1))
    r = run(t, u)
    assert row(r, "Popular")["moves_to"] == "Approved"


def test_category_other_is_never_consolidated():
    t = tools({"tool": "X", "category": "other"}, {"tool": "Y", "category": "other"})
    r = run(t, usage(*[(f"u{i}", "X", 1) for i in range(9)], *[(f"v{i}", "Y", 1) for i in range(9)]))
    assert set(r.tools["recommendation"]) == {"keep"}


def test_totals_add_up():
    r = run(CHAT, CHAT_USAGE)
    t = r.totals
    assert t["current_annual_spend"] == pytest.approx(10 * 30 * 12 + 5 * 20 * 12)
    assert t["total_saving"] == pytest.approx(t["saving_cancel"] + t["saving_consolidate"] + t["saving_downsize"])
    assert t["spend_after"] == pytest.approx(t["current_annual_spend"] - t["total_saving"])


# ---------------------------------------------------------------- renewals


@pytest.mark.parametrize(
    ("renewal", "cycle", "next_renewal", "decide_by", "stage"),
    [
        ("2027-01-15", "annual", "2027-01-15", "2026-12-31", "30 days: decide now"),  # 15 days: decide today
        ("2027-02-14", "annual", "2027-02-14", "2027-01-15", "60 days: negotiate"),  # 45 days
        ("2027-03-21", "annual", "2027-03-21", "2027-02-19", "90 days: review use"),  # 80 days
        ("2026-02-01", "annual", "2027-02-01", "2027-01-02", "60 days: negotiate"),  # past: rolls a year
        ("2026-11-20", "monthly", "2027-01-20", "2026-12-31", "30 days: decide now"),  # past: rolls by months
    ],
)
def test_renewal_calendar_follows_the_90_60_30_cycle(renewal, cycle, next_renewal, decide_by, stage):
    r = run(tools({"tool": "A", "renewal_date": pd.Timestamp(renewal), "billing_cycle": cycle}), usage(("u", "A", 1)))
    cal = r.renewals.set_index("tool").loc["A"]
    assert cal["next_renewal"] == pd.Timestamp(next_renewal)
    assert cal["decide_by"] == pd.Timestamp(decide_by)
    assert cal["stage"] == stage


def test_renewals_beyond_ninety_days_are_not_in_the_calendar():
    r = run(tools({"tool": "A", "renewal_date": pd.Timestamp("2027-04-01")}), usage(("u", "A", 1)))  # 91 days
    assert r.renewals.empty


# ---------------------------------------------------------------- shadow AI


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("OPENAI *CHATGPT SUBSCR", "ChatGPT"),
        ("openai chatgpt plus san francisco ca", "ChatGPT"),
        ("Anthropic, PBC", "Claude"),
        ("ANTHROPIC* CLAUDE.AI SUBSCRIPTION", "Claude"),
        ("CLAUDE'S BBQ & GRILL Customer dinner", None),
        ("OPENAIR BISTRO Team lunch", None),
        ("GITHUB COPILOT 4155551234", "GitHub Copilot"),
        ("MICROSOFT*COPILOT PRO", "Microsoft Copilot"),
        ("Otter.ai Inc. Meeting notes", "Otter.ai"),
        ("MIDJOURNEY INC.", "Midjourney"),
        ("PERPLEXITY.AI", "Perplexity"),
        ("Staples 00123 paper", None),
    ],
)
def test_vendor_names_match_in_any_case_and_with_extra_words(text, product):
    got = cs.match_ai_product(pd.Series([text])).iloc[0]
    assert (None if pd.isna(got) else got) == product


def test_every_vendor_list_row_is_the_first_match_for_its_own_name():
    table = cs.ai_vendors()
    got = cs.match_ai_product(table["product"] + " " + table["vendor"])
    assert got.tolist() == table["product"].tolist()


SUBS = expenses(
    ("e1", "2026-09-14", "OPENAI *CHATGPT SUBSCR", 20.0, "ChatGPT Plus"),
    ("e1", "2026-10-14", "openai chatgpt plus san francisco", 20.0, ""),
    ("e1", "2026-11-14", "OPENAI *CHATGPT SUBSCR", 20.0, ""),
    ("e1", "2026-11-15", "OPENAI *CHATGPT SUBSCR", 20.0, "charged twice"),
    ("e1", "2026-11-20", "OPENAI *CHATGPT SUBSCR", -20.0, "Refund of double charge"),
    ("e1", "2026-12-14", "OPENAI *CHATGPT SUBSCR", 20.0, ""),
    ("e2", "2026-06-01", "Midjourney Inc", 30.0, "one image pack"),
    ("e3", "2026-07-01", "CLAUDE'S BBQ & GRILL", 68.2, "Customer dinner"),
    ("e4", "2025-06-01", "OPENAI *CHATGPT SUBSCR", 20.0, "more than a year before as_of"),
    ("e5", "2026-12-01", "OpenAI", 720.0, "ChatGPT Team monthly invoice"),
)


def test_expensed_ai_nets_refunds_and_recognises_monthly_charges():
    t = tools({"tool": "ChatGPT Team", "vendor": "OpenAI", "seats": 12, "cost_per_seat_month": 60.0})
    r = run(t, usage(("e1", "ChatGPT Team", 1)), expenses=SUBS)
    m = r.expense_matches.set_index("expense_id")
    assert "X7" not in m.index  # Claude's BBQ is not Claude
    assert m.loc["X9", "covered_by"] == "ChatGPT Team"  # 720 = the approved tool's own monthly bill
    assert not m.loc["X9", "shadow"]
    assert m.loc[["X0", "X1", "X2", "X3", "X5"], "recurring"].all()  # monthly, despite the double charge
    assert not m.loc["X6", "recurring"]  # one Midjourney purchase
    f = r.shadow[r.shadow["kind"] == cs.EXPENSED].set_index("tool")
    assert f.loc["ChatGPT", "annual_spend"] == pytest.approx(20 * 5 - 20)  # refund subtracted; 2025 line outside
    assert f.loc["ChatGPT", "people"] == 1
    assert "1 refund" in f.loc["ChatGPT", "detail"]
    assert "monthly subscription" in f.loc["ChatGPT", "detail"]
    assert f.loc["Midjourney", "annual_spend"] == pytest.approx(30.0)
    assert r.totals["shadow_spend"] == pytest.approx(80 + 30)


def test_unlisted_tools_in_usage_are_shadow_findings_with_people_counted():
    r = run(tools({"tool": "A"}), usage(("u1", "A", 1), ("u2", "Perplexity", 3), ("u3", "perplexity", 50), ("u2", "Perplexity", 4)))
    f = r.shadow[r.shadow["kind"] == cs.UNLISTED].set_index("tool")
    assert list(f.index) == ["Perplexity"]
    assert f.loc["Perplexity", "people"] == 2
    assert "1 in the last 30 days" in f.loc["Perplexity", "detail"]
    assert r.totals["shadow_people"] == 2


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({"plan": "free", "seats": 0, "cost_per_seat_month": 0.0, "approved": False}, cs.CONSUMER),
        ({"plan": "individual"}, cs.CONSUMER),
        ({"approved": False}, cs.UNAPPROVED),
        ({"sso_enabled": False}, cs.NO_SSO),
        ({"sso_enabled": pd.NA}, None),  # unknown SSO is not a finding
        ({}, None),
    ],
)
def test_consumer_plans_unapproved_tools_and_missing_sso_in_use_are_governance_gaps(overrides, kind):
    r = run(tools({"tool": "A"} | overrides), usage(("u1", "A", 1), ("u2", "A", 2)))
    assert r.shadow.empty  # an inventory tool is never shadow AI
    flagged = r.governance_gaps[r.governance_gaps["tool"] == "A"]
    if kind is None:
        assert flagged.empty
    else:
        assert flagged["kind"].tolist() == [kind]
        assert flagged["people"].tolist() == [2]


def test_an_unused_consumer_tool_is_not_a_governance_gap():
    r = run(tools({"tool": "A", "plan": "free"}), usage(("u1", "A", 100)))
    assert r.shadow.empty and r.governance_gaps.empty


# ---------------------------------------------------------------- data rules


def test_data_matrix_and_workflows_without_an_approved_tool():
    t = tools(
        {"tool": "Chat", "max_data_class": "internal"},
        {"tool": "Code", "category": "coding_assistant", "approved": False},
        {"tool": "ERP", "category": "erp", "plan": "enterprise", "max_data_class": "confidential"},  # not an AI tool
    )
    wf = pd.DataFrame(
        [("W1", "Fin", "Memo", "A", "writing", 10, 30, "internal"),
         ("W2", "Fin", "Board pack", "A", "writing", 10, 30, "confidential"),
         ("W3", "IT", "Scripts", "Dev", "coding", 10, 30, "internal"),
         ("W4", "HR", "Payroll", "A", "other", 10, 30, "restricted"),
         ("W5", "Ops", "Forklift", "W", "physical_onsite", 10, 30, "internal")],
        columns=["workflow_id", "department", "workflow", "owner_role", "task_type", "runs_per_month",
                 "minutes_per_run", "data_sensitivity"],
    )  # fmt: skip
    r = run(t, usage(("u1", "Chat", 1)), workflows=wf)
    assert r.data_matrix["tool"].tolist() == ["Chat"]  # approved AI tools only
    assert r.data_matrix.loc[0, ["public", "internal", "confidential", "restricted"]].tolist() == [True, True, False, False]
    u = r.uncovered_workflows.set_index("workflow_id")
    assert sorted(u.index) == ["W2", "W3", "W4"]
    assert u.loc["W4", "reason"] == "restricted data may go into no AI tool"
    assert u.loc["W3", "reason"] == "no approved coding assistant tool is cleared for internal data"
    assert u.loc["W2", "annual_hours"] == pytest.approx(10 * 12 * 30 / 60)


def test_policy_lists_approved_tools_per_data_class_and_escapes_names():
    t = tools({"tool": "<b>Chat</b>", "plan": "enterprise", "max_data_class": "confidential"})
    r = run(t, usage(("u1", "<b>Chat</b>", 1)))
    text = cs.acceptable_use_policy_text(r, SETTINGS)
    assert "- Confidential (contracts, prices, financials, customer records): only &lt;b&gt;Chat&lt;/b&gt;." in text
    assert "Restricted" in text and "no AI tool, ever" in text
    assert "How to request a new tool" in text
    html = cs.acceptable_use_policy_html(r, SETTINGS)
    assert "&lt;b&gt;Chat&lt;/b&gt;" in html and "<b>Chat</b>" not in html


# ---------------------------------------------------------------- dashboard and adoption


def test_monthly_actives_and_adoption_curve():
    u = usage(("u1", "A", 0), ("u1", "A", 1), ("u2", "B", 5), ("u3", "Shadow", 40), ("u1", "A", 40), ("u9", "ERP", 1))
    t = tools({"tool": "A"}, {"tool": "B", "category": "writing_assistant"}, {"tool": "ERP", "category": "erp"})
    r = run(t, u, headcount=10)
    ma = r.monthly_active.set_index(["month", "tool"])["active_users"]
    assert ma[(pd.Timestamp("2026-12-01"), "A")] == 1
    assert ma[(pd.Timestamp("2026-11-01"), "Shadow")] == 1
    assert ma[(pd.Timestamp("2026-12-01"), "ERP")] == 1
    ad = r.adoption.set_index("month")
    assert ad.loc[pd.Timestamp("2026-12-01"), "people_active"] == 2  # u1 and u2; ERP is not an AI tool
    assert ad.loc[pd.Timestamp("2026-11-01"), "people_active"] == 2  # u3 (unlisted counts) and u1
    assert ad.loc[pd.Timestamp("2026-12-01"), "share"] == pytest.approx(0.2)
    assert bool(ad.loc[pd.Timestamp("2026-12-01"), "complete"]) is True


def test_charts_hold_aggregates_not_usage_rows():
    u = usage(*[(f"u{i % 7}", "A", i % 300) for i in range(2000)])
    r = run(tools({"tool": "A"}), u)
    for chart in (cs.usage_dashboard_chart(r), cs.adoption_chart(r), cs.spend_chart(r), cs.utilization_chart(r), cs.savings_chart(r)):
        spec = chart.to_dict()
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert rows <= 40
        assert spec.get("title") or any(layer.get("title") for layer in spec.get("layer", []))


def test_inputs_are_not_mutated():
    t, u = CHAT.copy(), CHAT_USAGE.copy()
    run(t, u)
    pd.testing.assert_frame_equal(t, CHAT)
    pd.testing.assert_frame_equal(u, CHAT_USAGE)


# ---------------------------------------------------------------- the sample client

needs_sample = pytest.mark.skipif(not (SAMPLE / "planted.json").is_file(), reason="sample client not generated")


@pytest.fixture(scope="module")
def sample():
    eng = load_engagement(SAMPLE)
    return eng, cs.analyze_engagement(eng), json.loads((SAMPLE / "planted.json").read_text())


@needs_sample
def test_sample_every_planted_idle_tool_is_cancelled(sample):
    _, r, planted = sample
    rec = r.tools.set_index("tool")["recommendation"]
    assert {t: rec[t] for t in planted["tools"]["idle_tools"]} == {t: "cancel" for t in planted["tools"]["idle_tools"]}


@needs_sample
def test_sample_active_users_and_utilization_match_the_plant(sample):
    _, r, planted = sample
    tools_ = r.tools.set_index("tool")
    assert tools_["active_users"].to_dict() == planted["tools"]["active_users_30d"]
    for tool, util in planted["tools"]["utilization"].items():
        assert tools_.loc[tool, "utilization"] == pytest.approx(util, abs=5e-4)


@needs_sample
def test_sample_window_edge_counts_the_29th_day_not_the_30th(sample):
    eng, r, planted = sample
    edge = planted["tools"]["window_edge"]
    assert row(r, edge["tool"])["active_users"] == edge["active_users_if_window_is_30_days"]
    wider = cs.analyze_engagement(eng, window_days=31)
    assert row(wider, edge["tool"])["active_users"] == edge["active_users_if_window_is_31_days"]


@needs_sample
def test_sample_over_provisioned_tools_are_flagged_and_acted_on(sample):
    _, r, planted = sample
    tools_ = r.tools.set_index("tool")
    for tool in planted["tools"]["over_provisioned"]:
        assert bool(tools_.loc[tool, "below_floor"])
        assert tools_.loc[tool, "recommendation"] in ("downsize", "consolidate")
        assert tools_.loc[tool, "annual_saving"] > 0


@needs_sample
def test_sample_every_overlap_is_consolidated_into_one_kept_tool(sample):
    _, r, planted = sample
    tools_ = r.tools.set_index("tool")
    for category, members in planted["tools"]["overlapping_categories"].items():
        part = tools_.loc[members]
        kept = part[~part["recommendation"].isin(["cancel", "consolidate"])]
        assert len(kept) == 1, category
        # the others stop: idle ones are cancelled, used ones consolidate into the kept tool
        movers = part[part["recommendation"] == "consolidate"]
        assert set(movers["moves_to"]) <= {kept.index[0]}, category
        assert len(part) - 1 == (part["recommendation"].isin(["cancel", "consolidate"])).sum(), category


@needs_sample
def test_sample_nothing_approved_and_well_used_is_cancelled(sample):
    _, r, planted = sample
    tools_ = r.tools.set_index("tool")
    assert not (tools_.loc[list(planted["tools"]["well_used_approved"]), "recommendation"] == "cancel").any()
    cancelled = tools_[tools_["recommendation"] == "cancel"]
    assert not (cancelled["approved"] & (cancelled["utilization"] >= UTILIZATION_FLOOR)).any()


@needs_sample
def test_sample_renewals_in_the_next_90_days(sample):
    _, r, planted = sample
    got = {t: d.date().isoformat() for t, d in zip(r.renewals["tool"], r.renewals["next_renewal"], strict=True)}
    assert got == planted["tools"]["renewals_within_90_days"]


@needs_sample
def test_sample_every_shadow_charge_is_found_and_no_trap(sample):
    _, r, planted = sample
    ex = planted["expenses"]
    m = r.expense_matches
    found = set(m.loc[m["shadow"], "expense_id"])
    assert found == set(ex["shadow_expense_ids"])
    assert not set(ex["keyword_trap_expense_ids"]) & set(m["expense_id"])
    assert set(ex["refund_expense_ids"]) <= found
    by_product = m[m["shadow"]].groupby("product")["expense_id"].agg(set).to_dict()
    assert by_product == {k: set(v) for k, v in ex["shadow_expense_by_tool"].items()}
    assert r.totals["shadow_spend"] == pytest.approx(ex["shadow_expense_total"])
    assert m.loc[m["shadow"], "employee_id"].nunique() == len(ex["shadow_expense_employees"])


@needs_sample
def test_sample_shadow_tools_in_usage_with_their_people(sample):
    _, r, planted = sample
    f = r.shadow[r.shadow["kind"] == cs.UNLISTED].set_index("tool")["people"].to_dict()
    assert f == {t: len(people) for t, people in planted["tools"]["shadow_tools_in_usage"].items()}


@needs_sample
def test_sample_consumer_and_unapproved_tools_in_use(sample):
    _, r, planted = sample
    gaps = r.governance_gaps
    consumer = set(gaps.loc[gaps["kind"] == cs.CONSUMER, "tool"])
    assert consumer == set(planted["tools"]["free_or_individual_in_use"])
    flagged = gaps[gaps["kind"].isin([cs.CONSUMER, cs.UNAPPROVED])]
    unapproved = set(flagged.loc[flagged["detail"].str.contains("not approved"), "tool"])
    assert unapproved == set(planted["tools"]["unapproved_in_use"])


@needs_sample
def test_sample_restricted_workflows_have_no_tool(sample):
    _, r, planted = sample
    u = r.uncovered_workflows
    assert set(planted["restricted_workflows"]) <= set(u["workflow_id"])


@needs_sample
def test_sample_adoption_uses_the_headcount(sample):
    _, r, planted = sample
    assert r.headcount == planted["headcount"]
    assert (r.adoption["share"] == r.adoption["people_active"] / planted["headcount"]).all()
    assert set(planted["tools"]["ai_tools"]) == set(r.monthly_active.loc[r.monthly_active["is_ai"], "tool"])


# ---------------------------------------------------------------- the deliverable

EVIL = "<script>alert(1)</script>"


def test_hostile_tool_names_are_text_in_the_report(tmp_path, monkeypatch):
    from kit.report import export_notebook_html
    from tests.conftest import execute_notebook, write_engagement

    folder = write_engagement(
        tmp_path / "eng",
        tools=f"tool,vendor,category,plan,seats,cost_per_seat_month,approved,max_data_class,renewal_date\n"
        f"{EVIL},OpenAI,chat_assistant,team,10,30,true,internal,2027-01-20\n"
        f"Otter,Otter.ai,meeting_assistant,individual,2,17,no,public,\n",
        usage=f"user_id,tool,date\nE1,{EVIL},2026-12-01\nE2,{EVIL},2026-11-20\nE2,<img src=x onerror=alert(2)>,2026-12-02\n",
    )
    out = tmp_path / "out.ipynb"
    run_dir = tmp_path / "run"
    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "04_consolidation.ipynb"
    execute_notebook(notebook, out, {"engagement": str(folder), "output_dir": str(run_dir)})
    html = export_notebook_html(out, tmp_path / "report.html", title="Consolidation", client="T", date="2027-01-11").read_text()
    assert EVIL not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = (run_dir / "pages" / "acceptable_use_policy.html").read_text()
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    record = json.loads((run_dir / "results" / "consolidation.json").read_text())
    assert EVIL in record["tables"]["tools"]["data"][0]


# ---------------------------------------------------------------- the kit's own assumptions


def test_cancel_threshold_is_a_setting_in_engagement_yaml():
    t, u = tools({"tool": "A", "category": "other", "seats": 20}), usage(*[(f"u{i}", "A", 2) for i in range(3)])  # 15%
    default = run(t, u)
    assert (row(default, "A")["recommendation"], row(default, "A")["annual_saving"]) == ("downsize", (20 - 4) * 20 * 12)
    stricter = parse_settings(SETTINGS.model_dump() | {"consolidation_rules": {"cancel_below": 0.2}})
    r = cs.analyze(t, u, stricter, as_of=AS_OF)
    assert (r.cancel_below, row(r, "A")["recommendation"], row(r, "A")["annual_saving"]) == (0.2, "cancel", 20 * 20 * 12)
    assert "below the 20% cancel threshold" in row(r, "A")["reason"]


@pytest.mark.parametrize("bad", [0.8, -0.1, "often"])
def test_a_cancel_threshold_outside_its_range_is_one_line_naming_the_setting(bad):
    from kit.problems import IntakeError

    with pytest.raises(IntakeError) as err:
        parse_settings(SETTINGS.model_dump() | {"consolidation_rules": {"cancel_below": bad}})
    (problem,) = err.value.problems
    assert str(problem).startswith('engagement.yaml: setting "consolidation_rules.cancel_below" must be')


# Hand computation, 20 dollars a seat-month unless said: A 3 of 20 seats used (15%), B 4 of 50 at 10 (8%),
# C 9 of 10 at 30 (90%: kept), D 10 of 20 at 10 (50%). Downsized seats = ceil(active × (1 + buffer)).
SENS_TOOLS = tools(
    {"tool": "A", "category": "other", "seats": 20},
    {"tool": "B", "category": "other", "seats": 50, "cost_per_seat_month": 10.0},
    {"tool": "C", "category": "other", "seats": 10, "cost_per_seat_month": 30.0},
    {"tool": "D", "category": "other", "seats": 20, "cost_per_seat_month": 10.0},
)
SENS_USAGE = usage(*[(f"{t}{i}", t, 2) for t, n in (("A", 3), ("B", 4), ("C", 9), ("D", 10)) for i in range(n)])


@pytest.mark.parametrize(
    ("assumption", "value", "current", "cancelled", "downsized", "saving_cancel", "total_saving"),
    [
        # A → 4 seats saves 16 × 240 = 3,840; B → 5 saves 45 × 120 = 5,400; D → 11 saves 9 × 120 = 1,080
        ("cancel_below", 0.05, False, 0, 3, 0.0, 3840 + 5400 + 1080),
        ("cancel_below", 0.10, True, 1, 2, 6000.0, 6000 + 3840 + 1080),  # B (8%) cancelled: 50 × 120
        ("cancel_below", 0.20, False, 2, 1, 4800 + 6000.0, 4800 + 6000 + 1080),  # A (15%) too: 20 × 240
        ("downsize_buffer", 0.0, False, 1, 2, 6000.0, 6000 + 17 * 240 + 10 * 120),  # A → 3, D → 10
        ("downsize_buffer", 0.1, True, 1, 2, 6000.0, 6000 + 3840 + 1080),
        ("downsize_buffer", 0.2, False, 1, 2, 6000.0, 6000 + 3840 + 8 * 120),  # A → 4, D → 12
    ],
)
def test_sensitivity_reruns_the_recommendations_at_other_cancel_thresholds_and_buffers(
    assumption, value, current, cancelled, downsized, saving_cancel, total_saving
):
    r = run(SENS_TOOLS, SENS_USAGE)
    s = r.sensitivity.set_index(["assumption", "value"]).loc[(assumption, value)]
    assert (bool(s["current"]), s["cancelled"], s["downsized"]) == (current, cancelled, downsized)
    assert s["saving_cancel"] == pytest.approx(saving_cancel)
    assert s["total_saving"] == pytest.approx(total_saving)
    assert r.totals["total_saving"] == pytest.approx(6000 + 3840 + 1080)  # the run itself is the 10% / 10% row


def test_sensitivity_includes_this_runs_own_setting_and_says_what_moves():
    r = run(SENS_TOOLS, SENS_USAGE, cancel_below=0.15, downsize_buffer=0.3)
    s = r.sensitivity
    assert s.loc[s["assumption"] == "cancel_below", "value"].tolist() == [0.05, 0.1, 0.15, 0.2]
    assert s.loc[s["assumption"] == "downsize_buffer", "value"].tolist() == [0.0, 0.1, 0.2, 0.3]
    view = cs.sensitivity_view(r)
    assert "15% (this run)" in view["Setting"].tolist() and "30% (this run)" in view["Setting"].tolist()
    text = cs.sensitivity_text(r)
    assert "Moving the cancel threshold from 5% to 20% takes the tools cancelled from 0 to 2" in text


@pytest.mark.parametrize(
    ("assumption", "source"),
    [
        ("Cancel a tool below this utilization", "kit assumption (not from a published source); setting consolidation_rules.cancel_below"),
        ("Seats kept above the recent peak when downsizing", "kit assumption (not from a published source); option phases.consolidation.downsize_buffer"),
        ("Utilization below which seats go unused", "Torii (utilization below 0.8)"),
        ("Active user: use in the last N days", "Cledara 30 days, Productiv 60, Trelica 90; setting active_window_days"),
    ],
)
def test_method_notes_label_each_threshold_as_cited_or_a_kit_assumption(assumption, source):
    view = cs.assumptions_view(run(SENS_TOOLS, SENS_USAGE)).set_index("Assumption")
    assert view.loc[assumption, "Source"] == source


def test_method_text_states_the_cancel_threshold_of_the_run():
    assert "A tool is cancelled below 15% of its seats in use." in cs.method_text(run(SENS_TOOLS, SENS_USAGE, cancel_below=0.15))


# ---------------------------------------------------------------- figures a CFO would question

PEOPLE_SURVEY = "respondent_id,department,role,skill,level\n" + "".join(
    f"E{i},Sales,Rep,prompting,2\n" for i in range(1, 5)
)  # E1..E4
PEOPLE_USAGE = "user_id,tool,date\nE1,ChatGPT Team,2026-12-01\nE5,ChatGPT Team,2026-12-02\nE1,ChatGPT Team,2026-11-03\n"
PEOPLE_TIMES = "observation_id,workflow_id,ai_assisted,minutes,employee_id\nO1,W1,false,60,E6\nO2,W1,true,40,E1\n"


@pytest.mark.parametrize(
    ("headcount", "sentence", "denominator"),
    [
        ("", "In December 2026, 2 of 6 people (33% of the people seen in the time studies, the skills survey and the "
             "usage data; no headcount was given) used at least one AI tool", 6),  # E1..E6, not usage's 2
        ("headcount_by_department:\n  Sales: 30\n  Finance: 10\n",
         "In December 2026, 2 of 40 people (5% of headcount, as given in headcount_by_department) used at least one "
         "AI tool", 40),
    ],
)  # fmt: skip
def test_adoption_is_a_share_of_headcount_and_says_which(tmp_path, headcount, sentence, denominator):
    from tests.conftest import SETTINGS as ENGAGEMENT_SETTINGS
    from tests.conftest import write_engagement

    folder = write_engagement(tmp_path / "eng", ENGAGEMENT_SETTINGS + "as_of: 2026-12-31\n" + headcount,
                              skills_survey=PEOPLE_SURVEY, usage=PEOPLE_USAGE, time_studies=PEOPLE_TIMES, expenses=None)  # fmt: skip
    r = cs.analyze_engagement(load_engagement(folder))
    assert r.headcount == denominator
    assert r.adoption.set_index("month").loc[pd.Timestamp("2026-12-01"), "share"] == pytest.approx(2 / denominator)
    assert cs.adoption_text(r).startswith(sentence)
    assert f"Adoption is measured against {denominator} people (" in cs.method_text(r)


def test_without_any_headcount_adoption_says_it_counts_the_people_in_usage():
    r = run(tools({"tool": "A"}), usage(("u1", "A", 1), ("u2", "A", 40), ("u3", "A", 41)))
    assert "1 of 3 people (33% of the people seen in the usage data; no headcount was given)" in cs.adoption_text(r)
    notes = cs.quality_notes(r)["Note"].tolist()
    assert any("adoption is measured against the 3 people seen in the usage data" in n for n in notes)


def monthly(person: str, months: list[str], amount: float = 20.0) -> list[tuple]:
    return [(person, f"2026-{m}", "OPENAI *CHATGPT SUBSCR", amount, "") for m in months]


def test_shadow_spend_is_the_run_rate_of_live_subscriptions_beside_the_trailing_sum():
    # five people, each on a 20-a-month ChatGPT Plus since October: 300 charged so far, 1,200 a year from now on
    lines = [line for p in ("p1", "p2", "p3", "p4", "p5") for line in monthly(p, ["10-15", "11-15", "12-15"])]
    r = run(tools({"tool": "A"}), usage(("u1", "A", 1)), expenses=expenses(*lines))
    assert r.totals["shadow_spend"] == pytest.approx(300.0)
    assert r.totals["shadow_run_rate"] == pytest.approx(1200.0)
    assert r.totals["live_subscriptions"] == 5
    f = r.shadow.set_index("tool").loc["ChatGPT"]
    assert (f["annual_spend"], f["annual_run_rate"]) == (pytest.approx(300.0), pytest.approx(1200.0))
    expected = ("5 monthly AI subscriptions paid on expenses still run at USD 1,200 a year (USD 300 charged in the "
                "12 months to 31 Dec 2026, refunds netted)")  # fmt: skip
    assert expected in cs.shadow_text(r)
    assert expected in cs.summary_text(r)
    view = cs.shadow_view(r)
    assert view["Run rate per year, live subscriptions (USD)"].tolist() == [1200.0]
    assert view["Charged, last 12 months (USD)"].tolist() == [300.0]


OTHER_LINE = ("x", "2026-12-20", "Staples 00123", 35.0, "paper")  # the export runs to 20 Dec


@pytest.mark.parametrize(
    ("lines", "live", "run_rate"),
    [
        (monthly("e", ["09-14", "10-14", "11-14", "12-14"]), True, 240.0),
        (monthly("e", ["06-14", "07-14", "08-14", "09-14"]), False, 0.0),  # last charged 97 days before the export's end
        (monthly("e", ["10-14", "11-14", "12-14"]) + [("e", "2026-12-16", "OPENAI *CHATGPT SUBSCR", -20.0, "refund")],
         False, 0.0),  # the last charge refunded: cancelled
        (monthly("e", ["10-14", "11-14", "11-15", "12-14"]) + [("e", "2026-11-20", "OPENAI *CHATGPT SUBSCR", -20.0, "")],
         True, 240.0),  # a double charge and its refund leave the price at 20 a month
        (monthly("e", ["10-14", "11-14", "12-14"], amount=25.0), True, 300.0),
    ],
)  # fmt: skip
def test_a_subscription_is_live_when_charged_recently_and_not_refunded(lines, live, run_rate):
    r = run(tools({"tool": "A"}), usage(("u1", "A", 1)), expenses=expenses(*lines, OTHER_LINE))
    (sub,) = r.subscriptions.to_dict("records")
    assert (sub["live"], sub["annual_run_rate"]) == (live, pytest.approx(run_rate))
    assert r.totals["shadow_run_rate"] == pytest.approx(run_rate)


def test_governance_gaps_are_reported_apart_from_shadow_ai_and_its_spend():
    t = tools(
        {"tool": "Chat", "seats": 10, "cost_per_seat_month": 30.0, "sso_enabled": False},  # approved, no SSO: 3,600
        {"tool": "Notes", "category": "meeting_assistant", "plan": "free", "seats": 0, "cost_per_seat_month": 0.0,
         "approved": False, "max_data_class": "public"},
    )  # fmt: skip
    u = usage(("u1", "Chat", 1), ("u2", "Chat", 2), ("u3", "Notes", 3), ("u4", "Gemini", 4))
    ex = expenses(*monthly("u5", ["11-20", "12-20"]))
    r = run(t, u, expenses=ex)
    assert r.shadow["kind"].tolist() == [cs.UNLISTED, cs.EXPENSED]  # outside the inventory only
    assert r.shadow["tool"].tolist() == ["Gemini", "ChatGPT"]
    assert r.governance_gaps.set_index("tool")["kind"].to_dict() == {"Chat": cs.NO_SSO, "Notes": cs.CONSUMER}
    assert r.governance_gaps.set_index("tool")["annual_cost"].to_dict() == {"Chat": 3600.0, "Notes": 0.0}
    t_ = r.totals
    assert (t_["shadow_spend"], t_["shadow_run_rate"]) == (pytest.approx(40.0), pytest.approx(240.0))  # not 3,640
    assert r.shadow["annual_spend"].sum() == pytest.approx(40.0)
    assert (t_["shadow_people"], t_["governance_gaps"], t_["governance_gap_people"]) == (2, 2, 3)
    assert "3,600" not in cs.shadow_text(r)
    gaps = cs.governance_gaps_text(r)
    assert gaps.startswith("2 AI tool(s) of the inventory are in use with a governance gap: 1 on a free or individual "
                           "plan (Notes); 1 without single sign-on (Chat). 3 people used them in the last 30 days.")  # fmt: skip
    assert "(USD 3,600 a year) is already in the tool spend, not shadow spend" in gaps
    assert cs.governance_gaps_view(r)["Tool cost per year, already in spend (USD)"].tolist() == [0.0, 3600.0]


def test_the_engagement_template_documents_the_cancel_threshold_with_its_default():
    import yaml

    from kit.settings import ConsolidationRules

    text = (Path(__file__).resolve().parents[2] / "engagement_templates" / "engagement.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["consolidation_rules"] == ConsolidationRules().model_dump()
    doc = next(p for p in text.split("\n\n") if p.startswith("# consolidation_rules — "))
    assert "the kit's own assumptions (not from a published source)" in doc
    assert "cancel_below — number from 0 to below 0.8, default 0.1" in doc


# ---------------------------------------------------------------- the fast paths give what the straightforward ones gave


def _match_every_row(text: pd.Series) -> pd.Series:
    """match_ai_product as first written: every row's text matched against the vendor list."""
    norm = cs.normalize_text(text)
    out = pd.Series(pd.NA, index=text.index, dtype="object")
    for product, pattern in zip(cs.ai_vendors()["product"], cs.ai_vendors()["pattern"], strict=True):
        todo = out.isna()
        if not todo.any():
            break
        hit = norm[todo].str.contains(pattern, regex=True)
        out.loc[hit[hit].index] = product
    return out


def test_ai_products_matched_once_per_distinct_text_equal_a_match_of_every_row(tmp_path):
    from kit import sample

    sample.generate(tmp_path / "x2", seed=7, scale=2)
    ex = load_engagement(tmp_path / "x2").tables["expenses"]
    texts = pd.concat([ex["vendor"] + " " + ex["description"].fillna(""),
                       pd.Series(["OPENAI *CHATGPT", None, "", "  Zoom  ", "openai *chatgpt"])], ignore_index=True)  # fmt: skip
    texts.index = texts.index * 3  # an index that is not 0..n-1
    got, want = cs.match_ai_product(texts), _match_every_row(texts)
    assert got.notna().sum() > 100
    pd.testing.assert_series_equal(got, want)


def test_month_codes_by_lookup_equal_numpys_calendar_conversion():
    import numpy as np

    from kit.phases.consolidation.analysis import _month_of

    days = np.random.default_rng(1).integers(-800, 40_000, size=5000)
    want = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    assert np.array_equal(_month_of(days), want)
    assert int(_month_of(np.int64(19_723))) == 648  # 2024-01-01: 54 years after January 1970
    assert _month_of(np.empty(0, dtype=np.int64)).shape == (0,)

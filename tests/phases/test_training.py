"""Training gaps on hand-made surveys: every figure checked against a hand computation; then the
facts planted in the sample client, and a report-mode run that must not leak a person's id."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.intake import load_engagement
from kit.phases import training as tg
from kit.settings import parse_settings
from tests.conftest import SETTINGS as ENGAGEMENT_SETTINGS
from tests.conftest import write_engagement

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "halden"
NOTEBOOK = ROOT / "notebooks" / "03_training_gaps.ipynb"


def settings(**extra):
    return parse_settings({"client": "T", "slug": "t", "start_date": "2027-01-01", "hourly_cost": 50, **extra})


def survey(*rows):
    return pd.DataFrame(rows, columns=["respondent_id", "department", "role", "skill", "level"])


def targets(*rows):
    return pd.DataFrame(rows, columns=["role", "skill", "target_level", "weight"])


def usage(*rows):
    df = pd.DataFrame(rows, columns=["user_id", "tool", "date"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def tools(*rows):
    return pd.DataFrame(rows, columns=["tool", "category", "plan", "approved", "max_data_class"])


# Two sales reps with their own targets, one analyst on the "*" targets.
#   A1 prompting 1 vs 2 (w 2): gap 1, weighted 2; A1 checking 3 vs 2: gap 0
#   A2 prompting 3 vs 2: gap 0;                    A2 checking 0 vs 2 (w 1): gap 2, weighted 2
#   B1 prompting 0 vs 1 (*): gap 1, weighted 1;    B1 checking 2 vs 3 (*): gap 1, weighted 1
SURVEY = survey(
    ("A1", "Sales", "Sales rep", "prompting", 1),
    ("A1", "Sales", "Sales rep", "checking", 3),
    ("A2", "Sales", "Sales rep", "prompting", 3),
    ("A2", "Sales", "Sales rep", "checking", 0),
    ("B1", "Finance", "Analyst", "prompting", 0),
    ("B1", "Finance", "Analyst", "checking", 2),
)
TARGETS = targets(
    ("Sales rep", "prompting", 2, 2.0),
    ("Sales rep", "checking", 2, 1.0),
    ("*", "prompting", 1, 1.0),
    ("*", "checking", 3, 1.0),
)


def ranking(*rows):
    cols = ["workflow_id", "workflow", "department", "owner_role", "task_type", "data_sensitivity", "saving",
            "annual_value", "recommended", "rank"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


RANKING = ranking(
    ("W1", "Quote emails", "Sales", "SALES REP", "writing", "internal", 0.30, 1000.0, True, 1),
    ("W2", "Variance notes", "Finance", "analyst", "reporting", "internal", 0.20, 10.0, False, 2),
)
TOOLS = tools(
    ("Copilot", "chat_assistant", "enterprise", True, "confidential"),
    ("ChatGPT free", "chat_assistant", "free", False, "public"),
    ("ERP", "erp", "enterprise", True, "confidential"),
)


def row(df, **where):
    mask = pd.Series(True, index=df.index)
    for col, value in where.items():
        mask &= df[col] == value
    assert mask.sum() == 1, f"expected one row for {where}, found {mask.sum()}"
    return df[mask].iloc[0]


# ---------------------------------------------------------------- gaps and readiness


@pytest.mark.parametrize(
    ("respondent", "skill", "target", "gap", "weighted"),
    [
        ("A1", "prompting", 2, 1, 2.0),
        ("A1", "checking", 2, 0, 0.0),  # above target: never negative
        ("A2", "prompting", 2, 0, 0.0),
        ("A2", "checking", 2, 2, 2.0),
        ("B1", "prompting", 1, 1, 1.0),  # role not listed: the "*" target
        ("B1", "checking", 3, 1, 1.0),
    ],
)
def test_gap_per_person_is_target_minus_level_floored_at_zero_times_weight(respondent, skill, target, gap, weighted):
    g = row(tg.person_gaps(SURVEY, TARGETS), respondent_id=respondent, skill=skill)
    assert (g["target_level"], g["gap"], g["weighted_gap"]) == (target, gap, weighted)


@pytest.mark.parametrize(
    ("role", "skill", "mean_gap", "mean_weighted_gap", "share_below", "source"),
    [
        ("Sales rep", "prompting", 0.5, 1.0, 0.5, "role"),
        ("Sales rep", "checking", 1.0, 1.0, 0.5, "role"),
        ("Analyst", "prompting", 1.0, 1.0, 1.0, "*"),
        ("Analyst", "checking", 1.0, 1.0, 1.0, "*"),
    ],
)
def test_role_skill_summary_has_mean_gap_and_share_below_target(role, skill, mean_gap, mean_weighted_gap,
                                                                share_below, source):  # fmt: skip
    r = tg.analyze(SURVEY, TARGETS, settings())
    rs = row(r.role_skill, role=role, skill=skill)
    assert rs["mean_gap"] == pytest.approx(mean_gap)
    assert rs["mean_weighted_gap"] == pytest.approx(mean_weighted_gap)
    assert rs["share_below_target"] == pytest.approx(share_below)
    assert rs["target_source"] == source


def test_readiness_is_weighted_share_of_person_skills_at_target():
    r = tg.analyze(SURVEY, TARGETS, settings())
    # Sales: at target A1 checking (w1) and A2 prompting (w2) of weights 2+1+2+1 -> 3/6
    assert row(r.departments, department="Sales")["readiness"] == pytest.approx(0.5)
    assert row(r.departments, department="Finance")["readiness"] == pytest.approx(0.0)
    assert r.readiness == pytest.approx(3 / 8)
    assert row(r.departments, department="Sales")["respondents"] == 2


@pytest.mark.parametrize("spelling", ["Sales rep", "sales rep", "  SALES REP "])
def test_targets_match_roles_ignoring_case_and_spaces(spelling):
    t = TARGETS.assign(role=TARGETS["role"].replace("Sales rep", spelling))
    g = row(tg.person_gaps(SURVEY, t), respondent_id="A1", skill="prompting")
    assert (g["target_level"], g["weight"], g["target_source"]) == (2, 2.0, "role")


def test_star_target_applies_to_roles_not_listed_and_to_skills_a_listed_role_lacks():
    t = targets(("Sales rep", "prompting", 2, 2.0), ("*", "prompting", 1, 1.0), ("*", "checking", 4, 1.0))
    g = tg.person_gaps(SURVEY, t)
    assert row(g, respondent_id="B1", skill="prompting")["target_level"] == 1
    assert row(g, respondent_id="A2", skill="checking")["target_level"] == 4  # listed role, skill from "*"


def test_a_role_without_own_or_star_targets_is_reported_and_left_out_of_readiness():
    t = targets(
        ("Sales rep", "prompting", 2, 2.0), ("Sales rep", "checking", 2, 1.0), ("Data analyst", "prompting", 3, 1)
    )
    r = tg.analyze(SURVEY, t, settings())
    assert r.roles_without_targets == ("Analyst",)
    assert r.unanswered_target_roles == ("Data analyst",)
    assert math.isnan(row(r.departments, department="Finance")["readiness"])
    assert r.readiness == pytest.approx(3 / 6)


@pytest.mark.parametrize(
    ("overrides", "respondent", "skill", "target"),
    [
        ({"checking": 3}, "A2", "checking", 3),  # a skill key: every role
        ({"checking": 3}, "B1", "checking", 3),
        ({"analyst:prompting": 0}, "B1", "prompting", 0),  # a role:skill key: that role only
        ({"analyst:prompting": 0}, "A1", "prompting", 2),
    ],
)
def test_target_overrides_replace_targets(overrides, respondent, skill, target):
    g = row(tg.person_gaps(SURVEY, TARGETS, overrides), respondent_id=respondent, skill=skill)
    assert g["target_level"] == target


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", {}),
        ("checking=3", {"checking": 3}),
        ("checking=3; Sales rep:prompting=1", {"checking": 3, "Sales rep:prompting": 1}),
    ],
)
def test_override_text_from_the_live_control_is_parsed(text, parsed):
    assert tg.parse_overrides(text) == parsed


@pytest.mark.parametrize("text", ["checking", "checking=5", "=2", "checking=high"])
def test_bad_override_text_is_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match="skill=level"):
        tg.parse_overrides(text)


@pytest.mark.parametrize(("departments", "roles", "respondents"), [(["finance"], None, 1), (None, ["Sales rep"], 2)])
def test_department_and_role_filters_keep_only_those_respondents(departments, roles, respondents):
    r = tg.analyze(SURVEY, TARGETS, settings(), departments=departments, roles=roles)
    assert r.respondents == respondents
    assert len(r.playbooks) == 1


# ---------------------------------------------------------------- priorities and cohorts


@pytest.mark.parametrize(
    ("top_value", "first_role"),
    [
        (("W1", 1000.0), "Sales rep"),  # the sales reps own the top workflow
        (("W2", 5000.0), "Analyst"),  # the analyst owns it: first despite fewer people × smaller gap
    ],
)
def test_roles_owning_top_workflows_come_first(top_value, first_role):
    rk = RANKING.copy()
    rk.loc[rk["workflow_id"] == top_value[0], "annual_value"] = top_value[1]
    r = tg.analyze(SURVEY, TARGETS, settings(), ranking=rk, top_workflows=1)
    p = r.priorities
    assert p.iloc[0]["role"] == first_role
    assert p["owns_top_workflow"].tolist() == [True, True, False, False]
    assert p["priority"].tolist() == [1, 2, 3, 4]


def test_within_a_tier_priority_is_people_times_weighted_gap():
    r = tg.analyze(SURVEY, TARGETS, settings(), ranking=RANKING, top_workflows=2)
    p = r.priorities
    # every role owns a top workflow; Sales rep 2 people × 1.0 = 2, Analyst 1 × 1.0 = 1; ties by skill name
    assert list(zip(p["role"], p["skill"], p["score"], strict=True)) == [
        ("Sales rep", "checking", 2.0), ("Sales rep", "prompting", 2.0),
        ("Analyst", "checking", 1.0), ("Analyst", "prompting", 1.0),
    ]  # fmt: skip
    assert "2 top workflows" in r.priority_rule


def test_top_workflows_skip_those_that_do_not_save_time_or_hold_restricted_data():
    rk = pd.concat([ranking(
        ("W0", "Slower", "Finance", "Analyst", "analysis", "internal", -0.2, 9e9, False, 1),
        ("W9", "Refunds", "Finance", "Analyst", "other", "restricted", 0.3, 9e9, False, 2),
    ), RANKING])  # fmt: skip
    r = tg.analyze(SURVEY, TARGETS, settings(), ranking=rk, top_workflows=1)
    assert r.priorities.iloc[0]["role"] == "Sales rep"
    assert r.priorities.iloc[0]["top_workflows"] == "Quote emails"


@pytest.mark.parametrize(
    ("min_size", "max_group", "expected"),
    [
        # one person below target per role and skill: cohorts of one when allowed
        (
            1,
            12,
            {
                "Sales rep · Prompting": (1, 1, 5.0),
                "Sales rep · Checking": (1, 1, 10.0),
                "Analyst · Prompting": (1, 1, 5.0),
                "Analyst · Checking": (1, 1, 5.0),
            },
        ),
        # otherwise pooled per skill: prompting A1 (1 level) + B1 (1); checking A2 (2) + B1 (1)
        (2, 12, {"Prompting · mixed roles": (2, 1, 10.0), "Checking · mixed roles": (2, 1, 15.0)}),
        (2, 1, {"Prompting · mixed roles": (2, 2, 10.0), "Checking · mixed roles": (2, 2, 15.0)}),
    ],
)
def test_cohorts_group_people_below_target_with_hours_from_levels_to_gain(min_size, max_group, expected):
    r = tg.analyze(SURVEY, TARGETS, settings(), hours_per_level=5, min_cohort_size=min_size, max_group_size=max_group)
    got = {c["cohort"]: (c["size"], c["groups"], c["total_hours"]) for _, c in r.cohorts.iterrows()}
    assert got == expected
    assert r.total_training_hours == pytest.approx(25.0)


# ---------------------------------------------------------------- reality check


AS_OF = "2026-12-31"
REALITY_SURVEY = survey(
    *[(p, "Ops", "Buyer", s, lv) for p, levels in
      {"C1": (3, 4), "C2": (4, 3), "D1": (1, 0), "D2": (1, 1), "D3": (0, 1)}.items()
      for s, lv in zip(("prompting", "checking"), levels, strict=True)],
)  # fmt: skip


def days(user, tool, n, end="2026-12-31"):
    return [(user, tool, d) for d in pd.date_range(end=end, periods=n).strftime("%Y-%m-%d")]


@pytest.mark.parametrize(
    ("c2_last_use", "proficient_no_use"),
    [("2026-12-02", 1), ("2026-12-01", 2)],  # 29 days before as_of is inside a 30-day window; 30 is not
)
def test_reality_check_counts_by_role_on_the_person_id(c2_last_use, proficient_no_use):
    log = usage(
        ("C1", "ERP", "2026-12-30"),  # a non-AI tool does not count as AI use
        ("C1", "Copilot", "2026-10-01"),  # outside the window
        ("C2", "Copilot", c2_last_use),
        *days("D1", "Copilot", 8),  # 8 of 30 days: a frequent user
        *days("D2", "Copilot", 7),  # 7 days: not frequent
        *days("D3", "Perplexity", 10),  # a tool missing from the inventory is (shadow) AI use
    )
    r = tg.analyze(REALITY_SURVEY, TARGETS, settings(), usage=log, tools=TOOLS, as_of=AS_OF)
    rc = row(r.reality_check, role="Buyer")
    assert r.frequent_days == 8
    assert rc["proficient_no_ai_use"] == proficient_no_use
    assert rc["frequent_low_self_rating"] == 2
    assert rc["respondents"] == 5 and rc["found_in_usage"] == 5
    assert r.usage_join_rate == 1.0


def test_reality_check_pools_roles_too_small_to_count_without_pointing_at_someone():
    s = pd.concat([REALITY_SURVEY, survey(("X1", "Ops", "Chief of staff", "prompting", 4))])
    r = tg.analyze(s, TARGETS, settings(), usage=usage(("D1", "Copilot", AS_OF)), tools=TOOLS, as_of=AS_OF)
    assert "Chief of staff" not in set(r.reality_check["role"])
    small = row(r.reality_check, role=tg.SMALL_ROLES)
    assert (small["respondents"], small["proficient_no_ai_use"]) == (1, 1)


def test_without_usage_the_reality_check_is_empty_and_says_why():
    r = tg.analyze(SURVEY, TARGETS, settings())
    assert r.reality_check.empty and r.usage_join_rate is None
    assert "usage" in tg.reality_text(r)


# ---------------------------------------------------------------- leaders


@pytest.mark.parametrize(
    ("role", "leader"),
    [("CEO", True), ("VP Sales", True), ("Head of Finance", True), ("Operations manager", True),
     ("Controller", True), ("Team lead", True), ("Account manager", False), ("Project Manager", False),
     ("Warehouse associate", False), ("Sales representative", False)],
)  # fmt: skip
def test_leaders_are_detected_from_role_titles(role, leader):
    assert (tg.detect_leaders([role]) == [role]) is leader


LEADER_SURVEY = survey(
    *[(p, d, role, s, lv) for p, d, role, lv in (
        ("L0", "Admin", "CEO", 4), ("L1", "Sales", "Head of Sales", 3),
        ("S1", "Sales", "Sales rep", 1), ("S2", "Sales", "Sales rep", 2), ("F1", "Finance", "Analyst", 0),
    ) for s in ("prompting", "checking")],
)  # fmt: skip


@pytest.mark.parametrize(("threshold", "far"), [(1.0, {"CEO": True, "Head of Sales": True}),
                                                (2.0, {"CEO": True, "Head of Sales": False})])  # fmt: skip
def test_leaders_far_ahead_of_their_team_are_flagged(threshold, far):
    r = tg.analyze(LEADER_SURVEY, TARGETS, settings(), leader_gap_threshold=threshold)
    lg = r.leadership_gap.set_index("leader_role")
    # CEO vs every non-leader: (1+2+0)/3 = 1.0; head of sales vs the sales reps: 1.5
    assert lg.loc["CEO", "team"] == "whole company" and lg.loc["CEO", "gap"] == pytest.approx(3.0)
    assert lg.loc["Head of Sales", "team_mean_level"] == pytest.approx(1.5)
    assert lg.loc["Head of Sales", "gap"] == pytest.approx(1.5)
    assert lg["far_ahead"].to_dict() == far


def test_leader_roles_can_be_named_instead_of_detected():
    r = tg.analyze(LEADER_SURVEY, TARGETS, settings(), leader_roles=["head of sales"])
    assert r.leadership_gap["leader_role"].tolist() == ["Head of Sales"]  # the CEO is not named, so not a leader
    assert r.leadership_gap.iloc[0]["gap"] == pytest.approx(1.5)


# ---------------------------------------------------------------- coverage and playbooks


def test_response_rate_by_department_uses_the_headcount_in_settings():
    s = settings(headcount_by_department={"sales": 4, "Finance": 2, "Marketing": 3})
    r = tg.analyze(SURVEY, TARGETS, s)
    cov = r.coverage.set_index("department")["response_rate"].to_dict()
    assert cov == {"Marketing": 0.0, "Sales": 0.5, "Finance": 0.5}
    assert row(r.departments, department="Sales")["response_rate"] == 0.5


def test_every_survey_role_gets_a_playbook_naming_its_workflows_and_approved_tools():
    r = tg.analyze(SURVEY, TARGETS, settings(), ranking=RANKING, tools=TOOLS)
    pb = r.playbooks.set_index("role")
    assert set(pb.index) == {"Sales rep", "Analyst"}
    assert pb.loc["Sales rep", "workflows"] == "Quote emails"
    assert pb.loc["Sales rep", "approved_tools"] == "Copilot"  # the unapproved free plan and the ERP are not offered
    assert pb.loc["Analyst", "page"] == "playbook_analyst.html"
    assert "ChatGPT free" in pb.loc["Analyst", "never_in_ai"]
    pages = {p.name: p for p in tg.playbook_pages(r)}
    assert set(pages) == {"playbook_sales_rep.html", "playbook_analyst.html"}
    assert (
        "Quote emails" in pages["playbook_sales_rep.html"].body and "Copilot" in pages["playbook_sales_rep.html"].body
    )


def test_playbook_pages_escape_data_strings():
    rk = RANKING.assign(workflow=["<script>alert(1)</script>", "Variance notes"])
    r = tg.analyze(SURVEY, TARGETS, settings(), ranking=rk, tools=TOOLS)
    body = next(p.body for p in tg.playbook_pages(r) if p.name == "playbook_sales_rep.html")
    assert "<script>" not in body and "&lt;script&gt;" in body


@pytest.mark.parametrize(
    ("role", "slug"), [("Sales rep", "sales_rep"), ("VP, Sales & Ops", "vp_sales_ops"), ("***", "role")]
)
def test_role_slugs_are_file_safe(role, slug):
    assert tg.role_slug(role) == slug


def test_charts_have_titles_and_axis_titles():
    r = tg.analyze(SURVEY, TARGETS, settings(), ranking=RANKING, tools=TOOLS)
    for chart in (tg.readiness_chart(r), tg.cohorts_chart(r)):
        spec = chart.to_dict()
        assert spec["title"] and spec["encoding"]["x"]["title"]
    heat = tg.gap_heatmap(r).to_dict()
    assert heat["layer"][0]["encoding"]["x"]["title"] == "Skill"


# ---------------------------------------------------------------- the sample client's planted facts


@pytest.fixture(scope="module")
def sample():
    eng = load_engagement(SAMPLE, pseudonymize=False)
    return eng, tg.analyze_engagement(eng), json.loads((SAMPLE / "planted.json").read_text())["skills"]


def test_sample_priorities_put_roles_owning_a_top_workflow_first_then_the_weakest_role_skills(sample):
    # Customer service representatives own no top ROI workflow since customer communication saves
    # 0-25% (Brynjolfsson et al.: 12.3% on average): their planted weakest gaps lead the second tier.
    _, r, planted = sample
    p = r.priorities
    top = [[q["role"], q["skill"]] for _, q in p.head(2).iterrows()]
    assert top == [["Sales representative", "prompting"], ["Account manager", "prompting"]]
    assert p.head(2)["owns_top_workflow"].all()
    second_tier = [[q["role"], q["skill"]] for _, q in p[~p["owns_top_workflow"]].head(2).iterrows()]
    assert second_tier == planted["weakest_role_skills"]
    assert r.ranking_source == "ROI ranking"


def test_sample_largest_weighted_gaps_match_the_generator(sample):
    _, r, planted = sample
    rs = r.role_skill.sort_values("mean_weighted_gap", ascending=False).head(5)
    expected = planted["largest_weighted_gaps"][:5]
    assert list(zip(rs["role"], rs["skill"], strict=True)) == [(g["role"], g["skill"]) for g in expected]
    assert rs["mean_weighted_gap"].tolist() == pytest.approx([g["weighted_gap"] for g in expected], abs=1e-3)


def test_sample_leadership_gaps_match_the_generator(sample):
    _, r, planted = sample
    lg = r.leadership_gap.set_index("leader_role")
    assert set(lg.index) == set(planted["leadership_gap"])
    for role, fact in planted["leadership_gap"].items():
        assert lg.loc[role, "gap"] == pytest.approx(fact["gap"], abs=1e-3)
        assert bool(lg.loc[role, "far_ahead"])


def test_sample_reality_check_finds_the_planted_people_by_role(sample):
    eng, r, planted = sample
    s = eng.table("skills_survey").drop_duplicates("respondent_id").set_index("respondent_id")["role"]
    rc = r.reality_check.set_index("role")
    frequent = s[planted["frequent_low_raters"]].value_counts()
    assert rc["frequent_low_self_rating"][rc["frequent_low_self_rating"] > 0].to_dict() == frequent.to_dict()
    proficient = s[planted["proficient_nonusers"]].value_counts()
    for role, n in proficient.items():
        assert rc.loc[role if role in rc.index else tg.SMALL_ROLES, "proficient_no_ai_use"] >= n


def test_sample_coverage_warnings_match_the_generator(sample):
    _, r, planted = sample
    assert set(r.roles_on_default_targets) == set(planted["roles_without_target_rows"])
    assert list(r.unanswered_target_roles) == planted["target_roles_without_respondents"]
    assert r.coverage["response_rate"].tolist() == [1.0] * 7


def test_sample_has_a_playbook_per_survey_role_with_a_workflow_and_an_approved_tool(sample):
    eng, r, _ = sample
    assert set(r.playbooks["role"]) == set(eng.table("skills_survey")["role"])
    assert (r.playbooks["n_workflows"] >= 1).all()
    assert (r.playbooks["n_approved_tools"] >= 1).all()
    approved = set(eng.table("tools").query("approved")["tool"])
    for _, pb in r.playbooks.iterrows():
        assert set(pb["approved_tools"].split("; ")) <= approved


def test_sample_departments_expose_readiness_for_the_agents_phase(sample):
    _, r, _ = sample
    assert {"department", "respondents", "readiness"} <= set(r.departments.columns)
    assert r.departments["readiness"].between(0, 1).all()
    assert r.departments["respondents"].sum() == r.respondents == 148


# ---------------------------------------------------------------- no raw id in any HTML


IDS = [f"E{i:04d}" for i in range(1, 9)]
PRIVATE_TABLES = {
    "workflows": """\
workflow_id,department,workflow,owner_role,task_type,runs_per_month,minutes_per_run,data_sensitivity
W1,Finance,Variance commentary,Analyst,writing,10,60,internal
W2,Sales,Pipeline report,Sales Rep,reporting,20,30,confidential
""",
    "time_studies": "observation_id,workflow_id,ai_assisted,minutes,employee_id\n"
    + "".join(f"O{i},W{1 + i % 2},{'true' if i % 3 else 'false'},{30 + i},{IDS[i % 8]}\n" for i in range(24)),
    "skills_survey": "respondent_id,department,role,skill,level\n"
    + "".join(
        f"{pid},{'Finance' if i < 4 else 'Sales'},{'Analyst' if i < 4 else 'Sales Rep'},{skill},{(i + k) % 5}\n"
        for i, pid in enumerate(IDS)
        for k, skill in enumerate(("prompting", "data_handling"))
    ),
    "usage": "user_id,tool,date\n"
    + "".join(f"{pid},ChatGPT Team,2026-12-{10 + i:02d}\n" for i, pid in enumerate(IDS[:6])),
}


def test_report_mode_html_and_pages_show_no_raw_person_id(tmp_path, monkeypatch):
    from kit.report import export_notebook_html
    from tests.conftest import execute_notebook

    folder = write_engagement(tmp_path / "eng", ENGAGEMENT_SETTINGS + "headcount_by_department:\n  Sales: 5\n",
                              **PRIVATE_TABLES)  # fmt: skip
    eng = load_engagement(folder)
    assert not set(IDS) & set(eng.table("skills_survey")["respondent_id"])  # pseudonymized at load
    run = tmp_path / "run"
    execute_notebook(NOTEBOOK, tmp_path / "out.ipynb", {"engagement": str(folder), "output_dir": str(run)})
    export_notebook_html(
        tmp_path / "out.ipynb", run / "report.html", title="Training", client="Test", date="2027-01-11"
    )
    pages = sorted((run / "pages").glob("*.html"))
    assert [p.name for p in pages] == ["playbook_analyst.html", "playbook_sales_rep.html"]
    for path in [run / "report.html", *pages, *(run / "results").glob("*.json")]:
        text = path.read_text(encoding="utf-8")
        leaked = [pid for pid in IDS if pid in text]
        assert not leaked, f"{path.name} shows {leaked}"
    recorded = json.loads((run / "results" / "training_gaps.json").read_text())
    assert recorded["scalars"]["respondents"] == 8
    playbooks = recorded["tables"]["playbooks"]
    assert [r[playbooks["columns"].index("role")] for r in playbooks["data"]] == ["Analyst", "Sales Rep"]


def test_playbooks_teach_only_the_tools_that_stay_after_consolidation():
    from kit.phases import consolidation

    eng = load_engagement(Path(__file__).resolve().parents[2] / "sample_data" / "halden")
    review = consolidation.analyze_engagement(eng).tools
    retiring = set(review.loc[review["recommendation"].isin(["cancel", "consolidate"]), "tool"])
    assert {"ChatGPT Team", "Claude Team"} <= retiring
    taught = {t for p in tg.analyze_engagement(eng).playbooks["approved_tools"] for t in str(p).split("; ") if t}
    assert taught and not taught & retiring
    assert "Microsoft 365 Copilot" in taught


# ---------------------------------------------------------------- skill-profile groups (scikit-learn k-means)

SKILLS4 = ("prompting", "checking", "data_handling", "automation")


def planted_profiles(noise: float = 0.0) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """Two profiles across the same three roles: P* lack prompting and checking, Q* lack data
    handling and automation (target 3 everywhere). Roles mix both profiles, so role cohorts cannot
    find them. With `noise`, each rating is one level off (up or down, within 0-3) with that chance."""
    roles = ["Sales rep", "Analyst", "Buyer"]
    rng = np.random.default_rng(7)
    rows, planted = [], {"P": set(), "Q": set()}
    for i in range(9):
        for profile, low in (("P", {"prompting", "checking"}), ("Q", {"data_handling", "automation"})):
            rid = f"{profile}{i}"
            planted[profile].add(rid)
            for skill in SKILLS4:
                base = 0 if skill in low else 3
                level = base + (1 - 2 * (base == 3)) * int(rng.random() < noise)
                rows.append((rid, "Ops", roles[i % 3], skill, level))
    return survey(*rows), planted


@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_skill_profile_groups_recover_two_planted_profiles(noise):
    df, planted = planted_profiles(noise)
    gaps = tg.person_gaps(df, targets(*[("*", s, 3, 1.0) for s in SKILLS4]))
    labels, silhouette = tg.skill_profile_labels(tg.skill_gap_matrix(gaps, SKILLS4))
    found = {frozenset(labels.index[labels == g]) for g in labels.unique()}
    assert found == {frozenset(planted["P"]), frozenset(planted["Q"])}
    assert silhouette >= tg.SILHOUETTE_BAR


def test_skill_profile_groups_are_reported_beside_role_cohorts_without_naming_anyone():
    df, _ = planted_profiles()
    r = tg.analyze(df, targets(*[("*", s, 3, 1.0) for s in SKILLS4]), settings())
    g = r.skill_groups.set_index("group")
    assert list(g.index) == ["Group 1", "Group 2"] and list(g["size"]) == [9, 9]
    assert sorted(g["lacks"]) == ["Data handling, Automation", "Prompting, Checking"]
    assert set(g["roles"]) == {"Analyst; Buyer; Sales rep"}
    assert g[["gap_prompting", "gap_checking"]].to_numpy().max() == pytest.approx(3.0)
    assert not g.astype(str).apply(lambda c: c.str.contains(r"\b[PQ]\d\b")).any().any()
    assert r.skill_groups_silhouette == pytest.approx(1.0)
    assert len(r.cohorts)  # the role-based cohorts are still there


def test_a_survey_without_distinct_profiles_is_one_group():
    # everyone lacks the same skill by a level, give or take one: no structure above the silhouette bar
    rows = [(f"R{i}", "Ops", "Analyst", s, 2 if s == "prompting" else 3) for i in range(8) for s in SKILLS4]
    r = tg.analyze(survey(*rows), targets(*[("*", s, 3, 1.0) for s in SKILLS4]), settings())
    assert list(r.skill_groups["size"]) == [8] and math.isnan(r.skill_groups_silhouette)


def _silhouette_cases():
    rng = np.random.default_rng(3)
    repeats = rng.integers(0, 4, size=(300, 4)).astype(float)  # survey gaps: few distinct vectors
    floats = rng.normal(size=(120, 3))  # no two rows alike
    lone = np.vstack([np.zeros((10, 2)), np.ones((10, 2)), [[5.0, 5.0]]])
    split = np.vstack([np.zeros((6, 2)), np.full((6, 2), 2.0)])  # identical rows in two groups
    return [
        ("repeated integer gaps, k-means labels", repeats, None),
        ("distinct rows, four random groups", floats, rng.integers(0, 4, size=120)),
        ("a group of one", lone, np.array([0] * 10 + [1] * 10 + [2])),
        ("identical rows in different groups", split, np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0])),
    ]


@pytest.mark.parametrize(("case", "x", "labels"), _silhouette_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_mean_silhouette_equals_scikit_learns_on_every_row(case, x, labels):
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if labels is None:
        labels = KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(x)
    assert tg.mean_silhouette(x, labels) == pytest.approx(float(silhouette_score(x, labels)), rel=1e-12, abs=1e-12)


def _profile_labels_by_scikit_learn(matrix):
    """skill_profile_labels as first written: sklearn's silhouette_score on every respondent."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    x = matrix.to_numpy(dtype=float)
    best = None
    for k in range(2, min(tg.SKILL_GROUPS_MAX, len(np.unique(x, axis=0)), len(x) - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=tg.SKILL_GROUPS_SEED).fit_predict(x)
        score = float(silhouette_score(x, labels))
        if best is None or score > best[0] + 1e-12:
            best = (score, labels, k)
    return best


def test_skill_profile_groups_of_a_scaled_sample_equal_the_straightforward_computation(tmp_path):
    from kit import sample

    sample.generate(tmp_path / "x2", seed=7, scale=2)
    eng = load_engagement(tmp_path / "x2")
    survey_, targets_ = eng.tables["skills_survey"], eng.tables["role_targets"]
    gaps = tg.person_gaps(survey_, targets_)
    matrix = tg.skill_gap_matrix(gaps[gaps["has_target"]], tuple(dict.fromkeys(survey_["skill"])))
    assert len(matrix) > 250
    score, labels, k = _profile_labels_by_scikit_learn(matrix)
    got, silhouette = tg.skill_profile_labels(matrix)
    assert silhouette == pytest.approx(score, rel=1e-12)
    assert got.nunique() == k
    assert pd.crosstab(got.to_numpy(), labels).gt(0).sum(axis=1).eq(1).all()  # the same partition, renumbered


def test_the_explorers_starting_view_is_the_models_result_not_a_second_analysis(tmp_path, monkeypatch):
    from kit.model import EngagementModel
    from kit.phases.training import presentation

    model = EngagementModel(load_engagement(write_engagement(tmp_path / "eng")))
    analysed = []
    real = presentation.analyze_engagement
    monkeypatch.setattr(presentation, "analyze_engagement", lambda *a, **k: analysed.append(k) or real(*a, **k))
    options = model.options("training_gaps")
    view = tg.explorer(model, top_workflows=options.top_workflows, leader_gap_threshold=options.leader_gap_threshold)
    starting = view(hours_per_level=options.hours_per_level)
    assert analysed == []  # the report's view: the result every other deliverable reads
    assert starting[0].text == tg.cohorts_text(model["training_gaps"])
    view(hours_per_level=options.hours_per_level + 1)
    assert [k["hours_per_level"] for k in analysed] == [options.hours_per_level + 1]


def _is_ai_tool_row_by_row(tools, names):
    """is_ai_tool as first written: every row's name keyed and looked up."""
    category = dict(zip(tg.analysis._key(tools["tool"]), tools["category"].astype(str).str.strip().str.lower(), strict=True))
    return tg.analysis._key(names).map(lambda k: k not in category or category[k] in tg.analysis.AI_CATEGORIES).astype(bool)


def test_ai_tools_judged_once_per_distinct_name_equal_a_judgement_of_every_row(tmp_path):
    from kit import sample

    sample.generate(tmp_path / "x2", seed=7, scale=2)
    eng = load_engagement(tmp_path / "x2")
    names = pd.concat([eng.tables["usage"]["tool"], pd.Series([" zoom ", "ZOOM", None, "Unlisted AI"])], ignore_index=True)
    names.index = names.index + 10
    got = tg.is_ai_tool(eng.tables["tools"], names)
    pd.testing.assert_series_equal(got, _is_ai_tool_row_by_row(eng.tables["tools"], names))
    assert 0 < got.sum() < len(got)
    assert tg.is_ai_tool(eng.tables["tools"], names.iloc[:0]).tolist() == []

"""The synthetic client generator: deterministic, contract-complete, and true to what it plants."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit import sample
from kit.evidence import TASK_PRIORS
from kit.intake import TABLES, load_engagement
from kit.intake.schemas import contract_columns
from kit.settings import load_settings

AS_OF = pd.Timestamp(sample.AS_OF)
BUNDLED = Path(__file__).resolve().parents[1] / "sample_data" / "halden"
BASELINE_TABLES = tuple(t for t in TABLES if t.name != "pilots")  # pilots come with the follow-up (--follow-up)
FILES = ("engagement.yaml", *(f"{t.name}.csv" for t in BASELINE_TABLES), sample.PLANTED_FILE)


@pytest.fixture(scope="module")
def halden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("halden")
    sample.generate(folder, seed=7)
    return folder


@pytest.fixture(scope="module")
def truth(halden: Path) -> dict:
    return json.loads((halden / sample.PLANTED_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tables(halden: Path) -> dict[str, pd.DataFrame]:
    """The sample as the kit loads it (typed, person ids not pseudonymized)."""
    return load_engagement(halden, pseudonymize=False).tables


def _active_users(usage: pd.DataFrame, days: int = sample.ACTIVE_WINDOW) -> pd.Series:
    recent = usage[usage["date"] > AS_OF - pd.Timedelta(days=days)]
    return recent.groupby("tool")["user_id"].nunique()


# --- determinism -------------------------------------------------------------------------


def test_same_seed_writes_identical_bytes_in_every_file(halden: Path, tmp_path: Path):
    again = tmp_path / "again"
    sample.generate(again, seed=7)
    for name in FILES:
        assert (again / name).read_bytes() == (halden / name).read_bytes(), name


def test_different_seed_changes_the_data(halden: Path, tmp_path: Path):
    other = tmp_path / "other"
    sample.generate(other, seed=8)
    for name in ("time_studies.csv", "skills_survey.csv", "usage.csv", "expenses.csv"):
        assert (other / name).read_bytes() != (halden / name).read_bytes(), name


def test_bundled_sample_is_the_generators_output(halden: Path):
    for name in FILES:
        assert (BUNDLED / name).read_bytes() == (halden / name).read_bytes(), f"regenerate {name}"


def test_sample_readme_names_the_planted_ids(truth):
    readme = (BUNDLED.parent / "README.md").read_text(encoding="utf-8")
    skills, tools, rw = truth["skills"], truth["tools"], truth["recurring_work"]
    ids = [
        *truth["best_workflows"], *truth["slower_with_ai"], *truth["no_time_studies"], *truth["too_few_runs"],
        *skills["proficient_nonusers"], *skills["frequent_low_raters"],
        *(leader["person_id"] for leader in skills["leadership_gap"].values()),
        *tools["idle_tools"], *tools["over_provisioned"],
        *(user for users in tools["shadow_tools_in_usage"].values() for user in users),
        *truth["expenses"]["shadow_expense_employees"], *truth["expenses"]["refund_expense_ids"],
        *truth["expenses"]["keyword_trap_expense_ids"],
        *rw["best_agent_candidates"], *rw["never_autonomous"], *rw["split_over_60_minutes"],
    ]  # fmt: skip
    assert [i for i in ids if i not in readme] == []


def test_returned_truth_is_what_planted_json_holds(tmp_path: Path):
    returned = sample.generate(tmp_path / "eng", seed=3, scale=0.3)
    assert json.loads((tmp_path / "eng" / sample.PLANTED_FILE).read_text(encoding="utf-8")) == returned


# --- the contract --------------------------------------------------------------------------


@pytest.mark.parametrize("spec", BASELINE_TABLES, ids=lambda s: s.name)
def test_every_table_has_every_contract_column(halden: Path, spec):
    header = pd.read_csv(halden / f"{spec.name}.csv", nrows=0).columns.tolist()
    assert header == contract_columns(spec.model)


def test_sample_loads_with_no_problem_but_the_planted_target_role(halden: Path):
    eng = load_engagement(halden, pseudonymize=False)
    assert sorted(eng.tables) == sorted(t.name for t in BASELINE_TABLES) and list(eng.missing) == ["pilots"]
    assert [p.is_error for p in eng.problems] == [False]
    assert "data analyst" in eng.problems[0].message


def test_settings_describe_halden_with_nobody_owning_the_rollout(halden: Path, tables):
    s = load_settings(halden)
    assert (s.client, s.slug, s.currency, s.start_date.isoformat()) == (
        "Halden Industrial Supply", "halden", "USD", "2027-01-11",
    )  # fmt: skip
    assert (s.hourly_cost, s.horizon_months, s.adoption_rate, s.pseudonymize) == (55, 12, 0.7, True)
    assert not s.has_owner and s.health_check["ownership"] == 3  # leadership's view is rosier than the data
    assert pd.Timestamp(s.as_of) == tables["usage"]["date"].max() == AS_OF
    assert sum(s.headcount_by_department.values()) == tables["skills_survey"]["respondent_id"].nunique()
    assert len(s.headcount_by_department) == 7


def test_person_ids_are_shared_across_tables(tables):
    people = set(tables["skills_survey"]["respondent_id"])
    assert 140 <= len(people) <= 160
    for name, column in (("usage", "user_id"), ("time_studies", "employee_id"), ("expenses", "employee_id")):
        assert set(tables[name][column]) <= people, name


def test_workflows_cover_every_task_type_and_data_class_with_survey_roles(tables):
    wf = tables["workflows"]
    assert 60 <= len(wf) <= 70
    assert set(wf["task_type"]) == set(sample.SAVING_RANGE)
    assert set(wf["data_sensitivity"]) == {"public", "internal", "confidential", "restricted"}
    assert set(wf["owner_role"]) <= set(tables["skills_survey"]["role"])
    assert wf["systems"].str.contains(";").any()


def test_usage_is_one_row_per_user_tool_and_day_over_the_year(tables):
    usage = tables["usage"]
    assert not usage.duplicated(["user_id", "tool", "date"]).any()
    assert usage["date"].min() == AS_OF - pd.Timedelta(days=364)
    weekend = usage["date"].dt.day_of_week >= 5
    assert weekend.mean() < 0.05


# --- time studies --------------------------------------------------------------------------


def _log_saving(ts: pd.DataFrame) -> pd.Series:
    logs = ts.assign(log=np.log(ts["minutes"])).groupby(["workflow_id", "ai_assisted"])["log"].mean().unstack()
    return 1 - np.exp(logs[True] - logs[False])


def test_time_studies_hold_a_few_thousand_runs_with_optional_columns(tables):
    ts = tables["time_studies"]
    assert 2500 <= len(ts) <= 3500
    assert ts["complexity"].between(1, 5).all() and ts["employee_id"].notna().all()
    assert ts["observed_on"].between(AS_OF - pd.Timedelta(days=85), pd.Timestamp(sample.START_DATE)).all()


def test_arm_sizes_match_the_plan(tables, truth):
    counts = tables["time_studies"].groupby(["workflow_id", "ai_assisted"]).size().unstack(fill_value=0)
    planned = pd.DataFrame(truth["runs_per_arm"]).T
    assert (counts[False] == planned["baseline"]).all() and (counts[True] == planned["ai"]).all()
    assert set(truth["no_time_studies"]) == set(tables["workflows"]["workflow_id"]) - set(counts.index)
    assert truth["too_few_runs"] == {
        "W10": {"baseline": 12, "ai": 2}, "W30": {"baseline": 3, "ai": 9},
        "W40": {"baseline": 4, "ai": 3}, "W63": {"baseline": 1, "ai": 2},
    }  # fmt: skip


def test_best_workflows_show_their_saving_and_top_a_value_ranking(tables, truth, halden):
    ts, wf = tables["time_studies"], tables["workflows"].set_index("workflow_id")
    measured = _log_saving(ts)
    for wid in truth["best_workflows"]:
        assert measured[wid] == pytest.approx(truth["true_saving"][wid], abs=0.05)
    settings = load_settings(halden)
    value = (
        wf["runs_per_month"] * wf["minutes_per_run"] / 60 * measured * wf["owner_role"].map(settings.hourly_cost_for)
    )
    allowed = value[wf["data_sensitivity"] != "restricted"].dropna()
    assert sorted(allowed.nlargest(3).index) == sorted(truth["best_workflows"])
    assert allowed.nlargest(4).iloc[3] < 0.6 * allowed.nlargest(3).iloc[2]  # a clear margin


def test_slower_workflows_take_longer_with_ai(tables, truth):
    means = tables["time_studies"].groupby(["workflow_id", "ai_assisted"])["minutes"].mean().unstack()
    assert truth["slower_with_ai"] == ["W06", "W62"]
    for wid in truth["slower_with_ai"]:
        assert truth["true_saving"][wid] < 0 and means.at[wid, True] > means.at[wid, False]


def test_true_savings_follow_the_published_ranges_read_as_90_percent_ranges(truth, tables):
    task = tables["workflows"].set_index("workflow_id")["task_type"]
    planted = set(truth["best_workflows"]) | set(truth["slower_with_ai"]) | {"W48"}
    drawn = {wid: s for wid, s in truth["true_saving"].items() if wid not in planted}
    inside = [sample.SAVING_RANGE[task[w]][0] <= s <= sample.SAVING_RANGE[task[w]][1] for w, s in drawn.items()]
    assert 0.8 <= np.mean(inside) < 1  # about 90% inside, a few beyond: no hard bounds
    for wid, saving in drawn.items():
        lo, hi = sample.SAVING_RANGE[task[wid]]
        assert lo - (hi - lo) <= saving <= hi + (hi - lo), wid
    assert all(abs(truth["true_saving"][w]) <= 0.03 for w in task.index[task == "physical_onsite"])


@pytest.mark.parametrize("task_type", ["writing", "customer_communication", "physical_onsite"])
def test_drawn_savings_put_five_percent_of_workflows_beyond_each_end_of_the_range(task_type):
    lo, hi = sample.SAVING_RANGE[task_type]
    assert sample.drawn_saving(task_type, 0.05) == pytest.approx(lo, abs=1e-9)
    assert sample.drawn_saving(task_type, 0.95) == pytest.approx(hi, abs=1e-9)


def test_the_customer_communication_range_centres_on_the_published_12_3_percent():
    # Brynjolfsson et al.: +14% issues per hour (12.3% less time), ~0 for top agents, +34% for novices.
    assert sample.SAVING_RANGE["customer_communication"] == (0.0, pytest.approx(1 - 1 / 1.34, abs=0.005))
    assert sample.drawn_saving("customer_communication", 0.5) == pytest.approx(TASK_PRIORS["customer_communication"].saving, abs=0.015)


# --- skills ----------------------------------------------------------------------------------


def test_every_employee_answers_every_skill_once(tables):
    survey = tables["skills_survey"]
    assert set(survey["skill"]) == set(sample.SKILLS)
    assert (survey.groupby("respondent_id").size() == len(sample.SKILLS)).all()
    assert 12 <= survey["role"].nunique() <= 18


def test_weakest_role_skills_are_the_largest_weighted_gaps(tables, truth):
    survey, targets = tables["skills_survey"], tables["role_targets"]
    means = survey.groupby(["role", "skill"])["level"].mean().rename("level").reset_index()
    explicit = means.merge(targets, on=["role", "skill"])
    star_rows = targets[targets["role"] == "*"].drop(columns="role")
    star = means[~means["role"].isin(targets["role"])].merge(star_rows, on="skill")
    gaps = pd.concat([explicit, star])
    gaps["weighted"] = (gaps["target_level"] - gaps["level"]) * gaps["weight"]
    top = gaps.nlargest(2, "weighted")
    found = sorted(map(list, zip(top["role"], top["skill"], strict=True)))
    assert found == sorted(truth["skills"]["weakest_role_skills"])
    assert {tuple(x) for x in truth["skills"]["weakest_role_skills"]} == {
        ("Customer service representative", "output_verification"),
        ("Customer service representative", "data_handling"),
    }
    lowest = survey.groupby("role")["level"].mean().idxmin()
    assert lowest == truth["skills"]["lowest_overall_role"] == "Warehouse associate"


def test_leaders_rate_themselves_about_one_and_a_half_levels_above_their_teams(tables, truth):
    survey = tables["skills_survey"]
    per_person = survey.groupby(["respondent_id", "department", "role"])["level"].mean().reset_index()
    leaders = truth["skills"]["leadership_gap"]
    assert set(leaders) == set(sample.LEADERS)
    for role, fact in leaders.items():
        team = per_person[~per_person["role"].isin(sample.LEADERS)]
        if role != "CEO":
            team = team[team["department"] == fact["department"]]
        own = per_person.loc[per_person["respondent_id"] == fact["person_id"], "level"].item()
        assert own - team["level"].mean() == pytest.approx(fact["gap"], abs=1e-3)
        assert 1.0 <= fact["gap"] <= 2.0


def test_proficient_non_users_are_exactly_those_rating_three_plus_without_usage(tables, truth):
    mean = tables["skills_survey"].groupby("respondent_id")["level"].mean()
    no_rows = ~mean.index.isin(tables["usage"]["user_id"])
    assert sorted(mean.index[(mean >= 3) & no_rows]) == truth["skills"]["proficient_nonusers"]
    assert len(truth["skills"]["proficient_nonusers"]) == 5


def test_frequent_low_raters_are_exactly_heavy_ai_users_rating_zero_or_one(tables, truth):
    usage = tables["usage"]
    ai = usage[usage["tool"].isin(truth["tools"]["ai_tools"]) & (usage["date"] > AS_OF - pd.Timedelta(days=90))]
    ai_days = ai.groupby("user_id")["date"].nunique()
    top = tables["skills_survey"].groupby("respondent_id")["level"].max()
    low_and_busy = top.index[(top <= 1) & (top.index.map(ai_days).fillna(0) >= 20)]
    assert sorted(low_and_busy) == truth["skills"]["frequent_low_raters"]
    assert all(ai_days[p] >= 40 for p in truth["skills"]["frequent_low_raters"])


def test_role_targets_leave_roles_to_the_star_rows_and_name_a_role_nobody_has(tables, truth):
    targets, roles = tables["role_targets"], set(tables["skills_survey"]["role"])
    assert set(targets.loc[targets["role"] == "*", "skill"]) == set(sample.SKILLS)
    assert set(truth["skills"]["roles_without_target_rows"]) == roles - set(targets["role"])
    assert truth["skills"]["roles_without_target_rows"]
    assert set(targets["role"]) - roles - {"*"} == {"Data analyst"}


# --- tools and usage --------------------------------------------------------------------------


def test_tool_inventory_is_complete_and_allows_no_ai_tool_restricted_data(tables):
    tools = tables["tools"]
    assert 28 <= len(tools) <= 32
    assert "restricted" not in set(tools["max_data_class"])
    assert ((tools["max_data_class"] == "confidential") & (tools["plan"] == "enterprise")).any()
    assert {"monthly", "annual"} == set(tools["billing_cycle"])


def test_idle_tools_have_paid_seats_and_no_use_in_ninety_days(tables, truth):
    tools, usage = tables["tools"].set_index("tool"), tables["usage"]
    idle = truth["tools"]["idle_tools"]
    assert sorted(idle) == ["Copy.ai", "Jasper", "Otter.ai", "Smartsheet"]
    assert (tools.loc[idle, "seats"] > 0).all()
    assert set(idle).isdisjoint(_active_users(usage, days=90).index)
    assert set(idle) <= set(usage["tool"])  # used earlier in the year


def test_utilization_bands_are_as_planted(tables, truth):
    tools = tables["tools"].set_index("tool")
    active = _active_users(tables["usage"])
    seated = tools[tools["seats"] > 0]
    utilization = (active.reindex(seated.index).fillna(0) / seated["seats"]).round(3)
    assert utilization.to_dict() == truth["tools"]["utilization"]
    assert sorted(truth["tools"]["over_provisioned"]) == [
        "Claude Team", "Fireflies.ai", "Microsoft Teams Premium", "Salesforce Einstein",
    ]  # fmt: skip
    assert all(0.3 <= u <= 0.6 for u in truth["tools"]["over_provisioned"].values())
    for tool in ("Microsoft 365 Copilot", "ChatGPT Team", "Zendesk AI", "GitHub Copilot Business"):
        assert utilization[tool] >= 0.85 and tools.at[tool, "approved"]


def test_overlaps_renewals_and_unapproved_use_are_present(tables, truth):
    facts = truth["tools"]
    assert {"chat_assistant", "meeting_assistant", "writing_assistant"} <= set(facts["overlapping_categories"])
    assert len(facts["renewals_within_90_days"]) >= 3
    tools = tables["tools"].set_index("tool")
    active = set(_active_users(tables["usage"]).index)
    for tool in facts["unapproved_in_use"]:
        assert not tools.at[tool, "approved"] and tool in active
    assert {"free", "individual"} <= set(tools.loc[facts["free_or_individual_in_use"], "plan"])


def test_shadow_tools_appear_in_usage_but_not_in_the_inventory(tables, truth):
    shadow = truth["tools"]["shadow_tools_in_usage"]
    assert sorted(shadow) == ["DeepSeek", "Gemini", "Perplexity"]
    assert set(shadow).isdisjoint(tables["tools"]["tool"])
    unlisted = set(tables["usage"]["tool"]) - set(tables["tools"]["tool"])
    assert unlisted == set(shadow)


def test_window_edge_users_last_used_the_tool_30_and_29_days_before_as_of(tables, truth):
    edge = truth["tools"]["window_edge"]
    usage = tables["usage"]
    last = usage[usage["tool"] == edge["tool"]].groupby("user_id")["date"].max()
    (at_30,), (at_29,) = edge["last_used_30_days_before_as_of"], edge["last_used_29_days_before_as_of"]
    assert (AS_OF - last[at_30]).days == 30 and (AS_OF - last[at_29]).days == 29
    counts = (edge["active_users_if_window_is_30_days"], edge["active_users_if_window_is_31_days"])
    assert counts == (_active_users(usage)[edge["tool"]], _active_users(usage, days=31)[edge["tool"]])
    assert counts[1] == counts[0] + 1


def test_ai_adoption_rises_over_the_year(tables, truth):
    usage = tables["usage"]
    ai = usage[usage["tool"].isin(truth["tools"]["ai_tools"])]
    monthly = ai.groupby(ai["date"].dt.month)["user_id"].nunique()
    assert monthly[12] > 3 * monthly[1]


# --- expenses -------------------------------------------------------------------------------


def test_shadow_ai_charges_are_small_monthly_and_named_by_ai_vendors(tables, truth):
    exp = tables["expenses"].set_index("expense_id")
    facts = truth["expenses"]
    shadow = exp.loc[facts["shadow_expense_ids"]]
    keywords = "openai|chatgpt|anthropic|claude|midjourney|perplexity|otter"
    assert shadow["vendor"].str.lower().str.contains(keywords).all()
    assert shadow["vendor"].nunique() > len(facts["shadow_expense_by_tool"])  # names vary
    charges = shadow[shadow["amount"] > 0]["amount"]
    assert charges.between(15, 30).all() and len(charges) >= 40
    assert facts["refund_expense_ids"] == exp.index[exp["amount"] < 0].tolist()
    assert len(facts["refund_expense_ids"]) == 1
    ordinary = exp.drop(index=facts["shadow_expense_ids"])
    assert 250 <= len(ordinary) <= 400
    traps = exp.loc[facts["keyword_trap_expense_ids"], "vendor"].str.lower()
    assert traps.str.contains("openai|claude").all()  # a naive keyword match would flag these


def test_perplexity_subscriber_also_shows_perplexity_usage(truth):
    subscriber = truth["expenses"]["shadow_subscribers_by_tool"]["Perplexity"]
    assert set(subscriber) <= set(truth["tools"]["shadow_tools_in_usage"]["Perplexity"])


# --- recurring work -------------------------------------------------------------------------


def test_recurring_work_plants_agent_candidates_a_restricted_task_and_long_tasks(tables, truth):
    rw = tables["recurring_work"].set_index("task_id")
    facts = truth["recurring_work"]
    assert 25 <= len(rw) <= 35 and set(rw["category"]) == set(sample.schemas.RECURRING_CATEGORIES)
    best = rw.loc[facts["best_agent_candidates"]]
    assert (best["input_structure"] == 5).all() and (best["rule_based"] == 5).all()
    assert (best["exception_rate"] <= 0.05).all() and set(best["data_sensitivity"]) == {"internal"}
    score = (rw["input_structure"] + rw["rule_based"]) / 10 * (1 - rw["exception_rate"]) * rw["runs_per_month"] * rw[
        "minutes_per_run"
    ]
    eligible = score[rw["data_sensitivity"].isin(["public", "internal"]) & (rw["error_impact"] != "high")]
    assert sorted(eligible.nlargest(3).index) == sorted(facts["best_agent_candidates"])
    (never,) = facts["never_autonomous"]
    assert rw.at[never, "data_sensitivity"] == "restricted" and score[never] > eligible.nlargest(3).iloc[-1] / 2
    assert facts["split_over_60_minutes"] == rw.index[rw["minutes_per_run"] > 60].tolist()
    assert len(facts["split_over_60_minutes"]) == 2


# --- scale and the command line --------------------------------------------------------------


def test_scale_multiplies_headcount_and_usage(tmp_path: Path, truth):
    doubled = sample.generate(tmp_path / "x2", seed=7, scale=2)
    assert doubled["headcount"] == 2 * (truth["headcount"] - len(sample.LEADERS)) + len(sample.LEADERS)
    assert doubled["rows"]["skills_survey"] == doubled["headcount"] * len(sample.SKILLS)
    assert 1.8 < doubled["rows"]["usage"] / truth["rows"]["usage"] < 2.2
    assert doubled["rows"]["workflows"] == truth["rows"]["workflows"]


@pytest.mark.parametrize(("kwargs", "message"), [({"scale": 0}, "scale"), ({"usage_days": 30}, "usage_days")])
def test_bad_arguments_are_refused(tmp_path: Path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sample.generate(tmp_path, **kwargs)


def test_command_line_writes_an_engagement_folder(tmp_path: Path, capsys):
    sample.main([str(tmp_path / "cli"), "--seed", "2", "--scale", "0.2"])
    assert all((tmp_path / "cli" / name).is_file() for name in FILES)
    assert "people" in capsys.readouterr().out


# --- study design of workflow_studies (benchmarks/study_estimates.py) -------------------------


def test_leaving_workflows_untimed_drops_exactly_their_runs_and_changes_no_other_run():
    _, full, saving, _ = sample.workflow_studies(1000)
    _, cut, saving_cut, _ = sample.workflow_studies(1000, untimed=8)
    dropped = set(full["workflow_id"]) - set(cut["workflow_id"])
    normal = {f"W{i + 1:02d}" for i, w in enumerate(sample.WORKFLOWS) if w.studies == sample.NORMAL}
    assert len(dropped) == 8 and dropped <= normal
    assert cut.equals(full[~full["workflow_id"].isin(dropped)].reset_index(drop=True))
    assert saving_cut == saving
    _, again, _, _ = sample.workflow_studies(1001, untimed=8)
    assert set(full["workflow_id"]) - set(again["workflow_id"]) != dropped  # a new choice per client


def test_a_type_spread_moves_every_drawn_workflow_of_a_task_type_by_one_shift_and_no_planted_one():
    wfs, _, base, _ = sample.workflow_studies(1000)
    _, _, moved, _ = sample.workflow_studies(1000, type_spread=1.0)
    planted = {f"W{i + 1:02d}" for i, w in enumerate(sample.WORKFLOWS) if w.saving is not None}
    shift = pd.Series({w: np.log(1 - moved[w]) - np.log(1 - base[w]) for w in base if w not in planted})
    by_type = shift.groupby(wfs.set_index("workflow_id")["task_type"]).agg(["min", "max"])
    assert (by_type["max"] - by_type["min"]).max() < 0.01  # savings are rounded to 0.001
    assert by_type["min"].abs().max() > 0.05  # the types really moved
    assert all(moved[w] == base[w] for w in planted)
    assert sample.workflow_studies(1000, type_spread=0.0)[2] == base

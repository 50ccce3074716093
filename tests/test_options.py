"""Phase options: one typed model per phase, checked before a run folder exists (kit.options, kit.runner)."""

from __future__ import annotations

import inspect

import pytest

from kit.intake import load_engagement
from kit.options import AgentCandidatesOptions, option_error
from kit.phases import PHASES, agents, consolidation, get_phase, roi, training
from kit.runner import RunError, check_parameters, phase_options
from kit.settings import parse_settings
from tests.conftest import SETTINGS, write_engagement

BASE = {"client": "Acme", "slug": "acme", "start_date": "2027-01-11", "hourly_cost": 50}


@pytest.mark.parametrize(
    ("phase", "name", "value", "expected"),
    [
        ("training_gaps", "hours_per_level", -1, "must be greater than 0"),
        ("training_gaps", "hours_per_level", 0, "must be greater than 0"),
        ("training_gaps", "hours_per_level", "six", "must be a valid number"),
        ("training_gaps", "top_workflows", -1, "must be greater than or equal to 0"),
        ("training_gaps", "leader_gap_threshold", 5, "must be less than or equal to 4"),
        ("agent_candidates", "top_specs", -1, "must be greater than or equal to 0"),
        ("agent_candidates", "top_specs", 2.5, "must be a valid integer"),
        ("agent_candidates", "top_specs", True, "must be a valid integer"),
        ("agent_candidates", "readiness_threshold", 1.2, "must be less than or equal to 1"),
        ("agent_candidates", "long_task_minutes", float("inf"), "must be a finite number"),
        ("roi_ranking", "ranking", "best", "must be 'conservative' or 'point'"),
        ("roi_ranking", "top_n", 0, "must be greater than or equal to 1"),
        ("consolidation", "active_window_days", 45, "must be 0, 30, 60 or 90"),
        ("consolidation", "downsize_buffer", -0.1, "must be greater than or equal to 0"),
    ],
)
def test_out_of_range_option_names_what_is_allowed_and_what_the_option_is(phase, name, value, expected):
    options = get_phase(phase).options
    assert option_error(options, name, value) == f"{expected} — {options.model_fields[name].description}"


@pytest.mark.parametrize(
    ("phase", "name", "value"),
    [
        ("training_gaps", "hours_per_level", 8),  # a whole number is a number
        ("training_gaps", "top_workflows", 0),
        ("agent_candidates", "top_specs", 0),
        ("agent_candidates", "readiness_threshold", 1),
        ("roi_ranking", "ranking", "point"),
        ("consolidation", "active_window_days", 90),
        ("consolidation", "downsize_buffer", 1),
    ],
)
def test_values_at_the_edge_of_the_range_are_allowed(phase, name, value):
    assert option_error(get_phase(phase).options, name, value) is None


@pytest.mark.parametrize(
    ("module", "phase"),
    [(roi, "roi_ranking"), (training, "training_gaps"), (consolidation, "consolidation"), (agents, "agent_candidates")],
)
def test_option_defaults_are_the_analysis_defaults(module, phase):
    signature = inspect.signature(module.analyze).parameters
    options = get_phase(phase).options.model_fields
    shared = [name for name in options if name in signature]
    assert shared, "the phase's analysis takes its options by name"
    assert {n: options[n].default for n in shared} == {n: signature[n].default for n in shared}


def test_every_bad_parameter_is_reported_at_once_one_line_each():
    with pytest.raises(RunError) as info:
        check_parameters(list(PHASES), {"hours_per_level": -1, "top_specs": -1, "adoptoin_rate": 0.5})
    assert str(info.value).splitlines() == [
        "unknown parameter(s): adoptoin_rate. The notebooks declare: active_window_days, downsize_buffer, "
        "hours_per_level, leader_gap_threshold, long_task_minutes, ranking, readiness_threshold, top_n, top_specs, "
        "top_workflows",
        "--param hours_per_level=-1: must be greater than 0 — training hours per person for each skill level gained "
        "(kit assumption)",
        "--param top_specs=-1: must be greater than or equal to 0 — how many top candidates get a one-page agent "
        "specification",
    ]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("astrology.top_n", "--param astrology.top_n=2: unknown phase 'astrology'; known phases: workflow_mapping, "),
        ("agent_candidates.top_n", "--param agent_candidates.top_n=2: phase agent_candidates has no option 'top_n' "
                                   "(its options: readiness_threshold, long_task_minutes, top_specs)"),
        ("training_gaps.top_n", "--param training_gaps.top_n=2: phase training_gaps is not part of this run"),
    ],
)  # fmt: skip
def test_a_namespaced_parameter_must_name_a_phase_of_this_run_and_one_of_its_options(key, expected):
    with pytest.raises(RunError) as info:
        check_parameters([get_phase("roi_ranking"), get_phase("agent_candidates")], {key: 2})
    assert str(info.value).startswith(expected)


def test_a_namespaced_parameter_is_checked_against_its_phase_only():
    check_parameters([get_phase("roi_ranking")], {"02.top_n": 2, "roi_ranking.ranking": "point"})
    with pytest.raises(RunError, match=r"^--param 02.top_n=0: must be greater than or equal to 1"):
        check_parameters([get_phase("roi_ranking")], {"02.top_n": 0})


def test_options_merge_defaults_then_engagement_yaml_then_the_command_line(tmp_path):
    yaml_options = "phases:\n  agent_candidates:\n    top_specs: 2\n    readiness_threshold: 0.5\n"
    eng = load_engagement(write_engagement(tmp_path / "e", settings=SETTINGS + yaml_options))
    phase = get_phase("agent_candidates")
    assert phase_options(phase, {}, eng.settings) == AgentCandidatesOptions(top_specs=2, readiness_threshold=0.5)
    given = {"top_specs": 3, "readiness_threshold": 0.7, "05.readiness_threshold": 0.8, "top_n": 1}
    merged = phase_options(phase, given, eng.settings)
    assert (merged.top_specs, merged.readiness_threshold, merged.long_task_minutes) == (3, 0.8, 60.0)


@pytest.mark.parametrize(
    ("phases", "message"),
    [
        ({"training_gaps": {"hours_per_level": -1}},
         'setting "phases.training_gaps.hours_per_level" must be greater than 0 (given: -1)'),
        ({"agent_candidates": {"top_specs": -1}},
         'setting "phases.agent_candidates.top_specs" must be greater than or equal to 0 (given: -1)'),
        ({"roi_ranking": {"ranking": "best"}},
         "setting \"phases.roi_ranking.ranking\" must be one of 'conservative' or 'point' (given: 'best')"),
        ({"training_gaps": {"hours": 3}},
         'setting "phases.training_gaps.hours" is not a known setting (see engagement_templates/engagement.yaml)'),
        ({"trainig_gaps": {}},
         'setting "phases.trainig_gaps" is not a known setting (see engagement_templates/engagement.yaml)'),
        ({"training_gaps": 6}, 'setting "phases.training_gaps" must be a mapping (key: value) (given: 6)'),
    ],
)  # fmt: skip
def test_bad_phase_option_in_engagement_yaml_is_a_problem_naming_the_setting(phases, message):
    from kit.problems import IntakeError

    with pytest.raises(IntakeError) as info:
        parse_settings({**BASE, "phases": phases})
    assert [str(p) for p in info.value.problems] == [f"engagement.yaml: {message}"]


def test_phase_options_in_engagement_yaml_default_to_each_models_defaults():
    settings = parse_settings({**BASE, "phases": {"training_gaps": {"hours_per_level": 8}, "consolidation": None}})
    assert settings.phases.training_gaps.hours_per_level == 8.0
    assert settings.phases.consolidation == get_phase("consolidation").options()
    assert parse_settings(BASE).phases.agent_candidates.top_specs == 5


def test_engagement_template_documents_every_phase_option_and_no_other():
    import re

    from kit.paths import resource_dir

    text = (resource_dir("engagement_templates") / "engagement.yaml").read_text(encoding="utf-8")
    section = text[text.index("# phases —") : text.index("# Example:", text.index("# phases —"))]
    documented = {
        phase: set(re.findall(r"(\w+) \(", options))
        for phase, options in re.findall(r"#   (\w+): +(.*?)(?=#   \w+:|\Z)", section, flags=re.DOTALL)
    }
    assert documented == {p.name: set(p.options.model_fields) for p in PHASES if p.options.model_fields}
    assert parse_settings({**BASE, "phases": {}}).phases == parse_settings(BASE).phases

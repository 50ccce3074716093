"""`kit run --param`: a bad option value stops the run before a run folder exists, naming the option and the range."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import kit


@pytest.mark.parametrize(
    ("phase", "param", "expected"),
    [
        ("training_gaps", "hours_per_level=-1", "--param hours_per_level=-1: must be greater than 0"),
        ("agent_candidates", "top_specs=-1", "--param top_specs=-1: must be greater than or equal to 0"),
    ],
)
def test_out_of_range_option_exits_two_naming_it_and_writes_no_run_folder(
    engagement_dir, tmp_path, phase, param, expected
):
    reports = tmp_path / "r"
    proc = kit("run", str(engagement_dir), "--phase", phase, "--param", param, "--reports", str(reports), cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (reports / "test-client").exists() or not any((reports / "test-client").iterdir())


def test_bad_option_in_engagement_yaml_is_reported_in_the_contracts_style(tmp_path):
    from tests.conftest import SETTINGS, write_engagement

    folder = write_engagement(
        tmp_path / "e", settings=SETTINGS + "phases:\n  training_gaps:\n    hours_per_level: -1\n"
    )
    proc = kit("run", str(folder), "--phase", "training_gaps", "--reports", str(tmp_path / "r"), cwd=tmp_path)
    assert proc.returncode == 1
    assert (
        'engagement.yaml: setting "phases.training_gaps.hours_per_level" must be greater than 0 (given: -1)'
        in proc.stderr
    )
    assert not (tmp_path / "r").exists()


def test_options_from_engagement_yaml_and_the_command_line_reach_the_notebook(tmp_path):
    import json

    from tests.conftest import SETTINGS, write_engagement

    folder = write_engagement(
        tmp_path / "e", settings=SETTINGS + "phases:\n  training_gaps:\n    hours_per_level: 8\n    top_workflows: 1\n"
    )
    reports = tmp_path / "r"
    proc = kit(
        "run", str(folder), "--phase", "03", "--param", "03.hours_per_level=12", "--reports", str(reports), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (run,) = [p for p in (reports / "test-client").iterdir() if p.name != ".cache"]  # partial: never `latest`
    (outcome,) = json.loads((run / "manifest.json").read_text())["phases"]
    assert outcome["parameters"] | {"engagement": "", "output_dir": "", "run_date": ""} == {
        "engagement": "", "output_dir": "", "run_date": "", "hours_per_level": 12.0, "top_workflows": 1,
        "leader_gap_threshold": 1.0,
    }  # fmt: skip
    scalars = json.loads((run / "results" / "training_gaps.json").read_text())["scalars"]
    assert (scalars["hours_per_level"], scalars["top_workflows"]) == (12.0, 1)

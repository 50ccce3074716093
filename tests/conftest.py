"""Shared fixtures: a small, valid engagement built in code, and a writer to break it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

SETTINGS = """\
client: Test Client
slug: test-client
start_date: 2027-01-11
hourly_cost: 50
hourly_cost_by_role:
  Analyst: 80
"""

TABLES = {
    "workflows": """\
workflow_id,department,workflow,owner_role,task_type,runs_per_month,minutes_per_run,data_sensitivity
W1,Finance,Variance commentary,Analyst,writing,10,60,internal
W2,Sales,Pipeline report,Sales Rep,reporting,20,30,confidential
""",
    "time_studies": """\
observation_id,workflow_id,ai_assisted,minutes
O1,W1,false,60
O2,W1,true,40
""",
    "skills_survey": """\
respondent_id,department,role,skill,level
E1,Finance,Analyst,prompting,1
E1,Finance,Analyst,data_handling,2
E2,Sales,Sales Rep,prompting,3
""",
    "role_targets": """\
role,skill,target_level,weight
Analyst,prompting,3,2
*,prompting,2,1
*,data_handling,2,1
""",
    "tools": """\
tool,vendor,category,plan,seats,cost_per_seat_month,approved,max_data_class
ChatGPT Team,OpenAI,chat_assistant,team,10,30,true,internal
Otter,Otter.ai,meeting_assistant,individual,2,17,no,public
""",
    "usage": """\
user_id,tool,date
E1,ChatGPT Team,2026-12-01
E2,Perplexity,2026-12-02
""",
    "expenses": """\
expense_id,date,employee_id,vendor,amount
X1,2026-11-05,E2,OPENAI *CHATGPT,20
""",
    "recurring_work": """\
task_id,department,task,category,owner_role,runs_per_month,minutes_per_run,input_structure,rule_based,exception_rate,data_sensitivity,error_impact
T1,Sales,Weekly pipeline report,report,Sales Rep,4,45,5,4,0.1,internal,low
""",
}


def write_engagement(folder: Path, settings: str = SETTINGS, **tables: str | None) -> Path:
    """Write a small valid engagement; keyword arguments replace a table's CSV text (None = omit it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "engagement.yaml").write_text(textwrap.dedent(settings), encoding="utf-8")
    for name, text in {**TABLES, **tables}.items():
        if text is not None:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def engagement_dir(tmp_path: Path) -> Path:
    return write_engagement(tmp_path / "eng")


def execute_notebook(notebook: Path, out: Path, parameters: dict | None = None, *, cwd: Path | None = None) -> Path:
    """Execute a notebook in report mode with papermill in a process of its own, as `kit run` does.

    A separate process keeps each test's kernel and event loop apart from the pytest worker's
    (in-process executions in a long-lived worker have stalled here). Fails the test on error.
    """
    import json
    import os
    import subprocess
    import sys

    repo = str(Path(__file__).resolve().parents[1])
    papermill_with_guard = (
        "import sys; from kit.kernel_io import install_poll_workaround; install_poll_workaround(); "
        "from papermill.cli import papermill; sys.argv[0] = 'papermill'; papermill()"
    )
    cmd = [sys.executable, "-c", papermill_with_guard, str(notebook), str(out), "--no-progress-bar",
           "--execution-timeout", "300", "--cwd", str(cwd or Path(notebook).parent)]  # fmt: skip
    if parameters:
        cmd += ["-y", json.dumps(parameters)]
    env = {**os.environ, "KIT_REPORT": "1", "PYTHONPATH": os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out

"""`kit run` on the sample client, end to end: what a consultant hands over."""

from __future__ import annotations

import json
import re

import pandas as pd
import yaml

from kit.phases import PHASES
from kit.report import external_refs
from tests.e2e.conftest import tree_hashes

FIRST_RUN = [p for p in PHASES if not p.needs_baseline]  # progress waits for a baseline run


def latest(reports):
    return reports / "halden" / "latest"


def all_html(reports):
    return sorted(latest(reports).rglob("*.html"))


def test_run_succeeds_and_prints_where_the_report_is(sample_run):
    proc, reports, _ = sample_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Report ready:" in proc.stdout
    assert str(latest(reports) / "index.html") in proc.stdout.replace("\n", "")
    assert "Traceback" not in proc.stdout + proc.stderr


def test_every_phase_has_its_deliverable_results_and_index_entry(sample_run):
    _, reports, _ = sample_run
    run = latest(reports)
    index = (run / "index.html").read_text(encoding="utf-8")
    for phase in FIRST_RUN:
        stem = phase.notebook.removesuffix(".ipynb")
        assert (run / f"{stem}.html").is_file()
        assert (run / "results" / f"{phase.name}.json").is_file()
        assert (run / "notebooks" / phase.notebook).is_file()
        assert f'href="{stem}.html"' in index
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    assert {p["phase"]: p["status"] for p in manifest["phases"]} == {p.name: "skipped" if p.needs_baseline else "ok" for p in PHASES}
    assert set(manifest["inputs"]) >= {"workflows", "time_studies", "tools", "usage"}
    assert all(len(v["sha256"]) == 64 for v in manifest["inputs"].values())


def test_a_run_from_relative_paths_writes_pages_and_results_into_its_run_folder_only(sample_run, sample_copy):
    _, reports, _ = sample_run
    run = latest(reports).resolve()
    from kit.model import GRAPH

    # each phase's record, every node of the engagement model typed, and the run's status
    # and the engagement as the runner loaded it (the notebooks read it instead of loading again)
    expected = {f"{p.name}.json" for p in PHASES} | {f"{n}.pkl" for n in GRAPH.nodes} | {"status.json", "engagement.pkl"}
    assert {p.name for p in (run / "results").iterdir()} == expected
    assert (run / "pages" / "clarity_document.txt").is_file() and (run / "pages" / "engagement_workbook.xlsx").is_file()
    index = (run / "index.html").read_text(encoding="utf-8")
    for page in (run / "pages").iterdir():
        assert f'href="pages/{page.name}"' in index
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == ["halden", "reports"]
    assert sorted(p.name for p in reports.iterdir()) == ["halden"]
    assert sorted(p.name for p in (reports / "halden").iterdir()) == sorted([".cache", "baseline", "latest", run.name])


def test_html_deliverables_reference_nothing_on_the_network(sample_run):
    _, reports, _ = sample_run
    files = all_html(reports)
    assert files
    for path in files:
        html = path.read_text(encoding="utf-8")
        assert external_refs(html) == [], path.name
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?://", html, re.I), path.name


def test_vega_bundle_is_included_once_per_report(sample_run):
    _, reports, _ = sample_run
    html = (latest(reports) / "01_workflow_mapping.html").read_text(encoding="utf-8")
    assert html.count("kit-chart-spec") >= 3
    assert html.count("vegaEmbed=") + html.count("window.vegaEmbed") >= 1
    assert len(html) < 3_000_000  # one ~0.9 MB bundle, not one per chart


def test_code_is_hidden_in_the_deliverables(sample_run):
    _, reports, _ = sample_run
    html = (latest(reports) / "01_workflow_mapping.html").read_text(encoding="utf-8")
    assert "wm.analyze_engagement" not in html and "load_engagement(" not in html


def test_headline_figures_match_an_independent_computation(sample_run, sample_copy):
    _, reports, _ = sample_run
    wf = pd.read_csv(sample_copy / "workflows.csv")
    settings = yaml.safe_load((sample_copy / "engagement.yaml").read_text())
    by_role = {k.lower(): v for k, v in (settings.get("hourly_cost_by_role") or {}).items()}
    hours = wf["runs_per_month"] * 12 * wf["minutes_per_run"] / 60
    cost = hours * wf["owner_role"].str.lower().map(by_role).fillna(settings["hourly_cost"])
    html = (latest(reports) / "01_workflow_mapping.html").read_text(encoding="utf-8")
    assert f"take about {hours.sum():,.0f} hours a year" in html
    assert f"worth USD {cost.sum():,.0f}" in html
    record = json.loads((latest(reports) / "results" / "workflow_mapping.json").read_text())
    assert abs(record["scalars"]["total_hours"] - hours.sum()) < 1e-6


def test_no_real_person_identifier_appears_in_any_deliverable(sample_run, sample_copy):
    _, reports, _ = sample_run
    survey = pd.read_csv(sample_copy / "skills_survey.csv", dtype=str)
    ids = set(survey["respondent_id"])
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    for path in all_html(reports) + sorted(latest(reports).rglob("*.txt")) + sorted(latest(reports).rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        found = {m for m in pattern.findall(text) if re.search(rf"(?<![A-Za-z0-9]){re.escape(m)}(?![0-9])", text)}
        assert not found, f"{path.name} shows {sorted(found)[:3]}"


def test_clarity_document_is_written_as_a_separate_file(sample_run):
    _, reports, _ = sample_run
    text = (latest(reports) / "pages" / "clarity_document.txt").read_text(encoding="utf-8")
    assert text.startswith("COMPANY CONTEXT: Halden Industrial Supply")
    assert "DATA RULES" in text


def test_client_files_are_not_changed_by_a_run(sample_run, sample_copy):
    _, _, before = sample_run
    after = {k: v for k, v in tree_hashes(sample_copy).items() if not k.startswith(".kit")}
    assert after == before


def test_each_node_of_the_engagement_model_is_computed_exactly_once_per_run(sample_run):
    from kit.model import GRAPH

    _, reports, _ = sample_run
    manifest = json.loads((latest(reports) / "manifest.json").read_text())
    assert manifest["computed"] == dict.fromkeys(GRAPH.nodes, 1)

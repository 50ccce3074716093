"""A re-run of `kit run` after one intake table changed: only the phases that read it are
executed again, the rest is reused from the cache, and the deliverables equal a clean `--force` run."""

from __future__ import annotations

import json
import re
import shutil

from kit.model import GRAPH
from kit.phases import PHASES
from tests.e2e.conftest import kit

REUSED = {"workflow_mapping", "roi_ranking", "training_gaps", "consolidation"}  # none of them reads recurring work


# What differs between two renders of the same notebook: papermill's id for the injected-parameters
# cell and pandas' random id per styled table.
RANDOM_IDS = re.compile(r'cell-id=[0-9a-f]{8}|T_[0-9a-f]{5}')


def same_html(a, b) -> bool:
    return RANDOM_IDS.sub("-", a.read_text(encoding="utf-8")) == RANDOM_IDS.sub("-", b.read_text(encoding="utf-8"))


def run_folder(reports, proc):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return (reports / "halden" / "latest").resolve()


def test_a_rerun_after_one_table_changed_renders_only_its_phases_and_equals_a_clean_run(sample_run, sample_copy, tmp_path):
    _, reports, _ = sample_run
    client = tmp_path / "halden"
    shutil.copytree(sample_copy, client)  # with its pseudonym key (.kit/), as the engagement folder keeps it
    shutil.copytree(reports, tmp_path / "reports", symlinks=True)
    work = client / "recurring_work.csv"
    text = work.read_text(encoding="utf-8")
    assert ",4.0,50,4,4,0.15," in text
    work.write_text(text.replace(",4.0,50,4,4,0.15,", ",4.0,55,4,4,0.15,", 1), encoding="utf-8")

    again = run_folder(tmp_path / "reports", kit("run", "halden", cwd=tmp_path))
    manifest = json.loads((again / "manifest.json").read_text())
    assert set(manifest["reused"]["phases"]) == REUSED
    rendered = {p["phase"] for p in manifest["phases"] if not p["reused"] and p["status"] == "ok"}
    # progress since the baseline (recorded by the first run) reads every result
    assert rendered - {"progress"} == {"agent_candidates", "engagement_summary"}
    # and the usage parts of progress: kept from now on, but the first run had no baseline to compare with
    assert set(manifest["computed"]) == GRAPH.downstream(["recurring_work"]) | {"progress_usage"}
    assert "usage" in manifest["reused"]["tables"] and "recurring_work" not in manifest["reused"]["tables"]

    # a clean run of the same engagement with the same baseline: the same reports folder, nothing reused
    clean = run_folder(tmp_path / "reports", kit("run", "halden", "--force", cwd=tmp_path))
    assert clean != again
    forced = json.loads((clean / "manifest.json").read_text())
    assert forced["reused"] == {"tables": [], "nodes": [], "phases": [], "forced": True}
    assert set(forced["computed"]) == set(GRAPH.nodes)
    ran = {p["phase"] for p in forced["phases"] if p["status"] == "ok"}
    for phase in (p for p in PHASES if p.name in ran):
        stem = phase.notebook.removesuffix(".ipynb")
        assert (again / "results" / f"{phase.name}.json").read_text() == (clean / "results" / f"{phase.name}.json").read_text()
        assert same_html(again / f"{stem}.html", clean / f"{stem}.html"), stem
    assert {p.name for p in (clean / "pages").iterdir()} <= {p.name for p in (again / "pages").iterdir()}
    for page in (clean / "pages").glob("*.html"):
        assert same_html(again / "pages" / page.name, page), page.name
    assert str(again) in (again / "notebooks" / PHASES[0].notebook).read_text()  # this run's folder, not the first's

"""Incremental runs (kit.cache): what a re-run reuses, recomputes and re-renders, on the model and
cache layer directly (no kernels); the end-to-end re-run is in tests/e2e/test_incremental.py."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pandas as pd
import pytest

import kit
from kit import cache as kit_cache
from kit import render
from kit.cache import RunCache
from kit.intake import load_engagement, load_run_engagement
from kit.model import GRAPH, Unavailable, load_result
from kit.phases import PHASES
from kit.runner import _notebook_parameters, build_model, compute_model, plan_phases
from tests.conftest import TABLES, write_engagement

DATE = "2027-01-20"
SKIPPED: set[str] = set()  # phases the small engagement skips (none): never kept, so recomputed each run
ALL = {p.name for p in PHASES} - SKIPPED

# One cell changed in each intake table (warnings, `as_of` and the set of rows kept as they are),
# and the phases whose deliverables read that table, directly or through another phase's result
# (progress since the baseline reads every result).
CHANGES = {
    "workflows": (("W2,Sales,Pipeline report,Sales Rep,reporting,20,30", "W2,Sales,Pipeline report,Sales Rep,reporting,20,35"), ALL),
    "time_studies": (("O2,W1,true,40", "O2,W1,true,45"), ALL),
    "skills_survey": (("E2,Sales,Sales Rep,prompting,3", "E2,Sales,Sales Rep,prompting,2"),
                      {"training_gaps", "consolidation", "agent_candidates", "engagement_summary", "progress"}),
    "role_targets": (("Analyst,prompting,3,2", "Analyst,prompting,3,3"),
                     {"training_gaps", "agent_candidates", "engagement_summary", "progress"}),
    "tools": (("team,10,30,true", "team,12,30,true"), ALL),
    "usage": (("E1,ChatGPT Team,2026-12-01", "E1,ChatGPT Team,2026-11-30"),
              {"consolidation", "training_gaps", "agent_candidates", "engagement_summary", "progress"}),
    "expenses": (("OPENAI *CHATGPT,20", "OPENAI *CHATGPT,25"),
                 {"consolidation", "training_gaps", "agent_candidates", "engagement_summary", "progress"}),
    "recurring_work": (("report,Sales Rep,4,45", "report,Sales Rep,4,50"), {"agent_candidates", "engagement_summary", "progress"}),
    # the optional table: only the snapshot reads it, so progress and the summary (which quotes it)
    "pilots": (("T1,shadow,", "T1,approval,"), {"progress", "engagement_summary"}),
}  # fmt: skip
PILOTS = """\
task_id,stage,started_on,outputs_reviewed,outputs_accepted
T1,shadow,2026-11-02,40,31
"""
ENGAGEMENT = {**TABLES, "pilots": PILOTS}  # the small engagement of tests.conftest, with the optional table


def run_model(folder: Path, run_dir: Path, cache: RunCache | None, extra: dict | None = None):
    """What `kit run` does before the notebooks: load (through the cache), build, compute every node, persist."""
    eng = load_engagement(folder, cache=cache)
    outcomes = plan_phases(eng, None)
    run_dir.mkdir(parents=True)
    model = build_model(eng, outcomes, extra or {}, cache)
    compute_model(model, outcomes, run_dir, cache)
    for node in GRAPH.nodes:
        model[node]
    if cache is not None:
        cache.flush()
    model.save(run_dir)
    return model


def render_keys(model, run_dir: Path) -> dict[str, str]:
    status = {p.name: ("ok", None) for p in PHASES}
    return {
        p.name: render.render_key(model, p.name, _notebook_parameters(model.eng, p, run_dir, {}, DATE), status)
        for p in PHASES
        if p.name in ALL
    }


def _sheets(xlsx: bytes) -> dict[str, list[tuple]]:
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def assert_same(a, b, where: str) -> None:
    """Equal values, down to every DataFrame's dtypes and cells (pickles of equal values may differ);
    two Excel workbooks, sheet by sheet and cell by cell (their zip entries carry the time they were written)."""
    if isinstance(a, bytes) and a[:2] == b"PK":
        assert isinstance(b, bytes) and _sheets(a) == _sheets(b), where
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=where)
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert a == b, where


def records(run_dir: Path) -> dict[str, dict]:
    return {p: json.loads((run_dir / "results" / f"{p}.json").read_text()) for p in ALL}


def cached(model) -> set[str]:
    """What a run computed, less the skipped phases' nodes (recomputed every run, never kept)."""
    return set(model.computed) - SKIPPED


@pytest.fixture
def client(tmp_path):
    """A small engagement, run once: its folder, the cache and that first run's model and render keys."""
    folder = write_engagement(tmp_path / "eng", pilots=PILOTS)
    cache = RunCache(tmp_path / "reports" / "test-client" / ".cache")
    first = run_model(folder, tmp_path / "run1", cache)
    assert {p.name for p in PHASES if isinstance(first[p.name], Unavailable)} == SKIPPED
    return folder, cache, first, render_keys(first, tmp_path / "run1")


@pytest.mark.parametrize("table", sorted(CHANGES))
def test_changing_one_table_recomputes_and_rerenders_exactly_what_depends_on_it_with_a_clean_runs_results(
    client, tmp_path, table
):
    folder, cache, _, keys_before = client
    (old, new), expected_phases = CHANGES[table]
    assert old in ENGAGEMENT[table]
    write_engagement(folder, **{**ENGAGEMENT, table: ENGAGEMENT[table].replace(old, new)})

    again = run_model(folder, tmp_path / "run2", RunCache(cache.root))
    downstream = GRAPH.downstream([table])
    assert cached(again) == downstream - SKIPPED  # each node that reads the table, and nothing else
    assert set(again.reused).isdisjoint(downstream) and set(again.reused) | downstream | SKIPPED == set(GRAPH.nodes)
    keys_after = render_keys(again, tmp_path / "run2")
    assert {p for p in ALL if keys_after[p] != keys_before[p]} == expected_phases

    clean = run_model(folder, tmp_path / "clean", None)  # a clean full run: no cache at all
    assert set(clean.computed) == set(GRAPH.nodes) and not clean.reused
    assert records(tmp_path / "run2") == records(tmp_path / "clean")
    for node in GRAPH.nodes:
        assert_same(load_result(tmp_path / "run2", node), load_result(tmp_path / "clean", node), node)


def test_an_unchanged_engagement_reuses_every_table_node_and_render(client, tmp_path):
    folder, cache, first, keys = client
    again_cache = RunCache(cache.root)
    again = run_model(folder, tmp_path / "run2", again_cache)
    assert not cached(again) and set(again.reused) == set(GRAPH.nodes) - SKIPPED
    assert sorted(again_cache.hits["tables"]) == sorted(first.eng.tables)
    assert render_keys(again, tmp_path / "run2") == keys
    for name, frame in first.eng.tables.items():
        assert again.eng.tables[name].equals(frame)
    assert [str(p) for p in again.eng.problems] == [str(p) for p in first.eng.problems]


def test_force_reads_nothing_from_the_cache(client, tmp_path):
    folder, cache, _, _ = client
    forced_cache = RunCache(cache.root, read=False)
    forced = run_model(folder, tmp_path / "run2", forced_cache)
    assert set(forced.computed) == set(GRAPH.nodes) and not forced.reused
    assert forced_cache.hits == {"tables": [], "nodes": [], "renders": []}


def test_an_entry_from_another_kit_version_is_never_reused(client, tmp_path, monkeypatch):
    folder, cache, first, keys = client
    monkeypatch.setattr(kit, "__version__", "999.0")
    kit_cache.fingerprint.cache_clear()
    try:
        other_cache = RunCache(cache.root)
        other = run_model(folder, tmp_path / "run2", other_cache)
        assert set(other.computed) == set(GRAPH.nodes) and not other.reused
        assert other_cache.hits["tables"] == []
        assert not set(render_keys(other, tmp_path / "run2").values()) & set(keys.values())
    finally:
        monkeypatch.undo()
        kit_cache.fingerprint.cache_clear()


def test_an_entry_computed_under_other_settings_is_never_reused(client, tmp_path):
    folder, cache, _, keys = client
    write_engagement(folder, settings=(folder / "engagement.yaml").read_text().replace("hourly_cost: 50", "hourly_cost: 55"))
    other = run_model(folder, tmp_path / "run2", RunCache(cache.root))
    reads_settings = GRAPH.downstream(["settings"])
    assert cached(other) == reads_settings - SKIPPED and not set(other.reused) & reads_settings
    assert set(other.reused) == set(GRAPH.nodes) - reads_settings - SKIPPED  # e.g. the time-study baselines
    changed = render_keys(other, tmp_path / "run2")
    assert all(changed[p] != keys[p] for p in ALL)


@pytest.mark.parametrize(
    ("option", "recomputed"),
    [
        (("roi_ranking.ranking", "point"), {"roi_ranking", "training_ranking", "training_gaps", "department_readiness",
                                       "agent_candidates", "phase_records", "engagement_summary", "engagement_workbook",
                                       "progress"}),
        (("consolidation.downsize_buffer", 0.3), {"consolidation", "tools_after_review", "training_gaps",
                                               "department_readiness", "agent_candidates", "phase_records",
                                               "engagement_summary", "engagement_workbook", "progress_usage",
                                               "progress"}),
    ],
)  # fmt: skip
def test_an_entry_computed_with_other_options_is_never_reused(client, tmp_path, option, recomputed):
    folder, cache, _, keys = client
    name, value = option
    other = run_model(folder, tmp_path / "run2", RunCache(cache.root), extra={name: value})
    assert cached(other) == recomputed and not set(other.reused) & recomputed
    phase = name.partition(".")[0]
    assert render_keys(other, tmp_path / "run2")[phase] != keys[phase]


def test_a_damaged_entry_is_recomputed_and_a_failed_result_is_never_kept(client, tmp_path, monkeypatch):
    folder, cache, first, _ = client
    (entry,) = (cache.root / "nodes").glob("agent_candidates-*.pkl")
    entry.write_bytes(b"not a pickle")
    import kit.phases.agents as am

    def broken(*args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(am, "analyze", broken)
    failed = run_model(folder, tmp_path / "run2", RunCache(cache.root))
    assert failed["agent_candidates"].status == "failed" and "agent_candidates" in failed.computed
    assert not (cache.root / "nodes" / entry.name).read_bytes().startswith(b"\x80")  # the failure was not kept
    monkeypatch.undo()
    fixed = run_model(folder, tmp_path / "run3", RunCache(cache.root))
    assert cached(fixed) == {"agent_candidates"}
    assert records(tmp_path / "run3") == records(tmp_path / "run1")


def test_a_notebook_reads_the_runs_engagement_and_only_the_tables_it_uses(client, tmp_path):
    _, _, first, _ = client
    eng = load_run_engagement(tmp_path / "run1" / "results")
    assert eng.settings == first.eng.settings and eng.as_of == first.eng.as_of
    assert [str(p) for p in eng.warnings] == [str(p) for p in first.eng.warnings]
    assert sorted(eng.tables) == sorted(first.eng.tables) and eng.tables._loaded == {}  # nothing read yet
    assert eng.tables["usage"].equals(first.eng.tables["usage"])
    assert list(eng.tables._loaded) == ["usage"]


def test_a_phase_rendered_before_is_restored_with_this_runs_parameters(tmp_path):
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    phase = PHASES[0]
    old_run, new_run = tmp_path / "r1", tmp_path / "r2"
    nb = parameterize_notebook(load_notebook_node(str(phase.path)), {"output_dir": str(old_run)})
    (old_run / "notebooks").mkdir(parents=True)
    (old_run / "pages").mkdir()
    nbformat.write(nb, old_run / "notebooks" / phase.notebook)
    (old_run / "01_workflow_mapping.html").write_text("<html>figures</html>")
    (old_run / "pages" / "clarity_document.txt").write_text("context")
    cache = RunCache(tmp_path / "cache")
    cache.put_render(phase.name, "k" * 64, old_run, render.rendered_files(phase.name, "01_workflow_mapping.html",
                                                                         ["clarity_document.txt"]))  # fmt: skip
    files = render.restore(cache.render(phase.name, "k" * 64), new_run, {"output_dir": str(new_run)})
    assert sorted(files) == ["01_workflow_mapping.html", "notebooks/01_workflow_mapping.ipynb",
                             "pages/clarity_document.txt"]  # fmt: skip
    restored = nbformat.read(new_run / "notebooks" / phase.notebook, as_version=4)
    injected = next(c for c in restored.cells if "injected-parameters" in c.metadata.tags)
    assert str(new_run) in injected.source and str(old_run) not in injected.source
    assert (new_run / "pages" / "clarity_document.txt").read_text() == "context"


def test_a_result_kept_in_the_cache_is_copied_into_the_run_folder_not_pickled_again(client, tmp_path, monkeypatch):
    import pickle

    import kit.model

    folder, cache, first, _ = client
    for node in GRAPH.nodes:  # every node's results/ file holds the bytes of its cache entry, in a file of its own
        entry = cache.path_of("nodes", node, first.key(node))
        if entry is None:
            continue
        kept = tmp_path / "run1" / "results" / f"{node}.pkl"
        assert kept.read_bytes() == entry.read_bytes() and not kept.samefile(entry), node
    dumped = []
    real_dumps = pickle.dumps
    monkeypatch.setattr(kit.model.pickle, "dumps", lambda value, **kw: dumped.append(type(value).__name__) or real_dumps(value, **kw))
    again = run_model(folder, tmp_path / "run2", RunCache(cache.root))
    assert dumped == ["dict"] and set(again.reused) == set(GRAPH.nodes)  # results/engagement.pkl only
    assert_same(load_result(tmp_path / "run2", "snapshot"), load_result(tmp_path / "run1", "snapshot"), "snapshot")

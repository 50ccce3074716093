"""The engagement model: every analysis result as a node of one graph (`kit.graph`), computed once.

Sources are the loaded intake tables (None when missing), the settings, `as_of`, what is missing
and why, and each phase's typed options (`<phase>_options`, `kit.options`). Nodes are the shared
intermediate results (the workflow savings estimate, the tool inventory after the consolidation
review, the ROI ranking training reads) and one result per phase. A phase node returns its
result, or `Unavailable` when its tables are missing (skipped) or its analysis raised (failed),
so one phase's failure is a value the summary reports, never a crash of the others.

`kit run` builds one model per run (the engagement loaded once), computes every planned phase,
and persists each result (`results/<phase>.pkl`, typed, and `results/<phase>.json`); each
notebook then renders its phase from the persisted result. Live, a notebook builds the same
model in memory: the summary opened first computes what it needs, each node once, and a control
that changes one phase's options recomputes only the nodes downstream of it.
"""

from __future__ import annotations

import functools
import os
import pickle
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.cache import RunCache, digest, fingerprint
from kit.graph import Deferred, Driver, Graph
from kit.options import PhaseOptions
from kit.phases import PHASE_BY_NAME, PHASES
from kit.settings import TABLE_NAMES

RESULTS = "results"


@dataclass(frozen=True)
class Unavailable:
    """A phase result that does not exist: `status` "skipped" (a table it needs is missing) or
    "failed" (its analysis raised; `detail` holds the traceback for the log)."""

    phase: str
    status: str
    reason: str
    detail: str = ""

    def __bool__(self) -> bool:
        return False


class AnalysisUnavailable(Exception):
    """Raised in a notebook whose phase result is unavailable: one plain line, the reason."""


def _result(value: Any) -> Any | None:
    """An upstream result, or None when it is unavailable."""
    return None if isinstance(value, Unavailable) else value


def _phase(name: str, missing: Mapping[str, str], tables: Mapping[str, Any], compute, *needs: str) -> Any:
    """Run one phase's analysis: Unavailable("skipped") when one of its tables is missing,
    Unavailable("failed") when it raises (or when an upstream result it requires is unavailable)."""
    lacking = [t for t in PHASE_BY_NAME[name].tables if tables.get(t) is None]
    if lacking:
        why = "; ".join(f"{t}: {missing.get(t, 'not loaded')}" for t in lacking)
        return Unavailable(name, "skipped", f"needs {why}")
    for need, value in zip(needs[::2], needs[1::2], strict=True):
        if isinstance(value, Unavailable):
            return Unavailable(name, "failed", f"needs the {PHASE_BY_NAME[need].title} result ({value.reason})")
    try:
        return compute()
    except Exception as exc:  # noqa: BLE001 - one phase's error is its result; the others go on
        return Unavailable(name, "failed", f"{type(exc).__name__}: {exc}", traceback.format_exc())


# ---------------------------------------------------------------- nodes (name = result, parameters = inputs)


def saving_fits(workflows, time_studies, settings):
    """The per-workflow and pooled regressions on the time studies (the measured layer of the
    estimator, `kit.estimates.fit_savings`; a wild cluster bootstrap inverts at the settings'
    confidence level); None without a workflow inventory."""
    if workflows is None:
        return None
    from kit.estimates import fit_savings

    return fit_savings(workflows, time_studies, settings.min_runs_per_arm, level=settings.confidence_level)


def workflow_savings(workflows, time_studies, settings, saving_fits):
    """Each workflow's time saving with its interval and source: the one estimator every
    deliverable reads (`kit.estimates.estimate_savings`); None without a workflow inventory."""
    if workflows is None:
        return None
    from kit.estimates import estimate_savings

    return estimate_savings(workflows, time_studies, settings, fits=saving_fits)


def workflow_mapping(workflows, time_studies, tools, settings, missing, workflow_savings, workflow_mapping_options):
    from kit.phases import workflow_mapping as wm

    def compute():
        return wm.analyze(workflows, settings, time_studies=time_studies, tools=tools, savings=workflow_savings.table)

    return _phase("workflow_mapping", missing, {"workflows": workflows}, compute)


def roi_ranking(workflows, time_studies, tools, settings, missing, workflow_savings, roi_ranking_options):
    from kit.phases import roi

    o = roi_ranking_options

    def compute():
        return roi.analyze(
            workflows, time_studies, settings, tools=tools, ranking=o.ranking, top_n=o.top_n, estimates=workflow_savings
        )

    return _phase("roi_ranking", missing, {"workflows": workflows, "time_studies": time_studies}, compute)


def headcount(settings, skills_survey, usage, time_studies, expenses):
    """The adoption denominator (`kit.phases.consolidation.headcount_from`)."""
    from kit.phases import consolidation as cs

    tables = {"skills_survey": skills_survey, "usage": usage, "time_studies": time_studies, "expenses": expenses}
    return cs.headcount_from(settings, tables)


def consolidation(tools, usage, expenses, workflows, settings, as_of, missing, headcount, consolidation_options):
    from kit.phases import consolidation as cs

    o = consolidation_options
    count, source, tables = headcount

    def compute():
        return cs.analyze(
            tools, usage, settings, as_of=as_of, expenses=expenses, workflows=workflows,
            window_days=o.active_window_days or None, downsize_buffer=o.downsize_buffer,
            headcount=count or None, headcount_source=source, headcount_tables=tables,
        )  # fmt: skip

    return _phase("consolidation", missing, {"tools": tools, "usage": usage}, compute)


def tools_after_review(tools, consolidation):
    """The tool inventory as training should teach it: tools the consolidation review cancels or
    folds into another are no longer offered as approved (`training.tools_after_review`)."""
    from kit.phases import training as tg

    return tg.tools_after_review(tools, _result(consolidation))


def training_ranking(workflow_mapping, roi_ranking):
    """The workflow ranking training's priorities follow: the ROI ranking of this run (with its
    options), else a stand-in from the workflow inventory; None without either."""
    from kit.phases import training as tg

    roi, wm = _result(roi_ranking), _result(workflow_mapping)
    if roi is not None:
        return roi.ranking
    if wm is not None:
        return tg.ranking_from_inventory(wm.inventory)
    return None


def training_gaps(
    skills_survey, role_targets, workflows, usage, as_of, settings, missing, tools_after_review, training_ranking,
    training_gaps_options,
):  # fmt: skip
    from kit.phases import training as tg

    o = training_gaps_options

    def compute():
        return tg.analyze(
            skills_survey, role_targets, settings, workflows=workflows, usage=usage, tools=tools_after_review,
            ranking=training_ranking, as_of=as_of, hours_per_level=o.hours_per_level, top_workflows=o.top_workflows,
            leader_gap_threshold=o.leader_gap_threshold,
        )  # fmt: skip

    return _phase("training_gaps", missing, {"skills_survey": skills_survey, "role_targets": role_targets}, compute)


def department_readiness(skills_survey, training_gaps):
    """Training readiness per department and a note on its source, for the agents' readiness gate."""
    from kit.phases import agents as am

    return am.readiness_from(skills_survey is not None, _result(training_gaps), training_gaps)


def agent_candidates(recurring_work, tools, settings, missing, department_readiness, agent_candidates_options):
    from kit.governance import covered_classes
    from kit.phases import agents as am

    o = agent_candidates_options
    readiness, note = department_readiness

    def compute():
        return am.analyze(
            recurring_work, settings, readiness=readiness, readiness_note=note,
            covered=covered_classes(tools) if tools is not None else None,
            readiness_threshold=o.readiness_threshold, long_task_minutes=o.long_task_minutes, top_specs=o.top_specs,
        )  # fmt: skip

    return _phase("agent_candidates", missing, {"recurring_work": recurring_work}, compute)


def phase_records(workflow_mapping, roi_ranking, training_gaps, consolidation, agent_candidates):
    """What the summary reads: each source phase's status and record (the JSON shape of `record`)."""
    from kit.phases import summary as sm

    results = {
        "workflow_mapping": workflow_mapping,
        "roi_ranking": roi_ranking,
        "training_gaps": training_gaps,
        "consolidation": consolidation,
        "agent_candidates": agent_candidates,
    }
    return sm.records_from_results(results)


def baselines(time_studies):
    """Per workflow, the median unassisted minutes (the roadmap's metric baseline)."""
    from kit.phases import summary as sm

    return sm.baselines_from(time_studies)


def snapshot(workflows, time_studies, skills_survey, role_targets, tools, usage, expenses, pilots, settings, as_of):
    """The intake tables as this run analysed them (`kit.baseline.Snapshot`), for a later run to compare with."""
    from kit.baseline import snapshot_of

    tables = {"workflows": workflows, "time_studies": time_studies, "skills_survey": skills_survey,
              "role_targets": role_targets, "tools": tools, "usage": usage, "expenses": expenses, "pilots": pilots}  # fmt: skip
    return snapshot_of(tables, as_of, settings.accountable_owner)


def progress_usage(baseline, snapshot, consolidation, settings, progress_options):
    """The parts of the progress comparison that read the usage export (`kit.phases.progress.usage_parts`),
    a node of their own: at millions of usage rows they are most of its time, and they read only the
    snapshots and the consolidation, so a change elsewhere (recurring work, say) keeps them. None
    when there is nothing to compare; when they raised, the progress node's failure (`Unavailable`)."""
    from kit.baseline import RunData
    from kit.phases import progress as pg

    if baseline is None or baseline.snapshot is None:
        return None
    read = {} if isinstance(consolidation, Unavailable) else {"consolidation": consolidation}  # all it reads
    current = RunData("this run", snapshot, read)
    try:
        return pg.usage_parts(baseline, current, settings)
    except Exception as exc:  # noqa: BLE001 - the progress node's failure (one phase's error is its result)
        return Unavailable("progress", "failed", f"{type(exc).__name__}: {exc}", traceback.format_exc())


def progress(baseline, snapshot, roi_ranking, training_gaps, consolidation, agent_candidates, settings,
             progress_usage, progress_options):  # fmt: skip
    """This run against the baseline run (`kit.phases.progress`); an empty result, saying why, without one."""
    from kit.baseline import RunData
    from kit.phases import progress as pg

    if baseline is None:
        return pg.empty_result("no baseline run is recorded for this engagement", settings)
    if isinstance(progress_usage, Unavailable):
        return progress_usage
    results = {"roi_ranking": roi_ranking, "training_gaps": training_gaps, "consolidation": consolidation,
               "agent_candidates": agent_candidates}  # fmt: skip
    current = RunData("this run", snapshot, {k: v for k, v in results.items() if not isinstance(v, Unavailable)})
    try:
        return pg.analyze(baseline, current, settings, parts=progress_usage)
    except Exception as exc:  # noqa: BLE001 - one phase's error is its result; the others go on
        return Unavailable("progress", "failed", f"{type(exc).__name__}: {exc}", traceback.format_exc())


def engagement_summary(workflows, settings, missing, phase_records, baselines, progress, engagement_summary_options):
    from kit.phases import summary as sm

    def compute():
        return sm.analyze(phase_records, settings, baselines=baselines,
                          progress=progress.summary if getattr(progress, "available", False) else "")  # fmt: skip

    return _phase("engagement_summary", missing, {"workflows": workflows}, compute)


def engagement_workbook(engagement_summary, phase_records, progress):
    """The summary's Excel workbook (`kit.phases.summary.workbook_bytes`), as bytes: a node, so that
    `kit run` builds it while other notebooks render (and keeps it while its inputs do), and the
    summary notebook only writes it. None when the summary is not available."""
    from kit.phases import summary as sm

    if isinstance(engagement_summary, Unavailable):
        return None
    return sm.workbook_bytes(engagement_summary, phase_records, progress)


GRAPH = Graph(
    [
        saving_fits, workflow_savings, workflow_mapping, roi_ranking, headcount, consolidation, tools_after_review,
        training_ranking, training_gaps, department_readiness, agent_candidates, phase_records, baselines,
        snapshot, progress_usage, progress, engagement_summary, engagement_workbook,
    ]
)  # fmt: skip
PHASE_NODES = tuple(p.name for p in PHASES)


def options_source(phase: str) -> str:
    return f"{phase}_options"


# ---------------------------------------------------------------- the model


class EngagementModel:
    """One engagement's results graph. `options` maps a phase name to its options (a model or a
    mapping of option values); phases not given use engagement.yaml's `phases:` (else defaults).
    `run_dir`, when given, is a run folder whose persisted results are read instead of computed
    (a notebook rendering a `kit run`); a table is then read only if a node must be computed.
    `baseline` is the baseline run the progress node compares with (`kit.baseline.RunData`); None:
    none (the progress result says so).
    `cache` (`kit.cache.RunCache`, `kit run`): a node whose key (`key`) an earlier run kept is read
    from it instead of computed, and each node computed here is put in it (never an unavailable one)."""

    def __init__(
        self, eng, options: Mapping[str, PhaseOptions | Mapping[str, Any]] | None = None,
        run_dir: str | Path | None = None, cache: RunCache | None = None, baseline: Any = None,
    ):  # fmt: skip
        self.eng = eng
        self.run_dir = Path(run_dir) if run_dir else None
        self.cache = cache if self.run_dir is None else None
        if self.run_dir is not None:
            sources: dict[str, Any] = {t: Deferred(functools.partial(eng.tables.get, t)) for t in TABLE_NAMES}
        else:
            sources = {t: eng.tables.get(t) for t in TABLE_NAMES}
        sources |= {"settings": eng.settings, "as_of": eng.as_of, "missing": dict(eng.missing), "baseline": baseline}
        for phase in PHASES:
            sources[options_source(phase.name)] = self._options(phase.name, (options or {}).get(phase.name))
        load = self._load if self.run_dir else self._from_cache if self.cache else None
        self.driver = Driver(GRAPH, sources, load=load, store=self._to_cache if self.cache else None)
        self._saved: dict[tuple[str, str], Any] = {}  # (run folder, node) -> the result saved there
        self._provided: dict[str, str] = {}  # node set from outside -> its key

    # ---------------------------------------------------------------- keys (kit.cache)

    def source_key(self, name: str) -> str:
        """A source's key: a table's cache key (file, label, pseudonym key), else its value's digest."""
        if name in TABLE_NAMES:
            return self.eng.table_keys.get(name) or ("absent" if name not in self.eng.tables else digest("unkeyed", name))
        value = self.driver.get(name)
        if name == "baseline":  # a run folder is never rewritten: its id names its results
            value = None if value is None else [value.run_id, list(value.notes)]
        if hasattr(value, "model_dump"):
            value = value.model_dump(mode="json")
        return digest(name, value)

    def key(self, name: str) -> str:
        """What `name` is computed from, as one digest: the kit's fingerprint, the node and its inputs' keys."""
        if name in self._provided:
            return self._provided[name]
        node = GRAPH.nodes.get(name)
        if node is None:
            return self.source_key(name)
        return digest("node", fingerprint(), name, [(i, self.key(i)) for i in node.inputs])

    def _from_cache(self, name: str) -> tuple[bool, Any]:
        return self.cache.get("nodes", name, self.key(name))  # type: ignore[union-attr]

    def _to_cache(self, name: str, value: Any) -> None:
        if not isinstance(value, Unavailable):
            self.cache.put("nodes", name, self.key(name), value)  # type: ignore[union-attr]

    def _options(self, phase: str, given: PhaseOptions | Mapping[str, Any] | None) -> PhaseOptions:
        model = PHASE_BY_NAME[phase].options
        if isinstance(given, PhaseOptions):
            return given
        configured = getattr(self.eng.settings.phases, phase).model_dump()
        return model.model_validate(configured | dict(given or {}))

    def _load(self, name: str) -> tuple[bool, Any]:
        if self.run_dir is None or not result_path(self.run_dir, name).is_file():
            return False, None
        return True, load_result(self.run_dir, name)

    def __getitem__(self, name: str) -> Any:
        return self.driver.get(name)

    def result(self, phase: str) -> Any:
        """A phase's result; raises AnalysisUnavailable (one plain line) when it was skipped or failed.
        With a run folder, a result computed here (not read back) is persisted there too, so a
        notebook executed on a run folder by hand leaves what `kit run` would."""
        value = self.driver.get(phase)
        if isinstance(value, Unavailable):
            raise AnalysisUnavailable(f"{PHASE_BY_NAME[phase].title} is not available: {value.reason}")
        if self.run_dir is not None and not result_path(self.run_dir, phase).is_file():
            save_result(self.run_dir, phase, value)
        return value

    def options(self, phase: str) -> PhaseOptions:
        return self.driver.get(options_source(phase))

    def set_options(self, phase: str, **changes: Any) -> set[str]:
        """Change some of a phase's options (validated); returns the nodes that will be recomputed."""
        current = self.options(phase)
        new = type(current).model_validate(current.model_dump() | changes)
        return self.driver.update(**{options_source(phase): new})

    def not_run(self, phases: Mapping[str, str]) -> set[str]:
        """Mark phases as not available for this run (not selected, or their report failed):
        {phase: "not run: <reason>" | "failed: <reason>"}. Returns the nodes that will be recomputed."""
        marks = {}
        for phase, why in phases.items():
            status, _, reason = why.partition(": ")
            marks[phase] = Unavailable(phase, status, reason)
            self._provided[phase] = digest("provided", phase, status, reason)
        return self.driver.provide(**marks)

    def save(self, run_dir: str | Path) -> list[Path]:
        """Persist every node result known now into `run_dir` (see `save_result`); a result this
        model already saved there, unchanged since, is not written again."""
        written = []
        for name, value in self.driver.results().items():
            key = (str(run_dir), name)
            if key in self._saved and self._saved[key] is value:  # a node's value may be None
                continue
            kept = None
            if self.cache is not None and not isinstance(value, Unavailable):
                kept = self.cache.path_of("nodes", name, self.key(name))
            if path := save_result(run_dir, name, value, pickled=kept):
                written.append(path)
            self._saved[key] = value
        return written

    @property
    def computed(self):
        return self.driver.computed

    @property
    def reused(self):
        """Nodes read from the run cache (or a run folder) instead of computed: node -> times."""
        return self.driver.loaded


# ---------------------------------------------------------------- persistence (run folders)


def result_path(run_dir: str | Path, phase: str) -> Path:
    return Path(run_dir) / RESULTS / f"{phase}.pkl"


def save_result(run_dir: str | Path, name: str, value: Any, pickled: Path | None = None) -> Path | None:
    """Persist a node result typed (`results/<name>.pkl`); a phase result also as its JSON record
    (`results/<phase>.json`, for people and other tools). An unavailable result writes nothing.
    `pickled`: a file already holding this value's pickle (its run-cache entry, `kit.cache`), copied
    instead of pickling the value again (the snapshot holds millions of usage rows)."""
    from kit import notebook as nb
    from kit.report import write_atomic

    if isinstance(value, Unavailable):
        return None
    if name in PHASE_BY_NAME:
        nb.record(run_dir, name, value)
    target = result_path(run_dir, name)
    if pickled is not None and _copy_atomic(pickled, target):
        return target
    return write_atomic(target, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _copy_atomic(source: Path, target: Path) -> bool:
    """Copy `source` to `target` through a temp file and a rename (the kernel copies the bytes; no
    pickling); False when it cannot. A copy, not a link: a run folder shares no file with the cache."""
    import shutil

    tmp = target.with_name(f".{target.name}.{os.getpid()}.copy.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        return True
    except OSError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def load_result(run_dir: str | Path, phase: str) -> Any:
    """A phase result persisted by `save_result` in a run folder this kit wrote."""
    with open(result_path(run_dir, phase), "rb") as fh:
        return pickle.load(fh)  # noqa: S301 - the kit's own run folder, written by this run



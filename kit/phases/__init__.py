"""The registry of analyses: one record per phase notebook. The runner, CLI and tests loop over it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kit.options import (
    AgentCandidatesOptions,
    ConsolidationOptions,
    EngagementSummaryOptions,
    PhaseOptions,
    ProgressOptions,
    RoiRankingOptions,
    TrainingGapsOptions,
    WorkflowMappingOptions,
    phases_model,
)

# The phase notebooks; KIT_NOTEBOOKS_DIR points the runner at another folder of notebooks with the
# same names (a consultancy's own variants, or tests that need a failing phase): kit.paths.
from kit.paths import NOTEBOOKS_DIR  # noqa: E402


@dataclass(frozen=True)
class Phase:
    name: str  # machine name, also the results file name
    notebook: str  # file in notebooks/
    title: str  # plain-language title of the deliverable
    stage: str  # engagement stage it serves: Foundation, Training, Consolidation, Agents, Summary, Progress
    tables: tuple[str, ...]  # intake tables it needs; a missing one skips the phase
    options: type[PhaseOptions]  # its notebook's parameters besides engagement and output_dir (kit.options)
    after: tuple[str, ...] = ()  # phases whose recorded results it reads (run after them)
    needs_baseline: bool = False  # runs only when the engagement has a baseline run (kit.baseline)

    @property
    def path(self) -> Path:
        return NOTEBOOKS_DIR / self.notebook


PHASES: tuple[Phase, ...] = (
    Phase("workflow_mapping", "01_workflow_mapping.ipynb", "Workflow mapping", "Foundation", ("workflows",),
          WorkflowMappingOptions),  # fmt: skip
    Phase("roi_ranking", "02_roi_ranking.ipynb", "ROI ranking", "Foundation", ("workflows", "time_studies"),
          RoiRankingOptions),  # fmt: skip
    Phase("training_gaps", "03_training_gaps.ipynb", "Training gaps and role playbooks", "Training",
          ("skills_survey", "role_targets"), TrainingGapsOptions),  # fmt: skip
    Phase("consolidation", "04_consolidation.ipynb", "Consolidation: tool spend, use and governance", "Consolidation",
          ("tools", "usage"), ConsolidationOptions),  # fmt: skip
    Phase("agent_candidates", "05_agent_candidates.ipynb", "Agent candidates", "Agents", ("recurring_work",),
          AgentCandidatesOptions),  # fmt: skip
    Phase("engagement_summary", "06_engagement_summary.ipynb", "Engagement summary", "Summary", ("workflows",),
          EngagementSummaryOptions,
          after=("workflow_mapping", "roi_ranking", "training_gaps", "consolidation", "agent_candidates")),  # fmt: skip
    Phase("progress", "07_progress.ipynb", "Progress since the baseline", "Progress", (), ProgressOptions,
          needs_baseline=True),  # fmt: skip
)
PHASE_BY_NAME = {p.name: p for p in PHASES}
# engagement.yaml's `phases:` key: each phase's options by phase name (kit.settings reads it).
PhasesOptions = phases_model({p.name: p.options for p in PHASES})


def get_phase(name: str) -> Phase:
    """A phase by name (also accepts the notebook's number, e.g. '01', or its file name)."""
    for phase in PHASES:
        if name in (phase.name, phase.notebook, phase.notebook.split("_", 1)[0], phase.notebook.removesuffix(".ipynb")):
            return phase
    known = ", ".join(p.name for p in PHASES)
    raise KeyError(f"unknown phase {name!r}; known phases: {known}")

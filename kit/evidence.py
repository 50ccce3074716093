"""Published figures used as defaults, each with its source (see ../shared/evidence.md).

`TASK_PRIORS` is the expected share of hands-on time that generative AI saves on a task type,
with a deliberately wide range that admits zero and negative effects. A rate gain converts to
time as 1 − 1/(1 + gain) (+14% per hour is 12.3% less time). The estimator reads each range as
a 90% range for the task type's mean (`kit.estimates.prior_moments`). Controlled studies of
tasks that suit AI show 25–56% less time; realized company-wide savings are a few percent; tasks
outside what AI does well can get slower (METR 2025: +19% time). Client measurements outweigh
these priors wherever they exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Prior:
    saving: float  # central expected share of time saved (0.40 = 40% less time)
    low: float  # lower end of a deliberately wide range (may be negative: slower with AI)
    high: float
    source: str


NOY_ZHANG = "Noy & Zhang 2023 (Science): business writing −40% time"
DELLACQUA_23 = "Dell'Acqua et al. 2023 (HBS WP 24-013): 25.1% faster inside the frontier; worse outside it"
DELLACQUA_25 = "Dell'Acqua et al. 2025 (NBER w33641): −16.4% time on product innovation"
BRYNJOLFSSON = (
    "Brynjolfsson, Li & Raymond 2025 (QJE): +14% issues resolved per hour in support chat, "
    "i.e. 1 − 1/1.14 = 12.3% less time per issue"
)
PENG_CUI_METR = "Peng et al. 2023 (−55.8%), Cui et al. 2024 (+26% output), METR 2025 (+19% time, experienced devs)"
BICK = "Bick, Blandin & Deming 2024: realized savings 5.4% of users' hours"
BICK_TASK = (
    "Bick, Blandin & Deming 2024: 5.4% of users' hours saved across the whole job; used as the task's "
    "figure for want of a task-level study"
)


def time_saved_from_rate(rate_gain: float) -> float:
    """Share of time saved per unit of work when output per hour rises by `rate_gain` (0.14 = +14%)."""
    return 1 - 1 / (1 + rate_gain)



TASK_PRIORS: dict[str, Prior] = {
    "writing": Prior(0.40, -0.10, 0.60, NOY_ZHANG),
    "summarizing": Prior(0.35, -0.10, 0.60, NOY_ZHANG),
    "internal_communication": Prior(0.30, -0.10, 0.55, NOY_ZHANG),
    "customer_communication": Prior(round(time_saved_from_rate(0.14), 3), -0.15, 0.40, BRYNJOLFSSON),
    "reporting": Prior(0.25, -0.15, 0.50, DELLACQUA_23),
    "research": Prior(0.25, -0.20, 0.50, DELLACQUA_23),
    "analysis": Prior(0.20, -0.25, 0.50, DELLACQUA_23),
    "coding": Prior(0.25, -0.20, 0.56, PENG_CUI_METR),
    "creative_design": Prior(0.16, -0.15, 0.40, DELLACQUA_25),
    "data_entry": Prior(0.054, -0.15, 0.35, BICK_TASK),
    "scheduling": Prior(0.054, -0.15, 0.30, BICK_TASK),
    "review_approval": Prior(0.08, -0.20, 0.30, DELLACQUA_23),
    "other": Prior(0.05, -0.20, 0.30, BICK),
    "physical_onsite": Prior(0.0, -0.10, 0.10, "No language-model exposure for on-site physical work (Eloundou et al. 2024)"),
}

# The largest central prior: a task type at this saving scores 100% on exposure.
MAX_PRIOR_SAVING = max(p.saving for p in TASK_PRIORS.values())


def priors_table() -> pd.DataFrame:
    """The priors as a table, for method notes in the deliverables."""
    rows = [
        {"task_type": t, "expected_saving": p.saving, "range_low": p.low, "range_high": p.high, "source": p.source}
        for t, p in TASK_PRIORS.items()
    ]
    return pd.DataFrame(rows)


# SaaS practice (evidence.md): utilization below this means paying for empty seats (Torii).
UTILIZATION_FLOOR = 0.8
# METR 2025 (arXiv 2503.14499): tasks of about an hour of human time are completed ~50% of the time.
AGENT_TASK_MINUTES = 60

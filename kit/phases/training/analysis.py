"""Phase 3 (Training): skill gaps per role, who trains together on what, and a playbook per role.

Method (stated in the deliverable):
- target per (role, skill): the role's own row in `role_targets` (roles matched ignoring case and
  surrounding spaces); otherwise the `*` row for that skill; `target_overrides` (what-if) win over
  both. A survey skill with neither has no target and is left out of gaps and readiness.
- gap per person and skill = max(target − level, 0); weighted gap = gap × the skill's weight.
- role × skill: mean gap, mean weighted gap, share of the role's respondents below target.
- readiness of a department = Σ weight × [level ≥ target] ÷ Σ weight over its person-skills.
- priority (the rule printed in the deliverable): role × skill gaps of roles that own one of the
  `top_workflows` top workflows of the ROI ranking come first; within each tier, by respondents in
  the role × mean weighted gap (largest first). Top workflows: those that save time, with an
  approved tool for their data and some exposure to language models (not physical on-site work),
  where the time AI saves is worth most (`annual_value`, before seat
  and enablement costs: one seat serves all of a person's workflows, so each workflow's own net
  value would push down the roles with many people and many workflows).
- cohorts: the people below target on a skill train together by role when at least
  `min_cohort_size` of them share role and skill, otherwise pooled across roles per skill; a
  cohort larger than `max_group_size` runs as several groups. Training hours = levels to gain ×
  `hours_per_level` (a kit assumption, not a published figure: about a half-day workshop plus
  practice on one's own workflows per level).
- skill-profile groups (beside the role-based cohorts): each respondent's vector of gaps per skill
  (levels, unweighted; a skill with no target counts 0) is clustered with k-means
  (scikit-learn, `random_state` 0, 10 starts) for k = 2 … `SKILL_GROUPS_MAX`; the k with the
  highest mean silhouette is kept, and only when that silhouette reaches `SILHOUETTE_BAR` (0.25,
  below which Kaufman & Rousseeuw 1990 find no substantial structure); otherwise there are no
  distinct profiles and one group is reported. Groups are described by their mean gap per skill
  and the roles in them (not for a group under `MIN_CELL` people); no person is listed.
- reality check (joined on the person's id): "proficient" = mean self-rated level ≥ 3 with no use
  of any AI tool in the active window; "frequent user rating low" = no skill rated above 1 while
  using an AI tool on at least a quarter of the window's days. AI tools are the inventory's tools
  in an AI category (the contract's recommended categories except `other`) and any tool that is
  in `usage` but not in the inventory (unlisted use is shadow AI by the contract). Counts by role
  only: no person is ever listed.
- leaders: roles whose name holds a leadership title (`LEADER_TITLES`), except individual-
  contributor "… manager" titles (`NOT_LEADER_TITLES`), or the roles passed as `leader_roles`.
  A company-wide leader (CEO, president, owner, founder, managing/general director or manager) is
  compared with every non-leader; any other leader with the non-leaders of their department. "Far
  ahead" = leader's mean level − team's mean level ≥ `leader_gap_threshold` (default 1 level).
- skill levels 0–4 (none, aware, basic use, proficient, advanced) follow the intake contract; they
  map onto the UK "AI Skills for Business" framework and the Digital Education Council's levels
  (evidence.md). Data rules: `kit.governance` (NIST AI 600-1 acceptable use; common tiering).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit import safe
from kit.governance import data_class_matrix, workflow_coverage
from kit.intake.schemas import DATA_CLASSES, TOOL_CATEGORIES, RoleTargets, SkillsSurvey, Tools, Usage, Workflows
from kit.settings import EngagementSettings

S, T, W = SkillsSurvey, RoleTargets, Workflows

LEVEL_NAMES = {0: "none", 1: "aware", 2: "basic use", 3: "proficient", 4: "advanced"}
PROFICIENT_LEVEL = 3  # mean self-rating at or above which a person "rates themselves proficient"
LOW_LEVEL = 1  # no skill above this = "rates themselves low"
FREQUENT_SHARE = 0.25  # share of the active window's days with AI use that makes a frequent user
HOURS_PER_LEVEL = 6.0  # kit assumption: training hours per person per level gained
TOP_WORKFLOWS = 10  # the ranking's top workflows whose owner roles come first
LEADER_GAP = 1.0  # levels: leader's mean − team's mean at or above which the leader is "far ahead"
MIN_COHORT_SIZE = 3
MIN_CELL = 3  # reality-check counts for roles with fewer respondents are pooled (a count of 1 in 1 names someone)
SMALL_ROLES = f"Roles with fewer than {MIN_CELL} people"
MAX_GROUP_SIZE = 12
SKILL_GROUPS_MAX = 6  # the most skill-profile groups tried (k = 2 … 6)
SILHOUETTE_BAR = 0.25  # Kaufman & Rousseeuw (1990): a mean silhouette below 0.25 shows no substantial structure
SKILL_GROUPS_SEED = 0
MIN_GROUP_GAP = 0.5  # levels: a group's mean gap on a skill at or above which the skill is one it lacks
ALL_DEPARTMENTS, ALL_ROLES = "All departments", "All roles"

#: Tool categories that count as AI tools (the contract's recommended categories but `other`).
AI_CATEGORIES = frozenset(TOOL_CATEGORIES) - {"other"}
LEADER_TITLES = re.compile(
    r"\b(ceo|coo|cfo|cto|cio|cmo|cro|chief|president|vp|svp|evp|vice president|director|head|owner|founder|"
    r"partner|controller|manager|supervisor|team lead|superintendent)\b",
    re.IGNORECASE,
)
NOT_LEADER_TITLES = re.compile(
    r"\b(account|key account|project|product|program|programme|case|community|content|social media|office|"
    r"property|relationship|territory)\s+manager\b",
    re.IGNORECASE,
)
COMPANY_LEADER_TITLES = re.compile(
    r"\b(ceo|chief executive|president|owner|founder|managing director|general manager)\b", re.IGNORECASE
)

SKILL_MEANING = {
    "prompting": "asking the AI tool well: the context, the goal, an example and the format you want, then refining",
    "output_verification": "checking AI output before anyone relies on it: facts, figures, names and promises",
    "data_handling": "knowing which data may go into which tool, and leaving out what the task does not need",
    "workflow_automation": "turning a task you repeat into a saved prompt, a template or an automated flow",
    "tool_fluency": "knowing the approved tools and their features well enough to pick the right one",
}
TASK_ADVICE = {
    "writing": "Give the tool the facts, who it is for and one good past example, and ask for a first draft. "
    "Edit it in your own words and check every figure, name and promise before it goes out.",
    "summarizing": "Paste the notes or thread (within the data rules below) and ask for a summary in your team's "
    "format: decisions, open points, next steps. Check that nothing important was dropped.",
    "research": "Ask for a structured overview with its sources, then open and read the sources before you rely "
    "on them: AI tools can invent facts and links.",
    "analysis": "Use AI to structure the question, suggest checks or formulas and draft the commentary on figures "
    "you have checked. A number never comes from the AI tool alone.",
    "data_entry": "Let the tool pull the fields out of the document into a draft entry, then check each field "
    "against the source before saving.",
    "customer_communication": "Start from a drafted reply, make it personal, and check order numbers, dates and "
    "commitments before sending.",
    "internal_communication": "Turn your bullet points into the message, note or procedure; the final wording "
    "stays yours.",
    "reporting": "Take the numbers from the system of record and let AI draft the narrative around them; check "
    "every number it repeats against the source.",
    "scheduling": "Let the tool propose the plan or the calendar; you confirm it.",
    "coding": "Use the coding assistant for first drafts, explanations and tests; review and test every change "
    "before it runs anywhere that matters.",
    "review_approval": "Ask AI to summarise what is being approved and list what to check; the decision stays "
    "with you.",
    "creative_design": "Generate options to react to; check brand rules and usage rights before publishing.",
    "physical_onsite": "Hands-on work: AI helps around it (checklists, instructions, write-ups), not with the task "
    "itself.",
    "other": "Try AI on the writing and look-up parts of the task, and time a few runs with and without it "
    "before changing how it is done.",
}
ADVICE_NOT_RECOMMENDED = "Keep doing it as today: timed runs show no saving with AI on this task (or a slower one)."
ADVICE_RESTRICTED = "Keep AI out of it: this work uses restricted data, which may go into no AI tool."
ADVICE_NO_TOOL = "No approved tool may hold this data yet: keep doing it as today until one is approved."

PRIORITY_RULE = (
    "Gaps in the roles that own one of the {n} top workflows of the ROI ranking come first (the workflows that save "
    "time, with an approved tool for their data, where the time AI saves is worth most); within each group, the "
    "gaps affecting the most people most (respondents in the role × mean weighted gap) come first."
)


@dataclass(frozen=True)
class TrainingResult:
    role_skill: pd.DataFrame  # one row per role × skill with a target: mean level, gaps, share below target
    departments: pd.DataFrame  # department, respondents, readiness (0–1), mean_weighted_gap, headcount, response_rate
    priorities: pd.DataFrame  # role × skill gaps in priority order (`priority` 1 = first)
    cohorts: pd.DataFrame  # who trains together on what: size, groups, levels, hours
    reality_check: pd.DataFrame  # counts by role: proficient with no AI use, frequent users rating low
    leadership_gap: pd.DataFrame  # one row per leader role and team compared
    coverage: pd.DataFrame  # department, headcount, respondents, response_rate
    role_workflows: pd.DataFrame  # the workflows each survey role owns, ranked, with tools and advice
    ai_tools: pd.DataFrame  # AI tools: approved?, and which data classes each may hold
    playbooks: pd.DataFrame  # one row per survey role: what its playbook page shows
    skills: tuple[str, ...]
    respondents: int
    readiness: float  # company-wide weighted share of person-skills at target
    hours_per_level: float
    total_training_hours: float
    top_workflows: int
    priority_rule: str
    ranking_source: str  # "ROI ranking", "workflow inventory (…)" or "none"
    as_of: pd.Timestamp | None
    active_window_days: int
    frequent_days: int
    usage_join_rate: float | None  # share of respondents found in usage (None without usage)
    leader_gap_threshold: float
    roles_without_targets: tuple[str, ...]  # survey roles with no target at all (no own rows, no "*")
    roles_on_default_targets: tuple[str, ...]  # survey roles that use the "*" rows for every skill
    unanswered_target_roles: tuple[str, ...]  # roles with targets that nobody in the survey holds
    skills_without_targets: tuple[str, ...]
    client: str
    skill_groups: pd.DataFrame = field(default_factory=pd.DataFrame)  # group, size, roles, lacks, mean gap per skill
    skill_groups_silhouette: float = math.nan  # mean silhouette of the groups kept (NaN: not clustered)


# ---------------------------------------------------------------- targets and gaps


def _key(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.casefold()


def parse_overrides(text: str) -> dict[str, int]:
    """`"output_verification=3; Sales representative:prompting=2"` → a `target_overrides` mapping.
    Entries are separated by `;` or `,`; empty text gives no overrides."""
    out: dict[str, int] = {}
    for part in re.split(r"[;,]", text or ""):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip().isdigit() or int(value) > 4:
            raise ValueError(f'target override "{part.strip()}" must look like skill=level or role:skill=level (0–4)')
        out[key.strip()] = int(value)
    return out


def check_overrides(overrides: Mapping[str, int], survey: pd.DataFrame) -> None:
    """ValueError naming the first override whose skill (or role) the survey does not have, with
    the names it does have: an override that matches nothing would otherwise change nothing."""
    skills = sorted(survey[S.skill].astype(str).str.strip().unique())
    known_skills, known_roles = set(_key(survey[S.skill])), set(_key(survey[S.role]))  # matched as resolve_targets does
    for key in overrides:
        role, _, skill = key.rpartition(":")
        if skill.strip().casefold() not in known_skills:
            raise ValueError(f'target override "{key}": the survey has no skill "{skill.strip()}" (skills: {", ".join(skills)})')
        if role and role.strip().casefold() not in known_roles:
            raise ValueError(f'target override "{key}": no one in the survey has the role "{role.strip()}"')


def resolve_targets(
    survey: pd.DataFrame, targets: pd.DataFrame, target_overrides: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """One row per (role, skill) in the survey: `target_level`, `weight` and `target_source`
    ("role", "*", "override", or "none" with NaN target). Overrides are keyed by skill (every
    role) or "role:skill"; a role:skill key wins over a skill key."""
    pairs = survey[[S.role, S.skill]].drop_duplicates().reset_index(drop=True)
    pairs["_role"], pairs["_skill"] = _key(pairs[S.role]), _key(pairs[S.skill])
    t = targets.assign(_role=_key(targets[T.role]), _skill=_key(targets[T.skill]))
    t[T.weight] = t[T.weight].astype(float).fillna(1.0) if T.weight in t else 1.0
    cols = ["_skill", T.target_level, T.weight]
    own = t.loc[t["_role"] != "*", ["_role", *cols]]
    star = t.loc[t["_role"] == "*", cols].rename(columns={T.target_level: "_star_level", T.weight: "_star_weight"})
    out = pairs.merge(own, on=["_role", "_skill"], how="left").merge(star, on="_skill", how="left")
    has_own = out[T.target_level].notna()
    out["target_source"] = np.where(has_own, "role", np.where(out["_star_level"].notna(), "*", "none"))
    out[T.target_level] = out[T.target_level].where(has_own, out["_star_level"]).astype(float)
    out[T.weight] = out[T.weight].where(has_own, out["_star_weight"]).astype(float)
    for key, level in (target_overrides or {}).items():
        role, _, skill = key.rpartition(":")
        hit = out["_skill"] == skill.strip().casefold()
        if role:
            hit &= out["_role"] == role.strip().casefold()
        out.loc[hit, T.target_level] = float(level)
        out.loc[hit & out[T.weight].isna(), T.weight] = 1.0
        out.loc[hit, "target_source"] = "override"
    return out.drop(columns=["_star_level", "_star_weight"])


def person_gaps(
    survey: pd.DataFrame, targets: pd.DataFrame, target_overrides: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """The survey (one row per person and skill) with `target_level`, `weight`, `has_target`,
    `gap` = max(target − level, 0), `weighted_gap` = gap × weight and `at_target` (level ≥ target;
    False where there is no target)."""
    resolved = resolve_targets(survey, targets, target_overrides)
    df = survey.merge(resolved.drop(columns=["_role", "_skill"]), on=[S.role, S.skill], how="left")
    df["has_target"] = df[T.target_level].notna()
    df["gap"] = (df[T.target_level] - df[S.level]).clip(lower=0)
    df["weighted_gap"] = df["gap"] * df[T.weight]
    df["at_target"] = df["has_target"] & (df[S.level] >= df[T.target_level])
    return df


def _readiness(df: pd.DataFrame) -> float:
    """Weighted share of person-skills at target (NaN when nothing has a target)."""
    w = df.loc[df["has_target"], T.weight]
    return float((w * df.loc[df["has_target"], "at_target"]).sum() / w.sum()) if w.sum() else math.nan


def _role_skill(gaps: pd.DataFrame, skills: tuple[str, ...]) -> pd.DataFrame:
    g = gaps[gaps["has_target"]].assign(below=lambda d: ~d["at_target"])
    out = (
        g.groupby([S.role, S.skill], sort=False)
        .agg(
            respondents=(S.respondent_id, "nunique"),
            below_target=("below", "sum"),
            mean_level=(S.level, "mean"),
            target_level=(T.target_level, "first"),
            weight=(T.weight, "first"),
            target_source=("target_source", "first"),
            mean_gap=("gap", "mean"),
            mean_weighted_gap=("weighted_gap", "mean"),
            department=(S.department, lambda s: "; ".join(sorted(s.unique()))),
        )
        .reset_index()
    )
    out["below_target"] = out["below_target"].astype(int)
    out["share_below_target"] = out["below_target"] / out["respondents"]
    order = {s: i for i, s in enumerate(skills)}
    return out.sort_values([S.role, S.skill], key=lambda c: c.map(order) if c.name == S.skill else c).reset_index(
        drop=True
    )


def _departments(gaps: pd.DataFrame, settings: EngagementSettings) -> pd.DataFrame:
    rows = []
    for dept, d in gaps.groupby(S.department, sort=True):
        t = d[d["has_target"]]
        rows.append(
            {
                "department": dept,
                "respondents": int(d[S.respondent_id].nunique()),
                "readiness": _readiness(d),
                "mean_gap": float(t["gap"].mean()) if len(t) else math.nan,
                "mean_weighted_gap": float(t["weighted_gap"].mean()) if len(t) else math.nan,
                "people_fully_at_target": int(t.groupby(S.respondent_id)["at_target"].all().sum() if len(t) else 0),
            }
        )
    out = pd.DataFrame(rows, columns=["department", "respondents", "readiness", "mean_gap", "mean_weighted_gap",
                                      "people_fully_at_target"])  # fmt: skip
    headcount = {k.strip().casefold(): v for k, v in settings.headcount_by_department.items()}
    out["headcount"] = out["department"].map(lambda d: headcount.get(str(d).strip().casefold())).astype("Int64")
    out["response_rate"] = (out["respondents"] / out["headcount"].astype(float)).astype(float)
    return out.sort_values("readiness", kind="stable").reset_index(drop=True)


def _coverage(gaps: pd.DataFrame, settings: EngagementSettings) -> pd.DataFrame:
    """Response rate per department: every survey department plus every department with a headcount."""
    answered = gaps.groupby(S.department)[S.respondent_id].nunique()
    by_key = {str(d).strip().casefold(): (d, int(n)) for d, n in answered.items()}
    rows = []
    for dept, count in settings.headcount_by_department.items():
        name, n = by_key.pop(dept.strip().casefold(), (dept, 0))
        rows.append({"department": name, "headcount": count, "respondents": n})
    rows += [{"department": d, "headcount": pd.NA, "respondents": n} for d, n in by_key.values()]
    out = pd.DataFrame(rows, columns=["department", "headcount", "respondents"])
    out["headcount"] = out["headcount"].astype("Int64")
    out["response_rate"] = (out["respondents"] / out["headcount"].astype(float)).astype(float)
    return out.sort_values(["response_rate", "department"], na_position="last").reset_index(drop=True)


# ---------------------------------------------------------------- workflows, ranking, tools


def ranking_from_inventory(inventory: pd.DataFrame) -> pd.DataFrame:
    """A stand-in ROI ranking from the workflow mapping's inventory (`workflow_mapping.analyze(...)
    .inventory`): ranked by hours AI could give back; `annual_value` = those hours at the owner's
    hourly cost (full adoption); `recommended` where the suitability score > 0."""
    inv = inventory.sort_values("potential_hours", ascending=False, kind="stable").reset_index(drop=True)
    out = inv[[W.workflow_id, W.workflow, W.department, W.owner_role, W.task_type, W.data_sensitivity]].copy()
    out["source"] = inv["saving_source"]
    out["saving"] = inv["expected_saving"]
    out["annual_value"] = inv["potential_value"]
    out["approved_tool_for_data"] = inv["approved_tool_for_data"]
    out["recommended"] = inv["suitability_score"] > 0
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def _ranking_frame(ranking: pd.DataFrame | None, workflows: pd.DataFrame | None) -> tuple[pd.DataFrame, str]:
    """The ranking to use (sorted by rank) and where it came from; from `workflows` by annual hours
    when no ranking is given."""
    if ranking is not None and len(ranking):
        r = ranking.copy()
        if "rank" not in r:
            r["rank"] = np.arange(1, len(r) + 1)
        return r.sort_values("rank", kind="stable").reset_index(drop=True), "ROI ranking"
    if workflows is not None and len(workflows):
        r = workflows.assign(_hours=workflows[W.runs_per_month] * workflows[W.minutes_per_run])
        r = r.sort_values("_hours", ascending=False, kind="stable").drop(columns="_hours").reset_index(drop=True)
        r["rank"] = np.arange(1, len(r) + 1)
        return r, "workflow inventory (hours per month; no saving estimate)"
    return pd.DataFrame(columns=[W.workflow_id, W.workflow, W.owner_role, "rank"]), "none"


def _top_ids(ranking: pd.DataFrame, n: int) -> list[str]:
    """The `n` workflows of the ranking where AI is worth most to the people doing them: those that
    save time (`saving` > 0) with an approved tool for their data, by the value of the time saved
    before seat and enablement costs (`annual_value`; rank order without it). A seat serves all of
    a person's workflows, so per-workflow net value would under-rate roles with many workflows."""
    pool = ranking
    if "saving" in pool:
        pool = pool[pool["saving"].astype(float) > 0]
    if "approved_tool_for_data" in pool:
        pool = pool[pool["approved_tool_for_data"].fillna(False).astype(bool)]
    if W.data_sensitivity in pool:
        pool = pool[pool[W.data_sensitivity] != "restricted"]
    if W.task_type in pool:  # no language-model exposure (Eloundou et al. 2024): a measured "saving" is noise
        pool = pool[pool[W.task_type] != "physical_onsite"]
    if "annual_value" in pool:
        pool = pool.sort_values("annual_value", ascending=False, kind="stable")
    return list(pool.head(n)[W.workflow_id])


def is_ai_tool(tools: pd.DataFrame | None, names: pd.Series) -> pd.Series:
    """Boolean per tool name: an inventory tool in an AI category, or a tool not in the inventory."""
    if tools is None:
        return pd.Series(True, index=names.index)
    category = dict(
        zip(_key(tools[Tools.tool]), tools[Tools.category].astype(str).str.strip().str.lower(), strict=True)
    )
    codes, distinct = pd.factorize(names, use_na_sentinel=False)  # each distinct name judged once
    keys = _key(pd.Series(distinct, dtype=object))
    ai = keys.map(lambda k: k not in category or category[k] in AI_CATEGORIES).astype(bool).to_numpy()
    return pd.Series(ai[codes] if len(codes) else np.zeros(0, dtype=bool), index=names.index)


def _ai_tools(tools: pd.DataFrame | None, usage: pd.DataFrame | None) -> pd.DataFrame:
    """AI tools: inventory tools in AI categories with the data classes each may hold, plus tools
    seen in usage that the inventory does not list (never approved)."""
    cols = ["tool", "category", "plan", "approved", "in_inventory", *DATA_CLASSES]
    parts = []
    if tools is not None and len(tools):
        ai = tools[is_ai_tool(tools, tools[Tools.tool])].reset_index(drop=True)
        matrix = data_class_matrix(ai)
        inv = ai[[Tools.tool, Tools.category, Tools.plan, Tools.approved]].assign(in_inventory=True)
        parts.append(pd.concat([inv, matrix[list(DATA_CLASSES)]], axis=1))
    if usage is not None and len(usage):
        known = set(_key(tools[Tools.tool])) if tools is not None else set()
        seen = usage[Usage.tool].drop_duplicates()
        unlisted = sorted(seen[~_key(seen).isin(known)])
        if unlisted:
            extra = pd.DataFrame({"tool": unlisted, "category": "unlisted", "plan": "unknown", "approved": False,
                                  "in_inventory": False, "public": True, "internal": False, "confidential": False,
                                  "restricted": False})  # fmt: skip
            parts.append(extra)
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    out["approved"] = out["approved"].astype(bool)
    return out.sort_values(["approved", "tool"], ascending=[False, True]).reset_index(drop=True)


def _role_workflows(
    ranking: pd.DataFrame,
    workflows: pd.DataFrame | None,
    tools: pd.DataFrame | None,
    roles: list[str],
    top_ids: list[str],
) -> pd.DataFrame:
    cols = ["role", W.workflow_id, W.workflow, W.department, W.task_type, W.data_sensitivity, "rank", "top",
            "start_here", "saving", "source", "annual_value", W.minutes_per_run, "covering_tools", "advice"]  # fmt: skip
    role_of = {r.strip().casefold(): r for r in roles}
    r = ranking[_key(ranking[W.owner_role]).isin(role_of)].copy() if len(ranking) else ranking.copy()
    if r.empty:
        return pd.DataFrame(columns=cols)
    r["role"] = _key(r[W.owner_role]).map(role_of)
    if workflows is not None:
        extra = [c for c in (W.minutes_per_run, W.task_type, W.data_sensitivity, W.department) if c not in r]
        if W.minutes_per_run in r:
            r = r.drop(columns=W.minutes_per_run)
            extra = [W.minutes_per_run, *extra]
        r = r.merge(workflows[[W.workflow_id, *extra]], on=W.workflow_id, how="left")
    for col, default in (("saving", math.nan), ("source", ""), ("recommended", False), ("annual_value", math.nan),
                         (W.minutes_per_run, math.nan), (W.department, "")):  # fmt: skip
        if col not in r:
            r[col] = default
    r["start_here"] = r["recommended"].fillna(False).astype(bool)
    if W.task_type in r and W.data_sensitivity in r:
        r["covering_tools"] = workflow_coverage(r[[W.task_type, W.data_sensitivity]], tools)[
            "covering_tools"
        ].to_numpy()
    else:
        r["covering_tools"] = ""
        r[W.task_type], r[W.data_sensitivity] = "other", "internal"
    if tools is None:
        r["covering_tools"] = ""
    r["top"] = r[W.workflow_id].isin(top_ids)
    advice = r[W.task_type].map(TASK_ADVICE).fillna(TASK_ADVICE["other"])
    saves = ~(r["saving"].astype(float) <= 0)  # NaN (no estimate) counts as "may save"
    advice = advice.where(saves, ADVICE_NOT_RECOMMENDED)
    no_tool = (r["covering_tools"] == "") & (r[W.task_type] != "physical_onsite") & (tools is not None)
    advice = advice.where(~(no_tool & saves), ADVICE_NO_TOOL)
    r["advice"] = advice.where(r[W.data_sensitivity] != "restricted", ADVICE_RESTRICTED)
    r["_usable"] = _usable(r)
    order = ["role", "_usable", "annual_value", "rank"]
    r = r.sort_values(order, ascending=[True, False, False, True], na_position="last", kind="stable")
    return r.reset_index(drop=True)[cols]


# ---------------------------------------------------------------- priorities and cohorts


def _priorities(role_skill: pd.DataFrame, role_workflows: pd.DataFrame) -> pd.DataFrame:
    p = role_skill[role_skill["mean_weighted_gap"] > 0].copy()
    top = role_workflows.loc[role_workflows["top"].astype(bool)]
    best = top.groupby("role").agg(best_workflow_rank=("rank", "min"), top_workflows=(W.workflow, "; ".join))
    p = p.merge(best, left_on=S.role, right_index=True, how="left")
    p["owns_top_workflow"] = p["best_workflow_rank"].notna()
    p["top_workflows"] = p["top_workflows"].fillna("")
    p["score"] = p["respondents"] * p["mean_weighted_gap"]
    p = p.sort_values(["owns_top_workflow", "score", S.role, S.skill], ascending=[False, False, True, True])
    p.insert(0, "priority", np.arange(1, len(p) + 1))
    return p.reset_index(drop=True)


def _cohorts(
    gaps: pd.DataFrame, priorities: pd.DataFrame, hours_per_level: float, min_size: int, max_group: int
) -> pd.DataFrame:
    cols = ["cohort", S.skill, "roles", "departments", "size", "groups", "from_level", "target_min", "target_max",
            "levels_to_gain", "hours_per_person", "total_hours", "priority", "owns_top_workflow"]  # fmt: skip
    below = gaps[gaps["has_target"] & (gaps["gap"] > 0)]
    if below.empty:
        return pd.DataFrame(columns=cols)
    prio = priorities.set_index([S.role, S.skill])
    sizes = below.groupby([S.role, S.skill])[S.respondent_id].transform("nunique")
    below = below.assign(
        cohort=np.where(
            sizes >= min_size,
            below[S.role] + " · " + below[S.skill].map(skill_label),
            below[S.skill].map(skill_label) + " · mixed roles",
        ),
    )
    rows = []
    for (cohort, skill), d in below.groupby(["cohort", S.skill], sort=False):
        pairs = list(d[[S.role, S.skill]].drop_duplicates().itertuples(index=False, name=None))
        ranks = [prio.at[p, "priority"] for p in pairs if p in prio.index]
        owns = any(bool(prio.at[p, "owns_top_workflow"]) for p in pairs if p in prio.index)
        size = int(d[S.respondent_id].nunique())
        gain = float(d["gap"].sum())
        rows.append(
            {
                "cohort": cohort,
                S.skill: skill,
                "roles": "; ".join(sorted(d[S.role].unique())),
                "departments": "; ".join(sorted(d[S.department].unique())),
                "size": size,
                "groups": math.ceil(size / max_group),
                "from_level": float(d[S.level].mean()),
                "target_min": float(d[T.target_level].min()),
                "target_max": float(d[T.target_level].max()),
                "levels_to_gain": gain,
                "hours_per_person": gain * hours_per_level / size,
                "total_hours": gain * hours_per_level,
                "priority": min(ranks) if ranks else len(priorities) + 1,
                "owns_top_workflow": owns,
            }
        )
    return pd.DataFrame(rows, columns=cols).sort_values(["priority", "cohort"]).reset_index(drop=True)


# ---------------------------------------------------------------- reality check and leaders


def skill_gap_matrix(gaps: pd.DataFrame, skills: Iterable[str]) -> pd.DataFrame:
    """One row per respondent, one column per skill: the gap in levels (0 at or above target,
    and where the skill has no target or was not answered)."""
    m = gaps.pivot_table(index=S.respondent_id, columns=S.skill, values="gap", aggfunc="mean")
    return m.reindex(columns=list(skills)).fillna(0.0).sort_index()


def skill_profile_labels(matrix: pd.DataFrame, max_groups: int = SKILL_GROUPS_MAX,
                         seed: int = SKILL_GROUPS_SEED) -> tuple[pd.Series, float]:
    """Each respondent's skill-profile group (0, 1, …; groups numbered by size, largest first) and
    the mean silhouette of the grouping kept. k-means for k = 2 … `max_groups`, the best
    silhouette kept when it reaches `SILHOUETTE_BAR`; otherwise every respondent is in group 0
    and the silhouette is NaN (too few respondents or no distinct profiles)."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    one = pd.Series(0, index=matrix.index, dtype=int)
    x = matrix.to_numpy(dtype=float)
    distinct = len(np.unique(x, axis=0)) if len(x) else 0
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, min(max_groups, distinct, len(x) - 1) + 1):
        # one thread: `kit run` renders notebooks beside the model, and OpenMP threads spinning for a
        # busy core made a 300-row fit take 1.4 s instead of 0.01 s; one thread also sums the partial
        # centres in one order, so the labels are the same on every run
        with threadpool_limits(limits=1):
            labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
        score = mean_silhouette(x, labels)
        if best is None or score > best[0] + 1e-12:
            best = (score, labels)
    if best is None or best[0] < SILHOUETTE_BAR:
        return one, math.nan
    labels = pd.Series(best[1], index=matrix.index)
    order = {g: i for i, g in enumerate(labels.value_counts().sort_index().sort_values(ascending=False, kind="stable").index)}
    return labels.map(order).astype(int), best[0]


def mean_silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """The mean silhouette of `labels` on the rows of `x` (Euclidean), as
    `sklearn.metrics.silhouette_score(x, labels)` defines it (a point alone in its group scores 0),
    computed on the distinct (row, label) pairs weighted by how often each occurs: survey gap
    vectors repeat (8,185 respondents have 272 distinct vectors at `kit sample --scale 58`), so
    this is exact and needs distances between distinct rows only, not between every two people."""
    from scipy.spatial.distance import cdist

    codes, groups = np.unique(np.asarray(labels), return_inverse=True)
    pairs, counts = np.unique(np.column_stack([x, groups.reshape(-1).astype(float)]), axis=0, return_counts=True)
    rows, label = pairs[:, :-1], pairs[:, -1].astype(np.int64)
    size = np.bincount(label, weights=counts, minlength=len(codes))
    member = np.zeros((len(codes), len(pairs)))
    member[label, np.arange(len(pairs))] = counts
    sums = cdist(rows, rows) @ member.T  # distinct row -> summed distance to every member of each group
    own = size[label]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[np.arange(len(pairs)), label] / (own - 1)
        mean_to = sums / size
        mean_to[np.arange(len(pairs)), label] = np.inf
        b = mean_to.min(axis=1)
        s = np.nan_to_num((b - a) / np.maximum(a, b))
    s = np.where(own > 1, s, 0.0)
    return float((s * counts).sum() / counts.sum())


def _skill_groups(gaps: pd.DataFrame, skills: tuple[str, ...]) -> tuple[pd.DataFrame, float]:
    cols = ["group", "size", "roles", "lacks", "mean_gap", *(f"gap_{s}" for s in skills)]
    matrix = skill_gap_matrix(gaps[gaps["has_target"]], skills)
    if matrix.empty:
        return pd.DataFrame(columns=cols), math.nan
    labels, silhouette = skill_profile_labels(matrix)
    role = gaps.drop_duplicates(S.respondent_id).set_index(S.respondent_id)[S.role]
    rows = []
    for g, members in labels.groupby(labels, sort=True):
        m = matrix.loc[members.index]
        means = m.mean()
        lacks = [s for s in means.sort_values(ascending=False, kind="stable").index if means[s] >= MIN_GROUP_GAP]
        rows.append({
            "group": f"Group {g + 1}", "size": len(m), "roles": "; ".join(sorted(role.reindex(m.index).dropna().unique())) if len(m) >= MIN_CELL
            else f"not shown (fewer than {MIN_CELL} people)",
            "lacks": ", ".join(skill_label(s) for s in lacks) or "none: at target",
            "mean_gap": float(m.to_numpy().mean()), **{f"gap_{s}": float(means[s]) for s in skills},
        })  # fmt: skip
    return pd.DataFrame(rows, columns=cols), silhouette


def _person_usage(
    survey: pd.DataFrame, usage: pd.DataFrame, tools: pd.DataFrame | None, as_of: pd.Timestamp, days: int
) -> pd.DataFrame:
    """Per respondent: mean and max self-rated level, any usage row at all, distinct AI-tool days in
    the active window (`as_of` and the `days` − 1 days before it). Joined on the person's id."""
    per = survey.groupby(S.respondent_id).agg(
        role=(S.role, "first"), department=(S.department, "first"), mean_level=(S.level, "mean"),
        max_level=(S.level, "max"),
    )  # fmt: skip
    start = as_of - pd.Timedelta(days=days - 1)
    usage = usage[[Usage.user_id, Usage.tool, Usage.date]]  # the columns read: no copies of the others
    window = usage[(usage[Usage.date] >= start) & (usage[Usage.date] <= as_of)]
    window = window[is_ai_tool(tools, window[Usage.tool])]
    ai_days = window.groupby(Usage.user_id)[Usage.date].nunique()
    per["in_usage"] = per.index.isin(usage[Usage.user_id].unique())
    per["ai_days"] = per.index.map(ai_days).fillna(0).astype(int)
    return per


def _reality_check(per: pd.DataFrame, frequent_days: int) -> pd.DataFrame:
    per = per.assign(
        active=per["ai_days"] > 0,
        proficient_no_ai_use=(per["mean_level"] >= PROFICIENT_LEVEL) & (per["ai_days"] == 0),
        frequent_low_self_rating=(per["max_level"] <= LOW_LEVEL) & (per["ai_days"] >= frequent_days),
    )
    out = per.groupby("role").agg(
        respondents=("department", "size"),
        found_in_usage=("in_usage", "sum"),
        active_ai_users=("active", "sum"),
        proficient_no_ai_use=("proficient_no_ai_use", "sum"),
        frequent_low_self_rating=("frequent_low_self_rating", "sum"),
    )
    out = out.astype(int).reset_index()
    return out.sort_values(["proficient_no_ai_use", "frequent_low_self_rating", "role"],
                           ascending=[False, False, True]).reset_index(drop=True)  # fmt: skip


def _pool_small_roles(reality: pd.DataFrame) -> pd.DataFrame:
    """Roles with fewer than `MIN_CELL` respondents summed into one row, so no count points at a person."""
    small = reality["respondents"] < MIN_CELL
    if not small.any():
        return reality
    pooled = reality[small].drop(columns="role").sum().to_frame().T.astype(int).assign(role=SMALL_ROLES)
    return pd.concat([reality[~small], pooled[reality.columns]], ignore_index=True)


def detect_leaders(roles: list[str]) -> list[str]:
    """Roles whose names hold a leadership title (see `LEADER_TITLES`, `NOT_LEADER_TITLES`)."""
    return [r for r in roles if LEADER_TITLES.search(r) and not NOT_LEADER_TITLES.search(r)]


def _leadership_gap(gaps: pd.DataFrame, leaders: list[str], threshold: float) -> pd.DataFrame:
    cols = ["leader_role", "department", "team", "leaders", "team_size", "leader_mean_level", "team_mean_level",
            "gap", "far_ahead"]  # fmt: skip
    leader_keys = {r.strip().casefold() for r in leaders}
    is_leader = _key(gaps[S.role]).isin(leader_keys)
    team_all = gaps[~is_leader]
    rows = []
    for (role, dept), d in gaps[is_leader].groupby([S.role, S.department], sort=True):
        company = bool(COMPANY_LEADER_TITLES.search(role))
        team = team_all if company else team_all[_key(team_all[S.department]) == str(dept).strip().casefold()]
        if team.empty:
            continue
        lead_mean, team_mean = float(d[S.level].mean()), float(team[S.level].mean())
        rows.append(
            {
                "leader_role": role,
                "department": dept,
                "team": "whole company" if company else dept,
                "leaders": int(d[S.respondent_id].nunique()),
                "team_size": int(team[S.respondent_id].nunique()),
                "leader_mean_level": lead_mean,
                "team_mean_level": team_mean,
                "gap": lead_mean - team_mean,
                "far_ahead": lead_mean - team_mean >= threshold,
            }
        )
    return pd.DataFrame(rows, columns=cols).sort_values("gap", ascending=False).reset_index(drop=True)


# ---------------------------------------------------------------- playbooks


def role_slug(role: str) -> str:
    """A file-safe name for a role: lower-case letters and digits joined by underscores."""
    return safe.slug(role) or "role"


def playbook_page_names(roles: Iterable[str]) -> dict[str, str]:
    """Role → its playbook's file name, distinct for every role (`kit.safe.page_names`)."""
    return safe.page_names(roles, "playbook_", fallback="role")


def skill_label(skill: str) -> str:
    return str(skill).replace("_", " ").strip().capitalize()


def _level_name(level: float) -> str:
    return LEVEL_NAMES.get(math.floor(level + 0.5), "") if not pd.isna(level) else ""


def _never_in_ai(role_wf: pd.DataFrame, ai_tools: pd.DataFrame, have_tools: bool) -> list[str]:
    items = [("Restricted data, in any AI tool: personal data of customers or colleagues, payment card and bank "
             "details, payroll and health information.")]  # fmt: skip
    restricted = role_wf.loc[role_wf[W.data_sensitivity] == "restricted", W.workflow]
    if len(restricted):
        items.append("The data of these tasks of yours: " + "; ".join(restricted) + ".")
    approved = ai_tools.loc[ai_tools["approved"].astype(bool)]
    if have_tools:
        for cls in ("confidential", "internal"):
            if not approved[cls].any():
                items.append(f"{cls.capitalize()} company data: no approved AI tool may hold it yet.")
    unapproved = ai_tools.loc[~ai_tools["approved"].astype(bool), "tool"].tolist()
    if unapproved:
        items.append("Company data of any kind into tools that are not approved: " + ", ".join(unapproved) + ".")
    items.append("Passwords, access codes and keys, ever.")
    return items


def _usable(role_wf: pd.DataFrame) -> pd.Series:
    """Workflows where the advice is to use AI (not restricted, no-saving, no-tool or hands-on work)."""
    return role_wf["advice"].isin(TASK_ADVICE.values()) & (role_wf[W.task_type] != "physical_onsite")


def _metrics(readiness: float, active: float, respondents: int, role_wf: pd.DataFrame, days: int) -> list[str]:
    """The measures that will show progress for one role, as sentences."""
    out = []
    if not pd.isna(readiness):
        out.append(f"Skills at target (weighted): {readiness:.0%} of your role today; the goal is 100%, checked by "
                   "repeating the skills survey after training.")  # fmt: skip
    if not pd.isna(active):
        out.append(f"People in your role who used an AI tool in the last {days} days: {active:.0f} of {respondents} "
                   "today; the goal is everyone, on the approved tools.")  # fmt: skip
    usable = role_wf[_usable(role_wf)]
    if len(usable):
        w = usable.iloc[0]
        today = f"about {w[W.minutes_per_run]:g} minutes a run today" if not pd.isna(w[W.minutes_per_run]) else ""
        out.append(f"Time per run of {w[W.workflow]}" + (f" ({today})" if today else "")
                   + ": time five runs with AI after training and compare.")  # fmt: skip
    return out


def _playbooks(
    roles: list[str],
    gaps: pd.DataFrame,
    role_skill: pd.DataFrame,
    role_workflows: pd.DataFrame,
    cohorts: pd.DataFrame,
    ai_tools: pd.DataFrame,
    reality: pd.DataFrame,
    have_tools: bool,
    days: int,
    hours_per_level: float,
    pages: Mapping[str, str],
) -> pd.DataFrame:
    approved_ai = ai_tools.loc[ai_tools["approved"].astype(bool), "tool"].tolist()
    rows = []
    for role in roles:
        g = gaps[gaps[S.role] == role]
        rs = role_skill[role_skill[S.role] == role]
        wf = role_workflows[role_workflows["role"] == role]
        covering = sorted({t for v in wf["covering_tools"] for t in str(v).split("; ") if t})
        tools = [t for t in approved_ai if t in covering] or approved_ai
        build = rs[rs["below_target"] > 0].sort_values("mean_weighted_gap", ascending=False)
        skills = [f"{skill_label(s)} to level {t:.0f} ({_level_name(t)})" for s, t in
                  zip(build[S.skill], build[T.target_level], strict=True)]  # fmt: skip
        mine = cohorts.loc[cohorts["roles"].map(lambda rr, role=role: role in str(rr).split("; ")).astype(bool)]
        seen = reality.loc[reality["role"] == role, "active_ai_users"]
        active = float(seen.iloc[0]) if len(seen) else math.nan
        respondents = int(g[S.respondent_id].nunique())
        rows.append(
            {
                "role": role,
                "page": pages[role],
                "department": "; ".join(sorted(g[S.department].unique())),
                "respondents": respondents,
                "readiness": _readiness(g),
                "n_workflows": len(wf),
                "workflows": "; ".join(wf[W.workflow].head(5)),
                "skills_to_build": "; ".join(skills),
                "n_approved_tools": len(tools),
                "approved_tools": "; ".join(tools),
                "never_in_ai": " ".join(_never_in_ai(wf, ai_tools, have_tools)),
                "active_ai_users": active,
                "metric": " ".join(_metrics(_readiness(g), active, respondents, wf, days)),
                "cohorts": "; ".join(mine["cohort"]),
                "training_hours_per_person": float(g["gap"].sum())
                * hours_per_level
                / max(g[S.respondent_id].nunique(), 1),
            }
        )
    cols = ["role", "page", "department", "respondents", "readiness", "n_workflows", "workflows", "skills_to_build",
            "n_approved_tools", "approved_tools", "never_in_ai", "active_ai_users", "metric", "cohorts",
            "training_hours_per_person"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------- analysis


def analyze(
    survey: pd.DataFrame,
    targets: pd.DataFrame,
    settings: EngagementSettings,
    *,
    workflows: pd.DataFrame | None = None,
    usage: pd.DataFrame | None = None,
    tools: pd.DataFrame | None = None,
    ranking: pd.DataFrame | None = None,
    as_of: pd.Timestamp | str | None = None,
    hours_per_level: float = HOURS_PER_LEVEL,
    departments: list[str] | None = None,
    roles: list[str] | None = None,
    target_overrides: Mapping[str, int] | None = None,
    top_workflows: int = TOP_WORKFLOWS,
    leader_roles: list[str] | None = None,
    leader_gap_threshold: float = LEADER_GAP,
    min_cohort_size: int = MIN_COHORT_SIZE,
    max_group_size: int = MAX_GROUP_SIZE,
) -> TrainingResult:
    """The training-gap analysis (method in the module docstring). `departments` and `roles` keep
    only those survey rows (view filters; names matched ignoring case); `ranking` is the ROI
    ranking (workflow_id, workflow, owner_role, rank, recommended, saving, …); `as_of` ends the
    active window (default: settings.as_of, else the last usage date). Leaders are compared on the
    whole survey, before the filters."""
    full = person_gaps(survey, targets, target_overrides)
    gaps = full
    if departments:
        gaps = gaps[_key(gaps[S.department]).isin({d.strip().casefold() for d in departments})]
    if roles:
        gaps = gaps[_key(gaps[S.role]).isin({r.strip().casefold() for r in roles})]
    gaps = gaps.reset_index(drop=True)
    skills = tuple(dict.fromkeys(survey[S.skill]))
    survey_roles = sorted(gaps[S.role].unique())

    role_skill = _role_skill(gaps, skills)
    rank_frame, ranking_source = _ranking_frame(ranking, workflows)
    top_ids = _top_ids(rank_frame, top_workflows) if len(rank_frame) else []
    role_wf = _role_workflows(rank_frame, workflows, tools, survey_roles, top_ids)
    priorities = _priorities(role_skill, role_wf)
    cohorts = _cohorts(gaps, priorities, hours_per_level, min_cohort_size, max_group_size)
    skill_groups, silhouette = _skill_groups(gaps, skills)

    days = settings.active_window_days
    frequent_days = math.ceil(FREQUENT_SHARE * days)
    if as_of is None:
        as_of = settings.as_of or (usage[Usage.date].max() if usage is not None and len(usage) else None)
    as_of = pd.Timestamp(as_of) if as_of is not None else None
    if usage is not None and as_of is not None and len(gaps):
        per = _person_usage(gaps, usage, tools, as_of, days)
        reality = _reality_check(per, frequent_days)
        join_rate = float(per["in_usage"].mean())
    else:
        reality = pd.DataFrame(columns=["role", "respondents", "found_in_usage", "active_ai_users",
                                        "proficient_no_ai_use", "frequent_low_self_rating"])  # fmt: skip
        join_rate = None

    all_roles = sorted(full[S.role].unique())
    leaders = leader_roles if leader_roles is not None else detect_leaders(all_roles)
    leadership = _leadership_gap(full, leaders, leader_gap_threshold)

    ai_tools = _ai_tools(tools, usage)
    playbooks = _playbooks(
        survey_roles, gaps, role_skill, role_wf, cohorts, ai_tools, reality, tools is not None, days, hours_per_level,
        playbook_page_names(all_roles),
    )

    sources = full.groupby(S.role)["target_source"].agg(set)
    t_roles = set(_key(targets[T.role])) - {"*"}
    answered = set(_key(full[S.role]))
    return TrainingResult(
        role_skill=role_skill,
        departments=_departments(gaps, settings),
        priorities=priorities,
        cohorts=cohorts,
        reality_check=_pool_small_roles(reality),
        leadership_gap=leadership,
        coverage=_coverage(gaps, settings),
        role_workflows=role_wf,
        ai_tools=ai_tools,
        playbooks=playbooks,
        skills=skills,
        respondents=int(gaps[S.respondent_id].nunique()),
        readiness=_readiness(gaps),
        hours_per_level=float(hours_per_level),
        total_training_hours=float(cohorts["total_hours"].sum()) if len(cohorts) else 0.0,
        top_workflows=top_workflows,
        priority_rule=PRIORITY_RULE.format(n=top_workflows),
        ranking_source=ranking_source,
        as_of=as_of,
        active_window_days=days,
        frequent_days=frequent_days,
        usage_join_rate=join_rate,
        leader_gap_threshold=float(leader_gap_threshold),
        roles_without_targets=tuple(r for r, s in sources.items() if s == {"none"}),
        roles_on_default_targets=tuple(r for r, s in sources.items() if s <= {"*", "none"} and "*" in s),
        unanswered_target_roles=tuple(
            sorted({r for r in targets[T.role] if r.strip().casefold() in t_roles - answered})
        ),
        skills_without_targets=tuple(sorted(full.loc[~full["has_target"], S.skill].unique())),
        client=settings.client,
        skill_groups=skill_groups,
        skill_groups_silhouette=silhouette,
    )


def tools_after_review(tools: pd.DataFrame | None, review) -> pd.DataFrame | None:
    """The tool inventory as playbooks should teach it: a tool the consolidation review (`review`,
    a ConsolidationResult, or None when there was no usage to review) recommends cancelling or
    folding into another is no longer offered as approved (people learn the tool they will keep)."""
    if tools is None or review is None:
        return tools
    from kit.phases import consolidation

    retiring = set(
        review.tools.loc[review.tools["recommendation"].isin([consolidation.CANCEL, consolidation.CONSOLIDATE]), "tool"]
    )
    out = tools.copy()
    out[Tools.approved] = out[Tools.approved] & ~out[Tools.tool].isin(retiring)
    return out


def analyze_engagement(eng, model=None, **overrides) -> TrainingResult:
    """`analyze` on a loaded Engagement. The ROI ranking and the tool inventory after the
    consolidation review come from the engagement model (`model`, a `kit.model.EngagementModel`;
    one is built with engagement.yaml's options when not given), so they are the same results
    every other deliverable reads. Keyword arguments override any of `analyze`'s."""
    from kit.model import EngagementModel

    model = model or EngagementModel(eng)
    args = {"workflows": eng.tables.get("workflows"), "usage": eng.tables.get("usage"), "as_of": eng.as_of}
    if "tools" not in overrides:
        args["tools"] = model["tools_after_review"]
    if "ranking" not in overrides:
        args["ranking"] = model["training_ranking"]
    return analyze(eng.tables["skills_survey"], eng.tables["role_targets"], eng.settings, **(args | overrides))

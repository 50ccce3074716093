"""What the training-gaps report shows: narrative text, tables (`*_view`), charts and live controls,
built from `kit.phases.training.analysis`'s result."""

from __future__ import annotations

import functools

import altair as alt
import numpy as np
import pandas as pd

from kit.phases.training.analysis import (
    ALL_DEPARTMENTS,
    ALL_ROLES,
    HOURS_PER_LEVEL,
    SILHOUETTE_BAR,
    SKILL_GROUPS_MAX,
    SMALL_ROLES,
    S,
    T,
    TrainingResult,
    analyze_engagement,
    check_overrides,
    parse_overrides,
    skill_label,
)
from kit.text import names as name_list

# ---------------------------------------------------------------- narrative (plain text)


def _gap_phrase(row: pd.Series) -> str:
    return (
        f"{row[S.role]} on {skill_label(row[S.skill]).lower()} ({row['below_target']} of {row['respondents']} below "
        f"target; mean level {row['mean_level']:.1f} against a target of {row[T.target_level]:.0f})"
    )


def summary_text(r: TrainingResult) -> str:
    if r.respondents == 0:
        return "Nobody in the current selection answered the skills survey."
    d = r.departments.dropna(subset=["readiness"])
    parts = [
        (
            f"{r.respondents} people answered the skills survey. Company-wide readiness is {r.readiness:.0%}: the "
            "share of skills, weighted by how much each matters for the role, at or above the role's target level."
        )
    ]
    if len(d) > 1:
        low, high = d.iloc[0], d.iloc[-1]
        parts.append(f"{low['department']} is the least ready department ({low['readiness']:.0%}), {high['department']} "
                     f"the most ({high['readiness']:.0%}).")  # fmt: skip
    if len(r.priorities):
        parts.append(f"The first training priority is {_gap_phrase(r.priorities.iloc[0])}.")
    if r.total_training_hours:
        parts.append(f"Bringing everyone to target takes about {r.total_training_hours:,.0f} hours of training in "
                     f"{len(r.cohorts)} cohorts, at {r.hours_per_level:g} hours per level gained.")  # fmt: skip
    return " ".join(parts)


def gaps_text(r: TrainingResult, top: int = 3) -> str:
    rs = r.role_skill[r.role_skill["mean_weighted_gap"] > 0].sort_values("mean_weighted_gap", ascending=False)
    if rs.empty:
        return "Every role is at or above its target on every skill."
    worst = "; ".join(_gap_phrase(row) for _, row in rs.head(top).iterrows())
    at = r.role_skill[r.role_skill["below_target"] == 0]
    return (
        f"The largest gaps, weighted by how much the skill matters for the role: {worst}. "
        f"{len(at)} of {len(r.role_skill)} role-skill pairs are already at target for everyone in the role."
    )


def readiness_text(r: TrainingResult) -> str:
    d = r.departments.dropna(subset=["readiness"])
    if d.empty:
        return "No department has survey answers with targets."
    parts = [f"{row['department']} {row['readiness']:.0%}" for _, row in d.iterrows()]
    text = "Readiness by department, least ready first: " + ", ".join(parts) + "."
    rates = r.coverage.dropna(subset=["response_rate"])
    if len(rates):
        low = rates[rates["response_rate"] < 0.7]
        text += (
            f" Response rates are known for {len(rates)} departments"
            + (f"; below 70% in {name_list(list(low['department']))}, so read those figures with care." if len(low)
               else ", all at 70% or more.")
        )  # fmt: skip
    return text


def priorities_text(r: TrainingResult, top: int = 3) -> str:
    if r.priorities.empty:
        return "There is no gap to train for."
    tiers = r.priorities["owns_top_workflow"]
    first = r.priorities.head(top)
    text = "The rule: " + r.priority_rule[:1].lower() + r.priority_rule[1:] + " "
    text += "First come " + "; ".join(_gap_phrase(row) for _, row in first.iterrows()) + "."
    if tiers.any():
        roles = sorted(r.priorities.loc[tiers, S.role].unique())
        text += f" Roles that own a top workflow: {name_list(roles, 8)}."
    else:
        text += " No survey role owns one of the top workflows, so the order is by people × weighted gap alone."
    return text


def cohorts_text(r: TrainingResult, top: int = 3) -> str:
    c = r.cohorts
    if c.empty:
        return "Nobody is below target: no training cohort is needed."
    head = c.head(top)
    share = head["total_hours"].sum() / max(c["total_hours"].sum(), 1e-9)
    names = "; ".join(
        f"{row['cohort']} ({row['size']} people, about {row['hours_per_person']:.0f} h each)"
        for _, row in head.iterrows()
    )
    pooled = int(c["cohort"].str.endswith("mixed roles").sum())
    return (
        f"{len(c)} cohorts, {int(c['size'].sum())} seats in all (a person can sit in several). Start with {names}: "
        f"{share:.0%} of all training hours. "
        + (f"{pooled} cohort(s) pool people from several roles where fewer than three in a role need the skill. "
           if pooled else "")
        + f"Hours assume {r.hours_per_level:g} hours per person per level gained; change it live with the slider."
    )  # fmt: skip


def skill_groups_text(r: TrainingResult) -> str:
    """What the skill-profile groups show beside the role cohorts, with their method."""
    g = r.skill_groups
    method = (f"Method: each respondent's gap per skill (levels) is grouped with k-means (scikit-learn, fixed seed) "
              f"for 2 to {SKILL_GROUPS_MAX} groups, keeping the number with the best mean silhouette when it reaches "
              f"{SILHOUETTE_BAR:g} (Kaufman & Rousseeuw: below that there is no substantial structure). No person is "
              "listed.")  # fmt: skip
    if g.empty:
        return "No respondent has a skill with a target, so there are no skill profiles to group. " + method
    if len(g) == 1:
        return ("The respondents show no distinct skill profiles: grouping them by their gaps finds no structure, so "
                "the role cohorts above are the way to train. " + method)  # fmt: skip
    parts = "; ".join(f"{row['group']} ({row['size']} people) lacks {row['lacks'].lower()}" for _, row in g.iterrows())
    return (f"Grouped by what they lack rather than by role, the respondents fall into {len(g)} skill profiles "
            f"(mean silhouette {r.skill_groups_silhouette:.2f}): {parts}. Where a profile spans several roles, one "
            "course for that profile can replace several role cohorts. " + method)  # fmt: skip


def reality_text(r: TrainingResult) -> str:
    rc = r.reality_check
    if r.usage_join_rate is None:
        return "Without usage data (usage.csv) the self-ratings cannot be checked against actual use."
    prof, freq = int(rc["proficient_no_ai_use"].sum()), int(rc["frequent_low_self_rating"].sum())

    def by(col: str) -> str:
        named = [(SMALL_ROLES.lower() if row["role"] == SMALL_ROLES else row["role"], row[col])
                 for _, row in rc[rc[col] > 0].iterrows()]  # fmt: skip
        return name_list([f"{role}: {n}" for role, n in named])

    text = (
        f"Self-ratings checked against the usage log (AI tools, last {r.active_window_days} days to "
        f"{r.as_of:%d %b %Y}), person by person on the survey's id; only counts are shown. "
    )
    text += (f"{prof} people rate themselves proficient but used no AI tool in that window ({by('proficient_no_ai_use')}); "
             "their use may sit in personal accounts the log cannot see, or the rating is optimistic. " if prof
             else "Nobody who rates themselves proficient is absent from the usage log. ")  # fmt: skip
    text += (f"{freq} people used an AI tool on {r.frequent_days} or more days yet rate every skill 1 or lower "
             f"({by('frequent_low_self_rating')}); they practise without training and are the first to teach how to "
             "check output."
             if freq else "No frequent user rates themselves low.")  # fmt: skip
    if r.usage_join_rate < 0.8:
        text += (f" Only {r.usage_join_rate:.0%} of respondents appear in the usage log at all: check that both "
                 "tables use the same person ids before relying on this check.")  # fmt: skip
    return text


def leadership_text(r: TrainingResult) -> str:
    lg = r.leadership_gap
    if lg.empty:
        return "No leader roles were found in the survey (roles named CEO, VP, head, director, manager, …)."
    far = lg.loc[lg["far_ahead"].astype(bool)]
    if far.empty:
        return (f"No leader rates themselves {r.leader_gap_threshold:g} level or more ahead of their team; the largest "
                f"difference is {lg.iloc[0]['gap']:.1f} levels ({lg.iloc[0]['leader_role']}).")  # fmt: skip
    items = [
        f"{row['leader_role']} {row['leader_mean_level']:.1f} against {row['team_mean_level']:.1f} for "
        f"{'the whole company' if row['team'] == 'whole company' else row['team']}"
        for _, row in far.iterrows()
    ]
    return (
        f"In {len(far)} of {len(lg)} leader roles the leader rates themselves at least {r.leader_gap_threshold:g} level "
        f'ahead of their team (mean level, 0–4): {"; ".join(items)}. This is the "CEO ahead of the company" '
        "pattern: leaders plan for the tools they use themselves while their teams have not yet learned the basics. "
        "Leaders should sponsor and join their team's first sessions rather than skip them."
    )


def coverage_text(r: TrainingResult) -> str:
    parts = []
    rates = r.coverage.dropna(subset=["response_rate"])
    if len(rates):
        total = rates["respondents"].sum() / rates["headcount"].astype(float).sum()
        if (rates["response_rate"] >= 1).all():
            parts.append("Everyone in the headcount of every department answered the survey.")
        else:
            parts.append(f"{total:.0%} of the headcount answered (lowest: {rates.iloc[0]['department']}, "
                         f"{rates.iloc[0]['response_rate']:.0%}).")  # fmt: skip
        unknown = r.coverage[r.coverage["headcount"].isna()]
        if len(unknown):
            parts.append(f"No headcount is set for {name_list(list(unknown['department']))}.")
    else:
        parts.append("No headcount per department is set (engagement.yaml: headcount_by_department), so response "
                     "rates are unknown.")  # fmt: skip
    if r.roles_without_targets:
        parts.append(f"Warning: {name_list(list(r.roles_without_targets))} answered but have no target level (no row of "
                     "their own and no \"*\" row): their gaps are not counted.")  # fmt: skip
    if r.roles_on_default_targets:
        parts.append(f"{name_list(list(r.roles_on_default_targets), 6)} have no targets of their own and use the \"*\" "
                     "defaults: confirm them with the client.")  # fmt: skip
    if r.unanswered_target_roles:
        parts.append(f"Targets exist for {name_list(list(r.unanswered_target_roles))}, but nobody in that role answered.")
    if r.skills_without_targets:
        parts.append(f"Skills without any target: {name_list(list(r.skills_without_targets))}.")
    return " ".join(parts)


def playbooks_text(r: TrainingResult) -> str:
    p = r.playbooks
    if p.empty:
        return "No playbook: nobody in the selection answered the survey."
    with_wf = int((p["n_workflows"] > 0).sum())
    return (
        f"One playbook per role, {len(p)} in all, each written for the people in that role: their own workflows and "
        f"how to use AI on them ({with_wf} roles own workflows in the inventory), the skills to build and to what "
        "level, which approved tool takes which data, what never goes into an AI tool, and the measure that will "
        "show progress."
    )


# ---------------------------------------------------------------- charts


def gap_heatmap(r: TrainingResult) -> alt.LayerChart:
    """Role × skill: mean gap to target in levels (0 = everyone at target)."""
    data = r.role_skill.assign(skill_name=r.role_skill[S.skill].map(skill_label))
    order = data.groupby(S.role)["mean_weighted_gap"].sum().sort_values(ascending=False).index.tolist()
    skills = [skill_label(s) for s in r.skills]
    base = alt.Chart(data, title="Skill gaps by role: mean levels below target (0–4 scale)").encode(
        x=alt.X("skill_name:N", title="Skill", sort=skills, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("role:N", title=None, sort=order),
    )
    tooltip = [
        alt.Tooltip("role:N", title="Role"),
        alt.Tooltip("skill_name:N", title="Skill"),
        alt.Tooltip("respondents:Q", title="Respondents"),
        alt.Tooltip("mean_level:Q", title="Mean level", format=".1f"),
        alt.Tooltip("target_level:Q", title="Target level"),
        alt.Tooltip("mean_gap:Q", title="Mean gap (levels)", format=".2f"),
        alt.Tooltip("share_below_target:Q", title="Below target", format=".0%"),
    ]
    rect = base.mark_rect().encode(
        color=alt.Color("mean_gap:Q", title="Mean gap (levels)", scale=alt.Scale(scheme="oranges", domainMin=0)),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("mean_gap:Q", format=".1f"),
        color=alt.condition("datum.mean_gap > 1.5", alt.value("white"), alt.value("#1F2937")),
    )
    return (rect + text).properties(width=alt.Step(116), height=alt.Step(24))


def readiness_chart(r: TrainingResult) -> alt.Chart:
    data = r.departments.dropna(subset=["readiness"])
    return (
        alt.Chart(data, title="Readiness by department: weighted share of skills at target")
        .mark_bar()
        .encode(
            x=alt.X(
                "readiness:Q",
                title="Skills at target (weighted share)",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y("department:N", sort="x", title=None),
            tooltip=[
                alt.Tooltip("department:N", title="Department"),
                alt.Tooltip("readiness:Q", title="Readiness", format=".0%"),
                alt.Tooltip("respondents:Q", title="Respondents"),
                alt.Tooltip("mean_gap:Q", title="Mean gap (levels)", format=".2f"),
            ],
        )
    )


def cohorts_chart(r: TrainingResult, top: int = 15) -> alt.Chart:
    data = r.cohorts.head(top).assign(
        tier=lambda d: np.where(d["owns_top_workflow"], "Owns a top workflow", "Other roles")
    )
    return (
        alt.Chart(data, title=f"Training cohorts in priority order: training hours (top {min(top, len(data))})")
        .mark_bar()
        .encode(
            x=alt.X("total_hours:Q", title="Training hours (people × levels × hours per level)"),
            y=alt.Y("cohort:N", sort=list(data["cohort"]), title=None, axis=alt.Axis(labelLimit=340)),
            color=alt.Color(
                "tier:N", title="Priority group", scale=alt.Scale(domain=["Owns a top workflow", "Other roles"])
            ),
            tooltip=[
                alt.Tooltip("cohort:N", title="Cohort"),
                alt.Tooltip("priority:Q", title="Priority"),
                alt.Tooltip("size:Q", title="People"),
                alt.Tooltip("groups:Q", title="Groups"),
                alt.Tooltip("from_level:Q", title="Mean level now", format=".1f"),
                alt.Tooltip("target_max:Q", title="Target level"),
                alt.Tooltip("total_hours:Q", title="Training hours", format=",.0f"),
            ],
        )
    )


def leadership_chart(r: TrainingResult) -> alt.LayerChart:
    lg = r.leadership_gap
    long = pd.concat(
        [
            lg[["leader_role", "leader_mean_level"]]
            .rename(columns={"leader_mean_level": "level"})
            .assign(who="Leader"),
            lg[["leader_role", "team_mean_level"]].rename(columns={"team_mean_level": "level"}).assign(who="Team"),
        ],
        ignore_index=True,
    )
    order = list(lg["leader_role"])
    y = alt.Y("leader_role:N", sort=order, title=None)
    rule = alt.Chart(lg).mark_rule(color="#9CA3AF").encode(y=y, x="team_mean_level:Q", x2="leader_mean_level:Q")
    dots = (
        alt.Chart(long)
        .mark_circle(size=120, opacity=1)
        .encode(
            y=y,
            x=alt.X("level:Q", title="Mean self-rated level (0 none – 4 advanced)", scale=alt.Scale(domain=[0, 4])),
            color=alt.Color("who:N", title=None),
            tooltip=[
                alt.Tooltip("leader_role:N", title="Leader role"),
                alt.Tooltip("who:N", title="Who"),
                alt.Tooltip("level:Q", title="Mean level", format=".1f"),
            ],
        )
    )
    return (rule + dots).properties(title="Leaders and their teams: mean self-rated AI skill level")


# ---------------------------------------------------------------- views for the deliverable


def role_skill_view(r: TrainingResult, top: int = 15) -> pd.DataFrame:
    cols = {
        S.role: "Role",
        S.skill: "Skill",
        "respondents": "Respondents",
        "mean_level": "Mean level",
        T.target_level: "Target",
        T.weight: "Weight",
        "mean_gap": "Mean gap",
        "share_below_target": "Below target",
        "mean_weighted_gap": "Weighted gap",
    }
    rs = r.role_skill.sort_values("mean_weighted_gap", ascending=False).head(top)
    return rs[list(cols)].assign(**{S.skill: rs[S.skill].map(skill_label)}).rename(columns=cols)


def departments_view(r: TrainingResult) -> pd.DataFrame:
    cols = {
        "department": "Department",
        "respondents": "Respondents",
        "headcount": "Headcount",
        "response_rate": "Response rate",
        "readiness": "Readiness",
        "mean_gap": "Mean gap (levels)",
        "people_fully_at_target": "People at target on every skill",
    }
    return r.departments[list(cols)].rename(columns=cols)


def priorities_view(r: TrainingResult, top: int = 15) -> pd.DataFrame:
    cols = {
        "priority": "Priority",
        S.role: "Role",
        S.skill: "Skill",
        "respondents": "People in role",
        "below_target": "Below target",
        "mean_weighted_gap": "Weighted gap",
        "score": "People × weighted gap",
        "top_workflows": "Top workflows it owns",
    }
    p = r.priorities.head(top)
    return p[list(cols)].assign(**{S.skill: p[S.skill].map(skill_label)}).rename(columns=cols)


def cohorts_view(r: TrainingResult, top: int = 20) -> pd.DataFrame:
    c = r.cohorts.head(top)
    target = np.where(c["target_min"] == c["target_max"], c["target_max"].map("{:.0f}".format),
                      c["target_min"].map("{:.0f}".format) + "–" + c["target_max"].map("{:.0f}".format))  # fmt: skip
    return pd.DataFrame(
        {
            "Priority": c["priority"],
            "Cohort": c["cohort"],
            "Roles": c["roles"],
            "People": c["size"],
            "Groups": c["groups"],
            "Mean level now": c["from_level"],
            "Target level": target,
            "Hours per person": c["hours_per_person"],
            "Training hours": c["total_hours"],
        }
    )


def skill_groups_view(r: TrainingResult) -> pd.DataFrame:
    """One row per skill-profile group: size, what it lacks, its roles and mean gap per skill."""
    g = r.skill_groups
    gaps = {f"Gap: {skill_label(s)}": g[f"gap_{s}"] for s in r.skills if f"gap_{s}" in g}
    return pd.DataFrame({"Group": g["group"], "People": g["size"], "Lacks": g["lacks"], "Roles": g["roles"],
                         "Mean gap": g["mean_gap"], **gaps})  # fmt: skip


def reality_view(r: TrainingResult) -> pd.DataFrame:
    cols = {
        "role": "Role",
        "respondents": "Respondents",
        "found_in_usage": "Found in usage log",
        "active_ai_users": "Used AI in window",
        "proficient_no_ai_use": "Rate themselves proficient, no AI use",
        "frequent_low_self_rating": "Frequent users rating themselves low",
    }
    rc = r.reality_check
    return rc[list(cols)].rename(columns=cols)


def leadership_view(r: TrainingResult) -> pd.DataFrame:
    cols = {
        "leader_role": "Leader role",
        "team": "Compared with",
        "team_size": "Team respondents",
        "leader_mean_level": "Leader's mean level",
        "team_mean_level": "Team's mean level",
        "gap": "Difference (levels)",
        "far_ahead": "Far ahead",
    }
    lg = r.leadership_gap
    return lg[list(cols)].assign(far_ahead=lg["far_ahead"].map({True: "yes", False: "no"})).rename(columns=cols)


def coverage_view(r: TrainingResult) -> pd.DataFrame:
    cols = {"department": "Department", "headcount": "Headcount", "respondents": "Respondents",
            "response_rate": "Response rate"}  # fmt: skip
    return r.coverage[list(cols)].rename(columns=cols)


def playbooks_view(r: TrainingResult) -> pd.DataFrame:
    p = r.playbooks
    return pd.DataFrame(
        {
            "Role": p["role"],
            "People": p["respondents"],
            "Readiness": p["readiness"],
            "First workflow": p["workflows"].str.split("; ").str[0].fillna(""),
            "Approved tools": p["n_approved_tools"],
            "Training hours per person": p["training_hours_per_person"],
            "Page (in pages/)": p["page"],
        }
    )


# ---------------------------------------------------------------- live controls


COHORT_FORMATS = {"Mean level now": "number", "Hours per person": "int", "Training hours": "int"}
COHORTS_CAPTION = "Cohorts in priority order (first 20)"


def explorer(model, **fixed):
    """A view for the live controls: the priority cohorts (in words, as a chart and a table) for a
    department or role, with what-if hours per level and target overrides (`parse_overrides`
    text; a malformed one raises ValueError, which the controls show as one line). The ranking
    and the reviewed tool inventory come from `model` (computed once); `fixed` goes to `analyze`;
    each setting is analysed once; the model's own settings are its `training_gaps` result."""
    eng = model.eng
    inputs = {"ranking": model["training_ranking"], "tools": model["tools_after_review"]}
    options = model.options("training_gaps")
    computed = {"hours_per_level": options.hours_per_level, "top_workflows": options.top_workflows,
                "leader_gap_threshold": options.leader_gap_threshold}  # fmt: skip

    @functools.lru_cache(maxsize=32)
    def result(department: str, role: str, hours_per_level: float, overrides: tuple) -> TrainingResult:
        as_computed = (department, role, overrides) == (ALL_DEPARTMENTS, ALL_ROLES, ()) and (
            {"hours_per_level": hours_per_level, **fixed} == computed
        )
        if as_computed and model["training_gaps"]:  # the report's view: no second analysis (5M usage rows)
            return model["training_gaps"]
        return analyze_engagement(
            eng,
            model,
            departments=None if department == ALL_DEPARTMENTS else [department],
            roles=None if role == ALL_ROLES else [role],
            hours_per_level=hours_per_level,
            target_overrides=dict(overrides),
            **(inputs | fixed),
        )

    def view(
        department: str = ALL_DEPARTMENTS, role: str = ALL_ROLES, hours_per_level: float = HOURS_PER_LEVEL,
        target_overrides: str = "",
    ) -> list:  # fmt: skip
        from kit import notebook as nb

        parsed = parse_overrides(target_overrides)
        check_overrides(parsed, eng.table("skills_survey"))
        overrides = tuple(sorted(parsed.items()))
        r = result(department, role, float(hours_per_level), overrides)
        if r.cohorts.empty:
            return [nb.say(summary_text(r) if r.respondents == 0 else cohorts_text(r))]
        return [nb.say(cohorts_text(r)), cohorts_chart(r), nb.table(cohorts_view(r), formats=COHORT_FORMATS, caption=COHORTS_CAPTION)]

    return view

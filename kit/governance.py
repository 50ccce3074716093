"""Which data may go into which tool: the common tiering in evidence.md (e.g. Northwestern's).

- public data may go into any tool;
- internal data only into approved tools on a business plan (team or enterprise) cleared for it;
- confidential data only into approved tools under an enterprise agreement cleared for that class;
- restricted data into no AI tool.
Consumer plans (free, individual) are never approved for company data.
"""

from __future__ import annotations

import pandas as pd

from kit.intake.schemas import DATA_CLASSES

CLASS_RANK = {c: i for i, c in enumerate(DATA_CLASSES)}
BUSINESS_PLANS = ("team", "enterprise")


def tool_may_hold(tools: pd.DataFrame, data_class: str) -> pd.Series:
    """Boolean per tool row: may data of `data_class` go into it under the tiering above."""
    rank = CLASS_RANK[data_class]
    cleared = tools["max_data_class"].map(CLASS_RANK) >= rank
    if data_class == "public":
        return pd.Series(True, index=tools.index)
    if data_class == "internal":
        return tools["approved"].astype(bool) & tools["plan"].isin(BUSINESS_PLANS) & cleared
    if data_class == "confidential":
        return tools["approved"].astype(bool) & (tools["plan"] == "enterprise") & cleared
    return pd.Series(False, index=tools.index)


def data_class_matrix(tools: pd.DataFrame) -> pd.DataFrame:
    """Tools × data classes, True where that class may go into the tool."""
    matrix = pd.DataFrame({c: tool_may_hold(tools, c) for c in DATA_CLASSES})
    matrix.insert(0, "tool", tools["tool"].to_numpy())
    return matrix.reset_index(drop=True)


def covered_classes(tools: pd.DataFrame | None) -> set[str]:
    """Data classes for which at least one approved tool exists (public always counts as covered
    only when some tool exists; restricted never does)."""
    if tools is None or tools.empty:
        return set()
    return {c for c in DATA_CLASSES if c != "public" and tool_may_hold(tools, c).any()} | {"public"}


# --- which kind of tool a task needs -------------------------------------------------------------

#: Tool categories (`tools.category`) that can do each workflow task type. A workflow is covered
#: when an approved tool in one of these categories may hold its data class. General chat
#: assistants count for most text tasks; physical on-site work needs no AI tool (empty tuple).
TASK_TOOL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "writing": ("chat_assistant", "writing_assistant"),
    "summarizing": ("chat_assistant", "writing_assistant", "meeting_assistant"),
    "research": ("chat_assistant", "search_research"),
    "analysis": ("chat_assistant", "analytics"),
    "data_entry": ("automation",),
    "customer_communication": ("chat_assistant", "writing_assistant", "support_ai", "crm_ai"),
    "internal_communication": ("chat_assistant", "writing_assistant"),
    "reporting": ("chat_assistant", "analytics"),
    "scheduling": ("automation", "meeting_assistant"),
    "coding": ("coding_assistant",),
    "review_approval": ("chat_assistant",),
    "creative_design": ("image_media",),
    "physical_onsite": (),
    "other": ("chat_assistant",),
}


def workflow_coverage(workflows: pd.DataFrame, tools: pd.DataFrame | None) -> pd.DataFrame:
    """One row per workflow: the categories its task type needs (`needed_categories`, "; "-joined),
    the approved tools in those categories that may hold its data class (`covering_tools`), and
    `covered` (False when none may; True for task types that need no AI tool)."""
    tools = tools if tools is not None else pd.DataFrame(columns=["tool", "category", "approved", "plan", "max_data_class"])
    allowed = {c: set(tools.loc[tool_may_hold(tools, c) & tools["approved"].astype(bool), "tool"]) for c in DATA_CLASSES}
    by_category = tools.groupby(tools["category"].astype(str).str.strip().str.lower())["tool"].agg(set).to_dict()
    needed, covering = [], []
    for task, data_class in zip(workflows["task_type"], workflows["data_sensitivity"], strict=True):
        cats = TASK_TOOL_CATEGORIES.get(task, TASK_TOOL_CATEGORIES["other"])
        in_cats = set().union(*(by_category.get(c, set()) for c in cats)) if cats else set()
        needed.append("; ".join(cats))
        covering.append("; ".join(sorted(in_cats & allowed[data_class])))
    out = workflows.copy()
    out["needed_categories"] = needed
    out["covering_tools"] = covering
    out["covered"] = (out["covering_tools"] != "") | (out["needed_categories"] == "")
    return out

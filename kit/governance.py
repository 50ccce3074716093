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

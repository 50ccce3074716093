"""Each phase is a package: analysis, presentation and (where it has them) pages, re-exported whole."""

from __future__ import annotations

import ast
import importlib
import pickle
from pathlib import Path

import pytest

import kit.phases

PACKAGES = ("workflow_mapping", "roi", "training", "consolidation", "agents", "summary", "progress")
ROOT = Path(kit.phases.__file__).parent


def _lazy_import(value) -> bool:
    """`stats = lazy("scipy.stats")` (kit.lazy; also as a tuple): an import, not a public name."""
    calls = value.elts if isinstance(value, ast.Tuple) else [value]
    return all(isinstance(c, ast.Call) and getattr(c.func, "id", None) == "lazy" for c in calls)


def _public(module) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and not _lazy_import(node.value):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return {n for n in names if not n.startswith("_")}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    return found | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}


@pytest.mark.parametrize("phase", PACKAGES)
def test_analysis_never_imports_its_presentation_or_pages(phase):
    imported = _imported_modules(ROOT / phase / "analysis.py")
    assert not {m for m in imported if m.startswith(f"kit.phases.{phase}.") and not m.endswith(".analysis")}


@pytest.mark.parametrize("phase", PACKAGES)
def test_the_package_re_exports_every_public_name_of_its_modules(phase):
    package = importlib.import_module(f"kit.phases.{phase}")
    for part in ("analysis", "presentation", "pages"):
        if not (ROOT / phase / f"{part}.py").exists():
            continue
        module = importlib.import_module(f"kit.phases.{phase}.{part}")
        missing = {n for n in _public(module) if getattr(package, n, None) is not getattr(module, n)}
        assert not missing, f"kit.phases.{phase} does not re-export {sorted(missing)} from {part}"


RESULTS = (("workflow_mapping", "WorkflowMappingResult"), ("roi", "RoiResult"), ("training", "TrainingResult"),
           ("consolidation", "ConsolidationResult"), ("agents", "AgentsResult"), ("summary", "SummaryResult"),
           ("progress", "ProgressResult"))  # fmt: skip


@pytest.mark.parametrize(("phase", "result"), RESULTS)
def test_a_result_pickled_before_the_split_still_loads(phase, result):
    """Run folders written before the split pickled `kit.phases.<phase>.<Result>` (results/*.pkl)."""
    old_reference = f"ckit.phases.{phase}\n{result}\n.".encode()  # pickle's GLOBAL opcode, as protocol 0 writes it
    cls = pickle.loads(old_reference)  # noqa: S301 - a constant written here
    assert cls is getattr(importlib.import_module(f"kit.phases.{phase}.analysis"), result)


def test_consolidation_finds_its_vendor_list_from_the_package():
    from kit.phases import consolidation

    assert consolidation.AI_VENDORS_FILE == ROOT.parent / "data" / "ai_vendors.csv"
    assert consolidation.AI_VENDORS_FILE.is_file()

"""Where the kit's own folders are: the repository (editable install) or the installed share folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARE_DIR = Path(sys.prefix) / "share" / "ai-adoption-kit"  # [tool.setuptools.data-files] in pyproject.toml


def resource_dir(name: str, *, roots: tuple[Path, ...] | None = None) -> Path:
    """`notebooks` or `engagement_templates`: from the repository when present, else from the
    share folder a wheel installs (the first root holding it; the repository path otherwise)."""
    roots = roots or (PROJECT_ROOT, SHARE_DIR)
    for root in roots:
        if (root / name).is_dir():
            return root / name
    return roots[0] / name


# The phase notebooks; KIT_NOTEBOOKS_DIR points the runner at another folder of notebooks with the
# same names (kit.phases; here so that `kit run` can find them before it imports the analyses).
NOTEBOOKS_DIR = Path(os.environ.get("KIT_NOTEBOOKS_DIR") or resource_dir("notebooks"))

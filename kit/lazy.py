"""Modules imported on first use: `stats = lazy("scipy.stats")` reads like `from scipy import stats`,
but scipy.stats is imported only when an attribute of it is first asked for.

statsmodels and scipy.stats take about 2 s of CPU to import. Every kernel of a `kit run` and the
runner import the phase modules (a notebook renders its phase; a run reads results back from its
cache), yet only a process that fits or tests something needs them. `importlib.import_module` takes
the import lock, so a first use from two threads imports the module once.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module `name` until first use; each attribute read is then kept on the proxy."""

    def __init__(self, name: str) -> None:
        self.__name = name

    def __getattr__(self, attr: str) -> Any:
        if attr == "_LazyModule__name":  # not set yet (a copy made without __init__)
            raise AttributeError(attr)
        value = getattr(importlib.import_module(self.__name), attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__name!r}>"


def lazy(name: str) -> Any:
    """A stand-in for `import name` that imports it on first attribute access."""
    return LazyModule(name)

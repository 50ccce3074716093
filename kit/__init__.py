"""AI-adoption engagement kit: intake, analyses and deliverables for one client engagement."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ai-adoption-kit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]

"""AI-adoption engagement kit: intake, analyses and deliverables for one client engagement."""

import sys
from importlib.metadata import PackageNotFoundError, version

# jsonschema (imported by altair and nbformat) imports rfc3987-syntax when it is installed, which
# compiles some thirty Earley grammars at import time: 1.5-2.5 s of CPU in every process (the
# runner and each kernel; jsonschema#1428). It serves only the "iri" and "iri-reference" formats,
# which no schema the kit validates (Vega-Lite, nbformat) uses; marked absent, jsonschema skips them.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

try:
    __version__ = version("ai-adoption-kit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]

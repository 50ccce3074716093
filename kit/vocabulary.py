"""Labels and values that more than one phase writes or reads: defined once, imported everywhere.

A phase writes these into its result (and its recorded JSON); the summary, the workbook and the
deck read them back, so a label changed here changes in every deliverable at once.
"""

from __future__ import annotations

#: Consolidation's recommendation per tool.
CANCEL, DOWNSIZE, CONSOLIDATE, KEEP = "cancel", "downsize", "consolidate", "keep"

#: Kinds of shadow-AI finding (consolidation) and of governance gap.
UNLISTED = "unlisted tool in use"
EXPENSED = "AI expense outside approved tools"
CONSUMER = "free or individual plan in use"
UNAPPROVED = "unapproved tool in use"
NO_SSO = "no single sign-on"

#: Oversight levels of an agent candidate, from least to most human involvement.
AUTONOMOUS, APPROVE, DRAFT, NOT_RECOMMENDED = 0, 1, 2, 3

#: Readiness gates of an agent candidate.
GATE_READY = "Ready now"
GATE_TRAINING = "Training first"
GATE_CONSOLIDATION = "Consolidation first"
GATE_BOTH = "Consolidation and training first"
GATE_NOT = "Not recommended"

#: How a method note labels a threshold that no published source gives.
KIT_ASSUMPTION = "kit assumption (not from a published source)"

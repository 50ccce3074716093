"""Pseudonymization of person identifiers for deliverables.

A pseudonym is `P-` + the first 10 hex digits of HMAC-SHA256(key, identifier). The key is secret
and per engagement, so pseudonyms are stable across runs of the same engagement and cannot be
reversed from a report (hashing without a key could be undone by trying every `E0001`-style id).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import pandas as pd

KEY_FILE = Path(".kit") / "pseudonym.key"


class Pseudonymizer:
    """Maps identifiers to stable pseudonyms; `enabled=False` returns identifiers unchanged."""

    def __init__(self, key: bytes, *, enabled: bool = True, prefix: str = "P-", digits: int = 10):
        self._key = key
        self.enabled = enabled
        self.prefix = prefix
        self.digits = digits

    def __call__(self, identifier: str) -> str:
        if not self.enabled:
            return identifier
        digest = hmac.new(self._key, str(identifier).encode("utf-8"), hashlib.sha256).hexdigest()
        return self.prefix + digest[: self.digits].upper()

    def series(self, values: pd.Series) -> pd.Series:
        """Pseudonymize a column (each distinct value hashed once; missing values stay missing)."""
        if not self.enabled:
            return values
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        mapped = pd.array([self(u) for u in uniques] + [pd.NA], dtype="str")
        return pd.Series(mapped.take(codes), index=values.index, name=values.name, dtype="str")


def engagement_key(folder: Path, configured: str | None) -> tuple[bytes, str | None]:
    """The engagement's secret key, and a warning when it could not be kept for later runs.

    Uses `pseudonym_key` from engagement.yaml when set; otherwise `<folder>/.kit/pseudonym.key`,
    created on first use (a new file: the client's own files are never changed).
    """
    if configured:
        return configured.encode("utf-8"), None
    path = Path(folder) / KEY_FILE
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8").strip().encode("utf-8"), None
        path.parent.mkdir(exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key + "\n", encoding="utf-8")
        return key.encode("utf-8"), None
    except OSError as exc:
        return secrets.token_hex(32).encode("utf-8"), (
            f"could not keep a pseudonym key in {path} ({exc.strerror}); pseudonyms differ between runs. "
            "Set pseudonym_key in engagement.yaml to make them stable."
        )

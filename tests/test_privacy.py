"""Pseudonyms: stable within an engagement, different across engagements, not the real id."""

from __future__ import annotations

import pandas as pd

from kit.intake import load_engagement
from kit.privacy import Pseudonymizer, engagement_key
from tests.conftest import write_engagement


def test_same_key_same_pseudonym_and_different_key_different_pseudonym():
    a, b = Pseudonymizer(b"key-a"), Pseudonymizer(b"key-b")
    assert a("E0001") == a("E0001") != b("E0001")
    assert a("E0001") != a("E0002")
    assert a("E0001").startswith("P-") and "E0001" not in a("E0001")


def test_disabled_pseudonymizer_returns_identifiers_unchanged():
    assert Pseudonymizer(b"k", enabled=False)("E1") == "E1"


def test_series_keeps_missing_values_missing():
    out = Pseudonymizer(b"k").series(pd.Series(["E1", None, "E1"]))
    assert out[0] == out[2] and pd.isna(out[1])


def test_key_is_created_once_per_engagement_and_reused(tmp_path):
    key1, warn = engagement_key(tmp_path, None)
    key2, _ = engagement_key(tmp_path, None)
    assert key1 == key2 and warn is None and len(key1) == 64


def test_configured_key_wins(tmp_path):
    assert engagement_key(tmp_path, "secret")[0] == b"secret"


def test_loaded_tables_carry_pseudonyms_consistently_across_tables(engagement_dir):
    eng = load_engagement(engagement_dir)
    survey_ids = set(eng.tables["skills_survey"]["respondent_id"])
    usage_ids = set(eng.tables["usage"]["user_id"])
    assert not {"E1", "E2"} & (survey_ids | usage_ids)
    assert survey_ids == usage_ids  # same person, same pseudonym in every table
    again = load_engagement(engagement_dir)
    assert set(again.tables["usage"]["user_id"]) == usage_ids  # stable across runs


def test_pseudonymize_false_keeps_real_identifiers(tmp_path):
    from tests.conftest import SETTINGS

    eng = load_engagement(write_engagement(tmp_path / "e", settings=SETTINGS + "pseudonymize: false\n"))
    assert set(eng.tables["usage"]["user_id"]) == {"E1", "E2"}

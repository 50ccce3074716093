"""engagement.yaml: defaults, and a bad key or value named in the error."""

from __future__ import annotations

import pytest

from kit.problems import IntakeError
from kit.settings import parse_settings

BASE = {"client": "Acme", "slug": "acme", "start_date": "2027-01-11", "hourly_cost": 50}


def test_defaults_follow_the_contract():
    s = parse_settings(BASE)
    assert (s.currency, s.horizon_months, s.adoption_rate, s.pseudonymize) == ("USD", 12, 0.7, True)
    assert s.accountable_owner == "" and not s.has_owner


def test_hourly_cost_by_role_overrides_default_ignoring_case():
    s = parse_settings({**BASE, "hourly_cost_by_role": {"Controller": 90}})
    assert s.hourly_cost_for("controller ") == 90 and s.hourly_cost_for("Clerk") == 50


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"slug": "Acme Corp"}, "slug"),
        ({"slug": "a" * 300}, "slug"),
        ({"hourly_cost": -5}, "hourly_cost"),
        ({"horizon_months": 61}, "horizon_months"),
        ({"adoption_rate": 1.5}, "adoption_rate"),
        ({"start_date": "next monday"}, "start_date"),
        ({"currency": "dollars"}, "currency"),
        ({"health_check": {"training": 4}}, "health_check.training"),
        ({"health_check": {"vibes": 2}}, "health_check.vibes"),
        ({"data": {"invoices": "x.csv"}}, "data.invoices"),
        ({"hourly_cost_by_role": {"Clerk": 0}}, "hourly_cost_by_role.Clerk"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_key_or_value_is_an_error_naming_the_key(change, key):
    with pytest.raises(IntakeError) as info:
        parse_settings({**BASE, **change})
    assert [p.column for p in info.value.problems] == [key]
    assert str(info.value.problems[0]).startswith(f'engagement.yaml: setting "{key}"')


@pytest.mark.parametrize("key", ["client", "slug", "start_date", "hourly_cost"])
def test_missing_required_key_is_named(key):
    raw = {k: v for k, v in BASE.items() if k != key}
    with pytest.raises(IntakeError) as info:
        parse_settings(raw)
    assert str(info.value.problems[0]) == f'engagement.yaml: setting "{key}" is required'


def test_every_problem_in_settings_is_reported_at_once():
    with pytest.raises(IntakeError) as info:
        parse_settings({**BASE, "hourly_cost": 0, "slug": "A B", "extra": 1})
    assert {p.column for p in info.value.problems} == {"hourly_cost", "slug", "extra"}


def test_invalid_yaml_names_the_line(tmp_path):
    from kit.settings import load_settings

    (tmp_path / "engagement.yaml").write_text("client: Acme\nslug: [acme\n", encoding="utf-8")
    with pytest.raises(IntakeError) as info:
        load_settings(tmp_path)
    assert "is not valid YAML" in str(info.value.problems[0])


@pytest.mark.parametrize(("length", "ok"), [(64, True), (65, False), (300, False)])
def test_slug_longer_than_64_characters_is_rejected_with_the_limit(length, ok):
    raw = {**BASE, "slug": "a" * length}
    if ok:
        assert parse_settings(raw).slug == "a" * length
        return
    with pytest.raises(IntakeError) as info:
        parse_settings(raw)
    assert str(info.value.problems[0]).startswith('engagement.yaml: setting "slug" must be at most 64 characters')


# engagement.yaml text with a key given twice; the expected line names the key and both lines.
DUPLICATE_KEYS = [
    ("client: Acme\nslug: acme\nhourly_cost: 55\nstart_date: 2027-01-11\nhourly_cost: 5500\n",
     'engagement.yaml row 5: setting "hourly_cost" appears twice (rows 3 and 5)'),
    ("client: Acme\nslug: acme\nhourly_cost: 55\nstart_date: 2027-01-11\n"
     "hourly_cost_by_role:\n  Analyst: 80\n  Clerk: 40\n  Analyst: 8000\n",
     'engagement.yaml row 8: setting "hourly_cost_by_role.Analyst" appears twice (rows 6 and 8)'),
    ("client: Acme\nslug: acme\nhourly_cost: 55\nstart_date: 2027-01-11\nslug: acme\nslug: acme-2\n",
     'engagement.yaml row 6: setting "slug" appears 3 times (rows 2, 5 and 6)'),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), DUPLICATE_KEYS, ids=["top-level", "nested", "three-times"])
def test_duplicate_key_is_an_error_naming_the_key_and_its_lines(tmp_path, text, expected):
    from kit.settings import load_settings

    (tmp_path / "engagement.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(IntakeError) as info:
        load_settings(tmp_path)
    assert [str(p) for p in info.value.problems] == [expected]


def test_every_duplicate_key_is_reported_at_once(tmp_path):
    from kit.settings import load_settings

    text = "client: Acme\nclient: Acme 2\nslug: acme\nhourly_cost: 55\nstart_date: 2027-01-11\n"
    text += "health_check:\n  training: 2\n  training: 3\n"
    (tmp_path / "engagement.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(IntakeError) as info:
        load_settings(tmp_path)
    assert [p.row for p in info.value.problems] == [2, 8]


def test_a_key_that_overrides_a_yaml_merge_is_not_a_duplicate(tmp_path):
    from kit.settings import load_settings

    text = "client: Acme\nslug: acme\nhourly_cost: 55\nstart_date: 2027-01-11\n"
    text += "hourly_cost_by_role:\n  <<: {Analyst: 80, Clerk: 40}\n  Analyst: 90\n"
    (tmp_path / "engagement.yaml").write_text(text, encoding="utf-8")
    settings = load_settings(tmp_path)
    assert (settings.hourly_cost_for("analyst"), settings.hourly_cost_for("clerk")) == (90, 40)


@pytest.mark.parametrize(("given", "kept"), [("#0b6e4f", "#0B6E4F"), (None, None), ("", None)])
def test_accent_colour_is_a_hex_colour_or_none(given, kept):
    assert parse_settings({**BASE, "accent_colour": given}).accent_colour == kept


@pytest.mark.parametrize("given", ["red", "#12345", "#GGGGGG", "0B6E4F"])
def test_a_bad_accent_colour_is_an_error_saying_what_is_allowed(given):
    with pytest.raises(IntakeError) as exc:
        parse_settings({**BASE, "accent_colour": given})
    assert [str(p) for p in exc.value.problems] == [
        f'engagement.yaml: setting "accent_colour" must be a colour written #RRGGBB, e.g. #1F5AA6 (given: {given!r})'
    ]

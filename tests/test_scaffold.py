"""kit.scaffold and engagement_templates/: a new engagement starts from the contract's tables."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from kit.scaffold import new_engagement, templates_dir
from kit.settings import parse_settings

TEMPLATES = templates_dir()

# The intake contract's columns, in contract order (required first). Hard-coded on purpose:
# this is the contract, not whatever the schema code currently says.
CONTRACT_COLUMNS = {
    "workflows": [
        "workflow_id", "department", "workflow", "owner_role", "task_type", "runs_per_month",
        "minutes_per_run", "data_sensitivity", "people_involved", "systems", "pain_points",
    ],
    "time_studies": [
        "observation_id", "workflow_id", "ai_assisted", "minutes", "employee_id", "observed_on",
        "complexity", "quality_score",
    ],
    "skills_survey": ["respondent_id", "department", "role", "skill", "level"],
    "role_targets": ["role", "skill", "target_level", "weight"],
    "tools": [
        "tool", "vendor", "category", "plan", "seats", "cost_per_seat_month", "approved",
        "max_data_class", "billing_cycle", "renewal_date", "owner", "sso_enabled",
    ],
    "usage": ["user_id", "tool", "date", "actions"],
    "expenses": ["expense_id", "date", "employee_id", "vendor", "amount", "description"],
    "recurring_work": [
        "task_id", "department", "task", "category", "owner_role", "runs_per_month",
        "minutes_per_run", "input_structure", "rule_based", "exception_rate", "data_sensitivity",
        "error_impact", "systems",
    ],
    # kit extension (optional, read by follow-up runs): agent pilots and their stage
    "pilots": ["task_id", "stage", "started_on", "stage_since", "outputs_reviewed", "outputs_accepted", "owner"],
}  # fmt: skip
CONTRACT_SETTINGS = (
    "client", "slug", "currency", "start_date", "accountable_owner", "hourly_cost",
    "hourly_cost_by_role", "horizon_months", "adoption_rate", "as_of", "pseudonymize", "data",
    "health_check",
)  # fmt: skip
KIT_EXTENSIONS = {
    "seat_cost_per_month": 30,
    "enablement_cost_per_workflow": 2000,
    "active_window_days": 30,
    "min_runs_per_arm": 5,
    "confidence_level": 0.9,
    "phase_weeks": {"foundation": 4, "training": 6, "consolidation": 6, "agents": 8},
    "headcount_by_department": {},
}
COMMENTED_ONLY_EXTENSIONS = ("pseudonym_key",)  # a secret: documented, never given a value
SKILLS = ("prompting", "output_verification", "data_handling", "workflow_automation", "tool_fluency")

TEMPLATE_YAML = (TEMPLATES / "engagement.yaml").read_text(encoding="utf-8")


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --- new_engagement ---------------------------------------------------------------------------


def test_new_engagement_creates_settings_tables_targets_and_readme(tmp_path: Path) -> None:
    folder = new_engagement("acme-foods", tmp_path / "engagements", client="Acme Foods GmbH")

    assert folder == tmp_path / "engagements" / "acme-foods"
    expected = {f"{t}.csv" for t in CONTRACT_COLUMNS} | {"engagement.yaml", "README.txt", "DATA_DICTIONARY.md"}
    assert {p.name for p in folder.iterdir()} == expected


def test_new_engagement_fills_client_and_slug_and_keeps_comments(tmp_path: Path) -> None:
    folder = new_engagement("acme-foods", tmp_path, client='Acme "Foods": Müller & Co')

    text = (folder / "engagement.yaml").read_text(encoding="utf-8")
    settings = yaml.safe_load(text)
    assert settings["client"] == 'Acme "Foods": Müller & Co'
    assert settings["slug"] == "acme-foods"
    assert [ln for ln in text.splitlines() if ln.startswith("#")] == [
        ln for ln in TEMPLATE_YAML.splitlines() if ln.startswith("#")
    ]


def test_new_engagement_settings_pass_the_kit_validation(tmp_path: Path) -> None:
    folder = new_engagement("acme", tmp_path, client="Acme")

    settings = parse_settings(yaml.safe_load((folder / "engagement.yaml").read_text(encoding="utf-8")))
    assert (settings.client, settings.slug) == ("Acme", "acme")


def test_client_defaults_to_the_slug_in_title_case(tmp_path: Path) -> None:
    folder = new_engagement("acme-foods", tmp_path)

    assert yaml.safe_load((folder / "engagement.yaml").read_text(encoding="utf-8"))["client"] == "Acme Foods"


def test_new_engagement_tables_are_header_only_and_role_targets_are_the_defaults(tmp_path: Path) -> None:
    folder = new_engagement("acme", tmp_path)

    for table, columns in CONTRACT_COLUMNS.items():
        if table != "role_targets":
            assert (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines() == [",".join(columns)]
    assert (folder / "role_targets.csv").read_bytes() == (TEMPLATES / "role_targets.csv").read_bytes()


def test_readme_points_to_the_data_dictionary(tmp_path: Path) -> None:
    folder = new_engagement("acme", tmp_path, client="Acme")

    assert "DATA_DICTIONARY.md" in (folder / "README.txt").read_text(encoding="utf-8")


def test_existing_folder_is_refused_and_left_untouched(tmp_path: Path) -> None:
    existing = tmp_path / "acme"
    existing.mkdir()
    (existing / "engagement.yaml").write_text("client: Real client\n", encoding="utf-8")
    (existing / "notes.txt").write_text("keep me", encoding="utf-8")

    with pytest.raises(FileExistsError, match="already exists"):
        new_engagement("acme", tmp_path, client="Acme")

    assert (existing / "engagement.yaml").read_text(encoding="utf-8") == "client: Real client\n"
    assert sorted(p.name for p in existing.iterdir()) == ["engagement.yaml", "notes.txt"]


def test_second_scaffold_of_the_same_slug_is_refused(tmp_path: Path) -> None:
    new_engagement("acme", tmp_path)

    with pytest.raises(FileExistsError):
        new_engagement("acme", tmp_path)


@pytest.mark.parametrize(
    "slug",
    ["", "Acme", "acme foods", "acme_foods", "acme/foods", "../acme", "acme.", "acmé", "acme\n"],
)
def test_bad_slug_is_rejected_naming_the_rule(tmp_path: Path, slug: str) -> None:
    with pytest.raises(ValueError, match=re.escape("[a-z0-9-]+")):
        new_engagement(slug, tmp_path)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("length", "ok"), [(64, True), (65, False), (300, False)])
def test_slug_longer_than_64_characters_is_refused_before_anything_is_written(tmp_path: Path, length, ok) -> None:
    slug = "a" * length
    if ok:
        assert new_engagement(slug, tmp_path).name == slug
        return
    with pytest.raises(ValueError, match="at most 64 characters"):
        new_engagement(slug, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("client", ["", "   ", "Acme\nFoods"])
def test_blank_or_multiline_client_is_rejected(tmp_path: Path, client: str) -> None:
    with pytest.raises(ValueError, match="client"):
        new_engagement("acme", tmp_path, client=client)


def test_incomplete_templates_create_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "engagement.yaml").write_text(TEMPLATE_YAML, encoding="utf-8")

    with pytest.raises(FileNotFoundError, match="tables"):
        new_engagement("acme", tmp_path / "engagements", templates=broken)

    assert not (tmp_path / "engagements" / "acme").exists()


# --- engagement_templates/ --------------------------------------------------------------------


@pytest.mark.parametrize("table", sorted(CONTRACT_COLUMNS))
def test_template_csv_header_is_the_contract_columns_in_order(table: str) -> None:
    assert _header(TEMPLATES / "tables" / f"{table}.csv") == CONTRACT_COLUMNS[table]


@pytest.mark.parametrize("table", sorted(CONTRACT_COLUMNS))
def test_template_csv_has_no_data_rows(table: str) -> None:
    assert _rows(TEMPLATES / "tables" / f"{table}.csv") == []


def test_engagement_yaml_template_loads_and_validates() -> None:
    settings = parse_settings(yaml.safe_load(TEMPLATE_YAML))

    assert (settings.client, settings.slug) == ("Client name", "client-slug")


def _doc(key: str) -> str:
    """The comment paragraph that documents `key` (it starts with "# <key> — ")."""
    for paragraph in TEMPLATE_YAML.split("\n\n"):
        if paragraph.startswith(f"# {key} — "):
            return paragraph
    raise AssertionError(f"{key} has no comment paragraph starting with '# {key} — '")


@pytest.mark.parametrize("key", CONTRACT_SETTINGS)
def test_engagement_yaml_template_sets_and_documents_every_contract_key(key: str) -> None:
    doc = _doc(key)

    assert key in yaml.safe_load(TEMPLATE_YAML)
    assert re.search(rf"^{key}:", doc, re.MULTILINE), "the key is set right under its comment"
    assert "REQUIRED" in doc or "default" in doc


@pytest.mark.parametrize(("key", "default"), KIT_EXTENSIONS.items())
def test_engagement_yaml_template_documents_kit_extensions_with_their_defaults(key: str, default: object) -> None:
    doc = _doc(key)

    assert yaml.safe_load(TEMPLATE_YAML)[key] == default
    assert re.search(rf"^{key}:", doc, re.MULTILINE)
    assert "default" in doc


@pytest.mark.parametrize("key", COMMENTED_ONLY_EXTENSIONS)
def test_secret_extensions_are_documented_but_not_set(key: str) -> None:
    doc = _doc(key)

    assert key not in yaml.safe_load(TEMPLATE_YAML)
    assert "default" in doc
    assert re.search(rf"^#\s+{key}:", doc, re.MULTILINE), "a commented example is shown"


def test_default_role_targets_have_valid_levels_and_weights() -> None:
    rows = _rows(TEMPLATES / "role_targets.csv")

    assert list(rows[0]) == CONTRACT_COLUMNS["role_targets"]
    assert all(0 <= int(r["target_level"]) <= 4 for r in rows)
    assert all(float(r["weight"]) > 0 for r in rows)
    assert len({(r["role"], r["skill"]) for r in rows}) == len(rows)


def test_default_role_targets_cover_every_skill_for_every_role_including_star() -> None:
    rows = _rows(TEMPLATES / "role_targets.csv")
    by_role: dict[str, set[str]] = {}
    for r in rows:
        by_role.setdefault(r["role"], set()).add(r["skill"])

    assert "*" in by_role
    assert all(skills == set(SKILLS) for skills in by_role.values())


def test_nobody_targets_less_than_basic_literacy_in_data_handling() -> None:
    """EU AI Act Art. 4: AI literacy of all staff, so every role has data_handling >= 1."""
    rows = _rows(TEMPLATES / "role_targets.csv")

    assert all(int(r["target_level"]) >= 1 for r in rows if r["skill"] == "data_handling")


@pytest.mark.parametrize("document", ["DATA_DICTIONARY.md", "COLLECTION_CHECKLIST.md"])
def test_guides_cover_every_table(document: str) -> None:
    text = (TEMPLATES / document).read_text(encoding="utf-8")

    assert all(table in text for table in CONTRACT_COLUMNS)


@pytest.mark.parametrize("table", sorted(CONTRACT_COLUMNS))
def test_data_dictionary_describes_every_column(table: str) -> None:
    text = (TEMPLATES / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {table}\n", 1)[1].split("\n## ", 1)[0]

    assert all(f"| {column} |" in section for column in CONTRACT_COLUMNS[table])

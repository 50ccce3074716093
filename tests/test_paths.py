"""The kit finds its notebooks and templates in the repository, or where a wheel installs them."""

from __future__ import annotations

from kit.paths import resource_dir


def test_repository_folder_wins_when_present(tmp_path):
    repo, share = tmp_path / "repo", tmp_path / "share"
    (repo / "notebooks").mkdir(parents=True)
    (share / "notebooks").mkdir(parents=True)
    assert resource_dir("notebooks", roots=(repo, share)) == repo / "notebooks"


def test_installed_share_folder_is_used_without_a_repository(tmp_path):
    repo, share = tmp_path / "repo", tmp_path / "share"
    (share / "engagement_templates").mkdir(parents=True)
    assert resource_dir("engagement_templates", roots=(repo, share)) == share / "engagement_templates"


def test_wheel_ships_every_notebook_and_template(tmp_path):
    """pyproject's data-files patterns cover every file the kit looks for at run time."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    data_files = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    shipped = {p.relative_to(root) for patterns in data_files.values() for pat in patterns for p in root.glob(pat)}
    wanted = {p.relative_to(root) for p in (root / "notebooks").glob("*.ipynb")}
    wanted |= {p.relative_to(root) for p in (root / "engagement_templates").rglob("*") if p.is_file()}
    assert wanted <= shipped

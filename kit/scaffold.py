"""Start a new client engagement folder from `engagement_templates/` (`kit new <slug>`).

The new folder holds `engagement.yaml` (client and slug filled in, every comment kept), one
header-only CSV per intake table, the default `role_targets.csv`, a copy of the data
dictionary and a README.txt. Nothing existing is ever overwritten.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from kit.paths import resource_dir
from kit.settings import SETTINGS_FILE, SLUG_MAX_LENGTH, TABLE_NAMES, is_slug

SLUG_RULE = f"lower-case letters a-z, digits 0-9 and hyphens only (regex ^[a-z0-9-]+$), at most {SLUG_MAX_LENGTH} characters"
DATA_DICTIONARY = "DATA_DICTIONARY.md"
ROLE_TARGETS = "role_targets.csv"
TABLES_DIR = "tables"
README = "README.txt"

def templates_dir() -> Path:
    """The engagement templates folder: the repository's `engagement_templates/`, else the copy a
    wheel installs (see `kit.paths`). Raises FileNotFoundError if neither exists."""
    folder = resource_dir("engagement_templates")
    if not folder.is_dir():
        raise FileNotFoundError(f"engagement templates not found (looked for {folder})")
    return folder


def default_role_targets(templates: Path | None = None) -> Path:
    """Path of the default `role_targets.csv` (the contract's fallback when a client has none)."""
    return (templates or templates_dir()) / ROLE_TARGETS


def new_engagement(
    slug: str,
    root: Path = Path("engagements"),
    *,
    client: str | None = None,
    templates: Path | None = None,
) -> Path:
    """Create `root/slug/` ready for a client's data and return its path.

    `client` defaults to the slug in title case ("acme-foods" -> "Acme Foods").
    Raises ValueError for a slug that breaks SLUG_RULE (before anything is written) or a client name that is empty or has
    line breaks,
    FileExistsError if the folder already exists (its contents are left untouched), and
    FileNotFoundError if the templates folder is incomplete. On any failure after the folder was
    created, the partial folder is removed.
    """
    if not is_slug(slug):
        raise ValueError(f'invalid engagement slug "{slug}": use {SLUG_RULE}')
    client = slug.replace("-", " ").title() if client is None else client.strip()
    if not client or "\n" in client or "\r" in client:
        raise ValueError("client name must be one non-empty line of text")

    src = Path(templates) if templates is not None else templates_dir()
    settings_text = _filled_settings(_read_template(src, SETTINGS_FILE), slug=slug, client=client)
    sources = _template_files(src)

    target = Path(root) / slug
    if target.exists():
        raise FileExistsError(f"engagement folder {target} already exists; choose another slug or remove it first")
    Path(root).mkdir(parents=True, exist_ok=True)
    target.mkdir()  # fails if created concurrently since the check above
    try:
        (target / SETTINGS_FILE).write_text(settings_text, encoding="utf-8")
        for name, path in sources.items():
            shutil.copyfile(path, target / name)
        (target / README).write_text(_readme(slug, client), encoding="utf-8")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def _read_template(src: Path, name: str) -> str:
    path = src / name
    if not path.is_file():
        raise FileNotFoundError(f"template {path} is missing")
    return path.read_text(encoding="utf-8")


def _template_files(src: Path) -> dict[str, Path]:
    """Files to copy, by name in the new folder: the empty tables, then the defaults.

    The default role_targets.csv replaces the header-only one so a new client starts from the
    kit's targets and can edit them.
    """
    files = {f"{table}.csv": src / TABLES_DIR / f"{table}.csv" for table in TABLE_NAMES}
    files[ROLE_TARGETS] = src / ROLE_TARGETS
    files[DATA_DICTIONARY] = src / DATA_DICTIONARY
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError("engagement templates are incomplete; missing " + ", ".join(missing))
    return files


def _filled_settings(text: str, *, slug: str, client: str) -> str:
    """The template text with the top-level `client:` and `slug:` values replaced.

    Text substitution, not a YAML round trip, so every comment survives.
    """
    for key, value in (("client", client), ("slug", slug)):
        line = re.compile(rf"^{key}:.*$", re.MULTILINE)
        if len(line.findall(text)) != 1:
            raise ValueError(f'template {SETTINGS_FILE} must have exactly one top-level "{key}:" line')
        text = line.sub(lambda _, k=key, v=value: f"{k}: {_yaml_string(v)}", text)
    loaded = yaml.safe_load(text)
    if loaded.get("client") != client or loaded.get("slug") != slug:
        raise ValueError(f"could not write client {client!r} into {SETTINGS_FILE}")
    return text


def _yaml_string(value: str) -> str:
    """`value` as a one-line double-quoted YAML scalar (quotes, backslashes, newlines escaped)."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=2**31 - 1).strip()


def _readme(slug: str, client: str) -> str:
    tables = "\n".join(f"  {table}.csv" for table in TABLE_NAMES)
    return f"""AI-adoption engagement: {client} ({slug})

This folder holds the data for the AI-adoption review. Read {DATA_DICTIONARY}
(in this folder) first: it explains every table and column, the file formats
accepted, and how people are kept anonymous.

Files to fill in (add rows under the header row, or replace a file with an
export that has the same column names, as .csv or .xlsx):
{tables}

{ROLE_TARGETS} already contains default target skill levels per role: review
them, do not empty the file. If a table cannot be provided, delete its file;
only the part of the review that needs it is skipped.

engagement.yaml holds the settings (the consultant fills it in; every setting
is explained in the file).

Do not put names or email addresses in any file: use a code per person, the
same code in every table.

The kit may create a .kit/ sub-folder here holding the secret pseudonym key:
never share it.

Check the folder with:  kit validate <this folder>
"""

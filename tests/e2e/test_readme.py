"""The README's two commands, as a new user runs them from a fresh `git clone`.

The first command (install, then `kit run sample_data/halden` with the default `reports/`, from
the repository root) is executed verbatim, once, in a clone of the committed HEAD; the tests
below read what it left. The second command runs this whole suite, so executing it here would
recurse: instead `test_the_readme_test_command_is_what_ci_runs` checks that `.ci/run`, which CI
executes from a clean clone, contains it verbatim.

Slow (a fresh virtual environment and a full run, a few minutes): it runs in the normal suite and
in CI, marked `slow` so it can be deselected locally with `-m "not slow"`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from kit.phases import PHASES
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.slow

# What the first command may leave in the clone besides the run: the venv, pip's metadata of the
# editable install, Python's bytecode caches. Everything else must be under reports/<slug>/.
EXPECTED_UNTRACKED = re.compile(r"^(\.venv/|ai_adoption_kit\.egg-info/|reports/|(.*/)?__pycache__/)$")


def readme_commands() -> list[str]:
    """The command lines of the README's first ```bash block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block, "README.md has no ```bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def git_status(clone: Path) -> set[str]:
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=normal"], cwd=clone,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return {line[3:] for line in out.splitlines()}


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory):
    """Clone HEAD, run the README's first command verbatim with bash from the clone's root."""
    clone = tmp_path_factory.mktemp("fresh") / "kit"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True)
    before = git_status(clone)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "KIT_NOTEBOOKS_DIR")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    command = readme_commands()[0]
    proc = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
    return proc, clone, before


@pytest.fixture(scope="module")
def run_folder(readme_run) -> Path:
    proc, clone, _ = readme_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return (clone / "reports" / "halden" / "latest").resolve()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [v for k, v in attrs if k in ("href", "src") and v]


def local_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return [link for link in parser.links if not urlsplit(link).scheme and not link.startswith(("#", "//"))]


def test_the_readme_first_command_succeeds_and_prints_where_the_report_is(readme_run, run_folder):
    proc, clone, _ = readme_run
    assert readme_commands()[0] == (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/kit run sample_data/halden"
    )
    out = proc.stdout.replace("\n", "")
    assert "Report ready:" in out and str(clone.resolve() / "reports" / "halden" / "latest" / "index.html") in out
    assert "Traceback" not in proc.stdout + proc.stderr
    assert run_folder.parent == (clone / "reports" / "halden").resolve()


def test_the_run_writes_nothing_outside_reports(readme_run, run_folder):
    _, clone, before = readme_run
    assert before == set()
    new = git_status(clone) - before
    assert {path for path in new if not EXPECTED_UNTRACKED.match(path)} == set()
    assert not (clone / "notebooks" / "reports").exists()
    assert sorted(p.name for p in (clone / "reports").iterdir()) == ["halden"]
    # the run folder, `latest`, and the cache of results a re-run reuses (kit.cache), git-ignored
    assert sorted(p.name for p in (clone / "reports" / "halden").iterdir()) == sorted([".cache", "baseline", "latest", run_folder.name])
    assert (clone / "reports" / "halden" / ".cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_every_phase_left_its_result_and_the_pages_are_in_the_run_folder(run_folder):
    for phase in PHASES:
        record = json.loads((run_folder / "results" / f"{phase.name}.json").read_text(encoding="utf-8"))
        assert record["scalars"], phase.name
    pages = {p.name for p in (run_folder / "pages").iterdir()}
    assert {"clarity_document.txt", "engagement_workbook.xlsx", "acceptable_use_policy.html"} <= pages
    assert any(name.startswith("playbook_") for name in pages) and any(name.startswith("agent_spec_") for name in pages)
    manifest = json.loads((run_folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["latest"] is True


def test_every_local_link_in_every_html_file_resolves_inside_the_run_folder(run_folder):
    files = sorted(run_folder.rglob("*.html"))
    assert len(files) > len(PHASES)
    checked = 0
    for path in files:
        for link in local_links(path.read_text(encoding="utf-8")):
            target = (path.parent / unquote(urlsplit(link).path)).resolve()
            assert target.is_file(), f"{path.relative_to(run_folder)} links to missing {link}"
            assert target.is_relative_to(run_folder), f"{path.relative_to(run_folder)} links outside: {link}"
            checked += 1
    index_links = local_links((run_folder / "index.html").read_text(encoding="utf-8"))
    pages = sorted((run_folder / "pages").iterdir())
    assert {f"pages/{p.name}" for p in pages} <= set(index_links)
    assert checked >= len(PHASES) + len(pages)


def test_the_index_leads_with_the_executive_summary(run_folder):
    summary = json.loads((run_folder / "results" / "engagement_summary.json").read_text(encoding="utf-8"))
    paragraph = summary["scalars"]["executive_summary"]
    assert len(paragraph) > 200
    index = (run_folder / "index.html").read_text(encoding="utf-8")
    main = index[index.index('<main class="kit-main">') :]
    first = re.search(r'<(p|div|section|table)\b[^>]*class="([^"]*)"', main[main.index("</header>") :])
    assert first and "kit-say" in first.group(2), first and first.group(0)
    from html import escape

    assert escape(paragraph) in main


def test_the_readme_test_command_is_what_ci_runs():
    """CI (.ci/run, executed from a clean clone) must run the README's second command verbatim."""
    second = readme_commands()[1]
    assert second == 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest'
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert second in ci

"""`kit present`'s parts: the presentation copies, the Voilà command and its template (the browser
checks of the served pages are in tests/e2e/test_browser.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from kit import present
from kit.cli import app
from kit.intake import load_engagement
from kit.live import prepare_live_copy
from kit.phases import PHASES, get_phase

from .conftest import write_engagement

NOTE = "Client asked: include the Leeds warehouse next time."


def test_presentation_copies_the_live_copies_without_outputs_and_drops_other_notebooks(engagement_dir, tmp_path):
    eng, reports = load_engagement(engagement_dir), tmp_path / "r"
    live = prepare_live_copy(eng, PHASES[0], reports).path
    nb = nbformat.read(live, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(NOTE))
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="left from last time")]
    nb.cells[2].execution_count = 7
    nbformat.write(nb, live)
    folder = present.present_dir(eng, reports)
    folder.mkdir(parents=True)
    (folder / "99_old.ipynb").write_text("{}")

    shown = present.prepare_presentation(eng, [PHASES[0], PHASES[1]], reports, single=False)

    assert shown.target == folder and shown.notebooks == (folder / PHASES[0].notebook, folder / PHASES[1].notebook)
    assert shown.prepared == (reports.resolve() / "test-client" / "live" / PHASES[1].notebook,)
    copy = nbformat.read(shown.notebooks[0], as_version=4)
    assert copy.cells[-1].source == NOTE  # what the consultant set up is what the client sees
    assert all(c.outputs == [] and c.execution_count is None for c in copy.cells if c.cell_type == "code")
    assert sorted(p.name for p in folder.iterdir()) == [PHASES[0].notebook, PHASES[1].notebook]


def test_one_phase_is_served_as_its_notebook(engagement_dir, tmp_path):
    eng = load_engagement(engagement_dir)
    shown = present.prepare_presentation(eng, [get_phase("02")], tmp_path / "r", single=True)
    assert shown.target == present.present_dir(eng, tmp_path / "r") / PHASES[1].notebook


@pytest.mark.parametrize(("port", "expected"), [(None, []), (9001, ["--port=9001"])])
def test_voila_listens_on_loopback_only_with_the_kit_template_and_the_kernel_guard(tmp_path, port, expected):
    argv = present.voila_argv(tmp_path / "present", port)
    assert argv[:4] == [sys.executable, "-m", "kit.present", str(tmp_path / "present")]  # main() installs the guard
    assert "--Voila.ip=127.0.0.1" in argv and "--template=kit_present" in argv and "--strip_sources=True" in argv
    assert [a for a in argv if a.startswith("--port")] == expected


def test_the_kit_template_links_nothing_on_another_host():
    folder = present.TEMPLATES_ROOT / "voila" / "templates" / present.TEMPLATE
    # every link of Voilà's own lab template to another host is dropped; the base page is replaced
    upstream = Path(sys.prefix) / "share" / "jupyter" / "voila" / "templates"
    cdn = re.compile(r'<(?:link|script)[^>]+(?:href|src)="https?://[^"]+"')
    index = (folder / "index.html.j2").read_text()
    for link in cdn.findall((upstream / "lab" / "index.html.j2").read_text()):
        assert link in index and "replace('" + link in index, link
    assert cdn.findall((folder / "page.html").read_text()) == []
    assert "html_head_js_mermaidjs" in index  # nbconvert's lab template imports mermaid from a CDN


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["99"], 2, "unknown phase '99'"),
        (["03"], 1, "Training gaps and role playbooks cannot be presented: it needs skills_survey"),
    ],
)
def test_a_phase_that_cannot_be_presented_is_one_line_and_no_server(tmp_path, args, code, message):
    folder = write_engagement(tmp_path / "eng", skills_survey=None)
    result = CliRunner().invoke(app, ["present", str(folder), *args, "--reports", str(tmp_path / "r")])
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r" / "test-client" / "present").exists()

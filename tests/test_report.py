"""Self-contained HTML: an executed notebook exported offline, standalone pages and the run index."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kit import report
from kit.charts import spec_html
from kit.report import BUNDLE_ID, IndexEntry, export_notebook_html, external_refs, index_html, page_html
from tests.conftest import execute_notebook

EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
EVIL_JSON = "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"
CLIENT = "Halden & Co"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

SOURCES = [
    "from kit.notebook import setup, header, say, table, controls\n"
    "import altair as alt, ipywidgets, pandas as pd\nsetup()",
    f'header("Adoption baseline", {CLIENT!r}, "2027-03-01", subtitle="Where AI is used today")',
    f'df = pd.DataFrame({{"tool": [{EVIL!r}, "Copilot"], "users": [1200, 35], "share": [0.97, 0.03]}})\n'
    'table(df, formats={"share": "percent"}, caption="Users by tool")',
    'alt.Chart(df).mark_bar().encode(x=alt.X("users:Q", title="Users (people)"), y=alt.Y("tool:N", title="Tool"))'
    '.properties(title="Users by tool")',
    'controls(lambda n: alt.Chart(df.head(n)).mark_arc().encode(theta="share:Q", color="tool:N")'
    '.properties(title="Share of users"), n=ipywidgets.IntSlider(value=2, min=1, max=2))',
    f'say("**Copilot** is small; " + {EVIL!r} + " is big.")',
    "ipywidgets.IntSlider(value=3, description='live only')",
    "import warnings\nwarnings.warn('internal noise')\nprint('printed for the reader')",
]


def build_notebook() -> nbformat.NotebookNode:
    """A tiny phase-like notebook: markdown, kit helpers, two charts, a table and a widget."""
    return new_notebook(
        cells=[new_markdown_cell("## Tools in use\nWhich tools people use today."), *map(new_code_cell, SOURCES)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    """The notebook executed in a fresh python3 kernel (this interpreter) in report mode."""
    folder = tmp_path_factory.mktemp("nb")
    source = folder / "source.ipynb"
    nbformat.write(build_notebook(), source)
    return execute_notebook(source, folder / "baseline.ipynb")


@pytest.fixture(scope="module")
def exported(executed) -> Path:
    return export_notebook_html(
        executed, executed.with_suffix(".html"), title="Adoption baseline", client=CLIENT, date="2027-03-01"
    )


@pytest.fixture(scope="module")
def html(exported) -> str:
    return exported.read_text(encoding="utf-8")


def scripts(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


# --- the exported report -------------------------------------------------------------------


def test_executed_notebook_holds_chart_table_and_widget_outputs(executed):
    outputs = [o for c in nbformat.read(executed, as_version=4).cells for o in c.get("outputs", [])]
    mimetypes = {m for o in outputs for m in o.get("data", {})}

    assert not [o for o in outputs if o.output_type == "error"]
    assert {"text/html", "application/vnd.jupyter.widget-view+json"} <= mimetypes
    assert sum("kit-chart-spec" in o.get("data", {}).get("text/html", "") for o in outputs) == 2


def test_report_references_nothing_outside_the_file(html):
    assert external_refs(html) == []
    for needle in ("require.js", "mathjax", "unpkg", "jsdelivr", "fonts.googleapis", "@import"):
        assert needle not in html.lower()


def test_vega_bundle_is_included_once_for_two_charts(html):
    assert html.count('class="kit-chart-spec"') == 2
    assert html.count(f'id="{BUNDLE_ID}"') == 1
    assert html.count("window.vegaEmbed=") == 1
    executable = [s for s in scripts(html) if "application/json" not in s]
    assert executable == [f'<script id="{BUNDLE_ID}">']


def test_code_inputs_and_prompts_are_hidden(html):
    for source in ("from kit.notebook import", "table(df", "mark_bar()", "warnings.warn", "In&nbsp;[", "Out["):
        assert source not in html
    assert "jp-InputArea-editor" not in html


def test_user_strings_appear_only_as_text(html):
    assert EVIL not in html
    assert html.count(EVIL_ESCAPED) == 2  # the table cell and the narrative
    assert html.count(EVIL_JSON) == 2  # the data of each chart


def test_title_block_with_client_and_date_comes_first(html):
    body = html.split("<main", 1)[1]

    assert body.count('class="kit-header"') == 1
    header = body[body.index('class="kit-header"') :].split("</header>", 1)[0]
    assert "Halden &amp; Co" in header and "1 March 2027" in header and "Adoption baseline" in header
    assert body.index('class="kit-header"') < body.index("kit-chart")
    assert "<title>Adoption baseline · Halden &amp; Co</title>" in html


def test_widgets_and_stderr_are_left_out_but_prints_stay(html):
    assert "widget" not in html.lower()
    assert "IntSlider" not in html and "live only" not in html
    assert "internal noise" not in html
    assert "printed for the reader" in html


def test_report_uses_the_kit_stylesheet_with_print_rules(html):
    assert report.CSS in html
    assert "@media print" in report.CSS and "break-inside: avoid" in report.CSS
    assert "font-face" not in report.CSS


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install chromium)")
def test_charts_draw_as_svg_offline_in_headless_chromium(exported, tmp_path):
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
        "--dump-dom", exported.resolve().as_uri(),
    ]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    charts = re.findall(r'<div [^>]*class="kit-chart[ "][^>]*>(.*?)</div>', dom, re.S)

    assert len(charts) == 2
    assert all(chart.lstrip().startswith("<svg") for chart in charts), [c[:120] for c in charts]
    assert "could not be drawn" not in dom.split(f'id="{BUNDLE_ID}"')[0]
    assert "<script>alert(1)" not in dom.split(f'id="{BUNDLE_ID}"')[0]


# --- export details, without a kernel ------------------------------------------------------


def notebook_with(*outputs: dict, markdown: str = "Intro") -> nbformat.NotebookNode:
    cell = new_code_cell("x", outputs=list(outputs))
    return new_notebook(cells=[new_markdown_cell(markdown), cell])


def test_notebook_without_charts_gets_no_bundle_and_a_title_block_from_the_arguments(tmp_path):
    nbformat.write(notebook_with(new_output("stream", name="stdout", text="hi")), tmp_path / "n.ipynb")
    out = export_notebook_html(
        tmp_path / "n.ipynb", tmp_path / "n.html", title="Skills <gap>", client=CLIENT, date="2027-03-01"
    )
    html = out.read_text(encoding="utf-8")

    assert BUNDLE_ID not in html and "<script" not in html
    assert "<h1>Skills &lt;gap&gt;</h1>" in html and "1 March 2027" in html
    assert external_refs(html) == []


def test_vegalite_mimetype_outputs_are_drawn_by_the_bundle(tmp_path):
    spec = {"mark": "bar", "data": {"values": [{"a": EVIL}]}, "encoding": {"x": {"field": "a"}}, "title": "T"}
    output = new_output("display_data", data={"application/vnd.vegalite.v6+json": spec, "text/plain": "chart"})
    nbformat.write(notebook_with(output), tmp_path / "n.ipynb")
    html = export_notebook_html(tmp_path / "n.ipynb", tmp_path / "n.html", title="T", client="C", date="").read_text()

    assert html.count('class="kit-chart-spec"') == 1 and html.count(f'id="{BUNDLE_ID}"') == 1
    assert EVIL not in html


def test_tagged_cells_and_outputs_are_removed(tmp_path):
    nb = notebook_with(new_output("stream", name="stdout", text="keep me"))
    nb.cells.append(new_code_cell("y", outputs=[new_output("stream", name="stdout", text="drop output")],
                                  metadata={"tags": ["remove-output"]}))  # fmt: skip
    nb.cells.append(new_markdown_cell("drop cell", metadata={"tags": ["remove-cell"]}))
    nbformat.write(nb, tmp_path / "n.ipynb")
    html = export_notebook_html(tmp_path / "n.ipynb", tmp_path / "n.html", title="T", client="C", date="").read_text()

    assert "keep me" in html and "drop output" not in html and "drop cell" not in html


def test_export_replaces_the_file_atomically_and_leaves_no_temp_files(tmp_path, monkeypatch):
    nbformat.write(notebook_with(), tmp_path / "n.ipynb")
    target = tmp_path / "n.html"
    target.write_text("previous report")

    def broken(*_args, **_kwargs):
        raise RuntimeError("template failed")

    with monkeypatch.context() as mp:
        mp.setattr(report, "notebook_html", broken)
        with pytest.raises(RuntimeError):
            export_notebook_html(tmp_path / "n.ipynb", target, title="T", client="C", date="")
    assert target.read_text() == "previous report"

    export_notebook_html(tmp_path / "n.ipynb", target, title="T", client="C", date="")
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert target.stat().st_mode & 0o044 == (tmp_path / "n.ipynb").stat().st_mode & 0o044  # umask, not 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.html", "n.ipynb"]


# --- pages and index -----------------------------------------------------------------------


def test_page_html_includes_the_bundle_only_when_the_body_has_a_chart():
    chart = spec_html({"mark": "bar", "data": {"values": [{"a": 1}]}, "title": "One"})
    with_chart = page_html(f"Summary {EVIL}", chart, client=CLIENT, date="2027-03-01", subtitle="For the board")
    plain = page_html("Summary", "<p>Text</p>", client=CLIENT, date="2027-03-01")

    assert with_chart.count(f'id="{BUNDLE_ID}"') == 1 and BUNDLE_ID not in plain
    assert EVIL not in with_chart and f"Summary {EVIL_ESCAPED}" in with_chart
    assert external_refs(with_chart) == [] == external_refs(plain)
    assert "For the board" in with_chart and "Halden &amp; Co" in plain


@pytest.fixture
def index() -> str:
    entries = [
        IndexEntry("Baseline", "01_baseline.html", "ok", "12 s"),
        IndexEntry(f"Skills {EVIL}", "notebooks/02_skills.ipynb", "failed", f"KeyError: {EVIL}"),
        IndexEntry("Governance", None, "skipped", "needs tools: file missing"),
        IndexEntry("One-pager", "pages/one_pager.html", kind="page"),
        IndexEntry("Evil link", "javascript:alert(1)", kind="file"),
        IndexEntry("Remote", "https://example.com/x", kind="file"),
    ]
    return index_html(client=CLIENT, date="2027-03-01", run_id="20270301-101500", entries=entries,
                      summary_href="pages/summary.html", problems=[f"tools.csv row 3: {EVIL}"])  # fmt: skip


def test_index_lists_every_entry_with_its_status(index):
    assert '<a href="01_baseline.html">Baseline</a>' in index
    assert '<a href="notebooks/02_skills.ipynb">Skills &lt;script&gt;' in index
    assert '<span class="kit-status kit-status-failed">failed</span>' in index
    assert "<td>Governance</td>" in index and "kit-status-skipped" in index
    assert re.findall(r"<h2>(.*?)</h2>", index) == ["Data-quality warnings", "Reports", "Pages", "Files"]
    assert "1 of 3 reports completed; 1 failed." in index and "20270301-101500" in index
    assert '<a class="kit-summary-link" href="pages/summary.html">' in index


def test_index_escapes_text_and_refuses_non_relative_links(index):
    assert EVIL not in index and index.count(EVIL_ESCAPED) == 3
    assert "javascript:" not in index and "https://example.com" not in index
    assert "<td>Evil link</td>" in index
    assert external_refs(index) == [] and BUNDLE_ID not in index


# --- external_refs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdn.example.com/vega.js"></script>',
        '<script src="local.js"></script>',
        '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Inter">',
        "<style>@import 'theme.css';</style>",
        "<style>body { background: url(http://example.com/bg.png) }</style>",
        "<div style=\"background-image: url('https://example.com/a.png')\"></div>",
        '<img src="chart.png">',
        '<iframe src="https://example.com"></iframe>',
        '<script>var paths = {"vega": "https://cdn.jsdelivr.net/npm/vega@6?noext"};</script>',
    ],
)
def test_external_refs_finds_what_a_browser_would_fetch(snippet):
    assert len(external_refs(f"<html><head></head><body>{snippet}</body></html>")) == 1


@pytest.mark.parametrize(
    "snippet",
    [
        '<a href="https://example.com">a link is not a load</a>',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        "<style>.x { background: url(data:image/svg+xml;base64,PHN2Zz4=) }</style>",
        '<script type="application/json" class="kit-chart-spec">{"u": "https://cdn.example.com/x"}</script>',
        '<script>var ns = "http://www.w3.org/2000/svg";</script>',
        "<p>See https://cdn.example.com in text</p>",
    ],
)
def test_external_refs_ignores_inline_content_and_plain_links(snippet):
    assert external_refs(f"<html><body>{snippet}</body></html>") == []


def test_write_atomic_names_the_file_and_keeps_the_old_one_when_the_disk_is_full(tmp_path, monkeypatch):
    import errno
    import os

    from kit import report

    target = tmp_path / "manifest.json"
    target.write_text('{"status": "ok"}', encoding="utf-8")

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a failing write() raises it: no file name

    monkeypatch.setattr(report.os, "replace", disk_full)
    with pytest.raises(OSError) as info:
        report.write_atomic(target, '{"status": "fail')
    assert (info.value.errno, info.value.filename) == (errno.ENOSPC, str(target))
    assert target.read_text(encoding="utf-8") == '{"status": "ok"}'
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_reports_exported_one_after_another_in_a_thread_equal_each_exported_alone(tmp_path):
    """The exporter is made once per process (its templates compiled once) and shared by the
    runner's threads, one export at a time; nothing of one report reaches the next."""
    import threading

    first, second = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    for path, text in ((first, "first report"), (second, "second <b>report</b>")):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": f"<p>{text}</p>", "text/plain": text})])]  # fmt: skip
        nbformat.write(nb, path)

    def export(path: Path, out: str, title: str) -> str:
        return report.export_notebook_html(path, tmp_path / out, title=title, client="C", date="2027-01-11").read_text()

    alone = {}
    for path, title in ((first, "A"), (second, "B")):
        thread = threading.Thread(target=lambda p=path, t=title: alone.update({t: export(p, f"{t}.html", t)}))
        thread.start()
        thread.join()
    in_turn = [export(first, "1.html", "A"), export(second, "2.html", "B"), export(first, "3.html", "A")]
    assert in_turn == [alone["A"], alone["B"], alone["A"]]
    assert "second <b>report</b>" in alone["B"] and "second" not in alone["A"]
    assert report._EXPORTER is report._exporter()  # the process's one exporter, made by the first thread


def test_reports_equal_nbconvert_with_its_html_pass_as_a_page(executed, tmp_path):
    """The exporter leaves out HTMLExporter's closing BeautifulSoup pass (parse, alt text for images,
    re-serialize): what the browser gets is the same document, checked against stock nbconvert."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    nb.cells.append(new_code_cell("img", outputs=[new_output("display_data", data={"image/png": png})]))
    nbformat.write(nb, tmp_path / "n.ipynb")
    ours = export_notebook_html(tmp_path / "n.ipynb", tmp_path / "n.html", title="T", client=CLIENT, date="")
    stock = HTMLExporter(template_name=report.REPORT_TEMPLATE, extra_template_basedirs=[str(report.TEMPLATES_DIR)],
                         exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)  # fmt: skip
    prepared = report._prepare_for_report(nbformat.read(tmp_path / "n.ipynb", as_version=4))
    resources = {"kit": {"title": "T · Halden &amp; Co", "css": report.CSS, "header_html": "",
                         "footer_html": report.footer_html(CLIENT, ""), "scripts": report._BUNDLE_PLACEHOLDER}}  # fmt: skip
    expected, _ = stock.from_notebook_node(prepared, resources=resources)
    bundle = report.bundle_script()
    page = ours.read_text(encoding="utf-8").replace(bundle, report._BUNDLE_PLACEHOLDER)

    assert f'<img alt="{report.IMAGE_ALT}"' in page  # the one thing the pass changed in a report
    assert str(BeautifulSoup(page, features="html.parser")) == expected

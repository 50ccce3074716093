"""Print: the reports' page CSS, `kit pdf` (headless Chromium, A4 and Letter: header rows repeated on
every page a table spans, every chart drawn), and the workbook's print setup."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import altair as alt
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from kit import pdf as kp
from kit.charts import spec_html
from kit.cli import app
from kit.intake import load_engagement
from kit.phases import summary as sm
from kit.report import CSS, page_html

CHROMIUM = kp.find_browser()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (apt-get install poppler-utils)")
HEADER = ("Workflow name", "Hours a year", "Department")
CHART_TITLE = "Hours a year by department"


def long_report() -> str:
    """A report with a chart and a table of 160 rows: several pages on A4 and on Letter."""
    df = pd.DataFrame({"department": ["Sales", "Finance", "Operations"], "hours": [1200.0, 640.0, 2210.0]})
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("hours:Q", title="Hours a year"), y=alt.Y("department:N", title="Department")
    ).properties(title=CHART_TITLE)
    rows = "".join(f"<tr><td>Workflow {i:03d} drafting</td><td class='kit-num'>{i * 7:,}</td><td>Dept {i % 7}</td></tr>"
                   for i in range(1, 161))  # fmt: skip
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    body = (f"<h2>Where the time goes</h2>{spec_html(chart)}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")  # fmt: skip
    return page_html("Workflow mapping", body, client="Halden Industrial Supply", date="2027-01-11")


def page_texts(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    return [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for i in range(1, pages + 1)]  # fmt: skip


# --- page CSS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        r"@page \{ size: auto; margin: [^}]+\}",
        r"\.kit-chart, \.kit-say, \.kit-header, figure, img, svg, pre \{\s*break-inside: avoid;",
        r"tr, td, th \{ break-inside: avoid;",
        r"thead \{ display: table-header-group; \}",
        r"\.kit-chart, \.jp-OutputArea-output, \.jp-RenderedHTMLCommon \{ overflow: visible; \}",
    ],
)
def test_every_report_carries_the_print_rules(rule):
    html = long_report()
    assert re.search(rule, CSS), rule
    assert re.search(rule, html), rule


# --- kit pdf -------------------------------------------------------------------------------------------


@needs_chromium
@needs_poppler
@pytest.mark.parametrize(("paper", "size"), [("a4", r"59[45]\.?\d* x 841"), ("letter", "612 x 792")])
def test_a_long_table_repeats_its_header_on_every_page_and_the_chart_is_drawn(paper, size, tmp_path):
    html = tmp_path / "01_workflow_mapping.html"
    html.write_text(long_report(), encoding="utf-8")
    pdf = kp.print_pdf(CHROMIUM, html, tmp_path / f"{paper}.pdf", paper)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"Page size:\s+{size}", info)
    pages = page_texts(pdf)
    spanned = [i for i, text in enumerate(pages, start=1) if re.search(r"Workflow \d{3} drafting", text)]
    assert len(spanned) >= 3
    for i in spanned:
        assert all(h in pages[i - 1] for h in HEADER), f"page {i} of {len(pages)} lacks the table header"
    every = "\n".join(pages)
    assert CHART_TITLE in every and "Chart: " not in every  # drawn (the fallback text is gone)
    assert "Sales" in pages[0] and "Operations" in pages[0]  # the chart's axis labels
    rows = re.findall(r"Workflow (\d{3}) drafting", every)
    assert rows == [f"{i:03d}" for i in range(1, 161)]  # no row lost or cut between pages


def fake_run(root: Path, slug: str = "halden", run: str = "20270111-090000") -> Path:
    folder = root / slug / run
    (folder / "results").mkdir(parents=True)
    (folder / "results" / "workflow_mapping.json").write_text(json.dumps({"scalars": {}, "tables": {}}))
    (folder / "01_workflow_mapping.html").write_text(long_report(), encoding="utf-8")
    (folder / "index.html").write_text(page_html("AI adoption deliverables", "<p>Index</p>", client="H", date=None))
    return folder


def engagement_yaml(folder: Path) -> Path:
    folder.mkdir()
    (folder / "engagement.yaml").write_text(
        "client: Halden Industrial Supply\nslug: halden\nstart_date: 2027-01-11\nhourly_cost: 55\n", encoding="utf-8"
    )
    return folder


@needs_chromium
@needs_poppler
def test_kit_pdf_prints_every_report_of_the_run(tmp_path):
    run = fake_run(tmp_path / "reports")
    eng = engagement_yaml(tmp_path / "eng")
    result = CliRunner().invoke(app, ["pdf", str(eng), run.name, "--reports", str(tmp_path / "reports")])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (run / "pdf").glob("*.pdf"))
    assert written == ["01_workflow_mapping.pdf", "index.pdf"]
    assert len(page_texts(run / "pdf" / "01_workflow_mapping.pdf")) >= 3
    assert "2 PDF(s) written" in result.output


def test_kit_pdf_without_a_browser_says_so_in_one_line_and_exits_1(tmp_path, monkeypatch):
    run = fake_run(tmp_path / "reports")
    eng = engagement_yaml(tmp_path / "eng")
    monkeypatch.setattr(kp, "find_browser", lambda: None)
    result = CliRunner().invoke(app, ["pdf", str(eng), "--reports", str(tmp_path / "reports"), run.name])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: no Chromium browser found")
    assert not (run / "pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "error: run 'nope' not found"),
        (["--paper", "a5"], "error: --paper a5: must be one of a4, letter"),
    ],
)
def test_kit_pdf_names_a_bad_run_or_paper_in_one_line(args, message, tmp_path):
    fake_run(tmp_path / "reports")
    eng = engagement_yaml(tmp_path / "eng")
    result = CliRunner().invoke(app, ["pdf", str(eng), "--reports", str(tmp_path / "reports"), *args])
    assert result.exit_code in (1, 2)
    assert result.output.strip().startswith(message) and "Traceback" not in result.output


def test_print_argv_waits_for_the_charts_and_prints_without_browser_headers(tmp_path):
    argv = kp.browser_argv("/usr/bin/chromium", tmp_path / "r.html", tmp_path / "r.pdf", tmp_path / "p")
    assert "--headless" in argv and "--no-pdf-header-footer" in argv
    assert f"--virtual-time-budget={kp.VIRTUAL_TIME_MS}" in argv and kp.VIRTUAL_TIME_MS >= 5000
    assert argv[-1] == (tmp_path / "r.html").resolve().as_uri()


def test_paper_size_is_added_last_in_the_head():
    html = kp.with_paper("<html><head><style>@page { size: auto; }</style></head><body></body></html>", "letter")
    assert html.index("size: letter") > html.index("size: auto") and html.index("size: letter") < html.index("</head>")


# --- the workbook --------------------------------------------------------------------------------------


def test_every_workbook_sheet_prints_to_one_page_width_with_its_header_row_repeated(engagement_dir):
    eng = load_engagement(engagement_dir)
    records = sm.collect(eng, None)
    result = sm.analyze(records, eng.settings, baselines=sm.time_study_baselines(eng))
    wb = openpyxl.load_workbook(BytesIO(sm.workbook_bytes(result, records)))
    assert len(wb.worksheets) == len(sm.WORKBOOK_SHEETS) + 1
    for ws in wb.worksheets:
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.print_title_rows == ("$4:$4" if ws.title == "Contents" else "$1:$1"), ws.title
        width = sum(d.width or 10 for d in ws.column_dimensions.values())
        assert ws.page_setup.orientation == ("landscape" if width > sm.PRINT_LANDSCAPE_WIDTH else "portrait"), ws.title
    assert wb["Tools"].page_setup.orientation == "landscape"

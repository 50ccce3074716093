"""Every complete `kit run` writes the steering-committee deck and lists it in the index; `kit pdf`
prints its reports with every chart drawn."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from pptx import Presentation

from kit import deck as kd
from kit.charts import chart_title
from kit.pdf import find_browser
from kit.pdf import reports as reports_of
from tests.e2e.conftest import kit

SPEC = re.compile(r'<script class="kit-chart-spec" type="application/json">(.*?)</script>', re.DOTALL)


def test_a_complete_run_writes_the_deck_and_the_index_links_it(sample_run):
    proc, reports, _ = sample_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = reports / "halden" / "latest"
    path = run / "pages" / "halden_steering_committee.pptx"
    prs = Presentation(str(path))
    assert len(prs.slides) == len(kd.slide_titles("Halden Industrial Supply")) == 11
    assert 'href="pages/halden_steering_committee.pptx"' in (run / "index.html").read_text(encoding="utf-8")
    assert not (run / "logs" / "deck.log").exists()


@pytest.mark.skipif(find_browser() is None or shutil.which("pdftotext") is None, reason="needs Chromium and pdftotext")
def test_kit_pdf_prints_every_report_with_every_chart_drawn(sample_run, sample_copy):
    proc, reports, _ = sample_run
    run = reports / "halden" / "latest"
    printed = kit("pdf", str(sample_copy), "--reports", str(reports), cwd=reports)
    assert printed.returncode == 0, printed.stdout + printed.stderr
    for html in reports_of(run):
        pdf = run / "pdf" / f"{html.stem}.pdf"
        text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
                        .stdout.split())  # fmt: skip
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1)) > 0
        titles = [chart_title(json.loads(m)) for m in SPEC.findall(html.read_text(encoding="utf-8"))]
        missing = [t for t in titles if " ".join(t.split()) not in text]
        assert missing == [], f"{pdf.name}: charts not drawn: {missing}"
        assert "Chart: " not in text, f"{pdf.name}: a chart's fallback text was printed"

"""The steering-committee deck (kit.deck): slides, native charts holding the recorded figures, notes,
safe client text, and text that stays on its slide (estimated, and rendered with LibreOffice)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from pptx import Presentation
from pptx.util import Emu

from kit import deck as kd
from kit import notebook as nb
from kit.intake import load_engagement
from kit.phases import summary as sm
from kit.settings import load_settings
from tests.conftest import SETTINGS, write_engagement

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "halden"
EMU_PER_INCH = 914400
LIBERATION = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"
RAW_ID = re.compile(r"\bE\d{4}\b")  # the sample's person identifiers (E0001 …) before pseudonymization

LONG_CLIENT = ("Halden Industrial Supply and Distribution Holdings International Group of Companies, "
               "Verwaltungsgesellschaftsdienstleistungen Northern Europe and the Americas Division")  # fmt: skip
LONG_SUFFIX = {
    "department": " and Shared Customer Fulfilment Services Division (EMEA and Americas)",
    "workflow": " for every regional subsidiary, key account and distribution partner worldwide",
    "owner_role": " with regional responsibilities",
    "role": " with regional responsibilities",
    "tool": " Enterprise Edition with Advanced Compliance Add-on",
    "task": " across all warehouses, regional subsidiaries and third-party logistics partners",
}


# --- fixtures: a run folder holding recorded results (computed through kit, as the notebooks do) ---


def recorded_run(engagement: Path, run_dir: Path) -> Path:
    """`run_dir` as `kit run` leaves it for the deck: every result of the engagement model persisted
    (results/<phase>.json and the typed nodes), status.json and a manifest."""
    from kit.model import EngagementModel
    from kit.phases import PHASE_BY_NAME

    model = EngagementModel(load_engagement(engagement))
    model.result(sm.NAME)
    model.save(run_dir)
    status = {p: {"title": PHASE_BY_NAME[p].title, "status": "ok", "error": None} for p in sm.source_phases()}
    (run_dir / "results" / "status.json").write_text(json.dumps(status), encoding="utf-8")
    phases = [{"phase": p, **v} for p, v in status.items()]
    phases.append({"phase": sm.NAME, "title": "Engagement summary", "status": "ok", "error": None})
    manifest = {"started": "2027-01-11T09:00:00", "phases": phases}
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def long_names_client(folder: Path) -> Path:
    """The sample client with every department, workflow, role, tool and task name made long (the
    same in every table, so the analyses still join), and a very long client name."""
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns(".kit"))
    for path in folder.glob("*.csv"):
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column, suffix in LONG_SUFFIX.items():
            if column in df:
                df[column] = df[column].map(lambda v, s=suffix: v if v in ("", "*") else v + s)
        df.to_csv(path, index=False)
    settings = yaml.safe_load((folder / "engagement.yaml").read_text(encoding="utf-8"))
    settings["client"] = LONG_CLIENT
    settings["accent_colour"] = "#0B6E4F"
    settings["hourly_cost_by_role"] = {k + LONG_SUFFIX["role"]: v for k, v in settings["hourly_cost_by_role"].items()}
    settings["headcount_by_department"] = {k + LONG_SUFFIX["department"]: v
                                           for k, v in settings["headcount_by_department"].items()}  # fmt: skip
    (folder / "engagement.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sample_deck(tmp_path_factory) -> tuple[Path, Path]:
    """(run folder, deck) of the sample client."""
    run = recorded_run(SAMPLE, tmp_path_factory.mktemp("reports") / "20270111-090000")
    return run, kd.write_deck(run, load_settings(SAMPLE))


@pytest.fixture(scope="module")
def long_deck(tmp_path_factory) -> tuple[Path, Path]:
    client = long_names_client(tmp_path_factory.mktemp("client") / "long")
    run = recorded_run(client, tmp_path_factory.mktemp("reports") / "20270111-090000")
    return run, kd.write_deck(run, load_settings(client))


def records(run: Path) -> dict[str, dict]:
    return {p.stem: nb.load_record(p) for p in (run / "results").glob("*.json") if p.stem != "status"}


def chart_series(slide) -> dict[str, dict]:
    """Each chart on `slide` by title: its categories and {series name: values}."""
    out = {}
    for shape in slide.shapes:
        if not shape.has_chart:
            continue
        chart = shape.chart
        plot = chart.plots[0]
        if chart.chart_type is not None and "XY" in str(chart.chart_type):
            series = {s.name: list(zip(s.iter_values(), _x_values(s), strict=True)) for s in plot.series}
            out[chart.chart_title.text_frame.text] = {"categories": None, "series": series, "chart": chart}
        else:
            series = {s.name: list(s.values) for s in plot.series}
            out[chart.chart_title.text_frame.text] = {"categories": list(plot.categories), "series": series,
                                                      "chart": chart}  # fmt: skip
    return out


def _x_values(series) -> list[float]:
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    return [float(v.text) for v in series._element.findall("./c:xVal//c:pt/c:v", ns)]


def same(values, expected) -> bool:
    return [None if v is None else float(v) for v in values] == [
        None if pd.isna(e) else float(e) for e in expected
    ]


# --- structure -------------------------------------------------------------------------------------


def test_the_deck_has_the_documented_slides_in_order(sample_deck):
    run, path = sample_deck
    prs = Presentation(str(path))
    titles = [next(s.text_frame.text for s in slide.shapes if s.name == "Title") for slide in prs.slides]
    assert titles == kd.slide_titles("Halden Industrial Supply") == [
        "Halden Industrial Supply", "Executive summary", "The diagnosis: leadership's view beside the evidence",
        "Where the time goes", "Where to start", "Tool spend and savings", "Governance and shadow AI",
        "Training priorities and cohorts", "Agent pilots", "The dated roadmap", "What we need from you",
    ]  # fmt: skip
    assert path == run / "pages" / "halden_steering_committee.pptx"
    assert 10 <= len(prs.slides) <= 14


def test_every_slide_has_its_method_and_sources_in_the_speaker_notes(sample_deck):
    prs = Presentation(str(sample_deck[1]))
    for i, slide in enumerate(prs.slides, start=1):
        notes = slide.notes_slide.notes_text_frame.text
        assert "results/" in notes, f"slide {i} names no recorded source"
        if i > 1:
            assert notes.startswith("Method: "), f"slide {i} states no method"


def test_charts_are_native_with_titles_and_unit_axis_titles(sample_deck):
    prs = Presentation(str(sample_deck[1]))
    kinds = set()
    for slide in prs.slides:
        for title, c in chart_series(slide).items():
            chart = c["chart"]
            kinds.add(str(chart.chart_type).split(" ")[0])
            assert title and chart.value_axis.has_title and chart.value_axis.axis_title.text_frame.text
    assert {"BAR_CLUSTERED", "LINE_MARKERS", "XY_SCATTER"} <= kinds
    assert not [s for slide in prs.slides for s in slide.shapes if s.shape_type == 13]  # no pictures


def test_every_chart_holds_the_recorded_results(sample_deck):
    run, path = sample_deck
    rec = records(run)
    slides = {spec.key: slide for spec, slide in zip([s for s in kd.SLIDES if not s.only_with_baseline],
                                                      Presentation(str(path)).slides, strict=True)}  # fmt: skip
    diag = rec["engagement_summary"]["tables"]["diagnosis"]
    c = chart_series(slides["diagnosis"])["Rollout pattern by factor"]
    assert c["categories"] == [kd.short(x) for x in diag["label"]]
    assert same(c["series"]["Leadership's rating"], diag["self_assessment"])
    assert same(c["series"]["Evidence in the data"], diag["evidence_level"])

    dep = rec["workflow_mapping"]["tables"]["departments"].sort_values("annual_hours", ascending=False)
    c = chart_series(slides["time"])["Hours a year by department"]
    assert c["categories"] == [kd.short(x) for x in dep["department"]]
    assert same(c["series"]["Hours of work today"], dep["annual_hours"])
    assert same(c["series"]["Hours AI could give back"], dep["potential_hours"])

    start = rec["roi_ranking"]["tables"]["start_here"]
    c = chart_series(slides["start"])["Net value over 12 months, with its interval"]
    assert c["categories"] == [kd.short(w) for w in start["workflow"]]
    for name, column in (("Low end", "net_value_low"), ("Estimate", "net_value"), ("High end", "net_value_high")):
        assert same(c["series"][name], start[column])

    tools = rec["consolidation"]["tables"]["tools"]
    change = tools[tools["recommendation"] != "keep"].sort_values("annual_saving", ascending=False).head(8)
    c = chart_series(slides["tools"])
    bars = c["Tools to change: cost and saving"]
    assert bars["categories"] == [kd.short(f"{t} ({r})") for t, r in zip(change["tool"], change["recommendation"], strict=True)]
    assert same(bars["series"]["Annual saving"], change["annual_saving"])
    assert same(bars["series"]["Annual cost"], change["annual_cost"])
    adoption = rec["consolidation"]["tables"]["adoption"]
    assert same(c["People active on AI tools, share of headcount"]["series"]["Share active"], adoption["share"])

    shadow = rec["consolidation"]["tables"]["shadow"]
    paid = shadow[shadow["annual_run_rate"].notna() | shadow["annual_spend"].notna()]
    c = chart_series(slides["governance"])["AI paid on expenses, by product"]
    assert c["categories"] == [kd.short(x) for x in paid["tool"]]
    assert same(c["series"]["Run rate of live subscriptions"], paid["annual_run_rate"])

    readiness = rec["training_gaps"]["tables"]["departments"].sort_values("readiness")
    c = chart_series(slides["training"])["Skills at target, by department"]
    assert c["categories"] == [kd.short(x) for x in readiness["department"]]
    assert same(c["series"]["Skills at target"], readiness["readiness"])

    cand = rec["agent_candidates"]["tables"]["candidates"]
    c = chart_series(slides["agents"])["Recurring tasks: automation potential and agent hours"]
    for oversight, group in cand[cand["oversight_level"] < 3].groupby("oversight"):
        assert sorted(c["series"][oversight]) == sorted(zip(group["agent_hours"], group["potential"], strict=True))
    assert sum(len(v) for v in c["series"].values()) == int((cand["oversight_level"] < 3).sum())


def test_the_text_figures_are_the_recorded_ones(sample_deck):
    run, path = sample_deck
    summary = records(run)["engagement_summary"]
    prs = Presentation(str(path))
    text = " ".join(s.text_frame.text for s in prs.slides[1].shapes if s.has_text_frame)
    assert summary["scalars"]["executive_summary"] in text
    heads = summary["tables"]["headlines"].set_index("key")
    assert f"{heads.loc['chosen_hours', 'value']:,.0f} hours a year" in text
    assert f"USD {heads.loc['tool_saving', 'value']:,.0f}" in text


def test_with_a_baseline_the_deck_ends_with_progress_beside_the_baseline(sample_deck, tmp_path):
    run, _ = sample_deck
    baseline = tmp_path / "20261101-090000"
    shutil.copytree(run, baseline)
    diag_path = baseline / "results" / "engagement_summary.json"
    raw = json.loads(diag_path.read_text(encoding="utf-8"))
    cols = raw["tables"]["diagnosis"]["columns"]
    for row in raw["tables"]["diagnosis"]["data"]:
        row[cols.index("evidence_level")] = 1
    diag_path.write_text(json.dumps(raw), encoding="utf-8")
    data = kd.load_deck_data(run, load_settings(SAMPLE), baseline=baseline)
    prs = Presentation(io.BytesIO(kd.build_deck(data)))
    assert len(prs.slides) == 12
    c = chart_series(prs.slides[11])["Evidence by factor: baseline and now"]
    assert c["series"]["Baseline (20261101-090000)"] == [1.0] * 6
    assert same(c["series"]["Now"], records(run)["engagement_summary"]["tables"]["diagnosis"]["evidence_level"])


def test_a_failed_phase_slide_says_what_is_missing_instead_of_a_chart(sample_deck, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(sample_deck[0], run, ignore=shutil.ignore_patterns("pages"))
    (run / "results" / "roi_ranking.json").unlink()
    status = json.loads((run / "results" / "status.json").read_text(encoding="utf-8"))
    status["roi_ranking"] |= {"status": "failed", "error": "ValueError: no time studies (notebook cell 4)"}
    (run / "results" / "status.json").write_text(json.dumps(status), encoding="utf-8")
    prs = Presentation(str(kd.write_deck(run, load_settings(SAMPLE))))
    slide = prs.slides[4]
    text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert "Not available: ROI ranking failed (ValueError: no time studies (notebook cell 4))." in text
    assert not chart_series(slide)
    assert "Missing: Not available: ROI ranking failed" in slide.notes_slide.notes_text_frame.text


def test_the_accent_colour_comes_from_engagement_yaml(long_deck):
    prs = Presentation(str(long_deck[1]))
    bar = prs.slides[1].shapes[0]
    assert str(bar.fill.fore_color.rgb) == "0B6E4F"
    chart = chart_series(prs.slides[3])["Hours a year by department"]["chart"]
    assert str(chart.plots[0].series[1].format.fill.fore_color.rgb) == "0B6E4F"


# --- safe client text --------------------------------------------------------------------------------

HOSTILE = '=HYPERLINK("http://evil.example/?c","x") Acme <b>&</b> "Co"\x07'


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def test_no_raw_person_identifier_in_any_slide_chart_or_note(sample_deck):
    raw_ids = set(pd.read_csv(SAMPLE / "skills_survey.csv")["respondent_id"])
    assert all(RAW_ID.fullmatch(i) for i in list(raw_ids)[:5])
    for name, xml in _parts(sample_deck[1]).items():
        assert not RAW_ID.search(xml), f"{name} holds a raw person identifier"


def test_client_strings_are_escaped_text_in_slides_notes_and_chart_data(tmp_path):
    tool = '=HYPERLINK("http://evil.example/?t","x") <script>alert(1)</script>'
    settings = SETTINGS.replace("client: Test Client", f"client: {json.dumps(HOSTILE)}")
    folder = write_engagement(tmp_path / "eng", settings, tools=(
        "tool,vendor,category,plan,seats,cost_per_seat_month,approved,max_data_class\n"
        f'"{tool.replace(chr(34), chr(34) * 2)}",OpenAI,chat_assistant,team,10,30,true,internal\n'
        "Otter,Otter.ai,meeting_assistant,individual,2,17,no,public\n"
    ))  # fmt: skip
    run = recorded_run(folder, tmp_path / "run")
    path = kd.write_deck(run, load_settings(folder))
    prs = Presentation(str(path))
    shown = kd.clean(HOSTILE)
    assert "\ufffd" in shown and "\x07" not in shown
    assert prs.slides[0].shapes[1].text_frame.text == shown  # the title slide: the client's name as written
    parts = _parts(path)
    for name, xml in parts.items():
        assert "<b>" not in xml and "<script>" not in xml, name
    assert any("&lt;script&gt;" in xml for xml in parts.values())
    with zipfile.ZipFile(path) as z:  # the charts' embedded workbooks: labels stay text, never formulas
        books = [n for n in z.namelist() if n.endswith(".xlsx")]
        cells = []
        for n in books:
            wb = openpyxl.load_workbook(io.BytesIO(z.read(n)))
            cells += [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    hostile_cells = [c for c in cells if c.value.startswith("=HYPERLINK")]
    assert hostile_cells and all(c.data_type == "s" for c in hostile_cells)


# --- text stays on its slide -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "width", "height", "max_pt", "min_pt", "cut"),
    [
        ("Where to start", 12.3, 0.85, 28, 18, False),
        ("word " * 400, 5.0, 2.0, 16, 11, True),
        ("x" * 300, 3.0, 0.5, 14, 10, True),  # one unbreakable word
        ("任务" * 100, 4.0, 1.0, 14, 10, True),
    ],
)
def test_fit_shrinks_then_cuts_with_an_ellipsis_and_always_fits(text, width, height, max_pt, min_pt, cut):
    f = kd.fit(text, width, height, max_pt, min_pt)
    assert kd.fits(f.text, width, height, f.pt)
    assert min_pt <= f.pt <= max_pt
    assert f.cut is cut and f.text.endswith("…") is cut


def _boxes(slide) -> list[tuple[float, float, float, float]]:
    return [(Emu(s.left).inches, Emu(s.top).inches, Emu(s.width).inches, Emu(s.height).inches) for s in slide.shapes]


def _estimated_overflows(path: Path) -> list[str]:
    prs = Presentation(str(path))
    w, h = Emu(prs.slide_width).inches, Emu(prs.slide_height).inches
    problems = []
    for i, slide in enumerate(prs.slides, start=1):
        for shape, (x, y, sw, sh) in zip(slide.shapes, _boxes(slide), strict=True):
            if x < -0.01 or y < -0.01 or x + sw > w + 0.01 or y + sh > h + 0.01:
                problems.append(f"slide {i}: {shape.name} lies off the slide")
            if shape.has_text_frame and shape.text_frame.text:
                pt = max(r.font.size.pt for p in shape.text_frame.paragraphs for r in p.runs)
                if not kd.fits(shape.text_frame.text, sw, sh, pt):
                    problems.append(f"slide {i}: {shape.text_frame.text[:40]!r} overflows its box at {pt} pt")
            if shape.has_table:
                for r, row in enumerate(shape.table.rows):
                    for cell, col in zip(row.cells, shape.table.columns, strict=True):
                        pt = max((run.font.size.pt for p in cell.text_frame.paragraphs for run in p.runs), default=9)
                        if not kd.fits(cell.text_frame.text, Emu(col.width).inches, Emu(row.height).inches, pt,
                                       bold=r == 0):  # fmt: skip
                            problems.append(f"slide {i}: cell {cell.text_frame.text[:30]!r} overflows")
    return problems


@pytest.mark.parametrize("which", ["sample_deck", "long_deck"])
def test_every_text_fits_its_box_by_the_font_estimate(which, request):
    assert _estimated_overflows(request.getfixturevalue(which)[1]) == []


def test_long_names_are_cut_with_an_ellipsis_and_given_in_full_in_the_notes(long_deck):
    prs = Presentation(str(long_deck[1]))
    slide = prs.slides[4]  # where to start: long workflow names in the chart and the table
    labels = chart_series(slide)["Net value over 12 months, with its interval"]["categories"]
    assert all(len(c) <= kd.LABEL_CHARS and c.endswith("…") for c in labels)
    notes = slide.notes_slide.notes_text_frame.text
    assert "RFQ response drafting" + LONG_SUFFIX["workflow"] in notes


# --- rendered with LibreOffice -------------------------------------------------------------------------


def _ensure_tools() -> str | None:
    """soffice, pdftotext, pdftoppm and Liberation Sans, installed with apt-get when missing; the reason
    when they cannot be."""
    wanted = {"soffice": "libreoffice-impress-nogui", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils"}
    missing = sorted({pkg for cmd, pkg in wanted.items() if shutil.which(cmd) is None})
    if not Path(LIBERATION).is_file():  # the deck's Arial is rendered with its metric twin, Liberation Sans
        missing.append("fonts-liberation")
    if not missing:
        return None
    if shutil.which("apt-get") is None:
        return f"needs {', '.join(missing)} and there is no apt-get to install them"
    env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        if proc.returncode:
            return f"could not install {', '.join(missing)}: {(proc.stderr or proc.stdout).strip()[-200:]}"
    return None


def render(path: Path, out: Path) -> Path:
    """The deck as PDF (LibreOffice, one conversion) and PNGs of its slides (pdftoppm)."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(path)], capture_output=True, check=True, timeout=300)  # fmt: skip
    pdf = out / (path.stem + ".pdf")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(out / "slide")], check=True, timeout=300)
    return pdf


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)


def rendered_words(pdf: Path) -> list[tuple[int, float, float, list[tuple[float, float, float, float, str]]]]:
    """Per page: (number, width, height, words with their boxes in points) from `pdftotext -bbox`."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [(i, float(w), float(h), [(*map(float, m.groups()[:4]), m.group(5)) for m in _WORD.finditer(body)])
            for i, (w, h, body) in enumerate(_PAGE.findall(html), start=1)]  # fmt: skip


@pytest.mark.parametrize("which", ["sample_deck", "long_deck"])
def test_rendered_with_libreoffice_no_text_runs_off_a_slide_or_out_of_its_shape(which, request, tmp_path):
    reason = _ensure_tools()
    if reason:
        pytest.skip(reason)
    path = request.getfixturevalue(which)[1]
    pdf = render(path, tmp_path)
    pages = rendered_words(pdf)
    prs = Presentation(str(path))
    assert len(pages) == len(prs.slides) == len(list(tmp_path.glob("slide-*.png")))
    off, outside = [], []
    for (n, width, height, words), slide in zip(pages, prs.slides, strict=True):
        scale = width / Emu(prs.slide_width).inches  # points per inch of the slide
        boxes = [(x * scale, y * scale, (x + w) * scale, (y + h) * scale) for x, y, w, h in _boxes(slide)]
        for x0, y0, x1, y1, word in words:
            if x0 < -0.5 or y0 < -0.5 or x1 > width + 0.5 or y1 > height + 0.5:
                off.append(f"slide {n}: {word!r}")
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if not any(bx0 - 2 <= cx <= bx1 + 2 and by0 - 2 <= cy <= by1 + 2 for bx0, by0, bx1, by1 in boxes):
                outside.append(f"slide {n}: {word!r} at ({cx:.0f}, {cy:.0f})")
    assert off == []
    assert outside == []
    assert sum(len(words) for *_, words in pages) > 500  # the slides do hold their text


# --- written by kit run --------------------------------------------------------------------------------


def test_a_deck_that_fails_is_reported_in_one_line_and_leaves_the_run_as_it_was(sample_deck, monkeypatch, capsys):
    run, path = sample_deck
    before = path.read_bytes()

    def boom(data):
        raise RuntimeError("chart data could not be built")

    monkeypatch.setattr(kd, "build_deck", boom)
    assert kd.write_run_deck(run, load_settings(SAMPLE)) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        "warning: the steering-committee deck was not written (RuntimeError: chart data could not be built)"
    )
    assert "RuntimeError: chart data could not be built" in (run / "logs" / "deck.log").read_text(encoding="utf-8")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("run", "message"),
    [
        ("20991231-000000", "run '20991231-000000' not found"),
        ("empty", "holds no recorded results"),
    ],
)
def test_kit_deck_names_a_missing_or_incomplete_run_in_one_line(run, message, tmp_path):
    from typer.testing import CliRunner

    from kit.cli import app

    (tmp_path / "reports" / "halden" / "empty").mkdir(parents=True)
    result = CliRunner().invoke(app, ["deck", str(SAMPLE), run, "--reports", str(tmp_path / "reports")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_kit_deck_writes_the_deck_of_the_latest_run(sample_deck, tmp_path):
    from typer.testing import CliRunner

    from kit.cli import app

    run, _ = sample_deck
    reports = tmp_path / "reports"
    shutil.copytree(run, reports / "halden" / run.name, ignore=shutil.ignore_patterns("pages"))
    (reports / "halden" / "latest").symlink_to(run.name)
    result = CliRunner().invoke(app, ["deck", str(SAMPLE), "--reports", str(reports)])
    assert result.exit_code == 0, result.output
    written = reports / "halden" / run.name / "pages" / "halden_steering_committee.pptx"
    assert f"Deck written: {reports / 'halden' / 'latest' / 'pages' / written.name}" in result.output.replace("\n", "")
    assert len(Presentation(str(written)).slides) == 11


def test_a_chart_with_no_recorded_rows_says_so_instead_of_an_empty_chart():
    data = kd.DeckData("Acme", "acme", "USD", "#1F5AA6", "r1", pd.Timestamp("2027-01-11").date(), {}, None)
    deck = kd.Deck(data)
    page = deck.new_page("Tool spend and savings")
    deck.bar_chart(page, kd._body(), "Tools to change: cost and saving", [], {"Annual cost": []}, "USD a year")
    deck.scatter_chart(page, kd._body(), "Recurring tasks", {"On its own": []}, "Share", "Hours")
    texts = [s.text_frame.text for s in page.slide.shapes if s.has_text_frame]
    assert not any(s.has_chart for s in page.slide.shapes)
    assert "Tools to change: cost and saving: nothing to show; the recorded table has no rows." in texts
    assert "Recurring tasks: nothing to show; the recorded table has no rows." in texts


# --- the deck of a `kit run`, reused from the run cache ------------------------------------------


def _content(pptx: bytes) -> dict[str, bytes]:
    """Every part of a deck; an embedded chart workbook by its own parts, less its creation time."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(pptx)) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(data)) as book:
                    parts |= {f"{name}:{n}": book.read(n) for n in book.namelist() if n != "docProps/core.xml"}
            else:
                parts[name] = data
    return parts


def _run_copy(run: Path, where: Path) -> Path:
    shutil.copytree(run, where, ignore=shutil.ignore_patterns("pages"))
    return where


@pytest.mark.parametrize("run_id", ["20270111-100000", "20270111-100000-1"])  # a re-run's id; one a suffix longer
def test_a_runs_deck_is_reused_when_its_records_are_unchanged_and_equals_a_fresh_build(sample_deck, tmp_path, run_id):
    from kit.cache import RunCache

    settings = load_settings(SAMPLE)
    first = _run_copy(sample_deck[0], tmp_path / "reports" / "20270111-090000")
    kept = RunCache(tmp_path / "cache")
    kd.write_run_deck(first, settings, kept)
    assert kept.hits.get("decks", []) == []  # built, and kept

    again, cache = _run_copy(first, tmp_path / "reports" / run_id), RunCache(tmp_path / "cache")
    deck = kd.write_run_deck(again, settings, cache)
    same_length = len(run_id) == len(first.name)
    assert cache.hits.get("decks", []) == ([settings.slug] if same_length else [])  # else rebuilt: text is fitted
    fresh = kd.build_deck(kd.load_deck_data(again, settings))
    assert _content(deck.read_bytes()) == _content(fresh)
    assert f"run {run_id}".encode() in _content(fresh)["ppt/slides/slide1.xml"]


def test_a_runs_deck_is_rebuilt_when_a_record_it_reads_changed(sample_deck, tmp_path):
    from kit.cache import RunCache

    settings = load_settings(SAMPLE)
    first = _run_copy(sample_deck[0], tmp_path / "reports" / "20270111-090000")
    kd.write_run_deck(first, settings, RunCache(tmp_path / "cache"))
    again = _run_copy(first, tmp_path / "reports" / "20270111-100000")
    record = again / "results" / "engagement_summary.json"
    raw = json.loads(record.read_text(encoding="utf-8"))
    raw["scalars"]["executive_summary"] = "Start with the quote drafts; the rest follows in spring."
    record.write_text(json.dumps(raw), encoding="utf-8")

    cache = RunCache(tmp_path / "cache")
    deck = kd.write_run_deck(again, settings, cache)
    assert cache.hits.get("decks", []) == []
    fresh = kd.build_deck(kd.load_deck_data(again, settings))
    assert _content(deck.read_bytes()) == _content(fresh)
    summary_slide = Presentation(deck).slides[1]
    assert any("Start with the quote drafts" in s.text_frame.text for s in summary_slide.shapes if s.has_text_frame)


def test_a_deck_built_ahead_is_written_only_when_the_finished_runs_key_is_its_own(sample_deck, tmp_path):
    """kit.deck.build_ahead (the runner builds it while the summary renders) from what the manifest
    will say: taken when the run ends as guessed (the same deck as a fresh build, kept in the
    cache), ignored when a record changed after it was built."""
    from kit.cache import RunCache

    settings = load_settings(SAMPLE)
    run = _run_copy(sample_deck[0], tmp_path / "reports" / "20270111-090000")
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    (run / "manifest.json").unlink()  # not written yet when the deck is built ahead
    ahead = kd.build_ahead(run, settings, RunCache(tmp_path / "cache"), None, manifest)
    assert not ahead.kept and ahead.key == kd.deck_key(run, settings, None, manifest)
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    cache = RunCache(tmp_path / "cache")
    deck = kd.write_run_deck(run, settings, cache, ahead=ahead)
    assert deck.read_bytes() == ahead.pptx and _content(ahead.pptx) == _content(kd.build_deck(kd.load_deck_data(run, settings)))
    assert RunCache(tmp_path / "cache").get("decks", settings.slug, ahead.key)[0]  # kept, as a built deck is

    record = run / "results" / "engagement_summary.json"
    raw = json.loads(record.read_text(encoding="utf-8"))
    raw["scalars"]["executive_summary"] = "Start with the quote drafts; the rest follows in spring."
    record.write_text(json.dumps(raw), encoding="utf-8")  # after the deck was built ahead
    deck = kd.write_run_deck(run, settings, RunCache(tmp_path / "cache"), ahead=ahead)
    assert deck.read_bytes() != ahead.pptx
    assert _content(deck.read_bytes()) == _content(kd.build_deck(kd.load_deck_data(run, settings)))

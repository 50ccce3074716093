"""The steering-committee deck: a PowerPoint file built from a run folder's recorded results.

Every figure is read from `results/<phase>.json` (`kit.notebook.load_record`, through
`kit.phases.summary.collect`) and the summary's own record; nothing is recomputed here. A slide
whose phase failed, was skipped or did not run says so instead of showing a figure.

Charts are native PowerPoint charts (their data sits in the chart's embedded workbook, editable in
PowerPoint), each with a title and units; the roadmap is drawn with shapes. Each slide's method
and sources are in its speaker notes. Text is fitted to its box before it is written: the font
shrinks down to a floor, then the text is cut with an ellipsis and given in full in the notes
(`fit`, a conservative width estimate for Liberation Sans / Arial, which LibreOffice and
PowerPoint use for the deck's font). Client text is plain text: control characters an Office file
cannot hold become U+FFFD, and a chart's embedded workbook stores every label as text (never as a
formula or a link).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kit import charts, safe
from kit.report import write_atomic
from kit.settings import EngagementSettings
from kit.text import finite as _finite
from kit.text import money, number, share  # the one money/number format

SUMMARY = "engagement_summary"
DECK_SUFFIX = "_steering_committee.pptx"

# --- geometry (inches) and type (points) ---------------------------------------------------------
SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.5
TITLE_BOX = (MARGIN, 0.32, SLIDE_W - 2 * MARGIN, 0.85)
BODY_TOP, BODY_BOTTOM = 1.35, 6.85
BODY_W = SLIDE_W - 2 * MARGIN
FOOTER_BOX = (MARGIN, 7.02, SLIDE_W - 2 * MARGIN, 0.3)
FONT = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans
TITLE_PT, TITLE_FLOOR = 28, 18
BODY_PT, BODY_FLOOR = 16, 11
TABLE_PT, TABLE_FLOOR = 12, 9
CHART_PT = 11
LINE_SPACING = 1.2  # line height as a multiple of the font size
INSET = 0.06  # inner margin of every text box and table cell, inches
LABEL_CHARS = 34  # a chart's category label longer than this is cut (full text in the notes)

TEXT, MUTED, GRID = charts.TEXT, charts.MUTED_TEXT, charts.NEUTRAL
SECOND = charts.NEUTRAL  # the comparison series (leadership's view, the baseline, cost)


# --- fitting text ----------------------------------------------------------------------------------


def _char_em(ch: str) -> float:
    """Advance width of `ch` in em, rounded up from Liberation Sans (Arial metrics)."""
    if ch == " ":
        return 0.28
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch in "iljI.,;:'!|`":
        return 0.28
    if ch in "frt()[]{}-/\\\"":
        return 0.36
    if ch in "mwMW@%":
        return 0.9
    if ch.isupper():
        return 0.7
    if ch.isdigit() or ch.islower():
        return 0.57
    return 0.62


def text_em(text: str, bold: bool = False) -> float:
    """Estimated width of one line of `text` in em (bold is about 7% wider)."""
    return sum(_char_em(c) for c in text) * (1.07 if bold else 1.0)


def wrap(text: str, width_em: float, bold: bool = False) -> list[str]:
    """`text` broken into lines no wider than `width_em` (greedy, on spaces; a word wider than a
    line is broken between characters). Newlines start new paragraphs."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_em(candidate, bold) <= width_em:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            while text_em(word, bold) > width_em:  # one word wider than the line
                cut = 1
                while cut < len(word) and text_em(word[: cut + 1], bold) <= width_em:
                    cut += 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Fitted:
    text: str  # what is written (the input, or cut with "…")
    pt: float  # font size
    lines: int  # estimated lines at that size
    cut: bool  # True when the text had to be shortened

    @property
    def height(self) -> float:
        return self.lines * self.pt * LINE_SPACING / 72


def lines_at(text: str, width: float, pt: float, bold: bool = False) -> int:
    """Estimated number of lines `text` takes in a box `width` inches wide (inside its insets)."""
    return len(wrap(text, (width - 2 * INSET) * 72 / pt, bold))


def fits(text: str, width: float, height: float, pt: float, bold: bool = False) -> bool:
    """True when `text` at `pt` points fits a box of `width` × `height` inches (insets included)."""
    return lines_at(text, width, pt, bold) * pt * LINE_SPACING / 72 <= height - 2 * INSET + 1e-4  # EMU rounding


def fit(text: str, width: float, height: float, max_pt: float, min_pt: float, bold: bool = False,
        max_lines: int | None = None) -> Fitted:  # fmt: skip
    """The largest size from `max_pt` down to `min_pt` (half points) at which `text` fits the box
    (and at most `max_lines` lines); at `min_pt`, the text cut at a word with "…" so that it fits."""
    pt = max_pt
    while pt >= min_pt:
        n = lines_at(text, width, pt, bold)
        if fits(text, width, height, pt, bold) and (max_lines is None or n <= max_lines):
            return Fitted(text, pt, n, False)
        pt -= 0.5
    pt = min_pt
    room = int((height - 2 * INSET) * 72 / (pt * LINE_SPACING) + 1e-9)
    room = max(1, min(room, max_lines or room))
    words = text.replace("\n", " \n ").split(" ")
    low, high = 0, len(words)  # the longest prefix of words that fits with "…"
    while low < high:
        mid = (low + high + 1) // 2
        candidate = _cut(words, mid)
        if lines_at(candidate, width, pt, bold) <= room:
            low = mid
        else:
            high = mid - 1
    candidate = _cut(words, low)
    while lines_at(candidate, width, pt, bold) > room and len(candidate) > 1:  # a single long word
        candidate = candidate[:-2] + "…"
    return Fitted(candidate, pt, min(room, lines_at(candidate, width, pt, bold)), True)


def _cut(words: list[str], n: int) -> str:
    return (" ".join(words[:n]).replace(" \n ", "\n").rstrip(" \n,;:") + "…").lstrip()


def clean(value: object) -> str:
    """Client text as an Office file can hold it: control characters other than tab and newline
    become U+FFFD (a pptx, like an xlsx, cannot carry them)."""
    return safe.cell_text(str(value)).replace("\r\n", "\n").replace("\r", "\n")


def short(value: object, limit: int = LABEL_CHARS) -> str:
    """`value` cut to `limit` characters with "…" (a chart label; the full text goes in the notes)."""
    s = " ".join(clean(value).split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


# --- number formats ------------------------------------------------------------------------------


def _value(x: Any) -> float | None:
    """A recorded number for a chart series (None for a missing value: an empty point)."""
    return float(x) if _finite(x) else None


def date_text(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT:
        return ""
    d = pd.Timestamp(x)
    return f"{d.day} {d:%b %Y}"


def _hex(colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


# --- the run's records -----------------------------------------------------------------------------


@dataclass
class DeckData:
    """What the deck is built from: settings for its look, and the run's recorded results."""

    client: str
    slug: str
    currency: str
    accent: str
    run_id: str
    date: dt.date
    records: dict[str, Any]  # phase -> kit.phases.summary.PhaseRecord (the summary's sources)
    summary: Any  # the summary's PhaseRecord
    baseline: Any = None  # the baseline run's summary PhaseRecord, when one is given
    baseline_id: str = ""

    def record(self, phase: str) -> dict | None:
        pr = self.summary if phase == SUMMARY else self.records.get(phase)
        return pr.record if pr is not None and pr.ok else None

    def table(self, phase: str, name: str) -> pd.DataFrame | None:
        rec = self.record(phase)
        return None if rec is None else rec.get("tables", {}).get(name)

    def scalar(self, phase: str, name: str, default: Any = None) -> Any:
        rec = self.record(phase)
        value = None if rec is None else rec.get("scalars", {}).get(name)
        return default if value is None else value

    def status(self, phase: str) -> Any:
        return self.summary if phase == SUMMARY else self.records.get(phase)


def _manifest(run_dir: Path, given: dict | None = None) -> dict:
    """The run's manifest.json, or `given`: what it will say, for a deck built while the run ends."""
    if given is not None:
        return given
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def _summary_record(run_dir: Path, manifest: dict | None = None) -> Any:
    """The summary's PhaseRecord: its status from manifest.json (the runner writes it last), its record
    from results/engagement_summary.json."""
    from kit import notebook as nb
    from kit.phases.summary import PhaseRecord

    status, error = None, None
    try:
        manifest = _manifest(run_dir, manifest)
        entry = next((p for p in manifest.get("phases", []) if p.get("phase") == SUMMARY), None)
        if entry is not None:
            status, error = entry.get("status"), entry.get("error")
        elif manifest.get("phases"):
            status, error = "not run", "not part of this run"
    except (OSError, ValueError):
        pass
    path = run_dir / "results" / f"{SUMMARY}.json"
    if status not in (None, "ok"):
        return PhaseRecord(status, error, None, "Engagement summary", "Summary")
    try:
        return PhaseRecord("ok", None, nb.load_record(path), "Engagement summary", "Summary")
    except (OSError, ValueError, KeyError) as exc:
        why = "no result in this run folder" if not path.is_file() else f"its result could not be read ({exc})"
        return PhaseRecord("not run" if not path.is_file() else "failed", why, None, "Engagement summary", "Summary")


def _run_date(run_dir: Path, manifest: dict | None = None) -> dt.date:
    try:
        manifest = _manifest(run_dir, manifest)
        return dt.datetime.fromisoformat(manifest["started"]).date()
    except (OSError, ValueError, KeyError, TypeError):
        return dt.date.today()


def load_deck_data(run_dir: Path, settings: EngagementSettings, baseline: Path | None = None,
                   manifest: dict | None = None) -> DeckData:  # fmt: skip
    """The records of the run in `run_dir` (and of the `baseline` run, for the progress slide);
    `manifest`: what the run's manifest will say, when it is not written yet."""
    from kit.phases.summary import collect

    run_dir = Path(run_dir).resolve()
    data = DeckData(
        client=clean(settings.client),
        slug=settings.slug,
        currency=settings.currency,
        accent=settings.accent_colour or charts.PRIMARY,
        run_id=run_dir.name,
        date=_run_date(run_dir, manifest),
        records=collect(None, run_dir),
        summary=_summary_record(run_dir, manifest),
    )
    if baseline is not None:
        data.baseline = _summary_record(Path(baseline).resolve())
        data.baseline_id = Path(baseline).resolve().name
    return data


# --- chart data whose embedded workbook holds text as text -----------------------------------------


def _text_workbook(writer_cls: type) -> type:
    """A python-pptx workbook writer whose XlsxWriter workbook never turns a label into a formula,
    a link or a number (`=HYPERLINK(…)` in a tool name stays text)."""

    class Writer(writer_cls):  # type: ignore[misc, valid-type]
        @contextmanager
        def _open_worksheet(self, xlsx_file):  # noqa: ANN001 — python-pptx's signature
            from xlsxwriter import Workbook

            options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                       "strings_to_numbers": False}  # fmt: skip
            workbook = Workbook(xlsx_file, options)
            worksheet = workbook.add_worksheet()
            yield workbook, worksheet
            workbook.close()

    return Writer


def _category_data(categories: Sequence[str], number_format: str) -> Any:
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xlsx import CategoryWorkbookWriter

    class Data(CategoryChartData):
        @property
        def _workbook_writer(self):  # noqa: ANN202
            return _text_workbook(CategoryWorkbookWriter)(self)

    data = Data(number_format=number_format)
    data.categories = [clean(c) for c in categories]
    return data


def _xy_data(number_format: str) -> Any:
    from pptx.chart.data import XyChartData
    from pptx.chart.xlsx import XyWorkbookWriter

    class Data(XyChartData):
        @property
        def _workbook_writer(self):  # noqa: ANN202
            return _text_workbook(XyWorkbookWriter)(self)

    return Data(number_format=number_format)


# --- the slide builder -----------------------------------------------------------------------------


@dataclass
class Page:
    """One slide being built: its shapes go on `slide`; `notes` become the speaker notes."""

    slide: Any
    notes: list[str] = field(default_factory=list)
    full_texts: list[str] = field(default_factory=list)  # text cut on the slide, in full


class Deck:
    """A 16:9 presentation in the kit's look with the client's accent colour."""

    def __init__(self, data: DeckData) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.data = data
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
        self.accent = data.accent
        self.pages: list[Page] = []

    # -- shapes
    def new_page(self, title: str | None) -> Page:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # blank
        page = Page(slide)
        self.pages.append(page)
        if title is not None:
            self.rect(page, 0, 0, SLIDE_W, 0.12, self.accent)
            self.text(page, TITLE_BOX, title, TITLE_PT, TITLE_FLOOR, bold=True, name="Title", max_lines=1)
        return page

    def rect(self, page: Page, x: float, y: float, w: float, h: float, colour: str, shape: str = "rect") -> Any:
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Inches

        kind = {"rect": MSO_SHAPE.RECTANGLE, "diamond": MSO_SHAPE.DIAMOND}[shape]
        s = page.slide.shapes.add_shape(kind, Inches(x), Inches(y), Inches(w), Inches(h))
        s.fill.solid()
        s.fill.fore_color.rgb = _hex(colour)
        s.line.fill.background()
        s.shadow.inherit = False
        return s

    def text(self, page: Page, box: tuple[float, float, float, float], text: str, max_pt: float = BODY_PT,
             min_pt: float = BODY_FLOOR, *, bold: bool = False, colour: str = TEXT, name: str = "",
             max_lines: int | None = None, align: str = "left", fill: str | None = None) -> Fitted:  # fmt: skip
        """A text box holding `text` fitted to `box` (x, y, w, h in inches)."""
        from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
        from pptx.util import Inches, Pt

        x, y, w, h = box
        fitted = fit(clean(text), w, h, max_pt, min_pt, bold, max_lines)
        if fitted.cut:
            page.full_texts.append(clean(text))
        shape = page.slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
        if name:
            shape.name = name
        if fill:
            shape.fill.solid()
            shape.fill.fore_color.rgb = _hex(fill)
        tf = shape.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        tf.vertical_anchor = MSO_ANCHOR.TOP
        for side in ("left", "right", "top", "bottom"):
            setattr(tf, f"margin_{side}", Inches(INSET))
        for i, para in enumerate(fitted.text.split("\n")):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[align]
            p.line_spacing = 1.0
            run = p.add_run()
            run.text = para
            run.font.size = Pt(fitted.pt)
            run.font.name = FONT
            run.font.bold = bold
            run.font.color.rgb = _hex(colour)
        return fitted

    def bullets(self, page: Page, box: tuple[float, float, float, float], items: Iterable[str],
                max_pt: float = BODY_PT, min_pt: float = BODY_FLOOR) -> Fitted:  # fmt: skip
        """A list, one item per paragraph, all at one size (items that do not fit are cut)."""
        items = [f"• {clean(i)}" for i in items]
        return self.text(page, box, "\n".join(items) if items else "—", max_pt, min_pt)

    def table(self, page: Page, box: tuple[float, float, float, float], headers: Sequence[str],
              rows: Sequence[Sequence[str]], widths: Sequence[float], *, numeric: Sequence[bool] = (),
              more: str = "") -> int:  # fmt: skip
        """A table in `box`: columns `widths` (shares of the box width), each cell fitted to at most two
        lines; rows that do not fit are left out and counted in a line under the table (`more`: what
        to say where to find them). Returns the number of rows shown."""
        from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
        from pptx.util import Inches, Pt

        x, y, w, h = box
        col_w = [w * s / sum(widths) for s in widths]
        numeric = list(numeric) + [False] * (len(headers) - len(numeric))
        note_h = 0.32
        chosen = None
        for pt in (TABLE_PT, 11, 10, TABLE_FLOOR):
            line = pt * LINE_SPACING / 72
            fitted_rows = [[fit(clean(c), cw, 2 * line + 2 * INSET, pt, pt, i == 0, 2) for c, cw in zip(r, col_w,
                            strict=True)] for i, r in enumerate([headers, *rows])]  # fmt: skip
            heights = [max(f.lines for f in r) * line + 2 * INSET for r in fitted_rows]
            shown = len(rows)
            while shown and sum(heights[: shown + 1]) > h - (note_h if shown < len(rows) else 0):
                shown -= 1
            chosen = (pt, fitted_rows, heights, shown)
            if shown == len(rows):
                break
        pt, fitted_rows, heights, shown = chosen
        total = sum(heights[: shown + 1])
        frame = page.slide.shapes.add_table(shown + 1, len(headers), Inches(x), Inches(y), Inches(w), Inches(total))
        table = frame.table
        table.first_row = True
        for j, cw in enumerate(col_w):
            table.columns[j].width = Inches(cw)
        for i in range(shown + 1):
            table.rows[i].height = Inches(heights[i])
            for j, f in enumerate(fitted_rows[i]):
                if f.cut:
                    page.full_texts.append(clean(([headers, *rows])[i][j]))
                cell = table.cell(i, j)
                cell.margin_left = cell.margin_right = cell.margin_top = cell.margin_bottom = Inches(INSET)
                cell.vertical_anchor = MSO_ANCHOR.TOP
                cell.fill.solid()
                cell.fill.fore_color.rgb = _hex(self.accent if i == 0 else ("#F3F4F6" if i % 2 == 0 else "#FFFFFF"))
                tf = cell.text_frame
                tf.word_wrap = True
                p = tf.paragraphs[0]
                p.alignment = PP_ALIGN.RIGHT if numeric[j] and i else PP_ALIGN.LEFT
                run = p.add_run()
                run.text = f.text
                run.font.size = Pt(pt)
                run.font.name = FONT
                run.font.bold = i == 0
                run.font.color.rgb = _hex("#FFFFFF" if i == 0 else TEXT)
        if shown < len(rows):
            left = len(rows) - shown
            self.text(page, (x, y + total + 0.04, w, note_h), f"… and {left} more{': ' + more if more else ''}.",
                      TABLE_FLOOR, TABLE_FLOOR, colour=MUTED, max_lines=1)  # fmt: skip
        return shown

    def missing(self, page: Page, box: tuple[float, float, float, float], phases: Sequence[str]) -> None:
        """In place of a chart or table: what is missing and why (never an estimate)."""
        from kit.phases.summary import PHASE_LOSS

        lines = []
        for phase in phases:
            pr = self.data.status(phase)
            title = (pr.title if pr is not None and pr.title else phase.replace("_", " ").capitalize())
            status = pr.status if pr is not None else "not run"
            error = (pr.error or "") if pr is not None else "no result in this run folder"
            lines.append(f"Not available: {title} {status}{' (' + error + ')' if error else ''}.")
            if phase in PHASE_LOSS:
                lines.append(f"Without it, {PHASE_LOSS[phase]} are not shown here; nothing is estimated in their place.")
        page.notes.append("Missing: " + " ".join(lines))
        x, y, w, h = box
        self.rect(page, x, y, 0.08, h, charts.NEGATIVE)
        self.text(page, (x + 0.2, y, w - 0.2, h), "\n".join(lines), BODY_PT, BODY_FLOOR, colour=TEXT)

    def nothing(self, page: Page, box: tuple[float, float, float, float], title: str) -> None:
        """In place of a chart with no rows: says so (the phase ran; its table is empty)."""
        x, y, w, _ = box
        self.text(page, (x, y, w, 0.9), f"{title}: nothing to show; the recorded table has no rows.", 14, 10,
                  colour=MUTED)  # fmt: skip

    # -- charts
    def _chart(self, page: Page, kind: Any, box: tuple[float, float, float, float], data: Any, title: str) -> Any:
        from pptx.util import Inches, Pt

        x, y, w, h = box
        chart = page.slide.shapes.add_chart(kind, Inches(x), Inches(y), Inches(w), Inches(h), data).chart
        chart.font.size = Pt(CHART_PT)
        chart.font.name = FONT
        chart.has_title = True
        chart.chart_title.text_frame.text = clean(title)
        chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(13)
        chart.chart_title.text_frame.paragraphs[0].runs[0].font.bold = True
        return chart

    def _axis_title(self, axis: Any, text: str) -> None:
        from pptx.util import Pt

        axis.has_title = True
        axis.axis_title.text_frame.text = clean(text)
        axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(CHART_PT)
        axis.axis_title.text_frame.paragraphs[0].runs[0].font.bold = False

    def _legend(self, chart: Any, show: bool) -> None:
        from pptx.enum.chart import XL_LEGEND_POSITION

        chart.has_legend = show
        if show:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False

    def bar_chart(self, page: Page, box: tuple[float, float, float, float], title: str, categories: Sequence[str],
                  series: Mapping[str, Sequence[Any]], unit: str, number_format: str = "#,##0",
                  colours: Sequence[str] = (), horizontal: bool = True, scale: tuple[float, float] | None = None,
                  labels: Sequence[str] | None = None) -> Any:  # fmt: skip
        """A clustered bar chart: one bar per category and series; `unit` titles the value axis.
        Category labels longer than LABEL_CHARS are cut (`labels` gives them cut already)."""
        from pptx.enum.chart import XL_CHART_TYPE

        if not len(categories):
            return self.nothing(page, box, title)
        shown = list(labels) if labels is not None else [short(c) for c in categories]
        cut = [clean(c) for c, s in zip(categories, shown, strict=True) if clean(c) != s]
        if cut:
            page.full_texts.append(f"{title}, full labels: " + "; ".join(cut))
        data = _category_data(shown, number_format)
        for name, values in series.items():
            data.add_series(clean(name), [_value(v) for v in values], number_format)
        kind = XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
        chart = self._chart(page, kind, box, data, title)
        colours = list(colours) or [self.accent, SECOND, charts.PALETTE[1]]
        for s, colour in zip(chart.plots[0].series, colours, strict=False):
            s.format.fill.solid()
            s.format.fill.fore_color.rgb = _hex(colour)
            s.invert_if_negative = False
        chart.plots[0].gap_width = 60
        if horizontal:
            chart.category_axis.reverse_order = True  # the first category on top
        axis = chart.value_axis
        axis.tick_labels.number_format = number_format
        axis.tick_labels.number_format_is_linked = False
        axis.has_major_gridlines = True
        axis.major_gridlines.format.line.color.rgb = _hex(charts.GRID)
        if scale is not None:
            axis.minimum_scale, axis.maximum_scale = scale
        self._axis_title(axis, unit)
        self._legend(chart, len(series) > 1)
        return chart

    def line_chart(self, page: Page, box: tuple[float, float, float, float], title: str, categories: Sequence[str],
                   series: Mapping[str, Sequence[Any]], unit: str, number_format: str = "#,##0",
                   scale: tuple[float, float] | None = None) -> Any:  # fmt: skip
        from pptx.enum.chart import XL_CHART_TYPE
        from pptx.util import Pt

        if not len(categories):
            return self.nothing(page, box, title)
        data = _category_data(categories, number_format)
        for name, values in series.items():
            data.add_series(clean(name), [_value(v) for v in values], number_format)
        chart = self._chart(page, XL_CHART_TYPE.LINE_MARKERS, box, data, title)
        for s, colour in zip(chart.plots[0].series, [self.accent, SECOND], strict=False):
            s.format.line.color.rgb = _hex(colour)
            s.format.line.width = Pt(2.25)
            s.smooth = False
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = _hex(colour)
        axis = chart.value_axis
        axis.tick_labels.number_format = number_format
        axis.tick_labels.number_format_is_linked = False
        axis.major_gridlines.format.line.color.rgb = _hex(charts.GRID)
        if scale is not None:
            axis.minimum_scale, axis.maximum_scale = scale
        self._axis_title(axis, unit)
        self._legend(chart, len(series) > 1)
        return chart

    def scatter_chart(self, page: Page, box: tuple[float, float, float, float], title: str,
                      series: Mapping[str, Sequence[tuple[Any, Any]]], x_unit: str, y_unit: str,
                      x_format: str = "0%", y_format: str = "#,##0") -> Any:  # fmt: skip
        from pptx.enum.chart import XL_CHART_TYPE, XL_MARKER_STYLE

        if not any(_finite(x) and _finite(y) for points in series.values() for x, y in points):
            return self.nothing(page, box, title)
        data = _xy_data(y_format)
        for name, points in series.items():
            s = data.add_series(clean(name), number_format=y_format)
            for px, py in points:
                if _finite(px) and _finite(py):
                    s.add_data_point(float(px), float(py))
        chart = self._chart(page, XL_CHART_TYPE.XY_SCATTER, box, data, title)
        palette = [self.accent, charts.PALETTE[1], charts.PALETTE[2], SECOND]
        for s, colour in zip(chart.plots[0].series, palette, strict=False):
            s.marker.style = XL_MARKER_STYLE.CIRCLE
            s.marker.size = 9
            s.marker.format.fill.solid()
            s.marker.format.fill.fore_color.rgb = _hex(colour)
            s.format.line.fill.background()
        for axis, unit, fmt in ((chart.category_axis, x_unit, x_format), (chart.value_axis, y_unit, y_format)):
            axis.tick_labels.number_format = fmt
            axis.tick_labels.number_format_is_linked = False
            self._axis_title(axis, unit)
        chart.value_axis.major_gridlines.format.line.color.rgb = _hex(charts.GRID)
        self._legend(chart, len(series) > 1)
        return chart

    # -- output
    def finish(self) -> bytes:
        """Footers (client · date · page) and speaker notes on every slide; the file as bytes."""
        n = len(self.pages)
        for i, page in enumerate(self.pages, start=1):
            if i > 1:
                foot = f"{self.data.client} · {date_text(self.data.date)} · {i} of {n}"
                self.text(page, FOOTER_BOX, foot, 10, 8, colour=MUTED, name="Footer", max_lines=1)
            notes = list(page.notes)
            if page.full_texts:
                notes.append("Shortened on the slide, in full: " + " | ".join(dict.fromkeys(page.full_texts)))
            page.slide.notes_slide.notes_text_frame.text = clean("\n\n".join(notes))
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


# --- the slides ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlideSpec:
    key: str
    title: str  # shown on the slide ("" = the title slide, titled with the client's name)
    build: Callable[[Deck, Page], None]
    needs: tuple[str, ...]  # phases whose records the slide reads
    only_with_baseline: bool = False


def _source(phase: str, what: str) -> str:
    return f"results/{phase}.json: {what}"


def _body(top: float = BODY_TOP, left: float = MARGIN, width: float = BODY_W, bottom: float = BODY_BOTTOM):
    return (left, top, width, bottom - top)


def _lacking(deck: Deck, page: Page, phases: Sequence[str], box=None) -> bool:
    """True (and the slide says what is missing) when a phase the slide reads has no record."""
    gone = [p for p in phases if deck.data.record(p) is None]
    if gone:
        deck.missing(page, box or _body(), gone)
    return bool(gone)


def _opening(deck: Deck, page: Page, phase: str, method: str, sources: str) -> bool:
    """A slide's speaker notes (its method, then the recorded fields it reads from `phase`); True
    (and the slide says what is missing) when that phase has no record."""
    page.notes.append(method)
    page.notes.append("Sources: " + _source(phase, sources))
    return _lacking(deck, page, [phase])


def _title_slide(deck: Deck, page: Page) -> None:
    d = deck.data
    deck.rect(page, 0, 0, 0.45, SLIDE_H, d.accent)
    deck.text(page, (1.0, 2.0, SLIDE_W - 2.0, 1.9), d.client, 40, 24, bold=True, name="Title", max_lines=2)
    deck.text(page, (1.0, 4.0, SLIDE_W - 2.0, 0.7), "AI adoption: steering committee", 24, 18, colour=d.accent)
    deck.text(page, (1.0, 4.8, SLIDE_W - 2.0, 0.5), f"{date_text(d.date)} · run {d.run_id}", 14, 10, colour=MUTED)
    done = [pr.title for pr in d.records.values() if pr.ok]
    page.notes.append(
        f"Built from the recorded results of run {d.run_id} (results/<phase>.json in the run folder); no figure is "
        f"recomputed for the deck. Phases with results: {', '.join(done) or 'none'}. Person identifiers are "
        "pseudonymized in every result, and the deck shows none."
    )


def _executive_summary(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        SUMMARY,
        "Method: the summary's one-paragraph executive summary, written from the phases' recorded "
        "figures, and its headline figures with their intervals.",
        "scalar executive_summary; table headlines (value, low, high, unit, source).",
    ):
        return
    deck.text(page, (MARGIN, BODY_TOP, 7.6, BODY_BOTTOM - BODY_TOP), d.scalar(SUMMARY, "executive_summary", ""),
              18, BODY_FLOOR)  # fmt: skip
    heads = d.table(SUMMARY, "headlines")
    keys = ("chosen_hours", "chosen_net_value", "tool_saving", "people_to_train", "readiness", "agent_hours")
    x, w, y = MARGIN + 7.9, BODY_W - 7.9, BODY_TOP
    box_h = (BODY_BOTTOM - BODY_TOP) / len(keys)
    for key in keys:
        row = heads[heads["key"] == key] if heads is not None else pd.DataFrame()
        if row.empty:
            continue
        r = row.iloc[0]
        value = _headline(r, d.currency)
        deck.rect(page, x, y + 0.08, 0.06, box_h - 0.16, d.accent)
        deck.text(page, (x + 0.15, y, w - 0.15, 0.5), value, 20, 12, bold=True, colour=d.accent, max_lines=1)
        deck.text(page, (x + 0.15, y + 0.45, w - 0.15, box_h - 0.5), r["figure"], 12, 9, colour=MUTED, max_lines=2)
        y += box_h


def _headline(r: pd.Series, currency: str) -> str:
    unit = str(r["unit"])
    if not _finite(r["value"]):
        return "not known"
    if unit == "share":
        return share(r["value"])
    if unit.startswith(currency):
        return money(r["value"], currency) + (unit[len(currency):] if "months" in unit else "")
    return f"{number(r['value'])} {unit}"


def _diagnosis(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        SUMMARY,
        "Method: each of the six factors of the failing-vs-successful comparison is placed on the evidence "
        "(1 failing, 2 partial, 3 successful) by the summary's checks, beside leadership's own rating from "
        "engagement.yaml (health_check). A difference of a level or more is a finding.",
        "table diagnosis (label, self_assessment, evidence_level, finding).",
    ):
        return
    diag = d.table(SUMMARY, "diagnosis")
    deck.bar_chart(page, (MARGIN, BODY_TOP, 7.4, BODY_BOTTOM - BODY_TOP), "Rollout pattern by factor",
                   list(diag["label"]), {"Leadership's rating": list(diag["self_assessment"]),
                                         "Evidence in the data": list(diag["evidence_level"])},
                   "Level (1 failing · 2 partial · 3 successful)", "0", colours=(SECOND, d.accent), scale=(0, 3))  # fmt: skip
    differ = diag[diag["disagrees"].astype(bool)] if "disagrees" in diag else diag.iloc[0:0]
    items = [f"{r['label']}: {r['finding']}" for _, r in differ.iterrows()] or [
        "The data agree with leadership's view on every factor that could be checked."
    ]
    deck.text(page, (MARGIN + 7.6, BODY_TOP, BODY_W - 7.6, 0.45), "Where the data and leadership differ", 15, 12,
              bold=True, max_lines=1)  # fmt: skip
    deck.bullets(page, (MARGIN + 7.6, BODY_TOP + 0.5, BODY_W - 7.6, BODY_BOTTOM - BODY_TOP - 0.5), items, 13, 9)


def _time(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        "workflow_mapping",
        "Method: hours per year of every workflow in the inventory (runs per month × minutes per run × 12), "
        "summed per department by the workflow mapping, with the hours AI could give back at each workflow's "
        "expected saving (measured in time studies where there are some, else published priors).",
        "table departments (annual_hours, potential_hours); "
        "scalars total_hours, total_cost, potential_hours, n_workflows.",
    ):
        return
    dep = d.table("workflow_mapping", "departments").sort_values("annual_hours", ascending=False)
    deck.bar_chart(page, (MARGIN, BODY_TOP, 8.3, BODY_BOTTOM - BODY_TOP), "Hours a year by department",
                   list(dep["department"]), {"Hours of work today": list(dep["annual_hours"]),
                                             "Hours AI could give back": list(dep["potential_hours"])},
                   "Hours a year", "#,##0", colours=(SECOND, d.accent))  # fmt: skip
    total, cost = d.scalar("workflow_mapping", "total_hours"), d.scalar("workflow_mapping", "total_cost")
    potential = d.scalar("workflow_mapping", "potential_hours")
    n, n_dep = d.scalar("workflow_mapping", "n_workflows"), d.scalar("workflow_mapping", "n_departments")
    items = [
        f"{number(total)} hours a year across {number(n)} workflows in {number(n_dep)} departments, costing "
        f"{money(cost, d.currency)} a year.",
        f"AI could give back about {number(potential)} of those hours ({share(_ratio(potential, total))}).",
    ]
    if len(dep):
        top = dep.iloc[0]
        items.append(f"{top['department']} carries the most: {number(top['annual_hours'])} hours a year.")
    deck.bullets(page, (MARGIN + 8.5, BODY_TOP, BODY_W - 8.5, BODY_BOTTOM - BODY_TOP), items, 15, 10)


def _ratio(a: Any, b: Any) -> float:
    return float(a) / float(b) if _finite(a) and _finite(b) and float(b) else float("nan")


def _start(deck: Deck, page: Page) -> None:
    d = deck.data
    level = d.scalar("roi_ranking", "confidence_level")
    if _opening(
        deck,
        page,
        "roi_ranking",
        "Method: time saved per workflow from the client's time studies (per-workflow regression with HC3 "
        f"intervals; pooled by task type; published priors as a last resort), valued at the hourly cost over "
        f"{d.scalar('roi_ranking', 'horizon_months', '?')} months net of seats and enablement. The picks are the "
        f"ROI ranking's start-here workflows (ranked on {d.scalar('roi_ranking', 'ranking_basis', 'its basis')}); "
        f"intervals at the {share(level)} level.",
        "table start_here (workflow, saving, saving_low, saving_high, "
        "annual_hours_saved(_low/_high), net_value(_low/_high), payback_months).",
    ):
        return
    start = d.table("roi_ranking", "start_here")
    if start is None or start.empty:
        deck.text(page, _body(), "No workflow qualifies yet as a place to start: none saves time, pays back and has "
                  "an approved tool for its data.")  # fmt: skip
        return
    cur, months = d.currency, d.scalar("roi_ranking", "horizon_months", "?")
    deck.bar_chart(page, (MARGIN, BODY_TOP, 5.0, BODY_BOTTOM - BODY_TOP), f"Net value over {months} months, with its interval",
                   list(start["workflow"]), {"Low end": list(start["net_value_low"]),
                                             "Estimate": list(start["net_value"]),
                                             "High end": list(start["net_value_high"])},
                   f"{cur} over {months} months", "#,##0", colours=(SECOND, d.accent, charts.PALETTE[2]))  # fmt: skip
    rows = [
        [r["workflow"], r["department"], f"{share(r['saving'])} ({share(r['saving_low'])}–{share(r['saving_high'])})",
         f"{number(r['annual_hours_saved'])} ({number(r['annual_hours_saved_low'])}–{number(r['annual_hours_saved_high'])})",
         number(r["payback_months"], 1)]
        for _, r in start.iterrows()
    ]  # fmt: skip
    deck.table(page, (MARGIN + 5.2, BODY_TOP, BODY_W - 5.2, BODY_BOTTOM - BODY_TOP - 1.2),
                       ["Workflow", "Department", "Time saved (interval)", "Hours a year (interval)", "Payback (months)"],
                       rows, (2.3, 1.4, 1.5, 1.6, 1.1), numeric=(False, False, True, True, True),
                       more="see the ROI ranking report")  # fmt: skip
    line = (f"Together they give back about {number(d.scalar('roi_ranking', 'start_here_hours_saved'))} hours a year "
            f"and a net {money(d.scalar('roi_ranking', 'start_here_net_value'), cur)} over {months} months "
            f"({money(d.scalar('roi_ranking', 'start_here_net_value_low'), cur)} to "
            f"{money(d.scalar('roi_ranking', 'start_here_net_value_high'), cur)}, at the {share(level)} level).")  # fmt: skip
    deck.text(page, (MARGIN + 5.2, BODY_BOTTOM - 1.1, BODY_W - 5.2, 1.1), line, 15, 10)


def _tools(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        "consolidation",
        "Method: seats against active users per tool (active in the window before as_of); tools used below the "
        "cancel threshold are cancelled, the rest resized to the recent peak plus a buffer, overlapping tools "
        "merged; savings are annual at today's prices. Adoption: people active on any AI tool each month as a "
        "share of headcount.",
        "scalar totals (current_annual_spend, total_saving, "
        "saving_cancel, saving_consolidate, saving_downsize, spend_after); table tools "
        "(tool, annual_cost, annual_saving, recommendation); table adoption (month, share).",
    ):
        return
    cur = d.currency
    tools = d.table("consolidation", "tools")
    change = tools[tools["recommendation"] != "keep"].sort_values("annual_saving", ascending=False).head(8)
    deck.bar_chart(page, (MARGIN, BODY_TOP, 6.2, BODY_BOTTOM - BODY_TOP - 1.0), "Tools to change: cost and saving",
                   [f"{t} ({r})" for t, r in zip(change["tool"], change["recommendation"], strict=True)],
                   {"Annual cost": list(change["annual_cost"]), "Annual saving": list(change["annual_saving"])},
                   f"{cur} a year", "#,##0", colours=(SECOND, d.accent))  # fmt: skip
    adoption = d.table("consolidation", "adoption")
    if adoption is not None and len(adoption):
        deck.line_chart(page, (MARGIN + 6.4, BODY_TOP, BODY_W - 6.4, BODY_BOTTOM - BODY_TOP - 1.0),
                        "People active on AI tools, share of headcount",
                        [f"{pd.Timestamp(m):%b %Y}" for m in adoption["month"]], {"Share active": list(adoption["share"])},
                        "Share of headcount", "0%", scale=(0, 1))  # fmt: skip
    t = d.scalar("consolidation", "totals", {}) or {}
    line = (f"Spend today {money(t.get('current_annual_spend'), cur)} a year; cancelling saves "
            f"{money(t.get('saving_cancel'), cur)}, merging {money(t.get('saving_consolidate'), cur)}, resizing "
            f"{money(t.get('saving_downsize'), cur)}: {money(t.get('total_saving'), cur)} in all, leaving "
            f"{money(t.get('spend_after'), cur)} a year.")  # fmt: skip
    deck.text(page, (MARGIN, BODY_BOTTOM - 0.9, BODY_W, 0.9), line, 15, 10, bold=False)


def _governance(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        "consolidation",
        "Method: shadow AI is AI used outside the tool inventory: tools seen in usage but not listed, and AI "
        "paid on expenses (charged in the last 12 months, and the run rate of subscriptions still live). "
        "Governance gaps are inventory tools on free or individual plans, unapproved, or without single sign-on.",
        "table shadow (kind, tool, people, annual_spend, "
        "annual_run_rate); table governance_gaps (kind, tool, people); scalar totals.",
    ):
        return
    cur = d.currency
    shadow = d.table("consolidation", "shadow")
    gaps = d.table("consolidation", "governance_gaps")
    paid = shadow[shadow["annual_run_rate"].notna() | shadow["annual_spend"].notna()] if shadow is not None else None
    if paid is not None and len(paid):
        deck.bar_chart(page, (MARGIN, BODY_TOP, 5.6, BODY_BOTTOM - BODY_TOP - 0.9), "AI paid on expenses, by product",
                       list(paid["tool"]), {"Charged, last 12 months": list(paid["annual_spend"]),
                                            "Run rate of live subscriptions": list(paid["annual_run_rate"])},
                       f"{cur} a year", "#,##0", colours=(SECOND, d.accent))  # fmt: skip
    else:
        deck.text(page, (MARGIN, BODY_TOP, 5.6, 1.0), "No AI paid on expenses was found (or no expenses were given).")
    rows = [[r["kind"], r["tool"], number(r["people"])] for _, r in (shadow if shadow is not None else pd.DataFrame()).iterrows()]
    rows += [[r["kind"], r["tool"], number(r["people"])] for _, r in (gaps if gaps is not None else pd.DataFrame()).iterrows()]
    if rows:
        deck.table(page, (MARGIN + 5.8, BODY_TOP, BODY_W - 5.8, BODY_BOTTOM - BODY_TOP - 0.9),
                   ["Finding", "Tool", "People"], rows, (2.4, 1.6, 0.7), numeric=(False, False, True),
                   more="see the consolidation report")  # fmt: skip
    t = d.scalar("consolidation", "totals", {}) or {}
    line = (f"{number(t.get('shadow_people'))} people use AI outside the approved tools, "
            f"{money(t.get('shadow_spend'), cur)} charged on expenses in the last 12 months (run rate "
            f"{money(t.get('shadow_run_rate'), cur)} a year); {number(t.get('governance_gaps'))} governance gaps "
            f"touch {number(t.get('governance_gap_people'))} people.")  # fmt: skip
    deck.text(page, (MARGIN, BODY_BOTTOM - 0.8, BODY_W, 0.8), line, 15, 10)


def _training(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        "training_gaps",
        "Method: each respondent's self-rated level (0–4) per skill against their role's target; readiness is "
        "the share of skills at target. Cohorts group the people below target on one skill, gaps in the roles "
        "that own the top workflows of the ROI ranking first; hours = levels to gain × hours per level × people.",
        "table departments (department, readiness); table "
        "cohorts (priority, cohort, size, groups, total_hours); scalars readiness, "
        "total_training_hours.",
    ):
        return
    dep = d.table("training_gaps", "departments").sort_values("readiness")
    deck.bar_chart(page, (MARGIN, BODY_TOP, 5.4, BODY_BOTTOM - BODY_TOP - 0.7), "Skills at target, by department",
                   list(dep["department"]), {"Skills at target": list(dep["readiness"])}, "Share of skills at target",
                   "0%", scale=(0, 1))  # fmt: skip
    cohorts = d.table("training_gaps", "cohorts").sort_values("priority").head(6)
    rows = [[number(r["priority"]), r["cohort"], number(r["size"]), number(r["groups"]), number(r["total_hours"])]
            for _, r in cohorts.iterrows()]  # fmt: skip
    deck.table(page, (MARGIN + 5.6, BODY_TOP, BODY_W - 5.6, BODY_BOTTOM - BODY_TOP - 0.7),
               ["Priority", "Cohort", "People", "Groups", "Hours"], rows, (0.8, 3.6, 0.8, 0.8, 0.9),
               numeric=(True, False, True, True, True), more="see the training report")  # fmt: skip
    line = (f"{share(d.scalar('training_gaps', 'readiness'))} of skills are at their role's target today; "
            f"{number(d.scalar('training_gaps', 'total_training_hours'))} training hours close the gaps, priority "
            "cohorts first.")  # fmt: skip
    deck.text(page, (MARGIN, BODY_BOTTOM - 0.6, BODY_W, 0.6), line, 15, 10, max_lines=2)


def _agents(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        "agent_candidates",
        "Method: each recurring task scored for automation potential (input structure, rules, exceptions); the "
        "oversight it needs follows from the potential and its risk; agent hours are the share of the task's "
        "hours an agent takes on at that oversight. Pilots are the top candidates whose readiness gates pass.",
        "table candidates (potential, agent_hours, oversight, "
        "oversight_level); table specs (rank, task, oversight, gate, hours_saved); "
        "scalars total_agent_hours, ready_now_agent_hours.",
    ):
        return
    cand = d.table("agent_candidates", "candidates")
    rec = cand[cand["oversight_level"].astype(float) < 3] if "oversight_level" in cand else cand
    series = {str(o): list(zip(g["potential"], g["agent_hours"], strict=True))
              for o, g in rec.groupby("oversight", sort=False)}  # fmt: skip
    deck.scatter_chart(page, (MARGIN, BODY_TOP, 6.0, BODY_BOTTOM - BODY_TOP - 0.7),
                       "Recurring tasks: automation potential and agent hours", series,
                       "Automation potential (share of the task)", "Agent hours a year")  # fmt: skip
    specs = d.table("agent_candidates", "specs")
    rows = [[number(r["rank"]), r["task"], r["oversight"], r["gate"], number(r["hours_saved"])]
            for _, r in (specs if specs is not None else pd.DataFrame()).iterrows()]  # fmt: skip
    if rows:
        deck.table(page, (MARGIN + 6.2, BODY_TOP, BODY_W - 6.2, BODY_BOTTOM - BODY_TOP - 0.7),
                   ["Rank", "Task", "Oversight", "Gate", "Hours a year"], rows, (0.6, 2.4, 1.5, 1.1, 0.9),
                   numeric=(True, False, False, False, True), more="see the agent specifications")  # fmt: skip
    line = (f"Agents could take on about {number(d.scalar('agent_candidates', 'total_agent_hours'))} hours a year; "
            f"{number(d.scalar('agent_candidates', 'ready_now_agent_hours'))} of them in tasks ready for a pilot now.")  # fmt: skip
    deck.text(page, (MARGIN, BODY_BOTTOM - 0.6, BODY_W, 0.6), line, 15, 10, max_lines=2)


def _roadmap(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        SUMMARY,
        "Method: Foundation, Training, Consolidation and Agents follow one another from the start date, lasting "
        "phase_weeks (engagement.yaml). Diamonds are the summary's milestones on their due dates; a tool decision "
        "is due 30 days before its renewal, so some fall before their phase or are already due.",
        "table roadmap (phase, start, end, weeks, owner); table milestones "
        "(phase, due, milestone, timing).",
    ):
        return
    plan = d.table(SUMMARY, "roadmap")
    marks = d.table(SUMMARY, "milestones")
    start, end = pd.Timestamp(plan["start"].min()), pd.Timestamp(plan["end"].max()) + pd.Timedelta(days=1)
    span = max((end - start).days, 1)
    label_w, x0 = 2.0, MARGIN + 2.1
    track_w = SLIDE_W - MARGIN - x0
    top, row_h = BODY_TOP + 0.45, 0.62

    def xpos(t: Any) -> float:
        return x0 + track_w * (pd.Timestamp(t) - start).days / span

    month = pd.Timestamp(start.year, start.month, 1)
    while month < end:  # month ticks
        if month >= start:
            deck.rect(page, xpos(month), top - 0.1, 0.01, row_h * len(plan) + 0.1, charts.GRID)
            deck.text(page, (xpos(month), BODY_TOP, 1.0, 0.35), f"{month:%b %Y}", 10, 8, colour=MUTED, max_lines=1)
        month += pd.DateOffset(months=1)
    colours = [d.accent, charts.PALETTE[2], charts.PALETTE[1], charts.PALETTE[4]]
    for i, (_, p) in enumerate(plan.iterrows()):
        y = top + i * row_h
        deck.text(page, (MARGIN, y, label_w, 0.32), p["phase"], 14, 10, bold=True, max_lines=1)
        deck.text(page, (MARGIN, y + 0.28, label_w, 0.3), f"{date_text(p['start'])} – {date_text(p['end'])}", 10, 8,
                  colour=MUTED, max_lines=1)  # fmt: skip
        bx = xpos(p["start"])
        bw = max(xpos(pd.Timestamp(p["end"]) + pd.Timedelta(days=1)) - bx, 0.05)
        deck.rect(page, bx, y + 0.08, bw, row_h - 0.28, colours[i % len(colours)])
        deck.text(page, (bx, y + 0.08, bw, row_h - 0.28), f"{number(p['weeks'])} weeks", 11, 8, colour="#FFFFFF",
                  max_lines=1)  # fmt: skip
        due = marks[(marks["phase"] == p["phase"])] if marks is not None else pd.DataFrame()
        for t in due["due"] if len(due) else []:
            if start <= pd.Timestamp(t) < end:
                deck.rect(page, xpos(t) - 0.07, y + row_h - 0.2, 0.14, 0.14, TEXT, shape="diamond")
    owner = plan["owner"].iloc[0] if len(plan) else ""
    timing = marks["timing"].value_counts() if marks is not None and "timing" in marks else pd.Series(dtype=int)
    early = marks[marks["timing"].isin(["already due", "before its phase"])] if marks is not None and "timing" in marks else None
    items = [f"Accountable for all four phases: {owner}.",
             f"{len(marks) if marks is not None else 0} milestones; {number(timing.get('already due', 0))} already due, "
             f"{number(timing.get('before its phase', 0))} due before their phase starts, "
             f"{number(timing.get('after the roadmap', 0))} after the roadmap ends."]  # fmt: skip
    if early is not None and len(early):
        first = early.sort_values("due").head(3)
        items += [f"Due {date_text(r['due'])}: {r['milestone']}" for _, r in first.iterrows()]
    y = top + len(plan) * row_h + 0.2
    deck.bullets(page, (MARGIN, y, BODY_W, BODY_BOTTOM - y), items, 14, 9)


def _requests(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        SUMMARY,
        "Method: the data gaps each phase found, as requests to the client, with the phase that found "
        "them; and the one decision that comes first, the accountable owner.",
        "table requests (request, from); scalar owner.",
    ):
        return
    req = d.table(SUMMARY, "requests")
    items = [f"{r['request']} ({r['from']})" for _, r in req.iterrows()] if req is not None else []
    deck.bullets(page, _body(), items or ["Nothing: every phase had the data it needed."], 16, 10)


def _progress(deck: Deck, page: Page) -> None:
    d = deck.data
    if _opening(
        deck,
        page,
        SUMMARY,
        f"Method: the headline figures and the diagnosis of this run beside those of the baseline run "
        f"{d.baseline_id}, each as that run recorded it.",
        "tables headlines and diagnosis, of this run and of the baseline run.",
    ):
        return
    base = d.baseline.record if d.baseline is not None and d.baseline.ok else None
    if base is None:
        error = d.baseline.error if d.baseline is not None else "not given"
        deck.text(page, _body(), f"Not available: the baseline run {d.baseline_id} has no summary ({error}).")
        return
    now, then = d.table(SUMMARY, "diagnosis"), base["tables"]["diagnosis"]
    merged = now[["factor", "label", "evidence_level"]].merge(
        then[["factor", "evidence_level"]], on="factor", how="left", suffixes=("", "_baseline")
    )
    deck.bar_chart(page, (MARGIN, BODY_TOP, 6.0, BODY_BOTTOM - BODY_TOP), "Evidence by factor: baseline and now",
                   list(merged["label"]), {f"Baseline ({d.baseline_id})": list(merged["evidence_level_baseline"]),
                                           "Now": list(merged["evidence_level"])},
                   "Level (1 failing · 2 partial · 3 successful)", "0", colours=(SECOND, d.accent), scale=(0, 3))  # fmt: skip
    heads, before = d.table(SUMMARY, "headlines"), base["tables"]["headlines"].set_index("key")
    rows = []
    for _, r in heads.iterrows():
        b = before.loc[r["key"]] if r["key"] in before.index else None
        rows.append([r["figure"], _headline(b, d.currency) if b is not None else "not known", _headline(r, d.currency)])
    deck.table(page, (MARGIN + 6.2, BODY_TOP, BODY_W - 6.2, BODY_BOTTOM - BODY_TOP), ["Figure", "Baseline", "Now"],
               rows, (2.8, 1.5, 1.5), numeric=(False, True, True), more="see the summary reports")  # fmt: skip


SLIDES: tuple[SlideSpec, ...] = (
    SlideSpec("title", "", _title_slide, ()),
    SlideSpec("executive_summary", "Executive summary", _executive_summary, (SUMMARY,)),
    SlideSpec("diagnosis", "The diagnosis: leadership's view beside the evidence", _diagnosis, (SUMMARY,)),
    SlideSpec("time", "Where the time goes", _time, ("workflow_mapping",)),
    SlideSpec("start", "Where to start", _start, ("roi_ranking",)),
    SlideSpec("tools", "Tool spend and savings", _tools, ("consolidation",)),
    SlideSpec("governance", "Governance and shadow AI", _governance, ("consolidation",)),
    SlideSpec("training", "Training priorities and cohorts", _training, ("training_gaps",)),
    SlideSpec("agents", "Agent pilots", _agents, ("agent_candidates",)),
    SlideSpec("roadmap", "The dated roadmap", _roadmap, (SUMMARY,)),
    SlideSpec("requests", "What we need from you", _requests, (SUMMARY,)),
    SlideSpec("progress", "Progress since the baseline", _progress, (SUMMARY,), only_with_baseline=True),
)


def slide_titles(client: str, baseline: bool = False) -> list[str]:
    """The deck's slide titles in order (the title slide is titled with the client's name)."""
    return [s.title or clean(client) for s in SLIDES if baseline or not s.only_with_baseline]


def build_deck(data: DeckData) -> bytes:
    """The deck as .pptx bytes (`SLIDES` in order; the progress slide only with a baseline)."""
    deck = Deck(data)
    for spec in SLIDES:
        if spec.only_with_baseline and data.baseline is None:
            continue
        page = deck.new_page(spec.title or None)
        spec.build(deck, page)
    return deck.finish()


def deck_path(run_dir: Path, slug: str) -> Path:
    return Path(run_dir) / "pages" / f"{slug}{DECK_SUFFIX}"


def write_deck(run_dir: Path, settings: EngagementSettings, baseline: Path | None = None) -> Path:
    """Write `<run>/pages/<slug>_steering_committee.pptx` (atomically) from the run's results."""
    data = load_deck_data(Path(run_dir), settings, baseline)
    return write_atomic(deck_path(run_dir, settings.slug), build_deck(data))


def deck_key(run_dir: Path, settings: EngagementSettings, baseline: Path | None = None, manifest: dict | None = None) -> str:
    """What a run's deck is made from, as one digest (`kit.cache`): the kit's fingerprint, the
    settings, the run date, the bytes of every record it reads (`results/*.json`, the phases'
    status), the summary's status in the manifest and, for the progress slide, the baseline run's
    id and summary record. The run id is not in it, only its length (text is fitted to its box):
    a kept deck gets this run's id written in (`_with_run_id`)."""
    from kit.cache import digest, file_sha256, fingerprint

    run_dir = Path(run_dir)
    records = sorted((p.name, file_sha256(p)) for p in (run_dir / "results").glob("*.json"))
    summary = _summary_record(run_dir, manifest)
    base = None
    if baseline is not None:
        record = Path(baseline) / "results" / f"{SUMMARY}.json"
        base = [Path(baseline).name, file_sha256(record) if record.is_file() else None]
    return digest("deck", fingerprint(), settings.model_dump(mode="json"), _run_date(run_dir, manifest).isoformat(), records,
                  [summary.status, summary.error], len(run_dir.name), base)  # fmt: skip


def _with_run_id(pptx: bytes, old: str, new: str) -> bytes | None:
    """A deck built for run `old` as run `new` would build it: the run id replaced in its slides and
    notes. None when the ids differ in length (`deck_key` keeps them apart: text is fitted to its box)."""
    import zipfile

    if old == new:
        return pptx
    if len(old) != len(new):
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pptx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml"):
                data = data.replace(old.encode(), new.encode())
            dst.writestr(info, data)
    return out.getvalue()


def _kept_deck(cache: Any, slug: str, key: str, run_id: str) -> bytes | None:
    """The deck an earlier run kept under `key`, with `run_id` written in; None when there is none
    (or its run id is of another length: `_with_run_id`)."""
    found, kept = cache.get("decks", slug, key)
    return _with_run_id(kept[1], kept[0], run_id) if found else None


@dataclass
class BuiltDeck:
    """A run's deck built before the run ends (`build_ahead`), from what its manifest will say."""

    key: str
    pptx: bytes
    kept: bool  # taken from the cache, not built


def build_ahead(run_dir: Path, settings: EngagementSettings, cache: Any, baseline: Path | None, manifest: dict) -> BuiltDeck:
    """The deck `write_run_deck` would write if the run's manifest says `manifest` (its start and the
    summary's status) and no record in `results/` changes: the runner builds it while the summary
    renders and `write_run_deck(ahead=)` takes it when the keys agree. Reads the cache, never writes it
    (it runs in a thread of its own)."""
    key = deck_key(run_dir, settings, baseline, manifest)
    pptx = _kept_deck(cache, settings.slug, key, run_dir.name)
    if pptx is not None:
        return BuiltDeck(key, pptx, kept=True)
    return BuiltDeck(key, build_deck(load_deck_data(run_dir, settings, baseline, manifest)), kept=False)


def write_run_deck(run_dir: Path, settings: EngagementSettings, cache: Any = None, *, baseline: Path | None = None,
                   ahead: BuiltDeck | None = None) -> Path | None:  # fmt: skip
    """`kit run`'s deck: `write_deck`, never raising. A failure is reported in one line on stderr, its
    traceback kept in `<run>/logs/deck.log`, and the run stays as it is (None is returned).
    With the run cache (`kit.cache.RunCache`), a deck an earlier run built from the same records
    (`deck_key`) is copied with this run's id instead of being built again, and a built one is kept.
    `baseline` (the run folder this run is compared with) adds the progress slide, as `kit deck --baseline` does.
    `ahead`: a deck built before the run ended (`build_ahead`), written when its key is this run's."""
    import sys
    import traceback

    run_dir = Path(run_dir)
    try:
        if cache is None:
            return write_deck(run_dir, settings, baseline)
        key = deck_key(run_dir, settings, baseline)
        if ahead is not None and ahead.key == key:
            if not ahead.kept:
                cache.put("decks", settings.slug, key, (run_dir.name, ahead.pptx))
                cache.flush()
            return write_atomic(deck_path(run_dir, settings.slug), ahead.pptx)
        pptx = _kept_deck(cache, settings.slug, key, run_dir.name)
        if pptx is None:
            pptx = build_deck(load_deck_data(run_dir, settings, baseline))
            cache.put("decks", settings.slug, key, (run_dir.name, pptx))
            cache.flush()
        return write_atomic(deck_path(run_dir, settings.slug), pptx)
    except Exception as exc:  # noqa: BLE001 — the deck must never undo a complete run
        log = run_dir / "logs" / "deck.log"
        try:
            write_atomic(log, traceback.format_exc())
        except OSError:
            pass
        print(f"warning: the steering-committee deck was not written ({type(exc).__name__}: {exc}); "
              f"the reports are complete; details in {log}", file=sys.stderr)  # fmt: skip
        return None


def run_folder(reports: Path, slug: str, run: str = "latest") -> Path:
    """The run folder `run` names: a folder path, or a run id (or `latest`) under `<reports>/<slug>/`.
    Raises FileNotFoundError with one plain line when there is none or it holds no recorded results."""
    given = Path(run)
    base = Path(reports) / slug
    if given.is_dir():
        folder = given
    elif run == "latest" and (base / "latest.txt").is_file():
        folder = base / (base / "latest.txt").read_text(encoding="utf-8").strip()
    else:
        folder = base / run
    if not folder.is_dir():
        known = sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")) if base.is_dir() else []
        hint = f"; runs there: {', '.join(known[-5:])}" if known else f"; run `kit run` first (no runs under {base})"
        raise FileNotFoundError(f"run {run!r} not found: {folder} is not a folder{hint}")
    if not any((folder / "results").glob("*.json")):
        raise FileNotFoundError(f"{folder} holds no recorded results (results/<phase>.json): not a complete kit run")
    return folder

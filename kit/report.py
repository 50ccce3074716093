"""Self-contained HTML deliverables: executed notebooks, standalone pages and the run index.

Every document this module writes opens on a laptop with no network: one inline stylesheet
(``CSS``, system fonts only), no CDN scripts, and, when the document shows charts, the Vega
bundle inlined exactly once (``kit.charts.vega_bundle``). ``external_refs`` lists whatever
would still be fetched from outside the file; tests assert that it is empty.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

TEMPLATES_DIR = Path(__file__).parent / "templates"
REPORT_TEMPLATE = "kit_report"
BUNDLE_ID = "kit-vega-bundle"
CHART_SPEC_CLASS = "kit-chart-spec"
HEADER_CLASS = "kit-header"

#: Vega-Lite mimetypes a notebook may hold when charts were displayed with a mimetype renderer.
WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"
VEGALITE_MIMETYPES = tuple(f"application/vnd.vegalite.v{v}+json" for v in (6, 5, 4))

CSS = """\
:root {
  --kit-text: #1F2937; --kit-strong: #111827; --kit-muted: #4B5563; --kit-faint: #6B7280;
  --kit-rule: #E5E7EB; --kit-zebra: #F9FAFB; --kit-accent: #1F5AA6; --kit-accent-soft: #EFF4FB;
  --kit-ok: #1E7A46; --kit-ok-soft: #E8F5EE; --kit-bad: #B42318; --kit-bad-soft: #FEF3F2;
  --kit-skip: #6B7280; --kit-skip-soft: #F3F4F6;
  --kit-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
    "Liberation Sans", sans-serif;
  --kit-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: #FFFFFF; color: var(--kit-text);
  font-family: var(--kit-font); font-size: 16px; line-height: 1.55;
}
.kit-main { max-width: 920px; margin: 0 auto; padding: 36px 28px 56px; }
h1, h2, h3, h4 { color: var(--kit-strong); line-height: 1.25; font-weight: 650; }
h1 { font-size: 2rem; margin: 0.1rem 0 0.3rem; }
h2 { font-size: 1.4rem; margin: 2.4rem 0 0.7rem; padding-bottom: 0.3rem; border-bottom: 1px solid var(--kit-rule); }
h3 { font-size: 1.12rem; margin: 1.7rem 0 0.4rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 0.3rem; }
p, ul, ol { margin: 0 0 0.9rem; }
li { margin: 0.15rem 0; }
a { color: var(--kit-accent); }
a.anchor-link { display: none; }
strong { font-weight: 650; color: var(--kit-strong); }
code { font-family: var(--kit-mono); font-size: 0.9em; }
pre {
  font-family: var(--kit-mono); font-size: 0.85rem; line-height: 1.45; white-space: pre-wrap;
  background: var(--kit-zebra); border: 1px solid var(--kit-rule); border-radius: 4px;
  padding: 10px 12px; margin: 8px 0 16px; overflow-x: auto;
}
hr { border: 0; border-top: 1px solid var(--kit-rule); margin: 2rem 0; }
img, svg { max-width: 100%; }

/* title block */
.kit-header { border-bottom: 3px solid var(--kit-accent); padding-bottom: 16px; margin-bottom: 28px; }
.kit-header .kit-client {
  font-size: 0.82rem; font-weight: 650; letter-spacing: 0.06em; text-transform: uppercase;
  color: var(--kit-accent); margin: 0;
}
.kit-header .kit-subtitle { font-size: 1.12rem; color: var(--kit-muted); margin: 0.2rem 0 0; }
.kit-header .kit-meta { font-size: 0.9rem; color: var(--kit-faint); margin: 0.6rem 0 0; }

/* "What this means" */
.kit-say {
  background: var(--kit-accent-soft); border-left: 4px solid var(--kit-accent);
  border-radius: 0 4px 4px 0; padding: 12px 16px; margin: 12px 0 22px;
}
.kit-say .kit-say-label {
  display: block; font-size: 0.78rem; font-weight: 650; letter-spacing: 0.05em;
  text-transform: uppercase; color: var(--kit-accent); margin-bottom: 4px;
}
.kit-say p { margin: 0 0 0.5rem; }
.kit-say p:last-child { margin-bottom: 0; }

/* charts */
.kit-chart { margin: 12px 0 26px; min-height: 32px; max-width: 100%; overflow-x: auto; }
.kit-chart svg { max-width: 100%; height: auto; }
.kit-chart-fallback { color: var(--kit-faint); font-style: italic; }
.vega-embed { max-width: 100%; }

/* tables */
table {
  border-collapse: collapse; margin: 8px 0 22px; font-size: 0.92rem;
  font-variant-numeric: tabular-nums;
}
caption {
  caption-side: top; text-align: left; color: var(--kit-muted); font-size: 0.88rem;
  padding: 0 0 6px;
}
th {
  text-align: left; font-weight: 650; color: var(--kit-strong); vertical-align: bottom;
  border-bottom: 2px solid #9CA3AF; padding: 6px 14px 6px 0;
}
td { border-bottom: 1px solid var(--kit-rule); padding: 6px 14px 6px 0; vertical-align: top; }
tbody tr:nth-child(even) td { background: var(--kit-zebra); }
td.kit-num, th.kit-num { text-align: right; }
.kit-table-note { font-size: 0.85rem; color: var(--kit-faint); margin: -14px 0 22px; }

/* notebook chrome left by nbconvert */
.jp-InputPrompt, .jp-OutputPrompt, .jp-Collapser { display: none; }
.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"] pre {
  background: var(--kit-bad-soft); border-color: #FECACA;
}

/* index */
.kit-index-section { margin-top: 28px; }
.kit-index { width: 100%; table-layout: fixed; }
.kit-index th:nth-child(1) { width: 44%; }
.kit-index th:nth-child(2) { width: 14%; }
.kit-index td { overflow-wrap: anywhere; }
.kit-status {
  display: inline-block; font-size: 0.78rem; font-weight: 650; letter-spacing: 0.03em;
  text-transform: uppercase; border-radius: 999px; padding: 1px 10px; border: 1px solid currentColor;
}
.kit-status-ok { color: var(--kit-ok); background: var(--kit-ok-soft); }
.kit-status-failed { color: var(--kit-bad); background: var(--kit-bad-soft); }
.kit-status-skipped, .kit-status-other { color: var(--kit-skip); background: var(--kit-skip-soft); }
.kit-problems {
  border: 1px solid #FECACA; background: var(--kit-bad-soft); border-radius: 4px;
  padding: 12px 16px 4px; margin: 20px 0;
}
.kit-problems h2 { border: 0; margin: 0 0 6px; font-size: 1.05rem; color: var(--kit-bad); }
.kit-summary-link { font-weight: 650; }

.kit-footer {
  margin-top: 52px; padding-top: 12px; border-top: 1px solid var(--kit-rule);
  font-size: 0.8rem; color: var(--kit-faint);
}

/* print: A4 and Letter alike (size: auto takes the printer's paper); nothing is cut at the edge */
@page { size: auto; margin: 16mm 14mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; background: #FFFFFF; color: #000000; }
  .kit-main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h1, h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  p, li { orphans: 3; widows: 3; }
  .kit-chart, .kit-say, .kit-header, figure, img, svg, pre {
    break-inside: avoid; page-break-inside: avoid;
  }
  .kit-chart, .jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible; }
  .kit-chart svg, img { max-width: 100% !important; height: auto !important; }
  table { break-inside: auto; max-width: 100%; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, td, th { break-inside: avoid; page-break-inside: avoid; }
  td, th { overflow-wrap: break-word; }
  tbody tr:nth-child(even) td { background: none; }
  .kit-say { background: none; }
  .kit-footer { margin-top: 24px; }
}
"""


# --- small building blocks ---------------------------------------------------------------------


def format_date(value: str | dt.date | None) -> tuple[str, str]:
    """``(display, iso)`` for a date: "1 March 2027" and "2027-03-01". A string that is not an
    ISO date is shown as given (iso is then "")."""
    if value is None or value == "":
        return "", ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value, ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day} {value:%B %Y}", value.isoformat()


def header_html(title: str, client: str, date: str | dt.date | None, subtitle: str = "") -> str:
    """The title block at the top of every deliverable; all text is escaped."""
    shown, iso = format_date(date)
    time_tag = f'<time datetime="{iso}">{escape(shown)}</time>' if iso else escape(shown)
    parts = [
        f'<header class="{HEADER_CLASS}">',
        f'<p class="kit-client">{escape(client)}</p>' if client else "",
        f"<h1>{escape(title)}</h1>",
        f'<p class="kit-subtitle">{escape(subtitle)}</p>' if subtitle else "",
        f'<p class="kit-meta">{time_tag}</p>' if shown else "",
        "</header>",
    ]
    return "".join(parts)


def footer_html(client: str, date: str | dt.date | None) -> str:
    """The closing line of every deliverable: client, date and kit version (printed on paper too)."""
    from kit import __version__

    shown, _ = format_date(date)
    who = f"Prepared for {escape(client)}" if client else "Prepared"
    when = f" · {escape(shown)}" if shown else ""
    return f'<footer class="kit-footer">{who}{when} · AI-adoption kit {escape(__version__)}</footer>'


def bundle_script() -> str:
    """The ``<script>`` element carrying the Vega bundle and the chart initialiser."""
    from kit.charts import vega_bundle

    return f'<script id="{BUNDLE_ID}">{vega_bundle()}</script>'


def has_charts(html: str) -> bool:
    return CHART_SPEC_CLASS in html


def write_atomic(path: Path, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8, or bytes) to ``path`` via a temp file in the same folder
    and ``os.replace``, so a reader never sees a half-written file.

    An OSError (disk full, read-only folder, ...) is raised with ``filename`` set to ``path``:
    a failing ``write()`` names no file, and the temp file's name would mean nothing to a user.
    """
    path = Path(path)
    # Not tempfile.mkstemp: its 0600 mode would make deliverables unreadable to others.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            with open(tmp, "x", encoding="utf-8", newline="\n") as fh:
                fh.write(content)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename in (None, str(tmp)):
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _document(title: str, body: str) -> str:
    scripts = bundle_script() if has_charts(body) else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="ai-adoption-kit">\n'
        f"<title>{escape(title)}</title>\n<style>\n{CSS}</style>\n</head>\n"
        f'<body class="kit-report">\n<main class="kit-main">\n{body}\n</main>\n{scripts}\n</body>\n</html>\n'
    )


def page_html(
    title: str, body_html: str, *, client: str, date: str | dt.date | None, subtitle: str = ""
) -> str:
    """A full standalone document: title block, ``body_html`` (trusted markup: build it from
    escaped pieces), footer, and the Vega bundle only if the body holds a kit chart."""
    body = header_html(title, client, date, subtitle) + "\n" + body_html + "\n" + footer_html(client, date)
    return _document(f"{title} · {client}" if client else title, body)


# --- notebook export ---------------------------------------------------------------------------

_REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
_REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})


def _prepare_for_report(nb: Any) -> Any:
    """Reader-facing clean-up of the executed notebook (mutated): drop cells/outputs tagged
    remove-cell/remove-output, stderr streams (warnings stay in the executed .ipynb) and widget
    views without an HTML fallback; turn Vega-Lite mimetype outputs into kit chart HTML."""
    from kit.charts import spec_html

    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", ()))
        if tags & _REMOVE_CELL_TAGS:
            continue
        if cell.get("cell_type") == "code":
            outputs = [] if tags & _REMOVE_OUTPUT_TAGS else cell.get("outputs", [])
            kept = []
            for out in outputs:
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    continue
                data = out.get("data")
                if data is not None and WIDGET_MIMETYPE in data:
                    if "text/html" not in data:
                        continue  # a live control: nothing to show without a kernel
                    out["data"] = data = {"text/html": data["text/html"]}
                if data is not None:
                    for mime in VEGALITE_MIMETYPES:
                        if mime in data and "text/html" not in data:
                            data["text/html"] = spec_html(data[mime])
                            del data[mime]
                            break
                kept.append(out)
            cell["outputs"] = kept
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


def _html_outputs(nb: Any) -> Iterable[str]:
    for cell in nb.cells:
        for out in cell.get("outputs", ()):
            html = out.get("data", {}).get("text/html")
            if html:
                yield "".join(html) if isinstance(html, list) else html


_BUNDLE_PLACEHOLDER = f'<script id="{BUNDLE_ID}"></script>'


_EXPORTER: Any = None  # the process's one report exporter, made once (its templates compiled on first use)
_EXPORT_LOCK = threading.Lock()  # exports take turns: an export is ~0.1 s once the templates are compiled


_NO_ALT = re.compile(r"<img(?![^>]*\salt=)", re.IGNORECASE)
IMAGE_ALT = "No description has been provided for this image"


def _report_exporter_class() -> type:
    """nbconvert's HTMLExporter without its closing BeautifulSoup pass, which parsed and
    re-serialized every report (about 70% of an export's time, and a tenth of a second of CSS-selector
    compiling per process) to add `tabindex` to cells under `.jp-Notebook`, which the report
    template does not have, and alt text to images that lack it, done here on the text."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):  # HTMLExporter's, but the soup pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _NO_ALT.sub(f'<img alt="{IMAGE_ALT}"', html), resources

    return ReportExporter


def _exporter() -> Any:
    """The report exporter, made once per process. Call it holding `_EXPORT_LOCK`."""
    global _EXPORTER
    if _EXPORTER is None:
        _EXPORTER = _report_exporter_class()(
            template_name=REPORT_TEMPLATE,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
    return _EXPORTER


def warm_exporter() -> None:
    """Import nbconvert and compile the report templates now (about half a second, once per process),
    by exporting an empty notebook: the runner does it while its kernels start, so the first
    phase's export does not pay for it."""
    import nbformat

    notebook_html(nbformat.v4.new_notebook(), title="", client="", date=None, copy=False)


def notebook_html(nb: Any, *, title: str, client: str, date: str | dt.date | None, copy: bool = True) -> str:
    """The report HTML for an executed notebook node (see ``export_notebook_html``); `copy=False`
    lets it change `nb` (a node read for the export only)."""
    import copy as _copy

    nb = _prepare_for_report(_copy.deepcopy(nb) if copy else nb)
    outputs = list(_html_outputs(nb))
    shows_header = any(f'class="{HEADER_CLASS}"' in html for html in outputs)
    resources = {
        "kit": {
            "title": escape(f"{title} · {client}" if client else title),
            "css": CSS,
            "header_html": "" if shows_header else header_html(title, client, date),
            "footer_html": footer_html(client, date),
            "scripts": _BUNDLE_PLACEHOLDER if any(has_charts(h) for h in outputs) else "",
        }
    }
    with _EXPORT_LOCK:
        body, _ = _exporter().from_notebook_node(nb, resources=resources)
    if resources["kit"]["scripts"]:
        # Swapped in once the page is made: the template need not carry 0.9 MB of JS.
        assert body.count(_BUNDLE_PLACEHOLDER) == 1, "report template lost the bundle slot"
        body = body.replace(_BUNDLE_PLACEHOLDER, bundle_script())
    return body


def export_notebook_html(
    ipynb_path: Path, html_path: Path, *, title: str, client: str, date: str | dt.date | None
) -> Path:
    """Write the executed notebook at ``ipynb_path`` as a self-contained report at ``html_path``
    (atomically) and return that path.

    Code is hidden; outputs appear as the notebook left them. If no cell displayed
    ``kit.notebook.header(...)``, a title block from ``title``/``client``/``date`` is added.
    Widget outputs cannot run without a kernel and are dropped (an HTML fallback is kept), as
    are JavaScript outputs.
    """
    import nbformat

    nb = nbformat.read(str(ipynb_path), as_version=4)
    return write_atomic(Path(html_path), notebook_html(nb, title=title, client=client, date=date, copy=False))


# --- run index ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexEntry:
    """One line of the run index. ``href`` is relative to the index (None: nothing to open)."""

    title: str
    href: str | None
    status: str = "ok"  # ok, failed, skipped (anything else is shown as given)
    note: str = ""
    kind: str = "report"  # report, page, file


_KIND_HEADINGS = (("report", "Reports"), ("page", "Pages"), ("file", "Files"))
_STATUS_CLASSES = {"ok": "kit-status-ok", "failed": "kit-status-failed", "skipped": "kit-status-skipped"}
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _safe_href(href: str | None) -> str | None:
    """Relative links only: a scheme such as ``javascript:`` or ``https:`` is refused."""
    if not href or _SCHEME.match(href) or href.lstrip().startswith("//"):
        return None
    return escape(href, quote=True)


def _entry_row(entry: IndexEntry) -> str:
    href = _safe_href(entry.href)
    title = escape(entry.title)
    cell = f'<a href="{href}">{title}</a>' if href else title
    status = escape(entry.status)
    badge = f'<span class="kit-status {_STATUS_CLASSES.get(entry.status, "kit-status-other")}">{status}</span>'
    return f"<tr><td>{cell}</td><td>{badge}</td><td>{escape(entry.note)}</td></tr>"


def index_html(
    *,
    client: str,
    date: str | dt.date | None,
    run_id: str,
    entries: Sequence[IndexEntry],
    summary_href: str | None = None,
    problems: Sequence[str] = (),
    executive_summary: str = "",
    notice: str = "",
    progress_href: str | None = None,
) -> str:
    """The run's ``index.html``: a ``notice`` first when there is one (an incomplete run), then the
    link to the progress report (a follow-up run, ``progress_href``), the executive summary
    paragraph (when the summary ran), reports, pages and files with their status, plus
    data-quality warnings. Every string is escaped; links must be relative."""
    parts: list[str] = []
    if notice:
        parts.append(f'<section class="kit-problems kit-notice"><p>{escape(notice)}</p></section>')
    if (href := _safe_href(progress_href)) is not None:
        parts.append(f'<p><a class="kit-summary-link kit-progress-link" href="{href}">'
                     "Start here: progress since the baseline</a></p>")  # fmt: skip
    if executive_summary:
        parts.append(f'<div class="kit-say"><span class="kit-say-label">In one paragraph</span>'
                     f"<p>{escape(executive_summary)}</p></div>")  # fmt: skip
    failed = sum(e.status == "failed" for e in entries)
    ok = sum(e.status == "ok" for e in entries if e.kind == "report")
    lead = f"{ok} of {sum(e.kind == 'report' for e in entries)} reports completed"
    lead += f"; {failed} failed." if failed else "."
    parts.append(f'<p class="kit-lead">{escape(lead)}</p>')
    if (href := _safe_href(summary_href)) is not None:
        label = "Then the summary" if _safe_href(progress_href) else "Start here: the summary"
        parts.append(f'<p><a class="kit-summary-link" href="{href}">{label}</a></p>')
    if problems:
        items = "".join(f"<li>{escape(p)}</li>" for p in problems)
        parts.append(f'<section class="kit-problems"><h2>Data-quality warnings</h2><ul>{items}</ul></section>')
    known = {kind for kind, _ in _KIND_HEADINGS}
    groups = [*_KIND_HEADINGS, *((k, k.capitalize()) for k in dict.fromkeys(e.kind for e in entries) if k not in known)]
    for kind, heading in groups:
        rows = [_entry_row(e) for e in entries if e.kind == kind]
        if rows:
            parts.append(
                f'<section class="kit-index-section"><h2>{escape(heading)}</h2>'
                '<table class="kit-index"><thead><tr><th>Deliverable</th><th>Status</th><th>Note</th></tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table></section>"
            )
    return page_html("AI adoption deliverables", "\n".join(parts), client=client, date=date, subtitle=f"Run {run_id}")


# --- self-containment check --------------------------------------------------------------------

_LOADING_TAGS = frozenset({"script", "link", "img", "iframe", "frame", "embed", "object", "source",
                           "audio", "video", "track", "input", "use", "image"})  # fmt: skip
_LOADING_ATTRS = frozenset({"src", "href", "data", "srcset", "poster", "xlink:href"})
_CSS_IMPORT = re.compile(r"@import\s+[^;]+", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CDN_IN_SCRIPT = re.compile(
    r"""(?:https?:)?//[^\s"'`]*(?:cdn|unpkg|jsdelivr|esm\.sh|cdnjs|googleapis|skypack)[^\s"'`]*""",
    re.IGNORECASE,
)


def _is_inline_ref(value: str) -> bool:
    value = value.strip()
    return value == "" or value.startswith(("#", "data:", "about:blank"))


class _RefScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self._in: str | None = None
        self._script_type = ""

    def _css(self, text: str) -> None:
        self.refs += [m.group(0).strip() for m in _CSS_IMPORT.finditer(text)]
        self.refs += [f"url({m.group(2)})" for m in _CSS_URL.finditer(text) if not _is_inline_ref(m.group(2))]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag in _LOADING_TAGS:
            for name in _LOADING_ATTRS & values.keys():
                if not _is_inline_ref(values[name]):
                    self.refs.append(f"<{tag} {name}={values[name]}>")
        if "style" in values:
            self._css(values["style"])
        if tag in ("style", "script"):
            self._in = tag
            self._script_type = values.get("type", "").lower()

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self._css(data)
        elif self._in == "script" and self._script_type in ("", "text/javascript", "module", "application/javascript"):
            self.refs += [f"script loads {m.group(0)}" for m in _CDN_IN_SCRIPT.finditer(data)]


def external_refs(html: str) -> list[str]:
    """Everything in ``html`` that a browser would fetch from outside the file: ``src``/``href``
    of script, link, img, iframe... (not ``<a>`` links), CSS ``@import`` and non-data ``url()``
    in ``<style>`` and ``style=""``, and CDN URLs inside inline scripts (the loaders Altair's
    default renderer emits). Empty for a self-contained document."""
    scanner = _RefScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.refs

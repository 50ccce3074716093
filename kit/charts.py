"""The kit's chart look (Altair theme "kit") and the offline report renderer.

Chart functions in ``kit.phases`` return plain ``alt.Chart`` objects; this module decides how
they look (one theme) and how they are emitted:

* report mode (``KIT_REPORT=1``): each chart becomes an inert ``<div class="kit-chart">`` plus a
  ``<script type="application/json">`` holding its spec. The exported HTML carries the Vega
  bundle (``vega_bundle()``) once, which draws every chart as SVG without any network.
* live mode (JupyterLab): each chart is output as a Vega-Lite spec under the
  ``application/vnd.vegalite.v5+json`` mimetype, which JupyterLab's own Vega renderer
  (``@jupyterlab/vega5-extension``, Vega-Lite 5.6 in JupyterLab 4.6) draws in the page as SVG,
  with no network. Text is then measured by the browser with the fonts it draws it in; an SVG
  laid out in the kernel (vl-convert) used other fonts' metrics, so the browser's wider glyphs
  were clipped. Altair 6's "default" renderer loads Vega from a CDN, and its "mimetype" renderer
  uses the Vega-Lite 6 mimetype, which JupyterLab 4 does not render; the kit's charts use nothing
  Vega-Lite 6 added (tests compile each with Vega-Lite 5).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import altair as alt

THEME_NAME = "kit"
REPORT_RENDERER = "kit-report"
LIVE_RENDERER = "kit-live"
#: The mimetype JupyterLab 4's built-in renderer draws (it handles Vega-Lite 3 to 5, not 6).
LIVE_MIMETYPE = "application/vnd.vegalite.v5+json"
LIVE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Noto Sans", "Liberation Sans", sans-serif'
)

#: Categorical palette: colour-blind-safe, distinguishable in greyscale print order.
PALETTE: tuple[str, ...] = (
    "#1F5AA6",  # blue (primary)
    "#E07B39",  # orange
    "#2E9E6A",  # green
    "#C23B4B",  # red
    "#7B5EA7",  # purple
    "#2BA3B5",  # teal
    "#B5A33A",  # olive
    "#D66BA0",  # pink
    "#8C6D4F",  # brown
    "#6B7280",  # grey
)
PRIMARY = PALETTE[0]
#: Semantic colours for good/bad/neutral encodings (e.g. savings vs cost, above vs below target).
POSITIVE = "#2E9E6A"
NEGATIVE = "#C23B4B"
NEUTRAL = "#9CA3AF"
TEXT = "#1F2937"
MUTED_TEXT = "#4B5563"
GRID = "#E5E7EB"

#: Sequential ramp (light to dark blue) for heatmaps such as skill gaps.
SEQUENTIAL: tuple[str, ...] = ("#EFF4FB", "#C6D7EE", "#8FB1DD", "#5687C6", "#1F5AA6", "#143D73")

#: Every chart's total width (axes, legend and padding included) is at most this: it fits the
#: report's column (920 px less padding) and JupyterLab's output area (about 950 px).
MAX_WIDTH = 860
WIDTH = MAX_WIDTH
#: Autosize for a facet or concatenated chart, where Vega-Lite cannot fit the whole to a width: its
#: parts get explicit widths (a facet's plot `FACET_WIDTH`), chosen so the total stays in `MAX_WIDTH`.
PAD = {"type": "pad", "contains": "padding"}
FACET_WIDTH = 600
HEIGHT = 320
BAR_STEP = 26


def theme_config(accent: str | None = None) -> alt.theme.ThemeConfig:
    """The Vega-Lite config of the "kit" theme; ``accent`` (a CSS colour, e.g. the client's
    brand colour) replaces the primary colour for single-series marks and the first category."""
    palette = [accent, *PALETTE[1:]] if accent else list(PALETTE)
    primary = palette[0]
    axis = {
        "labelColor": MUTED_TEXT,
        "labelFontSize": 12,
        "titleColor": TEXT,
        "titleFontSize": 12,
        "titleFontWeight": 600,
        "gridColor": GRID,
        "domainColor": "#9CA3AF",
        "tickColor": "#9CA3AF",
        "labelLimit": 220,
    }
    return {
        "config": {
            "background": "white",
            "font": FONT,
            "padding": 8,
            # `width` is the whole chart's: the plot shrinks to leave room for labels and legend.
            "autosize": {"type": "fit-x", "contains": "padding"},
            "view": {
                "continuousWidth": WIDTH,
                "continuousHeight": HEIGHT,
                "discreteWidth": WIDTH,
                "discreteHeight": {"step": BAR_STEP},
                "stroke": None,
            },
            "title": {
                "anchor": "start",
                "fontSize": 16,
                "fontWeight": 600,
                "color": TEXT,
                "subtitleFontSize": 13,
                "subtitleColor": MUTED_TEXT,
                "offset": 12,
            },
            "axis": axis,
            "axisBand": {"grid": False, "ticks": False},
            "legend": {
                        "labelFontSize": 12,
                "labelColor": MUTED_TEXT,
                        "titleFontSize": 12,
                "titleColor": TEXT,
                "titleFontWeight": 600,
                "symbolType": "square",
                "labelLimit": 240,
            },
            "header": {"labelFontSize": 12, "titleFontSize": 13},
            "range": {"category": palette, "ramp": list(SEQUENTIAL), "heatmap": list(SEQUENTIAL)},
            "mark": {"color": primary, "tooltip": True},
            "bar": {"color": primary, "cornerRadiusEnd": 2},
            "line": {"color": primary, "strokeWidth": 2.5},
            "point": {"color": primary, "filled": True, "size": 60},
            "area": {"color": primary, "opacity": 0.85},
            "rule": {"color": MUTED_TEXT},
            "text": {"fontSize": 12, "color": TEXT},
            "arc": {"stroke": "white", "strokeWidth": 1},
        }
    }


@alt.theme.register(THEME_NAME, enable=True)
def _kit_theme() -> alt.theme.ThemeConfig:
    return theme_config()


def enable_theme(accent: str | None = None) -> None:
    """Enable the "kit" theme, optionally re-registered with the client's ``accent`` colour."""
    if accent:
        alt.theme.register(THEME_NAME, enable=False)(lambda: theme_config(accent))
    else:
        alt.theme.register(THEME_NAME, enable=False)(_kit_theme)
    alt.theme.enable(THEME_NAME)


def category_scale(domain: Iterable[str], fixed: Mapping[str, str] | None = None) -> alt.Scale:
    """A colour scale giving each category the same colour in every chart of a report.

    Categories keep their order in ``domain``; ``fixed`` pins colours for known values
    (e.g. ``{"other": NEUTRAL}``); the rest take palette colours in order, cycling after ten.
    """
    values = list(dict.fromkeys(domain))
    return alt.Scale(domain=values, range=[colour_for(v, values, fixed) for v in values])


def colour_for(value: str, domain: Iterable[str], fixed: Mapping[str, str] | None = None) -> str:
    """The colour ``category_scale(domain, fixed)`` gives ``value``."""
    if fixed and value in fixed:
        return fixed[value]
    free = [v for v in dict.fromkeys(domain) if not (fixed and v in fixed)]
    return PALETTE[free.index(value) % len(PALETTE)] if value in free else NEUTRAL


# --- report renderer --------------------------------------------------------------------------

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_for_html(value: Any) -> str:
    """JSON text safe to place inside a ``<script>`` element: ``<``, ``>`` and ``&`` become
    ``\\u003c`` etc., so data strings cannot close the element or open markup."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JSON_ESCAPES).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def chart_title(spec: Mapping[str, Any]) -> str:
    """The spec's title text (first line), looking into layers/concats; "" when untitled."""
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = title[0] if title else ""
    if title:
        return str(title)
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for part in spec.get(key) or ():
            if isinstance(part, Mapping) and (found := chart_title(part)):
                return found
    spec_part = spec.get("spec")
    return chart_title(spec_part) if isinstance(spec_part, Mapping) else ""


def _to_spec(chart: alt.TopLevelMixin | Mapping[str, Any]) -> dict[str, Any]:
    return dict(chart) if isinstance(chart, Mapping) else chart.to_dict()


def spec_html(chart: alt.TopLevelMixin | Mapping[str, Any]) -> str:
    """Inert HTML for one chart: an empty ``div.kit-chart`` followed by its spec as escaped JSON
    in ``<script type="application/json" class="kit-chart-spec">``. Nothing executes per chart;
    the page's single Vega bundle finds and draws every spec (see ``vega_bundle``)."""
    spec = _to_spec(chart)
    title = chart_title(spec) or "Chart"
    label = escape(title, quote=True)
    return (
        f'<div class="kit-chart" role="img" aria-label="{label}">'
        f'<p class="kit-chart-fallback">Chart: {escape(title)}</p></div>'
        f'<script type="application/json" class="kit-chart-spec">{json_for_html(spec)}</script>'
    )


def _report_renderer(spec: dict[str, Any], **_metadata: Any) -> dict[str, str]:
    return {"text/html": spec_html(spec), "text/plain": f"<chart: {chart_title(spec) or 'untitled'}>"}


alt.renderers.register(REPORT_RENDERER, _report_renderer)


def enable_report_renderer() -> None:
    """Charts display as inert spec HTML, drawn later by the exported page's Vega bundle."""
    alt.renderers.enable(REPORT_RENDERER)


def _live_renderer(spec: dict[str, Any], **_metadata: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = {**spec, "$schema": LIVE_SCHEMA}
    data = {LIVE_MIMETYPE: spec, "text/plain": f"<chart: {chart_title(spec) or 'untitled'}>"}
    return data, {LIVE_MIMETYPE: {"embed_options": {"actions": False, "renderer": "svg"}}}


alt.renderers.register(LIVE_RENDERER, _live_renderer)


def enable_live_renderer() -> None:
    """Charts display as Vega-Lite specs drawn by JupyterLab's own Vega renderer, as SVG, offline."""
    alt.renderers.enable(LIVE_RENDERER)


# --- the Vega bundle ---------------------------------------------------------------------------

_INIT_JS = """
(function () {
  "use strict";
  function drawAll() {
    var specs = document.querySelectorAll("script.kit-chart-spec");
    Array.prototype.forEach.call(specs, function (el) {
      if (el.getAttribute("data-kit-drawn")) { return; }
      el.setAttribute("data-kit-drawn", "1");
      var target = el.previousElementSibling;
      if (!target || !target.classList.contains("kit-chart")) {
        target = document.createElement("div");
        target.className = "kit-chart";
        el.parentNode.insertBefore(target, el);
      }
      var spec;
      try { spec = JSON.parse(el.textContent); } catch (err) {
        target.textContent = "This chart could not be read.";
        return;
      }
      target.textContent = "";
      window.vegaEmbed(target, spec, {actions: false, renderer: "svg"}).catch(function (err) {
        target.textContent = "This chart could not be drawn: " + err.message;
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
"""


def _vl_version() -> str | None:
    """Vega-Lite "major.minor" of the installed Altair, if vl-convert ships that version."""
    import vl_convert as vlc

    wanted = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    return wanted if wanted in vlc.get_vegalite_versions() else None


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """JavaScript (no ``<script>`` tag) defining Vega, Vega-Lite and Vega-Embed, then drawing
    every ``.kit-chart-spec`` on the page as SVG. About 0.9 MB; include it once per page."""
    import vl_convert as vlc

    version = _vl_version()
    cache = _cache_dir() / f"vega-bundle-{getattr(vlc, '__version__', 'x')}-{version}.js"
    try:
        bundle = cache.read_text(encoding="utf-8")
    except OSError:
        bundle = vlc.javascript_bundle(vl_version=version)
        # Inline <script> content must never contain "</script"; "<\\/" means the same in JS.
        bundle = bundle.replace("</script", "<\\/script")
        _store(cache, bundle)
    return bundle + _INIT_JS


def _cache_dir() -> Path:
    """Where the generated bundle is kept between runs (building it takes about a second)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ai-adoption-kit"


def _store(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs the rebuild next time

"""The helpers a phase notebook calls; notebooks hold no logic, only calls like these.

A notebook runs in one of two modes, read from the environment at call time:

* **report** (``KIT_REPORT=1``, set by ``kit run``): outputs are static HTML that
  ``kit.report.export_notebook_html`` turns into a self-contained deliverable.
* **live** (anything else, e.g. ``kit open`` in JupyterLab): charts are Vega-Lite specs that
  JupyterLab's own Vega renderer draws (``kit.charts``), and ``controls`` gives the analyst
  sliders and dropdowns, each re-drawing the views under them.

Every helper escapes the text it is given: data strings never become markup.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import altair as alt
import ipywidgets
import numpy as np
import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from kit import charts, report
from kit.text import MINUS

REPORT_ENV = "KIT_REPORT"


# --- mode --------------------------------------------------------------------------------------


def is_report() -> bool:
    """True when the batch runner executes this notebook (``KIT_REPORT=1``)."""
    return os.environ.get(REPORT_ENV) == "1"


@dataclasses.dataclass(frozen=True)
class Mode:
    """How the notebook is running. Displays nothing, so ``setup()`` may end a cell."""

    report: bool

    @property
    def live(self) -> bool:
        return not self.report

    def _ipython_display_(self) -> None:
        return None


def setup(accent: str | None = None) -> Mode:
    """Enable the "kit" chart theme (``accent``: the client's brand colour, optional), the
    chart renderer for this mode, and pandas display options; return the mode."""
    charts.enable_theme(accent)
    mode = Mode(report=is_report())
    if mode.report:
        charts.enable_report_renderer()
    else:
        charts.enable_live_renderer()
    pd.set_option("display.max_columns", 50)
    pd.set_option("display.max_colwidth", 80)
    pd.set_option("display.width", 160)
    pd.set_option("display.precision", 2)
    return mode


# --- text ----------------------------------------------------------------------------------------


def header(title: str, client: str, date: str | dt.date, subtitle: str = "") -> HTML:
    """The title block at the top of a deliverable (client, title, subtitle, date)."""
    return HTML(report.header_html(title, client, date, subtitle))


_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _bold_html(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text, quote=False))


class Say:
    """A "What this means" paragraph. Plain text; ``**bold**`` is the only markup honoured,
    blank lines separate paragraphs."""

    def __init__(self, text: str, label: str = "What this means") -> None:
        self.text = str(text)
        self.label = label

    def _paragraphs(self) -> list[str]:
        return [p.strip() for p in _PARAGRAPH_BREAK.split(self.text.strip()) if p.strip()]

    def _repr_html_(self) -> str:
        paragraphs = "".join(f"<p>{_bold_html(p)}</p>" for p in self._paragraphs())
        label = f'<span class="kit-say-label">{escape(self.label)}</span>' if self.label else ""
        return f'<div class="kit-say">{label}{paragraphs}</div>'

    def _repr_markdown_(self) -> str:
        body = "\n\n".join(escape(p, quote=False) for p in self._paragraphs())
        return f"**{escape(self.label, quote=False)}:** {body}" if self.label else body

    def __repr__(self) -> str:
        plain = _BOLD.sub(r"\1", "\n\n".join(self._paragraphs()))
        return f"{self.label}: {plain}" if self.label else plain


def say(text: str, label: str = "What this means") -> Say:
    """A highlighted interpretation paragraph for executives (``label`` "" to omit the label)."""
    return Say(text, label)


# --- tables --------------------------------------------------------------------------------------

#: Named formats for ``table(formats=...)``; any other value is a ``str.format`` pattern such as
#: ``"{:,.1f} h"`` or, if it contains ``%`` and no ``{``, a ``strftime`` pattern for dates.
NAMED_FORMATS: dict[str, str] = {
    "int": "{:,.0f}",
    "number": "{:,.1f}",
    "decimal": "{:,.2f}",
    "percent": "{:.0%}",
    "percent1": "{:.1%}",
    "money": "{:,.0f}",
    "money2": "{:,.2f}",
    "hours": "{:,.1f}",
    "date": "%Y-%m-%d",
    "month": "%b %Y",
}
NA_REP = "–"


def _text(value: Any) -> str:
    """Styler has already escaped ``str`` cells; anything else (a list, an object) is escaped here."""
    return value if isinstance(value, str) else escape(str(value))


def _formatter(pattern: str | None) -> Callable[[Any], str]:
    if pattern is None:
        return _text
    pattern = NAMED_FORMATS.get(pattern, pattern)
    if "%" in pattern and "{" not in pattern:

        def fmt(value: Any) -> str:
            return value.strftime(pattern) if hasattr(value, "strftime") else _text(value)
    else:

        def fmt(value: Any) -> str:
            try:
                text = pattern.format(value)
            except (ValueError, TypeError):  # a stray text value in a numeric column
                return _text(value)
            return _signed(text) if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) else text

    return fmt


def _signed(text: str) -> str:
    """A formatted number with the typographic minus of `kit.text` (`−1,234`), and no sign on a
    value that rounds to zero (`-0` → `0`), so tables read like the prose beside them."""
    if not text.startswith("-"):
        return text
    body = text[1:]
    return MINUS + body if any(c in "123456789" for c in body) else body


def _default_format(series: pd.Series) -> str | None:
    """Thousands separators for numbers; decimals only where the values need them."""
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        if values.empty or (values == values.round()).all() or values.abs().max() >= 100:
            return "int"
        return "decimal" if values.abs().max() < 10 else "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.dropna()
        midnight = values.empty or (values == values.dt.normalize()).all()
        return "date" if midnight else "%Y-%m-%d %H:%M"
    return None


def table(
    df: pd.DataFrame,
    *,
    formats: Mapping[str, str] | None = None,
    caption: str | None = None,
    max_rows: int = 50,
) -> Styler:
    """A display table: index hidden, cells and headers HTML-escaped, numbers with thousands
    separators. ``formats`` maps a column to a name in ``NAMED_FORMATS`` or a format pattern
    (e.g. ``{"share": "percent", "cost": "money"}``). Rows beyond ``max_rows`` are cut, and the
    caption says so. Missing values show as a dash."""
    shown = df.head(max_rows) if len(df) > max_rows else df
    notes = [caption] if caption else []
    if len(df) > max_rows:
        notes.append(f"Showing the first {max_rows:,} of {len(df):,} rows.")
    patterns = {col: _default_format(shown[col]) for col in shown.columns}
    patterns |= dict(formats or {})
    formatters = {col: _formatter(p) for col, p in patterns.items() if col in shown.columns}
    numeric = [col for col in shown.columns if pd.api.types.is_numeric_dtype(shown[col]) and not
               pd.api.types.is_bool_dtype(shown[col])]  # fmt: skip

    styler = (
        Styler(shown, cell_ids=False)
        .format(formatters, na_rep=NA_REP, escape="html")
        .format_index(escape="html", axis=1)
        .hide(axis="index")
        .set_table_attributes('class="kit-table"')
    )
    if numeric:
        styler = styler.set_table_styles({col: [{"selector": "", "props": "text-align: right;"}] for col in numeric})
    if notes:
        styler = styler.set_caption(escape(" — ".join(notes)))
    return styler


# --- several displayables as one ------------------------------------------------------------


def html_of(item: Any) -> str:
    """Static HTML for one displayable: a chart (inert spec, drawn by the page's bundle), a
    Styler, anything with ``_repr_html_``, else its escaped text."""
    if isinstance(item, alt.TopLevelMixin):
        return charts.spec_html(item)
    if isinstance(item, Styler):
        return item.to_html()
    if isinstance(item, str):
        return f"<p>{escape(item)}</p>"
    repr_html = getattr(item, "_repr_html_", None)
    if callable(repr_html) and (html := repr_html()):
        return html
    return f"<pre>{escape(repr(item))}</pre>"


class Stack:
    """Displayables shown one under another, as one output."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = list(items)

    def _repr_html_(self) -> str:
        return "\n".join(html_of(item) for item in self.items)

    def __repr__(self) -> str:
        return f"Stack({len(self.items)} items)"


# --- controls ------------------------------------------------------------------------------------


def _default_value(control: Any) -> Any:
    """The value a control starts at: a widget's ``.value``; for an abbreviation such as
    ``(0, 10)`` or ``["a", "b"]`` the value of the widget ``ipywidgets.interact`` would build."""
    if isinstance(control, (ipywidgets.Widget, ipywidgets.fixed)) and hasattr(control, "value"):
        return control.value
    widget = ipywidgets.interactive.widget_from_abbrev(control)
    if widget is None:
        raise ValueError(f"cannot make a control from {control!r}")
    return widget.value


#: The widest a control is drawn; its label takes its natural width (``description_width``
#: "initial"), so a long label such as "Cost/hour (0 = by role)" is never cut.
CONTROL_WIDTH = "min(100%, 36em)"
#: CSS classes of the parts of a live control panel (the browser test finds them by these).
CONTROLS_CLASS, VIEW_CLASS, MESSAGE_CLASS = "kit-controls", "kit-view", "kit-control-message"


def controls(view: Callable[..., Any], **widgets: Any) -> Any:
    """``view`` redrawn from ``widgets`` (ipywidgets, or ``interact`` abbreviations).

    Live mode: a ``LiveControls`` panel; each change of a control re-draws the view under it.
    Report mode: ``view`` called once with each control's starting value, so the deliverable
    shows the same view, static. ``view`` returns one displayable (chart, Styler, ``say(...)``,
    a plain string shown as a paragraph) or a list of them, shown one under another.
    """
    if is_report():
        result = view(**{name: _default_value(w) for name, w in widgets.items()})
        return Stack(result) if isinstance(result, (list, tuple)) else result
    return LiveControls(view, widgets)


def _control(name: str, control: Any) -> Any:
    """A widget for ``control`` (a widget, or an ``interact`` abbreviation labelled ``name``),
    drawn with its label in full and redrawing on release or Enter, not on every keystroke."""
    widget = control if isinstance(control, ipywidgets.Widget) else ipywidgets.interactive.widget_from_abbrev(control)
    if widget is None:
        raise ValueError(f"cannot make a control from {control!r}")
    if isinstance(widget, ipywidgets.widgets.widget_description.DescriptionWidget):
        widget.description = widget.description or name
        widget.style.description_width = "initial"
        widget.layout.width = CONTROL_WIDTH
    if "continuous_update" in widget.trait_names():
        widget.continuous_update = False
    return widget


def _displayable(item: Any) -> Any:
    """A string from a view is narrative: a paragraph, never its repr in quotes."""
    return say(item, label="") if isinstance(item, str) else item


def mimebundle(item: Any) -> dict[str, Any]:
    """One displayable as an output of a notebook (``display_data``), formatted as IPython would."""
    from IPython import get_ipython
    from IPython.core.formatters import DisplayFormatter

    shell = get_ipython()
    formatter = shell.display_formatter if shell is not None else DisplayFormatter()
    data, metadata = formatter.format(_displayable(item))
    return {"output_type": "display_data", "data": data, "metadata": metadata}


class LiveControls(ipywidgets.VBox):
    """The controls, a one-line message for a value the view cannot use, and the view area (an
    ``ipywidgets.Output`` whose outputs are replaced on every change of a control).

    A control's value the view rejects (``ValueError``: a half-typed target, an option out of
    range; ``AnalysisUnavailable``) shows as one plain line above the last good view, cleared
    at the next value the view takes."""

    def __init__(self, view: Callable[..., Any], widgets: Mapping[str, Any]) -> None:
        self.view = view
        self.fixed = {name: w.value for name, w in widgets.items() if isinstance(w, ipywidgets.fixed)}
        self.controls = {name: _control(name, w) for name, w in widgets.items() if name not in self.fixed}
        self.message = ipywidgets.HTML(value="")
        self.message.add_class(MESSAGE_CLASS)
        self.view_area = ipywidgets.Output()
        self.view_area.add_class(VIEW_CLASS)
        panel = ipywidgets.VBox(list(self.controls.values()))
        panel.add_class(CONTROLS_CLASS)
        super().__init__([panel, self.message, self.view_area])
        for widget in self.controls.values():
            widget.observe(self.redraw, names="value")
        self.redraw()

    @property
    def values(self) -> dict[str, Any]:
        return self.fixed | {name: w.value for name, w in self.controls.items()}

    def redraw(self, _change: Any = None) -> None:
        from kit.model import AnalysisUnavailable

        try:
            result = self.view(**self.values)
        except (ValueError, AnalysisUnavailable) as exc:
            self.message.value = f"<p>{escape(_one_line(exc))}</p>"
            return
        items = result if isinstance(result, (list, tuple)) else [result]
        self.view_area.outputs = tuple(mimebundle(item) for item in items if item is not None)
        self.message.value = ""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# --- files for the run folder ---------------------------------------------------------------


PAGES_LOG_ENV = "KIT_PAGES_LOG"  # set by `kit run` per notebook: the file that lists the pages it writes


def _page_path(output_dir: str | os.PathLike[str], name: str) -> Path:
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"page name must be a plain file name, got {name!r}")
    if log := os.environ.get(PAGES_LOG_ENV):  # so a later run can reuse this phase with its pages (kit.cache)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(name + "\n")
    return Path(output_dir) / "pages" / name


def write_text(output_dir: str | os.PathLike[str] | None, name: str, text: str) -> Path | None:
    """Write ``text`` to ``<output_dir>/pages/<name>``; None (nothing written) without a run folder."""
    if not output_dir:
        return None
    return report.write_atomic(_page_path(output_dir, name), text)


def write_bytes(output_dir: str | os.PathLike[str] | None, name: str, data: bytes) -> Path | None:
    """Write binary ``data`` (e.g. an Excel workbook) to ``<output_dir>/pages/<name>``; None without a run folder."""
    if not output_dir:
        return None
    return report.write_atomic(_page_path(output_dir, name), data)


def write_page(
    output_dir: str | os.PathLike[str] | None,
    name: str,
    title: str,
    body: str | Iterable[Any],
    client: str,
    date: str | dt.date,
) -> Path | None:
    """Write a standalone HTML page to ``<output_dir>/pages/<name>`` (``.html`` added if
    missing); None without a run folder. ``body`` is trusted HTML, or a list of displayables
    (charts, tables, ``say(...)``) rendered as in a report."""
    if not output_dir:
        return None
    html_body = body if isinstance(body, str) else Stack(body)._repr_html_()
    filename = name if name.endswith((".html", ".htm")) else f"{name}.html"
    page = report.page_html(title, html_body, client=client, date=date)
    return report.write_atomic(_page_path(output_dir, filename), page)


def write_pages(output_dir: str | os.PathLike[str] | None, pages: Iterable[Any], client: str, date: str | dt.date) -> list[Path]:
    """``write_page`` for each page (objects with ``name``, ``title`` and ``body``); the paths written."""
    written = [write_page(output_dir, p.name, p.title, p.body, client, date) for p in pages]
    return [p for p in written if p is not None]


def table_or(df: pd.DataFrame, empty: str, **kwargs: Any) -> Any:
    """``table(df, **kwargs)`` when it has rows, else the sentence ``empty`` (a plain line)."""
    return table(df, **kwargs) if len(df) else say(empty, label="")


def data_quality(warnings: list[Any]) -> Any:
    """The data-quality section's table of intake warnings, or a line saying the input passed."""
    from kit.intake import problems_frame

    if not warnings:
        return say("The input passed every check of the intake contract.", label="")
    return table(problems_frame(warnings), caption="Warnings from the intake check")


def run_date(given: str = "") -> dt.date:
    """The date a deliverable carries: the run's (``kit run`` passes it), else today."""
    return dt.date.fromisoformat(given) if given else dt.date.today()


def engagement(folder: str, output_dir: str | os.PathLike[str] | None = None) -> Any:
    """The engagement this notebook reports on (``kit.intake.Engagement``). In a ``kit run`` (report
    mode with a run folder) it is the one the runner loaded, its tables read only when used;
    otherwise the folder is loaded and validated here."""
    from kit import intake

    results = Path(output_dir) / "results" if output_dir else None
    if is_report() and results is not None and (results / intake.ENGAGEMENT_FILE).is_file():
        return intake.load_run_engagement(results)
    return intake.load_engagement(folder)


def model(eng: Any, output_dir: str | os.PathLike[str] | None, phase: str, **options: Any) -> Any:
    """The engagement model this notebook renders (``kit.model.EngagementModel``). In a ``kit run``
    (report mode with a run folder) it reads the run's persisted results, so the notebook shows
    exactly what the run computed; otherwise it computes in memory, with this notebook's
    ``options`` for ``phase`` and engagement.yaml's ``phases:`` for every other phase, compared
    with the engagement's recorded baseline run when ``output_dir`` is a live or presentation
    folder of its reports (``kit.baseline.live_baseline``)."""
    from kit.baseline import live_baseline
    from kit.model import EngagementModel

    if is_report() and output_dir:
        return EngagementModel(eng, {phase: options}, run_dir=output_dir)
    return EngagementModel(eng, {phase: options}, baseline=live_baseline(output_dir, eng.settings.slug))


# --- phase results as JSON -----------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and not math.isfinite(value)


def _scalar(value: Any) -> Any:
    """A JSON-ready scalar: numpy types unwrapped, dates as ISO strings (date only at midnight),
    NaN/inf/NA/NaT as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if _is_missing(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        midnight = value.tzinfo is None and value.time() == dt.time(0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return pd.Timedelta(value).total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, enum.Enum):
        return _scalar(value.value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"cannot record a value of type {type(value).__name__}")


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return _scalar(value)


def table_record(df: pd.DataFrame) -> dict[str, Any]:
    """``{"columns", "dtypes", "data"}`` for a DataFrame; a non-default index becomes columns."""
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        df = df.reset_index()
    columns = [str(c) for c in df.columns]
    data = [[_scalar(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return {"columns": columns, "dtypes": {str(c): str(t) for c, t in df.dtypes.items()}, "data": data}


def result_record(phase: str, result: Any) -> dict[str, Any]:
    """The JSON-ready record of a phase result (a dataclass or a mapping): DataFrames/Series go
    to ``tables``, Altair charts are skipped, everything else to ``scalars``."""
    from kit import __version__

    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    elif isinstance(result, Mapping):
        fields = dict(result)
    else:
        raise TypeError(f"record() takes a dataclass or a mapping, not {type(result).__name__}")
    scalars: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, (alt.TopLevelMixin, alt.SchemaBase)):
            continue
        if isinstance(value, pd.Series):
            value = value.to_frame(name=value.name if value.name is not None else name)
        if isinstance(value, pd.DataFrame):
            tables[name] = table_record(value)
            continue
        try:
            scalars[name] = _plain(value)
        except TypeError as exc:
            raise TypeError(f"{phase}.{name}: {exc}") from None
    return {"phase": phase, "kit_version": __version__, "scalars": scalars, "tables": tables}


def record(output_dir: str | os.PathLike[str] | None, phase: str, result: Any) -> Path | None:
    """Write the phase result to ``<output_dir>/results/<phase>.json`` for the summary and
    later runs; None (nothing written) without a run folder. See ``result_record``."""
    if not output_dir:
        return None
    text = json.dumps(result_record(phase, result), indent=1, ensure_ascii=False, allow_nan=False)
    return report.write_atomic(Path(output_dir) / "results" / f"{phase}.json", text + "\n")


def _restore(column: pd.Series, dtype: str) -> pd.Series:
    try:
        if dtype.startswith("datetime64"):
            return pd.to_datetime(column).astype(dtype)
        if dtype in ("int64", "int32", "bool") and column.isna().any():
            return column.astype("Int64" if dtype != "bool" else "boolean")
        if dtype in ("object",):
            return column
        return column.astype(dtype)
    except (TypeError, ValueError):
        return column


def load_record(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A record written by ``record``, with each table back as a DataFrame of its recorded
    dtypes (dates as datetime64, missing values as NaN/NA)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    tables = {}
    for name, spec in raw.get("tables", {}).items():
        df = pd.DataFrame(spec["data"], columns=spec["columns"], dtype=object)
        for col, dtype in spec.get("dtypes", {}).items():
            if col in df.columns:
                df[col] = _restore(df[col], dtype)
        tables[name] = df
    return {**raw, "tables": tables}

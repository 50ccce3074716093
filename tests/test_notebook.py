"""Notebook helpers: mode, title block, narrative, tables, controls, pages and result records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from html import unescape

import altair as alt
import ipywidgets
import numpy as np
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from pandas.io.formats.style import Styler

from kit import notebook as kn
from kit.report import BUNDLE_ID, external_refs

EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _restore_altair_state():
    renderer, theme = alt.renderers.active, alt.theme.active
    yield
    alt.renderers.enable(renderer)
    alt.theme.enable(theme)


@pytest.fixture
def report_mode(monkeypatch):
    monkeypatch.setenv("KIT_REPORT", "1")


@pytest.fixture
def live_mode(monkeypatch):
    monkeypatch.delenv("KIT_REPORT", raising=False)


def small_chart(title: str = "Users") -> alt.Chart:
    return alt.Chart(pd.DataFrame({"n": [1, 2]})).mark_bar().encode(x="n:Q").properties(title=title)


# --- mode ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "report", "renderer"), [("1", True, "kit-report"), ("", False, "kit-live"), (None, False, "kit-live")]
)
def test_setup_picks_the_renderer_from_kit_report(monkeypatch, env, report, renderer):
    if env is None:
        monkeypatch.delenv("KIT_REPORT", raising=False)
    else:
        monkeypatch.setenv("KIT_REPORT", env)

    mode = kn.setup()

    assert (mode.report, mode.live, kn.is_report()) == (report, not report, report)
    assert alt.renderers.active == renderer
    assert alt.theme.active == "kit"


def test_mode_displays_nothing_so_setup_can_end_a_cell():
    assert InteractiveShell.instance().display_formatter.format(kn.Mode(report=True)) == ({}, {})


# --- header and say ------------------------------------------------------------------------


def test_header_escapes_every_string_and_formats_the_date():
    html = kn.header(f"Tools {EVIL}", "R&D <Ltd>", dt.date(2027, 3, 1), subtitle="<i>phase</i>").data

    assert EVIL not in html and f"Tools {EVIL_ESCAPED}" in html
    assert "R&amp;D &lt;Ltd&gt;" in html
    assert "&lt;i&gt;phase&lt;/i&gt;" in html
    assert '<time datetime="2027-03-01">1 March 2027</time>' in html


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("**Copilot** saves time", "<p><strong>Copilot</strong> saves time</p>"),
        (EVIL, f"<p>{EVIL_ESCAPED}</p>"),
        ("R&D", "<p>R&amp;D</p>"),
        ("**<i>x</i>**", "<p><strong>&lt;i&gt;x&lt;/i&gt;</strong></p>"),
        ("one\n\ntwo", "<p>one</p><p>two</p>"),
        ("a * b ** c", "<p>a * b ** c</p>"),
    ],
)
def test_say_escapes_text_and_renders_only_bold(text, fragment):
    html = kn.say(text)._repr_html_()

    assert fragment in html
    assert html.startswith('<div class="kit-say"><span class="kit-say-label">What this means</span>')


def test_say_fallbacks_are_plain_text():
    said = kn.say(f"**Copilot** beats {EVIL}")

    assert repr(said) == f"What this means: Copilot beats {EVIL}"
    assert EVIL not in said._repr_markdown_()
    assert kn.say("x", label="")._repr_html_() == '<div class="kit-say"><p>x</p></div>'


# --- table ---------------------------------------------------------------------------------------


@pytest.fixture
def tools() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tool": [EVIL, "Copilot", "Otter"],
            "users": [1200, 35, 4],
            "share": [0.9712, 0.0263, 0.0025],
            "cost": [12345.6, np.nan, 17.0],
            "since": pd.to_datetime(["2027-01-11", "2026-12-01", None]),
            "<b>flag</b>": [0.5, 1.25, 2.0],
        }
    )


def columns_of(html: str) -> dict[str, list[str]]:
    """The displayed text of each column of a rendered table (headers unescaped)."""
    headers = [unescape(h) for h in re.findall(r"<th [^>]*>(.*?)</th>", html)]
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    cells = [[unescape(c) for c in re.findall(r"<td [^>]*>(.*?)</td>", row)] for row in rows]
    return {h: [row[i] for row in cells] for i, h in enumerate(headers)}


def test_table_returns_a_styler_with_the_index_hidden(tools):
    styled = kn.table(tools)
    html = styled.to_html()

    assert isinstance(styled, Styler)
    assert "row_heading" not in html
    assert 'class="kit-table"' in html


def test_table_escapes_cells_and_headers(tools):
    html = kn.table(tools).to_html()

    assert EVIL not in html and EVIL_ESCAPED in html
    assert "<b>flag</b>" not in html and "&lt;b&gt;flag&lt;/b&gt;" in html


def test_table_escapes_values_that_are_not_strings():
    html = kn.table(pd.DataFrame({"tags": [[EVIL], {"k": "<b>"}]}, dtype=object)).to_html()

    assert EVIL not in html and "<b>" not in html
    assert "[&#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;]" in html


def test_table_formats_numbers_dates_and_missing_values(tools):
    html = kn.table(tools, formats={"share": "percent", "cost": "money"}).to_html()
    cells = columns_of(html)

    assert cells["users"] == ["1,200", "35", "4"]
    assert cells["share"] == ["97%", "3%", "0%"]
    assert cells["cost"] == ["12,346", kn.NA_REP, "17"]
    assert cells["since"] == ["2027-01-11", "2026-12-01", kn.NA_REP]
    assert cells["<b>flag</b>"] == ["0.50", "1.25", "2.00"]


@pytest.mark.parametrize(
    ("pattern", "value", "shown"),
    [
        ("percent1", 0.1234, "12.3%"),
        ("{:,.1f} h", 1234.56, "1,234.6 h"),
        ("month", pd.Timestamp("2027-03-05"), "Mar 2027"),
        ("int", "n/a", "n/a"),
        ("money", -1234.5, "\u22121,234"),  # the minus of kit.text.money, as in the prose
        ("percent", -0.031, "\u22123%"),
        ("money", -0.4, "0"),  # rounds to zero: no sign
        ("{:+.1f} h", -2.0, "\u22122.0 h"),
        ("{}", "-x and -0", "-x and -0"),  # text keeps its hyphens
    ],
)
def test_table_format_patterns(pattern, value, shown):
    html = kn.table(pd.DataFrame({"v": [value]}, dtype=object), formats={"v": pattern}).to_html()
    assert f">{shown}</td>" in html


def test_table_truncates_to_max_rows_and_says_so():
    html = kn.table(pd.DataFrame({"n": range(120)}), caption="Runs <all>", max_rows=50).to_html()

    assert html.count("<tr>") == 51  # header + 50 rows
    assert "<caption>Runs &lt;all&gt; — Showing the first 50 of 120 rows.</caption>" in html


# --- controls ------------------------------------------------------------------------------------


def test_controls_in_report_mode_call_the_view_once_with_each_starting_value(report_mode):
    shown = kn.controls(
        lambda n, pick, span, share, k: {"n": n, "pick": pick, "span": span, "share": share, "k": k},
        n=ipywidgets.IntSlider(value=3, min=1, max=9),
        pick=ipywidgets.Dropdown(options=["a", "b"], value="b"),
        span=(0, 10),
        share=["x", "y"],
        k=ipywidgets.fixed(7),
    )
    assert shown == {"n": 3, "pick": "b", "span": 5, "share": "x", "k": 7}


def test_controls_in_report_mode_stack_a_list_of_displayables(report_mode):
    kn.setup()
    shown = kn.controls(lambda n: [small_chart(f"Top {n}"), kn.table(pd.DataFrame({"n": [n]})), kn.say("ok")],
                        n=ipywidgets.IntSlider(value=4))  # fmt: skip
    html = shown._repr_html_()

    assert isinstance(shown, kn.Stack)
    assert html.index('class="kit-chart-spec"') < html.index('class="kit-table"') < html.index('class="kit-say"')
    assert "Top 4" in html


def test_controls_in_live_mode_redraw_the_view_area_on_every_change(live_mode):
    calls = []

    def view(n, pick, k):
        calls.append((n, pick, k))
        return [f"n={n}", kn.say(pick)] if n > 2 else f"n={n}"

    shown = kn.controls(view, n=ipywidgets.IntSlider(value=2), pick=["a", "b"], k=ipywidgets.fixed(7))

    assert isinstance(shown, kn.LiveControls) and isinstance(shown.view_area, ipywidgets.Output)
    assert [type(c).__name__ for c in shown.children] == ["VBox", "HTML", "Output"]
    assert [type(c).__name__ for c in shown.children[0].children] == ["IntSlider", "Dropdown"]
    assert [o["data"]["text/html"] for o in shown.view_area.outputs] == ['<div class="kit-say"><p>n=2</p></div>']
    shown.controls["n"].value = 5
    shown.controls["pick"].value = "b"
    assert calls == [(2, "a", 7), (5, "a", 7), (5, "b", 7)]
    assert len(shown.view_area.outputs) == 2 and "<p>b</p>" in shown.view_area.outputs[1]["data"]["text/html"]


def test_a_value_the_view_rejects_shows_one_line_and_keeps_the_last_view(live_mode):
    def view(text):
        if "=" not in text:
            raise ValueError(f'"{text}" must look like\nname=value')
        return text

    shown = kn.controls(view, text=ipywidgets.Text(value="a=1"))
    shown.controls["text"].value = "<b>"
    assert shown.message.value == "<p>&quot;&lt;b&gt;&quot; must look like name=value</p>"
    assert "a=1" in shown.view_area.outputs[0]["data"]["text/html"]
    shown.controls["text"].value = "b=2"
    assert shown.message.value == "" and "b=2" in shown.view_area.outputs[0]["data"]["text/html"]


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_dir", ["", None])
def test_writers_do_nothing_without_a_run_folder(output_dir):
    assert kn.write_text(output_dir, "notes.md", "x") is None
    assert kn.write_page(output_dir, "summary", "Summary", "<p>x</p>", "Client", "2027-01-11") is None
    assert kn.record(output_dir, "baseline", {"a": 1}) is None


def test_write_text_writes_into_pages(tmp_path):
    path = kn.write_text(str(tmp_path), "brief.md", "# Brief\n")

    assert path == tmp_path / "pages" / "brief.md"
    assert path.read_text(encoding="utf-8") == "# Brief\n"
    assert [p.name for p in (tmp_path / "pages").iterdir()] == ["brief.md"]  # no temp file left


@pytest.mark.parametrize("name", ["../escape.md", "sub/x.md", ".hidden", ""])
def test_writers_refuse_names_that_leave_the_pages_folder(tmp_path, name):
    with pytest.raises(ValueError, match="plain file name"):
        kn.write_text(str(tmp_path), name, "x")


def test_write_page_is_self_contained_with_the_bundle_only_for_charts(tmp_path, report_mode):
    kn.setup()
    with_chart = kn.write_page(tmp_path, "tools", f"Tools {EVIL}", [small_chart(), kn.say(EVIL)], "R&D", "2027-01-11")
    text_only = kn.write_page(tmp_path, "notes.html", "Notes", "<p>Plain.</p>", "R&D", "2027-01-11")
    chart_html, text_html = with_chart.read_text(encoding="utf-8"), text_only.read_text(encoding="utf-8")

    assert (with_chart.name, text_only.name) == ("tools.html", "notes.html")
    assert chart_html.count(f'id="{BUNDLE_ID}"') == 1 and BUNDLE_ID not in text_html
    assert external_refs(chart_html) == [] and external_refs(text_html) == []
    assert EVIL not in chart_html
    assert "R&amp;D" in chart_html and "11 January 2027" in chart_html


# --- records -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FakeResult:
    by_tool: pd.DataFrame
    monthly: pd.Series
    total_hours: float
    seats: np.int64
    share: float
    as_of: dt.date
    top: list
    params: dict
    chart: alt.Chart


@pytest.fixture
def result() -> FakeResult:
    by_tool = pd.DataFrame(
        {
            "tool": pd.Series([EVIL, "Copilot", "Otter"], dtype="str"),
            "users": np.array([1200, 35, 4], dtype="int64"),
            "hours": [10.5, np.nan, 2.0],
            "approved": [True, False, True],
            "seats": pd.array([10, None, 3], dtype="Int64"),
            "since": pd.to_datetime(["2027-01-11", None, "2026-12-01"]),
        }
    )
    monthly = pd.Series([1.0, 2.0], index=pd.Index(["2027-01", "2027-02"], name="month"), name="hours")
    return FakeResult(by_tool, monthly, 12.5, np.int64(7), float("nan"), dt.date(2027, 1, 11),
                      [np.float64(1.5), "a"], {"k": np.nan, "when": pd.Timestamp("2027-01-11 09:30")},
                      small_chart())  # fmt: skip


def test_record_writes_scalars_and_tables_as_json(tmp_path, result):
    path = kn.record(str(tmp_path), "baseline", result)
    raw = json.loads(path.read_text(encoding="utf-8"))

    assert path == tmp_path / "results" / "baseline.json"
    assert raw["phase"] == "baseline" and raw["kit_version"]
    assert raw["scalars"] == {"total_hours": 12.5, "seats": 7, "share": None, "as_of": "2027-01-11",
                              "top": [1.5, "a"], "params": {"k": None, "when": "2027-01-11T09:30:00"}}  # fmt: skip
    assert set(raw["tables"]) == {"by_tool", "monthly"}
    table = raw["tables"]["by_tool"]
    assert table["columns"] == ["tool", "users", "hours", "approved", "seats", "since"]
    assert table["data"][0] == [EVIL, 1200, 10.5, True, 10, "2027-01-11"]
    assert table["data"][1] == ["Copilot", 35, None, False, None, None]
    assert raw["tables"]["monthly"]["columns"] == ["month", "hours"]


def test_load_record_gives_the_dataframes_back(tmp_path, result):
    loaded = kn.load_record(kn.record(tmp_path, "baseline", result))
    back = loaded["tables"]["by_tool"]

    pd.testing.assert_frame_equal(back, result.by_tool)
    assert back["since"].dtype == result.by_tool["since"].dtype and pd.isna(back.loc[1, "since"])
    assert math.isnan(back.loc[1, "hours"]) and back["seats"].dtype == "Int64"
    assert loaded["tables"]["monthly"]["hours"].tolist() == [1.0, 2.0]
    assert loaded["scalars"]["as_of"] == "2027-01-11"


def test_record_names_the_field_it_cannot_serialize(tmp_path):
    with pytest.raises(TypeError, match=r"baseline\.thing: cannot record a value of type object"):
        kn.record(tmp_path, "baseline", {"thing": object()})

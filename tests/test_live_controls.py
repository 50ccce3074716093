"""The live notebooks' controls, built exactly as each phase notebook builds them on the sample
engagement's model: every control re-draws the view it concerns, bad text gives one plain line,
labels are shown in full, and every live chart goes to JupyterLab's own Vega renderer."""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import altair as alt
import ipywidgets
import nbformat
import pytest
import vl_convert as vlc

from kit import charts
from kit import notebook as nb
from kit.intake import load_engagement
from kit.model import EngagementModel
from kit.phases import PHASES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "halden"
LIVE = [p for p in PHASES if not p.needs_baseline]  # progress needs a baseline run; it has no controls
PHASE_IDS = [p.name for p in LIVE]
#: A value each text control takes in the tests (every other control moves to its far end or last option).
TEXT_VALUES = {"target_overrides": "prompting=4"}
#: The oldest Vega-Lite 5 that vl-convert ships; JupyterLab 4.6 draws with 5.6, which it cannot run.
OLDEST_VL5 = min((v for v in vlc.get_vegalite_versions() if v.startswith("5.")), key=lambda v: tuple(map(int, v.split("."))))


@pytest.fixture(autouse=True)
def _live(monkeypatch):
    monkeypatch.delenv(nb.REPORT_ENV, raising=False)
    renderer, theme = alt.renderers.active, alt.theme.active
    nb.setup()
    yield
    alt.renderers.enable(renderer)
    alt.theme.enable(theme)


@pytest.fixture(scope="module")
def sample_model():
    """The sample engagement's model with every phase computed once (each test forks it)."""
    model = EngagementModel(load_engagement(SAMPLE))
    for phase in LIVE:
        model[phase.name]
    return model


def fork(model: EngagementModel) -> EngagementModel:
    """A model of the same engagement holding the same results, whose options a test may change."""
    copy = EngagementModel(model.eng)
    copy.driver.provide(**model.driver.results())
    return copy


def panel(phase, model: EngagementModel):
    """The phase notebook's controls cell evaluated as the notebook runs it, on `model`."""
    cells = nbformat.read(phase.path, as_version=4).cells
    ns: dict = {}
    exec(next(c.source for c in cells if "parameters" in c.metadata.get("tags", [])), ns)  # noqa: S102 - the repo's notebook
    setup = next(c.source for c in cells if "nb.setup()" in c.source)
    exec("\n".join(line for line in setup.splitlines() if line.startswith(("import ", "from "))), ns)  # noqa: S102
    ns |= {"eng": model.eng, "model": model, "result": model.result(phase.name), "records": model["phase_records"]}
    source = next(c.source for c in cells if c.cell_type == "code" and "nb.controls(" in c.source)
    return eval(compile(ast.parse(source, mode="eval"), phase.notebook, "eval"), ns)  # noqa: S307


def another_value(name: str, widget):
    if name in TEXT_VALUES:
        return TEXT_VALUES[name]
    if isinstance(widget, ipywidgets.Dropdown):
        values = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        return values[-1] if widget.value != values[-1] else values[0]
    return widget.max if widget.value != widget.max else widget.min


def shown(controls) -> str:
    """What the view area shows, as comparable text (every mimetype of every output; a table's
    random CSS id and its repr's address left out)."""
    text = json.dumps(controls.view_area.outputs, sort_keys=True, default=str)
    return re.sub(r"T_[0-9a-f]{5}| at 0x[0-9a-f]+", "", text)


def live_specs(controls) -> list[dict]:
    return [o["data"][charts.LIVE_MIMETYPE] for o in controls.view_area.outputs if charts.LIVE_MIMETYPE in o["data"]]


# ---------------------------------------------------------------- every control re-draws its view


@pytest.mark.parametrize("phase", LIVE, ids=PHASE_IDS)
def test_every_control_of_the_notebook_redraws_the_view_under_it(phase, sample_model):
    controls = panel(phase, fork(sample_model))
    start = shown(controls)
    assert start != "[]", "the view area shows the view before any control moves"
    unchanged = []
    for name, widget in controls.controls.items():
        first = widget.value
        widget.value = another_value(name, widget)
        if shown(controls) == start:
            unchanged.append(name)
        widget.value = first
        assert shown(controls) == start, f"{name}: back at its first value, the view is as it was"
    assert unchanged == []
    assert controls.message.value == ""


@pytest.mark.parametrize("phase", LIVE, ids=PHASE_IDS)
def test_every_view_shows_its_charts_through_jupyterlabs_vega_renderer_within_the_width_cap(phase, sample_model):
    controls = panel(phase, fork(sample_model))
    outputs = controls.view_area.outputs
    assert outputs and all("image/svg+xml" not in o["data"] for o in outputs)
    for spec in live_specs(controls):
        assert spec["$schema"] == charts.LIVE_SCHEMA
        svg = vlc.vegalite_to_svg(spec, vl_version=OLDEST_VL5)  # JupyterLab draws Vega-Lite 5, not 6
        assert float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1)) <= charts.MAX_WIDTH


def test_the_roadmap_table_and_milestones_follow_the_foundation_slider(sample_model):
    controls = panel(next(p for p in PHASES if p.name == "engagement_summary"), fork(sample_model))
    foundation = controls.controls["foundation"]
    foundation.value = 27 if foundation.max >= 27 else foundation.max
    weeks = foundation.value
    spec = live_specs(controls)[0]
    bars = [row for rows in spec["datasets"].values() for row in rows if row.get("phase") == "Foundation" and "weeks" in row]
    html = "".join(o["data"].get("text/html", "") for o in controls.view_area.outputs)
    table = re.search(r"<td[^>]*>Foundation</td>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    assert {row["weeks"] for row in bars} == {weeks}
    assert cells[2].strip() == str(weeks)  # Starts, Ends, Weeks
    assert f"Foundation ({weeks} weeks)" in html


# ---------------------------------------------------------------- bad text input


def test_a_half_typed_target_gives_one_plain_line_that_clears_once_the_value_is_valid(sample_model):
    controls = panel(next(p for p in PHASES if p.name == "training_gaps"), fork(sample_model))
    box = controls.controls["target_overrides"]
    assert box.continuous_update is False  # a value arrives on Enter or leaving the box, not per key
    good = shown(controls)
    for typed in ("p", "prompting", "prompting="):
        box.value = typed
        assert re.fullmatch(r"<p>[^<>\n]+</p>", controls.message.value), controls.message.value
        assert "must look like skill=level" in controls.message.value and "Traceback" not in controls.message.value
        assert shown(controls) == good  # the last good view stays
    box.value = "prompting=4"
    assert controls.message.value == "" and shown(controls) != good
    box.value = "prompting=="
    assert controls.message.value
    box.value = ""
    assert controls.message.value == "" and shown(controls) == good


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("promting=4", 'the survey has no skill "promting" (skills: data_handling, output_verification, prompting'),
        ("Astronaut:prompting=4", 'no one in the survey has the role "Astronaut"'),
    ],
)
def test_a_target_for_a_skill_or_role_the_survey_lacks_is_named_not_silently_ignored(sample_model, typed, said):
    controls = panel(next(p for p in PHASES if p.name == "training_gaps"), fork(sample_model))
    box = controls.controls["target_overrides"]
    good = shown(controls)
    box.value = typed
    assert said in html.unescape(controls.message.value) and shown(controls) == good
    box.value = "PROMPTING=4"  # names match as the targets file does: case and spaces aside
    assert controls.message.value == "" and shown(controls) != good


# ---------------------------------------------------------------- labels and narrative


@pytest.mark.parametrize("phase", LIVE, ids=PHASE_IDS)
def test_every_control_label_is_drawn_in_full(phase, sample_model):
    controls = panel(phase, fork(sample_model))
    for name, widget in controls.controls.items():
        assert widget.style.description_width == "initial", name
        assert widget.layout.width == nb.CONTROL_WIDTH, name
        assert getattr(widget, "continuous_update", False) is False, name


def test_consolidations_live_line_is_a_paragraph_not_a_python_string(sample_model):
    controls = panel(next(p for p in PHASES if p.name == "consolidation"), fork(sample_model))
    first = controls.view_area.outputs[0]["data"]
    assert "With a 30-day window" in first["text/html"] and "<p>" in first["text/html"]
    assert not first["text/plain"].startswith(("'", '"'))
    controls.controls["window_days"].value = 90
    assert "With a 90-day window" in controls.view_area.outputs[0]["data"]["text/html"]


def test_consolidations_controls_recompute_only_the_consolidation_node(sample_model):
    model = fork(sample_model)
    controls = panel(next(p for p in PHASES if p.name == "consolidation"), model)
    before = dict(model.computed)
    controls.controls["downsize_buffer"].value = 0.5
    assert {k: v - before.get(k, 0) for k, v in model.computed.items() if v != before.get(k, 0)} == {"consolidation": 1}
    assert model.options("consolidation").downsize_buffer == 0.5


@pytest.mark.parametrize("item", ["text", "say"])
def test_a_string_from_a_view_is_shown_as_a_paragraph(item):
    text = "With a 30-day window & a 10% buffer"
    controls = nb.controls(lambda n: text if item == "text" else nb.say(text, label=""), n=ipywidgets.IntSlider(value=1))
    data = controls.view_area.outputs[0]["data"]
    assert data["text/html"] == '<div class="kit-say"><p>With a 30-day window &amp; a 10% buffer</p></div>'


# ---------------------------------------------------------------- the live renderer


def test_live_charts_are_vega_lite_5_specs_for_jupyterlabs_own_renderer():
    chart = alt.Chart(alt.Data(values=[{"n": 1}])).mark_bar().encode(x="n:Q").properties(title="Users")
    data, metadata = chart._repr_mimebundle_()
    assert alt.renderers.active == charts.LIVE_RENDERER
    assert set(data) == {charts.LIVE_MIMETYPE, "text/plain"} and data["text/plain"] == "<chart: Users>"
    assert data[charts.LIVE_MIMETYPE]["$schema"] == charts.LIVE_SCHEMA
    assert data[charts.LIVE_MIMETYPE]["config"]["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert metadata[charts.LIVE_MIMETYPE]["embed_options"] == {"actions": False, "renderer": "svg"}


def test_the_installed_jupyterlab_renders_the_live_mimetype_itself():
    import jupyterlab

    static = Path(jupyterlab.__file__).parent / "static"
    assert any(charts.LIVE_MIMETYPE in f.read_text(encoding="utf-8", errors="ignore") for f in static.glob("*.js"))


@pytest.mark.parametrize("phase", LIVE, ids=PHASE_IDS)
def test_no_notebook_picks_another_chart_renderer(phase):
    code = "\n".join(c.source for c in nbformat.read(phase.path, as_version=4).cells if c.cell_type == "code")
    assert "renderers.enable" not in code and "nb.setup()" in code

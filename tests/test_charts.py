"""The "kit" theme, the inert chart HTML of the report renderer, and the offline Vega bundle."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest

from kit import charts

EVIL = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _restore_altair_state():
    renderer, theme = alt.renderers.active, alt.theme.active
    yield
    charts.enable_theme()
    alt.renderers.enable(renderer)
    alt.theme.enable(theme)


def bar_chart(names: list[str], title: str = "Users by tool") -> alt.Chart:
    df = pd.DataFrame({"tool": names, "users": range(1, len(names) + 1)})
    return alt.Chart(df).mark_bar().encode(x="users:Q", y="tool:N").properties(title=title)


def embedded_spec(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="kit-chart-spec">(.*?)</script>', html, re.S)
    assert match, html[:200]
    return json.loads(match.group(1))


def test_kit_theme_is_enabled_on_import_with_left_titles_and_a_whole_chart_width_cap():
    config = bar_chart(["a"]).to_dict()["config"]

    assert alt.theme.active == "kit"
    assert config["title"]["anchor"] == "start"
    assert config["view"]["continuousWidth"] == charts.WIDTH == charts.MAX_WIDTH == 860
    assert config["autosize"] == {"type": "fit-x", "contains": "padding"}  # labels and legend inside the width
    assert config["range"]["category"] == list(charts.PALETTE)


def test_theme_uses_system_fonts_only():
    config = charts.theme_config()["config"]

    assert config["font"].startswith("system-ui")
    assert config["font"].endswith("sans-serif")
    assert "url(" not in json.dumps(config)


def test_accent_replaces_the_primary_colour_and_can_be_reset():
    charts.enable_theme("#AA0000")
    accented = bar_chart(["a"]).to_dict()["config"]
    charts.enable_theme()
    plain = bar_chart(["a"]).to_dict()["config"]

    assert accented["mark"]["color"] == accented["range"]["category"][0] == "#AA0000"
    assert accented["range"]["category"][1:] == list(charts.PALETTE[1:])
    assert plain["mark"]["color"] == charts.PRIMARY


@pytest.mark.parametrize(
    "name", [EVIL, "R&D <team>", "</script><b>x</b>", "quote \" and 'apostrophe'", "line\u2028sep"]
)
def test_spec_html_keeps_data_strings_as_json_text_never_markup(name):
    html = charts.spec_html(bar_chart([name, "Copilot"]))
    json_text = html.split('class="kit-chart-spec">', 1)[1].rsplit("</script>", 1)[0]

    assert not re.search(r"[<>&\u2028]", json_text)
    values = next(iter(embedded_spec(html)["datasets"].values()))
    assert values[0]["tool"] == name


def test_spec_html_is_an_empty_chart_div_then_one_inert_json_script():
    html = charts.spec_html(bar_chart(["a"], title=f"Users of {EVIL}"))

    assert html.startswith('<div class="kit-chart"')
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/json" class="kit-chart-spec">']
    assert EVIL not in html
    assert "Users of &lt;script&gt;" in html  # the fallback text and aria-label


def test_report_renderer_returns_inert_html_and_a_plain_title():
    charts.enable_report_renderer()
    bundle = bar_chart(["a"])._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle

    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == "<chart: Users by tool>"
    assert embedded_spec(bundle["text/html"])["title"] == "Users by tool"


def test_live_renderer_leaves_drawing_to_jupyterlabs_vega_renderer_in_the_page():
    charts.enable_live_renderer()
    bundle, metadata = bar_chart(["a", "b"])._repr_mimebundle_()

    assert set(bundle) == {charts.LIVE_MIMETYPE, "text/plain"}  # no SVG laid out in the kernel
    assert bundle[charts.LIVE_MIMETYPE]["$schema"] == charts.LIVE_SCHEMA
    assert metadata[charts.LIVE_MIMETYPE]["embed_options"]["renderer"] == "svg"


def test_a_wide_chart_fits_the_cap_with_its_labels_and_legend():
    import re

    import vl_convert as vlc

    labels = [f"{'Customer service representative ' * 3}{i}" for i in range(4)]
    wide = bar_chart(labels).encode(color="label:N", y=alt.Y("label:N", axis=alt.Axis(labelLimit=400)))
    svg = vlc.vegalite_to_svg(wide.to_dict())
    assert float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1)) <= charts.MAX_WIDTH


@pytest.mark.parametrize(
    ("spec", "title"),
    [
        ({"title": "Plain"}, "Plain"),
        ({"title": {"text": "From dict", "subtitle": "x"}}, "From dict"),
        ({"title": {"text": ["First line", "second"]}}, "First line"),
        ({"layer": [{"mark": "bar"}, {"title": "In a layer"}]}, "In a layer"),
        ({"vconcat": [{"hconcat": [{"title": "Deep"}]}]}, "Deep"),
        ({"facet": {}, "spec": {"title": "Faceted"}}, "Faceted"),
        ({"mark": "bar"}, ""),
    ],
)
def test_chart_title_finds_the_first_title(spec, title):
    assert charts.chart_title(spec) == title


def test_category_scale_pins_fixed_colours_and_gives_the_rest_palette_order():
    scale = charts.category_scale(["measured", "other", "estimated", "measured"], {"other": charts.NEUTRAL})

    assert scale.to_dict() == {
        "domain": ["measured", "other", "estimated"],
        "range": [charts.PALETTE[0], charts.NEUTRAL, charts.PALETTE[1]],
    }
    domain, fixed = ["measured", "other", "estimated"], {"other": charts.NEUTRAL}
    assert charts.colour_for("estimated", domain, fixed) == charts.PALETTE[1]


def test_palette_cycles_after_ten_categories():
    names = [f"c{i}" for i in range(12)]
    assert charts.colour_for("c10", names) == charts.PALETTE[0]


def test_vega_bundle_is_cached_defines_vega_embed_and_draws_every_spec_as_svg():
    bundle = charts.vega_bundle()

    assert charts.vega_bundle() is bundle
    assert bundle.count("window.vegaEmbed=") == 1
    assert "</script" not in bundle.lower()
    assert "script.kit-chart-spec" in bundle
    assert 'renderer: "svg"' in bundle and "actions: false" in bundle
    assert len(bundle) > 500_000  # really the libraries, not a loader

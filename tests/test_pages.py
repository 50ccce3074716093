"""kit.pages: page bodies from Jinja templates, escaped, with kit.text's formats."""

from __future__ import annotations

import jinja2
import pytest

from kit import pages

HOSTILE = '<script>alert("x")</script> & <b>'


def test_client_text_is_escaped_in_a_template():
    html = pages.render("acceptable_use_policy.html.j2", sections=[(HOSTILE, [{"bullets": [HOSTILE]}, {"bullets": [], "text": HOSTILE}])])
    assert "<script>" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;") == 3


def test_a_name_the_template_needs_but_is_not_given_is_an_error():
    with pytest.raises(jinja2.UndefinedError):
        pages.render("acceptable_use_policy.html.j2")


def test_templates_format_money_the_kit_text_way():
    spec = {"oversight": "o", "department": "d", "owner_role": "r", "gate": "g", "gate_reason": "why",
            "hours_saved": 1234.5, "value_saved": -1234.5}  # fmt: skip
    html = pages.render("agent_spec.html.j2", spec=spec, rows=[], currency="USD")
    assert "about 1,234 hours a year (−USD 1,234)" in html

"""Client text made safe: slugs and page names, Markdown escaping, spreadsheet cell text."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from kit import safe


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Account manager", "account_manager"),
        ("Account-Manager", "account_manager"),
        ("VP, Sales & Ops", "vp_sales_ops"),
        ("OPS/12", "ops_12"),
        ("../../etc/passwd", "etc_passwd"),
        ("a\\b", "a_b"),
        ("Ünïcödé Straße", "unicode_strasse"),
        ("任务", ""),
        ("***", ""),
        ("x" * 100, "x" * safe.SLUG_LENGTH),
    ],
)
def test_slug_is_lower_case_ascii_letters_digits_and_underscores(name, expected):
    assert safe.slug(name) == expected


def test_names_that_share_a_slug_each_get_a_stable_hash_and_others_stay_plain():
    pages = safe.page_names(["Account manager", "Account-Manager", "Sales rep"], "playbook_")
    assert pages["Sales rep"] == "playbook_sales_rep.html"
    assert re.fullmatch(r"playbook_account_manager-[0-9a-f]{8}\.html", pages["Account manager"])
    assert re.fullmatch(r"playbook_account_manager-[0-9a-f]{8}\.html", pages["Account-Manager"])
    assert pages["Account manager"] != pages["Account-Manager"]
    assert safe.page_names(["Sales rep", "Account-Manager", "Account manager"], "playbook_") == pages


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("任务", r"task-[0-9a-f]{8}"),
        ("x" * 100, "x" * safe.SLUG_LENGTH + r"-[0-9a-f]{8}"),
        ("T1", "t1"),
    ],
)
def test_a_name_with_nothing_left_or_cut_short_gets_a_hash(name, pattern):
    assert re.fullmatch(f"agent_spec_{pattern}\\.html", safe.page_names([name], "agent_spec_", fallback="task")[name])


def test_names_differing_only_in_case_stay_distinct():
    pages = safe.page_names(["OPS-12", "ops-12", "Ops-12"], "agent_spec_")
    assert len(set(pages.values())) == 3


def rendered(md: str) -> str:
    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # a permissive viewer: every link target accepted
    return parser.render(md)


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        "![x](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x]: javascript:alert(1)",
        "[x](data:text/html,<script>alert(1)</script>)",
        "**bold** _em_ `code` ~~del~~",
        "# Heading",
        "- item",
        "1. item",
        "> quote",
        "a | b",
        "line one\n\n<script>alert(2)</script>",
        "&lt;script&gt;",
        "back\\slash",
    ],
)
def test_markdown_escaping_renders_the_text_itself(text):
    html = rendered(f"- Tool: {safe.markdown(text)}\n\n{safe.markdown(text)}\n")
    assert "<script" not in html and "<img" not in html and "<em>" not in html and "<strong>" not in html
    assert "<a " not in html and "<code>" not in html and "<h1>" not in html and "<blockquote>" not in html
    assert html.count("<li>") == 1 and "<ol" not in html
    shown = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert " ".join(text.split()) in shown.replace("&amp;", "&")


@pytest.mark.parametrize(
    ("text", "formula"),
    [("=1+1", True), ("+1", True), ("-1", True), ("@SUM(A1)", True), ("\t=1", True), ("\r=1", True),
     ("Plain", False), (" =1", False), ("1-2", False), ("", False)],
)  # fmt: skip
def test_formula_triggers_are_owasps(text, formula):
    assert safe.starts_like_formula(text) is formula


def test_control_characters_a_worksheet_cannot_hold_become_replacement_characters():
    assert safe.cell_text("a\x07b\x00c\td\ne\rf") == "a\ufffdb\ufffdc\td\ne\rf"

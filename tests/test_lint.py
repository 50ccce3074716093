"""The code follows the lint rules configured in pyproject.toml."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a test dependency (pip install -e '.[test]')"
    proc = subprocess.run([ruff, "check", "kit", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


MONEY_HOME = ROOT / "kit" / "text.py"


def _currency_like(node: ast.AST) -> bool:
    """An f-string part that writes a currency code: `{currency}`, `{r.currency}`, `{cur}`, `{escape(currency)}`."""
    src = ast.unparse(node)
    return "currency" in src or src in {"cur", "d.cur"}


def _inline_money(tree: ast.AST) -> list[int]:
    """Lines where an f-string writes a currency next to a formatted number (`f"{cur} {x:,.0f}"`),
    a private money helper is defined, or a sign is swapped by hand (`.replace("-", "−")`)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [p for p in node.values if not (isinstance(p, ast.Constant) and not str(p.value).strip())]
            for a, b in zip(parts, parts[1:], strict=False):
                if (isinstance(a, ast.FormattedValue) and _currency_like(a.value)
                        and isinstance(b, ast.FormattedValue) and b.format_spec is not None):  # fmt: skip
                    lines.append(node.lineno)
        elif isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in {"money", "number"}:
            lines.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace"
              and [getattr(a, "value", None) for a in node.args] == ["-", "\u2212"]):  # fmt: skip
            lines.append(node.lineno)
    return lines


def test_no_module_outside_kit_text_formats_money_itself():
    found = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "kit").rglob("*.py"))
        if path != MONEY_HOME
        for line in _inline_money(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert not found, "format money with kit.text.money/number, not inline: " + ", ".join(sorted(found))


def test_the_money_lint_catches_an_inline_currency_format():
    code = 'a = f"{r.currency} {x:,.0f}"\nb = f"{cur} {y:,.0f}"\nc = f"{x:,.0f}".replace("-", "\u2212")\n'
    assert _inline_money(ast.parse(code)) == [1, 2, 3]


PAGE_TEMPLATES = ROOT / "kit" / "templates" / "pages"
HTML_TAG = re.compile(r"</?(p|h[1-6]|ul|ol|li|table|tr|td|th|div|strong|br)\b[^>]*>")


def _markup_strings(tree: ast.AST) -> list[int]:
    """Lines of string literals (f-string parts included) that hold HTML tags."""
    return sorted({n.lineno for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str) and HTML_TAG.search(n.value)})  # fmt: skip


@pytest.mark.parametrize("module", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "kit" / "phases").rglob("pages.py")))
def test_phase_pages_build_no_html_in_python_strings(module):
    lines = _markup_strings(ast.parse((ROOT / module).read_text(encoding="utf-8")))
    assert not lines, f"{module} lines {lines}: move the markup into kit/templates/pages/*.html.j2"


@pytest.mark.parametrize("template", sorted(p.name for p in PAGE_TEMPLATES.glob("*.j2")))
def test_page_templates_load_nothing_external_and_format_no_number_themselves(template):
    source = (PAGE_TEMPLATES / template).read_text(encoding="utf-8")
    assert not re.search(r"https?://|<script|<link|src=", source), "pages are offline: no CDN, no script"
    assert not re.search(r"\|\s*(format|round)\b|%[-0-9.,]*[dfg%]", source), "format figures with | money / number / share"
    assert "|safe" not in source.replace(" ", ""), "client text is escaped: no | safe"


def test_page_templates_are_package_data():
    toml = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'kit = ["templates/**/*"' in toml and '"jinja2' in toml

"""`kit pdf`: the run's HTML reports printed to PDF by a headless Chromium found on this machine.

Charts are drawn by the report's inline Vega bundle when the page loads; Chromium is given a
virtual-time budget so every chart has drawn before the page is printed. The page size is set
by injecting `@page { size: … }` into a temporary copy of the report (the reports themselves
say `size: auto`, so a reader's own print dialog chooses).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PAPERS = {"a4": "A4", "letter": "letter"}
VIRTUAL_TIME_MS = 15000  # page time Chromium lets pass (scripts, chart drawing) before it prints
TIMEOUT_S = 180  # wall-clock seconds one report may take to print


class PdfError(Exception):
    """A report could not be printed (one plain line: which report and why)."""


def find_browser() -> str | None:
    """The first Chromium-family browser on PATH (chromium, chromium-browser, google-chrome)."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def reports(run_dir: Path) -> list[Path]:
    """The run's phase reports (`NN_<phase>.html`) and its index, in order."""
    run_dir = Path(run_dir)
    found = sorted(p for p in run_dir.glob("[0-9][0-9]_*.html") if p.is_file())
    index = run_dir / "index.html"
    return found + ([index] if index.is_file() else [])


def browser_argv(browser: str, source: Path, target: Path, profile: Path) -> list[str]:
    argv = [browser, "--headless", "--disable-gpu", "--disable-background-networking", "--no-first-run",
            "--no-default-browser-check", f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--virtual-time-budget={VIRTUAL_TIME_MS}", f"--print-to-pdf={target}"]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.insert(2, "--no-sandbox")  # Chromium refuses to start as root with its sandbox
    return [*argv, source.resolve().as_uri()]


def with_paper(html: str, paper: str) -> str:
    """`html` with an `@page { size: … }` rule for `paper` (a4 or letter) added last in its head."""
    rule = f"<style>@page {{ size: {PAPERS[paper]}; }}</style>"
    head_end = html.find("</head>")
    return html[:head_end] + rule + html[head_end:] if head_end >= 0 else rule + html


def print_pdf(browser: str, html: Path, pdf: Path, paper: str = "a4") -> Path:
    """Print the report at `html` to `pdf` on `paper`; raises PdfError with the browser's reason."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as tmp:
        source = Path(tmp) / html.name
        source.write_text(with_paper(html.read_text(encoding="utf-8"), paper), encoding="utf-8")
        partial = pdf.with_name(f".{pdf.name}.{os.getpid()}.tmp")
        try:
            proc = subprocess.run(browser_argv(browser, source, partial, Path(tmp) / "profile"),
                                  capture_output=True, text=True, timeout=TIMEOUT_S)  # fmt: skip
        except subprocess.TimeoutExpired:
            partial.unlink(missing_ok=True)
            raise PdfError(f"{html.name}: the browser did not finish within {TIMEOUT_S} s") from None
        if not partial.is_file() or partial.stat().st_size == 0:
            partial.unlink(missing_ok=True)
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            raise PdfError(f"{html.name}: the browser wrote no PDF ({last[0]})")
        os.replace(partial, pdf)
    return pdf


def print_reports(run_dir: Path, browser: str, paper: str = "a4") -> list[Path]:
    """Every report of the run printed to `<run>/pdf/<report>.pdf`."""
    out = Path(run_dir) / "pdf"
    return [print_pdf(browser, html, out / f"{html.stem}.pdf", paper) for html in reports(run_dir)]

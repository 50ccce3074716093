"""Every complete `kit run` writes the steering-committee deck and lists it in the index."""

from __future__ import annotations

from pptx import Presentation

from kit import deck as kd


def test_a_complete_run_writes_the_deck_and_the_index_links_it(sample_run):
    proc, reports, _ = sample_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = reports / "halden" / "latest"
    path = run / "pages" / "halden_steering_committee.pptx"
    prs = Presentation(str(path))
    assert len(prs.slides) == len(kd.slide_titles("Halden Industrial Supply")) == 11
    assert 'href="pages/halden_steering_committee.pptx"' in (run / "index.html").read_text(encoding="utf-8")
    assert not (run / "logs" / "deck.log").exists()

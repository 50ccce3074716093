"""What `kit watch` counts as a change (kit.watch, kit.runner.input_files), and that none is lost."""

from __future__ import annotations

import os
import threading
import time

from kit.runner import input_files
from kit.watch import changed_files, changes, describe


def test_what_a_run_reads_leaves_out_hidden_files_lock_files_and_reports_kept_inside(tmp_path):
    folder = tmp_path / "client"
    (folder / "imports").mkdir(parents=True)
    (folder / ".kit").mkdir()
    (folder / "reports" / "client").mkdir(parents=True)
    for name in ("tools.csv", "imports/seats.csv", ".kit/pseudonyms.key", "~$tools.xlsx", ".~lock.tools.xlsx#",
                 "reports/client/index.html"):  # fmt: skip
        (folder / name).write_text("x", encoding="utf-8")
    listed = input_files(folder, folder / "reports")
    assert [f[0] for f in listed] == ["imports/seats.csv", "tools.csv"]
    assert all(f[1] == 1 for f in listed)
    # reports elsewhere: a folder named so in the engagement is the client's own
    assert "reports/client/index.html" in [f[0] for f in input_files(folder, tmp_path / "reports")]
    assert input_files(tmp_path / "missing", tmp_path) == []


def test_changed_files_are_those_added_removed_or_modified():
    before = [["a.csv", 1, 10], ["b.csv", 2, 10], ["c.csv", 3, 10]]
    after = [["a.csv", 1, 10], ["b.csv", 2, 11], ["d.csv", 4, 10]]
    assert changed_files(before, after) == ["b.csv", "c.csv", "d.csv"]
    assert changed_files(before, before) == []
    assert describe(["a", "b"]) == "a, b"
    assert describe(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"


def _collect(folder, seen, stop, into):
    for batch in changes(folder, folder.parent / "reports", seen, stop_event=stop):
        into.append(batch)


def test_a_change_is_seen_even_when_made_before_the_watch_began_and_a_hidden_one_never(tmp_path):
    folder = tmp_path / "client"
    folder.mkdir()
    table = folder / "tools.csv"
    table.write_text("a\n", encoding="utf-8")
    seen = input_files(folder, tmp_path / "reports")  # taken as the run started
    table.write_text("a,b\n", encoding="utf-8")  # saved while it ran: before the watcher was set up
    stop, got = threading.Event(), []
    thread = threading.Thread(target=_collect, args=(folder, seen, stop, got), daemon=True)
    thread.start()
    try:
        assert _wait(lambda: got == [["tools.csv"]])
        (folder / ".hidden.csv").write_text("x", encoding="utf-8")
        (folder / "~$tools.xlsx").write_text("x", encoding="utf-8")
        time.sleep(1.5)  # longer than the watch's look at the folder when no event wakes it
        assert got == [["tools.csv"]]
        os.remove(table)
        assert _wait(lambda: got == [["tools.csv"], ["tools.csv"]])  # removed: a change too
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _wait(condition, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def test_an_engagement_folder_inside_the_reports_folder_is_watched_whole(tmp_path):
    """`--reports .` with the engagement in a folder below: its files are the run's inputs, not reports."""
    from kit.runner import left_out

    folder = (tmp_path / "client").resolve()
    folder.mkdir()
    (folder / "tools.csv").write_text("x", encoding="utf-8")
    assert [f[0] for f in input_files(folder, tmp_path)] == ["tools.csv"]
    assert not left_out(folder / "tools.csv", folder, tmp_path.resolve())
    assert left_out(folder / "reports" / "x.html", folder, folder / "reports")
    assert left_out(tmp_path / "elsewhere.csv", folder, tmp_path.resolve())

"""`kit new`, `kit open`, `kit sample` and `--help` as a user runs them."""

from __future__ import annotations

import nbformat
import yaml

from kit.phases import PHASES
from tests.e2e.conftest import kit


def test_new_creates_an_engagement_from_the_templates_and_refuses_to_overwrite(tmp_path):
    proc = kit("new", "acme", "--client", "Acme Corp", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "engagements" / "acme"
    settings = yaml.safe_load((folder / "engagement.yaml").read_text())
    assert (settings["client"], settings["slug"]) == ("Acme Corp", "acme")
    assert (folder / "workflows.csv").read_text().startswith("workflow_id,")
    again = kit("new", "acme", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert yaml.safe_load((folder / "engagement.yaml").read_text())["client"] == "Acme Corp"


def test_new_rejects_a_bad_slug_without_a_traceback(tmp_path):
    proc = kit("new", "Acme Corp", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "engagements" / "Acme Corp").exists()


def test_open_prepares_a_parameterized_copy_without_touching_the_original(engagement_dir, tmp_path):
    original = PHASES[0].path.read_bytes()
    proc = kit("open", str(engagement_dir), "01", "--reports", str(tmp_path / "r"), "--no-launch", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    prepared = tmp_path / "r" / "test-client" / "live" / PHASES[0].notebook
    nb = nbformat.read(prepared, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and str(engagement_dir) in injected[0].source
    assert PHASES[0].path.read_bytes() == original


def test_sample_regenerates_the_bundled_client_byte_for_byte(tmp_path):
    from tests.e2e.conftest import SAMPLE, tree_hashes

    proc = kit("sample", str(tmp_path / "halden"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    fresh = tree_hashes(tmp_path / "halden")
    bundled = {k: v for k, v in tree_hashes(SAMPLE).items() if k in fresh}
    assert fresh == bundled


def test_help_lists_every_command():
    proc = kit("--help", cwd=PHASES[0].path.parent)
    for command in ("validate", "run", "new", "open", "present", "sample"):
        assert command in proc.stdout


def test_run_help_documents_its_options():
    proc = kit("run", "--help", cwd=PHASES[0].path.parent)
    for option in ("--phase", "--param", "--reports", "--workers"):
        assert option in proc.stdout

"""Every phase notebook live in a real browser: JupyterLab (as `kit open` starts it) and the
presentation mode (`kit present`, Voilà), driven by Debian's Chromium through its chromedriver.

One JupyterLab and one Voilà server serve every notebook of a temporary copy of the sample client;
each notebook is checked once per mode (`checked`) and the tests below read those checks:
Run All ends with no error shown, every control changes the view of its cell, chart text stays
inside its SVG, charts fit the output area, no request goes to any host but 127.0.0.1, and the
presentation shows no code. Screenshots go to $KIT_SCREENSHOTS, or to a folder under pytest's
temporary folder; its path is printed. Waits are on the kernel (no request without its idle status,
tracked on the page's kernel WebSocket) and on the page (no DOM change for a moment), never fixed sleeps.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from kit.intake import load_engagement
from kit.live import prepare_live_copy
from kit.phases import PHASES

from .conftest import SAMPLE

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them: apt-get install chromium chromium-driver)",
)

MODES = ("lab", "present")
# The phases a first engagement has (the progress phase needs a baseline run, which the sample has not).
SHOWN = [p for p in PHASES if not p.needs_baseline]
NUMBERS = [p.notebook.split("_", 1)[0] for p in SHOWN]
CASES = [(mode, n) for mode in MODES for n in NUMBERS]
TOKEN = "kit-browser-test"
SERVER_START_SECONDS = 240
PAGE_SECONDS = 240  # a notebook's Run All, or Voilà executing it (six kernels share two cores)
CONTROL_SECONDS = 60
QUIET_MS = 700  # the page counts as settled once its DOM has not changed for this long
# A value typed into each text control, by its label (a text box needs a valid entry to change a view).
TEXT_ENTRIES = {"Targets": "prompting=4"}

# Installed before any page script: wraps WebSocket to track kernel requests (execute, comm and
# *_request messages) until the kernel's idle status for each arrives, in Jupyter's JSON or
# binary (v1.kernel.websocket.jupyter.org) framing; and records when the DOM last changed.
TRACKER_JS = r"""
(() => {
  const kit = window.__kit = {pending: new Map(), lastMutation: Date.now()};
  const decoder = new TextDecoder();
  function parse(data) {
    try {
      if (typeof data === 'string') {
        const m = JSON.parse(data);
        return {type: m.header.msg_type, id: m.header.msg_id, parent: (m.parent_header || {}).msg_id, content: m.content};
      }
      const buffer = data instanceof ArrayBuffer ? data : data.buffer;
      const view = new DataView(buffer, data.byteOffset || 0);
      const offset = i => Number(view.getBigUint64(8 * (i + 1), true));
      const part = i => JSON.parse(decoder.decode(new Uint8Array(buffer, (data.byteOffset || 0) + offset(i), offset(i + 1) - offset(i))));
      const header = part(1);
      return {type: header.msg_type, id: header.msg_id, parent: (part(2) || {}).msg_id,
              content: header.msg_type === 'status' ? part(4) : null};
    } catch (e) { return null; }
  }
  const Native = window.WebSocket;
  class Tracked extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', ev => {
        const m = parse(ev.data);
        if (m && m.type === 'status' && m.content && m.content.execution_state === 'idle') kit.pending.delete(m.parent);
      });
    }
    send(data) {
      const m = parse(data);
      if (m && m.id && /(_request|^comm_msg)$/.test(m.type)) kit.pending.set(m.id, m.type);
      return super.send(data);
    }
  }
  window.WebSocket = Tracked;
  new MutationObserver(() => { kit.lastMutation = Date.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})();
"""

SETTLED_JS = f"""
const kit = window.__kit;
return !!kit && kit.pending.size === 0 && Date.now() - kit.lastMutation > {QUIET_MS}
  && document.readyState === 'complete';
"""

CONTROLS = ".widget-dropdown select, .widget-slider .noUi-handle, .widget-text input, .widget-textarea textarea, .widget-checkbox input"
CONTROL_BOXES = ".widget-dropdown, .widget-slider, .widget-text, .widget-textarea, .widget-checkbox"

# A fingerprint of what a cell shows besides its controls: text, images and SVG markup.
VIEW_JS = f"""
const cell = arguments[0].closest('.jp-Cell') || arguments[0].closest('.jp-OutputArea');
const copy = cell.cloneNode(true);
copy.querySelectorAll('{CONTROL_BOXES}, .jp-InputArea').forEach(e => e.remove());
const parts = [copy.textContent];
copy.querySelectorAll('img').forEach(e => parts.push(e.getAttribute('src') || ''));
copy.querySelectorAll('svg').forEach(e => parts.push(e.outerHTML));
return parts.join('\\u0000');
"""

# Charts: SVG drawn inline, or SVG shown as an <img> (JupyterLab and Voilà render image/svg+xml so).
# An <img>'s SVG is laid out again inline, hidden, in this page: the same fonts the browser draws it with.
CHARTS_JS = r"""
const root = arguments[0];
const found = [];
const probe = document.createElement('div');
probe.style.cssText = 'position:absolute; left:-20000px; top:0; visibility:hidden';
document.body.appendChild(probe);
function svgOf(img) {
  const src = img.getAttribute('src');
  const comma = src.indexOf(',');
  const data = src.slice(comma + 1);
  const text = src.slice(0, comma).includes(';base64')
    ? new TextDecoder().decode(Uint8Array.from(atob(data), c => c.charCodeAt(0))) : decodeURIComponent(data);
  probe.innerHTML = text;
  return probe.querySelector('svg');
}
const charts = [...root.querySelectorAll('.jp-OutputArea-output img[src^="data:image/svg+xml"], .jp-OutputArea-output svg')]
  .filter(e => !e.closest('.widget-slider, .widget-dropdown, .jp-Toolbar') && !(e.tagName === 'svg' && e.parentElement.closest('svg')));
for (const chart of charts) {
  chart.scrollIntoView({block: 'center'});
  const area = chart.closest('.jp-OutputArea-output');
  const shown = chart.getBoundingClientRect();
  const svg = chart.tagName === 'IMG' ? svgOf(chart) : chart;
  if (!svg) continue;
  const box = svg.getBoundingClientRect();
  const title = found.length + ': ' + ((svg.querySelector('.role-title-text text') || svg.querySelector('text') || {}).textContent || '');
  const outside = [];
  for (const t of svg.querySelectorAll('text')) {
    if (!t.textContent.trim()) continue;
    const r = t.getBoundingClientRect();
    const over = Math.max(box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom);
    if (over > 1) outside.push([t.textContent, Math.round(over)]);
  }
  found.push({title: title, width: Math.round(shown.width), area: area ? area.clientWidth : null, outside: outside});
}
probe.remove();
return found;
"""

ERRORS_JS = r"""
const root = arguments[0];
const shown = [...root.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
  .map(e => e.textContent.trim().split('\n').filter(Boolean).slice(-1)[0] || 'stderr output');
for (const text of ['Error displaying widget', 'There was an error when executing cell', 'model not found']) {
  if (root.textContent.includes(text)) shown.push(text);
}
return shown;
"""


@dataclass
class Check:
    """What one notebook showed in one mode."""

    errors: list[str] = field(default_factory=list)  # error outputs shown (last line each)
    controls: list[str] = field(default_factory=list)  # each control's label
    unchanged: list[str] = field(default_factory=list)  # controls whose change left their view as it was
    charts: list[dict] = field(default_factory=list)  # title, width, area width, text outside the SVG
    requests: set[str] = field(default_factory=set)  # every URL the page asked for
    code_shown: list[str] = field(default_factory=list)  # code lines visible in the page
    seconds: float = 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_env(root: Path, lab_port: int) -> dict:
    """JupyterLab and Voilà configured through their own config folder: 127.0.0.1, no browser of
    their own, a known token, JupyterLab's app object reachable (as JupyterLab's Galata tests do),
    and Voilà not re-executing a notebook after its page is opened."""
    config = root / "jupyter-config"
    config.mkdir()
    server = {
        "ServerApp": {"open_browser": False, "port": lab_port, "port_retries": 0, "ip": "127.0.0.1"},
        "IdentityProvider": {"token": TOKEN},
        "LabApp": {"expose_app_in_browser": True},
    }
    (config / "jupyter_server_config.json").write_text(json.dumps(server))
    (config / "voila.json").write_text(
        json.dumps({"Voila": {"open_browser": False}, "VoilaKernelManager": {"fill_delay": 3600}})
    )
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(root / "jupyter-runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(root / "lab-settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "lab-workspaces")}  # fmt: skip


def wait_for_http(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"server exited with {proc.returncode}: {log.read_text()[-2000:]}"
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)  # polling a starting server; the page checks below wait on the kernel
    raise AssertionError(f"{url} did not answer in {SERVER_START_SECONDS} s: {log.read_text()[-2000:]}")


def start(argv: list[str], cwd: Path, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """JupyterLab as `kit open` starts it and the presentation as `kit present` does, both on
    127.0.0.1, on a copy of the sample client whose live copies are prepared first."""
    root = tmp_path_factory.mktemp("browser")
    engagement = root / "halden"
    shutil.copytree(SAMPLE, engagement, ignore=shutil.ignore_patterns(".kit"))
    reports = root / "reports"
    eng = load_engagement(engagement)
    for phase in SHOWN:
        prepare_live_copy(eng, phase, reports)
    lab_port, present_port = free_port(), free_port()
    env = jupyter_env(root, lab_port)
    kit = [sys.executable, "-m", "kit.cli"]
    present = start([*kit, "present", str(engagement), "--reports", str(reports), "--port", str(present_port)],
                    root, env, root / "present.log")  # fmt: skip
    lab = start([*kit, "open", str(engagement), "01", "--reports", str(reports)], root, env, root / "lab.log")
    try:
        wait_for_http(f"http://127.0.0.1:{lab_port}/api/status?token={TOKEN}", lab, root / "lab.log")
        wait_for_http(f"http://127.0.0.1:{present_port}/", present, root / "present.log")
        yield {"lab": lab_port, "present": present_port, "present_dir": reports / "halden" / "present",
               "root": root, "env": env, "engagement": engagement, "reports": reports}  # fmt: skip
    finally:
        stop(lab)
        stop(present)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = (
        Path(os.environ["KIT_SCREENSHOTS"])
        if os.environ.get("KIT_SCREENSHOTS")
        else tmp_path_factory.mktemp("screenshots")
    )
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions",
                # a request to any other host fails at once here instead of leaving the machine (it is still logged)
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    # An explicit driver path: Selenium Manager (which would download one) is never asked.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(PAGE_SECONDS)
    driver.set_script_timeout(PAGE_SECONDS)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRACKER_JS})
    try:
        yield driver
    finally:
        driver.quit()


def requested(driver) -> set[str]:
    """URLs the page asked for since the last call (Chrome's DevTools network events)."""
    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.add(message["params"]["url"])
    return urls


def off_machine(urls: set[str]) -> list[str]:
    return sorted(
        u[:120]
        for u in urls
        if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).hostname != "127.0.0.1"
    )


def wait_settled(driver, seconds: float, what: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, poll_frequency=0.25).until(
        lambda d: d.execute_script(SETTLED_JS),
        message=f"{what}: the kernel or the page was still busy after {seconds} s",
    )


def label_of(driver, control) -> str:
    return driver.execute_script(
        "const box = arguments[0].closest('.widget-inline-hbox') || arguments[0].parentElement;"
        "const label = box.querySelector('.widget-label'); return label ? label.textContent : box.textContent;",
        control,
    ).strip()


def change(driver, control, label: str):
    """Change a control once, as a person would: next option, one step of a slider, text typed then Enter, a click.
    Returns how to put a dropdown back (a filter left on another department would leave the next
    controls an empty selection to work on), else None."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", control)
    tag, kind = control.tag_name, control.get_attribute("type")
    if tag == "select":
        select = Select(control)
        index = [o.is_selected() for o in select.options].index(True)
        select.select_by_index(index + 1 if index + 1 < len(select.options) else index - 1)
        return lambda: select.select_by_index(index)
    elif "noUi-handle" in (control.get_attribute("class") or ""):
        at_max = control.get_attribute("aria-valuenow") == control.get_attribute("aria-valuemax")
        control.send_keys(Keys.ARROW_LEFT if at_max else Keys.ARROW_RIGHT)
    elif kind == "checkbox":
        control.click()
    else:
        assert label in TEXT_ENTRIES, f"no entry to type into the text control {label!r}: add one to TEXT_ENTRIES"
        control.clear()
        control.send_keys(TEXT_ENTRIES[label], Keys.ENTER)
    return None


def check_controls(driver, root, check: Check, where: str) -> None:
    for control in root.find_elements("css selector", CONTROLS):
        label = label_of(driver, control)
        check.controls.append(label)
        before = driver.execute_script(VIEW_JS, control)
        undo = change(driver, control, label)
        wait_settled(driver, CONTROL_SECONDS, f"{where}: after changing {label!r}")
        if driver.execute_script(VIEW_JS, control) == before:
            check.unchanged.append(label)
        if undo:
            undo()
            wait_settled(driver, CONTROL_SECONDS, f"{where}: after putting {label!r} back")


def check_page(driver, root, check: Check, where: str, shots: Path) -> None:
    """Errors and charts once the notebook has run, then every control, then errors and charts again
    (a traceback a control left behind counts too, and so does a chart it re-drew)."""
    driver.save_screenshot(str(shots / f"{where}-top.png"))
    check.errors += driver.execute_script(ERRORS_JS, root)
    check.charts = driver.execute_script(CHARTS_JS, root)
    check_controls(driver, root, check, where)
    driver.save_screenshot(str(shots / f"{where}-controls.png"))
    check.charts += [
        {**c, "title": f"after the controls, {c['title']}"} for c in driver.execute_script(CHARTS_JS, root)
    ]
    check.errors += [e for e in driver.execute_script(ERRORS_JS, root) if e not in check.errors]


OPEN_AND_RUN_JS = """
const [path, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const app = window.jupyterapp;
  const widget = await app.commands.execute('docmanager:open', {path: path, factory: 'Notebook'});
  await widget.context.ready;
  await widget.sessionContext.ready;
  app.shell.activateById(widget.id);
  await app.commands.execute('notebook:run-all-cells');
  widget.node.id = widget.node.id || ('kit-' + widget.id);
  done({id: widget.node.id, errors: widget.content.widgets.flatMap(c => c.model.type === 'code' ? c.model.outputs.toJSON() : [])
        .filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue)});
})().catch(e => done({error: String(e)}));
"""

CLOSE_JS = """
const done = arguments[arguments.length - 1];
const widget = window.jupyterapp.shell.currentWidget;
(async () => { await widget.sessionContext.shutdown(); widget.dispose(); done(true); })().catch(e => done(String(e)));
"""


def check_lab(driver, port: int, notebook: str, shots: Path) -> Check:
    check = Check()
    if not driver.current_url.startswith(f"http://127.0.0.1:{port}/lab"):
        driver.get(f"http://127.0.0.1:{port}/lab?reset&token={TOKEN}")
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(driver, PAGE_SECONDS, 0.25).until(
            lambda d: d.execute_script("return !!window.jupyterapp && window.jupyterapp.started !== undefined")
        )
        driver.execute_async_script(
            "const done = arguments[0]; window.jupyterapp.started.then(() => window.jupyterapp.restored).then(() => done(true));"
        )
    opened = driver.execute_async_script(OPEN_AND_RUN_JS, notebook)
    assert "error" not in opened, f"{notebook}: JupyterLab could not open and run it: {opened.get('error')}"
    wait_settled(driver, PAGE_SECONDS, f"lab {notebook}: Run All")
    check.errors += opened["errors"]
    root = driver.find_element("id", opened["id"])
    check_page(driver, root, check, f"lab-{notebook[:2]}", shots)
    driver.execute_async_script(CLOSE_JS)
    return check


def code_lines(path: Path) -> list[str]:
    """Distinctive lines of the notebook's code cells (what would show if its code were visible)."""
    nb = nbformat.read(path, as_version=4)
    lines = (line.strip() for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines())
    return [line for line in lines if len(line) > 12 and not line.startswith("#")]


def check_present(driver, port: int, notebook: str, folder: Path, shots: Path) -> Check:
    from selenium.webdriver.support.ui import WebDriverWait

    check = Check()
    driver.get(f"http://127.0.0.1:{port}/voila/render/{notebook}")
    WebDriverWait(driver, PAGE_SECONDS, 0.25).until(
        lambda d: d.execute_script(
            "const c = document.getElementById('rendered_cells'); return !!c && c.style.display !== 'none';"
        ),
        message=f"present {notebook}: Voilà did not finish rendering",
    )
    wait_settled(driver, PAGE_SECONDS, f"present {notebook}")
    root = driver.find_element("tag name", "body")
    text = root.text
    check.code_shown = [line for line in code_lines(folder / notebook) if line in text]
    check.code_shown += [
        f"{n} code editor(s)"
        for n in [len(driver.find_elements("css selector", ".cm-editor, .CodeMirror, .jp-InputArea-editor"))]
        if n
    ]
    check_page(driver, root, check, f"present-{notebook[:2]}", shots)
    return check


@pytest.fixture(scope="module")
def checked(servers, browser, screenshots):
    """Each (mode, notebook) checked once, on first use; JupyterLab's notebooks before the presentation's."""
    cache: dict[tuple[str, str], Check] = {}
    started = time.monotonic()

    def get(mode: str, number: str) -> Check:
        if (mode, number) not in cache:
            notebook = next(p.notebook for p in SHOWN if p.notebook.startswith(number))
            begin = time.monotonic()
            requested(browser)  # forget earlier pages' requests
            if mode == "lab":
                result = check_lab(browser, servers["lab"], notebook, screenshots)
            else:
                result = check_present(browser, servers["present"], notebook, servers["present_dir"], screenshots)
            result.requests = requested(browser)
            result.seconds = time.monotonic() - begin
            cache[(mode, number)] = result
            print(f"{mode} {notebook}: {result.seconds:.1f} s (all so far {time.monotonic() - started:.1f} s)")
        return cache[(mode, number)]

    yield get
    print(
        f"\nbrowser checks: {len(cache)} notebook pages in {time.monotonic() - started:.1f} s; screenshots in {screenshots}"
    )


def case_id(case) -> str:
    return f"{case[0]}-{case[1]}"


@pytest.mark.parametrize(("mode", "number"), CASES, ids=map(case_id, CASES))
def test_run_all_shows_no_error_output(checked, mode, number):
    assert checked(mode, number).errors == []


@pytest.mark.parametrize(("mode", "number"), CASES, ids=map(case_id, CASES))
def test_every_control_redraws_the_view_it_concerns(checked, mode, number):
    check = checked(mode, number)
    assert check.controls, "no control found in the page"
    assert check.unchanged == [], f"changing these left their view as it was (of {check.controls})"


@pytest.mark.parametrize(("mode", "number"), CASES, ids=map(case_id, CASES))
def test_chart_text_stays_inside_its_svg(checked, mode, number):
    charts = checked(mode, number).charts
    assert charts, "no chart found in the page"
    assert {c["title"]: c["outside"] for c in charts if c["outside"]} == {}, "text (px outside the SVG) by chart"


@pytest.mark.parametrize(("mode", "number"), CASES, ids=map(case_id, CASES))
def test_charts_fit_the_width_of_the_output_area(checked, mode, number):
    charts = checked(mode, number).charts
    assert [(c["title"], c["width"], c["area"]) for c in charts if c["area"] and c["width"] > c["area"] + 1] == []


@pytest.mark.parametrize(("mode", "number"), CASES, ids=map(case_id, CASES))
def test_no_request_goes_to_another_host(checked, mode, number):
    check = checked(mode, number)
    assert any(urlsplit(u).scheme == "ws" for u in check.requests), "the page never connected to its kernel"
    assert off_machine(check.requests) == []


@pytest.mark.parametrize("number", NUMBERS)
def test_presentation_shows_no_code(checked, number):
    assert checked("present", number).code_shown == []


def test_presentation_lists_every_phase_and_loads_nothing_from_another_host(servers, browser, checked):
    from selenium.webdriver.support.ui import WebDriverWait

    checked("present", NUMBERS[-1])  # after the notebook pages, on the same browser
    requested(browser)
    browser.get(f"http://127.0.0.1:{servers['present']}/")
    # Voilà's listing is JupyterLab's file browser, drawn in the page from Voilà's contents API
    WebDriverWait(browser, CONTROL_SECONDS, 0.25).until(
        lambda d: d.find_elements("css selector", ".jp-DirListing-itemText"), message="no notebook listed"
    )
    wait_settled(browser, CONTROL_SECONDS, "present listing")
    browser.save_screenshot(str(servers["root"] / "present-listing.png"))
    names = sorted(e.text for e in browser.find_elements("css selector", ".jp-DirListing-itemText"))
    assert names == sorted(p.notebook for p in SHOWN)
    assert off_machine(requested(browser)) == []


def test_screenshots_are_written_for_every_notebook_in_both_modes(checked, screenshots):
    for mode, number in CASES:
        checked(mode, number)
    written = sorted(p.name for p in screenshots.glob("*.png"))
    assert written == sorted(f"{m}-{n}-{s}.png" for m, n in CASES for s in ("top", "controls")), screenshots
    assert min((screenshots / w).stat().st_size for w in written) > 10_000, "a screenshot is blank"


def test_ctrl_c_stops_the_presentation_and_its_kernels(servers):
    """A presentation of one phase, stopped as soon as its pre-heated kernel runs (Voilà ends a
    page's kernel when the page is left, so the shared server may have none by now)."""
    import psutil

    log = servers["root"] / "present-one.log"
    argv = [sys.executable, "-m", "kit.cli", "present", str(servers["engagement"]), "04",
            "--reports", str(servers["reports"]), "--port", str(free_port())]  # fmt: skip
    proc = start(argv, servers["root"], servers["env"], log)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        kernels: list = []
        while not kernels and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.25)  # polling for the kernel process to appear
            kernels = [
                p for p in psutil.Process(proc.pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())
            ]
        assert kernels, f"Voilà started no kernel: {log.read_text()[-2000:]}"
        begin = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends to the foreground group
        assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
        elapsed = time.monotonic() - begin
        _, alive = psutil.wait_procs(kernels, timeout=10)
        assert alive == [] and elapsed < 30, f"{len(alive)} kernel(s) still running {elapsed:.0f} s after Ctrl-C"
        assert "Presentation stopped." in log.read_text()
    finally:
        stop(proc)

"""The `kit` command: parses arguments and calls the runner; user mistakes never show a traceback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kit import __version__
from kit.problems import IntakeError, Problem, clear_problem_list, shown_and_left_out, write_problem_list

app = typer.Typer(
    help="AI-adoption engagement kit: validate a client's data, run the analyses, hand over HTML deliverables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

EngagementArg = Annotated[Path, typer.Argument(help="Engagement folder (engagement.yaml and the intake tables).")]
# the options of a run (`kit run`, and each run of `kit watch`)
PhaseOpt = Annotated[list[str] | None, typer.Option("--phase", "-p", help="Run only this phase (repeatable).")]
ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", help="Phase option name=value, or phase.name=value for one phase (repeatable); unknown names and out-of-range values are rejected.")
]
RunReportsOpt = Annotated[Path, typer.Option(help="Folder that receives <slug>/<run-id>/.")]
WorkersOpt = Annotated[int | None, typer.Option(help="Phases run at once (default: number of cores).")]
CellTimeoutOpt = Annotated[
    int, typer.Option(help="Seconds a notebook cell may take; a phase that exceeds it is retried once, then failed.")
]
BaselineOpt = Annotated[
    str | None, typer.Option(help="Run id (under REPORTS/<slug>/) to compare with and record as the baseline; default: the recorded one (the first complete run).")
]


def _version(value: bool) -> None:
    if value:
        console.print(f"kit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """AI-adoption engagement kit."""


def problems_table(
    problems: list[Problem], title: str, left_out: dict[tuple[str, str | None], int] | None = None
) -> Table:
    """Problems as a console table, one row each, then one row per (file, column) counting those left out.

    Cells are rich Text, never markup: a client's `[/red]` is shown as written.
    """
    table = Table(title=Text(title), title_justify="left", show_lines=False)
    for name in ("severity", "file", "row", "column", "value", "problem"):
        table.add_column(name, overflow="fold")
    for p in problems:
        value = "" if p.value is None else f'"{p.value}"'
        cells = (p.severity, p.file, "" if p.row is None else str(p.row), p.column or "", value, p.message)
        table.add_row(*(Text(c) for c in cells), style="red" if p.is_error else "yellow")
    for (file, column), count in (left_out or {}).items():
        cells = ("", file, "", column or "", "", f"… and {count:,} more")
        table.add_row(*(Text(c) for c in cells), style="dim")
    return table


def print_problems(out: Console, problems: list[Problem], title: str, folder: Path | None) -> None:
    """The first problems of each file and column as a table and as the contract's one-line form,
    a count of the rest, and the path of the file that lists every problem (written when the
    engagement folder is known or some problems are not shown)."""
    shown, left_out = shown_and_left_out(problems)
    out.print(problems_table(shown, title, left_out))
    lines = [str(p) for p in shown if p.is_error]  # easy to grep and paste into an email
    for (file, column), count in left_out.items():
        lines.append(f"… and {count:,} more in {file}" + (f", column {column}" if column else ""))
    if folder is not None or left_out:
        noun = "problem" if len(problems) == 1 else "problems"
        try:
            lines.append(f"Complete list ({len(problems):,} {noun}): {write_problem_list(problems, folder)}")
        except OSError as exc:
            lines.append(f"The complete list of problems could not be written ({exc.strerror})")
    for line in lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def _fail(message: str) -> None:
    for line in message.splitlines() or [""]:  # one `error:` line per problem
        err.print(f"error: {line}", style="red", markup=False, highlight=False, soft_wrap=True)


def _report_intake_error(exc: IntakeError) -> None:
    errors = [p for p in exc.problems if p.is_error]
    print_problems(err, exc.problems, f"{len(errors):,} error(s) in the input — nothing was run", exc.folder)


@app.command()
def validate(engagement: EngagementArg) -> None:
    """Check every input file against the intake contract; list all problems. Exit 1 on errors."""
    from kit.intake import load_engagement

    try:
        eng = load_engagement(engagement, strict=False, pseudonymize=False)
    except IntakeError as exc:
        _report_intake_error(exc)
        raise typer.Exit(1) from None
    errors = [p for p in eng.problems if p.is_error]
    if eng.problems:
        print_problems(console, eng.problems, f"{len(errors):,} error(s), {len(eng.warnings):,} warning(s)", eng.folder)
    for name, why in eng.missing.items():
        if not name.startswith("_") and "has errors" not in why:
            console.print(f"[yellow]missing[/] {escape(name)}: {escape(why)}")
    loaded = ", ".join(f"{n} ({len(t):,} rows)" for n, t in eng.tables.items())
    console.print(f"Loaded: {escape(loaded)}")
    _print_provenance(eng.folder)
    if errors:
        raise typer.Exit(1)
    if not eng.problems:
        clear_problem_list(eng.folder)
    console.print(f"[green]OK[/] {escape(eng.settings.client)}: the input follows the intake contract.")


def _print_provenance(folder: Path) -> None:
    """One line per imported file (kit import's .kit/imports.json): which table it fills, how."""
    from kit.imports import PROVENANCE_FILE, read_provenance

    for e in read_provenance(folder):
        console.print(f"imported {e['source']} ({e['format']}, sha256 {str(e['sha256'])[:12]}) -> {e['table']}.csv: "
                      f"{e['rows_read']} read, {e['rows_kept']} kept, {e['rows_dropped']} dropped ({PROVENANCE_FILE})",
                      markup=False, highlight=False, soft_wrap=True)  # fmt: skip


_PARAM_NAME = re.compile(r"^(?:[\w.-]+\.)?[A-Za-z_]\w*$")
_YAML_11_FLOAT = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$")  # 1e3: text to YAML 1.1, a number here


def _parse_params(items: list[str]) -> dict[str, object]:
    """`name=value` (or `<phase>.name=value`) items; values are read as YAML (3, 0.5, point, true)."""
    params: dict[str, object] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not _PARAM_NAME.match(key):
            raise typer.BadParameter(f"{item!r} must look like name=value or phase.name=value", param_hint="--param")
        try:
            value = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError:
            value = text  # not YAML: the option's check says what it should be
        if isinstance(value, str) and _YAML_11_FLOAT.match(value.strip()):
            value = float(value)
        params[key] = value
    return params


def _progress_status(o) -> str:
    """A progress line's status: the model's counts, "reused" for a phase copied from an earlier
    run, "rendering" while a notebook executes, else the phase's status."""
    from kit.runner import MODEL_TASK

    if o.phase == MODEL_TASK:
        return "computing" if o.status == "running" else escape(o.error or o.status)
    if o.status == "ok" and o.reused:
        return "reused"
    return "rendering" if o.status == "running" else o.status


@app.command()
def run(
    engagement: EngagementArg,
    phase: PhaseOpt = None,
    param: ParamOpt = None,
    reports: RunReportsOpt = Path("reports"),
    workers: WorkersOpt = None,
    cell_timeout: CellTimeoutOpt = 600,
    force: Annotated[
        bool, typer.Option("--force", help="Recompute and re-render everything (reuse nothing an earlier run kept).")
    ] = False,
    baseline: BaselineOpt = None,
) -> None:
    """Run every phase notebook for ENGAGEMENT and write the HTML deliverables.

    Tables, results, phases and the deck whose inputs are unchanged since an earlier run are reused
    from <reports>/<slug>/.cache/ (a run that renders no notebook starts no kernel); --force
    recomputes all.

    Exit status: 0 done; 1 bad input, a failed phase, nothing to analyse or a file-system error;
    2 a bad option; 130 / 143 interrupted by SIGINT / SIGTERM (the run folder is marked incomplete).
    """
    params = _parse_params(param or [])
    from kit.kernels import start_early_zygote

    start_early_zygote()  # the kernels' warm-up overlaps the run's own imports (ended if nothing renders)
    code = _run_once(engagement, phase, params, reports, workers, cell_timeout, force, baseline)
    if code:
        raise typer.Exit(code)


def _run_once(
    engagement: Path, phase: list[str] | None, params: dict, reports: Path, workers: int | None, cell_timeout: int,
    force: bool, baseline: str | None,
) -> int:  # fmt: skip
    """One run with progress on the console and its outcome printed (`kit run`, each run of
    `kit watch`); returns the exit status `kit run` documents."""
    from kit.runner import PhaseOutcome, RunError, RunInterrupted, run_engagement

    tasks: dict[str, int] = {}
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=20), TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(), console=console, transient=False,
    ) as progress:  # fmt: skip

        def on_progress(o: PhaseOutcome) -> None:
            if o.phase not in tasks:
                tasks[o.phase] = progress.add_task(o.title, total=1, status=o.status, start=False)
            task = tasks[o.phase]
            if o.status == "running":
                progress.start_task(task)
            finished = o.status in ("ok", "failed", "skipped")
            status = _progress_status(o)
            progress.update(task, status=status, completed=1 if finished else 0)
            if finished:
                progress.stop_task(task)

        try:
            result = run_engagement(
                engagement, reports_root=reports, phases=phase, parameters=params, workers=workers,
                on_progress=on_progress, cell_timeout=cell_timeout, force=force, baseline=baseline,
            )  # fmt: skip
        except IntakeError as exc:
            progress.stop()
            _report_intake_error(exc)
            return 1
        except RunInterrupted as exc:
            progress.stop()
            where = f"{exc.run_dir} is marked incomplete" if exc.run_dir else "nothing was written"
            _fail(f"{exc}: {where} and was not made the latest; earlier reports are untouched")
            return exc.exit_code
        except RunError as exc:
            progress.stop()
            _fail(str(exc))
            return exc.exit_code
        except KeyError as exc:  # an unknown phase name
            progress.stop()
            _fail(str(exc.args[0] if exc.args else exc))
            return 2
        except KeyboardInterrupt:  # before the runner took over SIGINT
            progress.stop()
            _fail("interrupted by SIGINT before the run started: nothing was written; earlier reports are untouched")
            return 130

    plain = {"markup": False, "highlight": False, "soft_wrap": True}  # paths and names are the client's text
    for o in result.outcomes:
        if o.status == "skipped":
            console.print(f"skipped {o.title}: {o.error}", style="yellow", **plain)
        elif o.status == "failed":
            err.print(f"failed {o.title}: {o.error}", style="red", **plain)
            if o.notebook:
                err.print(f"        executed notebook kept: {result.run_dir / o.notebook}", **plain)
    if not result.ok:
        err.print(f"The run did not complete. Earlier reports are untouched. Partial output: {result.run_dir}",
                  style="red", **plain)  # fmt: skip
        return 1
    if result.unselected:
        console.print(f"Partial run ready: {result.index} (not made the latest: {result.selected} of the "
                      f"{result.allowed} phases this engagement's data allow were run)", style="green", **plain)  # fmt: skip
        return 0
    console.print(f"Report ready: {result.index}", style="green", **plain)
    if result.latest is not None and result.latest.is_dir():
        console.print(f"Latest run: {result.latest / 'index.html'}", **plain)
    elif result.latest is not None:
        console.print(f"Latest run named in {result.latest}", **plain)
    return 0


@app.command()
def watch(
    engagement: EngagementArg,
    phase: PhaseOpt = None,
    param: ParamOpt = None,
    reports: RunReportsOpt = Path("reports"),
    workers: WorkersOpt = None,
    cell_timeout: CellTimeoutOpt = 600,
    baseline: BaselineOpt = None,
) -> None:
    """Run ENGAGEMENT as `kit run` does, then again each time one of its files is saved, until Ctrl-C.

    Each run is a `kit run` (same options, own run folder, what a change leaves valid reused); bad
    input is reported and the watch goes on. Between runs the kit stays loaded, so a re-run starts
    rendering at once. Hidden files, office lock files and a reports folder inside ENGAGEMENT are not
    watched. Restart it after updating the kit.

    Exit status: 0 stopped by Ctrl-C between runs (143 by SIGTERM); 1 no such folder; 2 a bad option at the start;
    130 / 143 a run interrupted by SIGINT / SIGTERM (its folder is marked incomplete).
    """
    import functools
    import signal

    params = _parse_params(param or [])
    if not engagement.is_dir():
        _fail(f"{engagement} is not a folder: nothing to watch")
        raise typer.Exit(1)
    from kit.runner import hold_kernels, input_files
    from kit.watch import changes, describe, warm_imports

    terminated = []

    def stop(signum: int, _frame: object) -> None:  # SIGTERM between runs: stop as Ctrl-C does
        terminated.append(signum)
        raise KeyboardInterrupt

    say = {"markup": False, "highlight": False, "soft_wrap": True}
    once = functools.partial(_run_once, engagement, phase, params, reports, workers, cell_timeout, False, baseline)
    waiting = f"Watching {engagement} for changes (Ctrl-C stops)…"
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with hold_kernels():
            seen = input_files(engagement, reports)  # what this run reads: a later change runs again
            code = once()
            if code not in (0, 1):  # a bad option, or interrupted: no edit of a table changes that
                raise typer.Exit(code)
            console.print(waiting, **say)
            warm_imports()
            for changed in changes(engagement, reports, seen):
                console.print(f"Changed: {describe(changed)}. Running again.", **say)
                code = once()
                if code in (130, 143):  # interrupted; a request the edited folder no longer allows (exit 2:
                    raise typer.Exit(code)  # an option of a phase whose table went) is reported, and the watch goes on
                console.print(waiting, **say)
    except KeyboardInterrupt:
        console.print("Stopped watching.", **say)
        if terminated:
            raise typer.Exit(143) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def new(
    slug: Annotated[str, typer.Argument(help="Folder-safe client name: lower-case letters, digits and '-'.")],
    client: Annotated[str | None, typer.Option(help="Client display name for the deliverables.")] = None,
    root: Annotated[Path, typer.Option(help="Folder that holds engagements.")] = Path("engagements"),
) -> None:
    """Create ROOT/SLUG/ from engagement_templates/ (never overwrites an existing folder)."""
    from kit.scaffold import new_engagement

    try:
        folder = new_engagement(slug, root, client=client)
    except (FileExistsError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
        raise typer.Exit(1) from None
    except OSError as exc:  # a read-only or full engagements folder
        _fail(f"cannot write {exc.filename or root}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    console.print(
        f"[green]Created[/] {escape(str(folder))}. Fill in engagement.yaml, then collect the tables (DATA_DICTIONARY.md)."
    )


@app.command(name="open")
def open_(
    engagement: EngagementArg,
    phase: Annotated[str | None, typer.Argument(help="Phase name or number (default: the first).")] = None,
    reports: Annotated[Path, typer.Option(help="Folder for live copies and their outputs.")] = Path("reports"),
    launch: Annotated[bool, typer.Option(help="Start JupyterLab on the live copy.")] = True,
    fresh: Annotated[
        bool, typer.Option(help="Replace an existing live copy with a new one; the old one is moved to live/backups/.")
    ] = False,
) -> None:
    """Open ENGAGEMENT's live copy of a phase notebook in JupyterLab (prepared with the client's parameters
    the first time; kept as you left it after that). As root, JupyterLab gets --allow-root. Exit 1 if
    JupyterLab does not start or fails, with its reason; its own settings (port, browser) come from
    its configuration (JUPYTER_CONFIG_DIR)."""
    from kit.intake import load_engagement
    from kit.live import jupyterlab_argv, prepare_live_copy, run_jupyterlab
    from kit.phases import PHASES, get_phase

    try:
        eng = load_engagement(engagement)
        chosen = get_phase(phase) if phase else PHASES[0]
    except IntakeError as exc:
        _report_intake_error(exc)
        raise typer.Exit(1) from None
    except KeyError as exc:
        _fail(str(exc.args[0]))
        raise typer.Exit(2) from None
    copy = prepare_live_copy(eng, chosen, reports, fresh=fresh)
    say = {"markup": False, "highlight": False, "soft_wrap": True}
    if copy.reused:
        console.print(f"Reopening the existing live copy {copy.path} as you left it (--fresh starts a new one).", **say)
    else:
        if copy.backup is not None:
            console.print(f"Moved the previous live copy to {copy.backup}", **say)
        console.print(f"Prepared {copy.path}", **say)
    if not launch:
        return
    console.print("Opening JupyterLab (Ctrl-C twice stops it)…", **say)
    lab = run_jupyterlab(jupyterlab_argv(copy.path))
    if lab.code:
        what = f"stopped with exit code {lab.code}" if lab.started else "did not start"
        _fail(f"JupyterLab {what}: {lab.reason}")
        raise typer.Exit(1)


@app.command()
def present(
    engagement: EngagementArg,
    phase: Annotated[
        str | None, typer.Argument(help="Phase name or number (default: every phase the data allow).")
    ] = None,
    reports: Annotated[Path, typer.Option(help="Folder for live copies and their outputs.")] = Path("reports"),
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port on 127.0.0.1 (default: Voilà's 8866, or the next free one)."),
    ] = None,
) -> None:
    """Present ENGAGEMENT's phase notebooks to a client with Voilà: text, charts and live controls, no
    code, on 127.0.0.1 only and with nothing loaded from another host. The notebooks are copies of the
    live copies `kit open` works on (prepared the first time) and run when it starts. Ctrl-C stops it.
    Exit 1 if Voilà does not start or fails, with its reason; its own settings (browser, …) come from
    its configuration (voila.json in JUPYTER_CONFIG_DIR)."""
    import signal

    from kit.baseline import recorded_baseline
    from kit.intake import load_engagement
    from kit.live import run_jupyterlab
    from kit.phases import get_phase
    from kit.present import HOST, prepare_presentation, voila_argv
    from kit.runner import plan_phases

    try:
        eng = load_engagement(engagement)
        has_baseline = recorded_baseline(reports.resolve(), eng.settings.slug) is not None
        outcomes = plan_phases(eng, [phase] if phase else None, has_baseline=has_baseline)
    except IntakeError as exc:
        _report_intake_error(exc)
        raise typer.Exit(1) from None
    except KeyError as exc:
        _fail(str(exc.args[0]))
        raise typer.Exit(2) from None
    skipped = [o for o in outcomes if o.status == "skipped"]
    if phase and skipped:
        _fail(f"{skipped[0].title} cannot be presented: it {skipped[0].error}")
        raise typer.Exit(1)
    chosen = [get_phase(o.phase) for o in outcomes if o.status != "skipped"]
    if not chosen:
        _fail(f"nothing to present: every phase lacks a table; `kit validate {engagement}` lists what is missing")
        raise typer.Exit(1)
    shown = prepare_presentation(eng, chosen, reports, single=phase is not None)
    say = {"markup": False, "highlight": False, "soft_wrap": True}
    for path in shown.prepared:
        console.print(f"Prepared {path}", **say)
    for outcome in skipped:
        console.print(f"Not presented: {outcome.title} ({outcome.error})", **say)
    where = f"http://{HOST}:{port}/" if port else f"http://{HOST}:<port>/ (shown below)"
    console.print(f"Presenting {shown.target} at {where}; each notebook runs once first. Ctrl-C stops it.", **say)
    server = run_jupyterlab(voila_argv(shown.target, port))
    if server.code and server.code != -signal.SIGINT:  # Ctrl-C reaching Voilà mid-start ends it by the signal
        what = f"stopped with exit code {server.code}" if server.started else "did not start"
        _fail(f"Voilà {what}: {server.reason}")
        raise typer.Exit(1)
    console.print("Presentation stopped.", **say)


RunArg = Annotated[
    str, typer.Argument(help="Run id under REPORTS/<slug>/ (e.g. 20270111-090000), or a run folder; default: latest.")
]


def _settings_and_run(engagement: Path, run: str, reports: Path):
    """The engagement's settings and the run folder RUN names; exit 1 with one line when there is none."""
    from kit.deck import run_folder
    from kit.settings import load_settings

    try:
        settings = load_settings(engagement)
    except IntakeError as exc:
        _report_intake_error(exc)
        raise typer.Exit(1) from None
    try:
        return settings, run_folder(reports, settings.slug, run)
    except FileNotFoundError as exc:
        _fail(str(exc))
        raise typer.Exit(1) from None


@app.command()
def deck(
    engagement: EngagementArg,
    run: RunArg = "latest",
    reports: Annotated[Path, typer.Option(help="Folder that holds <slug>/<run-id>/.")] = Path("reports"),
    baseline: Annotated[
        str | None, typer.Option(help="An earlier run (id or folder): adds a slide of progress since it.")
    ] = None,
) -> None:
    """Write the steering-committee deck (PowerPoint) of a run from its recorded results, to
    <run>/pages/<slug>_steering_committee.pptx. `kit run` writes it for every complete run."""
    from kit.deck import run_folder, write_deck

    settings, run_dir = _settings_and_run(engagement, run, reports)
    base = None
    if baseline:
        try:
            base = run_folder(reports, settings.slug, baseline)
        except FileNotFoundError as exc:
            _fail(f"--baseline: {exc}")
            raise typer.Exit(1) from None
    path = write_deck(run_dir, settings, base)
    console.print(f"Deck written: {path}", style="green", markup=False, highlight=False, soft_wrap=True)


def _cell_text(value: object) -> str:
    """A table cell as text: missing values as a dash, numbers with thousands separators."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)


@app.command()
def progress(
    engagement: EngagementArg,
    reports: Annotated[Path, typer.Option(help="Folder that holds <slug>/<run-id>/.")] = Path("reports"),
) -> None:
    """Compare the latest run with the baseline run: phase gates, milestones late, and the headline
    figures then and now. Exit 1 when there is no baseline or no later run."""
    from kit.baseline import load_run, recorded_baseline
    from kit.phases import progress as pg
    from kit.settings import load_settings

    try:
        slug = load_settings(engagement).slug
    except IntakeError as exc:
        _report_intake_error(exc)
        raise typer.Exit(1) from None
    base_id = recorded_baseline(reports, slug)
    if base_id is None:
        _fail(f"no baseline run recorded for {slug} under {reports}: run `kit run {engagement}` first "
              "(the first complete run becomes the baseline)")  # fmt: skip
        raise typer.Exit(1)
    settings, current_dir = _settings_and_run(engagement, "latest", reports)
    if current_dir.resolve().name == base_id:
        _fail(f"the latest run is the baseline ({base_id}): run `kit run {engagement}` on newer data to compare")
        raise typer.Exit(1)
    result = pg.analyze(load_run(reports / settings.slug / base_id), load_run(current_dir.resolve()), settings)
    plain = {"markup": False, "highlight": False, "soft_wrap": True}
    if not result.available:
        _fail(result.reason)
        raise typer.Exit(1)
    console.print(f"Progress of {settings.client}: run {result.current_run} against the baseline {base_id}", **plain)
    console.print(pg.summary_text(result), **plain)
    gates = pg.gates_view(result).drop(columns=["Metric", "Ends"])
    for title, view in (("Phase gates", gates), ("Headline figures", pg.headlines_view(result))):
        table = Table(title=Text(title), title_justify="left")
        for column in view.columns:
            table.add_column(Text(str(column)), overflow="fold")
        for row in view.itertuples(index=False):
            table.add_row(*(Text(_cell_text(v)) for v in row))
        console.print(table)
    for note in result.notes:
        console.print(f"Not compared: {note}", style="yellow", **plain)


@app.command()
def pdf(
    engagement: EngagementArg,
    run: RunArg = "latest",
    reports: Annotated[Path, typer.Option(help="Folder that holds <slug>/<run-id>/.")] = Path("reports"),
    paper: Annotated[str, typer.Option(help="Paper size: a4 or letter.")] = "a4",
) -> None:
    """Print a run's HTML reports to PDF (<run>/pdf/<report>.pdf) with the Chromium found on this
    machine (chromium, chromium-browser or google-chrome). Exit 1 when there is none."""
    from kit.pdf import BROWSERS, PAPERS, PdfError, find_browser, print_reports

    if paper.lower() not in PAPERS:
        _fail(f"--paper {paper}: must be one of {', '.join(PAPERS)}")
        raise typer.Exit(2)
    _, run_dir = _settings_and_run(engagement, run, reports)
    browser = find_browser()
    if browser is None:
        _fail(f"no Chromium browser found (looked for {', '.join(BROWSERS)} on PATH); install one, e.g. "
              "apt-get install chromium, to print the reports to PDF")  # fmt: skip
        raise typer.Exit(1)
    try:
        written = print_reports(run_dir, browser, paper.lower())
    except PdfError as exc:
        _fail(f"PDF not written: {exc}")
        raise typer.Exit(1) from None
    console.print(f"{len(written)} PDF(s) written to {run_dir / 'pdf'} with {browser}", style="green", markup=False,
                  highlight=False, soft_wrap=True)  # fmt: skip


@app.command(name="import")
def import_(
    files: Annotated[list[Path] | None, typer.Argument(help="Export files (CSV or XLSX) to import.")] = None,
    into: Annotated[
        Path | None, typer.Option("--into", help="Engagement folder that receives the intake tables.")
    ] = None,
    as_format: Annotated[
        str | None, typer.Option("--as", help="Read every file as this format (kit import --list names them).")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping file (default: import_mapping.yaml in the engagement folder).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be imported; write nothing.")] = False,
    list_formats: Annotated[bool, typer.Option("--list", help="List the formats and the columns each needs.")] = False,
) -> None:
    """Import vendor exports (admin consoles, card feeds, time trackers, survey tools) into an
    engagement's intake tables, recording provenance in <engagement>/.kit/imports.json."""
    from kit.imports import ImportFailure, formats_table, import_files

    if list_formats:
        for name, title, table, columns in formats_table():
            console.print(
                f"{name}: {title} -> {table}.csv; needs {columns}", markup=False, highlight=False, soft_wrap=True
            )
        return
    if not files or into is None:
        _fail("give one or more export files and --into ENGAGEMENT (or --list)")
        raise typer.Exit(2)
    try:
        result = import_files(list(files), into, as_format=as_format, dry_run=dry_run, mapping=mapping)
    except ImportFailure as exc:
        _fail(str(exc))
        raise typer.Exit(1) from None
    _print_import(result)


def _print_import(result) -> None:
    from kit.imports.provenance import drop_summary

    say = {"markup": False, "highlight": False, "soft_wrap": True}
    verb = "would write" if result.dry_run else "wrote"
    for r in result.reports:
        console.print(f"{r.source} -> {r.table}.csv: {r.title} (sha256 {r.sha256[:12]}, header on row {r.header_row}): "
                      f"{r.rows_read} row(s) read, {r.rows_kept} kept, {len(r.dropped)} dropped; {verb} {r.rows_written} "
                      "row(s)", **say)  # fmt: skip
        for line in drop_summary(r.dropped):
            console.print(f"  dropped {line}", **say)
        for line in r.decisions:
            console.print(f"  {line}", **say)
        if r.tool_seats:
            console.print(f"  tools.csv seats ({verb}): "
                          + "; ".join(f"{t}: {n}" for t, n in r.tool_seats.items()), **say)  # fmt: skip
        console.print(f"  shows {r.shows}; cannot show {r.cannot_show}", **say)
    people = result.people_file.name
    if result.people_proposed:
        console.print(f"{people}: {'would propose' if result.dry_run else 'proposed'} {result.people_count} people "
                      "(edit it, then import again to apply)", **say)  # fmt: skip
    else:
        console.print(f"{people}: {result.people_count} people used to resolve identities", **say)
    if result.unresolved:
        console.print(f"{len(result.unresolved)} identity(ies) not in {people}: " + ", ".join(result.unresolved), **say)
    if result.dry_run:
        console.print("Dry run: nothing was written.", **say)
    else:
        console.print("Wrote " + ", ".join(str(p) for p in result.written), **say)


@app.command()
def sample(
    out: Annotated[Path, typer.Argument(help="Folder to write the synthetic engagement to.")] = Path(
        "sample_data/halden"
    ),
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 7,
    scale: Annotated[float, typer.Option(help="Multiplies headcount, survey and usage rows.")] = 1.0,
    raw_exports: Annotated[
        bool,
        typer.Option("--raw-exports", help="Write the same client as vendor exports in OUT/exports/, for kit import."),
    ] = False,
    follow_up: Annotated[
        bool, typer.Option("--follow-up", help="Write the client three months on (newer data in the same folder), for a follow-up run.")
    ] = False,
) -> None:
    """Generate the synthetic sample client (deterministic for a seed)."""
    from kit.sample import EXPORTS_DIR, generate, generate_follow_up, generate_raw_exports

    if follow_up:
        if raw_exports or scale != 1.0:
            _fail("--follow-up: cannot be combined with --raw-exports or --scale")
            raise typer.Exit(2)
        generate_follow_up(out, seed=seed)
        console.print(f"Wrote the follow-up snapshot (data to 2027-03-31) to {out}", markup=False, highlight=False)
        return

    if raw_exports:
        generate_raw_exports(out, seed=seed, scale=scale)
        console.print(
            f"[green]Wrote[/] {out}; import its exports with: kit import {out / EXPORTS_DIR}/*.csv --into {out}"
        )
        return
    generate(out, seed=seed, scale=scale)
    console.print(f"[green]Wrote[/] {escape(str(out))}")


def entry() -> None:
    """The `kit` console script: `app`, then the process ends without tearing its objects down one
    by one (about 0.4 s after a run on the sample, seconds at millions of rows; the operating system
    frees them at once). Before that, output is flushed, threads that are not daemons are joined and
    the exit handlers run (log files closed, temporary folders removed), as a normal exit does."""
    import atexit
    import os
    import sys
    import threading

    # pandera imports Hypothesis, when it is installed (the test extras), to register its data
    # strategies as it first validates a table: about a second of imports that a command, which
    # never synthesizes data, does not need. Marked absent in this process only (not in the kit's
    # library use: notebooks, tests).
    sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]
    code: object = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    if code is not None and not isinstance(code, int):  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    entry()

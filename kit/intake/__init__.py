"""Load an engagement folder: settings, every intake table, and every problem found in them."""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from kit.cache import file_sha256
from kit.intake import schemas
from kit.intake.readers import parse_table, read_raw
from kit.paths import PROJECT_ROOT, resource_dir
from kit.privacy import KEY_FILE, Pseudonymizer, engagement_key
from kit.problems import IntakeError, Problem, errors
from kit.settings import SETTINGS_FILE, EngagementSettings, load_settings

if TYPE_CHECKING:
    from kit.cache import RunCache

TEMPLATES_DIR = resource_dir("engagement_templates")


@dataclass(frozen=True)
class TableSpec:
    """One intake table of the contract."""

    name: str
    model: type[pa.DataFrameModel]
    person_columns: tuple[str, ...] = ()  # identifiers of people, pseudonymized for deliverables
    optional: bool = False  # optional for every phase (the contract marks it so)
    fallback: Path | None = None  # used when the client sends none


TABLES: tuple[TableSpec, ...] = (
    TableSpec("workflows", schemas.Workflows),
    TableSpec("time_studies", schemas.TimeStudies, person_columns=("employee_id",)),
    TableSpec("skills_survey", schemas.SkillsSurvey, person_columns=("respondent_id",)),
    TableSpec("role_targets", schemas.RoleTargets, optional=True, fallback=TEMPLATES_DIR / "role_targets.csv"),
    TableSpec("tools", schemas.Tools),
    TableSpec("usage", schemas.Usage, person_columns=("user_id",)),
    TableSpec("expenses", schemas.Expenses, person_columns=("employee_id",), optional=True),
    TableSpec("recurring_work", schemas.RecurringWork),
    TableSpec("pilots", schemas.Pilots, optional=True),
)
TABLE_SPECS = {t.name: t for t in TABLES}


@dataclass
class Engagement:
    """A loaded engagement: typed tables keyed by table name, plus what is missing and why."""

    folder: Path
    settings: EngagementSettings
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # table -> sha256 of its file (when a cache was given)
    table_keys: dict[str, str] = field(default_factory=dict)  # table -> its key in the run cache (kit.cache)

    def has(self, name: str) -> bool:
        return name in self.tables

    def table(self, name: str) -> pd.DataFrame:
        """A copy of a loaded table (analyses never mutate the loaded data)."""
        if name not in self.tables:
            why = self.missing.get(name, "it was not loaded")
            raise KeyError(f"table {name!r} is not available: {why}")
        return self.tables[name].copy()

    def hourly_cost(self, role: str | None = None) -> float:
        return self.settings.hourly_cost_for(role)

    @property
    def as_of(self) -> pd.Timestamp | None:
        """The day trailing windows end on: `as_of` from the settings, else the last usage date."""
        if self.settings.as_of is not None:
            return pd.Timestamp(self.settings.as_of)
        if self.has("usage") and len(self.tables["usage"]):
            return pd.Timestamp(self.tables["usage"]["date"].max())
        return None

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def resolve_folder(path: str | Path) -> Path:
    """An engagement folder: as given if it exists, else relative to the project root (for notebooks)."""
    p = Path(path).expanduser()
    if p.is_dir() or p.is_absolute():
        return p.resolve()
    alt = PROJECT_ROOT / p
    return alt.resolve() if alt.is_dir() else p.resolve()


def table_file(folder: Path, name: str, settings: EngagementSettings | None) -> Path | None:
    """The file holding table `name`: the `data:` override, else `<name>.csv`, else `<name>.xlsx`."""
    if settings is not None and name in settings.data:
        return folder / settings.data[name]
    for suffix in (".csv", ".xlsx"):
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def load_table(path: Path, spec: TableSpec, label: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and validate one table file; problems name `label` (default: the file name)."""
    label = label or path.name
    numbers = [n for n, c in spec.model.to_schema().columns.items() if (c.metadata or {}).get("kind") in ("int", "number")]
    try:
        raw, bad_rows = read_raw(path, numbers)  # numbers as plain text: pandas would turn their categories into numbers
    except ValueError as exc:
        return pd.DataFrame(), [Problem(file=label, message=str(exc))]
    except OSError as exc:
        return pd.DataFrame(), [Problem(file=label, message=f"could not be read ({exc.strerror})")]
    frame, problems = parse_table(raw, spec.model, label)
    if bad_rows:  # the rows are blank in `raw`; their problems join the others in row order
        problems = sorted([Problem(file=label, row=row, message=why) for row, why in bad_rows] + problems,
                          key=lambda p: (p.row or 0, p.column or ""))  # fmt: skip
    return frame, problems


def load_engagement(
    path: str | Path, *, strict: bool = True, pseudonymize: bool | None = None,
    cache: RunCache | Callable[[EngagementSettings], RunCache] | None = None,
) -> Engagement:
    """Load and validate an engagement folder.

    With `strict`, any error raises IntakeError listing every problem in every file; without it,
    tables with errors are left out (named in `missing`) and problems are kept on the result.
    Person identifiers are replaced by pseudonyms when the settings ask for it (the default),
    after validation, so error messages still show the client's own values.
    With `cache` (`kit.cache.RunCache`, or a function of the settings giving one: `kit run`), a table whose file, label and pseudonym key
    are unchanged since a run of this kit is read from the cache, typed and with its problems,
    instead of parsed again; tables parsed here are put in it once the engagement is valid.
    """
    folder = resolve_folder(path)
    if not folder.is_dir():
        raise IntakeError([Problem(file=str(path), message="engagement folder not found")])
    try:
        settings = load_settings(folder)
    except IntakeError as exc:
        raise IntakeError(exc.problems, folder=folder) from None
    if callable(cache):  # the cache's place depends on the settings (the engagement's slug)
        cache = cache(settings)
    eng = Engagement(folder=folder, settings=settings)
    pseudo_on = settings.pseudonymize if pseudonymize is None else pseudonymize
    known_key = _known_pseudonym_key(folder, settings.pseudonym_key) if pseudo_on else b""
    cached: set[str] = set()  # tables read from the cache: typed and pseudonymized already
    fresh: dict[str, tuple[str, list[Problem]]] = {}  # tables parsed here: label and their own problems

    for spec in TABLES:
        source = table_file(folder, spec.name, settings)
        if source is None or not source.is_file():
            if source is not None:
                eng.problems.append(Problem(file=SETTINGS_FILE, column=f"data.{spec.name}",
                                            message=f'data.{spec.name}: file "{settings.data[spec.name]}" not found'))  # fmt: skip
                continue
            if spec.fallback is not None and spec.fallback.is_file():
                source = spec.fallback
                eng.problems.append(Problem(file=f"{spec.name}.csv", severity="warning",
                                            message="not supplied; the kit's default targets are used"))  # fmt: skip
            else:
                eng.missing[spec.name] = f"no {spec.name}.csv or {spec.name}.xlsx in the engagement folder"
                continue
        label = source.name if source.parent == folder else str(_relative(source, folder))
        found = False
        if cache is not None:
            eng.digests[spec.name] = file_sha256(source)
            if known_key is not None:
                key = _table_key(spec.name, label, eng.digests[spec.name], known_key, pseudo_on)
                found, value = cache.get("tables", spec.name, key)
        if found:
            frame, problems = unpack_table(value[0]), value[1]
            cached.add(spec.name)
            eng.table_keys[spec.name] = key
        else:
            frame, problems = load_table(source, spec, label)
            fresh[spec.name] = (label, problems)
        eng.problems.extend(problems)
        if errors(problems):
            eng.missing[spec.name] = f"{label} has errors"
            continue
        if frame.empty:
            eng.missing[spec.name] = f"{label} has no data rows"
            continue
        eng.tables[spec.name] = frame
        eng.sources[spec.name] = source

    eng.problems.extend(cross_table_problems(eng))
    from kit.imports.provenance import provenance_problems  # here: kit.imports reads through kit.intake

    eng.problems.extend(provenance_problems(folder))
    if strict and errors(eng.problems):
        raise IntakeError(eng.problems, folder=folder)
    for name in list(eng.tables):
        if name in eng.missing:  # a cross-table error took it out
            del eng.tables[name]

    pseudo_key = b""
    if pseudo_on:
        pseudo_key, warning = engagement_key(folder, settings.pseudonym_key)
        if warning:
            eng.problems.append(Problem(file=SETTINGS_FILE, message=warning, severity="warning"))
        pseudo = Pseudonymizer(pseudo_key)
        for name, frame in eng.tables.items():
            if name in cached:
                continue
            for column in TABLE_SPECS[name].person_columns:
                frame[column] = pseudo.series(frame[column])
    if cache is not None:
        for name, (label, problems) in fresh.items():
            if name in eng.tables:
                key = _table_key(name, label, eng.digests[name], pseudo_key, pseudo_on)
                eng.table_keys[name] = key
                cache.put("tables", name, key, (pack_table(eng.tables[name]), problems))
    return eng


def _known_pseudonym_key(folder: Path, configured: str | None) -> bytes | None:
    """The pseudonym key as it stands, without creating one (None: no key yet, so nothing cached)."""
    if configured:
        return configured.encode("utf-8")
    path = folder / KEY_FILE
    try:
        return path.read_text(encoding="utf-8").strip().encode("utf-8") if path.is_file() else None
    except OSError:
        return None


def _table_key(name: str, label: str, sha: str, pseudo_key: bytes, pseudo_on: bool) -> str:
    from kit.cache import digest, fingerprint

    key_digest = hashlib.sha256(pseudo_key).hexdigest() if pseudo_on else "off"
    return digest("table", fingerprint(), name, label, sha, key_digest)


_EMPTY_KINDS = {"Int64": "int", "boolean": "bool", "datetime64[ns]": "date", "float64": "number"}


@dataclass(frozen=True)
class PackedTable:
    """A typed table as the run cache keeps it: without the columns that hold no value in any row
    (optional columns the file lacks: four of usage's nine at `kit sample --scale 58`, 173 of its
    331 MB), which `unpack_table` builds again as the loader does (`readers._empty_typed`)."""

    frame: pd.DataFrame
    empty: tuple[tuple[int, str, str], ...]  # (position, column, kind)


def pack_table(frame: pd.DataFrame) -> PackedTable | pd.DataFrame:
    empty = tuple((i, name, _EMPTY_KINDS[str(column.dtype)]) for i, (name, column) in enumerate(frame.items())
                  if str(column.dtype) in _EMPTY_KINDS and len(column) and column.isna().all())  # fmt: skip
    return PackedTable(frame.drop(columns=[name for _, name, _ in empty]), empty) if empty else frame


def unpack_table(value: PackedTable | pd.DataFrame) -> pd.DataFrame:
    """The table `pack_table` packed, equal to the one loaded (columns, order, dtypes, values)."""
    from kit.intake.readers import _empty_typed

    if not isinstance(value, PackedTable):
        return value
    frame = value.frame.copy(deep=False)
    for position, name, kind in value.empty:
        frame.insert(position, name, _empty_typed(frame.index, None, kind))
    return frame


class _LazyTables(Mapping):
    """Tables of a run, each read from the run cache's file the first time it is asked for; a table
    whose file is gone comes from loading the engagement folder again (same values, slower)."""

    def __init__(self, files: dict[str, str | None], reload: Callable[[], Engagement]) -> None:
        self._files, self._reload, self._loaded = files, reload, {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._files:
            raise KeyError(name)
        if name not in self._loaded:
            path = self._files[name]
            try:
                with open(path, "rb") as fh:  # type: ignore[arg-type]
                    self._loaded[name] = unpack_table(pickle.load(fh)[0])  # noqa: S301 - this run's own cache
            except (OSError, TypeError, pickle.UnpicklingError, EOFError):
                self._loaded.update(self._reload().tables)
        return self._loaded[name]

    def __iter__(self):
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


@dataclass
class RunEngagement(Engagement):
    """The engagement a notebook renders in a `kit run`: what the runner loaded (settings read again,
    problems, missing, `as_of`), its tables read lazily from the run cache (`kit.cache`), so a
    kernel reads only the tables its notebook touches, once."""

    known_as_of: pd.Timestamp | None = None

    @property
    def as_of(self) -> pd.Timestamp | None:
        return self.known_as_of


ENGAGEMENT_FILE = "engagement.pkl"


def save_run_engagement(eng: Engagement, cache: RunCache | None, results: Path) -> Path:
    """`results/engagement.pkl`: what a notebook of this run needs to rebuild the engagement."""
    from kit.report import write_atomic

    files = {n: str(cache.path_of("tables", n, k)) if cache else None for n, k in eng.table_keys.items()}
    files |= {n: None for n in eng.tables if n not in files}
    state = {"folder": str(eng.folder), "sources": eng.sources, "missing": eng.missing, "problems": eng.problems,
             "digests": eng.digests, "table_keys": eng.table_keys, "as_of": eng.as_of, "files": files}  # fmt: skip
    return write_atomic(results / ENGAGEMENT_FILE, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def load_run_engagement(results: Path) -> Engagement:
    """The engagement saved by `save_run_engagement` (tables read when first used)."""
    with open(results / ENGAGEMENT_FILE, "rb") as fh:
        state = pickle.load(fh)  # noqa: S301 - the run folder this kit wrote
    folder = Path(state["folder"])
    tables = _LazyTables(state["files"], functools.partial(load_engagement, folder))
    return RunEngagement(
        folder=folder, settings=load_settings(folder), tables=tables, sources=state["sources"],  # type: ignore[arg-type]
        missing=state["missing"], problems=state["problems"], digests=state["digests"],
        table_keys=state["table_keys"], known_as_of=state["as_of"],
    )  # fmt: skip


def _relative(path: Path, folder: Path) -> Path:
    try:
        return path.relative_to(folder)
    except ValueError:
        return path


def _label(eng: Engagement, name: str) -> str:
    source = eng.sources.get(name)
    return source.name if source is not None else f"{name}.csv"


def cross_table_problems(eng: Engagement) -> list[Problem]:
    """Rules that span tables: time studies must name known workflows (error); survey skills
    and roles without a target (warning); targets for roles nobody answered (warning)."""
    problems: list[Problem] = []
    if eng.has("time_studies") and eng.has("workflows"):
        known = set(eng.tables["workflows"]["workflow_id"])
        ts = eng.tables["time_studies"]
        unknown = ts[~ts["workflow_id"].isin(known)]
        file = _label(eng, "time_studies")
        for idx, value in unknown["workflow_id"].items():
            problems.append(Problem(file=file, row=int(idx) + 2, column="workflow_id", value=value,
                                    message="must be a workflow_id listed in workflows"))  # fmt: skip
        if len(unknown):
            eng.missing["time_studies"] = f"{file} has errors"
    if eng.has("pilots") and eng.has("recurring_work"):
        known = set(eng.tables["recurring_work"]["task_id"])
        pilots = eng.tables["pilots"]
        for idx, value in pilots.loc[~pilots["task_id"].isin(known), "task_id"].items():
            problems.append(Problem(file=_label(eng, "pilots"), row=int(idx) + 2, column="task_id", value=value,
                                    severity="warning", message="is not a task_id in recurring_work: this pilot "
                                    "is reported but matched to no candidate"))  # fmt: skip
    if eng.has("skills_survey") and eng.has("role_targets"):
        survey, targets = eng.tables["skills_survey"], eng.tables["role_targets"]
        file = _label(eng, "skills_survey")
        target_skills = set(targets["skill"].str.lower())
        for skill in sorted(set(survey["skill"].str.lower()) - target_skills):
            problems.append(Problem(file=file, column="skill", severity="warning",
                                    message=f'skill "{skill}" has no target level in role_targets'))  # fmt: skip
        target_roles = set(targets["role"].str.lower())
        if "*" not in target_roles:
            for role in sorted(set(survey["role"].str.lower()) - target_roles):
                problems.append(Problem(file=file, column="role", severity="warning",
                                        message=f'role "{role}" has no targets in role_targets and no "*" row'))  # fmt: skip
        answered = set(survey["role"].str.lower())
        client_targets = eng.sources.get("role_targets") != TABLE_SPECS["role_targets"].fallback
        unanswered = sorted(target_roles - answered - {"*"}) if client_targets else []
        if unanswered:
            problems.append(Problem(file=_label(eng, "role_targets"), column="role", severity="warning",
                                    message=f"{len(unanswered)} role(s) have targets but nobody in them answered "
                                            f"the survey: {', '.join(unanswered)}"))  # fmt: skip
    return problems


__all__ = ["TABLES", "TABLE_SPECS", "Engagement", "TableSpec", "load_engagement", "load_table", "resolve_folder"]


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table for a deliverable's data-quality section."""
    rows = [
        {"Severity": p.severity, "File": p.file, "Row": p.row, "Column": p.column or "", "Problem": str(p)}
        for p in problems
    ]
    return pd.DataFrame(rows, columns=["Severity", "File", "Row", "Column", "Problem"])

"""Reading one intake table: raw cells from CSV or XLSX, then typed columns with row-level problems.

Row numbers are those a spreadsheet shows (header = row 1): the frame index is kept equal to
`row - 2` through parsing, so a problem found anywhere can name its row. Parsing is vectorized
(each distinct raw value is parsed once), which keeps a 5-million-row usage export fast.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kit.problems import Problem

BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False, "y": True, "n": False, "1": True, "0": False}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


def excel_cell_text(value: object) -> str:
    """An Excel cell as the text a CSV export would hold (dates as ISO, 3.0 as 3, blank as '')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


MAX_XLSX_CELLS = 30_000_000  # cells under the header a sheet may hold (a full sheet of a 28-column export)
_SKIPPED = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


def read_raw(path: Path, text_columns: Collection[str] = ()) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """All cells as text ('' when blank), headers trimmed and lower-cased, index = row - 2;
    and the rows that could not be read, as (row, reason). Such a row is blank in the frame.
    A CSV's columns may come as categoricals of their cells' text (see `_read_csv`): the same
    values, held as codes into the distinct texts; `text_columns` (trimmed, lower-cased names:
    the contract's numbers) are read as plain text at once.

    Raises ValueError with a readable reason when the file cannot be read at all.
    """
    suffix = path.suffix.lower()
    bad_rows: list[tuple[int, str]] = []
    if suffix == ".csv":
        frame, bad_rows = _read_csv(path, text_columns)
    elif suffix == ".xlsx":
        frame = _read_xlsx(path)
    else:
        raise ValueError("must be a .csv or .xlsx file")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame.index = pd.RangeIndex(len(frame))
    return frame, bad_rows


def _pandas_csv(path: Path, dtype: object, usecols: list[int] | None = None) -> tuple[pd.DataFrame, str]:
    """pandas' C parser, every cell as text; and its parser warnings, joined."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                path, dtype=dtype, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                skip_blank_lines=False, sep=",", on_bad_lines="warn", index_col=False, usecols=usecols,
            )  # fmt: skip
        except UnicodeDecodeError:
            raise ValueError("is not UTF-8 text (save it as 'CSV UTF-8')") from None
        except pd.errors.EmptyDataError:
            raise ValueError("is empty (it needs at least a header row)") from None
        except pd.errors.ParserError as exc:
            raise ValueError(f"could not be read as CSV: {exc}") from None
    return frame, "".join(str(w.message) for w in caught if issubclass(w.category, pd.errors.ParserWarning))


def _text_categories(column: pd.Series) -> bool:
    """A categorical column whose distinct values are its cells' text (pandas turns categories that
    all look like numbers or booleans into numbers, which loses the text: "007" would read 7)."""
    return isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.dtype == "str"


def _categories_unless(path: Path, text_columns: Collection[str]) -> object:
    """read_csv's dtype: "category" for every column but those named in `text_columns` (plain text)."""
    if not text_columns:
        return "category"
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig", sep=",", index_col=False, dtype=str).columns
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):  # the full read reports it
        return "category"
    return defaultdict(lambda: "category", {c: str for c in header if str(c).strip().lower() in text_columns})


def _read_csv(path: Path, text_columns: Collection[str] = ()) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """pandas' C parser (fast: millions of rows), each column read as a categorical: the parser
    itself finds a column's distinct texts and codes into them, so a 5-million-row usage export
    is never 20 million Python strings; `text_columns` and any column whose categories pandas
    converted to numbers are read as plain text (the latter in one more pass over those columns).

    A row with more fields than the header is skipped with a warning that names its record
    (= spreadsheet row, a quoted line break staying in its row); the file is then read as plain
    text and each such row put back as a blank row so that every later row keeps its number. Any
    other warning (pandas only truncates a too-long first data row) sends the file to the csv module."""
    frame, notes = _pandas_csv(path, _categories_unless(path, text_columns))
    if not notes:
        converted = [i for i in range(frame.shape[1]) if not _text_categories(frame.iloc[:, i])
                     and isinstance(frame.dtypes.iloc[i], pd.CategoricalDtype)]  # fmt: skip
        if converted:
            text, notes = _pandas_csv(path, str, usecols=converted)
            if notes or len(text) != len(frame):
                frame, notes = _pandas_csv(path, str)
            else:
                for i, column in zip(converted, text.columns, strict=True):
                    frame.isetitem(i, text[column])
        if not notes:
            return frame, []
    else:
        frame, notes = _pandas_csv(path, str)
    if not notes:
        return frame, []
    skipped = [(int(row), int(saw), int(expected)) for row, expected, saw in _SKIPPED.findall(notes)]
    if _SKIPPED.sub("", notes).strip():  # e.g. the first data row is too long (pandas drops its extra cells)
        return _read_csv_by_record(path)
    total = len(frame) + len(skipped)
    frame.index = np.delete(np.arange(total), [row - 2 for row, _, _ in skipped])
    frame = frame.reindex(pd.RangeIndex(total), fill_value="")
    return frame, [(row, f"has {saw} fields, the header has {expected}") for row, saw, expected in skipped]


def _read_csv_by_record(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Every record with the csv module (slower; used only if pandas' warnings cannot be read).

    Short rows get blank trailing cells (as pandas does); a row with extra fields is reported and left blank.
    """
    import csv

    bad_rows: list[tuple[int, str]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = csv.reader(handle)
        try:
            header = next(records)
            width = len(header)
            columns: list[list[str]] = [[] for _ in range(width)]
            blank = [""] * width
            for row, fields in enumerate(records, start=2):
                if len(fields) > width:
                    bad_rows.append((row, f"has {len(fields)} fields, the header has {width}"))
                    fields = blank
                elif len(fields) < width:
                    fields = fields + blank[len(fields) :]
                for column, value in zip(columns, fields, strict=True):
                    column.append(value)
        except csv.Error as exc:
            raise ValueError(f"could not be read as CSV: row {records.line_num}: {exc}") from None
    frame = pd.DataFrame(dict(enumerate(columns)), dtype=str)
    frame.columns = header
    return frame, bad_rows


def _read_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet, read within the header's columns and up to the last row with data.

    A sheet's stored size (its "dimension") is not trusted: one stray cell far away makes a small file
    claim 16,384 columns by 1,048,576 rows. Raises ValueError past MAX_XLSX_CELLS cells of data.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise ValueError(f"could not be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        if header is None:
            raise ValueError("is empty (its first sheet needs at least a header row)")
        names = [excel_cell_text(h) for h in header]
        while names and names[-1].strip() == "":
            names.pop()
        width = max(len(names), 1)
        body: list[list[str]] = []
        blank = [""] * width
        pending = 0  # blank rows not yet known to lie inside the table
        for row, values in enumerate(sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
            cells = [] if all(v is None for v in values) else [excel_cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                pending += 1
                continue
            if (row - 1) * width > MAX_XLSX_CELLS:
                raise ValueError(
                    f"its first sheet holds more than {MAX_XLSX_CELLS:,} cells of data under the header's {width:,} "
                    f"columns (row {row:,} reached); save the table as CSV or remove what is not part of the table"
                )
            body.extend([blank] * pending)
            pending = 0
            body.append(cells + blank[len(cells) :])
    finally:
        book.close()
    names = names or [""]
    return pd.DataFrame(body, columns=names, dtype=str) if body else pd.DataFrame(columns=names, dtype=str)


def _by_unique(raw: pd.Series, parse: Callable[[str], object], dtype: str) -> tuple[pd.Series, pd.Series]:
    """Parse each distinct value once; returns (parsed, bad) where bad marks unparseable non-blank cells."""
    codes, uniques = pd.factorize(raw, sort=False)
    parsed_u, bad_u = [], []
    for u in uniques:
        try:
            parsed_u.append(parse(u))
            bad_u.append(False)
        except (ValueError, OverflowError):
            parsed_u.append(None)
            bad_u.append(True)
    parsed_arr = pd.array(parsed_u + [None], dtype=dtype)
    bad_arr = np.array(bad_u + [False], dtype=bool)
    return (
        pd.Series(parsed_arr.take(codes), index=raw.index),
        pd.Series(bad_arr[codes], index=raw.index),
    )


def _parse_bool(text: str) -> bool:
    return BOOL_WORDS[text.lower()] if text.lower() in BOOL_WORDS else _raise()


def _parse_date(text: str) -> pd.Timestamp:
    if not _ISO_DATE.match(text):
        _raise()
    return pd.Timestamp(dt.date.fromisoformat(text[:10]))


def _raise() -> None:
    raise ValueError


class Distinct:
    """A raw column as its distinct values (`uniques`, as read; `text`, trimmed) and each cell's
    code into them: every per-value step (trim, blank test, parse) runs once per distinct value,
    then is spread back to the cells with one `take` (a 5-million-row usage column has a few
    thousand distinct values). A categorical column (`read_raw` of a CSV) brings its codes along."""

    def __init__(
        self, raw: pd.Series, codes: np.ndarray | None = None, uniques: pd.Series | None = None,
        text: pd.Series | None = None,
    ) -> None:  # fmt: skip
        if codes is None or uniques is None:
            if isinstance(raw.dtype, pd.CategoricalDtype):
                codes = raw.array.codes.astype(np.intp, copy=False)
                uniques = pd.Series(raw.cat.categories, dtype="str")
            else:
                codes, found = pd.factorize(raw, sort=False, use_na_sentinel=False)
                uniques = pd.Series(found, dtype=raw.dtype if len(found) else "str")
        self.index, self.codes, self.uniques = raw.index, codes, uniques
        self.text = uniques.str.strip() if text is None else text
        self.blank_values = (self.text == "").to_numpy(dtype=bool)

    @property
    def blank(self) -> np.ndarray:
        return self.blank_values[self.codes]

    def subset(self, raw: pd.Series, keep: np.ndarray) -> Distinct:
        return Distinct(raw, self.codes[keep], self.uniques, self.text)

    def spread(self, values: pd.Series | pd.api.extensions.ExtensionArray | np.ndarray) -> pd.Series:
        """Per-distinct-value results as a column of the table."""
        array = values.array if isinstance(values, pd.Series) else values
        return pd.Series(array.take(self.codes), index=self.index, copy=False)  # pandas 3 copies arrays by default


def parse_column(raw: pd.Series, kind: str, distinct: Distinct | None = None) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of cells that could not be parsed. Blank cells become missing, not bad.
    Each distinct raw value is parsed once (`Distinct`)."""
    d = distinct if distinct is not None else Distinct(raw)
    text = d.text.mask(d.blank_values)
    no_bad = pd.Series(False, index=raw.index)
    if kind == "str":
        return d.spread(text.astype("str")), no_bad
    if kind == "enum":
        return d.spread(text.str.lower().astype("str")), no_bad
    if kind == "bool":
        values, bad = _by_unique(text, _parse_bool, "boolean")
        return d.spread(values), d.spread(bad.to_numpy())
    if kind == "date":
        values, bad = _by_unique(text, _parse_date, "datetime64[ns]")
        return d.spread(values.astype("datetime64[ns]")), d.spread(bad.to_numpy())
    if kind in ("number", "int"):
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = numbers.isna() & ~d.blank_values | ~np.isfinite(numbers.fillna(0.0))
        numbers = numbers.mask(bad)
        if kind == "int":
            fractional = numbers.notna() & (numbers != numbers.round())
            bad |= fractional
            numbers = numbers.mask(fractional)
            return d.spread(numbers.astype("Int64")), d.spread(bad.to_numpy())
        return d.spread(numbers.to_numpy()), d.spread(bad.to_numpy())
    raise ValueError(f"unknown column kind {kind!r}")


def _check_message(check: object, expect: str) -> str:
    name = str(check)
    if name == "field_uniqueness" or name == "multiple_fields_uniqueness":
        return "is duplicated (must be unique)"
    if name == "not_nullable":
        return f"is empty; must be {expect}"
    return f"must be {expect}"


def parse_table(raw: pd.DataFrame, model: type[pa.DataFrameModel], file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed table (index = row - 2) and every problem found in it, in row order."""
    schema = model.to_schema()
    problems: list[Problem] = []
    duplicated = raw.columns[raw.columns.duplicated()].unique()
    for name in duplicated:
        problems.append(Problem(file=file, column=name, message=f'column "{name}" appears more than once'))
    raw = raw.loc[:, ~raw.columns.duplicated()]
    missing = [n for n, col in schema.columns.items() if col.required and n not in raw.columns]
    for name in missing:
        problems.append(Problem(file=file, column=name, message=f'required column "{name}" is missing'))
    if problems:
        return pd.DataFrame(), problems

    distinct = {name: Distinct(raw[name]) for name in raw.columns}
    blank_row = np.logical_and.reduce([d.blank for d in distinct.values()]) if distinct else np.zeros(len(raw), bool)
    keep = ~blank_row
    if blank_row.any():
        raw = raw.loc[keep]

    typed = raw.copy(deep=False)  # every schema column is replaced below; raw stays as read
    for name in raw.columns.difference(list(schema.columns)):  # a column outside the contract, kept as text
        if isinstance(raw[name].dtype, pd.CategoricalDtype):
            typed[name] = distinct[name].subset(raw[name], keep).spread(distinct[name].uniques)
    reported: set[tuple[int, str]] = set()
    for name, col in schema.columns.items():
        meta = col.metadata or {}
        if name not in raw.columns:
            typed[name] = _empty_typed(raw.index, meta.get("default"), meta["kind"])
            continue
        values, bad = parse_column(raw[name], meta["kind"], distinct[name].subset(raw[name], keep))
        if meta.get("default") is not None:
            values = values.fillna(meta["default"])
        typed[name] = values
        message = f"must be {meta['expect']}"
        problems.extend(_cell_problems(raw, bad.index[bad.to_numpy()], name, message, file, reported))

    for name, col in schema.columns.items():  # required bool/int columns: plain numpy dtypes when complete
        if not col.nullable and str(col.dtype) in ("bool", "int64") and typed[name].notna().all():
            typed[name] = typed[name].astype(str(col.dtype))
    try:
        schema.validate(typed, lazy=True, inplace=True)  # coerce is off: inplace only skips pandera's copy
    except pa.errors.SchemaErrors as exc:
        problems.extend(_schema_problems(exc.failure_cases, schema, raw, file, reported))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return typed, problems


_DTYPES = {"str": "str", "enum": "str", "bool": "boolean", "date": "datetime64[ns]", "int": "Int64", "number": "float64"}


def _empty_typed(index: pd.Index, default: object, kind: str) -> pd.Series:
    """An optional column the file does not have: its default, or missing, in the column's dtype.
    A missing whole number or true/false is built from its values and mask directly (pandas
    checks a repeated scalar cell by cell: 0.2 s for a 5-million-row usage table)."""
    masked = {"int": (pd.arrays.IntegerArray, np.int64), "bool": (pd.arrays.BooleanArray, np.bool_)}
    if kind in masked and default is None:
        array, dtype = masked[kind]
        values = array(np.zeros(len(index), dtype=dtype), np.ones(len(index), dtype=bool))
        return pd.Series(values, index=index, copy=False)
    return pd.Series(default, index=index, dtype=_DTYPES[kind])


def _cell_problems(
    raw: pd.DataFrame, index: pd.Index | np.ndarray, name: str, message: str, file: str, reported: set[tuple[int, str]]
) -> list[Problem]:
    """One problem per row label in `index` not yet reported for column `name`, valued from the raw cell.

    Vectorized lookups: a file can hold a hundred thousand bad cells.
    """
    rows = [i for i in pd.unique(np.asarray(index, dtype="int64")).tolist() if (i, name) not in reported]
    reported.update((i, name) for i in rows)
    values = raw.loc[rows, name].str.strip().tolist() if name in raw.columns else [""] * len(rows)
    pairs = zip(rows, values, strict=True)
    return [Problem(file=file, row=i + 2, column=name, value=v, message=message) for i, v in pairs]


def _schema_problems(
    cases: pd.DataFrame, schema: pa.DataFrameSchema, raw: pd.DataFrame, file: str, reported: set[tuple[int, str]]
) -> list[Problem]:
    """Problems from pandera's failure cases, one per cell (a cell failing two checks is named once)."""
    problems = []
    located = cases["index"].notna()
    for case in cases[~located].itertuples(index=False):
        if str(case.check).startswith("dtype"):
            continue  # a column with missing or bad cells keeps a nullable dtype; those cells are reported
        problems.append(Problem(file=file, message=f"{case.column}: {case.check}"))
    cases = cases[located].assign(check=lambda c: c["check"].astype(str), column=lambda c: c["column"].astype(str))
    pairs = cases["check"] == "multiple_fields_uniqueness"
    unique_cols = list(schema.unique or [])
    if pairs.any() and unique_cols:
        key = "+".join(unique_cols)
        rows = [i for i in pd.unique(cases.loc[pairs, "index"].astype("int64")).tolist() if (i, key) not in reported]
        reported.update((i, key) for i in rows)
        cells = raw.loc[rows, unique_cols].apply(lambda s: s.str.strip())
        values = cells.agg(" + ".join, axis=1).tolist() if rows else []
        message = f"is duplicated: the pair ({', '.join(unique_cols)}) must appear at most once"
        column = ", ".join(unique_cols)
        for i, v in zip(rows, values, strict=True):
            problems.append(Problem(file=file, row=i + 2, column=column, value=v, message=message))
    for (name, check), group in cases[~pairs].groupby(["column", "check"], sort=False):
        expect = (schema.columns[name].metadata or {}).get("expect", "valid")
        problems.extend(_cell_problems(raw, group["index"], name, _check_message(check, expect), file, reported))
    return problems

"""Reading one intake table: raw cells from CSV or XLSX, then typed columns with row-level problems.

Row numbers are those a spreadsheet shows (header = row 1): the frame index is kept equal to
`row - 2` through parsing, so a problem found anywhere can name its row. Parsing is vectorized
(each distinct raw value is parsed once), which keeps a 5-million-row usage export fast.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
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


def read_raw(path: Path) -> pd.DataFrame:
    """All cells as strings ('' when blank), headers trimmed and lower-cased, index = row - 2.

    Raises ValueError with a readable reason when the file cannot be read at all.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                skip_blank_lines=False, sep=",",
            )  # fmt: skip
        except UnicodeDecodeError:
            raise ValueError("is not UTF-8 text (save it as 'CSV UTF-8')") from None
        except pd.errors.EmptyDataError:
            raise ValueError("is empty (it needs at least a header row)") from None
        except pd.errors.ParserError as exc:
            raise ValueError(f"could not be read as CSV: {exc}") from None
    elif suffix == ".xlsx":
        frame = _read_xlsx(path)
    else:
        raise ValueError("must be a .csv or .xlsx file")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame.index = pd.RangeIndex(len(frame))
    return frame


def _read_xlsx(path: Path) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise ValueError(f"could not be opened as an Excel workbook ({type(exc).__name__})") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ValueError("is empty (its first sheet needs at least a header row)")
        names = [excel_cell_text(h) for h in header]
        width = len(names)
        body = [[excel_cell_text(v) for v in (list(r) + [None] * width)[:width]] for r in rows]
    finally:
        book.close()
    while names and names[-1] == "" and all(r[-1] == "" for r in body):
        names.pop()
        body = [r[:-1] for r in body]
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


def parse_column(raw: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of cells that could not be parsed. Blank cells become missing, not bad."""
    text = raw.str.strip()
    blank = text == ""
    text = text.mask(blank)
    if kind == "str":
        return text.astype("str"), pd.Series(False, index=raw.index)
    if kind == "enum":
        return text.str.lower().astype("str"), pd.Series(False, index=raw.index)
    if kind == "bool":
        return _by_unique(text, _parse_bool, "boolean")
    if kind == "date":
        values, bad = _by_unique(text, _parse_date, "datetime64[ns]")
        return values.astype("datetime64[ns]"), bad
    if kind in ("number", "int"):
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = numbers.isna() & ~blank | ~np.isfinite(numbers.fillna(0.0))
        numbers = numbers.mask(bad)
        if kind == "int":
            fractional = numbers.notna() & (numbers != numbers.round())
            bad |= fractional
            numbers = numbers.mask(fractional)
            return numbers.astype("Int64"), bad
        return numbers, bad
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

    blank_row = (raw.apply(lambda s: s.str.strip()) == "").all(axis=1) if len(raw.columns) else pd.Series(dtype=bool)
    raw = raw.loc[~blank_row]

    typed = raw.copy()
    reported: set[tuple[int, str]] = set()
    for name, col in schema.columns.items():
        meta = col.metadata or {}
        if name not in raw.columns:
            typed[name] = _empty_typed(raw.index, meta.get("default"), meta["kind"])
            continue
        values, bad = parse_column(raw[name], meta["kind"])
        if meta.get("default") is not None:
            values = values.fillna(meta["default"])
        typed[name] = values
        for idx in bad[bad].index:
            reported.add((idx, name))
            problems.append(
                Problem(file=file, row=int(idx) + 2, column=name, value=raw.at[idx, name].strip(),
                        message=f"must be {meta['expect']}")
            )  # fmt: skip

    for name, col in schema.columns.items():  # required bool/int columns: plain numpy dtypes when complete
        if not col.nullable and str(col.dtype) in ("bool", "int64") and typed[name].notna().all():
            typed[name] = typed[name].astype(str(col.dtype))
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems.extend(_schema_problems(exc.failure_cases, schema, raw, file, reported))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return typed, problems


_DTYPES = {"str": "str", "enum": "str", "bool": "boolean", "date": "datetime64[ns]", "int": "Int64", "number": "float64"}


def _empty_typed(index: pd.Index, default: object, kind: str) -> pd.Series:
    """An optional column the file does not have: its default, or missing, in the column's dtype."""
    return pd.Series(default, index=index, dtype=_DTYPES[kind])


def _schema_problems(
    cases: pd.DataFrame, schema: pa.DataFrameSchema, raw: pd.DataFrame, file: str, reported: set[tuple[int, str]]
) -> list[Problem]:
    problems = []
    unique_cols = list(schema.unique or [])
    for case in cases.itertuples(index=False):
        idx = case.index
        if idx is None or (isinstance(idx, float) and math.isnan(idx)):
            if str(case.check).startswith("dtype"):
                continue  # a column with missing or bad cells keeps a nullable dtype; those cells are reported
            problems.append(Problem(file=file, message=f"{case.column}: {case.check}"))
            continue
        idx = int(idx)
        check = str(case.check)
        if check == "multiple_fields_uniqueness":
            cols = unique_cols
            key = (idx, "+".join(cols))
            if key in reported:
                continue
            reported.add(key)
            value = " + ".join(raw.at[idx, c].strip() for c in cols)
            message = f"is duplicated: the pair ({', '.join(cols)}) must appear at most once"
            problems.append(Problem(file=file, row=idx + 2, column=", ".join(cols), value=value, message=message))
            continue
        name = str(case.column)
        if (idx, name) in reported:
            continue
        reported.add((idx, name))
        expect = (schema.columns[name].metadata or {}).get("expect", "valid")
        value = raw.at[idx, name].strip() if name in raw.columns else ""
        problems.append(
            Problem(file=file, row=idx + 2, column=name, value=value, message=_check_message(check, expect))
        )
    return problems

"""The rows a return adds to each table of the store, as Arrow tables (store.write_returns inserts
them). Built in ingest's worker processes, so the one process that writes the store does little
more than insert and commit; apart from store.py, which stays about the store itself.
"""

from __future__ import annotations

from ..config.fields import RECORD_TABLES


def arrow_tables(mapped, agency) -> dict:
    """The rows a return adds to each table, as Arrow tables without the return id (given only
    when it is written). Ingest builds these in its worker processes, so the one process that
    writes the store does little more than insert and commit."""
    import pyarrow as pa

    types = {"dob": pa.date32(), "case_date": pa.date32(), "age": pa.int32(), "missing_episodes": pa.int32(),
             "age_max": pa.int32(), "school_year": pa.int32(),
             "row_number": pa.int32(), "header_row": pa.int32()}
    out = {}
    if mapped.raw_headers:
        h = mapped.raw_headers
        out["raw_headers"] = pa.table({
            "sheet": [x[0] for x in h], "kind": [x[1] for x in h], "header_row": pa.array([x[2] for x in h], pa.int32()),
            "headers": pa.array([x[3] for x in h], type=pa.list_(pa.string()))})
    if mapped.raw_rows:
        # Arrow carries the lists of cells into DuckDB without a Python object per cell.
        raw = mapped.raw_rows
        out["raw_rows"] = pa.table({
            "sheet": [r[0] for r in raw], "row_number": pa.array([r[1] for r in raw], type=pa.int32()),
            "kind": [r[2] for r in raw], "cells": pa.array([r[3] for r in raw], type=pa.list_(pa.string()))})
    for table, fields in RECORD_TABLES.items():
        n = mapped.count(table)
        if not n:
            continue
        cols = mapped.columns[table]
        names = ["sheet", "row_number"] + fields + ([] if table == "cases" else ["column_group", "age_max"])
        # A field the return does not have is all nulls, and the registry's fields are one value
        # for every row: made as such, not converted from a list of n Python objects.
        data = {f: _column(cols.get(f), n, types.get(f, pa.string())) for f in names}
        data["agency_id"] = _constant(agency.id, n)
        data["source_type"] = _constant(agency.source_type, n)
        if "force_area" in fields:
            data["force_area"] = _constant(agency.force_area, n)
        out[table] = pa.table(data)
        if not _unique_ids(cols, n):
            _check_unique_ids(out[table], table)
    if mapped.issues:
        issues = [vars(i) for i in mapped.issues]
        out["issues"] = pa.table({k: pa.array([i[k] for i in issues], type=pa.int32() if k == "row_number"
                                               else pa.string()) for k in issues[0]})
    return out


def _column(values: list | None, n: int, arrow_type):
    import pyarrow as pa

    return pa.nulls(n, arrow_type) if values is None else pa.array(values, type=arrow_type)


def _constant(value: str | None, n: int):
    """One registry value for every row, as a plain (not dictionary) string column: the store's
    inserts were slower from dictionary columns (BENCHMARKS.md, session 7)."""
    import pyarrow as pa

    return pa.nulls(n, pa.string()) if value is None else pa.repeat(pa.scalar(value, pa.string()), n)


def _unique_ids(cols: dict, n: int) -> bool:
    """Whether the rows' record id keys (sheet:row, and :g + the column group) are all distinct:
    the usual case, checked on the Python lists for a fraction of _check_unique_ids' cost. With no
    ':' in a sheet name, a key splits back into its sheet, row and group one way only, so distinct
    (sheet, row, group) mean distinct keys. Anything else (a ':' in a sheet name, a group that is
    not text, a row without a sheet, which Arrow keys as null, a repeat) returns False and leaves
    the verdict and the message to _check_unique_ids."""
    sheets, rows, groups = cols.get("sheet"), cols.get("row_number"), cols.get("column_group")
    if sheets is None or rows is None:
        return False
    names = set(sheets)
    if not all(type(s) is str and ":" not in s for s in names) or not all(type(r) is int for r in set(rows)):
        return False
    if groups is None or not any(g is not None for g in groups):
        return len(set(zip(sheets, rows, strict=True))) == n
    if not all(g is None or type(g) is str for g in set(groups)):
        return False
    return len(set(zip(sheets, rows, groups, strict=True))) == n


def _check_unique_ids(frame, table: str) -> None:
    """Refuse a return two of whose rows of one table would get the same record id (the check a
    key on record_id made): the id is agency:return: + this key, the first two the same for
    every row of a return. Vectorised, so it costs little, and done in the worker processes."""
    import duckdb  # here, not at the top: ingest's workers do without it
    import pyarrow as pa
    import pyarrow.compute as pc

    key = pc.binary_join_element_wise(frame["sheet"], pc.cast(frame["row_number"], pa.string()), ":")
    if "column_group" in frame.column_names:
        group = pc.fill_null(pc.binary_join_element_wise(":g", frame["column_group"], ""), "")
        key = pc.binary_join_element_wise(key, group, "")
    counts = pc.value_counts(key)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    if len(repeated):
        raise duckdb.ConstraintException(
            f'Duplicate key "record_id: ...:{repeated[0]["values"]}" in {table}: two rows of one return '
            "would get the same record id")

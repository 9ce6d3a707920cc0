"""Disclosure control: no visible count 1..5 and no suppressed cell recoverable from a total."""

from __future__ import annotations

import csv
import importlib.util
import io
import random
from pathlib import Path

from cse_audit.tables import SUPPRESSED, load_config, publish, render
from cse_audit.tables.counting import _rows

CONFIG = {"disclosure": {"threshold": 5, "exempt_columns": ["agencies_asked"]}}


def table(counts: dict[str, int], unknown: str | None = "Unknown", **extra) -> dict:
    rows, total = _rows(counts, list(counts), unknown=unknown if unknown in counts else None)
    return {"title": "T", "note": "n.", "period": "all", "population": extra.pop("population", None),
            "rows": rows, "total": total, **extra}


def sub(counts: dict[str, int], total_of: str | None) -> dict:
    rows, total = _rows(counts, list(counts), unknown="Unknown" if "Unknown" in counts else None)
    return {"title": "S", "rows": rows, "total": total, "total_of": total_of}


def count_groups(tables: dict):
    """(member values, total value) for every additive group, as published."""
    for t in tables.values():
        if "columns" in t:
            body = [r for r in t["rows"] if r["category"] != "Total"]
            total = next(r for r in t["rows"] if r["category"] == "Total")
            for col in t["columns"]:
                yield [r[col] for r in body], total[col]
            continue
        for part in [t] + [v for v in t.values() if isinstance(v, dict) and "rows" in v]:
            yield [r["count"] for r in part["rows"]], part["total"]


def visible_small(tables: dict, exempt=("agencies_asked",)) -> list:
    found = []
    for t in tables.values():
        for part in [t] + [v for v in t.values() if isinstance(v, dict) and "rows" in v]:
            cells = [part.get("total")] + [v for r in part["rows"] for k, v in r.items()
                                           if k not in ("category", "percent", "percent_known", *exempt)]
            cells += [v for k, v in part.items() if k not in ("total", "rows") and isinstance(v, int)]
            found += [c for c in cells if isinstance(c, int) and not isinstance(c, bool) and 1 <= c <= 5]
    return found


def assert_safe(tables: dict, exempt=("agencies_asked",)) -> None:
    assert visible_small(tables, exempt) == []
    for members, total in count_groups(tables):
        hidden = sum(v == SUPPRESSED for v in members) + (total == SUPPRESSED)
        # one hidden cell in a group with a shown total could be worked out by subtraction
        assert hidden != 1, (members, total)


def test_primary_and_secondary():
    t = {"t": table({"A": 100, "B": 3, "C": 20, "D": 0, "Unknown": 40},
                    sub=sub({"x": 97, "y": 3}, "A"))}
    out = publish(t, config=CONFIG)
    rows = {r["category"]: r for r in out["t"]["rows"]}
    assert rows["B"]["count"] == SUPPRESSED            # primary
    assert rows["C"]["count"] == SUPPRESSED            # secondary: next smallest
    assert rows["A"]["count"] == 100 and rows["D"]["count"] == 0  # true zero stays 0
    assert rows["B"]["percent"] == SUPPRESSED and rows["B"]["percent_known"] == SUPPRESSED
    assert rows["A"]["percent"] == t["t"]["rows"][0]["percent"]  # from unrounded counts, unchanged
    assert rows["D"]["percent"] == 0.0
    s = {r["category"]: r["count"] for r in out["t"]["sub"]["rows"]}
    assert s == {"x": SUPPRESSED, "y": SUPPRESSED}
    assert out["t"]["total"] == 163 and out["t"]["published"] is True
    assert "[c]" in out["t"]["note"] and "1 to 5" in out["t"]["note"]
    assert t["t"]["rows"][1]["count"] == 3  # the input is not changed
    assert_safe(out)


def test_hidden_parent_hides_subtable_total_and_population_totals():
    t = {"a": table({"Reported missing": 4, "Not reported missing": 30, "Unknown": 50},
                    population="victims", sub=sub({"Home": 2, "Care": 2, "Unknown": 0}, "Reported missing")),
         "b": table({"Female": 3, "Male": 81, "Unknown": 0}, population="victims")}
    out = publish(t, config=CONFIG)
    assert out["a"]["sub"]["total"] == SUPPRESSED  # the same number as the hidden parent row
    assert_safe(out)


def test_unknown_hidden_hides_percent_known():
    out = publish({"t": table({"White": 50, "Asian": 40, "Unknown": 2})}, config=CONFIG)
    rows = {r["category"]: r for r in out["t"]["rows"]}
    assert rows["Unknown"]["count"] == SUPPRESSED and rows["Asian"]["count"] == SUPPRESSED
    # % of known would give back the known total, hence Unknown = total - known
    assert rows["White"]["percent_known"] == SUPPRESSED
    assert rows["White"]["percent"] == 54.3


def test_small_total_hides_everything_and_percentages():
    out = publish({"t": table({"Female": 4, "Male": 0, "Unknown": 0})}, config=CONFIG)
    assert out["t"]["total"] == SUPPRESSED
    assert out["t"]["rows"][0]["percent"] == SUPPRESSED
    assert out["t"]["rows"][1]["count"] == 0
    assert_safe(out)


def test_total_is_suppressed_when_no_other_cell_is_left():
    # one member hidden, the rest true zeros: only the total can protect it
    out = publish({"t": table({"A": 0, "B": 3, "C": 0}, unknown=None)}, config=CONFIG)
    assert out["t"]["total"] == SUPPRESSED
    assert_safe(out)


def test_sources_columns():
    rows = [
        {"category": "Police forces", "agencies_asked": 3, "victims": 40},
        {"category": "LSCBs and children's services", "agencies_asked": 2, "victims": 4},
        {"category": "Voluntary sector", "agencies_asked": 1, "victims": 12},
        {"category": "Total", "agencies_asked": 6, "victims": 50},
    ]
    out = publish({"sources": {"title": "S", "note": "", "period": "all", "columns": ["agencies_asked", "victims"],
                               "rows": rows}}, config=CONFIG)
    got = {r["category"]: (r["agencies_asked"], r["victims"]) for r in out["sources"]["rows"]}
    assert got["LSCBs and children's services"] == (2, SUPPRESSED)  # agency counts are exempt
    assert got["Voluntary sector"] == (1, SUPPRESSED)              # secondary in the column
    assert got["Police forces"] == (3, 40)
    assert "not suppressed" in out["sources"]["note"]
    assert_safe(out)


def test_random_tables_are_safe():
    rng = random.Random(20110629)
    for _ in range(300):
        n = rng.randint(1, 8)
        counts = {f"k{i}": rng.choice([0, 0, 1, 2, 3, 5, 6, 7, 20, 150]) for i in range(n)}
        counts["Unknown"] = rng.choice([0, 2, 9, 300])
        parent = rng.choice(list(counts))
        split = rng.randint(0, counts[parent])
        t = {"t": table(counts, s=sub({"a": split, "b": counts[parent] - split}, parent), population="p"),
             "u": table({"x": sum(counts.values())}, unknown=None, population="p")}
        out = publish(t, config=CONFIG)
        assert_safe(out)
        s = out["t"]["s"]
        parent_count = next(r["count"] for r in out["t"]["rows"] if r["category"] == parent)
        assert (s["total"] == SUPPRESSED) == (parent_count == SUPPRESSED)
        assert (out["t"]["total"] == SUPPRESSED) == (out["u"]["total"] == SUPPRESSED)


def crafted_store_module():
    """tests/test_tables.py, whose make_store builds the crafted store (tests is not a package)."""
    spec = importlib.util.spec_from_file_location("crafted_store", Path(__file__).with_name("test_tables.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_published_store_tables_show_no_small_counts(tmp_path):
    from cse_audit.tables import build_tables

    crafted = crafted_store_module()
    con = crafted.make_store(tmp_path / "p.duckdb")
    tables = build_tables(con, registry=crafted.REGISTRY)
    con.close()
    assert visible_small(tables, exempt=()) != []  # the crafted store is full of small counts
    out = publish(tables, config=load_config())
    organisations = ("agencies_asked", "agencies_responded", "nil_returns")  # configs/tables.yaml
    assert_safe(out, exempt=organisations)
    # and what `tables --publish --format csv` prints has none either
    text = render(out, "csv")
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        for key, value in row.items():
            if key not in {*organisations, "table", "section", "category"} and value.isdigit():
                assert not 1 <= int(value) <= 5, (row, key)

"""Headline tables on a crafted store with hand-written linkage results (no linkage.py needed).

The store (see `make_store`): police-a (current return 1, and superseded return 5), police-b (nil),
lscb-a (return 3), ngo-a (return 4). Victim persons P1..P5 plus one unlinked record; offender
persons O1..O9. The expected numbers below are worked out by hand from those rows.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cse_audit import store
from cse_audit.tables import TABLE_NAMES, TablesError, build_tables, offender_group_components

REGISTRY = [
    {"id": "police-a", "source_type": "police", "expected": True},
    {"id": "police-b", "source_type": "police", "expected": True},
    {"id": "police-c", "source_type": "police", "expected": True},   # asked, never answered
    {"id": "police-d", "source_type": "police", "expected": False},  # not asked
    {"id": "lscb-a", "source_type": "lscb", "expected": True},
    {"id": "lscb-b", "source_type": "lscb"},                          # expected defaults to true
    {"id": "ngo-a", "source_type": "ngo", "expected": True},
]

D = dt.date.fromisoformat
RETURNS = [  # return_id, agency, source_type, status, nil
    (1, "police-a", "police", "current", False),
    (2, "police-b", "police", "current", True),
    (3, "lscb-a", "lscb", "current", False),
    (4, "ngo-a", "ngo", "current", False),
    (5, "police-a", "police", "superseded", False),
]
CASES = [  # return_id, case_ref, case_date
    (1, "C1", D("2009-03-01")),
    (1, "C2", D("2010-01-01")),   # just after the 2009 period
    (1, "C3", None),              # no case date
    (1, "C4", D("2009-12-31")),   # on the boundary, no people
    (3, "C1", D("2009-05-05")),   # same reference as police C1: a different case
    (4, "N1", D("2011-01-01")),
    (5, "S1", D("2009-06-01")),   # superseded
]
# victims: (return_id, row, case_ref, record case_date, person or None, record fields)
_REC = dict(sex="Unknown", ethnicity="Unknown", ethnicity_detail=None, age=None, missing_status="Unknown",
            missing_from="Unknown", missing_episodes=None, looked_after="Unknown")
VICTIMS = [
    (1, 2, "C1", None, "P1", _REC),
    (3, 2, "C1", D("2009-05-05"), "P1", _REC),
    (4, 2, "N1", None, "P1", _REC),
    (1, 3, "C2", None, "P2", _REC),
    (1, 4, "C1", None, "P3", _REC),
    (3, 3, "C1", None, "P3", _REC),
    (4, 3, "N1", None, "P4", _REC),
    (1, 5, "C3", None, "P5", _REC),
    (5, 2, "S1", None, "P6", _REC),  # superseded: never counted
    # loaded after linkage: no link, counted on its own record's fields
    (3, 4, "C1", None, None, dict(_REC, sex="Female", ethnicity="Mixed", age=12,
                                  missing_status="Not reported missing", looked_after="No")),
]
VICTIM_PERSONS = {  # merged fields (differ from the records on purpose: the persons table wins)
    "P1": dict(sex="Female", ethnicity="White", ethnicity_detail="White British", age=14,
               missing_status="Reported missing", missing_from="Home", missing_episodes=3, looked_after="Yes"),
    "P2": dict(sex="Female", ethnicity="Asian", ethnicity_detail="Pakistani", age=15,
               missing_status="Reported missing", missing_from="Care", missing_episodes=12, looked_after="No"),
    "P3": dict(sex="Male", ethnicity="Unknown", ethnicity_detail=None, age=None,
               missing_status="Not reported missing", missing_from="Unknown", missing_episodes=None,
               looked_after="Unknown"),
    "P4": dict(sex="Unknown", ethnicity="Black", ethnicity_detail="African", age=9,
               missing_status="Unknown", missing_from="Unknown", missing_episodes=None, looked_after="Unknown"),
    "P5": dict(sex="Female", ethnicity="White", ethnicity_detail=None, age=17,
               missing_status="Reported missing", missing_from="Both", missing_episodes=1, looked_after="Yes"),
    "P6": dict(sex="Male", ethnicity="White", ethnicity_detail=None, age=16,
               missing_status="Reported missing", missing_from="Home", missing_episodes=1, looked_after="Yes"),
}
_OREC = dict(sex="Unknown", ethnicity="Unknown", ethnicity_detail=None, age=None, identified="Unknown")
OFFENDERS = [  # return_id, row, case_ref, person
    (1, 10, "C1", "O1"), (1, 11, "C1", "O2"),
    (1, 12, "C2", "O2"), (1, 13, "C2", "O3"),   # C1 and C2 joined by O2: one group of 3
    (3, 10, "C1", "O4"),                        # one offender: not a group (not joined to police C1)
    (4, 10, "N1", "O5"), (4, 11, "N1", "O5"), (4, 12, "N1", "O6"),  # O5 twice: group of 2
    (1, 14, "C3", "O7"), (1, 15, "C3", "O8"),   # undated case: group of 2
    (1, 16, None, "O9"),                        # no case reference: in no group
]
OFFENDER_PERSONS = {
    "O1": dict(sex="Male", ethnicity="Asian", age=20, identified="Yes"),
    "O2": dict(sex="Male", ethnicity="Asian", age=22, identified="Yes"),
    "O3": dict(sex="Male", ethnicity="Unknown", age=30, identified="No"),
    "O4": dict(sex="Male", ethnicity="White", age=40, identified="Yes"),
    "O5": dict(sex="Male", ethnicity="White", age=50, identified="Unknown"),
    "O6": dict(sex="Male", ethnicity="Asian", age=17, identified="Yes"),
    "O7": dict(sex="Female", ethnicity="Unknown", age=None, identified="No"),
    "O8": dict(sex=None, ethnicity="Unknown", age=19, identified=None),
    "O9": dict(sex="Male", ethnicity="Unknown", age=24, identified="Yes"),
}
AGENCY = {r[0]: (r[1], r[2]) for r in RETURNS}


def _rid(ret: int, sheet: str, row: int) -> str:
    agency = AGENCY[ret][0]
    return f"{agency}:{ret}:{sheet}:{row}"


def make_store(path):
    """A store with the rows above and hand-written linkage tables; returns the open connection."""
    con = store.connect(path)
    for ret, agency, stype, status, nil in RETURNS:
        # rows landed: none in a nil return, some in the others (a return with no rows that does not
        # say it is nil is an empty template, no response: session 17)
        con.execute(
            "INSERT INTO returns VALUES (?, ?, ?, ?, NULL, 'x', NULL, now(), ?, ?, ?, 0, 0, 0, 0)",
            [ret, agency, stype, f"{agency}.xlsx", status, nil, 0 if nil else 1])
    for i, (ret, ref, date) in enumerate(CASES):
        agency, stype = AGENCY[ret]
        con.execute("INSERT INTO cases VALUES (?, ?, ?, ?, 'Cases', ?, ?, ?, NULL)",
                    [_rid(ret, "Cases", i + 2), ret, agency, stype, i + 2, ref, date])
    con.execute("CREATE TABLE victim_links (record_id VARCHAR, person_id VARCHAR, match_probability DOUBLE)")
    con.execute("CREATE TABLE offender_links (record_id VARCHAR, person_id VARCHAR, match_probability DOUBLE)")
    vcols = ", ".join(store.VICTIM_FIELDS)
    for ret, row, ref, date, person, fields in VICTIMS:
        agency, stype = AGENCY[ret]
        values = dict(fields, case_ref=ref, case_date=date)
        rid = _rid(ret, "Victims", row)
        con.execute(f"INSERT INTO victims (record_id, return_id, agency_id, source_type, sheet, row_number, {vcols})"
                    f" VALUES (?, ?, ?, ?, 'Victims', ?, {', '.join('?' * len(store.VICTIM_FIELDS))})",
                    [rid, ret, agency, stype, row] + [values.get(f) for f in store.VICTIM_FIELDS])
        if person:
            con.execute("INSERT INTO victim_links VALUES (?, ?, 0.99)", [rid, person])
    ocols = ", ".join(store.OFFENDER_FIELDS)
    for ret, row, ref, person in OFFENDERS:
        agency, stype = AGENCY[ret]
        values = dict(_OREC, case_ref=ref)
        rid = _rid(ret, "Offenders", row)
        con.execute(f"INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number,"
                    f" {ocols}) VALUES (?, ?, ?, ?, 'Offenders', ?, {', '.join('?' * len(store.OFFENDER_FIELDS))})",
                    [rid, ret, agency, stype, row] + [values.get(f) for f in store.OFFENDER_FIELDS])
        con.execute("INSERT INTO offender_links VALUES (?, ?, 0.99)", [rid, person])
    con.execute("""CREATE TABLE victim_persons (person_id VARCHAR, n_records INTEGER, n_agencies INTEGER,
        agencies VARCHAR[], source_types VARCHAR[], sex VARCHAR, ethnicity VARCHAR, ethnicity_detail VARCHAR,
        age INTEGER, dob DATE, missing_status VARCHAR, missing_from VARCHAR, missing_episodes INTEGER,
        looked_after VARCHAR)""")
    for pid, f in VICTIM_PERSONS.items():
        con.execute("INSERT INTO victim_persons VALUES (?, 1, 1, [], [], ?, ?, ?, ?, NULL, ?, ?, ?, ?)",
                    [pid, f["sex"], f["ethnicity"], f["ethnicity_detail"], f["age"], f["missing_status"],
                     f["missing_from"], f["missing_episodes"], f["looked_after"]])
    con.execute("""CREATE TABLE offender_persons (person_id VARCHAR, n_records INTEGER, n_agencies INTEGER,
        agencies VARCHAR[], source_types VARCHAR[], sex VARCHAR, ethnicity VARCHAR, ethnicity_detail VARCHAR,
        age INTEGER, identified VARCHAR)""")
    for pid, f in OFFENDER_PERSONS.items():
        con.execute("INSERT INTO offender_persons VALUES (?, 1, 1, [], [], ?, ?, NULL, ?, ?)",
                    [pid, f["sex"], f["ethnicity"], f["age"], f["identified"]])
    return con


@pytest.fixture
def con(tmp_path):
    con = make_store(tmp_path / "t.duckdb")
    yield con
    con.close()


@pytest.fixture
def tables(con):
    return build_tables(con, registry=REGISTRY)


def counts(table: dict, key: str = "count") -> dict:
    return {r["category"]: r[key] for r in table["rows"]}


def test_all_tables_in_order(tables):
    assert list(tables) == TABLE_NAMES
    for table in tables.values():
        assert table["period"] == "all"
        assert "Period: all" in table["note"] and "[c]" in table["note"]
    assert {k: (t["title"], len(t["rows"])) for k, t in tables.items()} == {
        "sources": ("Returns, case records and people by source type", 4),
        "victims_missing": ("Victims: reported missing", 3),
        "victims_sex": ("Victims: sex", 3),
        "victims_age": ("Victims: age", 8),
        "victims_ethnicity": ("Victims: ethnicity", 7),
        "victims_looked_after": ("Victims: looked after (in local-authority care)", 3),
        "victims_overlap": ("Victims: reported by one or more agencies", 3),
        "offenders_sex": ("Offenders: sex", 3),
        "offenders_age": ("Offenders: age", 6),
        "offenders_ethnicity": ("Offenders: ethnicity", 7),
        "offenders_ethnicity_reliable": ("Offenders: ethnicity, most reliable data group", 7),
        "offender_groups": ("Offender groups", 4),
    }


def test_sources(tables):
    rows = {r["category"]: r for r in tables["sources"]["rows"]}
    assert list(rows) == ["Police forces", "LSCBs and children's services", "Voluntary sector", "Total"]
    police = {"agencies_asked": 3, "agencies_responded": 2, "nil_returns": 1, "cases": 4,
              "victim_records": 4, "victims": 4, "offender_records": 7, "offenders": 6}
    lscb = {"agencies_asked": 2, "agencies_responded": 1, "nil_returns": 0, "cases": 1,
            "victim_records": 3, "victims": 3, "offender_records": 1, "offenders": 1}
    ngo = {"agencies_asked": 1, "agencies_responded": 1, "nil_returns": 0, "cases": 1,
           "victim_records": 2, "victims": 2, "offender_records": 3, "offenders": 2}
    # Total people are unique people, not the column sum (4 + 3 + 2 = 9 victims, but 6 children).
    total = {"agencies_asked": 6, "agencies_responded": 4, "nil_returns": 1, "cases": 6,
             "victim_records": 9, "victims": 6, "offender_records": 11, "offenders": 9}
    for label, want in [("Police forces", police), ("LSCBs and children's services", lscb),
                        ("Voluntary sector", ngo), ("Total", total)]:
        assert {k: rows[label][k] for k in want} == want, label
    assert "once" in tables["sources"]["note"]


def test_sources_without_registry(con, tmp_path):
    t = build_tables(con, ["sources"], registry=lambda: None)
    assert all(r["agencies_asked"] is None for r in t["sources"]["rows"])
    assert "no registry" in t["sources"]["note"]


def test_victims_missing(tables):
    t = tables["victims_missing"]
    assert [r["category"] for r in t["rows"]] == ["Reported missing", "Not reported missing", "Unknown"]
    assert counts(t) == {"Reported missing": 3, "Not reported missing": 2, "Unknown": 1}
    assert t["total"] == 6
    assert counts(t, "percent") == {"Reported missing": 50.0, "Not reported missing": 33.3, "Unknown": 16.7}
    assert counts(t, "percent_known") == {"Reported missing": 60.0, "Not reported missing": 40.0, "Unknown": None}
    assert counts(t["missing_from"]) == {"Home": 1, "Care": 1, "Both": 1, "Unknown": 0}
    assert t["missing_from"]["total_of"] == "Reported missing"
    assert counts(t["episodes"]) == {"0": 0, "1": 1, "2-4": 1, "5-9": 0, "10 or more": 1, "Unknown": 0}
    # the checker's matching rule finds the right rows
    find = {c: next(r["count"] for r in t["rows"] if r["category"].lower().startswith(c))
            for c in ("reported missing", "not reported", "unknown")}
    assert find == {"reported missing": 3, "not reported": 2, "unknown": 1}


def test_victims_sex_age_looked_after(tables):
    assert counts(tables["victims_sex"]) == {"Female": 4, "Male": 1, "Unknown": 1}
    male = next(r for r in tables["victims_sex"]["rows"] if r["category"].lower().startswith("male"))
    assert male["count"] == 1
    assert counts(tables["victims_age"]) == {"Under 10": 1, "10-11": 0, "12-13": 1, "14": 1, "15": 1,
                                             "16-17": 1, "18+": 0, "Unknown": 1}
    assert counts(tables["victims_looked_after"]) == {"Yes": 2, "No": 2, "Unknown": 2}
    assert counts(tables["victims_looked_after"], "percent_known") == {"Yes": 50.0, "No": 50.0, "Unknown": None}


def test_ethnicity(tables):
    v = tables["victims_ethnicity"]
    assert counts(v) == {"White": 2, "Asian": 1, "Black": 1, "Chinese": 0, "Mixed": 1, "Other": 0, "Unknown": 1}
    assert counts(v, "percent_known")["White"] == 40.0
    detail = counts(v["asian_detail"])
    assert detail["Pakistani"] == 1 and detail["Indian"] == 0 and detail["Detail not known"] == 0
    o = tables["offenders_ethnicity"]
    assert counts(o) == {"White": 2, "Asian": 3, "Black": 0, "Chinese": 0, "Mixed": 0, "Other": 0, "Unknown": 4}
    assert counts(o["asian_detail"])["Detail not known"] == 3
    r = tables["offenders_ethnicity_reliable"]  # identified == "Yes": O1, O2, O4, O6, O9
    assert r["total"] == 5
    assert counts(r) == {"White": 1, "Asian": 3, "Black": 0, "Chinese": 0, "Mixed": 0, "Other": 0, "Unknown": 1}
    assert counts(r, "percent") == {"White": 20.0, "Asian": 60.0, "Black": 0.0, "Chinese": 0.0, "Mixed": 0.0,
                                    "Other": 0.0, "Unknown": 20.0}


def test_reliable_group_from_config(con):
    t = build_tables(con, ["offenders_ethnicity_reliable"], registry=REGISTRY,
                     config={"reliable_offenders": {"field": "identified", "equals": "No"}})
    assert t["offenders_ethnicity_reliable"]["total"] == 2  # O3, O7


def test_offenders_sex_age(tables):
    assert counts(tables["offenders_sex"]) == {"Female": 1, "Male": 7, "Unknown": 1}
    assert counts(tables["offenders_age"]) == {"Under 18": 1, "18-24": 4, "25-34": 1, "35-44": 1, "45+": 1,
                                               "Unknown": 1}


def test_victims_overlap(tables):
    t = tables["victims_overlap"]
    assert counts(t) == {"Reported by one agency": 4, "Reported by two agencies": 1,
                         "Reported by three or more agencies": 1}
    assert counts(t["source_types"]) == {
        "Police forces only": 2, "LSCBs and children's services only": 1, "Voluntary sector only": 1,
        "Police forces and LSCBs and children's services": 1, "Police forces and Voluntary sector": 0,
        "LSCBs and children's services and Voluntary sector": 0, "All three source types": 1}


def test_offender_groups(tables):
    t = tables["offender_groups"]
    assert t["total"] == 3
    assert counts(t) == {"2 offenders": 2, "3-4 offenders": 1, "5-8 offenders": 0, "More than 8 offenders": 0}
    assert t["offenders_in_groups"] == 7
    eth = counts(t["ethnicity"])
    assert eth["All Asian"] == 1 and eth["More than one ethnicity"] == 1 and eth["Unknown"] == 1
    assert sum(eth.values()) == 3
    assert "1 offender record(s) with no case reference" in t["note"]
    assert "Ethnicity rule" in t["note"]


def test_group_components_graph():
    edges = [(("r1", "A"), "x"), (("r1", "A"), "y"), (("r1", "B"), "y"), (("r1", "B"), "z"),
             (("r2", "A"), "w"),                         # same ref, other return: separate, one offender
             (("r1", "C"), "v"), (("r1", "C"), "v")]     # one person twice: one member
    comps = offender_group_components(edges)
    assert sorted(map(sorted, comps)) == [["v"], ["w"], ["x", "y", "z"]]


def test_period(con):
    t = build_tables(con, period=("2009-01-01", "2009-12-31"), registry=REGISTRY)
    for table in t.values():
        assert table["period"] == {"from": "2009-01-01", "to": "2009-12-31"}
        assert "2009-01-01 to 2009-12-31" in table["note"]
        assert "excluded" in table["note"]
    src = {r["category"]: r for r in t["sources"]["rows"]}
    assert src["Total"]["cases"] == 3  # police C1, C4 (boundary date), lscb C1; not C2 (2010), C3 (no date)
    assert src["Total"]["victims"] == 3  # P1, P3, unlinked record
    assert "cases 1, victims 1, offenders 3" in t["sources"]["note"]
    assert counts(t["victims_sex"]) == {"Female": 2, "Male": 1, "Unknown": 0}
    assert "victims 1." in t["victims_sex"]["note"]  # P5's record on the undated case
    g = t["offender_groups"]
    assert g["total"] == 1 and counts(g)["2 offenders"] == 1  # O1+O2 on police C1; C2 is outside
    assert "offenders 3." in g["note"]  # O7, O8 (undated case) and O9 (no case)
    # open-ended period
    t2 = build_tables(con, ["victims_sex"], period=("2010-01-01", None))
    assert t2["victims_sex"]["total"] == 3  # P1 (via N1), P2 (C2), P4 (N1)


def test_all_period_counts_undated(tables):
    assert "(included, as no period is set)" in tables["victims_sex"]["note"]


def test_names_and_errors(con):
    t = build_tables(con, ["victims_sex", "sources"], registry=REGISTRY)
    assert list(t) == ["sources", "victims_sex"]
    with pytest.raises(TablesError, match="unknown table"):
        build_tables(con, ["nope"])
    with pytest.raises(TablesError, match="not a date"):
        build_tables(con, period=("2009-13-01", None))
    with pytest.raises(TablesError, match="after"):
        build_tables(con, period=("2010-01-01", "2009-01-01"))
    with pytest.raises(TablesError, match="unknown key"):
        build_tables(con, config={"bands": []})


def test_without_linkage(tmp_path):
    con = store.connect(tmp_path / "nolink.duckdb")
    con.execute("INSERT INTO returns VALUES (1, 'ngo-a', 'ngo', 'f.csv', NULL, 'x', NULL, now(), 'current',"
                " false, 0, 0, 0, 0, 0)")
    for i in range(3):
        con.execute("INSERT INTO victims (record_id, return_id, agency_id, source_type, sex) VALUES (?, 1,"
                    " 'ngo-a', 'ngo', ?)", [f"r{i}", ["F", "Female", None][i]])
    for i, (ref, eth) in enumerate([("C1", "White"), ("C1", "asian "), ("C2", None), ("C2", "White")]):
        con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, case_ref, ethnicity)"
                    " VALUES (?, 1, 'ngo-a', 'ngo', ?, ?)", [f"o{i}", ref, eth])
    tables = build_tables(con, ["victims_sex", "offender_groups"], registry=REGISTRY)
    t = tables["victims_sex"]
    # "F" is not a category word: counted as Unknown and said so
    assert counts(t) == {"Female": 1, "Male": 0, "Unknown": 2}
    assert "Linkage has not been run" in t["note"] and "outside the code list" in t["note"]
    # each record its own person: two groups of two, on the records' own ethnicity
    groups = tables["offender_groups"]
    assert groups["total"] == 2 and counts(groups)["2 offenders"] == 2
    assert counts(groups["ethnicity"])["More than one ethnicity"] == 1
    assert counts(groups["ethnicity"])["All White"] == 1
    con.close()


def test_percent_rounding():
    from cse_audit.tables import percent

    assert percent(1, 8) == 12.5 and percent(1, 400) == 0.3  # 0.25 rounds half up
    assert percent(0, 0) is None


def test_component_labels_match_union_find():
    """The vectorised components used for offender groups agree with offender_group_components."""
    import random

    import numpy as np

    from cse_audit.tables.groups import _component_labels

    rng = random.Random(11)
    for n_cases, n_people, n_edges in [(1, 1, 1), (5, 3, 8), (40, 30, 60), (300, 200, 500), (50, 400, 450)]:
        edges = [(rng.randrange(n_cases), rng.randrange(n_people)) for _ in range(n_edges)]
        want = sorted(sorted(g) for g in offender_group_components(edges))
        u = np.array([c for c, _ in edges], dtype=np.int64)
        v = np.array([p for _, p in edges], dtype=np.int64) + n_cases
        label = _component_labels(u, v, n_cases + n_people)
        got: dict[int, set] = {}
        for _, p in edges:
            got.setdefault(int(label[p + n_cases]), set()).add(p)
        assert sorted(sorted(g) for g in got.values()) == want
        # every edge ends up inside one component, labelled by its smallest node
        assert (label[u] == label[v]).all() and (label <= np.arange(n_cases + n_people)).all()


def test_long_chain_of_cases_is_one_group(tmp_path):
    """Cases chained by shared offenders (C0-O0-C1-O1-...) form one group, however long the chain."""
    con = store.connect(tmp_path / "chain.duckdb")
    con.execute("INSERT INTO returns VALUES (1, 'police-a', 'police', 'f.csv', NULL, 'x', NULL, now(),"
                " 'current', false, 0, 0, 0, 0, 0)")
    con.execute("CREATE TABLE offender_links (record_id VARCHAR, person_id VARCHAR, match_probability DOUBLE)")
    con.execute("CREATE TABLE offender_persons (person_id VARCHAR, ethnicity VARCHAR)")
    n = 200
    for i in range(n):
        for j, case in enumerate((i, i + 1)):  # offender i is on cases i and i+1
            rid = f"o{i}:{j}"
            con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, case_ref)"
                        " VALUES (?, 1, 'police-a', 'police', ?)", [rid, f"C{case}"])
            con.execute("INSERT INTO offender_links VALUES (?, ?, 0.9)", [rid, f"O{i}"])
        con.execute("INSERT INTO offender_persons VALUES (?, ?)", [f"O{i}", "White" if i else "Asian"])
    g = build_tables(con, ["offender_groups"], registry=REGISTRY)["offender_groups"]
    assert g["total"] == 1 and g["offenders_in_groups"] == n
    assert counts(g)["More than 8 offenders"] == 1
    assert counts(g["ethnicity"])["More than one ethnicity"] == 1
    con.close()


def test_read_only_store_and_no_leftovers(con, tmp_path):
    """Tables build on a read-only connection (as the CLI opens the store), give the same numbers,
    and leave no working tables behind on the caller's connection."""
    before = build_tables(con, registry=REGISTRY)
    leftovers = con.execute("SELECT table_name FROM information_schema.tables"
                            " WHERE table_name LIKE '%cse_tables%'").fetchall()
    assert leftovers == []
    con.close()
    ro = store.connect(tmp_path / "t.duckdb", read_only=True)
    try:
        assert build_tables(ro, registry=REGISTRY) == before
        period = ("2009-01-01", "2009-12-31")
        assert build_tables(ro, period=period, registry=REGISTRY)["sources"]["rows"][-1]["cases"] == 3
    finally:
        ro.close()


def test_link_to_a_person_missing_from_persons(con):
    """A record linked to a person id that is not in victim_persons counts once per person id, on the
    fields of that person's first record (by record_id); it is not 'unlinked'."""
    con.execute("INSERT INTO victim_links VALUES ('lscb-a:3:Victims:4', 'GHOST', 0.9)")
    t = build_tables(con, ["victims_sex", "victims_age"], registry=REGISTRY)
    assert t["victims_sex"]["total"] == 6
    assert counts(t["victims_sex"]) == {"Female": 4, "Male": 1, "Unknown": 1}  # the record's own "Female"
    assert counts(t["victims_age"])["12-13"] == 1
    assert "no person link yet" not in t["victims_sex"]["note"]


@pytest.mark.parametrize("value", [
    None, "", " ", "\t", "White", "white", " WHITE ", "\tAsian\n", "Black\r", "Mixed\x0b", "chinese",
    "Other", "Unknown", "Martian", "Whit", "White British", "0", "1", True, False, 3, "Asian;Black",
])
def test_ethnicity_code_in_sql_reads_values_as_python_does(con, value):
    """Offender groups map each person's ethnicity in SQL; it must agree with `_category`."""
    from cse_audit.tables import ETHNICITY, UNKNOWN
    from cse_audit.tables.counting import _category, _category_code_sql

    known = [c for c in ETHNICITY if c != UNKNOWN]
    cat = _category(value, ETHNICITY)[0]
    expected = known.index(cat) if cat in known else -1
    sql_type = {bool: "BOOLEAN", int: "INTEGER"}.get(type(value), "VARCHAR")
    got = con.execute(f"SELECT {_category_code_sql('v', known)} FROM (SELECT CAST(? AS {sql_type}) AS v)",
                      [value]).fetchone()[0]
    assert got == expected


def test_publishing_suppresses_small_counts_in_notes_too(con):
    """Notes count records too (no person link, no case date, no case reference): published, a count
    of 1 to 5 there is [c] like in a cell. The cells are exactly what disclosure.publish gives."""
    import re

    from cse_audit.tables import load_config, publish

    plain = build_tables(con, registry=REGISTRY)
    assert "1 victim record(s) have no person link yet" in plain["victims_sex"]["note"]
    assert "1 offender record(s) with no case reference" in plain["offender_groups"]["note"]
    published = build_tables(con, registry=REGISTRY, publish=True)
    assert "[c] victim record(s) have no person link yet" in published["victims_sex"]["note"]
    assert "[c] offender record(s) with no case reference" in published["offender_groups"]["note"]
    small = re.compile(r"(?<![\d.-])[1-5] (victim|offender|value|age|group|record)|\b(cases|victims|offenders) [1-5]\b")
    assert small.search(plain["sources"]["note"])  # cases 1, victims 1, offenders 3 before publishing
    for name, table in published.items():
        assert not small.search(table["note"]), (name, table["note"])
    by_publish = publish(plain, config=load_config())
    for name in plain:
        assert {k: v for k, v in published[name].items() if k != "note"} == \
            {k: v for k, v in by_publish[name].items() if k != "note"}


def test_publishing_suppresses_the_count_of_how_sure_fields_too():
    """Beside a total, the record counts that say how sure the count is are [c] when small, as in
    the notes, and the range for the number of people is [c] when it is small or the total it
    brackets is suppressed (a range of 2-4 gives a suppressed total of 3 back)."""
    from cse_audit.tables import SUPPRESSED, load_config, publish

    def table(total, low, high, ambiguous, joined):
        return {"title": "t", "note": "", "population": "victims", "total": total,
                "rows": [{"category": "Male", "count": total, "percent": 100.0},
                         {"category": "Female", "count": 0, "percent": 0.0}],
                "ambiguous_records": ambiguous, "joined_by_fits": joined, "persons_low": low, "persons_high": high}

    got = publish({"victims_sex": table(3, 2, 4, 2, 1)}, config=load_config())["victims_sex"]
    assert got["total"] == SUPPRESSED
    assert [got[k] for k in ("ambiguous_records", "joined_by_fits", "persons_low", "persons_high")] == [SUPPRESSED] * 4
    wide = publish({"victims_sex": table(4, 3, 9, 8, 0)}, config=load_config())["victims_sex"]
    assert wide["total"] == SUPPRESSED and (wide["persons_low"], wide["persons_high"]) == (SUPPRESSED, SUPPRESSED)
    assert wide["ambiguous_records"] == 8
    big = publish({"victims_sex": table(700, 613, 745, 225, 0)}, config=load_config())["victims_sex"]
    assert [big[k] for k in ("ambiguous_records", "joined_by_fits", "persons_low", "persons_high")] == [225, 0, 613, 745]


def test_published_note_hides_the_range_around_a_small_total():
    """The note's range brackets the total: published, around a total of 1-5 both ends are [c]."""
    from cse_audit.tables.counting import _NOTE_THRESHOLD
    from cse_audit.tables.relations import _Kind

    kind = _Kind.__new__(_Kind)
    kind.kind, kind.joined_by_fits = "victims", 0
    kind.__dict__["uncertainty"] = {"ambiguous_records": 8, "persons_low": 2, "persons_high": 9}
    token = _NOTE_THRESHOLD.set(5)
    try:
        assert "between [c] and [c]" in kind.uncertainty_note(total=4)
        assert "between [c] and 9" in kind.uncertainty_note(total=7)
    finally:
        _NOTE_THRESHOLD.reset(token)
    assert "between 2 and 9" in kind.uncertainty_note(total=4)  # not publishing


def test_note_says_when_the_count_lies_outside_its_range():
    """A count below (or above) its own range gets a sentence saying why, not a silent mismatch;
    inside the range, or with the range hidden when published, none."""
    from cse_audit.tables.relations import _Kind

    kind = _Kind.__new__(_Kind)
    kind.kind, kind.joined_by_fits = "offenders", 0
    kind.__dict__["uncertainty"] = {"ambiguous_records": 40, "persons_low": 947, "persons_high": 953}
    assert "count is below that range" in kind.uncertainty_note(total=940)
    assert "count is above that range" in kind.uncertainty_note(total=960)
    inside = kind.uncertainty_note(total=950)
    assert "between 947 and 953" in inside and "that range" not in inside
    kind.__dict__["uncertainty"] = {"ambiguous_records": 0, "persons_low": 947, "persons_high": 953}
    assert "count is below that range" in kind.uncertainty_note(total=940)

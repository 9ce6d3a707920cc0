"""A person of one record takes their record's values by a shortcut (merge._single_record_values,
session 16) instead of each rule's group-bys and windows. It must give what the rules give: here
each person of one record is compared with the same person holding the record twice (which goes
through the rules), on every rule the shipped configuration uses and on the edge cases of each
(missing and unknown values, a ``within`` field missing, ``combine`` of one value)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from cse_audit import store
from cse_audit.linkage import merge
from cse_audit.linkage.settings import FieldRule, _config

D = dt.date
RECORDS = [  # (record_id, values): one person each
    ("r1", dict(agency_id="a1", source_type="police", sex="Female", ethnicity="White", ethnicity_detail="White British",
                dob=D(1995, 3, 1), age=14, missing_status="Reported missing", missing_from="Home",
                missing_episodes=3, looked_after="Yes")),
    ("r2", dict(agency_id="a2", source_type="ngo")),  # nothing known
    ("r3", dict(agency_id="a1", source_type="lscb", sex="Unknown", ethnicity="Unknown", ethnicity_detail="Other",
                missing_status="Unknown", missing_from="Unknown", looked_after="Unknown")),
    ("r4", dict(agency_id="a3", source_type="police", ethnicity_detail="Pakistani", missing_from="Both", age=15)),
    ("r5", dict(agency_id="a3", source_type="ngo", ethnicity="Asian", ethnicity_detail="Pakistani",
                missing_from="Care", dob=D(1996, 12, 31), missing_episodes=0)),
]


def _persons(tmp_path, name: str, cfg, copies: int) -> tuple[dict, list]:
    """victim_persons (less n_records) and its column types, each record held ``copies`` times by its person."""
    con = store.connect(tmp_path / f"{name}.duckdb")
    con.execute("CREATE TABLE recs AS SELECT * FROM current_victims LIMIT 0")
    con.execute("CREATE OR REPLACE VIEW current_victims AS SELECT * FROM recs")
    con.execute("CREATE OR REPLACE TABLE victim_links (record_id VARCHAR, person_id VARCHAR, match_probability DOUBLE)")
    for rid, values in RECORDS:
        for copy in range(copies):
            cols = ["record_id", *values]
            con.execute(f"INSERT INTO recs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                        [f"{rid}-{copy}", *values.values()])
            con.execute("INSERT INTO victim_links VALUES (?, ?, 1.0)", [f"{rid}-{copy}", f"V-{rid}"])
    merge._merge_persons(con, "victims", cfg)
    cur = con.execute("SELECT * FROM victim_persons ORDER BY person_id")
    names = [d[0] for d in cur.description]
    rows = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    types = con.execute("SELECT column_name, column_type FROM (DESCRIBE victim_persons)").fetchall()
    conflicts = con.execute("SELECT count(*) FROM victim_conflicts").fetchone()[0]
    con.close()
    assert conflicts == 0  # one value each: nothing to resolve
    return {p: {k: v for k, v in row.items() if k != "n_records"} for p, row in rows.items()}, types


def _config_with(**victim_rules):
    cfg = _config(None)
    return dataclasses.replace(cfg, merge={**cfg.merge, "victims": {**cfg.merge["victims"], **victim_rules}})


@pytest.mark.parametrize("cfg", [
    _config(None),
    # combine of one value: a single record's "Home" is then "Both", as the rule makes it
    _config_with(missing_from=FieldRule("precedence", order=("Both", "Home", "Care", "Unknown"),
                                        combine={"Both": ("Home",)})),
    # majority in place of precedence, and a within on a field with no value
    _config_with(looked_after=FieldRule("majority"), missing_status=FieldRule("majority", within="dob")),
], ids=["shipped", "combine-one", "within-dob"])
def test_a_person_of_one_record_is_merged_as_the_rules_merge_them(tmp_path, cfg):
    one, types_one = _persons(tmp_path, "one", cfg, copies=1)
    two, types_two = _persons(tmp_path, "two", cfg, copies=2)
    assert types_one == types_two
    assert one == two
    assert len(one) == len(RECORDS)


def test_the_edge_cases_are_what_the_rules_say(tmp_path):
    """What the comparison above rests on, stated: a within field missing leaves the value out,
    an unknown value is kept when it is the only one, a combine of one value applies."""
    got, _ = _persons(tmp_path, "edges", _config_with(
        missing_from=FieldRule("precedence", order=("Both", "Home", "Care", "Unknown"), combine={"Both": ("Home",)})),
        copies=1)
    assert got["V-r1"]["ethnicity_detail"] == "White British" and got["V-r1"]["missing_from"] == "Both"
    assert got["V-r3"]["sex"] == "Unknown" and got["V-r3"]["ethnicity_detail"] == "Other"
    assert got["V-r4"]["ethnicity_detail"] is None  # its ethnicity is missing (within)
    assert got["V-r5"]["missing_from"] == "Care" and got["V-r5"]["missing_episodes"] == 0
    assert got["V-r2"]["agencies"] == ["a2"] and got["V-r2"]["n_agencies"] == 1 and got["V-r2"]["dob"] is None

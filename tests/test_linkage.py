"""Record linkage: crafted duplicates and near-misses in a small store.

The store holds a few crafted people (nickname, spelling variant, initials-only with an age,
day/month-transposed dob) and look-alikes that must stay apart (same surname and dob with a
different forename; same initials in another area), plus seeded filler records so that the
u-probabilities are estimated from a realistic spread of values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cse_audit import linkage
from cse_audit.linkage import engine

ROOT = Path(__file__).resolve().parent.parent

AGENCIES = {  # agency_id: (return_id, source_type, file_name)
    "P1": (1, "police", "p1_victims.xlsx"),
    "L1": (2, "lscb", "l1_return.xlsx"),
    "N1": (3, "ngo", "n1_referrals.csv"),
    "P2": (4, "police", "p2_victims.xlsx"),
}
COLUMNS = ["forename", "surname", "initials", "dob", "age", "case_date", "sex", "ethnicity", "area",
           "missing_status", "missing_from", "missing_episodes", "looked_after"]


def D(text):
    return dt.date.fromisoformat(text) if text else None


# key: (agency, forename, surname, initials, dob, age, case_date, sex, ethnicity, area,
#       missing_status, missing_from, missing_episodes, looked_after), truth person
CRAFTED = [
    # Katherine Jones: full record, nickname, initials-only with age (charity)
    ("kj1", "P1", "Katherine", "Jones", None, "2005-03-14", None, "2019-06-01", "Female", "White", "Leeds",
     "Not reported missing", "Unknown", None, "No", "KJ"),
    ("kj2", "L1", "Kate", "Jones", None, "2005-03-14", None, "2019-09-10", "Female", "Unknown", "Leeds",
     "Reported missing", "Home", 2, "Yes", "KJ"),
    ("kj3", "N1", None, None, "KJ", None, 14, "2019-07-15", "Female", "White", "Leeds",
     "Unknown", "Care", 5, "Unknown", "KJ"),
    # Mohammed Khan: nickname and day/month transposed dob
    ("mk1", "P1", "Mohammed", "Khan", None, "2004-07-02", None, "2019-03-01", "Male", "Asian", "Bradford",
     "Reported missing", "Home", 1, "No", "MK"),
    ("mk2", "L1", "Mo", "Khan", None, "2004-02-07", None, "2019-05-01", "Male", "Asian", "Bradford",
     "Unknown", "Unknown", None, "Unknown", "MK"),
    # Jessica Smith: spelling variant
    ("js1", "P1", "Jessica", "Smith", None, "2006-11-20", None, "2019-01-10", "Female", "White", "Leeds",
     "Not reported missing", "Unknown", None, "No", "JS"),
    ("js2", "P2", "Jesica", "Smith", None, "2006-11-20", None, "2019-04-11", "Female", "White", "Leeds",
     "Not reported missing", "Unknown", None, "No", "JS"),
    # twins-like: same surname and dob as Jessica, different forename -> another child
    ("es1", "P1", "Emily", "Smith", None, "2006-11-20", None, "2019-01-10", "Female", "White", "Leeds",
     "Not reported missing", "Unknown", None, "No", "ES"),
    # Lucy Brown in Leeds; an initials-only "LB" of the same age in Sheffield is someone else
    ("lb1", "P1", "Lucy", "Brown", None, "2005-08-01", None, "2019-02-01", "Female", "White", "Leeds",
     "Not reported missing", "Unknown", None, "No", "LB"),
    ("lb2", "N1", None, None, "LB", None, 13, "2019-03-01", "Female", "White", "Sheffield",
     "Not reported missing", "Unknown", None, "No", "LB-other"),
]

FILLER_FORENAMES = ["Amelia", "Olivia", "Isla", "Ava", "Mia", "Ruby", "Grace", "Freya", "Ella", "Poppy", "Evie",
                    "Daisy", "Holly", "Megan", "Hannah", "Lauren", "Bethany", "Paige", "Chloe", "Jade", "Aisha",
                    "Zara", "Amira", "Tia", "Demi", "Georgia", "Alice", "Molly", "Erin", "Niamh", "Oliver", "Noah",
                    "Leo", "Harry", "Oscar", "Jack", "Tyler", "Kyle", "Ryan", "Connor"]
FILLER_SURNAMES = ["Taylor", "Davies", "Evans", "Wilson", "Roberts", "Walker", "Wright", "Green", "Hall", "Wood",
                   "Turner", "Cooper", "Ward", "Morris", "Baker", "Hill", "Clarke", "Patel", "Hussain", "Begum",
                   "Kelly", "Murphy", "Shaw", "Bell", "Price", "Webb", "Hunt", "Mills", "Knight", "Lloyd"]
AREAS = ["Leeds", "Bradford", "Sheffield", "Wakefield", "Kirklees", "Calderdale", "Rotherham", "Doncaster",
         "Barnsley", "York", "Hull", "Durham", "Sunderland", "Gateshead", "Newcastle", "Bolton", "Wigan", "Bury",
         "Oldham", "Rochdale", "Salford", "Stockport", "Trafford", "Derby", "Leicester", "Nottingham", "Luton",
         "Reading", "Slough", "Oxford"]


def _records(crafted=CRAFTED, extra=()):
    rows = [dict(zip(["key", "agency", *COLUMNS, "truth"], r, strict=True)) for r in [*crafted, *extra]]
    rng = random.Random(7)
    used = set()
    while len(used) < 120:
        fn, sn = rng.choice(FILLER_FORENAMES), rng.choice(FILLER_SURNAMES)
        if (fn, sn) in used or (fn[0], sn[0]) in {("K", "J"), ("L", "B"), ("M", "K"), ("J", "S"), ("E", "S")}:
            continue
        used.add((fn, sn))
        dob = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 9))
        case = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
        rows.append(dict(key=f"f{len(used)}", agency=rng.choice(["P1", "L1", "P2"]), forename=fn, surname=sn,
                         initials=None, dob=dob.isoformat(), age=None, case_date=case.isoformat(),
                         sex="Female" if rng.random() < 0.8 else "Male", ethnicity=rng.choice(["White", "Asian"]),
                         area=rng.choice(AREAS), missing_status="Unknown", missing_from="Unknown",
                         missing_episodes=None, looked_after="Unknown", truth=f"F{len(used)}"))
    return rows


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The lead's store when present; else the minimal tables and views of docs/schema.md."""
    try:
        from cse_audit import store

        return store.connect(path)
    except ImportError:  # pragma: no cover - store.py not written yet
        con = duckdb.connect(str(path))
        con.execute("""
            CREATE TABLE returns (return_id INTEGER, agency_id VARCHAR, source_type VARCHAR, file_name VARCHAR,
                file_path VARCHAR, sha256 VARCHAR, mapping VARCHAR, loaded_at TIMESTAMP, status VARCHAR,
                nil_return BOOLEAN, rows_landed INTEGER, records_accepted INTEGER, rows_rejected INTEGER,
                rows_skipped INTEGER, warnings INTEGER);
            CREATE TABLE victims (record_id VARCHAR, return_id INTEGER, agency_id VARCHAR, source_type VARCHAR,
                sheet VARCHAR, row_number INTEGER, record_ref VARCHAR, case_ref VARCHAR, forename VARCHAR,
                surname VARCHAR, initials VARCHAR, dob DATE, age INTEGER, case_date DATE, sex VARCHAR,
                ethnicity VARCHAR, ethnicity_detail VARCHAR, ethnicity_raw VARCHAR, area VARCHAR,
                missing_status VARCHAR, missing_from VARCHAR, missing_episodes INTEGER, looked_after VARCHAR);
            CREATE VIEW current_victims AS SELECT * FROM victims
                WHERE return_id IN (SELECT return_id FROM returns WHERE status = 'current');
        """)
        return con


def _initials(fn, sn):
    return (fn[0] + sn[0]).upper() if fn and sn else None


def build_store(path: Path, crafted=CRAFTED, extra=()):
    """Write the crafted records (and any extra) and the filler; returns (connection, {key: record_id},
    {key: truth person})."""
    con = _connect(path)
    for agency, (rid, st, fname) in AGENCIES.items():
        con.execute("INSERT INTO returns VALUES (?, ?, ?, ?, NULL, 'x', NULL, TIMESTAMP '2020-01-01', 'current', "
                    "false, 0, 0, 0, 0, 0)", [rid, agency, st, fname])
    ids, truth, rows_per = {}, {}, {a: 1 for a in AGENCIES}
    sheet = {"P1": "Victims", "L1": "Children", "N1": None, "P2": "Victims"}
    for rec in _records(crafted, extra):
        agency = rec["agency"]
        rid, st, _ = AGENCIES[agency]
        rows_per[agency] += 1
        row = rows_per[agency]
        record_id = f"{agency}:{rid}:{sheet[agency] or 'csv'}:{row}"
        dob, case = D(rec["dob"]), D(rec["case_date"])
        age = rec["age"]
        if age is None and dob and case:
            age = case.year - dob.year - ((case.month, case.day) < (dob.month, dob.day))
        con.execute(
            "INSERT INTO victims (record_id, return_id, agency_id, source_type, sheet, row_number, forename, "
            "surname, initials, dob, age, case_date, sex, ethnicity, area, missing_status, missing_from, "
            "missing_episodes, looked_after) VALUES (" + ", ".join(["?"] * 19) + ")",
            [record_id, rid, agency, st, sheet[agency], row, rec["forename"], rec["surname"],
             rec["initials"] or _initials(rec["forename"], rec["surname"]), dob, age, case, rec["sex"],
             rec["ethnicity"], rec["area"], rec["missing_status"], rec["missing_from"], rec["missing_episodes"],
             rec["looked_after"]])
        ids[rec["key"]] = record_id
        truth[rec["key"]] = rec["truth"]
    return con, ids, truth


@pytest.fixture(scope="module")
def cfg():
    # A national-scale prior: the tiny store would otherwise imply a very high one.
    return dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                               overrides_file=None)


@pytest.fixture(scope="module")
def linked_store(tmp_path_factory, cfg):
    """The crafted store linked once for the module: (path, connection, ids, truth, result)."""
    path = tmp_path_factory.mktemp("linked") / "store.duckdb"
    con, ids, truth = build_store(path)
    result = linkage.link_people(con, "victims", config=cfg)
    con.execute("CHECKPOINT")  # the file alone holds everything: linked_copy copies it
    yield path, con, ids, truth, result
    con.close()


@pytest.fixture(scope="module")
def linked(linked_store):
    """For tests that only read the linked store."""
    return linked_store[1:]


@pytest.fixture
def linked_copy(linked_store, tmp_path):
    """A private copy of the linked store, for tests that link again or change records."""
    import shutil

    path, _, ids, truth, result = linked_store
    shutil.copy(path, tmp_path / "copy.duckdb")
    con = _connect(tmp_path / "copy.duckdb")
    yield con, ids, truth, result
    con.close()


def _person(con, record_id):
    return con.execute("SELECT person_id FROM victim_links WHERE record_id = ?", [record_id]).fetchone()[0]


def test_crafted_duplicates_link_and_lookalikes_stay_apart(linked):
    con, ids, truth, result = linked
    p = {k: _person(con, rid) for k, rid in ids.items()}
    assert p["kj1"] == p["kj2"] == p["kj3"]  # nickname; initials-only with an age that fits the dob
    assert p["mk1"] == p["mk2"]  # nickname + day/month transposed dob
    assert p["js1"] == p["js2"]  # spelling variant, another agency
    assert p["es1"] != p["js1"]  # same surname, dob and area: a different forename is a different child
    assert p["lb2"] != p["lb1"]  # same initials and age but another area
    assert result.records == len(ids)
    assert result.persons == len(set(truth.values()))
    # every crafted pair and filler person comes out exactly as the truth says
    by_truth = {}
    for k in ids:
        by_truth.setdefault(truth[k], set()).add(p[k])
    assert all(len(v) == 1 for v in by_truth.values())
    assert len({next(iter(v)) for v in by_truth.values()}) == len(by_truth)
    assert result.candidate_pairs > 0
    assert sum(result.candidate_pairs_by_rule.values()) == result.candidate_pairs
    assert result.candidate_pairs < result.records * (result.records - 1) // 2 / 5  # blocking, not all pairs


def test_person_ids_are_stable_hashes_of_smallest_record(linked):
    import hashlib

    con, ids, _, _ = linked
    members = sorted([ids["kj1"], ids["kj2"], ids["kj3"]])
    expected = "V-" + hashlib.sha1(members[0].encode()).hexdigest()[:10]
    assert _person(con, ids["kj2"]) == expected


def test_same_input_same_clusters(tmp_path, cfg):
    con, _, _ = build_store(tmp_path / "a.duckdb")
    linkage.link_people(con, "victims", config=cfg)
    first = con.execute("SELECT * FROM victim_links ORDER BY record_id").fetchall()
    persons_first = con.execute("SELECT * FROM victim_persons ORDER BY person_id").fetchall()
    linkage.link_people(con, "victims", config=cfg)
    assert con.execute("SELECT * FROM victim_links ORDER BY record_id").fetchall() == first
    assert con.execute("SELECT * FROM victim_persons ORDER BY person_id").fetchall() == persons_first
    con.close()
    # a fresh store with the same data gives the same person ids and probabilities
    con2, _, _ = build_store(tmp_path / "b.duckdb")
    linkage.link_people(con2, "victims", config=cfg)
    assert con2.execute("SELECT * FROM victim_links ORDER BY record_id").fetchall() == first
    con2.close()


def test_merge_rules(linked):
    con, ids, _, _ = linked
    pid = _person(con, ids["kj1"])
    row = con.execute("SELECT * FROM victim_persons WHERE person_id = ?", [pid]).fetchone()
    person = dict(zip([d[0] for d in con.description], row, strict=True))
    assert person["n_records"] == 3 and person["n_agencies"] == 3
    assert person["agencies"] == ["L1", "N1", "P1"]
    assert person["source_types"] == ["lscb", "ngo", "police"]
    assert person["missing_status"] == "Reported missing"  # any reported missing wins
    assert person["missing_from"] == "Both"  # Home + Care
    assert person["looked_after"] == "Yes"  # Yes beats No beats Unknown
    assert person["missing_episodes"] == 5  # max
    assert person["ethnicity"] == "White"  # a known value beats Unknown
    assert person["dob"] == dt.date(2005, 3, 14)
    assert person["age"] == 14  # from a record with a dob
    mk = dict(zip([d[0] for d in con.description],
                  con.execute("SELECT * FROM victim_persons WHERE person_id = ?", [_person(con, ids["mk1"])])
                  .fetchone(), strict=True))
    # dob conflict 2004-07-02 (police) vs 2004-02-07 (lscb): a tie, broken by source priority
    assert mk["dob"] == dt.date(2004, 7, 2)
    conflicts = con.execute("SELECT field, \"values\", chosen, resolved_by FROM victim_conflicts "
                            "WHERE person_id = ? ORDER BY field", [pid]).fetchall()
    fields = {c[0]: c for c in conflicts}
    assert fields["missing_status"][1] == ["Not reported missing", "Reported missing"]
    assert fields["missing_status"][3] == "precedence"
    assert fields["missing_from"][2] == "Both" and fields["missing_from"][3] == "combine"
    mk_conf = con.execute("SELECT resolved_by FROM victim_conflicts WHERE person_id = ? AND field = 'dob'",
                          [mk["person_id"]]).fetchone()
    assert mk_conf == ("source_priority",)


def test_overrides_change_person_count_by_the_pairs_they_decide(linked_copy, cfg, tmp_path):
    con, ids, _, base = linked_copy
    # no-match cuts js1-js2 (a pair joined only by its own edge): one more person
    split = linkage.link_people(con, "victims", config=cfg, overrides=[(ids["js1"], ids["js2"], "no-match")])
    assert split.persons == base.persons + 1
    assert _person(con, ids["js1"]) != _person(con, ids["js2"])
    # match joins two separate people: one fewer
    joined = linkage.link_people(con, "victims", config=cfg, overrides=[(ids["es1"], ids["lb1"], "match")])
    assert joined.persons == base.persons - 1
    assert _person(con, ids["es1"]) == _person(con, ids["lb1"])
    # no-match inside a 3-record person splits it once, whichever edges held it together
    three = linkage.link_people(con, "victims", config=cfg, overrides=[(ids["kj1"], ids["kj3"], "no-match")])
    assert three.persons == base.persons + 1
    assert _person(con, ids["kj1"]) != _person(con, ids["kj3"])
    # through a reviewed sheet and the overrides file, applied on every later run
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text(f"record_id_l,record_id_r,decision\n{ids['js1']},{ids['js2']},no-match\n"
                        f"{ids['es1']},{ids['lb1']},match\n{ids['mk1']},{ids['mk2']},\n")
    ov_file = tmp_path / "link_overrides.yaml"
    counts = linkage.apply_overrides(reviewed, "victims", overrides_path=ov_file, config=cfg)
    assert counts == {"added": 2, "changed": 0, "unchanged": 0, "total": 2}
    cfg2 = dataclasses.replace(cfg, overrides_file=ov_file)
    both = linkage.link_people(con, "victims", config=cfg2)
    assert both.persons == base.persons
    assert both.overrides["forced_match"] == 1 and both.overrides["forced_no_match"] == 1
    assert _person(con, ids["js1"]) != _person(con, ids["js2"])
    # decided pairs are not offered for review again
    review = linkage.review_pairs(con, "victims", 0.0, 1.01, config=cfg2)
    pairs = {tuple(sorted(p)) for p in zip(review["record_id_l"], review["record_id_r"], strict=True)}
    assert tuple(sorted((ids["js1"], ids["js2"]))) not in pairs


def _truth_files(tmp_path, con, ids, truth):
    by_id = tmp_path / "truth_ids.csv"
    by_id.write_text("record_id,person_id\n" + "".join(f"{ids[k]},{truth[k]}\n" for k in ids))
    rows = con.execute("SELECT v.record_id, r.file_name, v.sheet, v.row_number FROM victims v "
                       "JOIN returns r USING (return_id)").fetchall()
    inv = {rid: k for k, rid in ids.items()}
    by_row = tmp_path / "truth_rows.csv"
    by_row.write_text("file_name,sheet,row_number,person_id\n" + "".join(
        f"{fname},{sheet or ''},{row},{truth[inv[rid]]}\n" for rid, fname, sheet, row in rows))
    return by_id, by_row


def test_evaluate_against_truth_in_both_forms(linked, cfg, tmp_path):
    con, ids, truth, result = linked
    by_id, by_row = _truth_files(tmp_path, con, ids, truth)
    for path in (by_id, by_row):
        ev = linkage.evaluate(con, "victims", path, config=cfg)
        assert ev["records_evaluated"] == len(ids) and ev["truth_rows_unmatched"] == 0
        assert ev["persons_predicted"] == ev["persons_truth"] == result.persons
        assert ev["pairwise_f1"] == 1.0 and ev["bcubed_f1"] == 1.0 and ev["exact_cluster_f1"] == 1.0
        assert ev["blocking_recall"] == 1.0
    # a wrong link shows up as lost precision
    ev = linkage.evaluate(con, "victims", by_id, config=cfg, overrides=[(ids["es1"], ids["js1"], "match")])
    assert ev["pairwise_precision"] < 1.0 and ev["pairwise_recall"] == 1.0
    assert ev["full_name_pairs_precision"] < 1.0  # both fully named


def test_named_pairs_leave_out_one_letter_names(linked_copy, cfg, tmp_path):
    """A record whose forename and surname are single letters (a whole-name cell of dotted
    initials, "D.W.") is initials to the comparisons, and not a full name in the named pairs."""
    con, ids, truth, _ = linked_copy
    by_id, _ = _truth_files(tmp_path, con, ids, truth)
    wrong = [(ids["es1"], ids["js1"], "match")]
    assert linkage.evaluate(con, "victims", by_id, config=cfg, overrides=wrong)["full_name_pairs_precision"] < 1.0
    con.execute("UPDATE victims SET forename = 'E', surname = 'S' WHERE record_id = ?", [ids["es1"]])
    ev = linkage.evaluate(con, "victims", by_id, config=cfg, overrides=wrong)
    assert ev["pairwise_precision"] < 1.0 and ev["full_name_pairs_precision"] == 1.0


def test_explain_returns_weights_without_names(linked, cfg):
    con, ids, _, _ = linked
    ex = linkage.explain(con, "victims", ids["kj1"], ids["kj3"], config=cfg)
    levels = {c["comparison"]: c["level"] for c in ex.comparisons}
    assert levels["forename"] == "initials/agree" and levels["surname"] == "initials/agree"
    assert levels["birth"] == "age_vs_dob/fits"
    assert ex.match_probability > cfg.threshold and ex.same_person is True and ex.candidate_pair
    assert "Katherine" not in repr(ex)
    total = ex.prior_match_weight + sum(c["match_weight"] for c in ex.comparisons)
    assert total == pytest.approx(ex.match_weight, abs=1e-3)
    ex2 = linkage.explain(con, "victims", ids["mk1"], ids["mk2"], config=cfg, show_values=True)
    named = {c["comparison"]: c for c in ex2.comparisons}
    assert named["birth"]["level"] == "dob/transposed"
    assert named["forename"]["level"] == "names/nickname"
    assert named["forename"]["values"]["fn"] == ("mohammed", "mo")
    ex3 = linkage.explain(con, "victims", ids["es1"], ids["js1"], config=cfg)
    assert ex3.same_person is False and ex3.match_probability < cfg.threshold


def test_review_pairs_side_by_side(linked, cfg):
    con, ids, _, _ = linked
    review = linkage.review_pairs(con, "victims", 0.0, 1.01, config=cfg)
    assert {"record_id_l", "record_id_r", "match_probability", "forename_l", "forename_r", "decision"} \
        <= set(review.columns)
    assert list(review["match_probability"]) == sorted(review["match_probability"], reverse=True)
    assert len(linkage.review_pairs(con, "victims", 0.5, 0.5, config=cfg)) == 0


def test_config_unknown_key_names_file_and_key(tmp_path):
    text = (ROOT / "configs" / "linkage.yaml").read_text()
    bad = tmp_path / "linkage.yaml"
    bad.write_text(text.replace("u_sampling:\n", "u_sampling:\n  seeed: 3\n"))
    (tmp_path / "nicknames.yaml").write_text("groups: {}\n")
    with pytest.raises(linkage.LinkageConfigError, match=r"linkage\.yaml.*u_sampling\.seeed"):
        linkage.load_linkage_config(bad)
    bad.write_text(text + "\nthreshhold: 0.5\n")
    with pytest.raises(linkage.LinkageConfigError, match="threshhold"):
        linkage.load_linkage_config(bad)


def test_shipped_config_loads():
    import yaml

    cfg = linkage.load_linkage_config()
    raw = yaml.safe_load((ROOT / "configs" / "linkage.yaml").read_text(encoding="utf-8"))
    # what the file says, exactly, whatever values it holds
    assert (cfg.threshold, cfg.cannot_link_below, cfg.em_enabled) == (
        raw["threshold"], raw["cannot_link_below"], raw["em"]["enabled"])
    assert cfg.blocking_rules == raw["blocking_rules"] and len(cfg.blocking_rules) == len(raw["blocking_rules"])
    assert (cfg.review_low, cfg.review_high) == (raw["review"]["low"], raw["review"]["high"])
    # evidence from the data: m by EM (u fixed), the prior from the clusters, ages dated by the call
    assert cfg.em_enabled and cfg.prior_from_data and cfg.probability_two_random_records_match is None
    assert cfg.reference_period == (dt.date(2008, 1, 1), dt.date(2011, 3, 31))
    assert cfg.force_areas["leeds"] == ("west yorkshire",)
    assert "catherine" in cfg.nicknames["kate"]
    assert cfg.merge["victims"]["missing_status"].order[0] == "Reported missing"


def test_soundex():
    assert linkage.soundex("robert") == linkage.soundex("rupert") == "R163"
    assert linkage.soundex("smith") == linkage.soundex("smyth") == "S530"
    assert linkage.soundex("") is None


def test_reviewed_decisions_survive_a_resubmission(linked_copy, cfg):
    """An agency resubmits its return (rows shifted by a new first row, so every record_id changes):
    decisions naming its old records move to the same records in the new return."""
    con, ids, _, base = linked_copy
    decisions = [(ids["js1"], ids["js2"], "no-match"), (ids["es1"], ids["lb1"], "match")]  # all but js2 in P1
    before = linkage.link_people(con, "victims", config=cfg, overrides=decisions)
    assert before.persons == base.persons
    con.execute("INSERT INTO returns SELECT 9, agency_id, source_type, file_name, file_path, 'y', mapping,"
                " loaded_at, 'current', nil_return, 0, 0, 0, 0, 0 FROM returns WHERE return_id = 1")
    con.execute("UPDATE returns SET status = 'superseded' WHERE return_id = 1")
    con.execute("INSERT INTO victims SELECT * REPLACE ('P1:9:Victims:' || (row_number + 1) AS record_id,"
                " 9 AS return_id, row_number + 1 AS row_number) FROM victims WHERE return_id = 1")
    # a corrected name: this record is no longer "the same" and its decision cannot follow it
    con.execute("UPDATE victims SET forename = 'Emilie' WHERE record_id = ?", ["P1:9:Victims:" +
                str(int(ids["es1"].rsplit(":", 1)[1]) + 1)])
    after = linkage.link_people(con, "victims", config=cfg, overrides=decisions)
    new = {k: "P1:9:Victims:" + str(int(v.rsplit(":", 1)[1]) + 1) if v.startswith("P1:") else v
           for k, v in ids.items()}
    assert after.overrides["carried_over"] == 2          # js1 and lb1; es1 changed
    assert after.overrides["unknown_records"] == 1       # the es1-lb1 decision
    assert _person(con, new["js1"]) != _person(con, new["js2"])
    assert after.overrides["forced_no_match"] == 1 and after.overrides["forced_match"] == 0
    review = linkage.review_pairs(con, "victims", 0.0, 1.01, config=cfg, overrides=decisions)
    pairs = {tuple(sorted(p)) for p in zip(review["record_id_l"], review["record_id_r"], strict=True)}
    assert tuple(sorted((new["js1"], new["js2"]))) not in pairs


def test_working_tables_spill_only_to_a_private_folder(cfg):
    """Splink's working tables hold names: past memory_limit they may go to disk, never to ".tmp" in
    the current folder; into an owner-only folder removed with the engine, and for an encrypted
    store nowhere (running out of memory is then an error)."""
    import gc
    import os
    import stat

    import pyarrow as pa

    features = pa.table({"unique_id": [0, 1], "fn": ["a", "b"]})
    api, records = engine._splink_engine(features, cfg, encrypted=False)
    spill = api._con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    assert spill and os.path.isabs(spill) and os.path.isdir(spill)
    assert stat.S_IMODE(os.stat(spill).st_mode) == 0o700
    del api, records  # as when a linkage run ends
    gc.collect()
    assert not os.path.exists(spill)
    default = duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0]
    api, records = engine._splink_engine(features, cfg, encrypted=True)
    assert api._con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == ""
    # with nowhere to spill, the automatic limit would only turn a large run into an error
    assert api._con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
    api, records = engine._splink_engine(features, cfg, encrypted=False)
    assert api._con.execute("SELECT current_setting('memory_limit')").fetchone()[0] != default


# -- issue 16: evidence that is not one generator's ---------------------------------------------

def _row(key, agency, fn, sn, ini, dob, age, case, area, truth, sex="Female"):
    return (key, agency, fn, sn, ini, dob, age, case, sex, "White", area, "Unknown", "Unknown", None,
            "Unknown", truth)


HARD = [
    # an undated charity record: initials, sex and "14 yrs", no case date. The call for data's
    # period (2008-01-01 to 2011-03-31) dates it: born between 1993 and early 1997.
    _row("ab_age", "N1", None, None, "AB", None, 14, None, "Leeds", "AB"),
    _row("ab_dob", "P1", "Abigail", "Brook", None, "1995-05-01", None, "2009-06-01", "Leeds", "AB"),
    _row("ab_10y", "P2", "Ava", "Barton", None, "2005-05-01", None, "2019-06-01", "Leeds", "AB-young"),
    # the same child reported by two police forces (Leeds: West Yorkshire; Bolton: Greater Manchester)
    _row("cd_wy", "P1", "Chloe", "Dawson", None, "2004-04-04", None, "2019-02-01", "Leeds", "CD"),
    _row("cd_gm", "P2", "Chloe", "Dawson", None, "2004-04-04", None, "2019-05-01", "Bolton", "CD"),
    # two rows of one charity return with the same initials and age: two children
    _row("rt_1", "N1", None, None, "RT", None, 15, "2019-03-03", "Leeds", "RT-1"),
    _row("rt_2", "N1", None, None, "RT", None, 15, "2019-03-20", "Leeds", "RT-2"),
    # one crossed name (this forename ~ that surname) is not a swap
    _row("bs", "P1", "Brooke", "Sandbury", None, "2003-09-09", None, "2019-01-05", "Leeds", "BS"),
    _row("ab2", "P2", "Ashleigh", "Brookholme", None, "2003-09-09", None, "2019-04-05", "Leeds", "AB2"),
    # both names crossed is a swap ("GREENHALGH Tamsin" typed into the wrong columns)
    _row("tg_1", "P1", "Tamsin", "Greenhalgh", None, "2002-02-12", None, "2019-01-20", "Leeds", "TG"),
    _row("tg_2", "L1", "Greenhalgh", "Tamsin", None, "2002-02-12", None, "2019-03-20", "Leeds", "TG"),
    # a whole return with its name columns the other way round, and its dates in the other order:
    # no rule on one name, a dob or an area finds the pair
    _row("kt_1", "P1", "Kerensa", "Trevithick", None, "2004-03-07", None, "2019-02-01", "Leeds", "KT"),
    _row("kt_2", "P2", "Trevithick", "Kerensa", None, "2004-07-03", None, "2019-05-01", "Bolton", "KT"),
    # two girls whose names are each other's the other way round, born years apart
    _row("em_1", "P1", "Ellis", "Morgan", None, "2003-05-17", None, "2019-01-05", "Leeds", "EM"),
    _row("me_1", "L1", "Morgan", "Ellis", None, "2006-11-02", None, "2019-04-05", "Leeds", "ME"),
    # namesakes born years apart; one girl's date with two slips (day and month one out)
    _row("rp_1", "P1", "Rosenwyn", "Pengelly", None, "2003-05-10", None, "2019-01-05", "Leeds", "RP-1"),
    _row("rp_2", "L1", "Rosenwyn", "Pengelly", None, "2007-08-21", None, "2019-04-05", "Leeds", "RP-2"),
    _row("lc_1", "P1", "Loveday", "Carne", None, "2004-06-15", None, "2019-01-05", "Leeds", "LC"),
    _row("lc_2", "L1", "Loveday", "Carne", None, "2004-07-16", None, "2019-04-05", "Leeds", "LC"),
]


@pytest.fixture(scope="module")
def hard_linked(tmp_path_factory, cfg):
    con, ids, truth = build_store(tmp_path_factory.mktemp("hard") / "store.duckdb", extra=HARD)
    result = linkage.link_people(con, "victims", config=cfg)
    yield con, {k: _person(con, rid) for k, rid in ids.items()}, result, ids
    con.close()


def test_an_age_without_a_date_links_to_the_dob_it_fits_not_one_ten_years_off(hard_linked):
    _con, p, _result, _ids = hard_linked
    assert p["ab_age"] == p["ab_dob"]
    assert p["ab_age"] != p["ab_10y"]


def test_a_pair_differing_only_in_force_area_links(hard_linked, cfg):
    con, p, _result, ids = hard_linked
    assert p["cd_wy"] == p["cd_gm"]
    ex = linkage.explain(con, "victims", ids["cd_wy"], ids["cd_gm"], config=cfg)
    area = next(c for c in ex.comparisons if c["comparison"] == "area")
    assert area["level"] == "different" and -5 < area["match_weight"] < 0  # weak evidence, not a veto


def test_same_initials_and_age_in_one_return_stay_two_people(hard_linked):
    _con, p, result, _ids = hard_linked
    assert p["rt_1"] != p["rt_2"]
    assert result.overrides["held_apart_within_return"] >= 1


def test_one_crossed_name_is_not_a_swap_but_both_are(hard_linked, cfg):
    con, p, _result, ids = hard_linked
    assert p["bs"] != p["ab2"]
    ex = linkage.explain(con, "victims", ids["bs"], ids["ab2"], config=cfg)
    assert {c["level"] for c in ex.comparisons if c["comparison"] in ("forename", "surname")} == {"names/different"}
    assert p["tg_1"] == p["tg_2"]


def test_a_swap_is_one_piece_of_evidence_not_two(hard_linked, cfg):
    """The forename and the surname comparison both see names the wrong way round: the swap
    weighs once (in the forename), so two people whose names are each other's, born years apart,
    stay two."""
    con, p, _result, ids = hard_linked
    ex = linkage.explain(con, "victims", ids["em_1"], ids["me_1"], config=cfg)
    names = {c["comparison"]: c for c in ex.comparisons if c["comparison"] in ("forename", "surname")}
    assert names["forename"]["level"] == names["surname"]["level"] == "names/swapped"
    assert names["forename"]["match_weight"] > 5 and abs(names["surname"]["match_weight"]) < 0.05
    assert p["em_1"] != p["me_1"]
    assert p["tg_1"] == p["tg_2"]  # the same swap with the same dob is one girl


def test_dates_of_birth_years_apart_weigh_more_against_than_two_slips(hard_linked, cfg):
    con, p, _result, ids = hard_linked
    birth = {}
    for a, b in (("rp_1", "rp_2"), ("lc_1", "lc_2")):
        ex = linkage.explain(con, "victims", ids[a], ids[b], config=cfg)
        birth[a] = next(c for c in ex.comparisons if c["comparison"] == "birth")
    assert birth["rp_1"]["level"] == "dob/different" and birth["lc_1"]["level"] == "dob/near"
    assert birth["rp_1"]["match_weight"] < birth["lc_1"]["match_weight"] - 1
    assert p["rp_1"] != p["rp_2"]


def test_names_the_other_way_round_are_compared_without_a_dob(hard_linked, cfg):
    _con, p, result, _ids = hard_linked
    crossed = [r for r in result.candidate_pairs_by_rule if "l.fn = r.sn AND l.sn = r.fn" in r]
    assert crossed and result.candidate_pairs_by_rule[crossed[0]] >= 1
    assert p["kt_1"] == p["kt_2"]


def test_explain_shows_the_birth_interval_levels(hard_linked, cfg):
    con, _p, _result, ids = hard_linked
    ex = linkage.explain(con, "victims", ids["ab_age"], ids["ab_dob"], config=cfg)
    birth = next(c for c in ex.comparisons if c["comparison"] == "birth")
    assert birth["level"] == "undated_age_vs_dob/inside" and birth["match_weight"] > 0
    ex = linkage.explain(con, "victims", ids["ab_age"], ids["ab_10y"], config=cfg)
    assert next(c for c in ex.comparisons if c["comparison"] == "birth")["level"] == "undated_age_vs_dob/different"


def test_the_count_says_how_sure_it_is(hard_linked):
    _con, _p, result, _ids = hard_linked
    assert result.persons_low <= result.persons <= result.persons_high


def test_evaluate_refuses_a_truth_file_for_the_other_kind(linked, cfg, tmp_path):
    from cse_audit.linkage.errors import TruthMismatchError

    con, ids, _truth, _result = linked
    bad = tmp_path / "offenders_truth.csv"
    bad.write_text("record_id,person_id\n" + "".join(f"O-{i},X{i}\n" for i in range(50))
                   + f"{next(iter(ids.values()))},X0\n")
    with pytest.raises(TruthMismatchError, match="match no current victims record"):
        linkage.evaluate(con, "victims", bad, config=cfg)


def test_evaluate_refuses_an_unknown_kind(tmp_path):
    """The kind names a table: anything but victims / offenders is an error, never SQL."""
    from cse_audit.linkage.evaluate import _read_truth

    truth = tmp_path / "t.csv"
    truth.write_text("record_id,person_id\nx,1\n", encoding="utf-8")
    with pytest.raises(linkage.LinkageError, match="kind must be one of"):
        _read_truth(None, "victims; DROP TABLE returns", truth)


def test_explain_says_when_a_pair_was_joined_by_its_fits(linked_copy, cfg):
    """A partial record joined to a named person by its fits (not by its pair's score): the
    last run's joined pairs are kept with the prior, and explain reports the join's chance."""
    import json

    from cse_audit import store

    con, ids, _, _ = linked_copy
    meta = json.loads(store.get_meta(con, "linkage_prior:victims"))
    assert meta["joined"] == []  # nothing in this small store is joined that way
    meta["joined"] = [[ids["kj1"], ids["kj3"], 0.81]]  # as a store linked before session 10 kept it
    store.set_meta(con, "linkage_prior:victims", json.dumps(meta))
    got = linkage.explain(con, "victims", ids["kj3"], ids["kj1"], config=cfg)
    assert (got.joined_by_fits, got.joined_any) == (0.81, None)  # not stored then: not made up
    meta["joined"] = [[ids["kj1"], ids["kj3"], 0.31, 0.74]]  # this one 0.31; anyone counted 0.74
    store.set_meta(con, "linkage_prior:victims", json.dumps(meta))
    got = linkage.explain(con, "victims", ids["kj3"], ids["kj1"], config=cfg)
    assert (got.joined_by_fits, got.joined_any) == (0.31, 0.74)
    assert linkage.explain(con, "victims", ids["mk1"], ids["mk2"], config=cfg).joined_by_fits is None
    store.set_meta(con, "linkage_prior:victims", json.dumps({**meta, "basis": "other returns"}))
    assert linkage.explain(con, "victims", ids["kj3"], ids["kj1"], config=cfg).joined_by_fits is None


def test_an_agency_writing_1_january_for_an_unknown_day_has_those_dates_read_as_a_year(tmp_path, cfg):
    """P2 writes 1 January for "born that year" (3 of its 5 dates); P1's one 1 January among its
    dates is a birthday. P2's placeholder is compared as the year it states, so its child links
    with the council's record of the real date; the birthday stays a date."""
    from cse_audit.linkage.features import _features

    extra = [
        _row("yr_p2", "P2", "Morwenna", "Penhallow", None, "2004-01-01", None, "2019-02-01", "Bolton", "MP"),
        _row("yr_l1", "L1", "Morwenna", "Penhallow", None, "2004-08-19", None, "2019-06-01", "Leeds", "MP"),
        _row("yr_x1", "P2", "Tegan", "Rosewarne", None, "2003-01-01", None, "2019-02-01", "Bolton", "TR"),
        _row("yr_x2", "P2", "Lowenna", "Chenoweth", None, "2005-01-01", None, "2019-02-01", "Bolton", "LC"),
        _row("yr_x3", "P2", "Demelza", "Trelawny", None, "2005-07-03", None, "2019-02-01", "Bolton", "DT"),
        _row("bd_p1", "P1", "Jenna", "Polglase", None, "2004-01-01", None, "2019-02-01", "Leeds", "JP"),
    ]
    con, ids, _truth = build_store(tmp_path / "s.duckdb", extra=extra)
    features, record_ids = _features(con, "victims", cfg)
    f = features.to_pandas().assign(record_id=record_ids).set_index("record_id")
    year = f.loc[ids["yr_p2"]]
    assert pd.isna(year["dob"]) and year["dob_y"] == 2004
    assert year["bd_hi"] - year["bd_lo"] == 365  # the whole of 2004 (a leap year: 366 days)
    assert f.loc[ids["bd_p1"]]["dob"] is not None and not pd.isna(f.loc[ids["bd_p1"]]["dob"])
    assert not pd.isna(f.loc[ids["yr_x3"]]["dob"])  # P2's other dates stay dates
    linkage.link_people(con, "victims", config=cfg)
    assert _person(con, ids["yr_p2"]) == _person(con, ids["yr_l1"])
    ex = linkage.explain(con, "victims", ids["yr_p2"], ids["yr_l1"], config=cfg)
    assert next(c for c in ex.comparisons if c["comparison"] == "birth")["level"] == "age_vs_dob/fits"
    con.close()


def test_a_swap_weighs_nothing_even_where_floored_u_do_not_sum_to_one():
    """On a store of a few records every level's u may be floored at one pair's 1.0 (the CLI's
    fixture returns): the swap's share of the surname's m stays above 0 (Splink refuses an m of
    0), the group's m keep their sum, and where the u are a distribution the swap's m is its u."""
    from cse_audit.linkage.model import _swap_counted_once

    labels = ["names/exact", "names/close", "names/swapped", "names/different", "initials/agree"]
    for u in ([1.0] * 5, [0.01, 0.01, 0.001, 0.9, 0.079]):
        model = {"comparisons": [{"output_column_name": "surname", "comparison_levels": [
            {"is_null_level": True}, *({"label_for_charts": k, "m_probability": m, "u_probability": uu}
                                       for k, m, uu in zip(labels, [0.6, 0.1, 0.05, 0.05, 0.2], u, strict=True))]}]}
        _swap_counted_once(model)
        got = {lv["label_for_charts"]: lv["m_probability"] for lv in model["comparisons"][0]["comparison_levels"][1:]}
        assert all(v > 0 for v in got.values())
        assert sum(v for k, v in got.items() if k.startswith("names/")) == pytest.approx(0.8)
        assert got["initials/agree"] == 0.2
        if u[0] < 1:
            assert got["names/swapped"] == pytest.approx(0.001 * 0.8 / 0.921)


# -- issue 16, session 14: an agency working in two police force areas --------------------------

TWO_FORCES = [
    # a charity based in Leeds (West Yorkshire) that also works in Greater Manchester: its undated
    # initials-only record of a girl whom the Bolton police (Greater Manchester) name
    _row("ew_age", "N1", None, None, "EW", None, 14, None, "Leeds", "EW"),
    _row("ew_dob", "P2", "Evie", "Whitfield", None, "1995-03-01", None, "2009-06-01", "Bolton", "EW"),
]


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory, cfg):
    """The same store linked twice: the charity N1 listed in both force areas, and in Leeds's alone."""
    out = {}
    for name, spans in (("both", {"N1": ("leeds", ("west yorkshire", "greater manchester"))}), ("one", {})):
        con, ids, _truth = build_store(tmp_path_factory.mktemp(name) / "store.duckdb", extra=TWO_FORCES)
        linkage.link_people(con, "victims", config=dataclasses.replace(cfg, agency_areas=spans))
        out[name] = (con, {k: _person(con, rid) for k, rid in ids.items()}, ids,
                     dataclasses.replace(cfg, agency_areas=spans))
    yield out
    for con, *_ in out.values():
        con.close()


def test_a_charity_in_two_forces_fits_the_children_of_its_second(two_forces):
    """Listed in both, the charity's record is compared with the second force's records and joins
    the one girl it fits there; listed in one (or before session 14, when the exploded blocking
    and the fits by force-area sets did not exist) it stays a child of its own."""
    assert two_forces["both"][1]["ew_age"] == two_forces["both"][1]["ew_dob"]
    assert two_forces["one"][1]["ew_age"] != two_forces["one"][1]["ew_dob"]


def test_explain_finds_the_pair_the_exploded_rule_scored(two_forces):
    """`link explain` said "never compared" of a pair the run scored through the charity's second
    force area (the exploded rule's lists compared whole on one pair: session 15)."""
    con, persons, ids, spans = two_forces["both"]
    ex = linkage.explain(con, "victims", ids["ew_age"], ids["ew_dob"], config=spans)
    assert ex.candidate_pair and ex.same_person and ex.reason != "never_compared"
    # listed in Leeds alone, the pair is indeed never compared
    con1, _, ids1, one = two_forces["one"]
    assert not linkage.explain(con1, "victims", ids1["ew_age"], ids1["ew_dob"], config=one).candidate_pair


def test_a_force_keeps_its_own_area_when_a_charity_of_that_area_spans_two(cfg, tmp_path):
    """The Leeds police's records stay in West Yorkshire alone; only the charity's are in both
    (before, a charity with area Leeds listing two forces put every Leeds record in both)."""
    from cse_audit.linkage import settings
    from cse_audit.linkage.features import _features

    (tmp_path / "agencies.yaml").write_text(
        "agencies:\n"
        "  - {id: p-merrow, source_type: police, area: Merrowdale, force_area: Merrowdale}\n"
        "  - {id: n-bridge, source_type: ngo, area: Merrowdale, force_area: [Merrowdale, Kestrel Vale]}\n"
        "  - {id: c-tamar, source_type: lscb, area: Tamarside Borough, force_area: [Tamarside, Hollinshire]}\n")
    areas = settings._load_force_areas(tmp_path / "agencies.yaml")
    assert areas["merrowdale"] == ("merrowdale",) and areas["tamarside borough"] == ("tamarside", "hollinshire")
    assert settings._load_agency_areas(tmp_path / "agencies.yaml") == {
        "n-bridge": ("merrowdale", ("merrowdale", "kestrel vale")),
        "c-tamar": ("tamarside borough", ("tamarside", "hollinshire"))}
    con, ids, _truth = build_store(tmp_path / "s.duckdb", extra=TWO_FORCES)
    spans = dataclasses.replace(cfg, agency_areas={"N1": ("leeds", ("west yorkshire", "greater manchester"))})
    table, record_ids = _features(con, "victims", spans)
    regions = dict(zip(record_ids, table.column("regions").to_pylist(), strict=True))
    agency = dict(con.execute("SELECT record_id, agency_id FROM current_victims WHERE lower(area) = 'leeds'").fetchall())
    assert {tuple(regions[r]) for r, a in agency.items() if a == "N1"} == {("west yorkshire", "greater manchester")}
    assert {tuple(regions[r]) for r, a in agency.items() if a != "N1"} == {("west yorkshire",)}
    con.close()

"""End to end on the shipped sample: the CEOP 2011 figures, and no personal data in any output.

One ingest of sample_returns/ (about ten seconds) is shared by the tests of this module.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cse_audit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_returns"
TRUTH = SAMPLE / "_truth"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    result = CliRunner().invoke(cli, ["ingest", str(SAMPLE), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db, result.output


@pytest.fixture(scope="module")
def tables(sample_db):
    result = CliRunner().invoke(cli, ["tables", "--db", str(sample_db[0]), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def evaluated(sample_db):
    """`link evaluate` on the victims, once: its output is checked for leaks and for its scores."""
    result = CliRunner().invoke(cli, ["link", "evaluate", "--db", str(sample_db[0]), "--truth",
                                      str(TRUTH / "victims.csv"), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result


def row(tables, table, category):
    for r in tables[table]["rows"]:
        if r["category"].lower().startswith(category.lower()):
            return r
    raise KeyError(f"{table}: no row {category!r}")


def test_people_tables_say_how_sure_the_count_is(tables):
    # issue 16: beside the count, the records left ambiguous and a range for the number of people
    for table in ("victims_sex", "offenders_sex"):
        t = tables[table]
        assert t["persons_low"] <= t["total"] <= t["persons_high"]
        assert t["ambiguous_records"] >= 0
        if t["ambiguous_records"]:
            assert f"between {t['persons_low']:,} and {t['persons_high']:,}" in t["note"]


def test_part_a_published_figures(tables):
    police, lscb, ngo, total = (row(tables, "sources", c) for c in
                                ("Police forces", "LSCBs", "Voluntary sector", "Total"))
    assert (police["agencies_responded"], lscb["agencies_responded"], ngo["agencies_responded"]) == (46, 22, 12)
    assert total["cases"] == 1875
    assert total["victims"] == 2083
    assert total["offenders"] == 2379
    assert [row(tables, "victims_missing", c)["count"] for c in
            ("Reported missing", "Not reported missing", "Unknown")] == [842, 172, 1069]
    assert row(tables, "victims_ethnicity", "White")["count"] == 1271
    assert row(tables, "victims_ethnicity", "White")["percent"] == pytest.approx(61.0, abs=0.05)
    reliable = {c: row(tables, "offenders_ethnicity_reliable", c)["percent"]
                for c in ("Unknown", "White", "Asian", "Black", "Chinese")}
    assert reliable == {"Unknown": 32.0, "White": 38.0, "Asian": 26.0, "Black": 3.0, "Chinese": 0.2}


def test_part_b_press_figures(tables):
    counts = {c: row(tables, "offenders_ethnicity_reliable", c)["count"]
              for c in ("White", "Asian", "Unknown", "Black", "Chinese")}
    assert counts == {"White": 357, "Asian": 244, "Unknown": 301, "Black": 28, "Chinese": 2}
    assert tables["offenders_ethnicity_reliable"]["total"] == 940
    assert [row(tables, "victims_sex", c)["count"] for c in ("Female", "Male", "Unknown")] == [1264, 182, 637]
    assert row(tables, "victims_ethnicity", "Asian")["percent"] == pytest.approx(2.6, abs=0.05)
    assert row(tables, "victims_ethnicity", "Black")["percent"] == pytest.approx(1.3, abs=0.05)
    assert row(tables, "victims_ethnicity", "White")["percent_known"] == pytest.approx(90.0, abs=0.5)
    assert row(tables, "victims_looked_after", "Yes")["count"] == 311
    groups = tables["offender_groups"]
    assert groups["total"] == 230 or row(tables, "offender_groups", "Groups")["count"] == 230
    ages = {r["category"]: r["count"] for r in tables["victims_age"]["rows"]}
    # "many aged between 14 and 15": those two years together outnumber any other two-year band.
    assert ages["14"] + ages["15"] > max(ages["12-13"], ages["16-17"])
    off_sex = {r["category"]: r["count"] for r in tables["offenders_sex"]["rows"]}
    assert off_sex["Male"] > 0.85 * sum(off_sex.values())  # "the vast majority were men"
    off_age = {r["category"]: r["count"] for r in tables["offenders_age"]["rows"]}
    assert max(off_age, key=off_age.get) == "18-24"          # "most were aged 18 to 24"


def test_the_sample_s_nil_returns_say_so(tables, sample_db):
    """Session 17: a return of headers and no rows is a nil return only when it says so. The sample's
    17 nil returns each carry a nil note (12 were bare templates), so the counts stay 14 / 2 / 1."""
    nil = [row(tables, "sources", c)["nil_returns"] for c in ("Police forces", "LSCBs", "Voluntary sector", "Total")]
    assert nil == [14, 2, 1, 17]
    assert "empty_return" not in sample_db[1] and "empty template" not in tables["sources"]["note"]


def test_asian_detail_counts_a_plain_asian_as_detail_not_known(tables):
    """Session 17: "Asian", "British Asian" and police IC4 name no detailed group. They were rows of
    their own counted as known details (IC4's "Asian - Indian subcontinent": 252 of 489 offenders),
    and "Detail not known" was 0; the main Asian rows (published: 26 % of the reliable group) stay."""
    for table, asian in (("victims_ethnicity", 54), ("offenders_ethnicity_reliable", 244)):
        detail = {r["category"]: r for r in tables[table]["asian_detail"]["rows"]}
        assert row(tables, table, "Asian")["count"] == asian == tables[table]["asian_detail"]["total"]
        assert list(detail) == ["Pakistani", "Indian", "Bangladeshi", "Any other Asian", "Detail not known"]
        assert detail["Detail not known"]["count"] > 0 and detail["Detail not known"]["percent_known"] is None
        known = sum(r["count"] for c, r in detail.items() if c != "Detail not known")
        assert detail["Pakistani"]["percent_known"] == pytest.approx(100 * detail["Pakistani"]["count"] / known,
                                                                     abs=0.05)


def _personal_values() -> set[str]:
    """Every name and date of birth in the truth files, as they could appear in text."""
    values = set()
    for name in ("victim_persons.csv", "offender_persons.csv"):
        with open(TRUTH / name, encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                for key in ("forename", "surname"):
                    if r[key] and len(r[key]) > 2:
                        values.add(r[key])
                if r["dob"]:
                    d = dt.date.fromisoformat(r["dob"])
                    values |= {d.isoformat(), d.strftime("%d/%m/%Y")}
    return values


def test_no_name_or_date_of_birth_in_any_output(sample_db, evaluated, tmp_path):
    db, ingest_output = sample_db
    outputs = [ingest_output, evaluated.output]
    for args in (["validate", str(SAMPLE)], ["tables", "--db", str(db)], ["completeness", "--db", str(db)],
                 ["tables", "--db", str(db), "--format", "json"], ["completeness", "--db", str(db), "--format", "json"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), (args, result.output)
        outputs.append(result.output)
    text = "\n".join(outputs)
    words = set(re.findall(r"[A-Za-z][A-Za-z'\-]+|\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", text))
    # Some invented surnames are also ordinary words the tool prints for other reasons ("White" is
    # an ethnicity, "Bradford" an agency): words of the configuration are not leaks.
    vocabulary = set()
    for path in (ROOT / "configs").rglob("*.yaml"):
        vocabulary |= set(re.findall(r"[A-Za-z][A-Za-z'\-]+", path.read_text(encoding="utf-8")))
    leaked = sorted((_personal_values() - vocabulary) & words)
    assert not leaked, f"personal values in output: {leaked[:10]}"


def test_counts_reconcile_for_every_return(sample_db):
    import duckdb

    con = duckdb.connect(str(sample_db[0]), read_only=True)
    bad = con.execute("SELECT file_name FROM returns WHERE rows_landed <> records_accepted + rows_rejected "
                      "+ rows_skipped").fetchall()
    assert not bad
    assert con.execute("SELECT count(*) FROM returns").fetchone()[0] == 80
    con.close()


def test_review_explain_and_apply_through_the_cli(sample_db, tmp_path):
    import shutil

    import duckdb
    import openpyxl

    db = tmp_path / "copy.duckdb"
    shutil.copy(sample_db[0], db)
    configs = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", configs)
    review = tmp_path / "review.xlsx"
    result = CliRunner().invoke(cli, ["link", "review", "--db", str(db), "--config", str(configs),
                                      "--output", str(review)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(review)
    ws = wb["Review"]
    header = [c.value for c in ws[1]]
    first = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    explained = CliRunner().invoke(cli, ["link", "explain", first["record_id_l"], first["record_id_r"],
                                         "--db", str(db), "--config", str(configs)])
    assert explained.exit_code == 0, explained.output
    assert "match probability" in explained.output
    assert first["surname_l"] is None or first["surname_l"] not in explained.output   # no names unless asked
    linked = first["match_probability"] >= 0.5
    ws.cell(row=2, column=header.index("decision") + 1, value="no-match" if linked else "match")
    wb.save(review)
    con = duckdb.connect(str(db), read_only=True)
    before = con.execute("SELECT count(*) FROM victim_persons").fetchone()[0]
    con.close()
    applied = CliRunner().invoke(cli, ["link", "apply", str(review), "--db", str(db), "--config", str(configs)])
    assert applied.exit_code == 0, applied.output
    con = duckdb.connect(str(db), read_only=True)
    after = con.execute("SELECT count(*) FROM victim_persons").fetchone()[0]
    con.close()
    assert after == before + (1 if linked else -1)      # exactly the one pair decided


def _kinds_fresh(con) -> dict[str, bool]:
    from cse_audit.tables.definitions import _OFFENDER_FIELDS, _VICTIM_FIELDS
    from cse_audit.tables.relations import _Kind, _relations

    rel = _relations(con)
    return {k: _Kind(con, k, _VICTIM_FIELDS if k == "victims" else _OFFENDER_FIELDS, None, rel).fresh
            for k in ("victims", "offenders")}


def test_tables_read_from_fresh_linkage_match_tables_counted_from_records(sample_db, tmp_path):
    """Right after `link run` the tables read each person's agencies, source types and fields from
    the persons table; they must equal the tables counted from the records, and that shortcut must
    stop as soon as the current returns change."""
    import shutil

    from cse_audit import store
    from cse_audit.tables import build_tables

    db = tmp_path / "copy.duckdb"
    shutil.copy(sample_db[0], db)
    con = store.connect(db)
    try:
        assert _kinds_fresh(con) == {"victims": True, "offenders": True}
        # link run writes one link per record, with record_id as the key
        keys = con.execute("SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
                           " AND constraint_column_names = ['record_id']").fetchall()
        assert {"victim_links", "offender_links"} <= {k for (k,) in keys}
        fast = build_tables(con)
        period = ("2009-06-01", "2010-08-31")
        fast_period = build_tables(con, period=period)
        assert fast_period["sources"]["rows"][-1]["victims"] < fast["sources"]["rows"][-1]["victims"]
        con.execute("DELETE FROM store_meta WHERE key LIKE '%_links_basis'")
        assert _kinds_fresh(con) == {"victims": False, "offenders": False}
        assert build_tables(con) == fast
        assert build_tables(con, period=period) == fast_period
        # The basis is back, but a return is withdrawn: the records changed, so no shortcut.
        for kind in ("victims", "offenders"):
            store.set_meta(con, store.links_basis_key(kind), con.execute(store.CURRENT_RETURNS_SQL).fetchone()[0])
        assert _kinds_fresh(con) == {"victims": True, "offenders": True}
        ret, n = con.execute("SELECT return_id, count(*) FROM current_victims GROUP BY ALL"
                             " ORDER BY 2 DESC LIMIT 1").fetchone()
        con.execute("UPDATE returns SET status = 'superseded' WHERE return_id = ?", [ret])
        assert _kinds_fresh(con) == {"victims": False, "offenders": False}
        after = build_tables(con, ["sources"])["sources"]["rows"][-1]
        assert after["victim_records"] == fast["sources"]["rows"][-1]["victim_records"] - n
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["victims", "offenders"])
def test_linkage_equals_the_truth(sample_db, kind):
    """The stored links against the generator's truth files: every person exactly right (the
    published figures count persons, so the sample allows no linkage error at all)."""
    import duckdb

    from .linkage_scores import score

    con = duckdb.connect(str(sample_db[0]), read_only=True)
    try:
        got = score(con, kind, TRUTH / f"{kind}.csv")
    finally:
        con.close()
    assert got["persons_predicted"] == got["persons_truth"] == {"victims": 2083, "offenders": 2379}[kind]
    assert (got["pairwise_f1"], got["bcubed_f1"], got["exact_cluster_f1"]) == (1.0, 1.0, 1.0)


def test_link_evaluate_reports_the_truth_scores(evaluated):
    """`link evaluate` (which links afresh) agrees with the stored links: all scores 1.0."""
    got = json.loads(evaluated.stdout)        # one object keyed by measure
    assert isinstance(got, dict)
    assert got["records_evaluated"] == got["records"] == 2528 and got["truth_rows_unmatched"] == 0
    assert got["persons_predicted"] == got["persons_truth"] == 2083
    for measure in ("pairwise", "bcubed", "exact_cluster"):
        assert (got[f"{measure}_precision"], got[f"{measure}_recall"], got[f"{measure}_f1"]) == (1.0, 1.0, 1.0)
    assert got["blocking_recall"] == 1.0

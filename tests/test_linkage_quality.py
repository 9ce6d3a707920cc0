"""Linkage quality on returns the sample's tuning never saw: `cse-audit synth --seed 7`, ingested
and scored against its own truth files. Lower bounds, with a margin below what was measured (see
tests/README.md), so a better model passes and an over- or under-merging one does not."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from click.testing import CliRunner

from cse_audit import tables
from cse_audit.cli import cli

from .linkage_scores import score

pytestmark = pytest.mark.slow

# measured 2026-11-29 (seed 7, scale 1): victims pairwise 0.9953 (P 0.9981, R 0.9926), B-cubed
# 0.9992, exact-cluster 0.9971, 2085 persons for 2083; offenders 1.0 throughout.
BOUNDS = {"pairwise_precision": 0.985, "pairwise_recall": 0.98, "pairwise_f1": 0.985,
          "bcubed_f1": 0.995, "exact_cluster_f1": 0.99}


def _synth_and_ingest(root, *synth_args):
    """`cse-audit synth` then `ingest` (linkage included) into root; returns (synth's result, db)."""
    made = CliRunner().invoke(cli, ["synth", str(root / "returns"), *synth_args])
    assert made.exit_code == 0, made.output
    db = root / "store.duckdb"
    loaded = CliRunner().invoke(cli, ["ingest", str(root / "returns"), "--db", str(db), "--no-tables"])
    assert loaded.exit_code == 0, loaded.output
    return made, db


def _scores(con, root) -> dict:
    return {k: score(con, k, root / "returns" / "_truth" / f"{k}.csv") for k in ("victims", "offenders")}


@pytest.fixture(scope="module")
def seed7(tmp_path_factory):
    root = tmp_path_factory.mktemp("seed7")
    made, db = _synth_and_ingest(root, "--seed", "7")
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield root / "returns", made, _scores(con, root)
    finally:
        con.close()


def test_synth_command_writes_returns_and_truth(seed7):
    returns, made, _ = seed7
    assert made.output.startswith(f"wrote {returns}:") and "seed 7" in made.output
    files = [p for p in returns.iterdir() if p.is_file()]
    assert len(files) == 80
    assert sorted(p.name for p in (returns / "_truth").iterdir()) == [
        "expected.json", "offender_persons.csv", "offenders.csv", "victim_persons.csv", "victims.csv"]
    expected = json.loads((returns / "_truth" / "expected.json").read_text())
    assert expected["seed"] == 7 and expected["matches_ceop_targets"] is True


@pytest.mark.parametrize("kind", ["victims", "offenders"])
def test_linkage_quality_on_a_second_seed(seed7, kind):
    got = seed7[2][kind]
    for measure, bound in BOUNDS.items():
        assert got[measure] >= bound, (kind, measure, got)
    # persons within 1% of the truth: the headline counts are persons
    assert abs(got["persons_predicted"] - got["persons_truth"]) <= 0.01 * got["persons_truth"], got


# -- the hard profile (issue 16): returns like the ones the tool was never tuned on --------------
# measured 2026-11-30 (hard, seed 1, scale 1): victims 2,095 persons for 2,083 (exact-cluster F1
# 0.976, pairwise P 0.982 R 0.973, B-cubed 0.993); offenders 2,381 for 2,379 (0.996). The range
# stated for the number of people held the truth for both (victims 2,039-2,211).
HARD_BOUNDS = {"victims": {"exact_cluster_f1": 0.95, "pairwise_f1": 0.95, "bcubed_f1": 0.98},
               "offenders": {"exact_cluster_f1": 0.97, "pairwise_f1": 0.97, "bcubed_f1": 0.99}}


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    root = tmp_path_factory.mktemp("hard")
    _made, db = _synth_and_ingest(root, "--profile", "hard", "--seed", "1")
    con = duckdb.connect(str(db), read_only=True)
    try:
        ranges = {k: json.loads(con.execute("SELECT value FROM store_meta WHERE key = ?",
                                            [f"linkage_uncertainty:{k}"]).fetchone()[0])
                  for k in ("victims", "offenders")}
        yield _scores(con, root), ranges, db
    finally:
        con.close()


def test_the_tables_note_says_how_many_records_were_joined_by_their_fits(hard, tmp_path):
    """The note beside the count says how many partial records were counted with a person they
    most likely are, not only the rule (which read as if some were when none was)."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(hard[2], db)
    con = duckdb.connect(str(db))
    try:
        joined = json.loads(con.execute("SELECT value FROM store_meta WHERE key = 'linkage_prior:victims'")
                            .fetchone()[0])["joined"]
        assert hard[1]["victims"]["joined_by_fits"] == len(joined) > 0

        def note():
            return tables.build_tables(con, names=["victims_sex"])["victims_sex"]["note"]
        assert f"{len(joined)} record(s) more likely than not someone already counted are counted" in note()
        table = tables.build_tables(con, names=["victims_sex"])["victims_sex"]
        assert table["joined_by_fits"] == len(joined)  # a field beside the range, as in --format json
        for value, says in ((0, "(above, each record left unresolved is counted as a person of its own)"),
                            (None, "a record more likely than not someone already counted is counted")):
            got = {**hard[1]["victims"], "joined_by_fits": value}
            if value is None:
                del got["joined_by_fits"]  # a store linked before the number was kept
            con.execute("UPDATE store_meta SET value = ? WHERE key = 'linkage_uncertainty:victims'", [json.dumps(got)])
            assert says in note()
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["victims", "offenders"])
def test_linkage_quality_on_the_hard_profile(hard, kind):
    """Undated charity ages, DOBs left out or mistyped, children reported by two forces, more
    records per child: the count within 3 % of the truth and the stated range holding it."""
    got, ranges = hard[0][kind], hard[1][kind]
    for measure, bound in HARD_BOUNDS[kind].items():
        assert got[measure] >= bound, (kind, measure, got)
    assert abs(got["persons_predicted"] - got["persons_truth"]) <= 0.03 * got["persons_truth"], got
    assert ranges["persons_low"] <= got["persons_truth"] <= ranges["persons_high"], (ranges, got)
    assert ranges["persons_low"] <= got["persons_predicted"] <= ranges["persons_high"]


# -- a small batch (a single area's assessment; issue 16's first held-out batch was 958 victim
# records): EM runs there too, its estimate weighing as the few dozen matches it stands for.
# measured 2026-11-30 (hard, seed 1, scale 0.1): victims 209 persons for 208 (286 records,
# exact-cluster F1 0.993), offenders 238 for 238 (309 records); victims learnt area "different"
# 0.22 (stated 0.15), sex "different" 0.007 (stated 0.02).
@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    _made, db = _synth_and_ingest(root, "--profile", "hard", "--seed", "1", "--scale", "0.1")
    con = duckdb.connect(str(db), read_only=True)
    try:
        trained = {k: json.loads(con.execute("SELECT value FROM store_meta WHERE key = ?",
                                             [f"linkage_u:{k}"]).fetchone()[0])["u"]
                   for k in ("victims", "offenders")}
        yield _scores(con, root), trained
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["victims", "offenders"])
def test_a_small_batch_learns_its_m_from_its_own_records(small, kind):
    from cse_audit.linkage import load_linkage_config

    scores, trained = small
    got = scores[kind]
    assert got["records"] < 1000  # below the old em.min_records: the stated m alone, then
    assert abs(got["persons_predicted"] - got["persons_truth"]) <= 0.03 * got["persons_truth"], got
    assert got["exact_cluster_f1"] >= 0.95, got
    # EM ran: the conditional m of sex, area and ethnicity are not all the stated ones, as they
    # are (to rounding) when the stated m alone are used; EM learns e.g. how often this batch's
    # records of one person lie in two force areas
    cfg = load_linkage_config(None)
    moved = 0.0
    for comp in ("sex", "area", "ethnicity"):
        stated = list(cfg.comparisons[comp].m["all"].values())
        m = [x for x in trained[kind][comp]["m"] if x is not None]
        moved = max(moved, *(abs(a / sum(m) - b) for a, b in zip(m, stated, strict=True)))
    assert moved > 0.02, trained[kind]

"""A partial record refused its likeliest named person (a reviewer's no-match, or a pair below
cannot_link_below) is offered the next it fits, not counted as a child of its own (review 10,
D3: a correct "not this child" pushed the count up by one)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import duckdb
import numpy as np
import pandas as pd

from cse_audit.linkage.clusters import _low_into

from .test_review5 import _clusters_on, _dense, _edges


def _a_record_with_a_second_choice(monkeypatch):
    """The dense population linked once; a joined record whose chance of being someone counted
    other than the person it joined still reaches the threshold."""
    fit, kinds, edges, _ = _dense(1500, 500)
    run, roots, cfg = _clusters_on(monkeypatch, fit, kinds, edges)
    first = int(np.flatnonzero(kinds >= 4)[0])
    rows = [(int(j[0]) if j[0] >= first else int(j[1]), int(j[1]) if j[0] >= first else int(j[0]), j[2], j[3])
            for j in run.joined]
    x, y, _p, _dup = max(rows, key=lambda r: r[3] - r[2])
    assert _dup - _p >= cfg.threshold + 0.02, "no record with a second choice in the population"
    return fit, kinds, edges, roots, x, y


def test_a_reviewers_no_match_on_a_joined_pair_offers_the_record_its_next_person(monkeypatch):
    fit, kinds, edges, roots, x, y = _a_record_with_a_second_choice(monkeypatch)
    persons = len(set(roots.tolist()))
    run, after, _ = _clusters_on(monkeypatch, fit, kinds, edges, overrides=[(f"r{x:06d}", f"r{y:06d}", "no-match")])
    assert after[x] != after[y]  # the reviewer is obeyed
    assert (after == after[x]).sum() > 1, "counted as a child of its own"
    assert kinds[after == after[x]].min() < 4  # with a named person
    assert len(set(after.tolist())) == persons  # the count does not move for "not this child"


def test_a_pair_below_cannot_link_below_closes_that_person_not_every_person(monkeypatch):
    fit, kinds, edges, roots, x, y = _a_record_with_a_second_choice(monkeypatch)
    y2 = len(fit)  # another record of y's child, scored 0.01 against x
    fit = pd.concat([fit, fit.iloc[[y]].assign(lo=fit.at[y, "lo"] + 4000, hi=fit.at[y, "lo"] + 4000)],
                    ignore_index=True)
    kinds = np.r_[kinds, 0]
    edges = edges[~((edges["uid_l"] == min(x, y2)) & (edges["uid_r"] == max(x, y2)))]
    edges = pd.concat([edges, _edges([(y, y2)], 0.99), _edges([(x, y2)], 0.01)], ignore_index=True)
    run, after, _ = _clusters_on(monkeypatch, fit, kinds, edges)
    assert after[y] == after[y2] != after[x]
    assert (after == after[x]).sum() > 1 and kinds[after == after[x]].min() < 4


def test_a_reviewers_no_match_on_one_of_two_likely_children_offers_the_other(monkeypatch):
    """A record that fits two named children about equally (say 0.45 each: 0.9 that it is one
    of them) joined the first, and a reviewer says it is not that one. Knowing that, the chance
    that it is someone counted is (0.9 - 0.45) / (1 - 0.45) = 0.82 (its shares given "not A"),
    not 0.45 (the chance of "someone, and not A"), so it joins the other; taking the share away
    left it a child of its own, the count up by one for a correct "not this child" (of the joined
    records with a second choice, refused their person: hard seed 5, 3 of 3 stayed alone, 0 now;
    hard-s10, 696 of 961, 196 now)."""
    fit, kinds, edges, _ = _dense(1500, 500)
    run, roots, cfg = _clusters_on(monkeypatch, fit, kinds, edges)
    first = int(np.flatnonzero(kinds >= 4)[0])
    rows = [(int(j[0]) if j[0] >= first else int(j[1]), int(j[1]) if j[0] >= first else int(j[0]), j[2], j[3])
            for j in run.joined]
    x, y, p, dup = next(r for r in rows if r[3] - r[2] < cfg.threshold - 0.05
                        and (r[3] - r[2]) / (1 - r[2]) >= cfg.threshold + 0.1)
    persons = len(set(roots.tolist()))
    run, after, _ = _clusters_on(monkeypatch, fit, kinds, edges, overrides=[(f"r{x:06d}", f"r{y:06d}", "no-match")])
    assert after[x] != after[y]
    assert (after == after[x]).sum() > 1, "counted as a child of its own"
    assert len(set(after.tolist())) == persons
    got = [j for j in run.joined if x in (int(j[0]), int(j[1]))]
    assert got and abs(got[0][3] - (dup - p) / (1 - p)) < 1e-6  # the chance the join stands on, given "not A"


def test_two_partial_records_a_reviewer_said_differ_do_not_both_go_to_one_child(monkeypatch):
    """Two charity records fit the same named children (the same initials, age and area), and a
    reviewer said they are two children. The first joins its likeliest; the second is offered its
    next, not left a child of its own by the clustering refusing the same join."""
    fit, kinds, edges, roots, x, y = _a_record_with_a_second_choice(monkeypatch)
    x2 = len(fit)  # a copy of x from another return: the same fits, the same pairs
    fit = pd.concat([fit, fit.iloc[[x]]], ignore_index=True)
    kinds = np.r_[kinds, kinds[x]]
    mine = edges[(edges["uid_l"] == x) | (edges["uid_r"] == x)]
    other = np.where(mine["uid_l"] == x, mine["uid_r"], mine["uid_l"])
    copy = mine.assign(uid_l=np.minimum(other, x2), uid_r=np.maximum(other, x2))
    edges = pd.concat([edges, copy], ignore_index=True)
    _, both, _ = _clusters_on(monkeypatch, fit, kinds, edges)
    assert both[x] == both[x2] == both[y]  # with no decision, both are taken for y's child
    run, after, _ = _clusters_on(monkeypatch, fit, kinds, edges, overrides=[(f"r{x:06d}", f"r{x2:06d}", "no-match")])
    assert after[x] != after[x2]
    for r in (x, x2):
        assert (after == after[r]).sum() > 1 and kinds[after == after[r]].min() < 4, "a child of its own"
    assert len(set(after.tolist())) == len(set(both.tolist()))


class _SqlApi:
    """Splink's engine API as _low_into uses it (register a frame, run SQL), on plain DuckDB."""

    def __init__(self, con):
        self.con, self.n = con, 0

    def register(self, frame):
        self.n += 1
        self.con.register(f"reg{self.n}", frame)
        return SimpleNamespace(physical_name=f"reg{self.n}")

    def query_sql(self, sql, output):
        assert output == "pandas"
        return self.con.execute(sql).df()


def test_low_into_reads_the_scored_pairs_below_cannot_link_below():
    """The scored pairs' side of clusters._low_into (the unit tests above run without Splink, so
    only its kept-edges side): a person is closed to a record when another of its records scored
    below cannot_link_below against it (the prior's shift included), not through the record the
    join goes by, and a kept pair's own score wins over the stored weight."""
    con = duckdb.connect()
    # persons (roots): 0 = {0, 1, 2}, 3 = {3, 4}, 6 = {6, 7}, 8 = {8, 9}; record 5 may join each
    roots = [0, 0, 0, 3, 3, 5, 6, 6, 8, 8]
    con.execute("CREATE TABLE preds (unique_id_l BIGINT, unique_id_r BIGINT, match_weight DOUBLE)")
    con.executemany("INSERT INTO preds VALUES (?, ?, ?)",
                    [(0, 5, -20.0), (2, 5, -1.0), (1, 5, -10.0), (3, 5, -20.0), (4, 5, -1.0), (5, 7, -10.0),
                     (5, 9, -1.0)])
    kept = pd.DataFrame({"uid_l": [5, 5], "uid_r": [7, 9], "p": [0.3, 0.01], "guard": [False, False]})
    run = SimpleNamespace(api=_SqlApi(con), predictions="preds", edges=kept)
    cand = pd.DataFrame({"uid": [5, 5, 5, 5], "person": [0, 3, 6, 8], "other": [0, 3, 6, 8]})
    cut = math.log2(0.05 / 0.95)  # -4.25 bits
    assert -10 < cut < -1

    def closed(shift):
        got = _low_into(run, cand, roots, 0.05, shift)
        return sorted(zip(got["uid"].tolist(), got["person"].tolist(), strict=True))
    # 0: record 1 scores -10; 3: -1, not low (record 3, the join's own pair, is not counted);
    # 6: stored -10 but kept at 0.3; 8: stored -1 but kept at 0.01
    assert closed(0.0) == [(5, 0), (5, 8)]
    assert closed(-4.0) == [(5, 0), (5, 3), (5, 8)]  # the prior moved down 4 bits: -5 < cut

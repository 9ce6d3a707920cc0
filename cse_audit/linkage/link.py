"""``link_people``: score, cluster, write {victim,offender}_links, then merge the persons.

The one function that writes linkage results to the store, in a transaction; ``_clusters``
(score, carry over and apply overrides, cluster) is shared with ``evaluate``."""

from __future__ import annotations

import gc
import json
import logging
import math
import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from .. import store
from . import unresolved
from .certainty import MERGE_FLOOR, _best_pairs, _merge_chances, _strong_ends, _uncertainty  # noqa: F401
from .clusters import _apart_pairs, _cluster, _low_into, _person_ids
from .engine import only_this_links_objects_collected
from .groups import group_shifts, kind_label, pair_groups, pairs_per_group
from .merge import _merge_persons
from .model import PRIOR_SLACK, _run
from .overrides import MATCH, _carry_over, _resolve_overrides
from .settings import KINDS, _config

log = logging.getLogger(__name__)


@dataclass
class LinkResult:
    kind: str
    records: int
    persons: int
    candidate_pairs: int
    pairs_above_threshold: int
    conflicts: int
    seconds: float
    candidate_pairs_by_rule: dict[str, int] = field(default_factory=dict)
    overrides: dict[str, int] = field(default_factory=dict)
    # how sure the count is (see _uncertainty): records left ambiguous, range for the people
    ambiguous_records: int = 0
    persons_low: int = 0
    persons_high: int = 0


PRIOR_ROUNDS = 12  # re-estimating the prior (and its groups) from the scores settles in a few rounds


def _logit2(p: float) -> float:
    p = min(max(p, 1e-15), 1 - 1e-15)
    return math.log2(p / (1 - p))


def _rescored(run, prior: float, shifts=0.0) -> pd.DataFrame:
    """The scored pairs under another prior (and each pair's group's shift from it, in bits): a
    prior only shifts match weights."""
    # shallow: only w and p are new (copy-on-write keeps run.edges), not a copy of every pair
    e = run.edges.copy(deep=False)
    w = e["w"].to_numpy() + (_logit2(prior) - _logit2(run.prior)) + shifts  # (the same order of sums)
    p = 1.0 / (1.0 + np.exp2(-w))
    p[e["guard"].astype(bool).to_numpy()] = 0.0  # within-return guard: never joined
    e["w"], e["p"] = w, p
    return e


def _best_only_for_partial(edges: pd.DataFrame, partial, threshold: float) -> pd.DataFrame:
    """Pairs at or above the threshold, where a record without a full name or without anything
    to date a birth (model._partial) joins only the person of its best match: it may join all of
    that person's records, but never bridges two people who share what it has.

    Two passes: the persons the full records make among themselves first; then each partial
    record takes the person of its best full match, or, with none, of its best match's (through
    other partial records), and keeps only its pairs into that person. Partial records whose
    matches lead to no full record form persons among themselves."""
    strong = edges[edges["p"] >= threshold]
    if partial is None or not len(strong) or not partial.any():
        return strong
    a, b = strong["uid_l"].to_numpy(), strong["uid_r"].to_numpy()
    full = _Roots()
    for x, y in zip(a[~partial[a] & ~partial[b]].tolist(), b[~partial[a] & ~partial[b]].tolist(), strict=True):
        full.union(x, y)
    ends = pd.DataFrame({"uid": np.concatenate([a, b]), "other": np.concatenate([b, a]),
                         "p": np.concatenate([strong["p"].to_numpy()] * 2)})
    ends = ends[partial[ends["uid"].to_numpy()]].sort_values(["uid", "p", "other"], ascending=[True, False, True],
                                                             kind="mergesort")
    best = dict(zip(*ends.drop_duplicates("uid")[["uid", "other"]].to_numpy().T.tolist(), strict=True))
    to_full = ends[~partial[ends["other"].to_numpy()]].drop_duplicates("uid")
    # a partial record with a full record among its matches takes the best full one's person
    target: dict[int, tuple] = {x: ("full", full.find(y)) for x, y in zip(to_full["uid"].tolist(),
                                                                         to_full["other"].tolist(), strict=True)}
    for _ in range(len(best) + 1):  # the others follow their best match through partial records
        changed = False
        for x, y in best.items():
            t = target.get(y)
            if x not in target and t is not None:
                target[x], changed = t, True
        if not changed:
            break
    loose = _Roots()  # best matches that lead to no full record: persons of partial records only
    for x, y in best.items():
        if x not in target and y not in target:
            loose.union(x, y)
    for x in best:
        target.setdefault(x, ("partial", loose.find(x)))

    def person(x: int) -> tuple:
        return target[x] if partial[x] else ("full", full.find(x))

    ok = [(not partial[x] and not partial[y]) or person(x) == person(y)
          for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    return strong[ok]


class _Roots:
    """A plain union-find over record indices (dict-based: only the records it is given)."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def _apart(run, roots: list[int], below: float, shift: float) -> list[tuple[int, int]]:
    """Pairs of records in one person whose own score is below ``below``: a kept pair's score
    is its own (the prior of its group included), a pair scored too low to be kept is looked up
    in Splink's table of all scored pairs."""
    low = pd.DataFrame(_apart_pairs(run, roots, below, shift), columns=["a", "b"], dtype="int64")
    e = run.edges
    if not len(e):
        return list(zip(low["a"].tolist(), low["b"].tolist(), strict=True))
    root = np.asarray(roots)
    same = (root[e["uid_l"].to_numpy()] == root[e["uid_r"].to_numpy()]) & ~e["guard"].astype(bool).to_numpy()
    kept = e.loc[same, ["uid_l", "uid_r", "p"]].rename(columns={"uid_l": "a", "uid_r": "b"})
    low = low.merge(kept[["a", "b"]], on=["a", "b"], how="left", indicator=True)
    low = low[low["_merge"] == "left_only"]
    found = set(zip(low["a"].tolist(), low["b"].tolist(), strict=True))
    found |= set(zip(kept.loc[kept["p"] < below, "a"].tolist(), kept.loc[kept["p"] < below, "b"].tolist(),
                     strict=True))
    return sorted(found)


def _clusters(con, kind, cfg, overrides, keep_low):
    """Score, then cluster; with prior_from_data, the prior (the share of all pairs that are
    matches) and each group of pairs' own prior (groups.py) are re-estimated from the scores and
    the pairs rescored until they settle: an EM step over the prior only, the m and u staying
    as trained. The stated prior is only the starting point. Pairs the within-return guard holds
    apart and pairs scored below cannot_link_below are never put in one person, even through
    others."""
    run = _run(con, kind, cfg, keep_low)
    ov, carried = _carry_over(con, kind, _resolve_overrides(overrides, cfg, kind, con), set(run.record_ids))
    if carried:
        log.info("%s: %d reviewed record(s) found again in resubmitted returns", kind, carried)
    n = len(run.record_ids)
    held = run.edges["guard"].astype(bool).to_numpy() if len(run.edges) else np.zeros(0, bool)
    guard = list(zip(run.edges["uid_l"].to_numpy()[held].tolist(), run.edges["uid_r"].to_numpy()[held].tolist(),
                     strict=True))
    prior = run.prior
    from_data = cfg.prior_from_data and cfg.probability_two_random_records_match is None and n > 1
    groups = pair_groups(run.kinds, run.edges["uid_l"].to_numpy(), run.edges["uid_r"].to_numpy()) \
        if len(run.edges) and run.kinds is not None else None
    shifts = used = np.zeros(64)
    # the partial records' matches their fits show, whatever their scores (groups.group_shifts)
    fitted = (run.fitted if run.fitted is not None else unresolved.fitted_pairs(run.fit, run.kinds)) \
        if groups is not None and run.fit is not None else None
    # the prior is estimated over the pairs scored within PRIOR_SLACK bits of the threshold: the
    # same pairs whatever keep_low a caller asked for (`link review` keeps more)
    window = run.edges["w"].to_numpy() >= _logit2(cfg.threshold) - PRIOR_SLACK if len(run.edges) else None
    used_prior = prior
    for _ in range(PRIOR_ROUNDS if from_data else 1):
        edges = _rescored(run, prior, shifts[groups] if groups is not None else 0.0) if len(run.edges) else run.edges
        used_prior, used = prior, shifts  # what these scores were computed with
        if not from_data or not len(edges):
            break
        # the prior is the share of all pairs that are matches: the scored pairs' expected matches
        # (pairs outside them are far below the threshold) over all pairs
        p = edges["p"].to_numpy()[window]
        new = min(max(float(p.sum()) / (n * (n - 1) / 2), 1e-12), 0.5)
        new_shifts = group_shifts(p, groups[window], pairs_per_group(run.kinds), new, fitted) \
            if groups is not None else shifts
        if abs(_logit2(new) - _logit2(prior)) < 0.05 and np.abs(new_shifts - shifts).max() < 0.1:
            break
        prior, shifts = new, new_shifts
    shift = _logit2(used_prior) - _logit2(run.prior)
    run.edges, run.prior = edges, used_prior
    run.group_shifts = used
    moved = np.flatnonzero(np.abs(used) >= 0.05) if groups is not None else []
    log.info("%s: prior %.3g%s", kind, used_prior, ("; by kind of pair (bits): " + "; ".join(
        f"{kind_label(g // 8)} ~ {kind_label(g % 8)} {used[g]:+.1f}" for g in moved)) if len(moved) else "")
    # the persons, once the prior has settled (the rounds above need only the scores)
    roots, best, stats = _cluster(n, _best_only_for_partial(edges, run.partial, cfg.threshold), cfg.threshold,
                                  run.record_ids, ov, guard)
    apart = _apart(run, roots, cfg.cannot_link_below, shift) if cfg.cannot_link_below else []
    if apart:
        roots, best, stats = _cluster(n, _best_only_for_partial(run.edges, run.partial, cfg.threshold),
                                      cfg.threshold, run.record_ids, ov, guard + apart)
    before, scored = np.asarray(roots), run.edges
    refused = _refused(run, ov)
    joined = _join_fitting(run, roots, edges, groups, used, used_prior, cfg.threshold, refused,
                           cfg.cannot_link_below, shift)
    if joined:  # partial records that are most likely one named person's: persons again
        roots, best, stats, apart = _after_joins(run, n, cfg, ov, guard, apart, shift, before)
    log.info("%s: %d partial record(s) most likely someone already counted, joined to the named person they "
             "most likely are", kind,
             len(run.joined or []))
    # the range from the persons before the joins by fits: a join moves the count within the range
    # (it decides which records are someone already counted), not the number of people expected
    # (the fits' estimate stands for those records either way)
    stats.update(_uncertainty(run, before.tolist() if joined else roots, cfg.threshold, cfg.review_low,
                              cfg.review_high, forbidden=guard + apart + refused, kind=kind,
                              edges=scored if joined else None))
    if run.joined:
        best = _shown_as_this_one(run, best)
    stats["kept_apart"] = len(apart)
    stats["held_apart_within_return"] = len(guard)
    stats["carried_over"] = carried
    if stats["unknown_records"]:
        log.warning("%s: %d override(s) name records not in current returns (resubmitted?)",
                    kind, stats["unknown_records"])
    if stats["contradictions"]:
        log.warning("%s: %d forced match(es) join records also forced apart", kind, stats["contradictions"])
    return run, roots, best, stats


def _refused(run, ov) -> list[tuple[int, int]]:
    """The record pairs a reviewer's no-match (or the overrides file) keeps apart, as indices."""
    index = {rid: i for i, rid in enumerate(run.record_ids)}
    return [(index[o.record_id_a], index[o.record_id_b]) for o in ov
            if o.decision != MATCH and o.record_id_a in index and o.record_id_b in index]


def _shown_as_this_one(run, best: dict) -> dict:
    """Once the persons are found: a pair joined by fits shows (links table, `link review`) the
    chance that the record is this person's, not the chance that it is anyone's counted, which put
    it there: a reviewer is asked the question that is in doubt (which child), and pairs likely
    someone's but unlikely this one's are offered for review."""
    key = pd.DataFrame([(int(j[0]), int(j[1]), float(j[2])) for j in run.joined], columns=["uid_l", "uid_r", "this"])
    e = run.edges.merge(key, on=["uid_l", "uid_r"], how="left")
    hit = e["this"].notna().to_numpy()
    rows = zip(e.loc[hit, "uid_l"].tolist(), e.loc[hit, "uid_r"].tolist(), e.loc[hit, "p"].tolist(),
               e.loc[hit, "this"].tolist(), strict=True)
    best = dict(best)
    for a, b, p, this in rows:  # a record whose best pair is the joined one shows that pair's new p
        for u in (a, b):
            if best.get(u) is not None and abs(best[u] - p) < 1e-12:
                best[u] = this
    e.loc[hit, "p"] = e.loc[hit, "this"]
    run.edges = e.drop(columns="this")
    return best


def _after_joins(run, n, cfg, ov, guard, apart, shift, before):
    """The persons once partial records have joined named persons by their fits. A join adds a
    record to a person and nothing else: one that would put two records scored below
    cannot_link_below into one person, or split the named person it joins (its record held
    apart from one of theirs), is undone; a join a reviewer's no-match refuses is not listed."""
    def cluster(apart):
        return _cluster(n, _best_only_for_partial(run.edges, run.partial, cfg.threshold),
                        cfg.threshold, run.record_ids, ov, guard + apart)

    named = np.asarray(run.kinds) < 4
    for _ in range(3):
        roots, best, stats = cluster(apart)
        more = sorted(set(_apart(run, roots, cfg.cannot_link_below, shift)) - set(apart)) \
            if cfg.cannot_link_below else []
        if more:
            apart = apart + more
            roots, best, stats = cluster(apart)
        root = np.asarray(roots)
        # named persons the joins split: as many persons among their named records as before
        pairs = pd.DataFrame({"before": before[named], "after": root[named]}).drop_duplicates()
        split = set(pairs["before"][pairs["before"].duplicated(keep=False)].tolist())
        undo = [j for j in run.joined if before[int(j[1])] in split or before[int(j[0])] in split]
        if not undo:
            break
        _undo_joins(run, undo)
    else:  # the last round undid joins: the persons without them
        roots, best, stats = cluster(apart)
        root = np.asarray(roots)
    run.joined = [j for j in run.joined if root[int(j[0])] == root[int(j[1])]]
    return roots, best, stats, apart


def _undo_joins(run, undo) -> None:
    """Give the pairs of these joins back their own scores."""
    key = pd.DataFrame({"uid_l": [int(min(j[0], j[1])) for j in undo], "uid_r": [int(max(j[0], j[1])) for j in undo]})
    e = run.edges.merge(key.assign(undo=True), on=["uid_l", "uid_r"], how="left")
    back = e["undo"].notna().to_numpy()
    e.loc[back, "p"] = 1.0 / (1.0 + np.exp2(-e.loc[back, "w"].to_numpy()))
    run.edges = e.drop(columns="undo")
    gone = set(map(tuple, key.to_numpy().tolist()))
    run.joined = [j for j in run.joined if (int(min(j[0], j[1])), int(max(j[0], j[1]))) not in gone]


def _join_fitting(run, roots, edges, groups, shifts, prior, threshold, refused=(), below=None, shift=0.0) -> int:
    """Partial records left persons of their own whose chance of being someone already counted,
    from the fits (unresolved.join_chances: any of the named persons that fit them), reaches the
    threshold: each joins the one it most likely is, its pair with that person's best record
    taking that chance (run.edges changed in place). Returns how many.

    The decision is "someone already counted, or someone new", not "this one": a record that fits
    seven named children with a chance of 0.64 of being one of them scores about 0.1 against each,
    and kept apart it is counted as a child of its own although it most likely is not (issue 16:
    the held-out 10k victims counted 7,883 for 7,008, 689 of the excess such records). Which of
    them it is stays uncertain: `link explain` shows both chances, and the count's range stands on
    the fits' estimate, not on these joins (certainty._uncertainty).

    A person the record may not join (a reviewer's no-match with one of its records, ``refused``,
    or a pair scored below ``below``: cannot_link_below) is closed to it from the start, so it is
    offered the next it fits instead of staying a person of its own (review 10, D3); after a
    reviewer's no-match, with its chances given that it is not that person (_assign)."""
    if run.fit is None or run.kinds is None or not len(edges):
        return 0
    kinds, root = np.asarray(run.kinds), np.asarray(roots)
    bits = edges["w"].to_numpy() - _logit2(prior) - (shifts[groups] if groups is not None else 0.0)
    est = unresolved.estimate(run.fit, kinds, root, 1.0, forenames=True, memo=getattr(run, "fit_estimates", None))
    # only pairs of a lone partial record and a named record give a chance (the rows join_chances
    # keeps, in order): at 1M records the others are most of 20M pairs, held twice over there
    alone = np.zeros(len(root), bool)
    alone[est.part] = True
    alone &= np.bincount(root, minlength=len(root))[root] == 1
    a, b = edges["uid_l"].to_numpy(), edges["uid_r"].to_numpy()
    named = kinds < 4
    near = (alone[a] & named[b]) | (alone[b] & named[a])
    ranked = unresolved.join_chances(est, run.fit, kinds, root, edges[near], bits[near], ranked=True)
    first = ranked.drop_duplicates("uid")
    run.duplicate_chance = dict(zip(first["uid"].tolist(), first["dup"].tolist(), strict=True))
    held = edges["guard"].astype(bool).to_numpy()
    ranked = ranked[ranked["dup"] >= threshold]
    closed = _closed(run, ranked, root, below, shift)
    chances = _assign(ranked, root, a[held], b[held], threshold, closed, refused)
    if not len(chances):
        return 0
    x, y = chances["uid"].to_numpy(), chances["other"].to_numpy()
    key = pd.DataFrame({"uid_l": np.minimum(x, y), "uid_r": np.maximum(x, y), "joined": chances["p"].to_numpy(),
                        "dup": chances["dup"].to_numpy()})
    e = run.edges.merge(key, on=["uid_l", "uid_r"], how="left")
    raise_to = e["joined"].notna().to_numpy() & ~e["guard"].astype(bool).to_numpy()
    # the pair stands for the record's chance of being someone counted: it is in that person
    e.loc[raise_to, "p"] = np.maximum(e.loc[raise_to, "p"], e.loc[raise_to, "dup"])
    run.joined = e.loc[raise_to, ["uid_l", "uid_r", "joined", "dup"]].to_numpy().tolist()
    run.edges = e.drop(columns=["joined", "dup"])
    return int(raise_to.sum())


def _closed(run, ranked, root, below, shift) -> set[tuple[int, int]]:
    """(record, person) pairs a join may not make because one of their pairs scores below
    ``below`` (cannot_link_below). The record keeps that person's share of its chance: a partial
    record's own scores are low against every named record, its likeliest too, so a low pair bars
    the join but says little about who it is. (A reviewer's no-match is _assign's ``refused``.)"""
    if not below or not len(ranked):
        return set()
    low = _low_into(run, ranked[["uid", "person", "other"]], root.tolist(), below, shift)
    return set(zip(low["uid"].tolist(), low["person"].tolist(), strict=True))


def _assign(ranked: pd.DataFrame, root: np.ndarray, guard_a: np.ndarray, guard_b: np.ndarray,
            threshold: float, closed=None, refused=()) -> pd.DataFrame:
    """Each record (join_chances' ranked rows: uid, other, person, p, dup), the likeliest
    duplicate first, to the likeliest person it can be: not one holding a record it is held apart
    from (the within-return guard: two rows of one return are two children). Two records of one
    charity's return that fit the same named child cannot both be that child; the second then
    goes to its next likeliest, if its chance of being one of those still open to it reaches the
    threshold. (hard-s10 victims: 353 of 408 records left alone with a chance >= 0.5 were so
    refused by taking the first choice only.) ``refused``: record pairs a reviewer said are not one
    person. A record is not the person its own return's other rows, or its refused partners, are
    in (named, or joined here before it), and its chances are those given that: each share over
    1 - the shut shares, as Bayes has it (a record at 0.45 for each of two children, not the first,
    is 0.82 the second, not 0.45; hard-s10 victims 21,021 -> 20,803 for 20,830 when the guard's
    shares were simply dropped before). ``closed``: (record, person) pairs that may not be joined
    (_closed) but keep their share. Returns uid, other, p, dup (the chance the join stands on)."""
    out = {"uid": [], "other": [], "p": [], "dup": []}
    closed = closed or set()
    if not len(ranked):
        return pd.DataFrame(out)
    apart: dict[int, list[int]] = {}
    for x, y in zip(guard_a.tolist(), guard_b.tolist(), strict=True):
        apart.setdefault(x, []).append(y)
        apart.setdefault(y, []).append(x)
    uid, other = ranked["uid"].to_numpy(), ranked["other"].to_numpy()
    person, p = ranked["person"].to_numpy(), ranked["p"].to_numpy()
    starts = np.flatnonzero(np.r_[True, uid[1:] != uid[:-1]])  # rows of one record, likeliest first
    ends = np.r_[starts[1:], len(uid)]
    dup = ranked["dup"].to_numpy()[starts]
    told: dict[int, list[int]] = {}
    for x, y in refused:
        told.setdefault(int(x), []).append(int(y))
        told.setdefault(int(y), []).append(int(x))
    person_of: dict[int, int] = {}  # records joined so far: their person
    for i in np.argsort(-dup, kind="stable").tolist():
        x = int(uid[starts[i]])
        # not these: the persons of its own return's other rows (the within-return guard) and
        # those a reviewer said it is not; its chances are those given that (Bayes)
        no = {person_of.get(g, int(root[g])) for g in (*apart.get(x, ()), *told.get(x, ()))}
        rows = range(starts[i], ends[i])
        given = max(1.0 - float(sum(p[r] for r in rows if int(person[r]) in no)), 1e-12)
        rows = [r for r in rows if int(person[r]) not in no]
        chance = float(p[rows].sum()) / given if rows else 0.0
        rows = [r for r in rows if (x, int(person[r])) not in closed]
        if chance < threshold or not rows:
            continue
        person_of[x] = int(person[rows[0]])
        for k, v in (("uid", x), ("other", int(other[rows[0]])), ("p", float(p[rows[0]]) / given), ("dup", chance)):
            out[k].append(v)
    return pd.DataFrame(out)


def link_people(con: duckdb.DuckDBPyConnection, kind: str = "victims", config=None,
                overrides=None, engine: str | None = None) -> LinkResult:
    """Link the current records of ``kind`` into persons and write (replacing)
    ``{victim|offender}_links``, ``_persons`` and ``_conflicts``.

    ``overrides``: None = the store's own decisions (link_decisions) and an overrides file the
    config names (``overrides_file``); False = none; a path; or a
    list of Override / (record_id_a, record_id_b, "match"|"no-match").
    ``engine``: "duckdb" or "spark"; None = the config's ``engine.backend``."""
    with only_this_links_objects_collected():
        return _link_people(con, kind, config, overrides, engine)


def _link_people(con, kind, config, overrides, engine) -> LinkResult:
    """link_people's work."""
    cfg = _config(config, engine)
    t0 = time.perf_counter()
    run, roots, best, stats = _clusters(con, kind, cfg, overrides, cfg.threshold)
    sure = {k: stats.pop(k) for k in ("ambiguous_records", "persons_low", "persons_high")}
    pids = _person_ids(roots, run.record_ids, cfg.person_id_prefix[kind])
    links = pd.DataFrame({
        "record_id": pd.Series(run.record_ids, dtype=object),
        "person_id": pd.Series(pids, dtype=object),
        "match_probability": pd.Series([best.get(i) for i in range(len(pids))], dtype="float64"),
    })
    prior = run.prior if run.prior > 0 else None  # fewer than two records: nothing estimated
    # pairs a partial record joined by its fits, for `link explain` (record ids, no values)
    joined = [[run.record_ids[int(a)], run.record_ids[int(b)], round(float(p), 4), round(float(d), 4)]
              for a, b, p, d in run.joined or []]
    shifts = {int(g): round(float(v), 4) for g, v in enumerate(run.group_shifts)
              if round(float(v), 4)} if run.group_shifts is not None else {}
    counts = {"records": len(run.record_ids), "candidate_pairs": run.candidate_pairs,
              "pairs_above_threshold": int((run.edges["p"] >= cfg.threshold).sum()),
              "candidate_pairs_by_rule": run.pairs_by_rule}
    # Splink's engine holds every scored pair (gigabytes at a million records): let it go before
    # the store merges the persons, so the two do not add up. (Its objects are in reference
    # cycles: a collection, of the objects made since the link began: engine.only_this_links_...)
    del run
    gc.collect()
    k = KINDS[kind]
    con.register("_lk_links", links)
    try:
        with store.transaction(con):
            # record_id is the key: one person per record, which the tables rely on without re-checking.
            con.execute(f"CREATE OR REPLACE TABLE {k}_links (record_id VARCHAR PRIMARY KEY, person_id VARCHAR,"
                        " match_probability DOUBLE)")
            con.execute(f"INSERT INTO {k}_links SELECT record_id, person_id, CAST(match_probability AS DOUBLE)"
                        " FROM _lk_links ORDER BY record_id")
            conflicts = _merge_persons(con, kind, cfg)
            basis = con.execute(store.CURRENT_RETURNS_SQL).fetchone()[0]
            store.set_meta(con, store.links_basis_key(kind), basis)
            # read by the tables, for as long as the current returns are the ones linked
            store.set_meta(con, f"linkage_uncertainty:{kind}", json.dumps({**sure, "joined_by_fits": len(joined),
                                                                            "basis": basis}))
            # the prior the persons were found with, and the cut-offs, for `link explain` (its reasons)
            store.set_meta(con, f"linkage_prior:{kind}", json.dumps({"prior": prior, "group_shifts": shifts,
                                                                     "joined": joined, "basis": basis,
                                                                     "threshold": cfg.threshold,
                                                                     "cannot_link_below": cfg.cannot_link_below}))
    finally:
        con.unregister("_lk_links")
    result = LinkResult(kind=kind, persons=len(set(roots)), conflicts=conflicts,
                        seconds=round(time.perf_counter() - t0, 3), overrides=stats, **counts, **sure)
    log.info("%s: %d records -> %d persons (%d pairs >= %.2f, %d conflicts) in %.1fs", kind, result.records,
             result.persons, result.pairs_above_threshold, cfg.threshold, conflicts, result.seconds)
    return result

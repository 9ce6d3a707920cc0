"""Persons from scored pairs: union-find with cannot-link constraints, and person ids.

Separate because clustering is pure (indices and probabilities in, roots out) apart from
one follow-up query for pairs scored too low to share a person."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict

import numpy as np
import pandas as pd

from .model import _Run
from .overrides import MATCH, Override


class _Components:
    """Union-find over record indices with cannot-link constraints.

    Roots are always the smallest index of a component. A constrained union is refused when
    it would put two records that must stay apart into one component."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.cannot: dict[int, set[int]] = defaultdict(set)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def forbid(self, a: int, b: int) -> None:
        self.cannot[a].add(b)
        self.cannot[b].add(a)

    def blocked(self, ra: int, rb: int) -> bool:
        find = self.find
        return (any(find(x) == rb for x in self.cannot.get(ra, ()))
                or any(find(x) == ra for x in self.cannot.get(rb, ())))

    def union(self, a: int, b: int, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.blocked(ra, rb):
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if rb in self.cannot:
            self.cannot[ra] |= self.cannot.pop(rb)
        return True

    def roots(self) -> list[int]:
        # every record's root at once (pointer jumping: each step halves the paths), as find gives
        parent = np.asarray(self.parent, dtype=np.int64)
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                return parent.tolist()
            parent = up


def _cluster(n: int, edges: pd.DataFrame, threshold: float, record_ids: list[str],
             overrides: list[Override], apart: list[tuple[int, int]] = ()
             ) -> tuple[list[int], dict[int, float], dict[str, int]]:
    """Persons from scored pairs: connected components over pairs at or above the threshold,
    with forced matches joined first and "apart" pairs (forced no-matches, and pairs whose own
    score says they are different people) never put into one person, even through others.

    Edges are taken in descending probability (ties by ids), so when a record could join
    either of two people who must stay apart it joins the more likely one. Returns each
    record's root, each record's best edge probability within its person, and counts."""
    index = {rid: i for i, rid in enumerate(record_ids)} if overrides else {}  # (1M records: 0.4 s a call)
    stats = {"forced_match": 0, "forced_no_match": 0, "unknown_records": 0, "contradictions": 0}
    comp = _Components(n)
    forced = []
    for o in overrides:
        a, b = index.get(o.record_id_a), index.get(o.record_id_b)
        if a is None or b is None:
            stats["unknown_records"] += 1
        elif o.decision == MATCH:
            forced.append((min(a, b), max(a, b)))
            stats["forced_match"] += 1
        else:
            comp.forbid(a, b)
            stats["forced_no_match"] += 1
    for a, b in apart:
        comp.forbid(a, b)
    best: dict[int, float] = {}
    for a, b in sorted(forced):
        if comp.blocked(comp.find(a), comp.find(b)):
            stats["contradictions"] += 1
        comp.union(a, b, force=True)
        best[a] = best[b] = 1.0
    strong = edges[edges["p"] >= threshold]
    if len(strong):
        order = strong.sort_values(["p", "uid_l", "uid_r"], ascending=[False, True, True], kind="mergesort")
        for a, b, p in zip(order["uid_l"].tolist(), order["uid_r"].tolist(), order["p"].tolist(), strict=True):
            if comp.union(a, b):
                best.setdefault(a, p)
                best.setdefault(b, p)
    return comp.roots(), best, stats


def _apart_pairs(run: _Run, roots: list[int], below: float, shift: float = 0.0) -> list[tuple[int, int]]:
    """Scored pairs below ``below`` whose records nevertheless share a component. ``shift``:
    bits added to the stored match weights (a prior re-estimated after scoring)."""
    sizes: dict[int, int] = defaultdict(int)
    for r in roots:
        sizes[r] += 1
    members = [(i, r) for i, r in enumerate(roots) if sizes[r] > 1]
    if not members or run.api is None:
        return []
    cut = math.log2(below / (1 - below))
    comp = run.api.register(pd.DataFrame({"uid": [m[0] for m in members], "root": [m[1] for m in members]},
                                         dtype="int64"))
    low = run.api.query_sql(
        f"SELECT p.unique_id_l AS a, p.unique_id_r AS b FROM {run.predictions} p "
        f"JOIN {comp.physical_name} l ON l.uid = p.unique_id_l JOIN {comp.physical_name} r ON r.uid = p.unique_id_r "
        f"WHERE l.root = r.root AND p.match_weight + {float(shift)!r} < {float(cut)!r} ORDER BY a, b", "pandas")
    return list(zip(low["a"].tolist(), low["b"].tolist(), strict=True))


def _person_ids(roots: list[int], record_ids: list[str], prefix: str) -> list[str]:
    # record_ids are sorted, so a component's root (its smallest index) is its smallest record_id
    return [prefix + hashlib.sha1(record_ids[r].encode("utf-8")).hexdigest()[:10] for r in roots]


def _low_into(run: _Run, cand: pd.DataFrame, roots: list[int], below: float, shift: float = 0.0) -> pd.DataFrame:
    """The (uid, person) rows of ``cand`` (a record, a person it might join and that person's
    record it would join through: ``other``) where the record and another of the person's records
    score below ``below``: joining would put them in one person
    (link._assign then offers the record its next candidate). A pair among the kept edges counts
    with its kept score, as in link._apart; any other scored pair with its stored weight + shift."""
    out = pd.DataFrame({"uid": [], "person": []}, dtype="int64")
    if not len(cand):
        return out
    root = np.asarray(roots)
    cand = cand[["uid", "person", "other"]].drop_duplicates().astype("int64")
    wanted = np.isin(root, cand["person"].unique())
    members = pd.DataFrame({"y": np.flatnonzero(wanted), "person": root[wanted]}, dtype="int64")
    pairs = cand.merge(members, on="person")
    # the pair the join would raise (the record and the person's record it fits best) stands for
    # the join, as after it (link._apart reads its kept score): only the person's others count
    pairs = pairs[(pairs["uid"] != pairs["y"]) & (pairs["other"] != pairs["y"])]
    if not len(pairs):
        return out
    pairs["a"], pairs["b"] = np.minimum(pairs["uid"], pairs["y"]), np.maximum(pairs["uid"], pairs["y"])
    low = pd.DataFrame({"a": [], "b": []}, dtype="int64")
    if run.api is not None:
        cut = math.log2(below / (1 - below))
        reg = run.api.register(pairs[["a", "b"]].drop_duplicates().reset_index(drop=True))
        low = run.api.query_sql(
            f"SELECT p.unique_id_l AS a, p.unique_id_r AS b FROM {run.predictions} p JOIN {reg.physical_name} c "
            f"ON c.a = p.unique_id_l AND c.b = p.unique_id_r "
            f"WHERE p.match_weight + {float(shift)!r} < {float(cut)!r}", "pandas").astype("int64")
    e = run.edges
    if len(e):  # the kept edges' own scores decide their pairs
        kept = e.loc[~e["guard"].astype(bool), ["uid_l", "uid_r", "p"]].rename(columns={"uid_l": "a", "uid_r": "b"})
        low = low.merge(kept[["a", "b"]], on=["a", "b"], how="left", indicator=True)
        low = pd.concat([low.loc[low["_merge"] == "left_only", ["a", "b"]],
                         kept.loc[kept["p"] < below, ["a", "b"]]]).astype("int64")
    hit = pairs.merge(low.drop_duplicates(), on=["a", "b"])
    return hit[["uid", "person"]].drop_duplicates().reset_index(drop=True)

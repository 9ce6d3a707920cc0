"""Why `link explain`'s pair is stored as one person or as different people, when its own score
alone does not say so: a reviewer's decision, the within-return guard, cannot_link_below, a join
by fits, a link through other records, or a partial record joining only its best match's person.

Separate from explain.py, which scores the pair: this reads what the store holds after a link
(the links, the reviewed decisions, the joins by fits in store_meta) and scores only the records
of the two persons, never the whole store again. Record ids only: no names, no dates of birth."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .. import store
from .decisions import stored_decisions
from .errors import LinkageConfigError
from .model import PRIOR_SLACK, _partial
from .overrides import MATCH, _carry_over, _resolve_overrides
from .settings import KINDS

# the reason codes (docs: README, `link explain`); None: the pair's own score says it
REASONS = {
    "reviewer_match": "a reviewer said these two records are one person",
    "reviewer_no_match": "a reviewer said these two records are not one person",
    "reviewer_match_via": "a reviewer's match joins them through other records of the person",
    "reviewer_no_match_via": "a reviewer said a record of one person is not a record of the other",
    "within_return": "two rows of one return without strong evidence are never one child",
    "within_return_via": "joining them would make two rows of one return one child",
    "cannot_link_below": "joining them would put two records scored below cannot_link_below in one person",
    "joined_by_fits": "a partial record joined its likeliest person by its fits",
    "joined_by_fits_via": "a partial record joined the person by its fits, through another record",
    "linked_through_others": "each is linked to other records of the person",
    "partial_best_only": "a partial record joins only the person of its best match",
    "never_compared": "no blocking rule pairs them: the run never scored this pair",
    "links_stale": "the returns changed since the last link",
    "minimised": "names and dates of birth were removed after the link: the scores differ from the link's",
    "not_linked": "no stored links",
    "decision_not_applied": "a reviewer's decision on the pair is not in the stored persons",
    "not_recorded": "the store does not hold the reason",
}
MAX_PAIRS = 40_000  # records of the two persons scored against each other (a person of 200 records)


@dataclass
class Why:
    reason: str | None  # a REASONS code; None when the pair's own score decides it
    text: str = ""  # a plain-English sentence (record ids, no values)
    records: list[str] = field(default_factory=list)  # the other records the reason names


@dataclass
class _Pair:
    """What explain worked out for the pair, and how to score more pairs the same way."""

    con: duckdb.DuckDBPyConnection
    kind: str
    cfg: object
    record_ids: list[str]
    a: int
    b: int
    p: float  # the pair's probability as the run scored it (0 when the guard holds it apart)
    raw_p: float  # the same without the within-return guard
    held: bool
    candidate: bool
    same: bool | None
    joined: list  # (record id, record id, this one, anyone counted) from store_meta
    joined_recorded: bool  # store_meta says which pairs were joined by fits (a store linked since session 5)
    kinds: object  # groups.record_kinds per record
    score: Callable[[list[int], list[int]], pd.DataFrame]  # explain._score_pairs


def stored_reason(pair: _Pair) -> Why:
    """The reason the stored outcome is what it is, when the pair's own score does not say it."""
    cfg, ids = pair.cfg, pair.record_ids
    ra, rb = ids[pair.a], ids[pair.b]
    linked = _linked_on(pair.con, pair.kind)
    if linked is None or (pair.same is None and linked):
        return Why("not_linked", "these records have no stored person: run `cse-audit link run`")
    if not linked:
        return Why("links_stale", "the current returns are not the ones the stored persons were linked from "
                                  "(a return added, replaced or withdrawn since): run `cse-audit link run`")
    decisions = _decisions(pair)
    said = decisions.get(tuple(sorted((ra, rb))))
    if said == MATCH and pair.same:
        return Why("reviewer_match", f"a reviewer decided that {ra} and {rb} are one person (`link apply` or the "
                                     "overrides file): they are, whatever their score")
    if said is not None and said != MATCH and not pair.same:
        return Why("reviewer_no_match", f"a reviewer decided that {ra} and {rb} are not one person (`link apply` "
                                        "or the overrides file): they are kept apart, whatever their score")
    if said is not None:
        return Why("decision_not_applied", f"a reviewer decided that {ra} and {rb} are {'' if said == MATCH else 'not '}"
                                           "one person, but the stored persons do not follow it: the decision was "
                                           "recorded after the last link (run `cse-audit link run`), or it "
                                           "contradicts another decision")
    own = pair.p >= cfg.threshold and pair.candidate
    if store.is_minimised(pair.con) and pair.same != own:
        return Why("minimised", "names and dates of birth were removed after the link (`cse-audit minimise`): "
                                "the scores here are not those the persons were found with")
    if pair.same and not own:
        return _why_together(pair, decisions)
    if not pair.same and pair.held and pair.raw_p >= cfg.threshold:
        return Why("within_return", f"{ra} and {rb} are {_rows(pair.kind)} without strong evidence that they are "
                                    f"one {_one(pair.kind)} (both fully named, a shared reference, or one date of birth "
                                    f"with a name on both): held apart, although they score {pair.raw_p:.2f} otherwise")
    if not pair.same and pair.raw_p >= cfg.threshold and not pair.candidate:
        return Why("never_compared", f"no blocking rule pairs {ra} and {rb}, so the run never scored them: their "
                                     f"score of {pair.raw_p:.2f} here took no part in the persons")
    if not pair.same and own:
        return _why_apart(pair, decisions)
    return Why(None)


def _linked_on(con, kind: str) -> bool | None:
    """None: never linked; False: linked, but on other returns than the current ones."""
    try:
        stored = store.get_meta(con, store.links_basis_key(kind))
        return None if stored is None else stored == con.execute(store.CURRENT_RETURNS_SQL).fetchone()[0]
    except duckdb.Error:
        return None


def _decisions(pair: _Pair) -> dict[tuple[str, str], str]:
    """The reviewed decisions a link obeys (the store's, and the overrides file's), carried over to
    resubmitted returns as the link carries them: pair -> match / no-match."""
    try:
        got = _resolve_overrides(None, pair.cfg, pair.kind, pair.con)
    except LinkageConfigError:  # the overrides file named is gone: the store's own decisions
        got = stored_decisions(pair.con, pair.kind)
    got, _ = _carry_over(pair.con, pair.kind, got, set(pair.record_ids))
    return {o.pair: o.decision for o in got}


def _members(pair: _Pair) -> dict[int, tuple[str, float | None]]:
    """The records of the two persons: index -> (person id, stored match probability)."""
    k = KINDS[pair.kind]
    rows = pair.con.execute(
        f"SELECT record_id, person_id, match_probability FROM {k}_links WHERE person_id IN "
        f"(SELECT person_id FROM {k}_links WHERE record_id IN (?, ?))",
        [pair.record_ids[pair.a], pair.record_ids[pair.b]]).fetchall()
    index = {rid: i for i, rid in enumerate(pair.record_ids)}
    return {index[r]: (p, m) for r, p, m in rows if r in index}


def _why_together(pair: _Pair, decisions: dict) -> Why:
    """One person although the pair's own score is below the threshold: the path that joins them,
    each step a score at or above the threshold, a join by fits, or a reviewer's match."""
    ids, a, b = pair.record_ids, pair.a, pair.b
    ra, rb = ids[a], ids[b]
    key = tuple(sorted((ra, rb)))
    head = (f"the pair scores {pair.p:.2f}, below the threshold" if pair.candidate else
            "no blocking rule pairs them, so the run never scored this pair")
    for x, y, this, anyone in pair.joined:
        if tuple(sorted((x, y))) == key:
            chance = f"chance {anyone:.2f} that it is one of the named people it fits, " if anyone is not None else ""
            return Why("joined_by_fits", f"{head}, but the record without a "
                                         "full name was joined to this person by its fits (initials, sex, age, area): "
                                         f"{chance}{this:.2f} that it is this one, the likeliest it can be")
    person = _members(pair)
    members = [i for i, (pid, _) in person.items() if pid == person[a][0]]
    if len(members) ** 2 > MAX_PAIRS:
        return Why("linked_through_others", f"{head}; they are one person "
                                            f"through others of its {len(members)} records (too many to trace here)")
    steps = _steps(pair, members, decisions)
    for code, allowed in (("linked_through_others", {"score"}), ("joined_by_fits_via", {"score", "fits"}),
                          ("reviewer_match_via", {"score", "fits", "reviewer"})):
        path = _path(steps, a, b, allowed)
        if path:
            return Why(code, _path_text(ids, head, path, code), [ids[i] for i, _ in path[1:-1]])
    if not pair.joined_recorded:
        return Why("not_recorded", f"{head}, and no chain of links joins them: the store was linked before "
                                   "joins by fits were recorded (run `cse-audit link run`)")
    return Why("not_recorded", f"{head}, and the store holds no chain of links that joins them")


def _steps(pair: _Pair, members: list[int], decisions: dict) -> dict[int, list[tuple[int, str]]]:
    """The links between a person's records: scored at or above the threshold, joined by fits,
    or a reviewer's match."""
    index = {pair.record_ids[i]: i for i in members}
    out: dict[int, list[tuple[int, str]]] = {i: [] for i in members}

    def add(x, y, how):
        out[x].append((y, how))
        out[y].append((x, how))

    s = pair.score(members, members)
    for x, y in zip(s.loc[s["strong"], "uid_l"].tolist(), s.loc[s["strong"], "uid_r"].tolist(), strict=True):
        add(x, y, "score")
    for j in pair.joined:
        if j[0] in index and j[1] in index:
            add(index[j[0]], index[j[1]], "fits")
    for (x, y), d in decisions.items():
        if d == MATCH and x in index and y in index:
            add(index[x], index[y], "reviewer")
    return out


def _path(steps: dict, a: int, b: int, allowed: set[str]) -> list[tuple[int, str]] | None:
    """The shortest path a -> b over links of the allowed kinds: [(record, how it was reached)]."""
    came: dict[int, tuple[int, str]] = {a: (-1, "")}
    todo = deque([a])
    while todo:
        x = todo.popleft()
        if x == b:
            path = [(b, came[b][1])]
            while path[-1][0] != a:
                prev = came[path[-1][0]][0]
                path.append((prev, came[prev][1]))
            return path[::-1]
        for y, how in sorted(steps.get(x, ())):
            if how in allowed and y not in came:
                came[y] = (x, how)
                todo.append(y)
    return None


_HOW = {"score": "scores at or above the threshold with", "fits": "was joined by its fits to",
        "reviewer": "is a reviewer's match with"}


def _path_text(ids: list[str], head: str, path: list[tuple[int, str]], code: str) -> str:
    chain = "; ".join(f"{ids[path[i][0]]} {_HOW[path[i + 1][1]]} {ids[path[i + 1][0]]}" for i in range(len(path) - 1))
    how = {"linked_through_others": "both are linked to other records of the person",
            "joined_by_fits_via": "a record without a full name joined the person by its fits",
            "reviewer_match_via": "a reviewer's match joins them"}[code]
    return f"{head}, but {how}: {chain}"


def _why_apart(pair: _Pair, decisions: dict) -> Why:
    """Different people although the pair scores at or above the threshold: joining them would put
    together what must stay apart (a reviewer's no-match, the within-return guard, a pair below
    cannot_link_below), or a partial record joined only its best match's person."""
    ids, a, b, cfg = pair.record_ids, pair.a, pair.b, pair.cfg
    ra, rb = ids[a], ids[b]
    members = _members(pair)
    side_a = [i for i, (pid, _) in members.items() if pid == members[a][0]]
    side_b = [i for i, (pid, _) in members.items() if pid == members[b][0]]
    head = f"the pair scores {pair.p:.2f}, at or above the threshold, but"
    index = {ids[i]: i for i in members}
    for (x, y), d in sorted(decisions.items()):
        ends = {members[index[r]][0] for r in (x, y) if r in index}
        if d != MATCH and len(ends) == 2:
            x, y = (x, y) if members[index[x]][0] == members[a][0] else (y, x)
            return Why("reviewer_no_match_via", f"{head} a reviewer decided that {x} (with {ra}) and {y} (with {rb}) "
                                                f"are not one person: joining {ra} and {rb} would make them one",
                       [r for r in (x, y) if r not in (ra, rb)])
    if len(side_a) * len(side_b) > MAX_PAIRS:
        return Why("not_recorded", f"{head} their persons are too large ({len(side_a)} and {len(side_b)} records) "
                                   "to trace here")
    s = pair.score(side_a, side_b)
    s = s[s["uid_l"].isin(side_a) & s["uid_r"].isin(side_b) | s["uid_l"].isin(side_b) & s["uid_r"].isin(side_a)]
    guard = s[s["found"] & s["guard"] & s["kept"]]
    if len(guard):
        x, y = int(guard["uid_l"].iloc[0]), int(guard["uid_r"].iloc[0])
        return Why("within_return_via", f"{head} {ids[x]} and {ids[y]}, one in each person, are {_rows(pair.kind)} "
                                        f"without strong evidence that they are one {_one(pair.kind)}: joining the "
                                        "two persons would make them one", _others(ids, (x, y), (ra, rb)))
    partial = _partial(pair.kinds)
    for x in (a, b):  # its best match is in its own person: the other's was never offered
        best = members[x][1]
        if partial[x] and best is not None and best >= pair.p - 1e-9 and len(side_a if x == a else side_b) > 1:
            return Why("partial_best_only", f"{head} {ids[x]} lacks a full name or a birth known to within a year: it joins "
                                            "only the person of its best match (at least as likely, in its own "
                                            "person), never bridging two people who share what it has")
    low = s[s["found"] & s["low"]]
    if len(low):
        x, y = int(low["uid_l"].iloc[0]), int(low["uid_r"].iloc[0])
        return Why("cannot_link_below", f"{head} {ids[x]} and {ids[y]}, one in each person, score "
                                        f"{float(low['p'].iloc[0]):.3f}, below cannot_link_below "
                                        f"({cfg.cannot_link_below}): joining the two persons would make them one",
                   _others(ids, (x, y), (ra, rb)))
    for x in (a, b):
        if partial[x]:
            return Why("partial_best_only", f"{head} {ids[x]} lacks a full name or a birth known to within a year: it joins "
                                            "only the person of its best match, never bridging two people who "
                                            "share what it has")
    return Why("not_recorded", f"{head} the store does not hold why the link kept them apart")


def _rows(kind: str) -> str:
    """What the within-return guard holds apart (rules.guard_sql): offenders only within one case."""
    return "two rows of one case of a return" if kind == "offenders" else "two rows of one return"


def _one(kind: str) -> str:
    return "man or woman" if kind == "offenders" else "child"


def _others(ids: list[str], pair: tuple[int, int], named: tuple[str, str]) -> list[str]:
    return [ids[i] for i in pair if ids[i] not in named]


def low_and_kept(m, p, guard, joined, cfg, s_bits: float):
    """Per scored pair (Splink's weight m at the stated prior, p as the run scored it): kept among
    the run's edges (model._run keeps pairs PRIOR_SLACK bits below the threshold), and below
    cannot_link_below as link._apart reads it: a kept pair by its own p, any other by m plus the
    prior's shift ``s_bits``; a pair joined by fits was raised and is never low."""
    kept = m >= _logit2(cfg.threshold) - PRIOR_SLACK
    below = cfg.cannot_link_below or 0.0
    if not below:
        return kept, kept & False
    low = ((kept & ~guard) & (p < below)) | (~(kept & ~guard) & (m + s_bits < _logit2(below)))
    return kept, low & ~joined


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))

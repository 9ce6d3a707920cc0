"""The offender groups table: cases joined by shared linked offenders, as connected components.

Separate because it is graph work (union-find, and a vectorised numpy version for the store's
case <-> person graph), unlike the category counts of headline.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .counting import _band, _n, _rows
from .definitions import ETHNICITY, MIXED_GROUP, UNKNOWN
from .relations import _Context, _sub, _table


def offender_group_components(edges: Iterable[tuple[Any, Any]]) -> list[set]:
    """Offender sets of the connected components of a case <-> offender-person graph.

    `edges` are (case key, person id) pairs; cases sharing a person fall into one component.
    """
    parent: dict[Any, Any] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for case, person in edges:
        a, b = find(("case", case)), find(("person", person))
        if a != b:
            parent[a] = b
    members: dict[Any, set] = defaultdict(set)
    for node in list(parent):
        if node[0] == "person":
            members[find(node)].add(node[1])
    return sorted(members.values(), key=lambda s: sorted(map(str, s)))


def _component_labels(u, v, n: int):
    """Connected components of the graph on nodes 0..n-1 with edges (u[i], v[i]) (numpy integer
    arrays): a numpy array giving each node the smallest node of its component. Hooking and pointer
    jumping, vectorised: each pass hooks every root to the smallest root across its edges, then
    flattens the trees, until no edge joins two components."""
    import numpy as np

    parent = np.arange(n, dtype=np.int64)
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            return parent
        np.minimum.at(parent, np.maximum(pu, pv)[differ], np.minimum(pu, pv)[differ])
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up


def _offender_groups(ctx: _Context) -> dict:
    import numpy as np

    o = ctx.offenders
    no_case, case_idx, person_idx, person_eth = o.case_graph()
    bands = ctx.config["group_size_bands"]
    labels = [b["label"] for b in bands]
    sizes: dict[str, int] = defaultdict(int)
    outside = 0
    eth_order = [f"All {c}" for c in ETHNICITY if c != UNKNOWN] + [MIXED_GROUP, UNKNOWN]
    known_cats = [c for c in ETHNICITY if c != UNKNOWN]
    eth: dict[str, int] = defaultdict(int)
    n_groups = in_groups = 0
    if len(case_idx):
        n_cases, n_people = int(case_idx.max()) + 1, int(person_idx.max()) + 1
        label = _component_labels(case_idx, person_idx + n_cases, n_cases + n_people)
        component = np.empty(n_people, dtype=np.int64)      # each person's component
        component[person_idx] = label[person_idx + n_cases]
        category = np.empty(n_people, dtype=np.int64)       # index in known_cats, -1 for Unknown
        category[person_idx] = person_eth
        size = np.bincount(component, minlength=n_cases + n_people)
        known = category >= 0
        bits = np.zeros(n_cases + n_people, dtype=np.int64)  # known categories among the members
        np.bitwise_or.at(bits, component[known], np.left_shift(1, category[known]))
        groups = np.flatnonzero(size >= 2)
        n_groups, in_groups = len(groups), int(size[groups].sum())
        for value, count in zip(*np.unique(size[groups], return_counts=True), strict=True):
            label_ = _band(int(value), bands)
            if label_ is None:
                outside += int(count)
            else:
                sizes[label_] += int(count)
        for value, count in zip(*np.unique(bits[groups], return_counts=True), strict=True):
            value = int(value)
            key = UNKNOWN if not value else (
                f"All {known_cats[value.bit_length() - 1]}" if value & (value - 1) == 0 else MIXED_GROUP)
            eth[key] += int(count)
    rows, _ = _rows(sizes, labels, unknown=None, base=n_groups)
    eth_rows, _ = _rows(eth, eth_order, base=n_groups)
    note = ctx.note(
        "A group is a case, or a set of cases joined by shared linked offenders (connected components of "
        "the case-offender graph; a case is a (return, case reference) pair), with two or more distinct "
        "offenders after linkage. Each offender counts once per group.",
        "The total is the number of groups; offenders_in_groups (JSON) counts their distinct members.",
        "Ethnicity rule: a group is 'All <category>' when every member with a known ethnicity is in that "
        f"category, '{MIXED_GROUP}' when known members are in two or more categories, and Unknown when no "
        "member's ethnicity is known; so an 'All' or mixed group may also have members of unknown ethnicity.",
        f"{_n(no_case)} offender record(s) with no case reference are in no group." if no_case else "",
        f"{_n(outside)} group(s) are outside the size bands." if outside else "",
        o.linkage_note(), kinds=("offenders",))
    return _table(ctx, "Offender groups", "offender_groups", rows, n_groups, note,
                  offenders_in_groups=in_groups,
                  ethnicity=_sub("Offender groups by members' ethnicity", eth_rows, n_groups, None))


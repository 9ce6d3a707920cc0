"""Review of session 10 (link._join_fitting by the chance of being anyone counted, link._assign):
made-up runs with no store (test_review5._clusters_on)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cse_audit.linkage import link

from .test_linkage_unresolved import _fit_edges, _population
from .test_review5 import _clusters_on, _edges, _logit2


def _dense_mixed(seed: int):
    """The unresolved tests' dense population (20,000 named children in 20 areas, 1,500 partial
    duplicates, 500 partial children of their own, every partial ~ named pair at 0.1), made
    harder: 300 named records lose their birth (kind 3: full name, nothing to date a birth,
    so partial in model._partial), 600 strong pairs join named records into persons of two or
    more, and 300 partial records get a strong pair to a named record that a reviewer refused."""
    rng = np.random.default_rng(seed)
    fit, kinds, _, _ = _population(rng, 20000, 1500, 500, regions=20)
    edges = _fit_edges(fit, kinds)
    named = np.flatnonzero(kinds == 0)
    part = np.flatnonzero(kinds == 6)
    no_birth = rng.choice(named, 300, replace=False)
    kinds = kinds.copy()
    kinds[no_birth] = 3
    fit.loc[no_birth, ["lo", "hi"]] = np.nan
    a, b = rng.choice(named, 600), rng.choice(named, 600)
    ok = a != b
    strong = _edges(list(zip(a[ok].tolist(), b[ok].tolist(), strict=True)), rng.uniform(0.55, 0.99, int(ok.sum())))
    x, y = rng.choice(part, 300, replace=False), rng.choice(named, 300)
    refused = _edges(list(zip(x.tolist(), y.tolist(), strict=True)), rng.uniform(0.6, 0.99, 300))
    edges = pd.concat([edges, strong, refused], ignore_index=True)
    edges["w"] = [_logit2(min(max(v, 1e-9), 1 - 1e-9)) for v in edges["p"]]
    edges = edges.drop_duplicates(["uid_l", "uid_r"], keep="last").reset_index(drop=True)
    overrides = [(f"r{i:06d}", f"r{j:06d}", "no-match") for i, j in zip(x.tolist(), y.tolist(), strict=True)]
    return fit, kinds, edges, overrides


@pytest.mark.parametrize("seed", [3, 4])
def test_joins_by_fits_never_make_one_person_of_two_named_persons(monkeypatch, seed):
    """A record joined by its fits adds itself to one named person: the named records of two
    persons before the joins are never one person after them (through the joined record, a
    named record with no birth that now follows it, or a refused pair)."""
    fit, kinds, edges, overrides = _dense_mixed(seed)
    monkeypatch.setattr(link, "_join_fitting", lambda *a, **k: 0)
    _, before, _ = _clusters_on(monkeypatch, fit, kinds, edges.copy(), overrides)
    monkeypatch.undo()
    run, after, _ = _clusters_on(monkeypatch, fit, kinds, edges.copy(), overrides)
    assert len(run.joined) > 300  # the joins happened
    named = kinds < 4
    pairs = pd.DataFrame({"before": before[named], "after": after[named]}).drop_duplicates()
    merged = pairs[pairs["after"].duplicated(keep=False)]
    assert merged.empty, merged.sort_values("after").head(10)
    split = pairs[pairs["before"].duplicated(keep=False)]
    assert split.empty, split.sort_values("before").head(10)
    # and a reviewer's no-match is obeyed
    index = {f"r{i:06d}": i for i in range(len(fit))}
    together = [(a, b) for a, b, _ in overrides if after[index[a]] == after[index[b]]]
    assert not together, together[:5]


def test_link_explain_says_both_chances_of_a_joined_pair_and_makes_none_up(tmp_path):
    """`link explain` on a pair joined by its fits: the chance that the record is anyone counted
    and that it is this one; a store linked before session 10 kept only the second, and the
    first was shown as equal to it (a number no run computed)."""
    import json

    from click.testing import CliRunner

    from cse_audit import linkage, store
    from cse_audit.cli import cli

    from .test_linkage import build_store

    path = tmp_path / "s.duckdb"
    con, ids, _ = build_store(path)
    linkage.link_people(con, "victims")
    meta = json.loads(store.get_meta(con, "linkage_prior:victims"))

    con.close()

    def explain(joined):
        c = store.connect(path)
        store.set_meta(c, "linkage_prior:victims", json.dumps({**meta, "joined": joined}))
        c.close()
        out = CliRunner().invoke(cli, ["link", "explain", ids["kj3"], ids["kj1"], "--db", str(path)])
        assert out.exit_code == 0, out.output
        return next(line for line in out.output.splitlines() if line.startswith("joined by its fits"))

    now = explain([[ids["kj1"], ids["kj3"], 0.31, 0.74]])
    assert "chance 0.74 that it is one of them, 0.31 that it is this one" in now, now
    old = explain([[ids["kj1"], ids["kj3"], 0.81]])
    assert "one of them" not in old and "chance 0.81 that it is this one" in old, old

"""Why two records are (not) one person: each comparison's level and match weight.

Separate because it scores one pair on its own (Splink's score_pair), outside a run."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from .. import store
from . import why
from .engine import _splink_engine, _store_encrypted
from .errors import LinkageError
from .features import _features, has_aliases
from .groups import kind_label, pair_groups, record_kinds
from .model import _build_model, _UCache
from .rules import GUARD_SQL, guard_sql, pair_rules
from .settings import KINDS, _config


@dataclass
class Explanation:
    record_id_a: str
    record_id_b: str
    prior_match_weight: float
    comparisons: list[dict[str, Any]]  # comparison, level, match_weight, bayes_factor (+ values)
    match_weight: float
    match_probability: float
    candidate_pair: bool  # found by a blocking rule (else never scored in a run)
    same_person: bool | None  # per the stored links, if any
    prior_group: str = ""  # what the two records carry (the prior is learnt per such group)
    prior_group_shift: float = 0.0  # bits the data added to the prior for this group
    prior_from_data: bool = False  # the prior the last `link run` estimated (else the stated one)
    # two rows of one return without strong evidence (full names, a shared reference, or one dob
    # with a name on both): never one person whatever the weights (match_probability is then 0)
    held_apart_within_return: bool = False
    # the last `link run` joined this pair's partial record to the other's person by its fits
    # (it fits few named people where chance gives it fewer): the chance that it is this one,
    # else None; and the chance that it is any of the named people it fits (the join's reason;
    # None from a store linked before session 10, which did not keep it)
    joined_by_fits: float | None = None
    joined_any: float | None = None
    # why the stored outcome is what it is when the pair's own score does not say it (why.REASONS;
    # None: the score at or above the threshold, so one person, or below it, so different people),
    # a sentence saying it (record ids, never values), and the other records it names
    reason: str | None = None
    reason_text: str = ""
    reason_records: list[str] = field(default_factory=list)


def explain(con, kind: str, record_id_a: str, record_id_b: str, config=None,
            show_values: bool = False) -> Explanation:
    """Why two records are (not) one person: each comparison's level and match weight
    (log2 Bayes factor, term-frequency adjustment included) and the final probability.
    Compared values (names, dates) are included only with ``show_values``."""
    cfg = _config(config)
    features, record_ids = _features(con, kind, cfg)
    index = {rid: i for i, rid in enumerate(record_ids)}
    for rid in (record_id_a, record_id_b):
        if rid not in index:
            other = "offenders" if kind == "victims" else "victims"
            raise LinkageError(f"no current {kind} record with record_id {rid!r} (record ids are "
                               f"agency:return:sheet:row, as `cse-audit link export --kind {kind}` and `link review` "
                               f"list them; for {other}, --kind {other})")
    from splink import Linker

    api, records = _splink_engine(features, cfg, _store_encrypted(con))
    model = _build_model(api, records, cfg, len(record_ids), u_cache=_UCache(con, kind, features),
                         aliases=has_aliases(features))
    # "found by blocking rules" on the records as they are (rules.pair_rules)
    model["blocking_rules_to_generate_predictions"] = pair_rules(cfg.blocking_rules, cfg.spans_forces,
                                                                 api.sql_dialect.sql_dialect_str)
    model["retain_matching_columns"] = True
    model["retain_intermediate_calculation_columns"] = True
    linker = Linker(records, model, log_level=None)
    rows = features.to_pylist()
    a, b = index[record_id_a], index[record_id_b]  # values come back in the order asked
    scored = linker.inference.score_pair(rows[a], rows[b], include_found_by_blocking_rules=True)
    out = scored.as_pandas_dataframe().iloc[0].to_dict()
    comps = []
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        gamma = int(out[f"gamma_{name}"])
        levels = comp["comparison_levels"]
        # gamma counts down from the first non-null level; -1 is the null level
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        label = "null" if gamma == -1 else non_null[len(non_null) - 1 - gamma]["label_for_charts"]
        mw = float(out.get(f"mw_{name}", 0.0) or 0.0) + float(out.get(f"mw_tf_adj_{name}", 0.0) or 0.0)
        entry = {"comparison": name, "level": label, "match_weight": round(mw, 4),
                 "bayes_factor": round(2 ** mw, 6)}
        if show_values:
            entry["values"] = {c[:-2]: (out[c], out[c[:-2] + "_r"]) for c in out
                               if c.endswith("_l") and c[:-2] + "_r" in out and not c.startswith(("tf_", "unique"))
                               and _belongs(c[:-2], name)}
        comps.append(entry)
    same = None
    k = KINDS[kind]
    try:
        got = dict(con.execute(f"SELECT record_id, person_id FROM {k}_links WHERE record_id IN (?, ?)",
                               [record_id_a, record_id_b]).fetchall())
        if len(got) == 2:
            same = got[record_id_a] == got[record_id_b]
    except duckdb.CatalogException:
        pass
    stated = float(model["probability_two_random_records_match"])
    from_data = cfg.prior_from_data and cfg.probability_two_random_records_match is None
    prior, shift, joined = _prior_used(con, kind, stated)
    shifts = shift
    if not from_data:  # the stated prior, as the run used
        prior, shift = stated, {}
    kinds = record_kinds(features)
    group = f"{kind_label(int(kinds[a]))} ~ {kind_label(int(kinds[b]))}"
    g = int(pair_groups(kinds, [a], [b])[0])
    shift = float(shift.get(str(g), 0.0))
    weight = float(out["match_weight"]) - _logit2(stated) + _logit2(prior) + shift
    rec = records.physical_name
    held = bool(api.query_sql(f"SELECT {guard_sql(kind)} AS g FROM {rec} l, {rec} r "
                              f"WHERE l.unique_id = {int(a)} AND r.unique_id = {int(b)}", "pandas")["g"].iloc[0])
    e = Explanation(record_id_a, record_id_b, round(_logit2(prior) + shift, 4), comps,
                    round(weight, 4), 0.0 if held else 1.0 / (1.0 + 2.0 ** -weight),
                    bool(out.get("found_by_blocking_rules", False)), same, group, round(shift, 4),
                    prior != stated or bool(shift), held,
                    *joined.get((record_id_a, record_id_b), joined.get((record_id_b, record_id_a), (None, None))))
    used, recorded = _linked_with(con, kind, cfg)
    score = _pair_scorer(linker, api, rec, rows, record_ids, kinds, used, stated, prior,
                         shifts if from_data else {}, joined, guard_sql(kind))
    got = why.stored_reason(why._Pair(
        con, kind, used, record_ids, a, b, e.match_probability, 1.0 / (1.0 + 2.0 ** -weight), held, e.candidate_pair,
        same, [(x, y, *c) for (x, y), c in joined.items()], recorded, kinds, score))
    return replace(e, reason=got.reason, reason_text=got.text, reason_records=got.records)


def _pair_scorer(linker, api, rec: str, rows, record_ids, kinds, cfg, stated: float, prior: float,
                 shifts: dict, joined: dict, guard: str = GUARD_SQL):
    """Score pairs of records as the last run did (its prior and each group's shift; the
    within-return guard; kept among its edges; below cannot_link_below as link._apart reads it):
    the cartesian product of two lists of record indices, each pair once (uid_l < uid_r)."""
    pairs = {tuple(sorted(k)) for k in joined}
    s_bits = _logit2(prior) - _logit2(stated)

    def score(left: list[int], right: list[int]) -> pd.DataFrame:
        got = linker.inference.score_pairs([rows[i] for i in left], [rows[i] for i in right],
                                           include_found_by_blocking_rules=True).as_pandas_dataframe()
        x, y = got["unique_id_l"].astype("int64").to_numpy(), got["unique_id_r"].astype("int64").to_numpy()
        out = pd.DataFrame({"uid_l": np.minimum(x, y), "uid_r": np.maximum(x, y),
                            "m": got["match_weight"].astype(float).to_numpy(),
                            "found": got["found_by_blocking_rules"].astype(bool).to_numpy()})
        out = out[out["uid_l"] != out["uid_r"]].drop_duplicates(["uid_l", "uid_r"]).reset_index(drop=True)
        if not len(out):
            return out.assign(guard=False, p=0.0, strong=False, kept=False, low=False)
        reg = api.register(out[["uid_l", "uid_r"]])
        g = api.query_sql(f"SELECT c.uid_l, c.uid_r, {guard} AS guard FROM {reg.physical_name} c "
                          f"JOIN {rec} l ON l.unique_id = c.uid_l JOIN {rec} r ON r.unique_id = c.uid_r", "pandas")
        out = out.merge(g.astype({"uid_l": "int64", "uid_r": "int64"}), on=["uid_l", "uid_r"], how="left")
        out["guard"] = out["guard"].fillna(False).astype(bool)
        group = pair_groups(kinds, out["uid_l"].to_numpy(), out["uid_r"].to_numpy())
        w = out["m"].to_numpy() + s_bits + np.array([float(shifts.get(str(int(v)), 0.0)) for v in group])
        out["p"] = 1.0 / (1.0 + np.exp2(-w))
        fits = np.array([(record_ids[u], record_ids[v]) in pairs
                         for u, v in zip(out["uid_l"].tolist(), out["uid_r"].tolist(), strict=True)], bool)
        out["kept"], out["low"] = why.low_and_kept(out["m"].to_numpy(), out["p"].to_numpy(),
                                                   out["guard"].to_numpy(), fits, cfg, s_bits)
        out["strong"] = out["found"] & ~out["guard"] & (out["p"] >= cfg.threshold)
        return out

    return score


def _linked_with(con, kind: str, cfg):
    """The settings the last link used where they decide a reason (its threshold and
    cannot_link_below, kept in store_meta since session 12; else the configuration's), and
    whether the store says which pairs it joined by fits (store_meta, since session 5)."""
    try:
        got = json.loads(store.get_meta(con, f"linkage_prior:{kind}") or "null")
    except (duckdb.Error, ValueError):
        got = None
    got = got if isinstance(got, dict) else {}
    used = replace(cfg, **{k: got[k] for k in ("threshold", "cannot_link_below") if k in got})
    return used, "joined" in got


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def _prior_used(con, kind: str, stated: float) -> tuple[float, dict, dict]:
    """The prior (and per-group shifts, in bits) the last `link run` estimated from the data,
    and the pairs it joined by their fits, while the returns it linked are the current ones;
    else the stated prior."""
    try:
        got = json.loads(store.get_meta(con, f"linkage_prior:{kind}") or "null")
        basis = con.execute(store.CURRENT_RETURNS_SQL).fetchone()[0]
    except (duckdb.Error, ValueError):
        return stated, {}, {}
    if not isinstance(got, dict) or got.get("basis") != basis or not got.get("prior"):
        return stated, {}, {}
    # (a, b, this one, anyone counted); a store linked before session 10 kept (a, b, this one): its
    # chance of being anyone counted is not known (at least this one's), so None, not this one's
    joined = {(str(j[0]), str(j[1])): (float(j[2]), float(j[3]) if len(j) > 3 else None)
              for j in (got.get("joined") or [])}
    return float(got["prior"]), {str(k): v for k, v in (got.get("group_shifts") or {}).items()}, joined


_COMP_COLUMNS = {"forename": ("fn", "fi", "fn_groups", "aliases"), "surname": ("sn", "si", "sn_groups", "sn_parts"),
                 "birth": ("dob", "age", "bd_lo", "bd_hi", "dob_y", "dob_m", "dob_d"),
                 "sex": ("sex",), "area": ("area", "regions"), "ethnicity": ("ethnicity",),
                 "reference": ("ref", "agency"), "associates": ("agency",)}  # the hashed names say nothing to a reader


def _belongs(col: str, comp: str) -> bool:
    return col in _COMP_COLUMNS.get(comp, ())

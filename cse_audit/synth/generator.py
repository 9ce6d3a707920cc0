"""The entry point: run the generation phases in order, write every return, then the truth
files and expected.json.

Separate so the order of the phases - which is the order of the random draws, and so the
output - is stated in one place (`build`), apart from what each phase does.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from .agencies import _X
from .attributes import attributes
from .cases import cases, date_followers, people, reporting
from .figures import TARGETS, check_targets, figures
from .model import Gen
from .offenders import offenders_and_groups
from .profiles import _rng, identity, profile_params, structure
from .records import realise, references
from .truth import _deliberate_errors, _err, _expected, _write_truth
from .writers import WRITERS, _Writer

# Below this the returns stop being a data set: about 100 children and 94 case records over
# 46 police forces, 22 councils and 12 charities, most agencies a nil return or one child.
MIN_SCALE = 0.05


class ScaleError(ValueError):
    """A scale the generator cannot make a data set at (the CLI: a usage error, exit 2)."""


def generate(outdir, seed: int = 2011, scale: float = 1.0, profile: str = "default") -> dict:
    """Write synthetic returns, truth files and expected figures to outdir; return a summary.

    The returns reproduce the CEOP 2011 figures exactly at scale 1 (any seed) with the default
    profile; at other scales the counts scale approximately with the same shapes. Another
    ``profile`` (see profiles.py) adds the trouble real returns carry; its figures are stated
    in expected.json but are not the CEOP ones. At a small scale the scaled targets cannot
    all be met exactly (a force needs a whole case, a value a layout that can say it): the
    generator makes the nearest and lists each such target under ``adjusted`` in the summary
    and ``adjusted_targets`` in expected.json (the truth files still match the returns).
    """
    params = profile_params(profile)
    scale = float(scale)
    if not scale >= MIN_SCALE:    # also NaN
        raise ScaleError(f"scale {scale:g} is below the smallest scale, {MIN_SCALE:g} (about "
                         f"{round(TARGETS['victims'] * MIN_SCALE)} children over 80 agencies; "
                         "below it most agencies would have no one to report)")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_truth").mkdir(exist_ok=True)
    g = build(seed, scale, params)
    errors = _deliberate_errors(g)
    _write_returns(g, out, errors, random.Random(seed + 1))
    victim_recs = [r for p in g.victims for r in p.records]
    offender_recs = [r for p in g.offenders for r in p.records]
    case_keys = {(a.file_name, c.ref) for a in g.agencies for c in a.cases}
    fig = figures(victim_recs, offender_recs, case_keys)
    diffs = check_targets(fig)
    if scale == 1 and diffs and not params:
        raise AssertionError("sample does not reproduce the CEOP figures: " + "; ".join(diffs))
    _write_truth(out, g)
    expected = _expected(g, fig, errors, seed, scale)
    if g.notes:     # only when something was adjusted, so the files at scale 1 do not move
        expected["adjusted_targets"] = g.notes
    (out / "_truth" / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    return {
        "outdir": str(out), "seed": seed, "scale": scale,
        "files": sum(1 for a in g.agencies if a.file_name),
        "victim_records": len(victim_recs),
        "offender_records": len(offender_recs),
        "victims": fig["victims"]["unique"], "offenders": fig["offenders"]["unique"],
        "case_records": fig["case_records"], "offender_groups": fig["offenders"]["groups"]["count"],
        "matches_ceop": not diffs if scale == 1 else None,   # exact targets at scale 1 only
        # the scaled targets this scale could not meet exactly (empty: all met)
        "adjusted": list(g.notes),
        **({"profile": profile} if params else {}),
    }


def build(seed: int, scale: float, params: dict | None = None) -> Gen:
    """People, cases, offenders, attributes and records, in the one order that gives the
    same output for the same seed: every phase draws from the same rng. A profile's changes
    draw from their own rng, so the default profile's output never moves."""
    params = params or {}
    g = Gen(seed, scale, params.get("names"))
    people(g)
    reporting(g)
    cases(g)
    offenders_and_groups(g)
    attributes(g)
    date_followers(g)
    prng = _rng(g)
    structure(g, params, prng)
    realise(g)
    identity(g, params, prng)
    references(g)
    return g


def _write_returns(g: Gen, out: Path, errors: dict, rng: random.Random) -> None:
    """Every agency that returned, in its layout. Police IC exports with cases are offered a
    case row with no reference until one writes it (at its sixth case row); it is noted in
    `errors` as the deliberate `case_without_ref`."""
    w = _Writer(rng)
    for a in g.agencies:
        if a.status == _X:
            continue
        extra: dict = {}
        if a.mapping == "police-ic-export" and a.cases and "case_without_ref" not in errors:
            def note(file, sheet, row):
                errors["case_without_ref"] = _err(file, sheet, row, "Crime Ref", "",
                                                  "error: row rejected (no case reference); "
                                                  "not a case record")
            extra["case_without_ref"] = note
        WRITERS[a.mapping](w, a, out / a.file_name, extra)

"""Sample-return generator: synthetic CSE case returns that reproduce the CEOP 2011 figures.

Everything here is invented. People are generated first (children and possible offenders with
their true attributes), then the cases that tie them together, then one record per agency that
reported a person, written in that agency's own layout with the noise real returns carry:
spelling variants and nicknames, initials with an age instead of a date of birth, a transposed
date of birth, a field known to one agency and unknown to another, ethnicity coded three ways.

`generate(outdir, seed, scale)` writes the returns, `_truth/victims.csv` and `offenders.csv`
(which record is which person) and `_truth/expected.json` (the figures the sample must give,
computed from the generated records with the documented merge rules). At scale 1 the figures
equal the CEOP 2011 targets exactly, whatever the seed.

Generation uses one `random.Random(seed)`; files carry no timestamps (zip entries and document
properties are fixed), so the same seed gives byte-identical files.

Modules, in the order the generator uses them: `agencies` (who was asked, layouts, file names,
registry), `names` and `ethnicity` (name pools and code systems), `model` (people, cases,
records, the generation state and random helpers), the phases `cases`, `offenders`,
`attributes` and `records`, then `writers` (one per layout family) over `formats`, and
`figures` and `truth` for what the sample must give. `generator.generate` runs them all.
"""

from .agencies import build_agencies, registry_yaml, write_configs
from .figures import TARGETS
from .generator import MIN_SCALE, ScaleError, generate

__all__ = ["MIN_SCALE", "TARGETS", "ScaleError", "build_agencies", "generate", "registry_yaml",
           "write_configs"]

"""Record linkage: which victim (or offender) records are the same person.

Splink (Fellegi-Sunter) deduplicates all records of current returns at once, so duplicates
within one agency and across agencies are found alike. The model is stated, not trained:
m-probabilities come from ``configs/linkage.yaml`` (EM on a few thousand records is unstable),
u-probabilities are estimated by random sampling with a fixed seed, and the prior comes from
config. Pairs at or above the threshold are joined into persons (connected components),
reviewed overrides force pairs together or apart, and each person's attributes are merged by
the rules in config.

Public API (the CLI and ingest call these):
    link_people(con, kind)            -> LinkResult; writes {victim,offender}_links/_persons/_conflicts
    evaluate(con, kind, truth_csv)    -> dict of pairwise / cluster precision, recall, F1
    explain(con, kind, id_a, id_b)    -> Explanation (per-comparison match weights, probability)
    review_pairs(con, kind, low, high)-> DataFrame of borderline pairs side by side
    apply_overrides(reviewed, ...)    -> merge reviewed decisions into the overrides file
    load_linkage_config(path)         -> LinkageConfig

Engine: everything specific to Splink's backend is in ``engine._splink_engine``. Features are
prepared with SQL on the store connection and handed over as an Arrow table; the backend is
DuckDB (a private in-memory database) or, with ``engine.backend: spark`` in config or
``engine="spark"`` (extra ``cse-audit[spark]``), Splink's SparkAPI on a Spark local[2] session
created on first use. The model, the follow-up queries and the clustering are shared.

Truth files (``evaluate``): a csv with a ``person_id`` column and either ``record_id``, or
``file_name,sheet,row_number`` naming the row a record came from (file_name as in the
``returns`` table, compared by base name; row_number is the 1-based Excel row; sheet may be
blank for csv returns or when the file and row already identify the record). An optional
``kind`` column (victims/offenders) restricts rows to one kind.

Modules, in the order a run goes through them:
    errors       LinkageConfigError, LinkageError
    settings     LinkageConfig: read and validate linkage.yaml (KINDS, nicknames, force areas)
    names        normalise_name, soundex
    overrides    reviewed decisions: load, apply to the overrides file, carry over to resubmissions
    decisions    reviewed decisions kept in the store (link_decisions): import, export
    features     the comparison features of the current records (SQL -> Arrow)
    engine       Splink's database API: DuckDB (memory limit, spill folder) or Spark
    comparisons  the Splink comparisons and their group/level labels
    model        stated m, sampled u; score every candidate pair (a run)
    clusters     persons from scored pairs: union-find with cannot-link constraints, person ids
    merge        each person's attributes: {k}_persons and {k}_conflicts
    link         link_people: the run that writes to the store
    evaluate     evaluate against a truth file; write_truth_template; export_persons (record -> person)
    explain      one pair's match weights
    why          why the pair is stored apart or together when its own score does not say it
    review       borderline pairs for review
"""

from .decisions import export_decisions, import_decisions, stored_decisions
from .errors import LinkageConfigError, LinkageError
from .evaluate import evaluate, export_persons, write_truth_template
from .explain import Explanation, explain
from .link import LinkResult, link_people
from .names import normalise_name, soundex
from .overrides import MATCH, NO_MATCH, Override, apply_overrides, load_overrides
from .review import REVIEW_FIELDS, review_pairs
from .settings import DEFAULT_CONFIG, KINDS, LinkageConfig, load_linkage_config

__all__ = [
    "DEFAULT_CONFIG", "KINDS", "MATCH", "NO_MATCH", "REVIEW_FIELDS",
    "Explanation", "LinkResult", "LinkageConfig", "LinkageConfigError", "LinkageError", "Override",
    "apply_overrides", "evaluate", "explain", "export_decisions", "export_persons", "import_decisions",
    "stored_decisions", "link_people", "load_linkage_config", "load_overrides",
    "normalise_name", "review_pairs", "soundex", "write_truth_template",
]

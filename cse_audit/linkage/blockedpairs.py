"""Splink's candidate pairs without its regrouping of every pair when the one exploded rule is last.

When any prediction rule explodes a list column (the associates' rule, ``l.assoc = r.assoc``, and
the force areas' rules with engine spans: rules.py), Splink 5 builds the candidate pairs as the
union of every rule's pairs and then groups ALL of them by (id, id) to drop repeats
(``blocking.block_using_rules_sqls``). Repeats can only come from an exploded rule: a plain
rule's pairs leave out every earlier rule's, but nothing after an exploded rule leaves out its
pairs (its "exclude" is ``false``). An exploded rule's own pairs are already distinct and leave out
every earlier rule's (``marginal_exploded_id_pairs_table_sql``: ``select distinct ... and not
(earlier rules)``). So when the only exploded rule is the last rule, no pair can repeat and the
grouping changes nothing but its cost: at a million victim records it is a hash aggregate of 70M
pairs, and within Splink's 3GB it ran out of memory after ~10 minutes (session 16: the associates'
rule, added last in session 15, made the 1M first link fail). Then the union is the candidate
pairs as it is, and each pair keeps the match_key of the one rule that found it, as the grouping's
``min(match_key)`` would. Any other arrangement (an exploded rule before another rule) keeps
Splink's grouping."""

from __future__ import annotations

import contextlib

GROUPED = "__splink__blocked_id_pairs_non_unique"  # the union Splink groups (its table name)
PAIRS = "__splink__blocked_id_pairs"


def only_last_rule_explodes(rules) -> bool:
    """The one exploded rule among ``rules`` (Splink's BlockingRule objects) is the last."""
    from splink.internals.blocking import ExplodingBlockingRule

    exploded = [i for i, r in enumerate(rules) if isinstance(r, ExplodingBlockingRule)]
    return exploded == [len(rules) - 1]


def _ungrouped(original):
    def block_using_rules_sqls(*args, **kwargs):
        sqls = original(*args, **kwargs)
        rules = kwargs.get("blocking_rules")
        if rules is None or not only_last_rule_explodes(rules):
            return sqls
        union = [s for s in sqls if s["output_table_name"] == GROUPED]
        if len(union) != 1 or sqls[-1]["output_table_name"] != PAIRS:  # not the shape this module knows
            return sqls
        return [*(s for s in sqls[:-1] if s["output_table_name"] != GROUPED),
                {"sql": union[0]["sql"], "output_table_name": PAIRS}]
    return block_using_rules_sqls


@contextlib.contextmanager
def pairs_not_regrouped():
    """Within the block, Splink's candidate pairs are not regrouped when the only exploded rule is
    the last (see the module's docstring); every other case is Splink's own SQL."""
    import splink.internals.blocking as blocking

    original = blocking.block_using_rules_sqls
    blocking.block_using_rules_sqls = _ungrouped(original)
    try:
        yield
    finally:
        blocking.block_using_rules_sqls = original

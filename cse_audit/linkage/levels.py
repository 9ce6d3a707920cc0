"""The comparisons' levels as configs/linkage.yaml states their m: comparison -> group -> levels,
the comparisons and levels a configuration may leave out, and the stated m of a group for the
levels a model compares. Apart from settings.py (which reads and checks the file) so that the
comparisons and the model can ask which levels are compared without the file's parsing."""

from __future__ import annotations

# Comparison structure: comparison -> group -> levels (in SQL CASE order, most specific first).
# Config gives a conditional m for every level; see configs/linkage.yaml.
LEVELS: dict[str, dict[str, list[str]]] = {
    "forename": {"names": ["exact", "close", "nickname", "alias", "swapped", "same_initial", "different"],
                 "initials": ["agree", "differ"]},
    "surname": {"names": ["exact", "close", "part", "nickname", "swapped", "same_initial", "different"],
                "initials": ["agree", "differ"]},
    # an age is a birth-date interval: one year wide at a case date ("fits"), wider when only the
    # return's reference period dates it (the undated_* groups: "inside" / "overlap")
    "birth": {"dob": ["exact", "transposed", "one_part", "near", "different"],
              "age_vs_dob": ["fits", "within_1", "within_3", "different"],
              "undated_age_vs_dob": ["inside", "within_1", "different"],
              "age_vs_age": ["fits", "within_1", "within_3", "different"],
              "undated_ages": ["overlap", "within_1", "different"]},
    "sex": {"all": ["same", "different"]},
    "area": {"all": ["same", "same_force_area", "different"]},
    "ethnicity": {"all": ["same", "different"]},
    # the agency's own person reference, compared only between records of one agency
    "reference": {"all": ["exact", "close", "different"]},
    # someone named on both records' cases (the other kind's full names), between two agencies
    "associates": {"all": ["shared", "different"]},
}
# Comparisons a linkage.yaml may leave out (then not compared): added after configs were written.
OPTIONAL_COMPARISONS = frozenset({"reference", "associates"})
# Levels a linkage.yaml may leave out (then not compared), and that are compared only where the
# data can reach them (names/alias: where some record carries an alias). Their m is stated beside
# the group's others, which sum to 1 without them: where the level is compared, the group's
# stated m are divided by their sum (stated_m), so on data without aliases nothing moves.
OPTIONAL_LEVELS = {("forename", "names"): frozenset({"alias"})}


def alias_compared(cfg) -> bool:
    """Whether the configuration states an m for the forename's names/alias level."""
    c = cfg.comparisons.get("forename")
    return c is not None and "alias" in c.m.get("names", {})


def stated_m(cfg, comp: str, group: str, present) -> dict[str, float]:
    """The stated conditional m of ``group`` for the levels ``present`` in the model: as stated
    when no optional level is among them, else divided by their sum (see OPTIONAL_LEVELS)."""
    stated = cfg.comparisons[comp].m[group]
    if not OPTIONAL_LEVELS.get((comp, group), frozenset()) & set(present):
        return stated
    total = sum(stated[lv] for lv in present)
    return {lv: stated[lv] / total for lv in present}

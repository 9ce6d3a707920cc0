"""Splink comparisons: forename, surname, birth, sex, area, ethnicity, reference, with their levels.

Each level is labelled group/level (``names/exact``, ``age_vs_dob/fits``...) to match the
conditional m values in configs/linkage.yaml (see ``settings.LEVELS``). Built from Splink's
dialect-neutral level creators, so DuckDB and Spark run the same comparisons. Splink is
imported inside the functions: loading it takes a while and most commands never link."""

from __future__ import annotations

from .levels import alias_compared
from .settings import LinkageConfig


def _lv(creator, key):
    return creator.configure(label_for_charts=key)


def _damerau_levenshtein_within(dialect, col: str, d: int):
    """Damerau-Levenshtein distance <= d, exactly as Splink's DamerauLevenshteinLevel, but only
    computed for pairs that cheaper exact tests do not rule out (most pairs: random pairs for u,
    blocked pairs with different names). Each edit changes a string's length by at most one, so
    lengths more than d apart are beyond d; within one edit (d <= 1) of two strings of 3+
    characters, the first or the last character is untouched, so they share one of them; and a
    transposition is two Levenshtein edits, so nothing beyond 2 d (Levenshtein) is within d.
    DuckDB's damerau_levenshtein is about eight times slower than its levenshtein, which is in
    turn several times slower than the length and end tests. A null name gives null, as before;
    tests/test_comparison_levels.py proves every level unchanged against the previous SQL."""
    import splink.comparison_level_library as cll

    lev, dl = dialect.levenshtein_function_name, dialect.damerau_levenshtein_function_name
    d = int(d)
    # bare column names (constants: fn, sn, ref): Spark SQL reads "double quotes" as a string
    ends = (f"WHEN length({col}_l) >= 3 AND length({col}_r) >= 3 AND substr({col}_l, 1, 1) <> substr({col}_r, 1, 1) "
            f"AND substr({col}_l, -1) <> substr({col}_r, -1) THEN false " if d <= 1 else "")
    return cll.CustomLevel(f"(CASE WHEN abs(length({col}_l) - length({col}_r)) > {d} THEN false {ends}"
                           f"WHEN {lev}({col}_l, {col}_r) > {2 * d} THEN false ELSE {dl}({col}_l, {col}_r) <= {d} END)")


def _surname_part(dialect):
    """A surname part in common (sn_parts), computed as a list intersection only where both names
    are double-barrelled. features.py makes sn_parts [sn] unless sn_barrel (two or more parts,
    each shorter than sn), so two single names share a part exactly when they are the same, and
    a single name shares one with a double-barrelled one exactly when it is one of its parts
    (and so not the whole name). The same level for every pair as the intersection of the lists
    (tests/test_comparison_levels.py); a membership test and an equality cost a fraction of it."""
    import splink.comparison_level_library as cll

    both = cll.ArrayIntersectLevel("sn_parts", 1).get_comparison_level(dialect.sql_dialect_str).sql_condition
    if dialect.sql_dialect_str == "duckdb":
        # a shared element, without building the intersection (1.33 -> 1.18 CPU-s on 6M pairs of
        # two double-barrelled names, session 18). Null where the intersection's size is 0 for a
        # null list: not true either way, so the same level (tests/test_comparison_levels.py)
        both = "list_has_any(sn_parts_l, sn_parts_r)"
    # array_contains: DuckDB's alias of list_contains, and Spark's own
    return cll.CustomLevel(f"CASE WHEN sn_barrel_l AND sn_barrel_r THEN {both} "
                           "WHEN sn_barrel_l OR sn_barrel_r THEN sn_l <> sn_r AND "
                           "(array_contains(sn_parts_l, sn_r) OR array_contains(sn_parts_r, sn_l)) "
                           "ELSE sn_l = sn_r END")


def _close_level(c, dialect, col: str):
    """names/close: a typo (Jaro-Winkler, Damerau-Levenshtein) or one name the start of the other."""
    import splink.comparison_level_library as cll

    return cll.Or(cll.JaroWinklerLevel(col, c.jaro_winkler),
                  _damerau_levenshtein_within(dialect, col, c.damerau_levenshtein),
                  cll.CustomLevel(_starts_with(dialect, f"{col}_r", f"{col}_l") + " OR " +
                                  _starts_with(dialect, f"{col}_l", f"{col}_r")))


def _starts_with(dialect, text: str, start: str) -> str:
    """SQL: ``start`` has 3+ characters and ``text`` begins with it (constant column names). On
    DuckDB starts_with, which compares bytes, not a substring of as many characters (0.38 ->
    0.22 CPU-s on 6M forename pairs, session 18): in UTF-8 a string's bytes begin with another's
    exactly when its characters do; null gives null either way (tests/test_comparison_levels.py)."""
    if dialect.sql_dialect_str == "duckdb":
        return f"(length({start}) >= 3 AND starts_with({text}, {start}))"
    return f"(length({start}) >= 3 AND substr({text}, 1, length({start})) = {start})"


def _surname_close(dialect, c, close):
    """names/close for surnames: a typo of the whole name (Damerau-Levenshtein) between two
    double-barrelled names, the forename's close test (``close``) between two single names, and
    never between a double-barrelled and a single one. The same level for every pair as the form
    it replaced, ``close AND sn_barrel_l = sn_barrel_r AND (NOT (sn_barrel_l AND sn_barrel_r) OR
    typo)`` (a typo is close, so close AND typo is the typo), but the branch by barrel comes
    first: at a million records most candidate pairs have a double-barrelled surname on one side
    or both, and no longer pay Jaro-Winkler, the prefix test and a second edit distance (issue 21,
    session 18; tests/test_comparison_levels.py)."""
    import splink.comparison_level_library as cll

    d = dialect.sql_dialect_str
    typo = _damerau_levenshtein_within(dialect, "sn", c.damerau_levenshtein).get_comparison_level(d).sql_condition
    any_close = close.get_comparison_level(d).sql_condition
    # a null flag (never: features.py sets it for every record) reaches ELSE, not true, as before
    return cll.CustomLevel(f"CASE WHEN sn_barrel_l AND sn_barrel_r THEN {typo} "
                           f"WHEN sn_barrel_l = sn_barrel_r THEN ({any_close}) ELSE false END")


def _lists_share(dialect, a: str, b: str) -> str:
    """SQL: list column ``a`` of record l and list column ``b`` of record r have an element in
    common (Splink's ArrayIntersectLevel, for two different columns). Constant column names."""
    import splink.comparison_level_library as cll

    sql = cll.ArrayIntersectLevel("zz", 1).get_comparison_level(dialect.sql_dialect_str).sql_condition
    for q in ('"', "`"):
        sql = sql.replace(f"{q}zz_l{q}", a).replace(f"{q}zz_r{q}", b)
    return f"COALESCE({sql}, false)"


def _alias_level(dialect):
    """names/alias: one record's forename is one of the other's aliases (a street name, a "known
    as" name: features.py), or its nickname group one of theirs, or the two share an alias.
    "Tiny Smith" in one return and "Paul Smith" with alias Tiny in another."""
    import splink.comparison_level_library as cll

    return cll.CustomLevel(" OR ".join((
        "COALESCE(array_contains(aliases_r, fn_l), false)", "COALESCE(array_contains(aliases_l, fn_r), false)",
        _lists_share(dialect, "aliases_l", "aliases_r"),
        _lists_share(dialect, "fn_groups_l", "alias_groups_r"), _lists_share(dialect, "alias_groups_l", "fn_groups_r"))))


def _name_comparison(cfg: LinkageConfig, dialect, col: str, ini: str, comp: str, other: str,
                     aliases: bool = False):
    """Forename or surname: the name, or the initial when one side has only initials. With
    ``aliases`` (some record carries one), the forename's names/alias level after nickname."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    c = cfg.comparisons[comp]
    jw = dialect.jaro_winkler_function_name
    both = f"{col}_l IS NOT NULL AND {col}_r IS NOT NULL"
    close = _close_level(c, dialect, col)
    if col == "sn":
        # "Smith" is not a typo of "Smith-Jones": one shared part of a double-barrelled name is
        # its own, weaker level (names/part), never "close". Nor is "Ogunleye-Haworth" a typo of
        # "Ogunleye-Carter": between two double-barrelled names Jaro-Winkler and the shared start
        # reward the common first part as much as a typo (issue 16: one shared part must not count
        # as much as a full match: on synth scale 40 this took 49 of the 133 false offender links
        # and no true one), so there only an edit of the whole name (a typo) is close
        close = _surname_close(dialect, c, close)
    levels = [
        cll.CustomLevel(f"{ini}_l IS NULL OR {ini}_r IS NULL", "null").configure(is_null_level=True),
        _lv(cll.ExactMatchLevel(col, term_frequency_adjustments=c.tf), "names/exact"),
        _lv(close, "names/close"),
    ]
    if col == "sn":
        levels.append(_lv(_surname_part(dialect), "names/part"))
    # nickname table, also for surnames (Mohammed / Muhammad as a family name)
    levels.append(_lv(cll.ArrayIntersectLevel(f"{col}_groups", 1), "names/nickname"))
    if aliases and col == "fn":
        levels.append(_lv(_alias_level(dialect), "names/alias"))
    # forename and surname given the wrong way round ("SMITH Jane"): BOTH names crossed; one
    # name close to the other's other name is a coincidence, not a swap
    levels.append(_lv(cll.CustomLevel(f"{jw}(fn_l, sn_r) >= {c.jaro_winkler} AND "
                                      f"{jw}(sn_l, fn_r) >= {c.jaro_winkler}"), "names/swapped"))
    levels += [
        _lv(cll.CustomLevel(f"{both} AND {ini}_l = {ini}_r"), "names/same_initial"),
        _lv(cll.CustomLevel(both), "names/different"),
        _lv(cll.CustomLevel(f"{ini}_l = {ini}_r"), "initials/agree"),
        _lv(cll.ElseLevel(), "initials/differ"),
    ]
    return cl.CustomComparison(levels, output_column_name=comp,
                               comparison_description=f"{comp}: name, or initial when one side has only initials")


def _birth_comparison():
    """Date of birth; else a birth-date interval from an age against a dob or another interval.

    bd_lo / bd_hi (days since 1970) bound each record's date of birth: the dob itself, or from an
    age at the case date (one year wide), or at an unknown date in the return's reference period
    (a few years wide). A record with neither says nothing: the pair is neutral (null level)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    both = "dob_l IS NOT NULL AND dob_r IS NOT NULL"
    one_dob = "(dob_l IS NOT NULL OR dob_r IS NOT NULL)"
    narrow = "bd_hi_l - bd_lo_l <= 366 AND bd_hi_r - bd_lo_r <= 366"
    gap = "greatest(bd_lo_l - bd_hi_r, bd_lo_r - bd_hi_l, 0)"  # days between the intervals
    same_parts = ("(CASE WHEN dob_y_l = dob_y_r THEN 1 ELSE 0 END + CASE WHEN dob_m_l = dob_m_r THEN 1 ELSE 0 END"
                  " + CASE WHEN dob_d_l = dob_d_r THEN 1 ELSE 0 END)")
    return cl.CustomComparison([
        cll.CustomLevel("bd_lo_l IS NULL OR bd_lo_r IS NULL", "null").configure(is_null_level=True),
        _lv(cll.CustomLevel("dob_l = dob_r"), "dob/exact"),
        _lv(cll.CustomLevel(f"{both} AND dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r"),
            "dob/transposed"),
        _lv(cll.CustomLevel(f"{both} AND {same_parts} = 2"), "dob/one_part"),
        # two slips, or a date a few days or months out: not the same as years apart, where two
        # namesakes born four years apart weighed like a typo (a third held-out world, session 9)
        _lv(cll.CustomLevel(f"{both} AND abs(bd_lo_l - bd_lo_r) <= 366"), "dob/near"),
        _lv(cll.CustomLevel(both), "dob/different"),
        # one side has a dob, the other an age at a case date (a one-year interval)
        _lv(cll.CustomLevel(f"{one_dob} AND {narrow} AND {gap} = 0"), "age_vs_dob/fits"),
        _lv(cll.CustomLevel(f"{one_dob} AND {narrow} AND {gap} <= 366"), "age_vs_dob/within_1"),
        _lv(cll.CustomLevel(f"{one_dob} AND {narrow} AND {gap} <= 1096"), "age_vs_dob/within_3"),  # estimates
        _lv(cll.CustomLevel(f"{one_dob} AND {narrow}"), "age_vs_dob/different"),
        # ... or an age dated only by the reference period (a few years wide)
        _lv(cll.CustomLevel(f"{one_dob} AND {gap} = 0"), "undated_age_vs_dob/inside"),
        _lv(cll.CustomLevel(f"{one_dob} AND {gap} <= 366"), "undated_age_vs_dob/within_1"),
        _lv(cll.CustomLevel(one_dob), "undated_age_vs_dob/different"),
        # two ages at case dates: their intervals overlap, or nearly
        _lv(cll.CustomLevel(f"{narrow} AND {gap} = 0"), "age_vs_age/fits"),
        _lv(cll.CustomLevel(f"{narrow} AND {gap} <= 366"), "age_vs_age/within_1"),
        _lv(cll.CustomLevel(f"{narrow} AND {gap} <= 1096"), "age_vs_age/within_3"),
        _lv(cll.CustomLevel(narrow), "age_vs_age/different"),
        # two ages, at least one undated
        _lv(cll.CustomLevel(f"{gap} = 0"), "undated_ages/overlap"),
        _lv(cll.CustomLevel(f"{gap} <= 366"), "undated_ages/within_1"),
        _lv(cll.ElseLevel(), "undated_ages/different"),
    ], output_column_name="birth",
        comparison_description="date of birth; else the birth-date interval an age gives (at the case date, "
                               "or in the return's reference period) against a dob or another interval")


def _simple_comparison(cfg: LinkageConfig, col: str):
    """Same value or not (sex, ethnicity)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    c = cfg.comparisons[col]
    return cl.CustomComparison([
        cll.NullLevel(col).configure(label_for_charts="null"),
        _lv(cll.ExactMatchLevel(col, term_frequency_adjustments=c.tf), "same"),
        _lv(cll.ElseLevel(), "different"),
    ], output_column_name=col, comparison_description=col)


def _force_area_shared(dialect):
    """A police force area in common (regions), computed as a list intersection only where a
    record's area lies in more than one. features.py makes region the first of regions (the
    area's force areas, or [area] for an area with none listed), so two areas of one force area
    each share one exactly when their regions are equal. The same level for every pair as the
    intersection of the lists (tests/test_comparison_levels.py); an equality costs a quarter of
    it (issue 21, session 10)."""
    import splink.comparison_level_library as cll

    both = cll.ArrayIntersectLevel("regions", 1).get_comparison_level(dialect.sql_dialect_str).sql_condition
    size = "size" if dialect.sql_dialect_str == "spark" else "array_length"  # Spark has no array_length
    return cll.CustomLevel(f"CASE WHEN {size}(regions_l) = 1 AND {size}(regions_r) = 1 THEN region_l = region_r "
                           f"ELSE {both} END")


def _area_comparison(cfg: LinkageConfig, dialect):
    """Area; else a police force area they share (a council may border two forces)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    ca = cfg.comparisons["area"]
    return cl.CustomComparison([
        # region is null exactly when area is; named here so that Splink does not train the area
        # in an EM session blocked on the force area (the ages' session): all its pairs share one,
        # it never sees "different", and its same / same_force_area split would replace the others'
        cll.CustomLevel("area_l IS NULL OR area_r IS NULL OR region_l IS NULL OR region_r IS NULL",
                        "null").configure(label_for_charts="null", is_null_level=True),
        _lv(cll.ExactMatchLevel("area", term_frequency_adjustments=ca.tf), "same"),
        _lv(_force_area_shared(dialect), "same_force_area"),
        _lv(cll.ElseLevel(), "different"),
    ], output_column_name="area", comparison_description="area; else the police force area it lies in")


def _reference_comparison(sql):
    """The agency's own person reference (a police nominal number, a council's child id), only
    between two records of one agency: another agency's numbers are another system's. The same
    reference is strong evidence (its u is the chance two records of one agency share it); a
    reference one keystroke off (5+ characters) some; a different one a little against, as some
    systems number rows, not people (EM learns which from the data)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison([
        cll.CustomLevel("ref_l IS NULL OR ref_r IS NULL OR agency_l IS NULL OR agency_r IS NULL "
                        "OR agency_l <> agency_r").configure(label_for_charts="null", is_null_level=True),
        _lv(cll.ExactMatchLevel("ref"), "exact"),
        # both 5+ characters: a test of one side only made "close" depend on which record had
        # the smaller id (a 5- against a 4-character reference)
        _lv(cll.CustomLevel(f"(length(ref_l) >= 5 AND length(ref_r) >= 5 AND "
                            f"{_damerau_levenshtein_within(sql, 'ref', 1).sql_condition})"), "close"),
        _lv(cll.ElseLevel(), "different"),
    ], output_column_name="reference", comparison_description="the agency's own person reference, within one agency")


def _associates_comparison(cfg: LinkageConfig, dialect):
    """The people named on the record's case (features.py: for a victim the offenders, for an
    offender the victims, as hashed full names), only between records of two agencies: one
    agency's rows of one case share them by construction (co-victims of one offender). Someone in
    common is strong evidence (its u is the chance two records of different agencies share one);
    both listing people and none in common a little against (a child's cases differ between
    agencies, and so do the offenders each knows of: EM learns how much).

    A name in common says nothing (null) between two records of one surname whose forenames
    clearly differ (both given and neither the same, close nor nicknames; or one side's initial
    another letter): sisters abused by one man, one reported by the police and the other by a
    council, share him and their surname (review 12: 5 of 6 such sisters injected into a held-out
    store became one child). Only the shared pairs: no one in common stays "different", and u
    barely moves (few random pairs share a man and a surname)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    d = dialect.sql_dialect_str
    # the record's own names under other names (features.py): Splink leaves a comparison reading
    # fn out of an EM session blocked on fn, where this condition never holds anyway
    agree = " OR ".join(f"COALESCE(({lv.get_comparison_level(d).sql_condition}), false)" for lv in (
        cll.ExactMatchLevel("assoc_fn"), _close_level(cfg.comparisons["forename"], dialect, "assoc_fn"),
        cll.ArrayIntersectLevel("assoc_fn_groups", 1)))
    differ = ("COALESCE(assoc_sn_l = assoc_sn_r, false) AND ((assoc_fn_l IS NOT NULL AND assoc_fn_r IS NOT NULL "
              f"AND NOT ({agree})) OR ((assoc_fn_l IS NULL OR assoc_fn_r IS NULL) AND assoc_fi_l <> assoc_fi_r))")
    shared = cll.ArrayIntersectLevel("assoc", 1).get_comparison_level(d).sql_condition
    return cl.CustomComparison([
        cll.CustomLevel("assoc_l IS NULL OR assoc_r IS NULL OR agency_l IS NULL OR agency_r IS NULL "
                        f"OR agency_l = agency_r OR ({differ} AND {shared})").configure(label_for_charts="null", is_null_level=True),
        _lv(cll.ArrayIntersectLevel("assoc", 1), "shared"),
        _lv(cll.ElseLevel(), "different"),
    ], output_column_name="associates",
        comparison_description="someone named on both records' cases (offenders for victims, victims for "
                               "offenders), between two agencies, where the forenames do not clearly differ")


def _comparisons(cfg: LinkageConfig, dialect: str, aliases: bool = False) -> list:
    """Splink comparisons built from dialect-neutral level creators; labels are group/level.

    ``aliases``: some record carries an alias (features.has_aliases). Only then is the forename's
    names/alias level compared: a level no pair can reach would still take its share of the
    group's m and a floored u, and move every other level's weight a little on returns that map
    no alias (the sample's persons must not move)."""
    from splink.internals.dialects import SplinkDialect

    sql = SplinkDialect.from_string(dialect)
    birth = _birth_comparison()
    area = _area_comparison(cfg, sql)
    out = [_name_comparison(cfg, sql, "fn", "fi", "forename", "sn", aliases and alias_compared(cfg)),
           _name_comparison(cfg, sql, "sn", "si", "surname", "fn"),
           birth, _simple_comparison(cfg, "sex"), area, _simple_comparison(cfg, "ethnicity")]
    if "reference" in cfg.comparisons:  # optional in linkage.yaml (settings.OPTIONAL_COMPARISONS)
        out.append(_reference_comparison(sql))
    if "associates" in cfg.comparisons:  # optional too
        out.append(_associates_comparison(cfg, sql))
    return out

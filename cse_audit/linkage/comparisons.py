"""Splink comparisons: forename, surname, birth, sex, area, ethnicity, with their levels.

Each level is labelled group/level (``names/exact``, ``age_vs_dob/fits``...) to match the
conditional m values in configs/linkage.yaml (see ``settings.LEVELS``). Built from Splink's
dialect-neutral level creators, so DuckDB and Spark run the same comparisons. Splink is
imported inside the functions: loading it takes a while and most commands never link."""

from __future__ import annotations

from .settings import LinkageConfig


def _lv(creator, key):
    return creator.configure(label_for_charts=key)


def _name_comparison(cfg: LinkageConfig, jw: str, col: str, ini: str, comp: str, other: str):
    """Forename or surname: the name, or the initial when one side has only initials."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    c = cfg.comparisons[comp]
    both = f"{col}_l IS NOT NULL AND {col}_r IS NOT NULL"
    levels = [
        cll.CustomLevel(f"{ini}_l IS NULL OR {ini}_r IS NULL", "null").configure(is_null_level=True),
        _lv(cll.ExactMatchLevel(col, term_frequency_adjustments=c.tf), "names/exact"),
        _lv(cll.Or(cll.JaroWinklerLevel(col, c.jaro_winkler),
                   cll.DamerauLevenshteinLevel(col, c.damerau_levenshtein),
                   cll.CustomLevel(f"(length({col}_l) >= 3 AND substr({col}_r, 1, length({col}_l)) = {col}_l) OR "
                                   f"(length({col}_r) >= 3 AND substr({col}_l, 1, length({col}_r)) = {col}_r)")),
            "names/close"),
    ]
    # nickname table, also for surnames (Mohammed / Muhammad as a family name)
    levels.append(_lv(cll.ArrayIntersectLevel(f"{col}_groups", 1), "names/nickname"))
    # forename given as surname and vice versa ("SMITH Jane"): this name is the other's other name
    levels.append(_lv(cll.Or(*[cll.CustomLevel(f"{jw}({col}_{a}, {other}_{b}) >= {c.jaro_winkler}")
                               for a, b in (("l", "r"), ("r", "l"))]), "names/swapped"))
    levels += [
        _lv(cll.CustomLevel(f"{both} AND {ini}_l = {ini}_r"), "names/same_initial"),
        _lv(cll.CustomLevel(both), "names/different"),
        _lv(cll.CustomLevel(f"{ini}_l = {ini}_r"), "initials/agree"),
        _lv(cll.ElseLevel(), "initials/differ"),
    ]
    return cl.CustomComparison(levels, output_column_name=comp,
                               comparison_description=f"{comp}: name, or initial when one side has only initials")


def _birth_comparison():
    """Date of birth; else age against dob at the case date; else age against age."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    both = "dob_l IS NOT NULL AND dob_r IS NOT NULL"
    fit_l = "dob_l IS NOT NULL AND dob_r IS NULL AND age_r IS NOT NULL AND case_y_r IS NOT NULL"
    fit_r = "dob_r IS NOT NULL AND dob_l IS NULL AND age_l IS NOT NULL AND case_y_l IS NOT NULL"
    ages = "age_l IS NOT NULL AND age_r IS NOT NULL"
    # age of one side's dob at the other side's case date
    at_lr = "(case_y_r - dob_y_l - CASE WHEN case_md_r < dob_md_l THEN 1 ELSE 0 END)"
    at_rl = "(case_y_l - dob_y_r - CASE WHEN case_md_l < dob_md_r THEN 1 ELSE 0 END)"
    same_parts = ("(CASE WHEN dob_y_l = dob_y_r THEN 1 ELSE 0 END + CASE WHEN dob_m_l = dob_m_r THEN 1 ELSE 0 END"
                  " + CASE WHEN dob_d_l = dob_d_r THEN 1 ELSE 0 END)")
    return cl.CustomComparison([
        cll.CustomLevel(f"NOT (({both}) OR ({fit_l}) OR ({fit_r}) OR ({ages}))", "null")
        .configure(is_null_level=True),
        _lv(cll.CustomLevel("dob_l = dob_r"), "dob/exact"),
        _lv(cll.CustomLevel(f"{both} AND dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r"),
            "dob/transposed"),
        _lv(cll.CustomLevel(f"{both} AND {same_parts} = 2"), "dob/one_part"),
        _lv(cll.CustomLevel(both), "dob/different"),
        _lv(cll.CustomLevel(f"(({fit_l}) AND {at_lr} = age_r) OR (({fit_r}) AND {at_rl} = age_l)"),
            "age_vs_dob/fits"),
        _lv(cll.CustomLevel(f"(({fit_l}) AND abs({at_lr} - age_r) <= 1) OR (({fit_r}) AND abs({at_rl} - age_l) <= 1)"),
            "age_vs_dob/within_1"),
        _lv(cll.CustomLevel(f"(({fit_l}) AND abs({at_lr} - age_r) <= 3) OR (({fit_r}) AND abs({at_rl} - age_l) <= 3)"),
            "age_vs_dob/within_3"),
        _lv(cll.CustomLevel(f"({fit_l}) OR ({fit_r})"), "age_vs_dob/different"),
        # neither has a dob: an age at a case date puts the birth date in a one-year window
        # ending at (case date - age); two records fit when their windows overlap.
        _lv(cll.CustomLevel(f"{ages} AND CASE WHEN born_by_l IS NOT NULL AND born_by_r IS NOT NULL "
                            "THEN abs(born_by_l - born_by_r) < 1 ELSE age_l = age_r END"), "age_vs_age/fits"),
        _lv(cll.CustomLevel(f"{ages} AND CASE WHEN born_by_l IS NOT NULL AND born_by_r IS NOT NULL "
                            "THEN abs(born_by_l - born_by_r) < 2 ELSE abs(age_l - age_r) <= 1 END"),
            "age_vs_age/within_1"),
        _lv(cll.CustomLevel(f"{ages} AND CASE WHEN born_by_l IS NOT NULL AND born_by_r IS NOT NULL "
                            "THEN abs(born_by_l - born_by_r) < 4 ELSE abs(age_l - age_r) <= 3 END"),
            "age_vs_age/within_3"),
        _lv(cll.ElseLevel(), "age_vs_age/different"),
    ], output_column_name="birth",
        comparison_description="date of birth; else age against dob at the case date; else age against age")


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


def _area_comparison(cfg: LinkageConfig):
    """Area; else the police force area it lies in."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    ca = cfg.comparisons["area"]
    return cl.CustomComparison([
        cll.NullLevel("area").configure(label_for_charts="null"),
        _lv(cll.ExactMatchLevel("area", term_frequency_adjustments=ca.tf), "same"),
        _lv(cll.ExactMatchLevel("region"), "same_force_area"),
        _lv(cll.ElseLevel(), "different"),
    ], output_column_name="area", comparison_description="area; else the police force area it lies in")


def _comparisons(cfg: LinkageConfig, dialect: str) -> list:
    """Splink comparisons built from dialect-neutral level creators; labels are group/level."""
    from splink.internals.dialects import SplinkDialect

    jw = SplinkDialect.from_string(dialect).jaro_winkler_function_name
    birth = _birth_comparison()
    area = _area_comparison(cfg)
    return [_name_comparison(cfg, jw, "fn", "fi", "forename", "sn"),
            _name_comparison(cfg, jw, "sn", "si", "surname", "fn"),
            birth, _simple_comparison(cfg, "sex"), area, _simple_comparison(cfg, "ethnicity")]

"""How one agency writes a child or an offender: which surname, short forms, slips, date-of-birth errors,
ages as text. Rates are in h4world.PARAMS (and the few layout-specific ones in h4layouts.LAYOUT_RATES)."""

from __future__ import annotations

import datetime as dt
import random

from h4names import NICKNAMES, strip_accents, typo
from h4world import PARAMS, Child, Offender, Report


def child_name(rng: random.Random, rep: Report) -> tuple[str, str]:
    """Forename and surname as this agency has them."""
    k, kind = rep.child, rep.agency.kind
    sur = k.surname
    later = rep.second_area or kind == "lscb" or (rep.case_date - k.first_case).days > 180
    if k.step_surname and later and rng.random() < PARAMS["step_used"]:
        sur = f"{k.surname}-{k.step_surname}" if rng.random() < PARAMS["step_hyphenated"] else k.step_surname
    elif k.own_surname and rng.random() < PARAMS["begum_used"]:
        sur = k.own_surname
    elif "-" in sur and rng.random() < PARAMS["double_part_only"]:
        sur = rng.choice(sur.split("-"))
    fore = k.forename
    if fore in NICKNAMES and rng.random() < PARAMS["nickname"][kind]:
        fore = rng.choice(NICKNAMES[fore])
    if k.culture == "vietnamese" and " " in fore and rng.random() < PARAMS["viet_given_short"]:
        fore = fore.split(" ", 1)[1]                        # "Thi Lan" written "Lan"
    if k.culture == "somali" and rng.random() < PARAMS["somali_swapped"]:
        fore, sur = sur, fore                               # both read as forenames to the keyer
    if rng.random() < PARAMS["forename_typo"]:
        fore = typo(rng, fore)
    if rng.random() < PARAMS["surname_typo"]:
        sur = typo(rng, sur)
    if rng.random() >= PARAMS["accents_kept"][kind]:
        fore, sur = strip_accents(fore), strip_accents(sur)
    return fore, sur


def child_dob(rng: random.Random, child: Child) -> dt.date:
    """The date of birth as keyed: day and month swapped, a year slip, a day out."""
    d = child.dob
    r = rng.random()
    if r < PARAMS["dob_swap"] and d.day <= 12 and d.day != d.month:
        return dt.date(d.year, d.day, d.month)
    r -= PARAMS["dob_swap"]
    if r < PARAMS["dob_year_typo"]:
        return _safe(d.year + rng.choice((-1, 1, -10, 10)), d.month, d.day)
    r -= PARAMS["dob_year_typo"]
    if r < PARAMS["dob_day_off"]:
        return d + dt.timedelta(days=rng.choice((-1, 1)))
    return d


def _safe(y: int, m: int, d: int) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return dt.date(y, m, 28)


def age_at(dob: dt.date, when: dt.date) -> int:
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))


def age_text(rng: random.Random, age: int) -> str:
    """A child's age as typed: '15', '15 yrs', '15 years'."""
    return rng.choice((str(age), str(age), f"{age} yrs", f"{age} years"))


def age_band(rng: random.Random, age: int) -> str:
    """A charity's age: exact, a two-year band round it, or the age then '+'."""
    form = rng.choices(list(PARAMS["charity_age_form"]), list(PARAMS["charity_age_form"].values()))[0]
    if form == "exact":
        return str(age)
    if form == "band":
        lo = age - rng.randint(0, 1)
        return f"{lo}-{lo + 1}"
    return f"{age}+"


def offender_age(rng: random.Random, o: Offender, when: dt.date) -> str:
    """An offender's age as a council writes it: '30s', 'mid 20s', '25-30', '40+' or exact."""
    a = age_at(o.dob, when)
    form = rng.choices(list(PARAMS["offender_age_form"]), list(PARAMS["offender_age_form"].values()))[0]
    if form == "decade":
        return f"{a // 10 * 10}s"
    if form == "early/mid/late":
        part = "early" if a % 10 < 4 else ("mid" if a % 10 < 7 else "late")
        return f"{part} {a // 10 * 10}s"
    if form == "range":
        lo = a - rng.randint(0, 4)
        return f"{lo}-{lo + 5}"
    return str(a)


def offender_name(rng: random.Random, o: Offender, kind: str) -> tuple[str, str, str]:
    """(forename, surname, how): a full name, a first name only, a street name only, or nobody named
    ('Unknown male'); accents as the agency keeps them."""
    r = rng.random()
    fore, sur = o.forename, o.surname
    if rng.random() >= PARAMS["accents_kept"][kind]:
        fore, sur = strip_accents(fore), strip_accents(sur)
    unknown, first = PARAMS["offender_unknown"], PARAMS["offender_unknown"] + PARAMS["offender_forename_only"]
    if r < unknown:
        return "", "", "unknown"
    if r < first:
        return fore, "", "forename"
    if o.street and r < first + PARAMS["offender_street_only"]:
        return o.street, "", "street"
    if rng.random() < PARAMS["surname_typo"]:
        sur = typo(rng, sur)
    return fore, sur, "full"

"""How one agency writes one person down: noise per record. Every rate is in NOISE."""

from __future__ import annotations

import datetime as dt
import random

from h5names import NICKNAMES, typo

NOISE = {
    "nickname": {"police": 0.05, "lscb": 0.12, "ngo": 0.30},
    "fore_typo": 0.015, "sur_typo": 0.025, "double_barrel_one_part": 0.30,
    "new_surname_council": 0.75, "new_surname_late": 0.50, "new_surname_from": dt.date(2010, 1, 1),
    "dob_blank": {"police_ods": 0.10, "police_xls": 0.12, "police_csv": 0.10, "council_csv": 0.20,
                  "multi_xlsx": 0.45, "charity_csv": 1.0, "charity_ods": 0.60},
    "dob_day_off": 0.015, "dob_swap": 0.02, "dob_year_off": 0.01,
    "charity_age_off": 0.08,
    "off_unknown": 0.07, "off_fore_only": 0.08, "off_street_only": 0.12, "off_initials": 0.04,
    "off_age_blank": 0.20, "off_age_band": 0.45,
}


def age_on(dob: dt.date, when: dt.date) -> int:
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))


def _dob_noise(rng: random.Random, dob: dt.date) -> dt.date:
    r = rng.random()
    if r < NOISE["dob_day_off"]:
        return dob + dt.timedelta(days=rng.choice([-1, 1]))
    r -= NOISE["dob_day_off"]
    if r < NOISE["dob_swap"] and dob.day <= 12 and dob.day != dob.month:
        return dt.date(dob.year, dob.day, dob.month)
    r -= NOISE["dob_swap"]
    if r < NOISE["dob_year_off"]:
        return dob.replace(year=dob.year + rng.choice([-1, 1])) if (dob.month, dob.day) != (2, 29) else dob
    return dob


def child_record(rng: random.Random, rep, layout: str) -> dict:
    """forename, surname, dob (a date or None), age at the case date, sex, ethnicity text."""
    c, kind = rep.child, rep.agency[2]
    fore, sur = c.forename, c.surname
    if c.new_surname:
        council = kind == "lscb"
        late = rep.case_date >= NOISE["new_surname_from"]
        if (council and rng.random() < NOISE["new_surname_council"]) or (late and rng.random() < NOISE["new_surname_late"]):
            sur = c.new_surname
    if "-" in sur and rng.random() < NOISE["double_barrel_one_part"]:
        sur = rng.choice(sur.split("-"))
    if fore in NICKNAMES and rng.random() < NOISE["nickname"][kind]:
        fore = NICKNAMES[fore]
    if rng.random() < NOISE["fore_typo"]:
        fore = typo(rng, fore)
    if rng.random() < NOISE["sur_typo"]:
        sur = typo(rng, sur)
    age = age_on(c.dob, rep.case_date)
    if kind == "ngo" and rng.random() < NOISE["charity_age_off"]:
        age += rng.choice([-1, 1])
    dob = None if rng.random() < NOISE["dob_blank"][layout] else _dob_noise(rng, c.dob)
    return {"fore": fore, "sur": sur, "dob": dob, "age": age, "sex": c.sex, "eth": c.eth,
            "culture": c.culture, "pid": c.pid}


def age_text(rng: random.Random, age: int) -> str:
    """An offender's age as an analyst sees it: exact, a band or a decade."""
    r = rng.random()
    if r < 0.4:
        lo = age - rng.randint(0, 3)
        return f"{lo}-{lo + 5}"
    if r < 0.7:
        return f"{age // 10 * 10}s"
    if r < 0.85:
        part = "early" if age % 10 < 4 else "mid" if age % 10 < 7 else "late"
        return f"{part} {age // 10 * 10}s"
    return f"{age}+"


def offender_record(rng: random.Random, o, when: dt.date) -> dict:
    """kind (full / fore / street / initials / unknown), its parts, and the age as written."""
    r = rng.random()
    if r < NOISE["off_unknown"]:
        kind = "unknown"
    elif (r := r - NOISE["off_unknown"]) < NOISE["off_fore_only"]:
        kind = "fore"
    elif o.street and (r := r - NOISE["off_fore_only"]) < NOISE["off_street_only"]:
        kind = "street"
    elif rng.random() < NOISE["off_initials"]:
        kind = "initials"
    else:
        kind = "full"
    age = age_on(o.dob, when)
    a = rng.random()
    if a < NOISE["off_age_blank"]:
        age_s = ""
    elif a < NOISE["off_age_blank"] + NOISE["off_age_band"]:
        age_s = age_text(rng, age)
    else:
        age_s = str(age)
    sur = typo(rng, o.surname) if rng.random() < NOISE["sur_typo"] else o.surname
    return {"kind": kind, "fore": o.forename, "sur": sur, "street": o.street, "age": age_s,
            "dob": o.dob, "sex": o.sex, "eth": o.eth, "pid": o.pid, "culture": o.culture}


def offender_name(rec: dict, style: str = "fore_sur") -> str:
    """One name cell for an offender record."""
    k = rec["kind"]
    if k == "unknown":
        return "Unknown male" if rec["sex"] == "M" else "Unknown female"
    if k == "fore":
        return rec["fore"]
    if k == "street":
        return rec["street"]
    if k == "initials":
        return f"{rec['fore'][0]}.{rec['sur'][0]}."
    if style == "sur_fore":
        return f"{rec['sur'].upper()} {rec['fore']}"
    if style == "quoted_street" and rec["street"]:
        return f"{rec['fore']} \"{rec['street']}\" {rec['sur']}"
    return f"{rec['fore']} {rec['sur']}"

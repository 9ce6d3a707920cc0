"""Write one return per agency in its layout, and the truth rows (file, sheet, row, person).

Six layouts, none like sample_returns/: a police occurrence workbook (one "SURNAME, Forename"
column, DOB as text), a police nominal csv (a role column, ISO or two-digit-year dates, "14 yrs"),
a council cohort workbook (two sheets, census labels), a council case-file csv (one name column,
continuation rows for extra perpetrators), a charity .ods (initials "J.S.", ages "14 yrs" / "15-16",
no dates) and a charity referral csv (initials "J S", age at referral, no dates, no title).
"""

from __future__ import annotations

import csv
import datetime as dt
import random

import openpyxl
from names import NICKNAMES, typo
from odswriter import write_ods
from world import Agency, Person, Report, World

MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
IC = {"w": "IC1", "i": "IC4", "p": "IC4", "k": "IC3", "m": "IC1", "o": "IC6"}
SDE = {"w": "W1", "i": "A1", "p": "A2", "k": "B1", "m": "M1", "o": "O9"}
CENSUS = {"w": "White: British", "i": "Asian/Asian British: Indian", "p": "Asian/Asian British: Pakistani",
          "k": "Black/Black British: Caribbean", "m": "Mixed: White and Black Caribbean", "o": "Other ethnic group"}
TEXT = {"w": "White British", "i": "Indian", "p": "Pakistani", "k": "Black Caribbean", "m": "Mixed", "o": "Other"}
NOTES = ["", "", "", "", "Known to CSE team", "Referred by school", "Strategy meeting held", "NFA",
         "Disclosed to youth worker", "Multi-agency meeting", "See linked occurrence", "Placed out of area"]


def age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class Renderer:
    """Per-record noise: what one agency wrote about one person."""

    def __init__(self, rng: random.Random, p: dict):
        self.rng, self.p = rng, p

    def names(self, person: Person, offender: bool = False) -> tuple[str, str]:
        rng, p = self.rng, self.p
        fore, sur = person.forename, person.surname
        if offender and person.alias and rng.random() < 0.5:
            fore = person.alias
        if rng.random() < p["p_nickname"] and fore in NICKNAMES:
            fore = NICKNAMES[fore]
        elif rng.random() < p["p_forename_typo"]:
            fore = typo(rng, fore)
        if "-" in sur and rng.random() < p["p_hyphen_part"]:
            sur = rng.choice(sur.split("-"))
        if rng.random() < p["p_surname_typo"]:
            sur = typo(rng, sur)
        return fore, sur

    def dob(self, d: dt.date, p_missing: float) -> dt.date | None:
        rng, p = self.rng, self.p
        if rng.random() < p_missing:
            return None
        r = rng.random()
        if r < p["p_dob_day"]:
            d2 = d + dt.timedelta(days=rng.choice([-1, 1]))
            return d2 if d2.month == d.month else d
        r -= p["p_dob_day"]
        if r < p["p_dob_swap"] and d.day <= 12 and d.day != d.month:
            return dt.date(d.year, d.day, d.month)
        r -= p["p_dob_swap"]
        if r < p["p_dob_year"]:
            return d.replace(year=d.year + rng.choice([-1, 1])) if not (d.month == 2 and d.day == 29) else d
        return d


def fmt(d: dt.date | None, style: str):
    if d is None:
        return ""
    return {"dotted": f"{d.day:02d}.{d.month:02d}.{d.year}", "slash": f"{d.day:02d}/{d.month:02d}/{d.year}",
            "slash2": f"{d.day}/{d.month}/{d.year % 100:02d}", "mon": f"{d.day:02d}-{MON[d.month - 1]}-{d.year}",
            "iso": d.isoformat(), "cell": d}[style]


def sex_word(s: str, style: str) -> str:
    return {"letter": s, "word": {"F": "Female", "M": "Male"}[s], "lower": {"F": "female", "M": "male"}[s]}[style]


class Sheet:
    """Rows of one sheet with their Excel row numbers, and truth rows for the records on them."""

    def __init__(self, name: str, rng: random.Random, p_blank: float = 0.01):
        self.name, self.rows, self.rng, self.p_blank = name, [], rng, p_blank
        self.truth: list[tuple[str, int, str]] = []   # (kind, row, person id)

    def add(self, cells: list, blank_ok: bool = True) -> int:
        if blank_ok and self.rng.random() < self.p_blank:
            self.rows.append([""] * len(cells))         # a blank row left in the middle of the data
        self.rows.append(cells)
        return len(self.rows)

    def record(self, kind: str, pid: str) -> None:
        self.truth.append((kind, len(self.rows), pid))


def occurrences_xlsx(agency: Agency, reports: list[Report], r: Renderer, out, style: str) -> list[Sheet]:
    rng = r.rng
    title = f"{agency.name} - Operation Lantern: CSE-flagged occurrences 1 January 2008 to 31 March 2011"
    vic, sus = Sheet("Victims", rng), Sheet("Suspects", rng)
    vic.rows += [[title], ["OFFICIAL - SENSITIVE. Extract for the CEOP thematic assessment."], [""]]
    vic.add(["Occ. No", "Date Recorded", "Victim (SURNAME, Forename)", "Birth date", "Gender",
             "Ethnic Appearance", "Missing Y/N", "Notes"], blank_ok=False)
    sus.rows += [[title], [""]]
    # "Alias": the street name of a man who has one (session 16: the mapping language has an alias
    # field); the last column, and no draw of the generator's, so every other cell is as before
    sus.add(["Occ. No", "Suspect", "Suspect DOB", "Age", "Sex", "Notes", "Alias"], blank_ok=False)
    prefix = agency.name[:2].upper()
    for n, rep in enumerate(sorted(reports, key=lambda x: x.case_date), 1):
        c, occ = rep.child, f"{prefix}/{n:05d}/{rep.case_date.year % 100:02d}"
        fore, sur = r.names(c)
        d = r.dob(c.dob, r.p["p_no_dob_police"])
        dstyle = style if style != "mixed" else rng.choice(["cell", "slash"])
        vic.add([occ, rep.case_date, f"{sur.upper()}, {fore}", fmt(d, dstyle),
                 sex_word(c.sex, "letter") if rng.random() > 0.03 else "", IC[c.ethnicity] if rng.random() > 0.2 else "",
                 rng.choice(["Y", "N", ""]) if not c.missing else "Y", rng.choice(NOTES)])
        vic.record("victims", c.pid)
        for o in rep.offenders:
            of, osur = r.names(o, offender=True)
            od = r.dob(o.dob, 1 - r.p["p_offender_dob"])
            age = str(age_on(o.dob, rep.case_date)) if od is None and rng.random() < 0.8 else ""
            sus.add([occ, f"{osur.upper()}, {of}", fmt(od, dstyle), age, o.sex, rng.choice(NOTES), o.alias or ""])
            sus.record("offenders", o.pid)
    vic.rows.append([""])
    vic.rows.append([f"Total victims: {len(reports)}"])
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sh in (vic, sus):
        ws = wb.create_sheet(sh.name)
        for row in sh.rows:
            ws.append([v if v != "" else None for v in row])
        for cell in ws["B"]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
        for cell in ws["C"]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    wb.save(out / agency.file)
    return [vic, sus]


def nominals_csv(agency: Agency, reports: list[Report], r: Renderer, out, style: str, world: World) -> list[Sheet]:
    rng = r.rng
    sh = Sheet("", rng, p_blank=0)
    sh.rows.append([f"{agency.name} nominals linked to CSE-flagged crimes, period: 01/01/2008 - 31/03/2011"])
    sh.add(["Crime Number", "Involvement", "Surname", "First Names", "Born", "Age at Offence", "Sex",
            "Self Defined Ethnicity", "Nominal No", "Comments"], blank_ok=False)
    nominal: dict[str, str] = {}

    def nom(pid: str) -> str:
        return nominal.setdefault(pid, f"N{rng.randrange(100000, 999999)}")
    for n, rep in enumerate(sorted(reports, key=lambda x: x.case_date), 1):
        crime = f"{agency.name[:3].upper()}{rep.case_date.year}{n:06d}"
        c = rep.child
        fore, sur = r.names(c)
        d = r.dob(c.dob, r.p["p_no_dob_police"])
        sh.add([crime, rng.choice(["Victim", "Victim", "Injured Party"]), sur, fore, fmt(d, style),
                f"{age_on(c.dob, rep.case_date)} yrs" if rng.random() < 0.7 else "", sex_word(c.sex, "word"),
                SDE[c.ethnicity] if rng.random() > 0.3 else "", nom(c.pid), rng.choice(NOTES)])
        sh.record("victims", c.pid)
        for o in rep.offenders:
            of, osur = r.names(o, offender=True)
            od = r.dob(o.dob, 1 - r.p["p_offender_dob"])
            age = f"{age_on(o.dob, rep.case_date)}" if rng.random() < 0.7 else ""
            sh.add([crime, rng.choice(["Suspect", "Suspect", "Offender"]), osur, of, fmt(od, style), age,
                    sex_word(o.sex, "word"), SDE[o.ethnicity] if rng.random() > 0.4 else "", nom(o.pid), ""])
            sh.record("offenders", o.pid)
        if rng.random() < 0.08:
            w = world.men.draw(rng), world.surnames.draw(rng)
            sh.add([crime, "Witness", w[1], w[0], "", "", "Male", "", f"N{rng.randrange(100000, 999999)}", ""])
        if rng.random() < 0.25:
            sh.rows.append([""] * 10)
    _write_csv(out / agency.file, sh.rows, encoding="cp1252" if "Fenland" in agency.name else "utf-8")
    return [sh]


def _write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)


def _approx_age(rng, age: int) -> str:
    k = rng.random()
    if k < 0.4:
        return str(age)
    if k < 0.6:
        return f"{age // 10 * 10}s"
    if k < 0.8:
        return f"{['early', 'mid', 'late'][min(age % 10 // 4, 2)]} {age // 10 * 10}s"
    return ""


def _perp_name(rng, p, r: Renderer, o: Person) -> str:
    k = rng.random()
    if k < p["p_unknown_male"]:
        return "Unknown male" if o.sex == "M" else "Unknown female"
    fore, sur = r.names(o, offender=True)
    return fore if k < 0.2 else f"{fore} {sur}"


def cohort_xlsx(agency: Agency, reports: list[Report], r: Renderer, out, mixed: bool) -> list[Sheet]:
    rng, p = r.rng, r.p
    vic, per = Sheet("CSE cohort", rng), Sheet("Perpetrators", rng)
    vic.rows += [[f"{agency.name} Children's Services"],
                 ["Children identified as at risk of or subject to CSE, 1 April 2008 to 31 March 2011"], [""]]
    vic.add(["Child ID", "Forename(s)", "Family name", "DOB", "Age at referral", "Referral received", "M/F",
             "Ethnic group", "Looked after (Y/N)", "Missing episodes", "Notes"], blank_ok=False)
    per.rows += [[f"{agency.name} - alleged perpetrators of children in the CSE cohort"], [""]]
    per.add(["Child ID", "Alleged perpetrator", "Approx. age", "M/F", "Notes", "Alias"], blank_ok=False)  # as above
    for rep in sorted(reports, key=lambda x: x.case_date):
        c, cid = rep.child, f"{rng.randrange(100000, 999999)}"
        when = max(rep.case_date, dt.date(2008, 4, 1))
        fore, sur = r.names(c)
        d = r.dob(c.dob, p["p_no_dob_council"])
        age = age_on(c.dob, when) if (d is None and rng.random() < 0.7) or rng.random() < 0.5 else ""
        vic.add([cid, fore, sur.upper() if rng.random() < 0.1 else sur,
                 fmt(d, rng.choice(["cell", "slash2"]) if mixed else "cell"), age, when,
                 c.sex if rng.random() > 0.02 else "", CENSUS[c.ethnicity] if rng.random() > 0.15 else "Not known",
                 ("Y" if c.looked_after else "N") if rng.random() > 0.2 else "",
                 c.missing if rng.random() > 0.3 else "", rng.choice(NOTES)])
        vic.record("victims", c.pid)
        for o in rep.offenders:
            name = _perp_name(rng, p, r, o)
            # no alias beside "Unknown male": the council names his street name only where it names him
            alias = o.alias if o.alias and not name.startswith("Unknown") else ""
            per.add([cid, name, _approx_age(rng, age_on(o.dob, when)), o.sex, "", alias])
            per.record("offenders", o.pid)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sh in (vic, per):
        ws = wb.create_sheet(sh.name)
        for row in sh.rows:
            ws.append([v if v != "" else None for v in row])
        for col in ("D", "F"):
            for cell in ws[col]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
    wb.save(out / agency.file)
    return [vic, per]


def casefile_csv(agency: Agency, reports: list[Report], r: Renderer, out) -> list[Sheet]:
    """One row per child; a second perpetrator goes on a continuation row under it (same Ref No)."""
    rng, p = r.rng, r.p
    sh = Sheet("", rng)
    sh.add(["Ref No", "Name", "D.O.B", "Age", "Date referred", "Gender", "Ethnicity", "LAC",
            "Alleged perpetrator", "Perpetrator age", "Notes"], blank_ok=False)
    for n, rep in enumerate(sorted(reports, key=lambda x: x.case_date), 1):
        c, ref = rep.child, f"CF{n:05d}"
        fore, sur = r.names(c)
        d = r.dob(c.dob, p["p_no_dob_council"])
        offs = rep.offenders or [None]
        for i, o in enumerate(offs):
            perp = [_perp_name(rng, p, r, o), _approx_age(rng, age_on(o.dob, rep.case_date))] if o else ["", ""]
            if i == 0:
                sh.add([ref, f"{sur.upper()}, {fore}", fmt(d, "slash"), age_on(c.dob, rep.case_date),
                        fmt(rep.case_date, "slash"), c.sex, TEXT[c.ethnicity] if rng.random() > 0.2 else "",
                        ("Y" if c.looked_after else "N") if rng.random() > 0.3 else "", *perp, rng.choice(NOTES)])
                sh.record("victims", c.pid)
            else:
                sh.add([ref, "", "", "", "", "", "", "", *perp, "further perpetrator"], blank_ok=False)
            if o:
                sh.record("offenders", o.pid)
    _write_csv(out / agency.file, sh.rows)
    return [sh]


def _charity_age(rng, p, c: Person, when: dt.date, style: str) -> str:
    age = age_on(c.dob, when) + (rng.choice([-1, 1]) if rng.random() < p["p_charity_age_off"] else 0)
    k = rng.random()
    if style == "ods":
        return f"{age} yrs" if k < 0.6 else f"{age}-{age + 1}" if k < 0.85 else str(age)
    return str(age) if k < 0.7 else f"{age}yrs"


def supported_ods(agency: Agency, reports: list[Report], r: Renderer, out) -> list[Sheet]:
    rng, p = r.rng, r.p
    sh = Sheet("Young people", rng)
    sh.rows += [[agency.name], ["Young people supported April 2008 - March 2011"], [""]]
    sh.add(["Our ref", "Initials", "Age", "M/F", "Missing from", "Worker notes"], blank_ok=False)
    for n, rep in enumerate(reports, 1):
        c = rep.child
        fore, sur = r.names(c)
        ini = f"{fore[0]}.{sur[0]}." if rng.random() < 0.8 else f"{fore[0]}{sur[0]}"
        miss = {0: "", 1: "Home", 2: "Home", 5: "Care", 12: "Home and care"}[c.missing] if rng.random() > 0.3 else ""
        sh.add([f"{agency.id[7:9].upper()}-{n:04d}", ini, _charity_age(rng, p, c, rep.case_date, "ods"),
                c.sex if rng.random() > 0.05 else "", miss, rng.choice(NOTES)])
        sh.record("victims", c.pid)
    write_ods(out / agency.file, {sh.name: sh.rows})
    return [sh]


def referrals_csv(agency: Agency, reports: list[Report], r: Renderer, out) -> list[Sheet]:
    rng, p = r.rng, r.p
    sh = Sheet("", rng)
    sh.add(["Young person", "Sex", "Age at referral", "Referred by", "Notes"], blank_ok=False)
    for rep in reports:
        c = rep.child
        fore, sur = r.names(c)
        sh.add([f"{fore[0]} {sur[0]}" if rng.random() < 0.7 else f"{fore[0]}{sur[0]}",
                sex_word(c.sex, "lower") if rng.random() > 0.05 else "",
                _charity_age(rng, p, c, rep.case_date, "csv"),
                rng.choice(["Police", "School", "Social care", "Self", "Parent", "Health"]), rng.choice(NOTES)])
        sh.record("victims", c.pid)
    _write_csv(out / agency.file, sh.rows)
    return [sh]

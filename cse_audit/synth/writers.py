"""Writers: one per layout family (police IC export, police flat export, council workbook,
council .xls, charity initials csv, charity ods), each writing an agency's cases in that
layout's own columns and words.

Separate from the generation phases because it draws from its own rng (`seed + 1`) and only
encodes records that are already decided; each writer notes where every record landed
(file, sheet, row) for the truth files.
"""

from __future__ import annotations

import random
from pathlib import Path

from .agencies import Agency
from .ethnicity import eth_raw
from .formats import _csv, _ods, _xls, _xlsx
from .model import Case, Rec
from .names import F_WHITE, M_WHITE, S_WHITE, initials


class _Writer:
    """Encodes each record's canonical values in one layout's words, with unknown tokens."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, options):
        return self.rng.choice(options)

    @staticmethod
    def raw(r: Rec, key: str, value):
        return r.raw[key] if r.raw and key in r.raw else value

    def sex(self, r: Rec, words: dict, unknown: list) -> str:
        return self.raw(r, "sex", words[r.sex] if r.sex != "Unknown" else self.pick(unknown))

    def eth(self, r: Rec, system: str) -> str:
        return self.raw(r, "ethnicity", eth_raw(system, r.eth, r.detail or r.person.detail, self.rng))

    def yn(self, value: str, yes, no, unknown: list) -> str:
        return yes if value == "Yes" else no if value == "No" else self.pick(unknown)

    def dob_text(self, r: Rec, fmt: str) -> str:
        if r.raw and "dob" in r.raw:
            return r.raw["dob"]
        return r.dob.strftime(fmt) if r.dob else ""


def _place(r: Rec, file: str, sheet: str, row: int) -> None:
    r.file, r.sheet, r.row = file, sheet, row


# How a nil return says so (settings.yaml `nil_markers`): a return with headers and no rows that says
# nothing is an empty template, not a nil return (session 17). Chosen by the agency's id, not drawn
# from the rng, so that the other returns are the same files whether or not an agency is nil.
NIL_NOTES = ["{name}: no relevant data held for the period requested",
             "NIL RETURN - {name} holds no cases for the period requested",
             "No cases to report ({name})"]


def nil_note(a: Agency, first: bool = False) -> str:
    """The title line of agency `a`'s nil return (`first`: always the first wording)."""
    return NIL_NOTES[0 if first else sum(map(ord, a.id)) % len(NIL_NOTES)].format(name=a.name)


def _noted(a: Agency, rows: list[list]) -> list[list]:
    """A sheet's rows under the nil return's note and a blank row when `a` has no cases."""
    return rows if a.cases else [[nil_note(a)], []] + rows


def write_police_ic(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    cases_h = ["Crime Ref", "Date Reported", "Offence Type", "Division"]
    vic_h = ["Victim Ref", "Crime Ref", "Forename", "Surname", "DOB", "Sex",
             "Officer Defined Ethnicity", "Missing Episodes"]
    off_h = ["Offender Ref", "Crime Ref", "Forename", "Surname", "DOB", "Age", "Sex",
             "Officer Defined Ethnicity", "Identified"]
    cases, vics, offs = [cases_h], [vic_h], [off_h]
    offences = ["Sexual activity with a child", "Rape of a child under 13",
                "Meeting a child following sexual grooming", "Child abduction",
                "Controlling child prostitution", "Trafficking within the UK for sexual exploitation",
                "Intelligence log"]
    for c in a.cases:
        cases.append([c.ref, c.date, w.pick(offences), f"{w.pick('ABCDEFGH')} Division"])
        if extra.get("case_without_ref") and len(cases) == 6:
            cases.append([None, c.date, "Intelligence log", "A Division"])
            extra["case_without_ref"](a.file_name, "Cases", len(cases))
        for r in c.victims:
            dob = r.raw["dob"] if r.raw and "dob" in r.raw else r.dob
            vics.append([r.ref, c.ref, r.forename, r.surname, dob,
                         w.sex(r, {"Female": "F", "Male": "M"}, ["", "U", "", "NK"]),
                         w.eth(r, "ic"), r.episodes])
            _place(r, a.file_name, "Victims", len(vics))
        for r in c.offenders:
            offs.append([r.ref, c.ref, r.forename, r.surname, r.dob, r.age,
                         w.sex(r, {"Female": "F", "Male": "M"}, ["", "U", ""]),
                         w.eth(r, "ic"), w.yn(r.ident, "Y", "N", ["", ""])])
            _place(r, a.file_name, "Offenders", len(offs))
    _xlsx(path, [("Cases", _noted(a, cases)), ("Victims", vics), ("Offenders", offs)], a.name)


FLAT_HEADERS = ["URN", "Occurrence Date", "Nominal ID", "Role", "Name", "Date of Birth", "Age",
                "Gender", "SDE", "Missing (Y/N)", "Missing From", "LAC", "Identified"]


def write_police_flat(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    as_xlsx = path.suffix == ".xlsx"
    rows = [FLAT_HEADERS]

    def d(x):
        return x if (as_xlsx or x is None or isinstance(x, str)) else x.isoformat()

    def person_row(r: Rec, c: Case | None, role: str) -> list:
        victim = r.person.kind == "victim"
        dob = r.raw["dob"] if r.raw and "dob" in r.raw else r.dob
        return [
            c.ref if c else None, d(c.date) if c else None, r.ref, role,
            f"{r.surname.upper()}, {r.forename}", d(dob), r.age,
            w.sex(r, {"Female": "F", "Male": "M"}, ["U", "", "U"]),
            w.eth(r, "16+1"),
            w.yn({"Reported missing": "Yes", "Not reported missing": "No"}.get(r.missing),
                 "Y", "N", ["", "NK", ""]) if victim else None,
            (r.mfrom if r.mfrom != "Unknown" else "") if victim else None,
            w.yn(r.lac, "Y", "N", ["", "", "NK"]) if victim else None,
            None if victim else w.yn(r.ident, "Y", "N", ["", ""]),
        ]

    for c in a.cases:
        for r in c.victims:
            rows.append(person_row(r, c, w.pick(["Victim", "Victim", "Injured party"])))
            _place(r, a.file_name, "csv" if not as_xlsx else "Export", len(rows))
        for r in c.offenders:
            rows.append(person_row(r, c, w.pick(["Suspect", "Suspect", "Offender", "Nominal"])))
            _place(r, a.file_name, "csv" if not as_xlsx else "Export", len(rows))
        if w.rng.random() < 0.08:   # witnesses are in the export too: skipped, never records
            a.skipped_rows += 1
            rows.append([c.ref, d(c.date), f"W{w.rng.randint(10000, 99999)}", "Witness",
                         f"{w.pick(S_WHITE).upper()}, {w.pick(F_WHITE + M_WHITE)}", None, None,
                         w.pick(["F", "M"]), "", None, None, None, None])
    if as_xlsx:
        _xlsx(path, [("Export", _noted(a, rows))], a.name)
    else:
        if not a.cases:   # a nil return: the header and no data rows, under a note
            rows = [[nil_note(a, first=True)], []] + rows
        _csv(path, rows, "utf-8-sig")


def write_lscb_workbook(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    head = ["Referral No", "Date of Referral", "Child's First Name", "Child's Surname", "D.O.B.",
            "Gender", "Ethnicity (18+1)", "Missing from home/care", "No. of Missing Episodes",
            "Looked After Child?"]
    rows = [[a.name] + [None] * 9,
            ["Child sexual exploitation: return to CEOP (cases since 1 January 2008)"] + [None] * 9,
            ["OFFICIAL - SENSITIVE: contains personal data"] + [None] * 9,
            ([None] if a.cases else [nil_note(a)]) + [None] * 9, head]
    perp_head = ["Referral No", "Perpetrator Name", "Gender", "Approx Age", "Ethnicity (18+1)",
                 "Identified?"]
    perps = [["Alleged perpetrators linked to the referrals"] + [None] * 5, [None] * 6, perp_head]
    for c in a.cases:
        for r in c.victims:
            if r.missing == "Reported missing":
                miss = r.mfrom if r.mfrom != "Unknown" else w.pick(["Yes", "Yes", "Missing"])
            elif r.missing == "Not reported missing":
                miss = w.pick(["No", "No", "Not missing"])
            else:
                miss = w.pick(["", "Not known", "", "unknown"])
            eps = r.episodes if r.missing != "Unknown" and w.rng.random() < 0.8 else None
            rows.append([c.ref, c.date, r.forename, r.surname, w.dob_text(r, "%d/%m/%Y"),
                         w.sex(r, {"Female": "Female", "Male": "Male"}, ["", "Not recorded"]),
                         w.eth(r, "18+1"), miss, eps,
                         w.yn(r.lac, "Yes", "No", ["Unknown", "", "Not known"])])
            _place(r, a.file_name, "CSE Referrals", len(rows))
        for r in c.offenders:
            age = None
            if r.age is not None:
                age = (f"{r.age}" if w.rng.random() < 0.6 else f"{r.age} yrs"
                       if w.rng.random() < 0.6 else f"{r.age}-{r.age + 5}")
            perps.append([c.ref, f"{r.forename} {r.surname}",
                          w.sex(r, {"Female": "Female", "Male": "Male"}, ["", "Not known"]), age,
                          w.eth(r, "18+1"), w.yn(r.ident, "Yes", "No", ["", "Unknown"])])
            _place(r, a.file_name, "Alleged Perpetrators", len(perps))
    merges = {"CSE Referrals": ["A1:J1", "A2:J2", "A3:J3"], "Alleged Perpetrators": ["A1:F1"]}
    _xlsx(path, [("CSE Referrals", rows), ("Alleged Perpetrators", perps)], a.name, merges=merges)


def write_lscb_xls(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    rows = [["Case ID", "Date Opened", "Surname", "Forename", "DoB", "Sex", "Ethnic Code",
             "Missing Episodes", "LAC"]]
    offs = [["Case ID", "Alleged Abuser", "Sex", "Age", "Ethnic Code"]]
    for c in a.cases:
        for r in c.victims:
            rows.append([int(c.ref), c.date, r.surname, r.forename, r.dob,
                         w.sex(r, {"Female": "Girl", "Male": "Boy"}, ["", ""]), w.eth(r, "nhs"),
                         r.episodes, w.yn(r.lac, "Yes", "No", ["", ""])])
            _place(r, a.file_name, "Sheet1", len(rows))
        for r in c.offenders:
            offs.append([int(c.ref), f"{r.surname.upper()}, {r.forename}",
                         w.sex(r, {"Female": "F", "Male": "M"}, ["", ""]), r.age, w.eth(r, "nhs")])
            _place(r, a.file_name, "Offenders", len(offs))
    _xls(path, [("Sheet1", _noted(a, rows)), ("Offenders", offs)])


NOTES = ["Met older males at a café in town", "Given mobile phone & £20 top-ups",
         "Found at address with older men", "Gifts: clothes, alcohol, £50 cash", "",
         "Disclosed to project worker", "Referred by school nurse", "", "Attends drop-in weekly",
         "Taken to parties out of area", "Prefers female worker", ""]


def write_ngo_csv(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    rows = [["Ref", "Date of referral", "Initials", "Age", "Gender", "Ethnicity", "Missing?",
             "In care?", "Notes"]]
    for c in a.cases:
        for r in c.victims:
            ini = initials(r.person.forename, r.person.surname)
            ini = w.pick([ini, ".".join(ini) + ".", ini])
            age = r.age
            age = "" if age is None else w.pick([f"{age}", f"{age}", f"{age} yrs"])
            age = w.raw(r, "age", age)   # an age band (profile "hard")
            miss = {"Reported missing": "Yes", "Not reported missing": "No"}.get(r.missing)
            rows.append([c.ref, "" if a.undated else c.date.strftime("%d/%m/%Y"), ini, age,
                         w.sex(r, {"Female": "F", "Male": "M"}, ["", "?"]), w.eth(r, "text"),
                         miss or w.pick(["N/K", "Don't know", ""]),
                         w.yn(r.lac, "Yes", "No", ["Don't know", "", "N/K"]), w.pick(NOTES)])
            _place(r, a.file_name, "csv", len(rows))
    _csv(path, _noted(a, rows), "cp1252")


def write_ngo_ods(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    rows = [["Client ID", "Referral Date", "Name", "Date of Birth", "Age", "Sex", "Ethnicity",
             "Reported Missing", "Looked After"]]
    perps = [["Client ID", "Perpetrator", "Sex", "Age", "Ethnicity"]]
    for c in a.cases:
        for r in c.victims:
            miss = {"Reported missing": "Yes", "Not reported missing": "No"}.get(r.missing)
            rows.append([c.ref, c.date, f"{r.forename} {r.surname}", w.dob_text(r, "%d/%m/%Y"),
                         r.age if r.dob is None or w.rng.random() < 0.7 else None,
                         w.sex(r, {"Female": "Female", "Male": "Male"}, ["", "Unknown"]),
                         w.eth(r, "any"), miss or w.pick(["", "Unknown"]),
                         w.yn(r.lac, "Yes", "No", ["", ""])])
            _place(r, a.file_name, "Young People", len(rows))
        for r in c.offenders:
            perps.append([c.ref, f"{r.forename} {r.surname}",
                          w.sex(r, {"Female": "Female", "Male": "Male"}, ["", "Unknown"]), r.age,
                          w.eth(r, "any")])
            _place(r, a.file_name, "Perpetrators", len(perps))
    _ods(path, [("Young People", _noted(a, rows)), ("Perpetrators", perps)])


WRITERS = {
    "police-ic-export": write_police_ic, "police-flat-export": write_police_flat,
    "lscb-workbook": write_lscb_workbook, "lscb-nhs-xls": write_lscb_xls,
    "ngo-initials-csv": write_ngo_csv, "ngo-ods": write_ngo_ods,
}

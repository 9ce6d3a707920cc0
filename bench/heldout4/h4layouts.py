"""The seven layouts of the fourth world: each writes one agency's return and its truth rows.

A writer gets the agency's reports and returns {sheet: rows} plus truth rows (sheet, row, group, kind,
person). Rows are lists of cells; row numbers are Excel's (1-based, title rows counted).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import openpyxl
from h4names import CULTURES
from h4render import age_at, age_band, age_text, child_dob, child_name, offender_age, offender_name
from h4world import PARAMS, Report

YEAR_SHEETS = {2008: "2008", 2009: "2009", 2010: "2010", 2011: "2011 (Jan-Mar)"}
PERIOD = "1 January 2008 to 31 March 2011"


class Out:
    """The rows of one return's sheets and the truth rows pointing into them."""

    def __init__(self) -> None:
        self.sheets: dict[str, list[list]] = {}
        self.truth: list[tuple] = []          # (sheet, row, group, kind, person_id)

    def add(self, sheet: str, row: list, people=()) -> int:
        rows = self.sheets.setdefault(sheet, [])
        rows.append(row)
        for group, kind, pid in people:
            self.truth.append((sheet, len(rows), group, kind, pid))
        return len(rows)


def _eth(rep: Report, form: str) -> str:
    c = "british" if rep.child.culture == "mixed" else rep.child.culture
    if rep.child.culture == "mixed":
        return {"census": "Mixed/multiple ethnic groups: White and Black Caribbean", "text": "Mixed",
                "ic": "IC3", "code": "M1"}[form]
    return {"census": CULTURES[c]["census"], "text": CULTURES[c]["text"], "ic": CULTURES[c]["ic"],
            "code": {"british": "W1", "welsh": "W1", "polish": "W9", "romanian": "W9", "traveller": "W9",
                     "somali": "B2", "southasian": "A2", "vietnamese": "A9"}[c]}[form]


def _d(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _sex(rep: Report, female: str = "F", male: str = "M") -> str:
    return female if rep.child.female else male


def police_yearly(rng: random.Random, reps: list[Report]) -> Out:
    """Flat people sheets, one per year; a title block of five rows; a totals footer per sheet."""
    out = Out()
    name = reps[0].agency.name
    by_year: dict[str, list[Report]] = {}
    for r in sorted(reps, key=lambda r: r.case_date):
        by_year.setdefault(YEAR_SHEETS[r.case_date.year], []).append(r)
    for sheet in YEAR_SHEETS.values():
        for row in ([name], ["Child sexual exploitation: return to the national assessment"],
                    [f"Period: {PERIOD}"], ["Produced by: Performance Unit, 14/04/2011"], []):
            out.add(sheet, row)
        out.add(sheet, ["URN", "Date Recorded", "Role", "Name", "DOB", "Age", "Gender", "IC Code",
                        "Missing Episodes", "Notes"])
        n_vic = 0
        for i, rep in enumerate(by_year.get(sheet, [])):
            urn = f"{rep.agency.id[10:13].upper()}/{rep.case_date.year}/{rep.case_ref}"
            fore, sur = child_name(rng, rep)
            if rep.child.culture == "vietnamese" and rng.random() < PARAMS["viet_family_first"]:
                full = f"{sur} {fore}"                      # family name first, no comma, no capitals
            else:
                full = f"{sur.upper()}, {fore}"
            dob = None if rng.random() < PARAMS["police_dob_blank"] else child_dob(rng, rep.child)
            age = age_text(rng, age_at(rep.child.dob, rep.case_date)) if (
                dob is None and rng.random() < PARAMS["police_age_when_blank"]) else ""
            out.add(sheet, [urn, _d(rep.case_date), "Victim", full, _d(dob), age, _sex(rep, "Female", "Male"),
                            _eth(rep, "ic"), str(rng.randint(0, 6)), ""], [("", "victims", rep.child.pid)])
            n_vic += 1
            for o in rep.offenders:
                f, s, how = offender_name(rng, o, "police")
                cell = {"unknown": "Unknown male", "forename": f, "street": f}.get(how, f"{s.upper()}, {f}")
                if how == "full" and o.street and rng.random() < PARAMS["street_in_brackets"]:
                    cell += f" ({o.street})"
                odob = child_dob(rng, o) if rng.random() < PARAMS["offender_dob_given"]["h4-police-yearly"] else None
                oage = "" if odob else offender_age(rng, o, rep.case_date)
                out.add(sheet, [urn, _d(rep.case_date), "Suspect", cell, _d(odob), oage,
                                "Female" if o.female else "Male", CULTURES[o.culture]["ic"], "", ""],
                        [("", "offenders", o.pid)])
            if rng.random() < PARAMS["witness_row"]:
                out.add(sheet, [urn, _d(rep.case_date), "Witness", f"{rep.child.surname.upper()}, Susan", "", "",
                                "Female", "", "", "mother"])
            if rng.random() < PARAMS["blank_row"] and i:
                out.add(sheet, [])
        out.add(sheet, [f"Total victims: {n_vic}"])
    return out


def police_crimes_csv(rng: random.Random, reps: list[Report]) -> Out:
    """One row per crime (cp1252 csv): the victim and up to two suspects in numbered columns."""
    out = Out()
    head = ["Crime Number", "Date Reported", "Offence", "Victim Surname", "Victim Forename", "Victim DOB",
            "Victim Age", "Victim Sex", "Victim Ethnicity"]
    for n in (1, 2):
        head += [f"Suspect {n} Name", f"Suspect {n} Alias", f"Suspect {n} Age", f"Suspect {n} DOB"]
    out.add("csv", head)
    for rep in sorted(reps, key=lambda r: r.case_date):
        fore, sur = child_name(rng, rep)
        dob = None if rng.random() < PARAMS["police_dob_blank"] else child_dob(rng, rep.child)
        age = age_text(rng, age_at(rep.child.dob, rep.case_date)) if (
            dob is None or rng.random() < PARAMS["police_age_with_dob"]) else ""
        offence = rng.choice(("Sexual activity with a child \u2013 \u2018gifts\u2019 worth \u00a320",
                              "Rape of a child under 13", "Meeting a child following sexual grooming",
                              "Child abduction \u201cparty\u201d at a flat", "Sexual activity with a child"))
        row = [f"{rep.case_date:%y}/{rep.case_ref}", _d(rep.case_date), offence, sur, fore, _d(dob), age,
               _sex(rep), _eth(rep, "code")]
        people = [("", "victims", rep.child.pid)]
        for n, o in enumerate(rep.offenders[:2], 1):
            f, s, how = offender_name(rng, o, "police")
            cell = {"unknown": "Unknown male", "forename": f, "street": ""}.get(how, f"{f} {s}")
            alias = o.street if o.street and (how == "street" or rng.random() < PARAMS["alias_column_filled"]) else ""
            odob = child_dob(rng, o) if rng.random() < PARAMS["offender_dob_given"]["h4-police-crimes-csv"] else None
            row += [cell, alias, "" if odob else offender_age(rng, o, rep.case_date), _d(odob)]
            people.append((str(n), "offenders", o.pid))
        row += [""] * (len(head) - len(row))
        out.add("csv", row, people)
        if rng.random() < PARAMS["blank_row"]:
            out.add("csv", [])
    return out


def police_by_offender(rng: random.Random, reps: list[Report]) -> Out:
    """One row per offender (a nominal), his victims in four numbered column groups; a title block of
    four rows; children with no known offender under an 'Unknown' nominal row."""
    out = Out()
    sheet = "Nominals"
    for row in ([reps[0].agency.name], ["CSE nominals and linked victims"], [f"Reporting period: {PERIOD}"], []):
        out.add(sheet, row)
    head = ["Nominal Ref", "Offender Surname", "Offender Forename", "Aliases / street names", "Offender DOB",
            "Offender Age", "Offender IC"]
    for n in range(1, 5):
        head += [f"Victim {n} Name", f"Victim {n} DOB", f"Victim {n} Age", f"Victim {n} Sex"]
    out.add(sheet, head)
    victims_of: dict[str, list[Report]] = {}
    offenders = {}
    unknown: list[Report] = []
    for rep in reps:
        for o in rep.offenders:
            offenders[o.pid] = o
            if all(r.child.pid != rep.child.pid for r in victims_of.get(o.pid, [])):
                victims_of.setdefault(o.pid, []).append(rep)
        if not rep.offenders:
            unknown.append(rep)
    rows = [(offenders[p], v) for p, v in victims_of.items()] + [(None, unknown)]
    for k, (o, vreps) in enumerate(rows, 1):
        for start in range(0, len(vreps), 4):
            if o is None:
                cells, people = [f"UNK-{start // 4 + 1:03d}", "Unknown", "Male", "", "", "", ""], []
            else:
                f, s, how = offender_name(rng, o, "police")
                f, s = ("Unknown", "Male") if how == "unknown" else (f, s)
                dob = child_dob(rng, o) if rng.random() < PARAMS["offender_dob_given"]["h4-police-by-offender"] else None
                cells = [f"N{k:05d}", s.upper(), f, o.street or "", _d(dob),
                         "" if dob else str(age_at(o.dob, vreps[0].case_date)), CULTURES[o.culture]["ic"]]
                people = [("", "offenders", o.pid)]
            for n, rep in enumerate(vreps[start:start + 4], 1):
                fore, sur = child_name(rng, rep)
                dob = None if rng.random() < PARAMS["police_dob_blank"] else child_dob(rng, rep.child)
                cells += [f"{fore} {sur.upper()}", _d(dob), str(age_at(rep.child.dob, rep.case_date)), _sex(rep)]
                people.append((str(n), "victims", rep.child.pid))
            out.add(sheet, cells + [""] * (len(head) - len(cells)), people)
    out.add(sheet, [f"Total nominals: {len(rows)}"])
    return out


def council_referrals(rng: random.Random, reps: list[Report]) -> Out:
    """Referrals (one row per referral, a Child ID, DOB as a date cell or text) and perpetrators sheets."""
    out = Out()
    out.add("Referrals", [f"{reps[0].agency.name}: CSE referrals {PERIOD}"])
    out.add("Referrals", ["Referral No", "Child ID", "Date of referral", "First Name", "Last Name", "DOB",
                          "Age at referral", "Gender", "Ethnicity", "LAC", "Missing episodes", "Area"])
    out.add("Alleged perpetrators", ["Referral No", "Perpetrator name", "Age", "Gender"])
    ids: dict[str, str] = {}
    for rep in sorted(reps, key=lambda r: r.case_date):
        cid = ids.setdefault(rep.child.pid, f"CH{len(ids) + 1:05d}")
        ref = f"R{rep.case_date:%y}-{rep.case_ref}"
        fore, sur = child_name(rng, rep)
        age_n = age_at(rep.child.dob, rep.case_date)
        r = rng.random()
        lr = PARAMS
        if r < lr["council_dob_unknown_text"]:
            dob, age = f"DOB unknown, approx {age_n}", f"approx {age_n}"
        elif r < lr["council_dob_unknown_text"] + lr["council_dob_blank"]:
            dob, age = "", age_text(rng, age_n)
        elif r < lr["council_dob_unknown_text"] + lr["council_dob_blank"] + lr["council_placeholder"]:
            dob, age = dt.date(rep.child.dob.year, 1, 1), age_text(rng, age_n)
        else:
            dob, age = child_dob(rng, rep.child), age_text(rng, age_n)
        out.add("Referrals", [ref, cid, rep.case_date, fore, sur, dob, age, _sex(rep, "Female", "Male"),
                              _eth(rep, "census"), "Y" if rng.random() < lr["lac"] else "N",
                              rng.randint(0, 9) if rng.random() < lr["missing"] else 0,
                              rep.child.area2 if rep.second_area else rep.child.area],
                [("", "victims", rep.child.pid)])
        for o in rep.offenders:
            f, s, how = offender_name(rng, o, "lscb")
            name = {"unknown": "Unknown male", "forename": f, "street": f}.get(how, f"{f} {s}")
            out.add("Alleged perpetrators", [ref, name, offender_age(rng, o, rep.case_date),
                                             "F" if o.female else "M"], [("", "offenders", o.pid)])
    out.add("Referrals", [f"Total referrals: {len(reps)}"])
    return out


def council_children_csv(rng: random.Random, reps: list[Report]) -> Out:
    """One row per child (the first referral), 'SURNAME, Forename', two-digit-year DOBs, free-text
    ethnicity, up to three perpetrators in numbered columns; three title lines."""
    out = Out()
    for row in ([reps[0].agency.name], ["Children at risk of sexual exploitation, April 2008 - March 2011"], []):
        out.add("csv", row)
    head = ["Ref", "Child's name", "D.O.B", "Age", "Gender", "Ethnicity", "Missing from"]
    for n in (1, 2, 3):
        head += [f"Perpetrator {n} Name", f"Perpetrator {n} Age"]
    out.add("csv", head)
    seen = set()
    for rep in sorted(reps, key=lambda r: r.case_date):
        if rep.child.pid in seen:
            continue
        seen.add(rep.child.pid)
        fore, sur = child_name(rng, rep)
        age_n = age_at(rep.child.dob, rep.case_date)
        if rng.random() < PARAMS["council_dob_unknown_text"]:
            dob, age = "unknown - approx " + str(age_n), ""
        else:
            d = child_dob(rng, rep.child)
            dob, age = d.strftime("%d/%m/%y"), age_text(rng, age_n) if rng.random() < PARAMS["council_csv_age"] else ""
        miss = rng.choice(("Home", "Care", "Home and care", "Not missing", "Not missing", ""))
        row = [f"{len(seen):04d}", f"{sur.upper()}, {fore}", dob, age, _sex(rep), _eth(rep, "text"), miss]
        people = [("", "victims", rep.child.pid)]
        for n, o in enumerate(rep.offenders[:3], 1):
            f, s, how = offender_name(rng, o, "lscb")
            row += [{"unknown": "Unknown male", "forename": f, "street": f}.get(how, f"{f} {s}"),
                    offender_age(rng, o, rep.case_date)]
            people.append((str(n), "offenders", o.pid))
        out.add("csv", row + [""] * (len(head) - len(row)), people)
        if rng.random() < PARAMS["blank_row"]:
            out.add("csv", [])
    return out


def charity_initials(rng: random.Random, reps: list[Report]) -> Out:
    """Young people by initials only (no names, no DOB), an age or band, month first seen; a footer."""
    out = Out()
    out.add("csv", [f"{reps[0].agency.name} - young people supported (initials only for confidentiality)"])
    out.add("csv", ["YP initials", "Age", "Gender", "Area", "Month first seen", "Referred by"])
    for rep in reps:
        fore, sur = child_name(rng, rep)
        ini = fore[0] + sur[0]
        ini = f"{ini[0]}.{ini[1]}." if rng.random() < PARAMS["initials_dotted"] else ini.upper()
        out.add("csv", [ini, age_band(rng, age_at(rep.child.dob, rep.case_date)), _sex(rep),
                        rep.child.area2 if rep.second_area else rep.child.area, rep.case_date.strftime("%b-%y"),
                        rng.choice(("School", "Police", "Self", "Social care", "Parent"))],
                [("", "victims", rep.child.pid)])
    out.add("csv", [f"Total young people: {len(reps)}"])
    return out


def charity_casework(rng: random.Random, reps: list[Report]) -> Out:
    """A two-row header (YOUNG PERSON / REFERRAL cells over their columns); names with accents kept;
    DOB for some, an age for all; one row per young person."""
    out = Out()
    sheet = "Casework"
    out.add(sheet, [f"{reps[0].agency.name}: young people at risk of CSE"])
    out.add(sheet, ["", "YOUNG PERSON", "", "", "", "", "", "REFERRAL", ""])
    out.add(sheet, ["Case", "Name", "Known as", "DOB", "Age", "Gender", "Ethnicity", "Date", "Missing?"])
    for i, rep in enumerate(reps, 1):
        fore, sur = child_name(rng, rep)
        dob = child_dob(rng, rep.child) if rng.random() < PARAMS["charity_dob_given"] else None
        out.add(sheet, [f"RT{i:04d}", f"{fore} {sur}", rng.choice(("", "", fore[:3])), dob,
                        age_text(rng, age_at(rep.child.dob, rep.case_date)), _sex(rep, "Female", "Male"),
                        _eth(rep, "text"), rep.case_date, rng.choice(("Yes", "No", "", "Don't know"))],
                [("", "victims", rep.child.pid)])
    return out


WRITERS = {"h4-police-yearly": police_yearly, "h4-police-crimes-csv": police_crimes_csv,
           "h4-police-by-offender": police_by_offender, "h4-council-referrals": council_referrals,
           "h4-council-children-csv": council_children_csv, "h4-charity-initials": charity_initials,
           "h4-charity-casework": charity_casework}
CSV_ENCODING = {"h4-police-crimes-csv": "cp1252", "h4-council-children-csv": "utf-8",
                "h4-charity-initials": "utf-8-sig"}


def save(out: Out, path: Path, layout: str) -> None:
    """Write the sheets (xlsx) or the one sheet (csv in the layout's encoding)."""
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding=CSV_ENCODING[layout], errors="replace") as f:
            csv.writer(f).writerows(out.sheets["csv"])
        return
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in out.sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
            for c in ws[ws.max_row]:
                if isinstance(c.value, dt.date):
                    c.number_format = "dd/mm/yyyy"
    wb.save(path)

"""The seven layouts of the fifth held-out world. Each turns one agency's reports into a workbook spec
(h5write.py) and truth rows for victims and offenders: (Excel row, column group, person id) on the
layout's one sheet, or (sheet, Excel row, column group, person id)."""

from __future__ import annotations

import datetime as dt
import random

from h5names import NICKNAMES
from h5record import child_record, offender_name, offender_record
from h5world import AREAS

IC = {"british": "IC1", "gypsy_traveller": "IC1", "roma": "IC1", "albanian": "IC2", "kurdish": "IC6",
      "eritrean": "IC3", "west_african": "IC3", "chinese": "IC5"}
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
LAYOUT_RATES = {"all_caps_ods": 0.20, "upper_surname_ods": 0.50, "month_as_name": 0.5,
                "dob_text_age": 0.5, "school_year": 0.6, "notes_dob": 0.4, "caps_multi": 0.3,
                "initials_dotted": 0.5, "age_yrs": 0.3, "first_contact": 0.6, "witness": 0.15,
                "quoted_street": 0.3, "kinship_notes_dob": 0.5, "known_as": 0.4, "chinese_given_first": 0.4}


def excel_serial(d: dt.date) -> int:
    return (d - dt.date(1899, 12, 30)).days


def school_year(dob: dt.date, when: dt.date) -> str:
    """The English school year a child born on dob is in on date when (Year 7 is 11 at 1 September)."""
    sept = when.year if when.month >= 9 else when.year - 1
    age_at_sept = sept - dob.year - ((dob.month, dob.day) > (9, 1))
    return f"Year {age_at_sept - 4}"


def _sur_fore(rec: dict, rng: random.Random) -> str:
    """'Surname Forename' with no comma: upper-case surname, or the whole name in capitals."""
    r = rng.random()
    if r < LAYOUT_RATES["all_caps_ods"]:
        return f"{rec['sur']} {rec['fore']}".upper()
    if r < LAYOUT_RATES["all_caps_ods"] + LAYOUT_RATES["upper_surname_ods"]:
        return f"{rec['sur'].upper()} {rec['fore']}"
    return f"{rec['sur']} {rec['fore']}"


def _fore_sur(rec: dict, rng: random.Random, caps: float = 0.0) -> str:
    if rec["culture"] == "chinese" and rng.random() > LAYOUT_RATES["chinese_given_first"]:
        name = f"{rec['sur']} {rec['fore']}"  # family name first, as the child gives it
    else:
        name = f"{rec['fore']} {rec['sur']}"
    return name.upper() if rng.random() < caps else name


def _title(agency: tuple, text: str) -> list[list]:
    return [[f"{agency[1]} - {text}"]]


def police_ods(agency, reports, rng):
    """One row per crime; a two-row header with merged CRIME / VICTIM / SUSPECTS cells; 'Surname
    Forename' with no comma; the DOB over Day / Month / Year columns; up to three suspects per row."""
    rows = _title(agency, "CSE crimes") + [["Period: 1 January 2008 to 31 March 2011"], []]
    rows.append(["CRIME", None, "VICTIM", None, None, None, None, None, "SUSPECTS", None, None, None, None, None])
    rows.append(["Crime Ref", "Date Recorded", "Name (Surname Forename)", "Day", "Month", "Year", "Sex", "IC",
                 "Suspect 1 Name", "Suspect 1 Age", "Suspect 2 Name", "Suspect 2 Age", "Suspect 3 Name",
                 "Suspect 3 Age"])
    merges = [(3, 0, 3, 1), (3, 2, 3, 7), (3, 8, 3, 13)]
    tv, to = [], []
    for rep in reports:
        rec = child_record(rng, rep, "police_ods")
        d = rec["dob"]
        month = (MONTHS[d.month - 1] if rng.random() < LAYOUT_RATES["month_as_name"] else d.month) if d else None
        row = [f"{agency[0][10:13].upper()}/{rep.case_ref}/{rep.case_date:%y}", rep.case_date, _sur_fore(rec, rng),
               d.day if d else None, month, d.year if d else None, rec["sex"], IC[rec["culture"]]]
        rn = len(rows) + 1
        for n, o in enumerate(rep.offenders[:3], start=1):
            orec = offender_record(rng, o, rep.case_date)
            row += [offender_name(orec, "sur_fore"), orec["age"]]
            to.append((rn, str(n), o.pid))
        row += [None] * (14 - len(row))
        rows.append(row)
        tv.append((rn, "", rec["pid"]))
    rows += [[], [f"Total crimes: {len(reports)}"]]
    return "ods", [{"name": "Crimes", "rows": rows, "merges": merges}], "Crimes", tv, to


def police_xls(agency, reports, rng):
    """Legacy .xls, one row per crime and suspect (the victim repeated on each), merged group cells."""
    rows = [[agency[1]], ["CSE-flagged crimes 01/01/2008 - 31/03/2011"], []]
    rows.append(["CRIME", None, "VICTIM", None, None, None, None, None, "SUSPECT", None, None])
    rows.append(["Crime No", "Reported", "Surname", "Forename", "DOB", "Age", "Sex", "Ethnicity", "Name", "Age",
                 "Sex"])
    merges = [(3, 0, 3, 1), (3, 2, 3, 7), (3, 8, 3, 10)]
    tv, to = [], []
    for rep in reports:
        rec = child_record(rng, rep, "police_xls")
        crime = f"{rep.case_ref}/{rep.case_date:%Y}"
        victim = [crime, rep.case_date, rec["sur"].upper(), rec["fore"], rec["dob"], rec["age"],
                  {"F": "Female", "M": "Male"}[rec["sex"]], IC[rec["culture"]]]
        for o in rep.offenders or [None]:
            rn = len(rows) + 1
            if o is None:
                rows.append(victim + [None, None, None])
            else:
                orec = offender_record(rng, o, rep.case_date)
                rows.append(victim + [offender_name(orec, "sur_fore"), orec["age"], orec["sex"]])
                to.append((rn, "", o.pid))
            tv.append((rn, "", rec["pid"]))
    rows += [[], ["End of report"]]
    return "xls", [{"name": "CSE Victims", "rows": rows, "merges": merges}], "CSE Victims", tv, to


def police_csv(agency, reports, rng):
    """A flat csv, one row per person per occurrence with a Role column; ISO dates; witnesses (a parent)."""
    rows = [["Occurrence", "Reported", "Role", "Surname", "Forename", "DOB", "Age", "Gender", "Ethnicity",
             "Nickname"]]
    tv, to = [], []
    for rep in reports:
        rec = child_record(rng, rep, "police_csv")
        occ = f"OCC-{rep.case_ref}"
        when = rep.case_date.isoformat()
        rows.append([occ, when, "Victim", rec["sur"], rec["fore"], rec["dob"].isoformat() if rec["dob"] else "",
                     rec["age"], {"F": "F", "M": "M"}[rec["sex"]], rec["eth"], ""])
        tv.append((len(rows), "", rec["pid"]))
        for o in rep.offenders:
            orec = offender_record(rng, o, rep.case_date)
            k = orec["kind"]
            sur = {"full": orec["sur"], "unknown": "Male" if orec["sex"] == "M" else "Female"}.get(k, "")
            fore = {"unknown": "Unknown", "street": f'"{orec["street"]}"', "initials": ""}.get(k, orec["fore"])
            if k == "initials":
                fore, sur = orec["fore"][0], orec["sur"][0]
            nick = orec["street"] if k == "full" and orec["street"] else ""
            rows.append([occ, when, "Suspect", sur, fore, "", orec["age"], orec["sex"], orec["eth"], nick])
            to.append((len(rows), "", o.pid))
        if rng.random() < LAYOUT_RATES["witness"]:
            rows.append([occ, when, "Witness", rec["sur"], rng.choice(["Karen", "Tracey", "Lisa", "Michelle"]),
                         "", "", "F", rec["eth"], ""])
    return "csv", [{"name": "csv", "rows": rows}], "csv", tv, to


def council_csv(agency, reports, rng):
    """One row per referral, a Child ID, Excel serial dates, 'Surname Forename', 'DOB not known (15)'."""
    rows = [["Referral ID", "Child ID", "Referral Date", "Child Name", "Date of Birth", "Gender", "Ethnicity",
             "Looked After", "Missing", "Alleged perpetrator 1", "Perpetrator 1 age", "Alleged perpetrator 2",
             "Perpetrator 2 age"]]
    ids: dict[str, str] = {}
    tv, to = [], []
    for rep in reports:
        rec = child_record(rng, rep, "council_csv")
        cid = ids.setdefault(rec["pid"], f"{agency[0][11:14].upper()}{len(ids) + 1000:05d}")
        if rec["dob"]:
            dob = excel_serial(rec["dob"])
        else:
            dob = f"DOB not known ({rec['age']})" if rng.random() < LAYOUT_RATES["dob_text_age"] else ""
        name = f"{rec['sur']} {rec['fore']}" if rng.random() < 0.7 else f"{rec['sur'].upper()} {rec['fore']}"
        row = [f"R{rep.case_ref}", cid, excel_serial(rep.case_date), name, dob,
               {"F": "Female", "M": "Male"}[rec["sex"]], rec["eth"], rng.choice(["Y", "N", "N"]),
               rng.choice(["Yes", "No", "No", "Not known"])]
        rn = len(rows) + 1
        for n, o in enumerate(rep.offenders[:2], start=1):
            orec = offender_record(rng, o, rep.case_date)
            row += [offender_name(orec), orec["age"]]
            to.append((rn, str(n), o.pid))
        rows.append(row + [""] * (13 - len(row)))
        tv.append((rn, "", rec["pid"]))
    return "csv", [{"name": "csv", "rows": rows}], "csv", tv, to


def multi_xlsx(agency, reports, rng, split: bool = False):
    """Small agencies' workbook: children on top, a blank row, then 'Adults of concern' below on the same
    sheet (split: on a sheet of its own, as an analyst would move it); school year or age; a Notes column
    that sometimes holds the DOB; merged title cells."""
    rows = _title(agency, "return to the CSE audit") + [["Reporting period: April 2008 - March 2011"], []]
    rows.append(["Ref", "Name", "School year / age", "DOB", "Notes", "Gender", "Ethnicity", "Date of concern"])
    tv, to, adults = [], [], []
    for i, rep in enumerate(reports, start=1):
        rec = child_record(rng, rep, "multi_xlsx")
        age = school_year(rep.child.dob, rep.case_date) if rng.random() < LAYOUT_RATES["school_year"] and \
            rec["age"] <= 16 else str(rec["age"])
        notes = ""
        if rec["dob"] is None and rng.random() < LAYOUT_RATES["notes_dob"]:
            notes = f"DOB {rep.child.dob:%d.%m.%y} per school; " + rng.choice(["known to CSC", "refused CAMHS", ""])
        elif rng.random() < 0.3:
            notes = rng.choice(["LAC", "missing x3", "excluded from school", "sibling also known"])
        rows.append([f"{i:04d}", _fore_sur(rec, rng, LAYOUT_RATES["caps_multi"]), age, rec["dob"], notes,
                     {"F": "Female", "M": "Male"}[rec["sex"]], rec["eth"], rep.case_date])
        tv.append(("Return", len(rows), "", rec["pid"]))
        for o in rep.offenders[:2]:
            adults.append((i, offender_record(rng, o, rep.case_date)))
    sheets = [{"name": "Return", "rows": rows, "merges": [(0, 0, 0, 7), (1, 0, 1, 7)]}]
    if split:
        arows, asheet = [], "Adults of concern"
        sheets.append({"name": asheet, "rows": arows})
    else:
        rows += [[], ["Adults of concern"]]
        arows, asheet = rows, "Return"
    arows.append(["Child ref", "Adult name", "Age", "Gender", "Relationship"])
    for i, orec in adults:
        arows.append([f"{i:04d}", offender_name(orec), orec["age"], orec["sex"],
                      rng.choice(["boyfriend", "associate", "unknown", "older male"])])
        to.append((asheet, len(arows), "", orec["pid"]))
    return "xlsx", sheets, "Return", tv, to


def charity_csv(agency, reports, rng):
    """Initials and an age only; month of first contact or none; a title line with the period; BOM."""
    rows = [[f"{agency[1]} - young people supported 1 January 2008 to 31 March 2011"], [],
            ["ID", "Initials", "Age", "Gender", "Area", "First contact"]]
    tv = []
    for i, rep in enumerate(reports, start=1):
        rec = child_record(rng, rep, "charity_csv")
        sur = rec["sur"].split("-")[0]
        ini = f"{rec['fore'][0]}.{sur[0]}." if rng.random() < LAYOUT_RATES["initials_dotted"] else \
            f"{rec['fore'][0]}{sur[0]}"
        age = f"{rec['age']} yrs" if rng.random() < LAYOUT_RATES["age_yrs"] else str(rec["age"])
        first = f"{MONTHS[rep.case_date.month - 1]} {rep.case_date.year}" \
            if rng.random() < LAYOUT_RATES["first_contact"] else ""
        rows.append([f"YP{i:04d}", ini, age, rec["sex"], AREAS[rep.child.area], first])
        tv.append((len(rows), "", rec["pid"]))
    rows += [[], [f"Total young people: {len(reports)}"]]
    return "csv", [{"name": "csv", "rows": rows}], "csv", tv, []


def charity_ods(agency, reports, rng):
    """A traveller-support charity's ods: full names, a 'Known as' column, the DOB only in Notes."""
    rows = [["Young people we supported (CSE concerns)"],
            ["Name", "Known as", "Age", "Gender", "Notes", "Area", "Date referred"]]
    tv = []
    for rep in reports:
        rec = child_record(rng, rep, "charity_ods")
        known = NICKNAMES.get(rec["fore"], "") if rng.random() < LAYOUT_RATES["known_as"] else ""
        notes = ""
        if rng.random() < LAYOUT_RATES["kinship_notes_dob"]:
            d = rec["dob"] or rep.child.dob
            notes = f"born {d.day}/{d.month}/{d.year}, " + rng.choice(["on site", "housed", "roadside"])
        else:
            notes = rng.choice(["dob unknown", "family moved on", ""])
        rows.append([f"{rec['fore']} {rec['sur']}", known, rec["age"], {"F": "Girl", "M": "Boy"}[rec["sex"]],
                     notes, AREAS[rep.child.area], rep.case_date])
        tv.append((len(rows), "", rec["pid"]))
    return "ods", [{"name": "Young people", "rows": rows}], "Young people", tv, []


LAYOUTS = {"police_ods": police_ods, "police_xls": police_xls, "police_csv": police_csv,
           "council_csv": council_csv, "multi_xlsx": multi_xlsx, "charity_csv": charity_csv,
           "charity_ods": charity_ods}

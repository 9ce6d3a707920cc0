"""Six layouts of return for the third held-out world. Each writer takes an agency's records and
writes one file, returning the truth rows (file_name, sheet, row_number, person_id) per kind.

None of them is like sample_returns/ or bench/heldout: a police crime export with a two-row merged
header (xlsx, and one force on legacy .xls), a police involvements csv with a role column (one force
in US date order), council referral workbooks (one row per referral, a second sheet of alleged
perpetrators; one council's names swapped between the columns), council case lists in .ods re-keyed
from paper, a charity list of "first name + surname initial", and a charity list of initials with
01/01/YYYY placeholder dates of birth.
"""

from __future__ import annotations

import csv
import datetime as dt
import random

import openpyxl
from h3ods import write_ods
from h3world import Agency
from openpyxl.styles import Alignment, Font

IC = {"White British": "IC1", "White Irish": "IC1", "Polish": "IC1", "Slovak": "IC1", "Czech": "IC1",
      "Any other White": "IC2", "Roma": "IC2", "Pakistani": "IC4", "Bangladeshi": "IC4", "Indian": "IC4",
      "Kashmiri": "IC4", "Black Caribbean": "IC3", "White and Black Caribbean": "IC3", "Chinese": "IC5"}
CENSUS = {"White British": "White: English/Welsh/Scottish/Northern Irish/British", "White Irish": "White: Irish",
          "Polish": "White: Any other White background", "Slovak": "White: Any other White background",
          "Czech": "White: Any other White background", "Any other White": "White: Any other White background",
          "Roma": "White: Gypsy or Irish Traveller", "Pakistani": "Asian/Asian British: Pakistani",
          "Kashmiri": "Asian/Asian British: Pakistani", "Bangladeshi": "Asian/Asian British: Bangladeshi",
          "Indian": "Asian/Asian British: Indian", "Chinese": "Asian/Asian British: Chinese",
          "Black Caribbean": "Black/African/Caribbean/Black British: Caribbean",
          "White and Black Caribbean": "Mixed/multiple ethnic groups: White and Black Caribbean"}
TEXT = {"White British": ["White British", "British", "White"], "White Irish": ["White Irish", "Irish"],
        "Polish": ["Polish", "Eastern European"], "Slovak": ["Slovak", "Eastern European"], "Czech": ["Czech"],
        "Any other White": ["White other"], "Roma": ["Roma", "Gypsy/Roma"], "Pakistani": ["Pakistani", "British Asian"],
        "Kashmiri": ["Kashmiri", "Asian"], "Bangladeshi": ["Bangladeshi"], "Indian": ["Indian"],
        "Chinese": ["Chinese"], "Black Caribbean": ["Black Caribbean", "Black British"],
        "White and Black Caribbean": ["Mixed race", "Dual heritage"]}
OFFENCES = ["Sexual activity with a child", "Rape of a child under 13", "Sexual assault", "Child abduction",
            "Causing a child to engage in sexual activity", "Meeting a child following sexual grooming",
            "Trafficking within the UK for sexual exploitation", "Controlling child prostitution"]


def age_text(age: int, rng: random.Random) -> str:
    """How a case worker writes an age: "15", "15yo", "age 15", "15 yrs", "14+"."""
    r = rng.random()
    if r < 0.35:
        return str(age)
    if r < 0.55:
        return f"{age}yo"
    if r < 0.75:
        return f"age {age}"
    if r < 0.88:
        return f"{age} yrs"
    return f"{age}+"


def adult_age_text(age: int, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return str(age)
    if r < 0.6:
        return f"{age // 10 * 10}s"
    if r < 0.75:
        part = "early" if age % 10 < 4 else "mid" if age % 10 < 7 else "late"
        return f"{part} {age // 10 * 10}s"
    if r < 0.9:
        return f"{age - age % 5}-{age - age % 5 + 5}"
    return f"approx {age}"


def _d(d: dt.date, us: bool = False) -> str:
    return f"{d:%m/%d/%Y}" if us else f"{d:%d/%m/%Y}"


class Out:
    """Truth rows collected while writing."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.victims: list[tuple] = []
        self.offenders: list[tuple] = []

    def v(self, sheet, row, pid):
        self.victims.append((self.file_name, sheet, row, pid))

    def o(self, sheet, row, pid):
        self.offenders.append((self.file_name, sheet, row, pid))


def police_crimes(agency: Agency, records: list[dict], path, rng: random.Random) -> Out:
    """One row per crime and victim (a child in three crimes is three rows); two-row merged header."""
    out = Out(path.name)
    title = [[f"{agency.name.upper()} - CRIMES WITH A CSE FLAG"],
             ["Crimes recorded between 01/01/2008 and 31/03/2011"], []]
    groups = [("CRIME", 3), ("VICTIM", 6)]
    head = ["Crime No", "Recorded", "Offence", "Surname", "Forename(s)", "DOB", "Age", "Gender", "Ethnic Code"]
    rows, srows = [], []
    recs = sorted(records, key=lambda r: r["date"])
    for i, rec in enumerate(recs, 1):
        ref = f"{agency.area[:2].upper()}/{rec['date']:%y}/{10000 + i * 7}"
        sn = rec["surname"].upper() if rng.random() < 0.6 else rec["surname"]
        dob = rec["dob"] if rng.random() > 0.10 else None
        age = age_text(rec["age"], rng) if rng.random() < 0.85 else None
        eth = IC[rec["ethnicity"]] if rng.random() > 0.08 else "IC9"
        rows.append([ref, rec["date"], rng.choice(OFFENCES), sn, rec["forename"], dob, age, rec["sex"], eth])
        out.v("CSE Crimes", len(title) + 2 + len(rows), rec["pid"])
        for o in rec["offenders"]:
            name = f"{o['surname'].upper()}, {o['forename']}"
            odob = o["dob"] if rng.random() < 0.65 else None
            oage = None if odob and rng.random() < 0.5 else adult_age_text(o["age"], rng)
            srows.append([ref, name, odob, oage, o["sex"], IC[o["ethnicity"]] if rng.random() > 0.1 else ""])
            out.o("Suspects", 1 + len(srows), o["pid"])
    footer = [f"Total records: {len(rows)}"]
    if path.suffix == ".xls":
        _police_xls(path, title, groups, head, rows, srows, footer)
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "CSE Crimes"
        for t in title:
            ws.append(t)
        col = 1
        group_row = len(title) + 1
        for g, n in groups:
            ws.cell(group_row, col, g).font = Font(bold=True)
            ws.cell(group_row, col).alignment = Alignment(horizontal="center")
            ws.merge_cells(start_row=group_row, start_column=col, end_row=group_row, end_column=col + n - 1)
            col += n
        ws.append(head)
        for r in rows:
            ws.append(r)
            for c in (2, 6):
                if isinstance(ws.cell(ws.max_row, c).value, dt.date):
                    ws.cell(ws.max_row, c).number_format = "DD/MM/YYYY"
        ws.append([])
        ws.append(footer)
        ss = wb.create_sheet("Suspects")
        ss.append(["Crime No", "Suspect", "DOB", "Age", "Sex", "IC"])
        for r in srows:
            ss.append(r)
            if isinstance(ss.cell(ss.max_row, 3).value, dt.date):
                ss.cell(ss.max_row, 3).number_format = "DD/MM/YYYY"
        wb.save(path)
    return out


def _police_xls(path, title, groups, head, rows, srows, footer) -> None:
    """The same layout on legacy Excel 97 (xlwt): dates as text, the merged group cells kept."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("CSE Crimes")
    r = 0
    for t in title:
        for c, v in enumerate(t):
            ws.write(r, c, v)
        r += 1
    col = 0
    for g, n in groups:
        ws.write_merge(r, r, col, col + n - 1, g)
        col += n
    r += 1
    for c, v in enumerate(head):
        ws.write(r, c, v)
    for row in rows:
        r += 1
        for c, v in enumerate(row):
            ws.write(r, c, _d(v) if isinstance(v, dt.date) else ("" if v is None else v))
    ws.write(r + 2, 0, footer[0])
    ss = wb.add_sheet("Suspects")
    for c, v in enumerate(["Crime No", "Suspect", "DOB", "Age", "Sex", "IC"]):
        ss.write(0, c, v)
    for i, row in enumerate(srows, 1):
        for c, v in enumerate(row):
            ss.write(i, c, _d(v) if isinstance(v, dt.date) else ("" if v is None else v))
    wb.save(str(path))


def police_involvements(agency: Agency, records: list[dict], path, rng: random.Random) -> Out:
    """A flat csv: one row per person involved in an occurrence, with a role; a nominal id per person."""
    out, us = Out(path.name), agency.quirks.get("us_dates", False)
    nominals: dict[str, str] = {}

    def nominal(pid: str) -> str:
        if pid not in nominals or rng.random() < 0.12:  # 12 %: a duplicate nominal raised for a known person
            nominals[pid] = f"N{rng.randrange(100000, 999999)}"
        return nominals[pid]

    head = ["Occurrence Ref", "Occurrence Date", "Involvement", "Person ID", "Name", "Birth Date", "Age at Occ",
            "Sex", "Ethnic Appearance"]
    rows = []
    for i, rec in enumerate(sorted(records, key=lambda r: r["date"]), 1):
        occ = f"{agency.id[-3:].upper()}{rec['date']:%y}{i:05d}"
        day = _d(rec["date"], us)
        dob = _d(rec["dob"], us) if rng.random() > 0.12 else ""
        age = age_text(rec["age"], rng) if rng.random() < 0.7 else ""
        name = f"{rec['forename']} {rec['surname'].upper()}"
        rows.append([occ, day, "VICTIM", nominal(rec["pid"]), name, dob, age, rec["sex"], IC[rec["ethnicity"]]])
        out.v("csv", 1 + len(rows), rec["pid"])
        if rng.random() < 0.25:  # a parent reports it: same surname, not a victim
            rows.append([occ, day, "REPORTING PERSON", f"N{rng.randrange(100000, 999999)}",
                         f"{rng.choice(['Tracey', 'Donna', 'Paul', 'Mark'])} {rec['surname'].upper()}", "", "", "", ""])
        for o in rec["offenders"]:
            odob = _d(o["dob"], us) if rng.random() < 0.6 else ""
            oage = adult_age_text(o["age"], rng) if not odob or rng.random() < 0.3 else ""
            rows.append([occ, day, rng.choice(["SUSPECT", "SUSPECT", "OFFENDER"]), nominal(o["pid"]),
                         f"{o['forename']} {o['surname'].upper()}", odob, oage, o["sex"], IC[o["ethnicity"]]])
            out.o("csv", 1 + len(rows), o["pid"])
        if rng.random() < 0.15:
            rows.append([occ, day, "WITNESS", f"N{rng.randrange(100000, 999999)}", "Jordan SMALLWOOD", "", "17", "M",
                         "IC1"])
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)
    return out


def council_referrals(agency: Agency, records: list[dict], path, rng: random.Random) -> Out:
    """One row per referral (a child referred three times is three rows, one Child ID); perpetrators
    on a second sheet by referral."""
    out, swapped = Out(path.name), agency.quirks.get("names_swapped", False)
    child_ids: dict[str, str] = {}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Referrals"
    ws.append([f"{agency.name} - Children's Social Care: CSE referrals"])
    ws.append(["Period: 1 April 2008 to 31 March 2011"])
    head = ["Referral ID", "Referral Date", "Child ID", "Forename", "Surname", "DOB", "Gender", "Ethnicity", "LAC",
            "Missing Episodes"]
    ws.append(head)
    perp = wb.create_sheet("Alleged Perpetrators")
    perp.append(["Referral ID", "Name", "Approx Age", "Gender"])
    for i, rec in enumerate(sorted(records, key=lambda r: r["date"]), 1):
        ref = f"R{rec['date']:%Y}-{i:04d}"
        cid = child_ids.setdefault(rec["pid"], f"{rng.randrange(100000, 999999)}")
        dob = rec["dob"]
        r = rng.random()
        if r < agency.quirks.get("placeholder_dob", 0):
            dob = dt.date(rec["true_dob"].year, 1, 1)  # only the year was known: the system wants a date
        elif r < agency.quirks.get("placeholder_dob", 0) + 0.15:
            dob = None
        fn, sn = (rec["surname"], rec["forename"]) if swapped else (rec["forename"], rec["surname"])
        sex = {"F": "Female", "M": "Male"}[rec["sex"]] if rng.random() > 0.04 else "Not recorded"
        eth = CENSUS[rec["ethnicity"]] if rng.random() > 0.1 else "Not stated"
        lac = rng.choice(["Y", "N", "N", ""])
        ws.append([ref, rec["date"], cid, fn, sn, dob, sex, eth, lac, rng.choice([0, 0, 1, 2, 3, 5, None])])
        for c in (2, 6):
            if isinstance(ws.cell(ws.max_row, c).value, dt.date):
                ws.cell(ws.max_row, c).number_format = "DD/MM/YYYY"
        out.v("Referrals", ws.max_row, rec["pid"])
        for o in rec["offenders"]:
            r = rng.random()
            name = (f"{o['forename']} {o['surname']}" if r < 0.6 else o["forename"] if r < 0.88 else "Unknown male")
            age = adult_age_text(o["age"], rng) if rng.random() < 0.8 else ""
            perp.append([ref, name, age, {"M": "Male", "F": "Female"}[o["sex"]]])
            out.o("Alleged Perpetrators", perp.max_row, o["pid"])
    wb.save(path)
    return out


def council_ods(agency: Agency, records: list[dict], path, rng: random.Random) -> Out:
    """One row per child's case (the first referral), re-keyed from paper files into LibreOffice."""
    out = Out(path.name)
    seen, cases, perps = set(), [], []
    title = [[agency.name], ["Exploitation cases, reporting period April 2008 - March 2011"], []]
    head = ["Case ID", "Young Person", "Age", "Date of Birth", "Sex", "Ethnicity", "Missing From"]
    for rec in sorted(records, key=lambda r: r["date"]):
        if rec["pid"] in seen:
            continue
        seen.add(rec["pid"])
        case = f"EX{len(cases) + 1:04d}"
        dob = _d(rec["dob"]) if rng.random() > 0.35 else ""
        age = age_text(rec["age"], rng) if rng.random() < 0.9 else ""
        cases.append([case, f"{rec['surname'].upper()}, {rec['forename']}", age, dob,
                      {"F": "Female", "M": "Male"}[rec["sex"]], rng.choice(TEXT[rec["ethnicity"]]),
                      rng.choice(["Home", "Care", "Home and care", "", "", "Not missing"])])
        out.v("Cases", len(title) + 1 + len(cases), rec["pid"])
        for o in rec["offenders"]:
            name = f"{o['forename']} {o['surname']}" if rng.random() < 0.7 else o["forename"]
            perps.append([case, name, adult_age_text(o["age"], rng) if rng.random() < 0.7 else ""])
            out.o("Perpetrators", 1 + len(perps), o["pid"])
    write_ods(path, {"Cases": title + [head] + cases,
                     "Perpetrators": [["Case ID", "Perpetrator name", "Age (approx)"]] + perps})
    return out


def charity_firstname(agency: Agency, records: list[dict], path, rng: random.Random) -> Out:
    """First name and the initial of the surname ("Jade M"), an age, sometimes the month first seen."""
    out = Out(path.name)
    rows = []
    for i, rec in enumerate(sorted(records, key=lambda r: r["date"]), 1):
        seen = f"{rec['date']:%b-%y}" if rng.random() < 0.6 else ""
        person = f"{rec['forename']} {rec['surname'][0].upper()}"
        sex = rec["sex"] if rng.random() > 0.05 else ""
        rows.append([f"{agency.id[-4:].upper()}{i:03d}", person, age_text(rec["age"], rng), sex, seen,
                     rng.choice(["Y", "N", "not known", ""])])
        out.v("csv", 1 + len(rows), rec["pid"])
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["Ref No", "Young person", "Age", "Gender", "First seen", "Missing?"])
        w.writerows(rows)
    return out


def charity_initials(agency: Agency, records: list[dict], path, rng: random.Random) -> Out:
    """Initials, a date of birth that is often only a year (01/01/YYYY), age at referral, referral date."""
    out = Out(path.name)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Referrals 2008-11"
    ws.append([agency.name])
    ws.append(["Referrals 1 January 2008 to 31 March 2011"])
    ws.append([])
    ws.append(["No.", "Initials", "D.O.B.", "Age at referral", "Referral date", "Gender", "Ethnicity"])
    for i, rec in enumerate(sorted(records, key=lambda r: r["date"]), 1):
        ini = rec["forename"][0] + rec["surname"][0]
        ini = f"{ini[0]}.{ini[1]}." if rng.random() < 0.5 else ini
        r = rng.random()
        dob = (dt.date(rec["true_dob"].year, 1, 1) if r < agency.quirks.get("placeholder_dob", 0)
               else rec["dob"] if r < 0.7 else None)
        day = rec["date"] if rng.random() < 0.8 else None
        ws.append([i, ini.upper(), dob, rec["age"], day, rec["sex"], rng.choice(TEXT[rec["ethnicity"]])])
        for c in (3, 5):
            if isinstance(ws.cell(ws.max_row, c).value, dt.date):
                ws.cell(ws.max_row, c).number_format = "DD/MM/YYYY"
        out.v("Referrals 2008-11", ws.max_row, rec["pid"])
    wb.save(path)
    return out


WRITERS = {"police_crimes": police_crimes, "police_involvements": police_involvements,
           "council_referrals": council_referrals, "council_ods": council_ods,
           "charity_firstname": charity_firstname, "charity_initials": charity_initials}

"""Seventh held-out world (session 20): five agencies of two areas, returns and truth.

Written without reading cse_audit/synth/, cse_audit/linkage/ or the other bench/heldout*/
generators (the sixth's README and run.py only, for the shape). Every name, date and record is
invented. Layouts drawn from what 2011 returns plausibly did (README.md beside this file).

    python bench/heldout7/h7make.py OUT [--seed 71] [--children 300]

writes OUT/returns/* and OUT/_truth/{victims.csv,offenders.csv,stats.json}; files holding names
are created owner-only (0600).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import sys
import unicodedata
from pathlib import Path

import xlwt
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from h7names import BOYS, GIRLS, MEN, NICK, SURNAMES, pick  # noqa: E402
from h7ods import write_ods  # noqa: E402

AREAS = ("Glanmor", "Ardbrook")
START, END = dt.date(2008, 1, 1), dt.date(2011, 3, 31)
# Category -> how returns write it (all of these a careful reader maps to the category).
ETHN = {"White": (78, ["White British", "White - British", "W/British", "White Welsh", "White",
                       "White UK", "White Irish", "W/Irish", "Irish Traveller"]),
        "Mixed": (6, ["Mixed - W/BC", "Mixed White & Black Caribbean", "Mixed race", "Dual heritage",
                      "Mixed - W/Asian"]),
        "Asian": (7, ["Pakistani", "Asian - Pakistani", "Bangladeshi", "Asian British", "Indian"]),
        "Black": (5, ["Black Caribbean", "Black British", "Black - African", "Black African"]),
        "Chinese": (1, ["Chinese"]),
        "Other": (3, ["Arab", "Other - Arab", "Any other ethnic group"])}
NOT_RECORDED = ["not recorded", "Not known", "N/K", "", "Refused"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
IC = {"White": "IC1", "Mixed": "IC3", "Asian": "IC4", "Black": "IC3", "Chinese": "IC5", "Other": "IC6"}

SAID: dict = {}       # cid -> what the returns state (sex, missing, ethnicity, case dates)
VICTIMS: list = []    # (file, sheet, row, cid)
OFFENDERS: list = []  # (file, sheet, row, mid)


def day_between(rng, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randrange(max(1, (b - a).days + 1)))


def age_at(dob: dt.date, when: dt.date) -> int:
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))


def school_year(dob: dt.date, when: dt.date) -> int:
    """England and Wales: Year N holds pupils aged N + 4 on 1 September of the school year."""
    sept = dt.date(when.year if when.month >= 9 else when.year - 1, 9, 1)
    return age_at(dob, sept) - 4


def ascii_fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def text_date(rng, d: dt.date) -> str:
    """A date typed as text, in one of the ways 2011 returns wrote them."""
    day = d.day
    suf = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return rng.choice([f"{d:%d/%m/%Y}", f"{d.day}.{d.month}.{d:%y}", f"{day}{suf} {MONTHS[d.month - 1]} {d.year}",
                       f"{d:%Y-%m-%d}", f"{d:%d-%b-%y}", f"{d:%d/%m/%y}"])


def make_world(rng, n: int):
    men = [{"mid": f"M{i:04d}", "forename": pick(rng, MEN), "surname": pick(rng, SURNAMES),
            "dob": day_between(rng, dt.date(1960, 1, 1), dt.date(1991, 12, 31)),
            "eth": rng.choices(["White", "Asian", "Black", "Mixed", "Other"], [55, 35, 5, 3, 2])[0],
            "area": rng.choice(AREAS)} for i in range(max(8, n // 4))]
    kids = []
    for i in range(n):
        sex = "F" if rng.random() < 0.80 else "M"
        area = AREAS[0] if rng.random() < 0.55 else AREAS[1]
        u = rng.random()
        cats = list(ETHN)
        kids.append({
            "cid": f"C{i:04d}", "sex": sex, "trans": sex == "F" and rng.random() < 0.03,
            "forename": pick(rng, GIRLS if sex == "F" else BOYS), "surname": pick(rng, SURNAMES),
            "dob": day_between(rng, dt.date(1991, 4, 1), dt.date(1998, 12, 31)), "area": area,
            "eth": rng.choices(cats, [ETHN[c][0] for c in cats])[0],
            "missing": "missing" if u < 0.45 else ("not" if u < 0.70 else "unknown"),
            "episodes": rng.randint(1, 8), "from": rng.choice(["Home", "Care", "Home"]),
            "men": rng.sample([m for m in men if m["area"] == area], k=rng.choice([0, 1, 1, 2, 3]))})
    return kids, men


def case_date(rng, kid, lo=START, hi=END) -> dt.date:
    a = max(lo, dt.date(kid["dob"].year + 11, kid["dob"].month, 1))
    b = min(hi, dt.date(kid["dob"].year + 17, kid["dob"].month, 28))
    return day_between(rng, a, b) if a < b else a


def note(kid, when: dt.date, sex: bool, missing: str | None, eth: bool, age: str = "") -> None:
    """What one record states; missing is 'missing', 'not' or None (says nothing); age 'dob' when
    the record gives the date of birth, 'age' an age or a band, '' neither."""
    d = SAID.setdefault(kid["cid"], {"sex": False, "missing": set(), "eth": False, "dates": [], "ages": []})
    d["sex"] |= sex
    d["eth"] |= eth
    d["dates"].append(when)
    if age:
        d["ages"].append((age, when))
    if missing:
        d["missing"].add(missing)


def eth_text(rng, kid, p_unknown=0.2) -> tuple[str, bool]:
    if rng.random() < p_unknown:
        return rng.choice(NOT_RECORDED), False
    return rng.choice(ETHN[kid["eth"]][1]), True


def private_open(path: Path, mode="w", **kw):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, mode, **kw)


def save_bytes(data: bytes, path: Path) -> None:
    with private_open(path, "wb") as fh:
        fh.write(data)


def save_wb(wb, path: Path) -> None:
    buf = io.BytesIO()
    wb.save(buf)
    save_bytes(buf.getvalue(), path)


def police_glanmor(rng, kids, out: Path) -> dict:
    """Old Excel (.xls): one row per offence; a child on several rows, DOB, ethnicity and MFH only
    on the child's first row; one suspect per row; header in row 6 under a crest and a caveat."""
    name = "Glanmor Police CSE offences 2008-11.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("CSE Offences")
    datef = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    ws.write(0, 0, "HEDDLU GLANMOR / GLANMOR POLICE")
    ws.write(1, 0, "RESTRICTED - supplied to CEOP for the thematic assessment only. Not to be "
                   "disclosed further without the consent of the Head of Public Protection.")
    ws.write(3, 0, "Extracted from CRIMES 14/01/2011. Offences flagged CSE or with a CSE keyword.")
    heads = ["Crime Number", "Date Recorded", "Offence", "Victim Surname", "Victim Forename",
             "Victim DOB", "Victim Sex", "Victim Ethnicity", "MFH reports", "Suspect Name",
             "Suspect DOB", "Suspect Ethnicity"]
    for j, h in enumerate(heads):
        ws.write(5, j, h)
    r, n, st = 6, 0, {"rows": 0, "victim_rows": 0, "suspect_rows": 0}
    offences = ["Rape of child under 13", "Sexual activity with a child", "Meeting a child following "
                "sexual grooming", "Causing/inciting child prostitution", "Sexual assault", "Abduction"]
    for kid in kids:
        fold = rng.random() < 0.35   # the crime system drops accents for some officers
        for k in range(rng.choices([1, 2, 3, 4], [45, 30, 15, 10])[0]):
            n += 1
            when = case_date(rng, kid)
            sur = kid["surname"].upper() if rng.random() < 0.7 else kid["surname"]
            fore = ascii_fold(kid["forename"]) if fold else kid["forename"]
            ws.write(r, 0, f"GL/{n:05d}/{when:%y}")
            ws.write(r, 1, when, datef)
            ws.write(r, 2, rng.choice(offences))
            ws.write(r, 3, ascii_fold(sur) if fold else sur)
            ws.write(r, 4, fore)
            ws.write(r, 6, kid["sex"])
            eth, known, mfh, said_dob = "", False, None, ""
            if k == 0:
                said_dob = "dob" if rng.random() < 0.9 else ""
                if said_dob and rng.random() < 0.67:
                    ws.write(r, 5, kid["dob"], datef)
                elif said_dob:
                    ws.write(r, 5, f"{kid['dob']:%d/%m/%Y}")
                eth, known = eth_text(rng, kid)
                ws.write(r, 7, eth)
                if kid["missing"] == "missing" and rng.random() < 0.8:
                    ws.write(r, 8, kid["episodes"])
                    mfh = "missing"
                elif kid["missing"] == "not" and rng.random() < 0.5:
                    ws.write(r, 8, 0)
                    mfh = "not"
            note(kid, when, True, mfh, known, said_dob)
            VICTIMS.append((name, "CSE Offences", r + 1, kid["cid"]))
            st["victim_rows"] += 1
            if kid["men"] and rng.random() < 0.85:
                m = rng.choice(kid["men"])
                ws.write(r, 9, f"{m['forename']} {m['surname']}")
                if rng.random() < 0.6:
                    ws.write(r, 10, f"{m['dob']:%d/%m/%Y}")
                ws.write(r, 11, IC.get(m["eth"], "IC1"))
                OFFENDERS.append((name, "CSE Offences", r + 1, m["mid"]))
                st["suspect_rows"] += 1
            elif rng.random() < 0.3:
                ws.write(r, 9, "Unknown male")
            r += 1
    st["rows"] = r - 6
    buf = io.BytesIO()
    wb.save(buf)
    save_bytes(buf.getvalue(), out / name)
    return st


def _letterhead(ws, title: str) -> None:
    ws.row_dimensions[1].height = 60          # where the crest image sits in the real return
    ws["A2"] = title
    ws["A3"] = ("OFFICIAL - SENSITIVE. This return contains personal data about children. It must be "
                "stored securely and must not be copied or shared beyond the CEOP assessment team.")
    ws.merge_cells("A3:H3")


def police_ardbrook(rng, kids, out: Path) -> dict:
    """xlsx, Victims and Suspects sheets, header in row 5 under a letterhead and a disclaimer;
    names 'Forename SURNAME'; DOB typed as text in many ways; Girl / Boy; Y/N missing."""
    name = "Ardbrook Constabulary - CEOP return.xlsx"
    wb = Workbook()
    vs = wb.active
    vs.title = "Victims"
    ss = wb.create_sheet("Suspects")
    for ws in (vs, ss):
        _letterhead(ws, "Ardbrook Constabulary - Public Protection Unit")
    vh = ["URN", "Date reported", "Child's name", "D.O.B", "Gender", "Ethnicity", "Missing (Y/N)", "Notes"]
    sh = ["URN", "Suspect surname", "Suspect forename", "Approx age", "Ethnicity (IC)"]
    for j, h in enumerate(vh, 1):
        vs.cell(5, j, h)
    for j, h in enumerate(sh, 1):
        ss.cell(5, j, h)
    r, rs, n, st = 6, 6, 0, {"victim_rows": 0, "suspect_rows": 0}
    for kid in kids:
        for _ in range(rng.choices([1, 2], [75, 25])[0]):
            n += 1
            when = case_date(rng, kid)
            urn = f"AC{when:%y}{n:04d}"
            miss = {"missing": "Y", "not": "N"}.get(kid["missing"], "") if rng.random() < 0.85 else ""
            eth, known = eth_text(rng, kid)
            dob = text_date(rng, kid["dob"]) if rng.random() < 0.9 else ""
            row = [urn, when, f"{kid['forename']} {kid['surname'].upper()}", dob,
                   "Girl" if kid["sex"] == "F" else "Boy", eth, miss,
                   rng.choice(["", "", "Referred by school", "Strategy meeting held"])]
            for j, v in enumerate(row, 1):
                vs.cell(r, j, v if v != "" else None)
            note(kid, when, True, {"Y": "missing", "N": "not"}.get(miss), known, "dob" if dob else "")
            VICTIMS.append((name, "Victims", r, kid["cid"]))
            st["victim_rows"] += 1
            r += 1
            for m in kid["men"]:
                if rng.random() < 0.75:
                    age = age_at(m["dob"], when)
                    approx = rng.choice([str(age), f"{'early' if age % 10 < 4 else 'mid' if age % 10 < 7 else 'late'} {age // 10 * 10}s",
                                         f"{age // 10 * 10}s"])
                    for j, v in enumerate([urn, m["surname"], m["forename"], approx, IC.get(m["eth"], "IC1")], 1):
                        ss.cell(rs, j, v)
                    OFFENDERS.append((name, "Suspects", rs, m["mid"]))
                    st["suspect_rows"] += 1
                    rs += 1
    save_wb(wb, out / name)
    return st


def council_glanmor(rng, kids, out: Path) -> dict:
    """xlsx, children by initials with their school and school year, no DOB; title rows."""
    name = "Glanmor CC childrens services CSE.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Children"
    ws["A1"] = "Glanmor County Council - Children's Services"
    ws["A2"] = "Children at risk of CSE known to the service, January 2008 to March 2011"
    heads = ["Ref", "Initials", "School", "School year", "Gender", "Ethnicity", "Missing from home/care",
             "LAC", "Date referred"]
    for j, h in enumerate(heads, 1):
        ws.cell(4, j, h)
    schools = ["Ysgol Gyfun Glanmor", "Glanmor High School", "St Teilo's RC High", "Cwm Isaf Comprehensive",
               "Pupil Referral Unit", "Bishop Llandaff CiW"]
    r, st = 5, {"victim_rows": 0}
    for i, kid in enumerate(kids, 1):
        when = case_date(rng, kid)
        y = school_year(kid["dob"], when)
        year = (f"Year {y}" if rng.random() < 0.6 else rng.choice([f"Yr {y}", f"Y{y}"])) if y <= 13 else "Left school"
        ini = kid["forename"][0] + kid["surname"].replace("Ap ", "")[0]
        ini = ".".join(ini) + "." if rng.random() < 0.5 else ini
        if kid["missing"] == "missing" and rng.random() < 0.85:
            miss, said = {"Home": "Home", "Care": "Care"}[kid["from"]], "missing"
        elif kid["missing"] == "not" and rng.random() < 0.8:
            miss, said = "No", "not"
        else:
            miss, said = "", None
        eth, known = eth_text(rng, kid, 0.25)
        row = [f"GCC-{i:04d}", ini, rng.choice(schools), year, "Girl" if kid["sex"] == "F" else "Boy",
               eth, miss, rng.choice(["Y", "N", "N"]), f"{MONTHS[when.month - 1][:3]} {when.year}"]
        for j, v in enumerate(row, 1):
            ws.cell(r, j, v if v != "" else None)
        note(kid, when.replace(day=1), True, said, known, "age" if y <= 13 else "")
        VICTIMS.append((name, "Children", r, kid["cid"]))
        st["victim_rows"] += 1
        r += 1
    save_wb(wb, out / name)
    return st


def council_ardbrook(rng, kids, out: Path) -> dict:
    """ods, one row per child: whole name with accents and apostrophes, DOB as text in several
    formats, sex F / M / 'F (trans M)', free-text ethnicity, times missing 'None' or a number."""
    name = "Ardbrook Family Support - young people.ods"
    rows = [["Full name", "Date of birth", "Sex", "Ethnicity", "No. of times missing", "Date of referral"]]
    st = {"victim_rows": 0}
    for kid in kids:
        when = case_date(rng, kid)
        sex = "F (trans M)" if kid["trans"] else kid["sex"]
        if kid["missing"] == "missing":
            times, said = (str(kid["episodes"]), "missing") if rng.random() < 0.9 else ("", None)
        elif kid["missing"] == "not":
            times, said = ("None", "not") if rng.random() < 0.7 else ("", None)
        else:
            times, said = "", None
        eth, known = eth_text(rng, kid, 0.15)
        rows.append([f"{kid['forename']} {kid['surname']}", text_date(rng, kid["dob"]), sex, eth, times,
                     f"{when:%d/%m/%Y}"])
        note(kid, when, True, said, known, "dob")
        VICTIMS.append((name, "Young people", len(rows), kid["cid"]))
        st["victim_rows"] += 1
    write_ods(out / name, "Young people", rows)
    return st


def charity(rng, kids, out: Path) -> dict:
    """xlsx, one sheet per calendar year 2008-2010 with a totals row; age bands or ages; Girl / Boy;
    'Ran away?' Yes / No / Not known; a child seen in two years is on two sheets."""
    name = "Cwtch Project young people 2008-2010.xlsx"
    wb = Workbook()
    wb.remove(wb.active)
    heads = ["ID", "First name", "Surname", "Age", "Sex", "Ethnicity", "Ran away?", "Area"]
    sheets = {y: wb.create_sheet(str(y)) for y in (2008, 2009, 2010)}
    rows = {y: [] for y in sheets}
    for kid in kids:
        years = [y for y in sheets if 11 <= age_at(kid["dob"], dt.date(y, 7, 1)) <= 17]
        if not years:
            continue
        first = rng.choice(years)
        seen = [y for y in years if y in (first, first + 1)][: rng.choice([1, 1, 2])]
        for y in seen:
            rows[y].append(kid)
    st = {"victim_rows": 0, "total_rows": 3}
    for y, ws in sheets.items():
        for j, h in enumerate(heads, 1):
            ws.cell(1, j, h)
        r = 2
        for kid in rows[y]:
            when = case_date(rng, kid, dt.date(y, 1, 1), dt.date(y, 12, 31))
            a = age_at(kid["dob"], when)
            band = next(b for b in ("10-12", "13-15", "16-18") if int(b[:2]) <= a <= int(b[3:]))
            fn = kid["forename"]
            fn = NICK[fn] if fn in NICK and rng.random() < 0.3 else fn
            ran = {"missing": "Yes", "not": "No"}.get(kid["missing"], "Not known")
            ran = ran if rng.random() < 0.8 else "Not known"
            eth, known = eth_text(rng, kid, 0.3)
            row = [f"CW{y % 100:02d}-{r - 1:03d}", fn, kid["surname"], str(a) if rng.random() < 0.4 else band,
                   ("Girl" if kid["sex"] == "F" else "Boy") if rng.random() < 0.9 else "", eth, ran, kid["area"]]
            for j, v in enumerate(row, 1):
                ws.cell(r, j, v if v != "" else None)
            note(kid, when, bool(row[4]), {"Yes": "missing", "No": "not"}.get(ran), known, "age")
            VICTIMS.append((name, str(y), r, kid["cid"]))
            st["victim_rows"] += 1
            r += 1
        ws.cell(r + 1, 1, "Total")
        ws.cell(r + 1, 2, f"{len(rows[y])} young people")
    save_wb(wb, out / name)
    return st


AGE_BANDS = [("Under 10", 0, 9), ("10-11", 10, 11), ("12-13", 12, 13), ("14", 14, 14), ("15", 15, 15),
             ("16-17", 16, 17), ("18+", 18, 200)]


def truth_stats(kids: dict) -> dict:
    """The tables a careful reader would make of what the returns say (not of the hidden world)."""
    out = {"missing": {}, "sex": {}, "ethnicity": {}, "age": {}, "age_dob_record": {}}

    def add(t, k):
        out[t][k] = out[t].get(k, 0) + 1
    for cid, d in SAID.items():
        kid = kids[cid]
        add("missing", "Reported missing" if "missing" in d["missing"] else
            "Not reported missing" if "not" in d["missing"] else "Unknown")
        add("sex", ({"F": "Female", "M": "Male"}[kid["sex"]]) if d["sex"] else "Unknown")
        add("ethnicity", kid["eth"] if d["eth"] else "Unknown")
        # age at the child's first case (any record), when a record states a DOB or an age
        a = age_at(kid["dob"], min(d["dates"])) if d["ages"] else None
        add("age", "Unknown" if a is None else next(b for b, lo, hi in AGE_BANDS if lo <= a <= hi))
        # and as configs/linkage.yaml merges it (age: from_dob_record): the age at the earliest
        # case of a record with a DOB, else of a record with an age (the charity's has no date)
        dobs = sorted(w for k, w in d["ages"] if k == "dob")
        ages = sorted(w for k, w in d["ages"] if k == "age")
        a = age_at(kid["dob"], (dobs or ages)[0]) if d["ages"] else None
        add("age_dob_record", "Unknown" if a is None else next(b for b, lo, hi in AGE_BANDS if lo <= a <= hi))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=71)
    ap.add_argument("--children", type=int, default=300)
    a = ap.parse_args(argv)
    os.umask(0o077)
    rng = random.Random(a.seed)
    kids, men = make_world(rng, a.children)
    by: dict = {k: [] for k in ("pol-gl", "pol-ab", "cc-gl", "cc-ab", "ngo")}
    for kid in kids:
        gl = kid["area"] == "Glanmor"
        got = [k for k, p in (("pol-gl" if gl else "pol-ab", 0.65), ("cc-gl" if gl else "cc-ab", 0.5),
                              ("ngo", 0.3)) if rng.random() < p]
        for k in got or ["pol-gl" if gl else "pol-ab"]:
            by[k].append(kid)
    ret, tru = a.out / "returns", a.out / "_truth"
    ret.mkdir(parents=True, exist_ok=True)
    tru.mkdir(parents=True, exist_ok=True)
    layouts = {"police_glanmor": police_glanmor(rng, by["pol-gl"], ret),
               "police_ardbrook": police_ardbrook(rng, by["pol-ab"], ret),
               "council_glanmor": council_glanmor(rng, by["cc-gl"], ret),
               "council_ardbrook": council_ardbrook(rng, by["cc-ab"], ret),
               "charity": charity(rng, by["ngo"], ret)}
    for fname, rows in (("victims.csv", VICTIMS), ("offenders.csv", OFFENDERS)):
        with private_open(tru / fname, newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["file_name", "sheet", "row_number", "person_id"])
            w.writerows(rows)
    stats = {"children": len(SAID), "victim_records": len(VICTIMS),
             "offenders": len({o[3] for o in OFFENDERS}), "offender_records": len(OFFENDERS),
             "layouts": layouts, **{f"children_by_{k}": v for k, v in truth_stats({k["cid"]: k for k in kids}).items()}}
    with private_open(tru / "stats.json", encoding="utf-8") as fh:
        json.dump(stats, fh, indent=1, default=str)
    print(json.dumps({k: v for k, v in stats.items() if k != "layouts"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

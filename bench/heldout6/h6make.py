"""Sixth held-out world (session 19): five agencies of two force areas, returns and truth.

Written without reading cse_audit/synth/, cse_audit/linkage/ or the other bench/heldout*/
generators (their READMEs only, to be different). Every name, date and record is invented.

    python bench/heldout6/h6make.py OUT [--seed 61] [--children 150] [--names tiny|realistic]

--names tiny (the default, session 19's world) draws from the invented pools below: 28 girls', 10
boys' and 16 men's forenames, 46 surnames, each equally likely, so at 600 children namesakes are far
commoner than in life. --names realistic (session 20) draws, with a separate random stream, from the
synth generator's pools with realistic frequencies (cse_audit/synth/names.py, as the hard profile:
listed names most common first, then a long tail), the pool by the person's IC code; nicknames from its
variant clusters. Everything else is drawn as in the tiny world.

writes OUT/returns/*.{xlsx,ods,csv} and OUT/_truth/{victims.csv,children.csv,stats.json}; files
holding names are created owner-only (0600).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

AREAS = ("Fellmarsh", "Corvington")
GIRLS = ["Amelia", "Rebecca", "Jessica", "Samantha", "Katherine", "Chloé", "Zoë", "Renée", "Shannon",
         "Leanne", "Courtney", "Jade", "Kayleigh", "Megan", "Aisha", "Sadia", "Paige", "Tia", "Ellie",
         "Bethany", "Niamh", "Roxanne", "Demi", "Carys", "Harriet", "Lola", "Imogen", "Mollie"]
BOYS = ["Connor", "Reece", "Tyler", "Kieran", "Jordan", "Callum", "Bilal", "Dylan", "Liam", "Owen"]
NICK = {"Rebecca": "Becky", "Jessica": "Jess", "Samantha": "Sam", "Katherine": "Katie",
        "Bethany": "Beth", "Harriet": "Hattie", "Callum": "Cal", "Megan": "Meg"}
SURNAMES = ["Ashdown", "Pellow", "Varley", "Quennell", "Thursby", "Marchbank", "Oakes", "Rudd",
            "Hewlett", "Dobney", "Farrant", "Gilsenan", "Kettley", "Lomax", "Mowbray", "Nuttall",
            "Pridmore", "Rowlett", "Scarisbrick", "Tamblyn", "Upcott", "Wragg", "Yeadon", "Bhatti",
            "Chaudry", "O'Dowd", "Brannigan", "Cresswell", "Dunkley", "Elsworth", "Fairclough",
            "Goodall", "Hibbert", "Ingham", "Jagger", "Kenward", "Lightfoot", "Mossop", "Noakes",
            "Ollerenshaw", "Platt", "Renshaw", "Sutcliffe", "Tomlin", "Vickers", "Whitworth"]
MEN = ["Darren", "Imran", "Lee", "Shaun", "Wayne", "Tariq", "Gary", "Nadeem", "Craig", "Jason",
       "Asif", "Dean", "Mark", "Kamran", "Stuart", "Zahid"]
IC = ["IC1", "IC1", "IC1", "IC1", "IC2", "IC3", "IC4", "IC6"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
START, END = dt.date(2008, 1, 1), dt.date(2011, 3, 31)


def _date_between(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randrange((b - a).days + 1))


def make_world(rng: random.Random, n: int, names=None) -> tuple[list[dict], list[dict]]:
    """Children and men. Missing: 45 % missing (1-9 episodes), 25 % not, 30 % nobody says.
    ``names``: a RealisticNames, whose names replace the tiny pools' after each draw (this stream is
    drawn as with the tiny pools; the nicknames' draws later make the records differ)."""
    men = [{"mid": f"M{i:04d}", "forename": rng.choice(MEN), "surname": rng.choice(SURNAMES),
            "age": rng.randint(18, 45), "ic": rng.choice(IC), "area": rng.choice(AREAS)}
           for i in range(max(6, n // 4))]
    if names is not None:
        for m in men:
            m["forename"], m["surname"] = names.take(m["ic"], female=False)
    kids, seen = [], set()
    for i in range(n):
        sex = "F" if rng.random() < 0.82 else "M"
        while True:
            fn = rng.choice(GIRLS if sex == "F" else BOYS)
            sn = rng.choice(SURNAMES)
            dob = _date_between(rng, dt.date(1991, 6, 1), dt.date(1998, 12, 31))
            if (fn, sn, dob) not in seen:
                seen.add((fn, sn, dob))
                break
        u = rng.random()
        missing = "missing" if u < 0.45 else ("not" if u < 0.70 else "unknown")
        area = AREAS[0] if rng.random() < 0.6 else AREAS[1]
        abusers = rng.sample([m for m in men if m["area"] == area] or men, k=rng.randint(0, 3))
        kids.append({"cid": f"C{i:04d}", "forename": fn, "surname": sn, "dob": dob, "sex": sex,
                     "missing": missing, "episodes": rng.randint(1, 9) if missing == "missing" else 0,
                     "area": area, "ic": rng.choice(IC), "men": abusers})
        if names is not None:
            kid = kids[-1]
            while True:  # one full name and date of birth is one child, as above
                kid["forename"], kid["surname"] = names.take(kid["ic"], sex == "F")
                if (kid["forename"], kid["surname"], dob) not in names.seen:
                    names.seen.add((kid["forename"], kid["surname"], dob))
                    break
    return kids, men


class RealisticNames:
    """Names with realistic frequencies from the synth generator's pools (its NameAllocator with
    frequency=True, as the hard profile), on a random stream of its own."""

    POOL = {"IC1": "White", "IC2": "Euro", "IC3": "Black", "IC4": "Asian", "IC6": "Asian"}

    def __init__(self, seed: int):
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from cse_audit.synth import names as synth_names

        self.mod = synth_names
        self.alloc = synth_names.NameAllocator(random.Random(f"h6-names/{seed}"), frequency=True)
        self.seen: set = set()

    def take(self, ic: str, female: bool) -> tuple[str, str]:
        return self.alloc.take(self.POOL.get(ic, "White"), female)

    def nicknames(self) -> dict[str, str]:
        """A forename's first listed variant (Rebecca: Becky), for forename_as."""
        return {v[0]: v[1] for v in self.mod.F_VARIANTS.values() if len(v) > 1}


def who_reports(rng: random.Random, kid: dict) -> list[str]:
    """Agencies reporting one child: home police 70 %, home council 50 %, the charity 35 %."""
    fell = kid["area"] == "Fellmarsh"
    out = []
    if rng.random() < 0.70:
        out.append("pol-fell" if fell else "pol-corv")
    if rng.random() < 0.50:
        out.append("cc-fell" if fell else "cc-corv")
    if rng.random() < 0.35:
        out.append("ngo")
    return out or ["pol-fell" if fell else "pol-corv"]


def episodes_text(rng: random.Random, kid: dict) -> str:
    """The 'Missing episodes (no.)' cell: a number, '3+', 'several', '0' or blank."""
    if kid["missing"] == "unknown":
        return ""
    if kid["missing"] == "not":
        return "0" if rng.random() < 0.6 else ""
    u, n = rng.random(), kid["episodes"]
    if u < 0.40:
        return str(n)
    if u < 0.65 and n >= 3:
        return "3+"
    if u < 0.80:
        return "several"
    return str(n) if u < 0.85 else ""


SAID: dict = {}
OFFENDERS: list = []   # (file, sheet, row, man[, column_group]) of every offender record the returns should make


def note(kid: dict, sex, missing_text: str) -> None:
    """What one record states: the truth is what the returns say, read right and put together."""
    d = SAID.setdefault(kid["cid"], {"sex": set(), "missing": set()})
    if sex:
        d["sex"].add(kid["sex"])
    t = (missing_text or "").strip().lower()
    if t in ("0", "no"):
        d["missing"].add("Not reported missing")
    elif t and t != "don't know":
        d["missing"].add("Reported missing")


def forename_as(rng: random.Random, kid: dict, nick_rate: float) -> str:
    fn = kid["forename"]
    return NICK[fn] if fn in NICK and rng.random() < nick_rate else fn


def age_at(dob: dt.date, when: dt.date) -> int:
    return when.year - dob.year - ((when.month, when.day) < (dob.month, dob.day))


def case_date(rng: random.Random, kid: dict) -> dt.date:
    lo = max(START, dt.date(kid["dob"].year + 11, kid["dob"].month, 1))
    hi = min(END, dt.date(kid["dob"].year + 17, kid["dob"].month, 1))
    return _date_between(rng, lo, hi) if lo < hi else lo


def private_open(path: Path, mode: str = "w", **kw):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, mode, **kw)


def save_wb(wb: Workbook, path: Path) -> None:
    buf = io.BytesIO()
    wb.save(buf)
    with private_open(path, "wb") as fh:
        fh.write(buf.getvalue())


def police_fellmarsh(rng, kids, out: Path, truth: list) -> dict:
    """One sheet, subject role column mixing victims, suspects and witnesses; merged group cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Occurrences"
    ws["A1"] = "Fellmarsh Police - CSE flagged occurrences 01/01/2008 to 31/03/2011"
    ws.merge_cells("A1:J1")
    ws["A3"], ws["C3"] = "OCCURRENCE", "SUBJECT"
    ws.merge_cells("A3:B3")
    ws.merge_cells("C3:J3")
    heads = ["Occurrence No", "Date recorded", "Subject role", "Surname", "Forename", "Date of birth",
             "Sex", "Ethnicity (IC)", "Age", "Missing episodes (no.)"]
    for j, h in enumerate(heads, 1):
        ws.cell(4, j, h)
    r, occ, stats = 5, 0, {"victim_rows": 0, "suspect_rows": 0, "witness_rows": 0}
    for kid in kids:
        for _ in range(rng.choice([1, 1, 2])):
            occ += 1
            when = case_date(rng, kid)
            ref = f"FP/{when.year}/{occ:05d}"
            dob = kid["dob"] if rng.random() > 0.10 else None
            row = [ref, when, "Victim", kid["surname"].upper() if rng.random() < 0.5 else kid["surname"],
                   forename_as(rng, kid, 0.05), dob, kid["sex"], kid["ic"],
                   age_at(kid["dob"], when), episodes_text(rng, kid)]
            for j, v in enumerate(row, 1):
                ws.cell(r, j, v if v != "" else None)
            note(kid, True, row[9])
            truth.append(("Fellmarsh Police CSE return.xlsx", "Occurrences", r, kid["cid"]))
            stats["victim_rows"] += 1
            r += 1
            for m in kid["men"]:
                if rng.random() < 0.8:
                    for j, v in enumerate([ref, when, "Suspect", m["surname"].upper(), m["forename"], None,
                                           "M", m["ic"], m["age"], None], 1):
                        ws.cell(r, j, v)
                    OFFENDERS.append(("Fellmarsh Police CSE return.xlsx", "Occurrences", r, m["mid"]))
                    stats["suspect_rows"] += 1
                    r += 1
            if rng.random() < 0.08:
                for j, v in enumerate([ref, when, "Witness", kid["surname"].upper(), "Parent", None, "F",
                                       kid["ic"], None, None], 1):
                    ws.cell(r, j, v)
                stats["witness_rows"] += 1
                r += 1
    ws.cell(r, 1, f"Total occurrences: {occ}")
    stats["footer_rows"] = 1
    save_wb(wb, out / "Fellmarsh Police CSE return.xlsx")
    return stats


def police_corvington(rng, kids, out: Path, truth: list) -> dict:
    """Victims and Suspects sheets; header in row 3 after a title and a blank row."""
    wb = Workbook()
    vs = wb.active
    vs.title = "Victims"
    ss = wb.create_sheet("Suspects")
    vs["A1"] = "Corvington Constabulary: child sexual exploitation return (CEOP call for data)"
    ss["A1"] = "Corvington Constabulary: suspects"
    for j, h in enumerate(["Crime Ref", "Reported", "Victim name (SURNAME, Forename)", "D.O.B", "Gender",
                           "IC", "Missing episodes (no.)"], 1):
        vs.cell(3, j, h)
    for j, h in enumerate(["Crime Ref", "Suspect name", "Age", "Gender"], 1):
        ss.cell(3, j, h)
    r, rs, n, stats = 4, 4, 0, {"victim_rows": 0, "suspect_rows": 0}
    for kid in kids:
        for _ in range(rng.choice([1, 1, 2])):
            n += 1
            when = case_date(rng, kid)
            u = rng.random()
            dob = (kid["dob"].strftime("%d.%m.%Y") if u < 0.5 else kid["dob"] if u < 0.9 else None)
            vals = [f"CV{n:05d}/{when.strftime('%y')}", when,
                    f"{kid['surname'].upper()}, {forename_as(rng, kid, 0.05)}", dob,
                    "Female" if kid["sex"] == "F" else "Male", kid["ic"], episodes_text(rng, kid)]
            for j, v in enumerate(vals, 1):
                vs.cell(r, j, v if v != "" else None)
            note(kid, True, vals[6])
            truth.append(("Corvington Constabulary return.xlsx", "Victims", r, kid["cid"]))
            stats["victim_rows"] += 1
            r += 1
            for m in kid["men"]:
                if rng.random() < 0.8:
                    for j, v in enumerate([vals[0], f"{m['surname'].upper()}, {m['forename']}", m["age"],
                                           "Male"], 1):
                        ss.cell(rs, j, v)
                    OFFENDERS.append(("Corvington Constabulary return.xlsx", "Suspects", rs, m["mid"]))
                    stats["suspect_rows"] += 1
                    rs += 1
    save_wb(wb, out / "Corvington Constabulary return.xlsx")
    return stats


def _ods_cell(v) -> str:
    if v is None or v == "":
        return "<table:table-cell/>"
    if isinstance(v, int):
        return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
    if isinstance(v, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}">'
                f"<text:p>{v.strftime('%d/%m/%Y')}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def write_ods(path: Path, sheet: str, rows: list[list]) -> None:
    """A minimal OpenDocument spreadsheet written by hand (no odfpy in the venv)."""
    body = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
                   for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    with private_open(path, "wb") as fh:
        fh.write(buf.getvalue())


def council_fellmarsh(rng, kids, out: Path, truth: list) -> dict:
    """ods, one row per child, DOB over day / month / year, perpetrators in one cell split by ';'."""
    rows = [["Fellmarsh Council Children's Services - young people at risk of CSE"], [],
            ["Child ID", "Forename", "Surname", "DOB day", "DOB month", "DOB year", "Sex",
             "Referral date", "Missing episodes (no.)", "Alleged perpetrators"]]
    stats = {"victim_rows": 0, "perpetrator_cells": 0, "perpetrator_names": 0}
    for kid in kids:
        d = kid["dob"]
        known = rng.random() > 0.15
        sn = kid["surname"]
        if rng.random() < 0.03:
            sn = sn[:-1] + ("e" if sn[-1] != "e" else "a")
        listed = [m for m in kid["men"] if rng.random() < 0.5]
        men = [f"{m['forename']} {m['surname']}" for m in listed]
        rows.append([f"FC{kid['cid'][1:]}", forename_as(rng, kid, 0.12), sn,
                     d.day if known else None,
                     (d.month if rng.random() < 0.6 else MONTHS[d.month - 1]) if known else None,
                     d.year if known else None,
                     kid["sex"] if rng.random() < 0.9 else None, case_date(rng, kid),
                     episodes_text(rng, kid), "; ".join(men)])
        note(kid, rows[-1][6], rows[-1][8])
        # every man of the cell is a record (session 20, `several: people`): the first with no column
        # group, the others p2, p3 ... (before, a mapping could load the first only)
        for j, man in enumerate(listed):
            OFFENDERS.append(("Fellmarsh Council CSE children.ods", "Children", len(rows), man["mid"],
                              f"p{j + 1}" if j else ""))
        truth.append(("Fellmarsh Council CSE children.ods", "Children", len(rows), kid["cid"]))
        stats["victim_rows"] += 1
        stats["perpetrator_cells"] += bool(men)
        stats["perpetrator_names"] += len(men)
    write_ods(out / "Fellmarsh Council CSE children.ods", "Children", rows)
    return stats


def council_corvington(rng, kids, out: Path, truth: list) -> dict:
    """UTF-8 csv, one row per referral (a child repeated), Child ID, 'Forename Surname'."""
    lines = [["Referral ID", "Child ID", "Child's name", "DOB", "Sex", "Date of referral",
              "Missing episodes (no.)", "LAC"]]
    stats = {"victim_rows": 0}
    n = 0
    for kid in kids:
        for _ in range(rng.choice([1, 1, 2])):
            n += 1
            lines.append([f"R{n:05d}", f"CB-{kid['cid'][1:]}",
                          f"{forename_as(rng, kid, 0.12)} {kid['surname']}",
                          kid["dob"].strftime("%d/%m/%Y") if rng.random() > 0.15 else "",
                          kid["sex"], case_date(rng, kid).strftime("%d/%m/%Y"), episodes_text(rng, kid),
                          rng.choice(["Y", "N", ""])])
            note(kid, True, lines[-1][6])
            truth.append(("Corvington Borough Council referrals.csv", "csv", len(lines), kid["cid"]))
            stats["victim_rows"] += 1
    with private_open(out / "Corvington Borough Council referrals.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(lines)
    return stats


def charity(rng, kids, out: Path, truth: list) -> dict:
    """Windows-1252 csv; dates '03/04/09'; ages '15yrs'; Missing Yes/No/Don't know."""
    lines = [["Ref", "First name", "Surname", "Age", "Date first seen", "Gender", "Missing from home?",
              "Area"]]
    stats = {"victim_rows": 0}
    for i, kid in enumerate(kids, 1):
        when = case_date(rng, kid)
        miss = {"missing": "Yes", "not": "No", "unknown": ""}[kid["missing"]]
        if miss and rng.random() < 0.2:
            miss = "Don't know"
        sex = {"F": "Girl", "M": "Boy"}[kid["sex"]] if rng.random() < 0.8 else ""
        lines.append([f"NL{i:04d}", forename_as(rng, kid, 0.3), kid["surname"],
                      f"{age_at(kid['dob'], when)}yrs", when.strftime("%d/%m/%y"), sex, miss, kid["area"]])
        note(kid, sex, miss)
        truth.append(("Northlight Trust young people.csv", "csv", len(lines), kid["cid"]))
        stats["victim_rows"] += 1
    with private_open(out / "Northlight Trust young people.csv", "w", newline="", encoding="cp1252") as fh:
        csv.writer(fh).writerows(lines)
    return stats


def child_truth(kid: dict) -> dict:
    said = SAID.get(kid["cid"], {"sex": set(), "missing": set()})
    miss = said["missing"]
    return {"person_id": kid["cid"], "sex": {"F": "Female", "M": "Male"}[kid["sex"]] if said["sex"] else "Unknown",
            "missing": ("Reported missing" if "Reported missing" in miss else
                        "Not reported missing" if miss else "Unknown")}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=61)
    ap.add_argument("--children", type=int, default=150)
    ap.add_argument("--names", choices=("tiny", "realistic"), default="tiny",
                    help="the name pools: tiny invented ones (default), or realistic frequencies")
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    names = RealisticNames(a.seed) if a.names == "realistic" else None
    if names is not None:
        NICK.clear()
        NICK.update(names.nicknames())
    kids, _men = make_world(rng, a.children, names)
    by = {k: [] for k in ("pol-fell", "pol-corv", "cc-fell", "cc-corv", "ngo")}
    for kid in kids:
        for ag in who_reports(rng, kid):
            by[ag].append(kid)
    ret, tru = a.out / "returns", a.out / "_truth"
    ret.mkdir(parents=True, exist_ok=True)
    tru.mkdir(parents=True, exist_ok=True)
    truth: list = []
    stats = {"police_fellmarsh": police_fellmarsh(rng, by["pol-fell"], ret, truth),
             "police_corvington": police_corvington(rng, by["pol-corv"], ret, truth),
             "council_fellmarsh": council_fellmarsh(rng, by["cc-fell"], ret, truth),
             "council_corvington": council_corvington(rng, by["cc-corv"], ret, truth),
             "charity": charity(rng, by["ngo"], ret, truth)}
    reported = {cid for *_x, cid in truth}
    children = [child_truth(k) for k in kids if k["cid"] in reported]
    stats["children"] = len(children)
    stats["victim_records"] = len(truth)
    for key in ("sex", "missing"):
        counts: dict = {}
        for c in children:
            counts[c[key]] = counts.get(c[key], 0) + 1
        stats[f"children_by_{key}"] = counts
    with private_open(tru / "victims.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file_name", "sheet", "row_number", "person_id"])
        w.writerows(truth)
    with private_open(tru / "offenders.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file_name", "sheet", "row_number", "person_id", "column_group"])
        w.writerows(o if len(o) == 5 else (*o, "") for o in OFFENDERS)
    stats["offender_records"] = len(OFFENDERS)
    stats["offenders"] = len({o[3] for o in OFFENDERS})
    with private_open(tru / "stats.json", "w") as fh:
        json.dump(stats, fh, indent=1, sort_keys=True)
    print(json.dumps(stats, sort_keys=True))


if __name__ == "__main__":
    main()

"""Broken returns for the seventh held-out world (session 20): damaged and odd files of its agencies.

    python bench/heldout7/h7broken.py OUT

Each file is named for an agency of bench/heldout7/configs/agencies.yaml (so the registry picks its
mapping) and for what is wrong with it. Every value is invented. Files are created owner-only (0600).
`run.py --broken` ingests them beside the world's good returns (into a store of their own, with
--append) and prints each file's status and issues.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import zipfile
from pathlib import Path

import xlwt
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from h7ods import ods_bytes  # noqa: E402

KIDS = [("GCC-0001", "S.J.", "Ysgol Gyfun Glanmor", "Year 9", "Girl", "White British", "Home", "N", "Mar 2009"),
        ("GCC-0002", "R.O.", "Glanmor High School", "Yr 10", "Girl", "W/Irish", "No", "Y", "Sep 2010"),
        ("GCC-0003", "CD", "Pupil Referral Unit", "Y8", "Boy", "not recorded", "", "N", "Jan 2011")]
GCC_HEAD = ["Ref", "Initials", "School", "School year", "Gender", "Ethnicity", "Missing from home/care",
            "LAC", "Date referred"]
YOT_HEAD = ["Ref", "Forename", "Surname", "DOB", "Sex"]
YOT = [("Y1", "Siân", "O'Neill", "03/04/1995", "F"), ("Y2", "Ciarán", "D'Arcy", "3rd March 1996", "M"),
       ("Y3", "Zoë", "Ap Rhys", "1994-11-30", "F")]


def gcc_xlsx(title_rows: int = 3, pad: int = 0) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Children"
    ws["A1"] = "Glanmor County Council - Children's Services"
    r = title_rows + pad + 1
    for row in [GCC_HEAD, *KIDS]:
        for j, v in enumerate(row, 1):
            ws.cell(r, j, v or None)
        r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_part(xlsx: bytes, part: str, text: str) -> bytes:
    """The workbook with one zip part replaced."""
    src, buf = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item.filename, text if item.filename == part else src.read(item.filename))
    return buf.getvalue()


def million_rows(xlsx: bytes) -> bytes:
    used = 1 + 3 + len(KIDS)
    src = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml").decode()
    empty = "".join(f'<row r="{i}" s="1" customFormat="1" ht="15" customHeight="1"/>' for i in range(used + 1, 1048577))
    src = src.replace("</sheetData>", empty + "</sheetData>")
    src = src.replace('<dimension ref="A1:I7"/>', '<dimension ref="A1:I1048576"/>')
    return with_part(xlsx, "xl/worksheets/sheet1.xml", src)


def xls_bytes(sheet: str) -> bytes:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    ws.write(0, 0, "GLANMOR POLICE")
    heads = ["Crime Number", "Date Recorded", "Offence", "Victim Surname", "Victim Forename", "Victim DOB",
             "Victim Sex", "Victim Ethnicity", "MFH reports", "Suspect Name", "Suspect DOB", "Suspect Ethnicity"]
    for j, h in enumerate(heads):
        ws.write(5, j, h)
    for i, (_ref, fn, sn, dob, sex) in enumerate(YOT):
        for j, v in enumerate([f"GL/{i:05d}/09", "01/06/2009", "Sexual assault", sn.upper(), fn, dob, sex]):
            ws.write(6 + i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def password_protected() -> bytes:
    """What Excel writes for a workbook with a password to open: an OLE compound file (not a zip)
    holding an 'EncryptedPackage' stream. Made from an xls container by renaming its stream."""
    data = bytearray(xls_bytes("Sheet1"))
    old = "Workbook".encode("utf-16-le") + b"\0\0"
    at = data.find(old)
    new = "EncryptedPackage".encode("utf-16-le") + b"\0\0"
    data[at:at + 64] = new.ljust(64, b"\0")
    data[at + 64:at + 66] = len(new).to_bytes(2, "little")
    return bytes(data)


def merged_header_ods() -> bytes:
    """Children's header over two rows: 'Missing' spans two sub-columns, the others span both rows."""
    cov = "<covered>"
    rows = [[("Full name", 2, 1), ("Date of birth", 2, 1), ("Sex", 2, 1), ("Ethnicity", 2, 1),
             ("Missing", 1, 2), cov, ("Date of referral", 2, 1)],
            [cov, cov, cov, cov, "No. of times missing", "From", cov],
            ["Siân O'Neill", "03/04/1995", "F", "White Welsh", "2", "Home", "01/06/2009"],
            ["Ciarán D'Arcy", "3rd March 1996", "M", "W/Irish", "None", "", "12/10/2010"]]
    return ods_bytes({"Young people": rows})


def build(out: Path) -> dict[str, str]:
    files: dict[str, tuple[bytes, str]] = {}
    good = gcc_xlsx()
    files["Glanmor CC childrens services (01 truncated).xlsx"] = (good[: len(good) // 2], "truncated xlsx")
    csv_text = "\r\n".join(",".join(r) for r in [YOT_HEAD, *YOT]) + "\r\n"
    files["Ardbrook Constabulary (02 really a csv).xlsx"] = (csv_text.encode("utf-8"), "a csv named .xlsx")
    files["Ardbrook Constabulary (03 password protected).xlsx"] = (password_protected(), "password to open (OLE EncryptedPackage)")
    semi = "\r\n".join(";".join(r) for r in [YOT_HEAD, *YOT]) + "\r\n"
    files["Ardbrook Youth Offending (04 BOM semicolons).csv"] = (b"\xef\xbb\xbf" + semi.encode("utf-8"), "UTF-8 BOM, ';' separated")
    files["Ardbrook Family Support (05 merged two-row header).ods"] = (merged_header_ods(), "ods header merged over two rows")
    files["Glanmor Police (06 zero bytes).xls"] = (b"", "zero-byte file")
    files["Glanmor CC childrens services (07 million formatted rows).xlsx"] = (million_rows(good), "1,048,576 formatted empty rows")
    files["Cwtch Project – rhestr Siân’s copi ✓ (08 unicode name).xlsx"] = (good[:900], "unicode name, truncated")
    files["Glanmor Police (09 xlsx saved as xls).xls"] = (gcc_xlsx(), "an xlsx named .xls (another agency's layout)")
    files["Glanmor Police (10 sheet renamed).xls"] = (xls_bytes("Sheet1"), "xls whose sheet is not the mapping's")
    tab = "\r\n".join("\t".join(r) for r in [YOT_HEAD, *YOT]) + "\r\n"
    files["Ardbrook Youth Offending (11 tab separated).csv"] = (tab.encode("utf-8"), "tab-separated text named .csv")
    files["Glanmor CC childrens services (12 header on row 40).xlsx"] = (gcc_xlsx(pad=36), "header below the search rows")
    files["Ardbrook Constabulary (13 corrupt workbook xml).xlsx"] = (
        with_part(good, "xl/workbook.xml", "<workbook><sheets><sheet name='Victims'"), "workbook.xml cut off")
    shifted = "\r\n".join(",".join(r) for r in [YOT_HEAD, *YOT]).replace("O'Neill", "O'Neill, Siân") + "\r\n"
    files["Ardbrook Youth Offending (14 unquoted comma).csv"] = (shifted.encode("utf-8"), "an unquoted comma shifts a row")
    out.mkdir(parents=True, exist_ok=True)
    for name, (data, _why) in files.items():
        fd = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return {k: w for k, (_d, w) in files.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    a = ap.parse_args(argv)
    for name, why in build(a.out).items():
        print(f"{name}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

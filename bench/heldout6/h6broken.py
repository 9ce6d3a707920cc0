"""Broken returns for the sixth held-out world (session 19): damaged and odd files of its agencies.

    python bench/heldout6/h6broken.py OUT

Each file is named for an agency of bench/heldout6/configs/agencies.yaml (so the registry picks its
mapping) and for what is wrong with it. Written by hand as raw xlsx / ods / csv bytes, so the damage
is exactly what is said. All values are invented. Files are created owner-only (0600).
"""
from __future__ import annotations

import argparse
import io
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
      'spreadsheetml.sheet.main+xml"/>{sheets}'
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
      'spreadsheetml.styles+xml"/>{sst}</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.'
          'openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/></font></fonts>'
          '<fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/>'
          '</borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/>'
          '<xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="49" applyNumberFormat="1"/></cellXfs>'
          '</styleSheet>')
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'

VHEAD = ["Crime Ref", "Reported", "Victim name (SURNAME, Forename)", "D.O.B", "Gender", "IC",
         "Missing episodes (no.)"]
SHEAD = ["Crime Ref", "Suspect name", "Age", "Gender"]
KIDS = [("TAMBLYN, Roxanne", "1995-03-14", "Female", "IC1", "2"), ("WRAGG, Demi", "1996-11-02", "Female", "IC1", "0"),
        ("BHATTI, Sadia", "1994-07-30", "Female", "IC4", ""), ("NOAKES, Kieran", "1995-01-09", "Male", "IC1", "1"),
        ("UPCOTT, Carys", "1997-05-21", "Female", "IC1", "4"), ("MOSSOP, Lola", "1996-02-11", "Female", "IC3", "")]
MENS = [("KETTLEY, Shaun", 31), ("CHAUDRY, Tariq", 27), ("LOMAX, Craig", 40)]


def _serial(iso: str) -> int:
    import datetime as dt
    return (dt.date.fromisoformat(iso) - dt.date(1899, 12, 30)).days


def _col(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(ref: str, v) -> str:
    """v: str (inline string), int/float (number), ('date', serial), ('err', '#REF!', formula),
    ('f', formula) with no cached value, ('textnum', '34823') a number stored as text."""
    if v is None or v == "":
        return ""
    if isinstance(v, tuple):
        kind = v[0]
        if kind == "date":
            return f'<c r="{ref}" s="1"><v>{v[1]}</v></c>'
        if kind == "err":
            return f'<c r="{ref}" t="e"><f>{escape(v[2])}</f><v>{v[1]}</v></c>'
        if kind == "f":
            return f'<c r="{ref}"><f>{escape(v[1])}</f></c>'
        if kind == "textnum":
            return f'<c r="{ref}" s="2" t="inlineStr"><is><t>{v[1]}</t></is></c>'
        if kind == "sst":
            return f'<c r="{ref}" t="s"><v>{v[1]}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>'


def sheet_xml(rows: list[list], extra_rows: str = "", dim: str | None = None) -> str:
    body = "".join(f'<row r="{i}">' + "".join(_cell(f"{_col(j)}{i}", v) for j, v in enumerate(r)) + "</row>"
                   for i, r in enumerate(rows, 1) if any(x not in (None, "") for x in r))
    d = f'<dimension ref="{dim}"/>' if dim else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}>{d}'
            f"<sheetData>{body}{extra_rows}</sheetData></worksheet>")


def xlsx_bytes(sheets: dict[str, str], drop: tuple = (), sst: str | None = None, flag_encrypted=False) -> bytes:
    names = list(sheets)
    wb = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS} {RNS}><sheets>'
          + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
          + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
            + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
              '2006/relationships/styles" Target="styles.xml"/>'
            + (f'<Relationship Id="rId{len(names) + 2}" Type="http://schemas.openxmlformats.org/officeDocument/'
               '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if sst is not None else "")
            + "</Relationships>")
    parts = {"[Content_Types].xml": CT.format(
        sheets="".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.'
                       'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(names) + 1)),
        sst='<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/>' if sst is not None else ""),
        "_rels/.rels": RELS, "xl/workbook.xml": wb, "xl/_rels/workbook.xml.rels": rels, "xl/styles.xml": STYLES}
    for i, n in enumerate(names, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheets[n]
    if sst is not None:
        parts["xl/sharedStrings.xml"] = sst
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            if name in drop:
                continue
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if flag_encrypted:
                info.flag_bits |= 0x1
            z.writestr(info, text)
    return buf.getvalue()


def corv_rows(dob=lambda k: ("date", _serial(k[1])), title=True, more=()) -> tuple[list, list]:
    head = [["Corvington Constabulary: child sexual exploitation return (CEOP call for data)"], []] if title else []
    v = head + [VHEAD] + [[f"CV9{i:04d}/09", ("date", _serial("2009-06-01")), k[0], dob(k), k[2], k[3], k[4]]
                          for i, k in enumerate(KIDS)] + list(more)
    s = [["Corvington Constabulary: suspects"], [], SHEAD] + [[f"CV9{i:04d}/09", m[0], m[1], "Male"]
                                                              for i, m in enumerate(MENS)]
    return v, s


def corv_xlsx(v, s, **kw) -> bytes:
    return xlsx_bytes({"Victims": sheet_xml(v), "Suspects": sheet_xml(s)}, **kw)


NL_HEAD = "Ref,First name,Surname,Age,Date first seen,Gender,Missing from home?,Area\r\n"


def nl_lines(n=6) -> list[str]:
    fn = ["Zoë", "Renée", "Chloé", "Imogen", "Paige", "Tia"]
    sn = ["Pellow", "Varley", "Oakes", "Rudd", "Hewlett", "Dobney"]
    return [f"NL9{i:03d},{fn[i % 6]},{sn[i % 6]},{14 + i % 3}yrs,0{1 + i % 9}/04/09,Girl,Yes,Fellmarsh\r\n"
            for i in range(n)]


def build(out: Path) -> dict[str, str]:
    """File name -> what is wrong with it."""
    files: dict[str, tuple[bytes, str]] = {}
    v, s = corv_rows()
    good = corv_xlsx(v, s)
    files["Corvington Constabulary return (01 truncated).xlsx"] = (good[: len(good) * 2 // 3], "truncated xlsx")
    files["Corvington Constabulary return (02 encrypted flag).xlsx"] = (
        corv_xlsx(v, s, flag_encrypted=True), "zip whose entries are flagged encrypted (password-looking)")
    enc = (NL_HEAD + "".join(nl_lines(3))).encode("utf-8") + "".join(nl_lines(6)).encode("cp1252")
    files["Northlight Trust young people (03 mixed encodings).csv"] = (enc, "UTF-8 rows then Windows-1252 rows")
    empty = "".join(f'<row r="{i}" s="1" customFormat="1" ht="15" customHeight="1"/>' for i in range(len(v) + 1, 1048577))
    files["Corvington Constabulary return (04 million formatted rows).xlsx"] = (
        xlsx_bytes({"Victims": sheet_xml(v, extra_rows=empty, dim="A1:G1048576"), "Suspects": sheet_xml(s)}),
        "a sheet of 1,048,576 formatted empty rows under 9 used")
    v5, _ = corv_rows(dob=lambda k: ("err", "#REF!", "Sheet3!B2") if k[0].startswith("B") else ("date", _serial(k[1])))
    v5[4][6] = ("err", "#VALUE!", "A1+1")
    files["Corvington Constabulary return (05 cached errors).xlsx"] = (corv_xlsx(v5, s), "formulas with cached #REF! / #VALUE!")
    v6, _ = corv_rows(dob=lambda k: ("textnum", str(_serial(k[1]))))
    files["Corvington Constabulary return (06 serials as text).xlsx"] = (corv_xlsx(v6, s), "DOB as Excel serials in text cells")
    dup = "Ref,First name,Surname,Age,Date first seen,Gender,Missing from home?,Surname\r\n"
    files["Northlight Trust young people (07 duplicate header).csv"] = (
        (dup + "".join(ln.replace("Fellmarsh", "Oakes") for ln in nl_lines())).encode("cp1252"), "two 'Surname' columns")
    lines = nl_lines(8)
    files["Northlight Trust young people (08 header repeated).csv"] = (
        (NL_HEAD + "".join(lines[:4]) + NL_HEAD + "".join(lines[4:])).encode("cp1252"),
        "the header row repeated mid-sheet (a page break in the export)")
    files["Fellmarsh Council CSE children (09 truncated).ods"] = (good_ods()[:700], "truncated ods")
    files["Corvington Constabulary return (10 missing sheet part).xlsx"] = (
        corv_xlsx(v, s, drop=("xl/worksheets/sheet2.xml",)), "workbook lists a sheet whose part is absent")
    html = ("<html><body><table><tr>" + "".join(f"<th>{h}</th>" for h in VHEAD) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{x}</td>" for x in (f"CV{i}", "01/06/2009") + k) + "</tr>"
                      for i, k in enumerate(KIDS)) + "</table></body></html>")
    files["Corvington Constabulary return (11 html saved as xls).xls"] = (html.encode(), "an HTML table named .xls")
    semi = (NL_HEAD + "".join(nl_lines())).replace(",", ";")
    files["Northlight Trust young people (12 semicolons).csv"] = (semi.encode("cp1252"), "semicolon-separated csv")
    v13, _ = corv_rows()
    sst_rows = [[("sst", 0) if isinstance(x, str) and x == "Female" else x for x in r] for r in v13]
    files["Corvington Constabulary return (13 missing shared strings).xlsx"] = (
        xlsx_bytes({"Victims": sheet_xml(sst_rows), "Suspects": sheet_xml(s)}, sst="", drop=("xl/sharedStrings.xml",)),
        "cells point at a sharedStrings part that is not there")
    v14, _ = corv_rows(dob=lambda k: ("date", 0) if k[0].startswith(("W", "U")) else ("date", _serial(k[1])))
    files["Corvington Constabulary return (14 zero dates).xlsx"] = (
        corv_xlsx(v14, s), "blank dates kept as date cells of 0 (shown 00/01/1900)")
    v15, _ = corv_rows(dob=lambda k: ("f", "DATE(1995,3,14)") if k[0].startswith("M") else ("date", _serial(k[1])))
    files["Corvington Constabulary return (15 formulas no cache).xlsx"] = (
        corv_xlsx(v15, s), "formula cells saved with no cached value (written by a script)")
    quoted = NL_HEAD + nl_lines(1)[0] + 'NL9777,Imogen,Rudd,15yrs,02/04/09,Girl,"Yes\r\nsee notes",Corvington\r\n' \
        + "".join(nl_lines(6)[2:])
    files["Northlight Trust young people (16 newline in cell).csv"] = (quoted.encode("cp1252"), "a quoted cell over two lines")
    out.mkdir(parents=True, exist_ok=True)
    for name, (data, _why) in files.items():
        fd = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return {k: w for k, (_d, w) in files.items()}


def good_ods() -> bytes:
    import tempfile

    from h6make import write_ods
    rows = [["Fellmarsh Council Children's Services"], [],
            ["Child ID", "Forename", "Surname", "DOB day", "DOB month", "DOB year", "Sex", "Referral date",
             "Missing episodes (no.)", "Alleged perpetrators"]] + \
        [[f"FC9{i}", "Megan", "Ingham", 3, "Mar", 1995, "F", None, "2", ""] for i in range(6)]
    with tempfile.TemporaryDirectory() as d:
        write_ods(Path(d) / "x.ods", "Children", rows)
        return (Path(d) / "x.ods").read_bytes()


if __name__ == "__main__":
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    for k, w in build(ap.parse_args().out).items():
        print(f"{k}: {w}")

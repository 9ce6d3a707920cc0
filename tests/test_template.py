"""The standard template: filled programmatically, it ingests back to exactly those records."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest

from cse_audit import ingest
from cse_audit.config import load_config
from cse_audit.outputs.template import dropdown_values, template_mapping_yaml, write_template


def test_committed_mapping_matches_the_schema():
    config = load_config()
    committed = (config.root / "mappings" / "standard-template.yaml").read_text(encoding="utf-8")
    assert committed == template_mapping_yaml(config)


def fill(path, config):
    """One victim row per value of every coded column (cycling the others)."""
    wb = openpyxl.load_workbook(path)
    t = config.template
    coded = {f: dropdown_values(config, f) for f in t.codes}
    n = max(len(v) for v in coded.values())
    expected = []
    cases = wb["Cases"]
    for i in range(n):
        cases.append([f"C{i}", dt.date(2010, 1, 1) + dt.timedelta(days=i), "Testshire"])
    for sheet in ("Victims", "Offenders"):
        ws = wb[sheet]
        for i in range(n):
            row, rec = [], {}
            for f in t.sheets[sheet]:
                if f in coded:
                    v = coded[f][i % len(coded[f])]
                elif f == "record_ref":
                    v = f"{sheet[0]}{i}"
                elif f == "case_ref":
                    v = f"C{i}"
                elif f == "dob":
                    v = dt.date(1995, 1, 1) + dt.timedelta(days=37 * i)
                elif f in ("age", "missing_episodes"):
                    v = 12 + i % 5 if f == "age" else i % 4
                elif f in ("forename", "surname"):
                    v = f"{f[:3].title()}{chr(65 + i % 26)}x"
                else:
                    v = "Testshire"
                row.append(v)
                rec[f] = v
            ws.append(row)
            expected.append((sheet, rec))
    wb.save(path)
    return expected


def test_filled_template_ingests_exactly(tmp_path, fixture_config):
    config = fixture_config
    path = tmp_path / "anything.xlsx"       # no file-name pattern needed: the marker names the agency
    write_template(config, path, agency_id="ngo-fixture")
    expected = fill(path, config)
    out = ingest.prepare(path, config)
    assert out.status == "checked", out.message
    assert out.agency_id == "ngo-fixture" and out.mapping == "standard-template"
    m = out.mapped
    assert not [i for i in m.issues if i.severity == "error" or i.code == "unrecognised_code"]
    got = {("Victims" if kind == "victims" else "Offenders", r["record_ref"]): r
           for kind in ("victims", "offenders") for r in m.records[kind]}
    assert len(got) == len(expected)
    for sheet, rec in expected:
        stored = got[(sheet, rec["record_ref"])]
        for f, v in rec.items():
            if f == "ethnicity":
                category, detail = config.codes["ethnicity_template"].lookup(v) or ("Unknown", None)
                assert (stored["ethnicity"], stored["ethnicity_detail"]) == (category, detail)
            elif isinstance(v, dt.datetime | dt.date):
                assert stored[f] == (v.date() if isinstance(v, dt.datetime) else v)
            else:
                assert stored[f] == v, (sheet, f)
    assert len(m.records["cases"]) == len({r["case_ref"] for _, r in expected})


def test_dropdowns_prevent_other_values(tmp_path):
    config = load_config()
    path = tmp_path / "t.xlsx"
    write_template(config, path, agency_id=None)
    wb = openpyxl.load_workbook(path)
    ws = wb["Victims"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    header = [c.value for c in ws[1]]
    sex_col = openpyxl.utils.get_column_letter(header.index("Sex") + 1)
    dv = rules[f"{sex_col}2:{sex_col}5001"]
    assert dv.type == "list" and dv.showErrorMessage and dv.errorStyle in (None, "stop")
    lists = wb["Lists"]
    ref = dv.formula1.split("!")[1].replace("$", "")
    values = [c.value for row in lists[ref] for c in row]
    assert values == ["Female", "Male", "Unknown"]
    dob_col = openpyxl.utils.get_column_letter(header.index("Date of birth") + 1)
    assert rules[f"{dob_col}2:{dob_col}5001"].type == "date"
    assert ws[f"{dob_col}2"].number_format == "DD/MM/YYYY"
    assert ws.freeze_panes == "A2"


@pytest.mark.skipif(shutil.which("libreoffice") is None and shutil.which("soffice") is None,
                    reason="LibreOffice is not installed (CI installs it)")
@pytest.mark.parametrize("target", ["xlsx", "ods"])
def test_libreoffice_round_trip(tmp_path, fixture_config, target):
    src = tmp_path / "src" / "filled.xlsx"
    src.parent.mkdir()
    write_template(fixture_config, src, agency_id="ngo-fixture")
    expected = fill(src, fixture_config)
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([exe, "--headless", "--convert-to", target, "--outdir", str(tmp_path / "lo"), str(src)],
                   check=True, capture_output=True, timeout=180)
    out = ingest.prepare(tmp_path / "lo" / f"filled.{target}", fixture_config)
    assert out.status == "checked", out.message
    got = {r["record_ref"]: r for kind in ("victims", "offenders") for r in out.mapped.records[kind]}
    assert len(got) == len(expected)
    for _, rec in expected:
        assert got[rec["record_ref"]]["dob"] == rec["dob"]
        assert got[rec["record_ref"]]["sex"] == rec["sex"]


def test_instructions_read_on_screen_and_in_print(tmp_path):
    """A wide wrapped text column whose rows are tall enough for their lines, printed landscape
    to the page width with the column headings repeated."""
    path = tmp_path / "t.xlsx"
    write_template(load_config(), path, agency_id=None)
    ws = openpyxl.load_workbook(path)["Instructions"]
    assert ws.column_dimensions["B"].width >= 60
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    header = next(c.row for c in ws["A"] if c.value == "Sheet")
    assert ws.print_title_rows == f"${header}:${header}"
    for row in ws.iter_rows(min_row=2):
        text = row[1].value
        if isinstance(text, str) and len(text) > ws.column_dimensions["B"].width:
            assert row[1].alignment.wrap_text
            assert ws.row_dimensions[row[1].row].height >= 15 * 2  # room for the wrapped lines

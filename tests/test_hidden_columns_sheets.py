"""Columns and sheets a workbook hides (session 19): an agency may hide a column of names or a sheet
thinking it removed it. A field read from a hidden column gets a `hidden_column` warning naming the
column; a block reading a hidden sheet (hidden or very hidden) a `hidden_sheet` warning; the data
loads as before (nothing dropped, nothing read silently). Sheet and column names only, never a cell."""

from __future__ import annotations

import zipfile

import openpyxl

from cse_audit.config import Agency, Limits, load_config
from cse_audit.ingest import extent
from cse_audit.ingest.mapping import map_return
from cse_audit.ingest.readers import check_extent, read_file

from .test_extent_scan import _ODS_CELL, _ods
from .test_hidden_rows import _map as _map_with

MAPPING = ("name: t\nsheets:\n  victims:\n    sheet: Victims\n    columns:\n      case_ref: Ref\n"
           "      name: {column: Name, parse: name}\n      age: Age\n"
           "  offenders:\n    sheet: Adults\n    columns:\n      case_ref: Ref\n"
           "      name: {column: Adult, parse: name}\n")
MANIFEST = ('<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
            'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>')
_CELL = '<table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell>'
NAMES = ["Quibby Toastwick", "Vexa Pinfold", "Orrin Dawlish"]


def _xlsx(path, hide_columns=(), adults_state="visible"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Victims"
    ws.append(["Ref", "Name", "Age", "Notes"])
    for i, name in enumerate(NAMES):
        ws.append([f"R{i}", name, 13 + i, "seen"])
    for letter in hide_columns:
        ws.column_dimensions[letter].hidden = True
    wa = wb.create_sheet("Adults")
    wa.append(["Ref", "Adult"])
    wa.append(["R0", "Brisk Mudgeley"])
    wa.sheet_state = adults_state
    wb.save(path)
    return path


def _map(config_dir, path):
    return _map_with(config_dir, path, MAPPING)


def _no_values(issues):
    text = " ".join(i.message + str(i.value) for i in issues)
    assert not any(part in text for name in [*NAMES, "Brisk Mudgeley"] for part in name.split())
    assert "seen" not in text


def test_a_hidden_column_a_field_reads_is_named_and_still_read(fixture_config_dir, tmp_path):
    m = _map(fixture_config_dir, _xlsx(tmp_path / "a.xlsx", hide_columns=("B", "D")))
    assert len(m.records["victims"]) == 3 and all(r["surname"] for r in m.records["victims"])
    hidden = [i for i in m.issues if i.code == "hidden_column"]
    # Notes (D) is hidden too, but no field reads it
    assert [(i.severity, i.sheet, i.row_number, i.column_name) for i in hidden] == [("warning", "Victims", 1, "Name")]
    assert "column B 'Name' (name)" in hidden[0].message
    _no_values(m.issues)


def test_nothing_said_of_a_workbook_hiding_nothing(fixture_config_dir, tmp_path):
    m = _map(fixture_config_dir, _xlsx(tmp_path / "a.xlsx"))
    assert not [i for i in m.issues if i.code.startswith("hidden")]


def test_a_hidden_or_very_hidden_sheet_a_block_reads_is_named_and_still_read(fixture_config_dir, tmp_path):
    for state in ("hidden", "veryHidden"):
        m = _map(fixture_config_dir, _xlsx(tmp_path / f"{state}.xlsx", adults_state=state))
        assert len(m.records["offenders"]) == 1
        [issue] = [i for i in m.issues if i.code == "hidden_sheet"]
        assert (issue.severity, issue.sheet, issue.row_number, issue.block) == ("warning", "Adults", None, "offenders")
        assert ("very hidden" in issue.message) == (state == "veryHidden")
        _no_values(m.issues)


def test_the_extent_scan_reads_hidden_columns_on_every_path(tmp_path):
    path = _xlsx(tmp_path / "p.xlsx", hide_columns=("B", "D"))
    assert extent.xlsx_extents(path)["Victims"].hidden_columns == [(2, 2), (4, 4)]
    assert extent.xlsx_extents(path, max_rows=1, max_cells=1)["Victims"].hidden_columns == [(2, 2), (4, 4)]
    # LibreOffice's own xlsx: every attribute spelled out, hidden="false" on the shown ones; and a
    # prefixed sheet (walked with expat)
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols>'
           '<col collapsed="false" customWidth="true" hidden="false" max="1" min="1" width="9"/>'
           '<col collapsed="false" customWidth="true" hidden="true" max="3" min="2" width="0"/>'
           '<col collapsed="false" hidden="true" max="16384" min="9" width="0"/></cols>'
           '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Ref</t></is></c></row></sheetData></worksheet>')
    for name, body in (("lo.xlsx", xml), ("x.xlsx", xml.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=")
                                          .replace("</worksheet>", "</x:worksheet>").replace("<col ", "<x:col ")
                                          .replace("<c ", "<x:c ").replace("</c>", "</x:c>"))):
        src = tmp_path / name
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(src, "w") as zout:
            for item in zin.infolist():
                zout.writestr(item, body if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item))
        assert extent.xlsx_extents(src)["Victims"].hidden_columns == [(2, 3), (9, 16384)], name


def test_an_ods_hidden_column_is_named_with_its_repeats(tmp_path):
    cols = ('<t:table-column/><t:table-column t:visibility="collapse" t:number-columns-repeated="2"/>'
            '<t:table-column t:number-columns-repeated="1020"/>')
    path = _ods(tmp_path / "council.ods", cols + ("<t:table-row>" + _ODS_CELL * 3 + "</t:table-row>") * 2)
    assert extent.ods_extents(path)["Victims"].hidden_columns == [(2, 3)]
    assert check_extent(path, Limits())["Victims"].hidden_columns == [(2, 3)]   # what read_workbook gives


def test_an_ods_hidden_sheet_is_known(tmp_path):
    path = tmp_path / "council.ods"
    content = ('<?xml version="1.0"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:automatic-styles>'
               '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/>'
               '</style:style></office:automatic-styles><office:body><office:spreadsheet>'
               '<table:table table:name="Victims"><table:table-row>' + _CELL + '</table:table-row></table:table>'
               '<table:table table:name="Adults" table:style-name="ta2"><table:table-row>' + _CELL + '</table:table-row></table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", MANIFEST)
    assert {s.name: s.state for s in read_file(path, Limits())} == {"Victims": "visible", "Adults": "hidden"}


def test_mapping_check_and_the_feedback_workbook_say_so(fixture_config_dir, tmp_path):
    from cse_audit import authoring
    from cse_audit.outputs.feedback import PLAIN

    (fixture_config_dir / "mappings" / "t.yaml").write_text(MAPPING, encoding="utf-8")
    config = load_config(fixture_config_dir)
    text, r = authoring.check_command(_xlsx(tmp_path / "a.xlsx", hide_columns=("B",), adults_state="hidden"),
                                      "t", config)
    assert sorted(i["code"] for i in r["sheet_issues"]) == ["hidden_column", "hidden_sheet"]
    assert "warning: sheet 'Victims': column B 'Name' (name) is hidden" in text
    assert "warning: sheet 'Adults': the sheet is hidden" in text
    assert PLAIN["hidden_column"][0].startswith("A column hidden") and PLAIN["hidden_sheet"][0].startswith("A sheet")


def test_two_blocks_reading_one_hidden_column_warn_once(fixture_config_dir, tmp_path):
    offence_rows = ("name: t\nsheets:\n  victims:\n    sheet: 0\n    columns: {case_ref: Ref, name: {column: Child, "
                    "parse: name}}\n  offenders:\n    sheet: 0\n    columns: {case_ref: Ref, name: {column: Suspect, "
                    "parse: name}}\n")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ref", "Child", "Suspect"])
    ws.append(["R1", "Quibby Toastwick", "Brisk Mudgeley"])
    ws.column_dimensions["A"].hidden = True
    ws.sheet_state = "visible"
    wb.save(tmp_path / "o.xlsx")
    (fixture_config_dir / "mappings" / "t.yaml").write_text(offence_rows, encoding="utf-8")
    config = load_config(fixture_config_dir)
    agency = Agency("a", "A", "ngo", "Testarea", True, "t", ())
    m = map_return(read_file(tmp_path / "o.xlsx", Limits()), config.mappings["t"], config, agency, "o.xlsx")
    assert [i.column_name for i in m.issues if i.code == "hidden_column"] == ["Ref"]

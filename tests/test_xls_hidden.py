"""Rows and columns an .xls workbook hides get the same warnings as in xlsx and ods (session 20:
calamine does not say, and in 2011 most returns were .xls). xls_hidden.py reads them from the
BIFF records; a file it cannot read gives none and never hangs or fails the load."""

from __future__ import annotations

import struct
from pathlib import Path

from cse_audit.config import Limits
from cse_audit.ingest import xls_hidden
from cse_audit.ingest.readers import check_extent

from .test_hidden_rows import _map

HERE = Path(__file__).parent / "fixtures" / "xls_hidden"
MAPPING = ("name: t\nsheets:\n  victims:\n    sheet: Victims\n    columns:\n      case_ref: Ref\n"
           "      name: {column: Name, parse: name}\n      age: Age\n")


def test_hidden_rows_and_columns_are_read_from_the_mini_stream_and_from_sectors():
    small = check_extent(HERE / "council_small.xls", Limits())      # a Workbook stream under 4 KB
    assert {k: (e.hidden, e.hidden_columns) for k, e in small.items()} == {"Victims": ([3, 4, 5, 9], [(2, 2)])}
    large = check_extent(HERE / "police_large.xls", Limits())
    assert {k: (e.hidden, e.hidden_columns) for k, e in large.items()} == {
        "Victims": ([2, 250, 401], [(2, 2), (4, 4)])}


def test_an_xls_return_warns_of_hidden_rows_a_hidden_column_and_a_hidden_sheet(fixture_config_dir, tmp_path):
    path = tmp_path / "council.xls"
    path.write_bytes((HERE / "council_small.xls").read_bytes())
    m = _map(fixture_config_dir, path, MAPPING)
    assert len(m.records["victims"]) == 15                       # every row still loads
    rows = [i for i in m.issues if i.code == "hidden_rows"]
    assert [(i.sheet, i.row_number) for i in rows] == [("Victims", 3)]
    assert "rows 3-5, 9" in rows[0].message
    columns = [i for i in m.issues if i.code == "hidden_column"]
    assert len(columns) == 1 and "Name" in columns[0].message      # the header, never a value
    for issue in rows + columns:
        assert "Child" not in issue.message and "Number" not in issue.message


def test_a_hidden_looking_byte_run_inside_another_record_is_not_a_hidden_row():
    """The pre-check searches bytes; the walk reads records, so a LABEL whose text holds a ROW
    record's bytes with the hidden bit is not a row."""
    fake_row = struct.pack("<HH", 0x0208, 16) + struct.pack("<HHHHHHHH", 6, 0, 3, 255, 0, 0, 0x20, 0)
    label = struct.pack("<HHH", 0, 0, 15) + struct.pack("<HB", len(fake_row), 0) + fake_row
    sheet = _rec(0x0809, struct.pack("<HH", 0x0600, 0x10) + bytes(12)) + _rec(0x0208, struct.pack(
        "<HHHHHHHH", 1, 0, 3, 255, 0, 0, 0x100, 0)) + _rec(0x0204, label) + _rec(0x000A, b"")
    head = _rec(0x0809, struct.pack("<HH", 0x0600, 0x05) + bytes(12))
    name = b"Victims"
    bound = lambda at: _rec(0x0085, struct.pack("<IBBBB", at, 0, 0, len(name), 0) + name)  # noqa: E731
    globals_len = len(head) + len(bound(0)) + 4
    stream = head + bound(globals_len) + _rec(0x000A, b"") + sheet
    assert xls_hidden._MAYBE_HIDDEN_ROW.search(stream)       # the bytes are there
    assert xls_hidden._hidden_by_sheet(stream) == {}          # but no record says so


def test_damaged_or_hostile_compound_files_give_nothing_and_end():
    good = (HERE / "police_large.xls").read_bytes()
    assert xls_hidden.xls_extents(good[:4096]) == {}                       # truncated
    assert xls_hidden.xls_extents(xls_hidden.OLE_MAGIC + bytes(600)) == {}  # header only
    # the directory's chain points at itself: a loop, not an endless read
    looped = bytearray(good)
    first_dir = struct.unpack_from("<I", looped, 0x30)[0]
    fat_sector = struct.unpack_from("<I", looped, 0x4C)[0]
    struct.pack_into("<I", looped, (fat_sector + 1) * 512 + 4 * first_dir, first_dir)
    assert xls_hidden.xls_extents(bytes(looped)) == {}
    # a sheet offset past the stream's end is skipped
    assert xls_hidden._hidden_by_sheet(_rec(0x0809, struct.pack("<HH", 0x0600, 5) + bytes(12))
                                       + _rec(0x0085, struct.pack("<IBBBB", 10**6, 0, 0, 1, 0) + b"S")) == {}


def test_an_encrypted_xls_is_left_to_calamine():
    stream = _rec(0x0809, struct.pack("<HH", 0x0600, 5) + bytes(12)) + _rec(0x002F, bytes(54))
    try:
        xls_hidden._sheets(stream)
    except xls_hidden.NotReadable as exc:
        assert "encrypted" in str(exc)
    else:
        raise AssertionError("an encrypted workbook's records were read")


def _rec(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data

"""Rows and columns an .xls workbook hides, read from its BIFF records (calamine does not say).

Session 19 warned of hidden rows and columns in xlsx and ods only; but in 2011 most returns were
.xls, and an agency hides rows it meant to withdraw in any format. An .xls file is an OLE compound
file whose "Workbook" stream (BIFF8; "Book" in BIFF5) holds one BOUNDSHEET record per sheet (its
name and where its records start), and per sheet a ROW record per row that has one (bit 0x20 of
its options: the row is hidden, by hand or by a filter) and COLINFO records for ranges of columns
(bit 0x01: hidden).

Only what is needed is read, and nothing here trusts the file: every sector chain is bounded by the
file's size and stops at a loop, every record by the stream's end. A file this cannot read gives
no hidden rows (calamine, which reads the cells, reports a damaged file in its own words). Most
files hide nothing, so the stream is first searched for a ROW or COLINFO record with its hidden bit
set, as bytes; only a file with one is walked record by record (the bytes may also lie inside
another record, which the walk tells apart).
"""

from __future__ import annotations

import logging
import re
import struct

from .extent import Extent

log = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_BOF, _EOF, _BOUNDSHEET, _ROW, _COLINFO, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x0208, 0x007D, 0x002F
# a ROW record (type 0x0208, 16 bytes) or a COLINFO record (0x007D, 12 bytes), with the hidden bit
_MAYBE_HIDDEN_ROW = re.compile(rb"\x08\x02\x10\x00.{12}[" + re.escape(bytes(b for b in range(256) if b & 0x20))
                               + rb"]", re.S)
_MAYBE_HIDDEN_COLUMNS = re.compile(rb"\x7d\x00\x0c\x00.{8}[" + re.escape(bytes(range(1, 256, 2))) + rb"]", re.S)


class NotReadable(ValueError):
    """The compound file or its workbook stream is not as the format says."""


def xls_extents(data: bytes) -> dict[str, Extent]:
    """The Extent (hidden rows and columns, 1-based) of each sheet of an .xls workbook that hides
    any, by sheet name; {} when none does or the file cannot be read here."""
    try:
        stream = workbook_stream(data)
        if not (_MAYBE_HIDDEN_ROW.search(stream) or _MAYBE_HIDDEN_COLUMNS.search(stream)):
            return {}
        return _hidden_by_sheet(stream)
    except (NotReadable, struct.error, IndexError, UnicodeDecodeError) as exc:
        log.debug("hidden rows of an .xls workbook not read: %s", exc)
        return {}


def workbook_stream(data: bytes) -> bytes:
    """The bytes of the compound file's Workbook (or Book) stream."""
    if not data.startswith(OLE_MAGIC) or len(data) < 512:
        raise NotReadable("not an OLE compound file")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise NotReadable("sector size")
    size = 1 << shift
    fat = _fat(data, size)
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    cutoff, first_mini_fat = struct.unpack_from("<II", data, 0x38)
    directory = _chain_bytes(data, size, fat, first_dir)
    root_start = root_size = None
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at:at + 128]
        length, kind = struct.unpack_from("<HB", entry, 0x40)
        name = entry[:max(length - 2, 0)].decode("utf-16-le", errors="replace")
        start, stream_size = struct.unpack_from("<II", entry, 0x74)
        if kind == 5:
            root_start, root_size = start, stream_size
        elif kind == 2 and name in ("Workbook", "Book"):
            if stream_size >= cutoff:
                return _chain_bytes(data, size, fat, start)[:stream_size]
            if root_start is None:
                raise NotReadable("no root entry before the stream")
            mini_stream = _chain_bytes(data, size, fat, root_start)[:root_size]
            mini_fat = _table(_chain_bytes(data, size, fat, first_mini_fat))
            return _chain_bytes(mini_stream, 64, mini_fat, start, header=0)[:stream_size]
    raise NotReadable("no Workbook stream")


def _fat(data: bytes, size: int) -> list[int]:
    """The file allocation table: the sectors the header's list (and its DIFAT chain) names."""
    n_fat, = struct.unpack_from("<I", data, 0x2C)
    first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
    sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _END_OF_CHAIN]
    seen, at = set(), first_difat
    while at < _END_OF_CHAIN and n_difat and len(seen) <= len(data) // size:
        if at in seen:
            raise NotReadable("a loop in the DIFAT")
        seen.add(at)
        block = struct.unpack_from(f"<{size // 4}I", data, (at + 1) * size)
        sectors += [s for s in block[:-1] if s < _END_OF_CHAIN]
        at = block[-1]
    if len(sectors) < min(n_fat, 1):
        raise NotReadable("no FAT")
    return _table(b"".join(_sector(data, size, s) for s in sectors[:n_fat]))


def _table(raw: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(raw) // 4}I", raw[:len(raw) // 4 * 4]))


def _sector(data: bytes, size: int, number: int, header: int = 1) -> bytes:
    chunk = data[(number + header) * size:(number + header + 1) * size]
    if not chunk:
        raise NotReadable("a sector past the end of the file")
    return chunk


def _chain_bytes(data: bytes, size: int, table: list[int], start: int, header: int = 1) -> bytes:
    """The sectors of a chain in order; a chain longer than the file has sectors (a loop) or
    leaving the table is damage (or a trap), not a stream. Runs of consecutive sectors, the usual
    layout, are sliced in one piece."""
    runs, at, steps = [], start, 0
    limit, n = len(data) // size + 1, len(table)
    while at < _END_OF_CHAIN:
        steps += 1
        if steps > limit or at >= n:
            raise NotReadable("a broken sector chain")
        if runs and runs[-1][1] == at:
            runs[-1][1] = at + 1
        else:
            runs.append([at, at + 1])
        at = table[at]
    out = b"".join(data[(a + header) * size:(b + header) * size] for a, b in runs)
    if len(out) < (steps - 1) * size + 1:
        raise NotReadable("a sector past the end of the file")
    return out


def _records(stream: bytes, at: int):
    """(type, offset of its data, length) of each record from ``at`` to the stream's end."""
    end = len(stream)
    while at + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        yield kind, at + 4, length
        at += 4 + length


def _sheets(stream: bytes) -> list[tuple[str, int]]:
    """(name, offset of its BOF) of each worksheet, from the globals' BOUNDSHEET records."""
    sheets, biff8 = [], True
    for kind, at, length in _records(stream, 0):
        if kind == _BOF:
            biff8 = struct.unpack_from("<H", stream, at)[0] == 0x0600
        elif kind == _FILEPASS:
            raise NotReadable("encrypted")
        elif kind == _BOUNDSHEET and length >= 8:
            offset, _state, sheet_type, count = struct.unpack_from("<IBBB", stream, at)
            if biff8:
                wide = stream[at + 7] & 1
                raw = stream[at + 8:at + 8 + count * (2 if wide else 1)]
                name = raw.decode("utf-16-le" if wide else "latin-1")
            else:
                name = stream[at + 7:at + 7 + count].decode("cp1252", errors="replace")
            if sheet_type == 0:
                sheets.append((name, offset))
        elif kind == _EOF:
            break
    return sheets


def _hidden_by_sheet(stream: bytes) -> dict[str, Extent]:
    out = {}
    for name, offset in _sheets(stream):
        if not 0 <= offset < len(stream):
            continue
        ext = Extent()
        for kind, at, length in _records(stream, offset):
            if kind == _ROW and length >= 14 and struct.unpack_from("<H", stream, at + 12)[0] & 0x20:
                ext.hidden.append(struct.unpack_from("<H", stream, at)[0] + 1)
            elif kind == _COLINFO and length >= 10 and struct.unpack_from("<H", stream, at + 8)[0] & 1:
                first, last = struct.unpack_from("<HH", stream, at)
                ext.hidden_columns.append((first + 1, last + 1))
            elif kind == _EOF:
                break
        if ext.hidden or ext.hidden_columns:
            out[name] = ext
    return out

"""Files to sheets of text cells, keeping Excel row numbers.

Workbooks (xlsx, xlsm, xlsb, xls, ods) are read with python-calamine directly: it is the
engine pandas uses, and calling it ourselves keeps the sheet's own row positions and saves
a DataFrame round trip. CSV is decoded as UTF-8 (with or without BOM) or, failing that,
cp1252, Excel's default export on Windows. Every cell becomes text: the mapping decides
what it means, and raw rows are stored exactly as read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Limits
from .extent import Extent

WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
ZIP_EXTENSIONS = {".xlsx", ".xlsm", ".xlsb", ".ods"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_SHEET = "csv"


class ReadError(Exception):
    """A file (or one sheet of it) cannot be read. The message names the file and why."""

    def __init__(self, file_name: str, reason: str, sheet: str | None = None):
        self.file_name, self.reason, self.sheet = file_name, reason, sheet
        where = f"{file_name}, sheet {sheet!r}" if sheet else file_name
        super().__init__(f"{where}: {reason}")


@dataclass
class Sheet:
    """One sheet as a grid of text. ``rows[i]`` is Excel row ``i + 1``."""

    name: str
    rows: list[list[str]]
    # (row index, column index) of cells a NUL byte was dropped from (a csv's stray NULs)
    nul_cells: list[tuple[int, int]] = field(default_factory=list)
    # Excel row numbers (1-based) of rows hidden in the workbook (xlsx, ods), by hand or by a filter
    hidden_rows: list[int] = field(default_factory=list)
    # (row index, column index, error text or "") of formula cells read as blank (extent.formula_gaps)
    formula_cells: list[tuple[int, int, str]] = field(default_factory=list)
    # (first, last) column numbers (1-based) of columns hidden in the workbook (xlsx, ods), and the
    # sheet's own state: "visible", "hidden" or "veryHidden" (xlsx, xls, ods)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)
    state: str = "visible"

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _datetime_text(value: dt.datetime) -> str:
    if value.time() == dt.time(0):
        return value.date().isoformat()
    return value.isoformat(sep=" ")


# The usual cell types, looked up by exact type rather than through the isinstance chain
# below (a workbook has hundreds of thousands of number and date cells).
_TEXT_OF_TYPE = {float: _float_text, dt.date: dt.date.isoformat, dt.datetime: _datetime_text}


def cell_text(value) -> str:
    """One cell as text: integers without '.0', dates as ISO, empty as ''."""
    convert = _TEXT_OF_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        return _datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def check_file(path: Path, limits: Limits) -> None:
    """Refuse files that are empty, too big, disguised or zip bombs, before any parsing."""
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise ReadError(name, "the file is empty (0 bytes)")
    if size > limits.max_file_mb * 1024 * 1024:
        raise ReadError(name, f"the file is {size / 2**20:.0f} MB, over the {limits.max_file_mb} MB limit")
    ext = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(8)
    if ext in ZIP_EXTENSIONS:
        if head.startswith(OLE_MAGIC):
            raise ReadError(name, "the workbook is password-protected or encrypted; "
                                  "ask the agency for an unprotected copy")
        if not zipfile.is_zipfile(path):
            raise ReadError(name, f"not a valid {ext} workbook ({_what_it_is(path, head)})")
        try:
            with zipfile.ZipFile(path) as zf:
                total = sum(info.file_size for info in zf.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise ReadError(name, f"damaged workbook ({exc})") from exc
        if total > limits.max_uncompressed_mb * 1024 * 1024:
            raise ReadError(name, f"the workbook expands to {total / 2**20:.0f} MB, over the "
                                  f"{limits.max_uncompressed_mb} MB limit (zip bomb?)")
    elif ext == ".xls" and not head.startswith(OLE_MAGIC):
        raise ReadError(name, f"not a valid legacy .xls workbook ({_what_it_is(path, head)})")


def _what_it_is(path: Path, head: bytes) -> str:
    """What a file that is not the workbook its name says is (bench/heldout7: a csv saved as .xlsx, an
    xlsx renamed .xls and a cut-off download all read "renamed or truncated file?", so the analyst
    could not tell whether to open it as what it is or ask again). From the bytes alone, never a value."""
    if head.startswith(b"PK"):
        if zipfile.is_zipfile(path):
            with path.open("rb") as fh:
                kind = ".ods" if b"opendocument" in fh.read(200) else ".xlsx"
            return f"it is an {kind} workbook named {path.suffix}: rename it {kind}"
        return "not a zip archive as it stands: cut off part way (truncated in the download or the email?); ask for it again"
    with path.open("rb") as fh:
        start = fh.read(2048)
    text = start.lstrip(b"\xef\xbb\xbf").lstrip()
    if text[:1] == b"<" and (b"<html" in text.lower() or b"<table" in text.lower()):
        return "it is an HTML page (a web export named as a workbook): open it in Excel and save it as .xlsx"
    if start and not any(b < 9 or 13 < b < 32 for b in start):   # no control bytes: text
        return f"not a zip archive but a text file (a csv?) named {path.suffix}: rename it .csv"
    return "wrong file signature: renamed, damaged or truncated file?"


def read_file(path: str | Path, limits: Limits) -> list[Sheet]:
    """Read every sheet of a return as text grids."""
    path = Path(path)
    check_file(path, limits)
    ext = path.suffix.lower()
    if ext == ".csv":
        return [read_csv(path, limits)]
    if ext in WORKBOOK_EXTENSIONS:
        return read_workbook(path, limits)
    raise ReadError(path.name, f"unsupported file type {ext!r}")


def check_extent(path: Path, limits: Limits) -> dict[str, Extent]:
    """Refuse a sheet over the row, column or cell limits from the workbook's XML, before
    calamine builds its dense grid (see extent.py); xls is bounded by its format (65,536 x 256).
    Returns the Extent of each sheet that hides rows or columns, read in the same pass (xlsx, ods;
    xls from its BIFF records, xls_hidden.py)."""
    from xml.parsers.expat import ExpatError

    from .extent import ods_extents, ods_within, xlsx_extents

    ext = path.suffix.lower()
    if ext == ".xls":
        from .xls_hidden import xls_extents

        return xls_extents(path.read_bytes())
    if ext not in (".xlsx", ".xlsm", ".ods"):
        return {}
    try:
        if ext == ".ods" and ods_within(path, limits.max_rows, limits.max_columns, limits.max_cells):
            return {}
        extents = ods_extents(path) if ext == ".ods" else xlsx_extents(path, limits.max_rows, limits.max_cells)
    except (ExpatError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(path.name, f"damaged workbook ({_short(exc)})") from exc
    for name, e in extents.items():
        if e.rows > limits.max_rows:
            raise ReadError(path.name, f"{e.rows} rows, over the {limits.max_rows} row limit", name)
        if e.columns > limits.max_columns:
            raise ReadError(path.name, f"{e.columns} columns, over the {limits.max_columns} column limit", name)
        if e.rows * e.columns > limits.max_cells:
            raise ReadError(path.name, f"{e.rows} rows x {e.columns} columns, over the {limits.max_cells} cell "
                                       "limit (a grid this size would not fit in memory)", name)
    return extents


_STATES = {"Hidden": "hidden", "VeryHidden": "veryHidden"}


def read_workbook(path: Path, limits: Limits) -> list[Sheet]:
    import python_calamine as cal

    extents = check_extent(path, limits)

    try:
        wb = cal.CalamineWorkbook.from_path(str(path))
    except cal.PasswordError as exc:
        raise ReadError(path.name, "the workbook is password-protected") from exc
    except Exception as exc:  # calamine raises several types for damaged files
        raise ReadError(path.name, f"cannot open the workbook ({_short(exc)}; damaged or truncated file? ask the "
                                   "agency for a new copy)") from exc
    sheets = []
    # a sheet the workbook hides (session 19: read without a word); calamine knows it for every format
    states = {m.name: _STATES.get(str(m.visible).rsplit(".", 1)[-1], "visible")
              for m in getattr(wb, "sheets_metadata", ())}
    with wb:
        for name in wb.sheet_names:
            try:
                sheet = wb.get_sheet_by_name(name)
                end = sheet.end
                if end and (end[0] + 1 > limits.max_rows):
                    raise ReadError(path.name, f"{end[0] + 1} rows, over the {limits.max_rows} row limit", name)
                if end and (end[1] + 1 > limits.max_columns):
                    raise ReadError(path.name, f"{end[1] + 1} columns, over the {limits.max_columns} "
                                               "column limit", name)
                grid = sheet.to_python(skip_empty_area=False)
            except ReadError:
                raise
            except Exception as exc:
                raise ReadError(path.name, f"cannot read the sheet ({_short(exc)})", name) from exc
            seen = extents.get(name) or Extent()
            gaps = [(r - 1, c - 1, e) for r, c, e in seen.formula_cells]
            sheets.append(Sheet(name, [[v if type(v) is str else cell_text(v) for v in row] for row in grid],
                                formula_cells=gaps, hidden_rows=seen.hidden, hidden_columns=seen.hidden_columns,
                                state=states.get(name, "visible")))
    return sheets


def decode_text(data: bytes, file_name: str) -> str:
    """UTF-8 (BOM or not), UTF-16 with its BOM (Excel's "Unicode text"), else cp1252; refuse
    binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(file_name, f"damaged UTF-16 text ({exc.reason})") from exc
    if b"\x00" in data[:8192] and not stray_nuls(data):
        raise ReadError(file_name, "binary data, not a text csv file")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _some_lines_utf8(data):
        return "".join(map(_line_text, data.splitlines(keepends=True)))
    return _cp1252(data)


def _cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so nothing is lost.
        return data.decode("latin-1")


# Session 19: a csv whose rows were pasted together from two exports, some lines UTF-8 and some
# Windows-1252 ("Zoë" as C3 AB on one line, EB on another). The whole file is no UTF-8, so every
# line was read as cp1252 and the UTF-8 names became "ZoÃ«" without a word: another name to the
# linkage. A line that is valid UTF-8 with a character past ASCII is UTF-8 (cp1252 text seldom is:
# it needs "Ã" or "Â" before a second such byte), the others cp1252, line by line.
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*")


def _some_lines_utf8(data: bytes) -> bool:
    for found in _NON_ASCII_LINE.finditer(data):
        try:
            found.group().decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def _line_text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return _cp1252(line)


# A NUL byte stands for "no character" in the exports that leave them (fixed-width fields padded
# with NULs): a few in otherwise clean text are dropped, each cell with a `nul_byte` warning
# (session 18: one NUL refused the whole return as binary data, naming no row). Random bytes or a
# renamed workbook have other control bytes too, and stay refused.
_NUL_MARK = "\ue000"
_CONTROL = bytes(c for c in range(1, 32) if c not in (9, 10, 13))


def stray_nuls(data: bytes) -> bool:
    """Whether the NUL bytes of `data` are a few strays in text: at most 1 % of the bytes, and no
    other control byte (bar tab, CR, LF) in the first 64 kB."""
    head = data[:65536]
    return data.count(0) <= len(data) // 100 and not any(b in _CONTROL for b in head)


def read_csv(path: Path, limits: Limits) -> Sheet:
    text = decode_text(path.read_bytes(), path.name).replace("\x00", _NUL_MARK)
    dialect = _excel_dialect(text)
    # Long cells are rejected row by row in the mapping, so the parser itself must not stop at them.
    csv.field_size_limit(int(limits.max_file_mb * 1024 * 1024))
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(row)
            if len(rows) > limits.max_rows:
                raise ReadError(path.name, f"over the {limits.max_rows} row limit", CSV_SHEET)
            if len(row) > limits.max_columns:
                raise ReadError(path.name, f"row {len(rows)} has {len(row)} columns, over the "
                                           f"{limits.max_columns} column limit", CSV_SHEET)
    except csv.Error as exc:
        raise ReadError(path.name, f"malformed csv near row {len(rows) + 1} ({exc})", CSV_SHEET) from exc
    nul_cells = [(i, j) for i, row in enumerate(rows) for j, c in enumerate(row) if _NUL_MARK in c]
    for i, j in nul_cells:
        rows[i][j] = rows[i][j].replace(_NUL_MARK, "")
    return Sheet(CSV_SHEET, rows, nul_cells)


def _excel_dialect(text: str) -> type[csv.Dialect]:
    """Excel's csv: double quotes, and the delimiter the header line uses most (a comma, or a
    semicolon in some locales, or a tab). csv.Sniffer guesses quote characters from the data
    and so merges rows of text holding apostrophes; a header line is a safer witness."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get) if max(counts.values()) else ","

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]

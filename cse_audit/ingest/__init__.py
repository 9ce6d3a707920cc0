"""Ingest: from returns on disk to landed rows and canonical records in the store.

The stage's steps, one module each:
    discover.py   find the return files in the paths given; identify each file's agency
    readers.py    read a file's sheets as grids of text cells with Excel row numbers
    stacked.py    each block's table on a sheet (two tables stacked on one sheet)
    resolve.py    which column each field of a block reads in a sheet
    mapping.py    apply a YAML mapping: canonical case / victim / offender records + issues
    values.py     parse single values (dates, ages, names, initials, numbers)
    aliases.py    other names a person goes by (an alias cell; a street name inside a name cell)
    derived.py    derived fields (all_of / any_of / not), title-row constants, the reporting period
    pipeline.py   read and map (in worker processes), write each return in one transaction, link
    outcomes.py   what happened to each file and to the load
    summary.py    the load summary and issue lists as text / JSON
"""

from .discover import discover, identify, sha256_of
from .mapping import Issue, MappedReturn, ReturnError, map_return
from .outcomes import FileOutcome, IdentifyError, IngestReport
from .pipeline import ingest, link_all, prepare, validate
from .readers import ReadError, Sheet, read_file

__all__ = [
    "FileOutcome", "IdentifyError", "IngestReport", "Issue", "MappedReturn", "ReadError", "ReturnError",
    "Sheet", "discover", "identify", "ingest", "link_all", "map_return", "prepare", "read_file",
    "sha256_of", "validate",
]

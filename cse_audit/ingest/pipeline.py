"""Read, map and load returns into the store, then link people.

Each file is read and mapped in memory first, then written in one transaction: a crash
leaves either the whole return or none of it. A file that cannot be read or identified is
reported with its reason and leaves the store untouched; the other files still load.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from ..config import Config
from .discover import discover, file_warning, identify, registry_warnings, sha256_of
from .mapping import ReturnError, map_return
from .outcomes import FileOutcome, IdentifyError, IngestReport
from .readers import ReadError, read_file


def prepare(path: Path, config: Config, agency_id: str | None = None) -> FileOutcome:
    """Identify, read and map one file, in memory. Never raises for bad input."""
    from ..outputs.template import MAPPING_NAME, read_marker

    outcome = FileOutcome(path.name, str(path), "checked")
    try:
        sheets = read_file(path, config.settings.limits)
        # A filled standard template names its agency and needs no mapping work.
        marked = read_marker(sheets)
        agency = identify(path, config, agency_id or marked)
        mapping = MAPPING_NAME if marked else agency.mapping
        outcome.agency_id, outcome.agency_name = agency.id, agency.name
        outcome.source_type, outcome.mapping = agency.source_type, mapping
        if not mapping:
            raise IdentifyError(path.name, f"agency {agency.id!r} has no mapping in the registry")
        outcome.mapped = map_return(sheets, config.mappings[mapping], config, agency, path.name)
    except (IdentifyError, ReadError, ReturnError) as exc:
        outcome.status, outcome.message = "failed", exc.reason
    return outcome


def validate(paths: Iterable[str | Path], config: Config, agency_id: str | None = None,
             progress: Callable | None = None) -> IngestReport:
    """Dry run: what would be accepted and rejected, storing nothing."""
    files, problems = discover(paths, config)
    report = IngestReport(files=list(problems), warnings=registry_check(files, config, agency_id))
    for _path, outcome in _progress(_prepared(files, config, agency_id, None), progress, len(files)):
        report.files.append(outcome)
    return report


def ingest(paths: Iterable[str | Path], con, config: Config, agency_id: str | None = None,
           append: bool = False, link: bool = True, progress: Callable | None = None,
           jobs: int | None = None, engine: str | None = None) -> IngestReport:
    """Load returns into the store, then link people across all current returns.

    Files are read and mapped in parallel worker processes (``jobs``, default: one per core)
    while this process writes them to the store one at a time, in file order, so return ids
    and results do not depend on the number of workers.
    """
    from .. import store

    if store.is_minimised(con):
        raise store.StoreError("this store was minimised (names and dates of birth removed), so new records "
                               "cannot be linked to it; load them into a new store")
    files, problems = discover(paths, config)
    report = IngestReport(files=list(problems), warnings=registry_check(files, config, agency_id))
    current = {(sha, aid): rid for rid, aid, sha in
               con.execute("SELECT return_id, agency_id, sha256 FROM returns WHERE status = 'current'").fetchall()}
    todo, digests = [], {}
    for path in files:
        digests[path] = digest = sha256_of(path)
        # An identical file from the same agency is already loaded. The agency is known from the
        # file name here; byte-identical files from two agencies (two blank nil returns) both load.
        try:
            aid = identify(path, config, agency_id).id
        except IdentifyError:
            aid = None
        if (digest, aid) in current:
            rid = current[(digest, aid)]
            report.files.append(FileOutcome(path.name, str(path), "unchanged", agency_id=aid, return_id=rid,
                                            message=f"identical to return {rid}, already loaded"))
        else:
            todo.append(path)
    changed = False
    with _one_thread(con):
        for path, outcome in _progress(_prepared(todo, config, agency_id, jobs, for_store=True), progress,
                                       len(todo)):
            changed |= _load_one(con, config, path, outcome, digests[path], current, append)
            report.files.append(outcome)
    if link and (changed or _links_missing(con)):
        report.linkage = link_all(con, config.root, engine)
    return report


def _load_one(con, config: Config, path: Path, outcome: FileOutcome, digest: str, current: dict,
              append: bool) -> bool:
    """Write one prepared file to the store (unless it failed or is loaded already): changed?"""
    from .. import store

    if outcome.status != "failed" and (digest, outcome.agency_id) in current:
        rid = current[(digest, outcome.agency_id)]
        outcome.status, outcome.return_id, outcome.mapped = "unchanged", rid, None
        outcome.message = f"identical to return {rid}, already loaded"
    elif outcome.status != "failed":
        outcome.return_id, outcome.superseded = store.write_return(
            con, outcome.mapped, config.agencies[outcome.agency_id], outcome.mapping, path, digest, append,
            tables=outcome.tables)
        outcome.tables = None
        current[(digest, outcome.agency_id)] = outcome.return_id
        outcome.status = "loaded"
        return True
    return False


@contextmanager
def _one_thread(con):
    """DuckDB on one thread while returns load: the worker processes keep the cores busy, and
    each insert is small, so its threads would only wait on each other (a third of the write time)."""
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


PARALLEL_MIN_BYTES = 4 * 1024 * 1024
# How far the workers may run ahead of the writer (a mapped file takes several times its size).
AHEAD_FILES = 3
AHEAD_BYTES = 48 * 1024 * 1024


@contextmanager
def _collector_paused():
    """Reading and mapping a return makes millions of cells and values, freed by reference
    counting as soon as the return is done: the cyclic garbage collector, triggered over and
    over by the allocations, would walk them all each time (a tenth of the work) for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prepare_one(args) -> FileOutcome:
    path, config, agency_id, for_store = args
    with _collector_paused():
        outcome = prepare(path, config, agency_id)
        if for_store and outcome.mapped is not None:
            from ..store import arrow_tables

            outcome.tables = arrow_tables(outcome.mapped, config.agencies[outcome.agency_id])
            # Raw rows and records now travel as Arrow (cheap to pass between processes and
            # to insert); the lists can go, keeping the counts for the load summary.
            outcome.mapped.drop_rows()
    return outcome


def _prepared(paths: list[Path], config: Config, agency_id: str | None, jobs: int | None,
              for_store: bool = False):
    """(path, outcome) in file order, read and mapped by up to `jobs` worker processes.

    Files are written in file order (later returns supersede earlier ones), but workers may run
    ahead of the writer: while one big file is still being mapped, the other workers go on with
    the next ones. How far they run ahead is bounded (AHEAD_FILES per worker, AHEAD_BYTES of
    source files), so memory stays bounded however many files there are.
    """
    import os

    if jobs is None:
        # Starting workers costs about half a second: worth it only for a sizeable batch.
        big = sum(p.stat().st_size for p in paths) > PARALLEL_MIN_BYTES
        jobs = (os.cpu_count() or 1) if big else 1
    if jobs <= 1 or len(paths) <= 1:
        for path in paths:
            yield path, _prepare_one((path, config, agency_id, for_store))
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: workers never inherit DuckDB's threads and locks from this process.
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        pending: deque = deque()
        ahead = 0  # bytes of the source files in flight
        for path in paths:
            size = path.stat().st_size
            # Wait for the oldest file first when too far ahead (always keep jobs + 1 in flight).
            while len(pending) > jobs and (len(pending) >= AHEAD_FILES * jobs or ahead + size > AHEAD_BYTES):
                done_path, done_size, future = pending.popleft()
                ahead -= done_size
                yield done_path, future.result()
            pending.append((path, size, pool.submit(_prepare_one, (path, config, agency_id, for_store))))
            ahead += size
        while pending:
            done_path, _, future = pending.popleft()
            yield done_path, future.result()


def registry_check(files: list[Path], config: Config, agency_id: str | None = None) -> list[str]:
    """Warnings about the registry for this load: agency names within one edit of each other, and
    files whose name matches more than one agency's patterns (unless --agency names it)."""
    out = registry_warnings(config)
    if not agency_id:
        out += [w for w in (file_warning(p.name, config) for p in files) if w]
    return out


def _links_missing(con) -> bool:
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    return "victim_persons" not in names


def link_all(con, config_root: Path | None = None, engine: str | None = None) -> dict:
    """Link victims and offenders of all current returns (engine: duckdb / spark; None = as configured)."""
    from .. import store
    from ..linkage import link_people

    if store.is_minimised(con):
        # Names and dates of birth are gone: linking again would split every person.
        raise store.StoreError("this store was minimised; its people cannot be linked again")

    settings = Path(config_root) / "linkage.yaml" if config_root else None
    return {kind: link_people(con, kind, config=settings, engine=engine) for kind in ("victims", "offenders")}


def _progress(items, progress: Callable | None, length: int | None = None):
    if progress is None:
        yield from items
        return
    with progress(items, length=length) as bar:
        yield from bar

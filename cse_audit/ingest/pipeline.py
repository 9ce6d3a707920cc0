"""Read, map and load returns into the store, then link people.

Each file is read and mapped in memory first, then written with the files before and after it
in one transaction (batches.py): a crash leaves either the whole return or none of it. A file
that cannot be read or identified is reported with its reason and leaves the store untouched;
the other files still load.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from pathlib import Path

from ..config import Config
from .batches import BatchWriter, _size
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
        if isinstance(exc, ReadError):
            _name_agency(outcome, path, config, agency_id)
            # the sheet that could not be read, in the issue row and the message (session 19: a
            # sheet's damaged shared strings said "cannot read the sheet (Cell string index not
            # found ...)", naming no sheet)
            outcome.sheet = exc.sheet
            if exc.sheet and repr(exc.sheet) not in exc.reason:
                outcome.message = f"sheet {exc.sheet!r}: {exc.reason}"
    except Exception as exc:  # one file's bug must not stop the batch (README promise)
        outcome.status, outcome.message, outcome.mapped = "failed", unexpected_error("mapping", exc), None
    return outcome


def _name_agency(outcome: FileOutcome, path: Path, config: Config, agency_id: str | None) -> None:
    """A file that could not be read (truncated, empty, binary) is still the agency's its name
    says: the summary names it, so the analyst knows whom to ask for a new copy. Nothing else
    reads a failed file's agency."""
    try:
        agency = identify(path, config, agency_id)
    except IdentifyError:
        return
    outcome.agency_id, outcome.agency_name, outcome.source_type = agency.id, agency.name, agency.source_type


def unexpected_error(step: str, exc: BaseException) -> str:
    """A failed file's reason for an error no check foresaw: its type and where it happened.

    The exception's own text is left out (it can quote a cell, i.e. a name or a date of birth),
    except for the store's key conflicts, which quote only record ids."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" in {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    detail = ""
    if type(exc).__name__ == "ConstraintException":
        detail = ": " + str(exc).splitlines()[0][:300]
    return (f"unexpected error while {step} ({type(exc).__name__}{where}){detail}; nothing of this file was "
            f"stored, the other files go on")


def validate(paths: Iterable[str | Path], config: Config, agency_id: str | None = None,
             progress: Callable | None = None) -> IngestReport:
    """Dry run: what would be accepted and rejected, storing nothing."""
    since = cpu_mark()
    files, problems = discover(paths, config)
    report = IngestReport(files=list(problems), warnings=registry_check(files, config, agency_id))
    for _path, outcome in _progress(_prepared(files, config, agency_id, None, since=since), progress, len(files)):
        report.files.append(outcome)
    return report


def ingest(paths: Iterable[str | Path], con, config: Config, agency_id: str | None = None,
           append: bool = False, link: bool = True, progress: Callable | None = None,
           jobs: int | None = None, engine: str | None = None, strict: bool = False,
           status: Callable | None = None) -> IngestReport:
    """Load returns into the store, then link people across all current returns.

    Files are read and mapped by this process and ``jobs`` - 1 worker processes (default, for a
    sizeable batch: the cores other work leaves free; 1: this process only) while a thread of this
    process writes them to the store in file order, several returns a transaction (batches.py),
    so return ids and results do not depend on the number of workers.

    With ``strict``, every file is checked first (read twice: the price of all-or-nothing) and
    nothing is stored when a file fails or a row would be rejected: the report returned is then
    the check's, with `stored` false. ``status(label)`` is a context manager around each
    linkage step (the command line shows a status line).
    Interrupted (Ctrl-C), it raises ``Interrupted`` saying how far it got: each batch of
    returns and each kind's linkage is one transaction, so nothing is half-written.
    """
    from .. import store
    from ..state.interrupts import Interrupted, caused_by_interrupt

    if store.is_minimised(con):
        raise store.StoreError("this store was minimised (names and dates of birth removed), so new records "
                               "cannot be linked to it; load them into a new store")
    since = cpu_mark()  # for how busy the cores are with other work (_free_cores)
    if strict:
        checked = validate(paths, config, agency_id, progress)
        if checked.has_errors:
            checked.stored = False
            return checked
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
    from ..state import record_config

    # The store remembers the configuration it was loaded with; a new one means linking again.
    changed = record_config(con, config.root)
    unchanged = len(files) - len(todo)
    writer = BatchWriter(con, config, current, append, sum(map(_size, todo)))
    try:
        _write_all(con, writer, _progress(_prepared(todo, config, agency_id, jobs, True, since), progress,
                                          len(todo)), digests, report)
    except BaseException as exc:
        if not caused_by_interrupt(exc):
            raise
        raise Interrupted(f"{unchanged + writer.settled} of {len(files)} returns loaded; linkage not run") from None
    changed, done = changed or writer.changed, unchanged + writer.settled
    report.warnings += copies_of_other_agencies(con, report, digests)
    # Link whatever is stale, judged per kind from what each was built on, not from whether a
    # file changed in this run: a crash between the two linkages, or an earlier --no-link, leaves
    # a kind stale with every file unchanged.
    stale = store.stale_link_kinds(con) if link else []
    if stale or (link and changed):
        try:
            report.linkage = link_all(con, config.root, engine, status, kinds=stale or None)
        except BaseException as exc:
            if not caused_by_interrupt(exc):
                raise
            what = exc.message if isinstance(exc, Interrupted) else "linkage not run"
            raise Interrupted(f"{done} of {len(files)} returns loaded; {what}") from None
    return report


def copies_of_other_agencies(con, report: IngestReport, digests: dict) -> list[str]:
    """A warning for each return loaded now that is byte-identical to another agency's return with
    rows (current or superseded): one agency's file sent, or saved, under another's name counts its
    children for both (session 18: it loaded with "No issues"). Identical blank templates and nil
    returns of two agencies are normal and say nothing; the later of two copies is the one named."""
    by_path = {str(p): d for p, d in digests.items()}
    out = []
    for f in report.files:
        if f.status != "loaded" or not f.mapped or not f.mapped.rows_landed or f.path not in by_path:
            continue
        other = con.execute("SELECT return_id, agency_id, file_name FROM returns WHERE sha256 = ? AND agency_id <> ? "
                            "AND return_id < ? AND rows_landed > 0 ORDER BY return_id LIMIT 1",
                            [by_path[f.path], f.agency_id, f.return_id]).fetchone()
        if other:
            out.append(f"{f.file_name} ({f.agency_id}) is byte-identical to {other[2]} (return {other[0]}, "
                       f"{other[1]}): both agencies' records are counted; if one sent the other's file, ask it "
                       "for its own return")
    return out


def _write_all(con, writer: BatchWriter, prepared, digests: dict, report: IngestReport) -> None:
    """Each prepared file to the writer, in file order, then the last batch and a checkpoint."""
    with _one_thread(con):
        try:
            for path, outcome in prepared:
                writer.add(path, outcome, digests[path])
                report.files.append(outcome)
            writer.finish()
        finally:
            writer.close()  # stopped half-way: the batch being written is finished (or rolled back) first


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
            from .rows import arrow_tables

            try:
                outcome.tables = arrow_tables(outcome.mapped, config.agencies[outcome.agency_id])
            except Exception as exc:  # as in prepare: this file fails, the batch goes on
                outcome.status, outcome.message = "failed", unexpected_error("preparing the store rows", exc)
                outcome.mapped = None
                return outcome
            # Raw rows and records now travel as Arrow (cheap to pass between processes and
            # to insert); the lists can go, keeping the counts for the load summary.
            outcome.mapped.drop_rows()
    return outcome


def _prepared(paths: list[Path], config: Config, agency_id: str | None, jobs: int | None,
              for_store: bool = False, since: tuple | None = None):
    """(path, outcome) in file order, read and mapped by this process and `jobs` - 1 worker processes.

    Files are written in file order (later returns supersede earlier ones), but the workers may run
    ahead of the writer: while one big file is still being mapped, this process and the other
    workers go on with the next ones. How far they run ahead is bounded (AHEAD_FILES per process,
    AHEAD_BYTES of source files), so memory stays bounded however many files there are.
    """
    if jobs is None:
        # Starting a worker costs about 0.8 s of CPU (a Python, its imports): worth it only for a
        # sizeable batch and a core other work leaves free.
        big = sum(p.stat().st_size for p in paths) > PARALLEL_MIN_BYTES
        jobs = _free_cores(since) if big else 1
    workers = jobs - 1  # --jobs 1: all in this process
    if workers <= 0 or len(paths) <= 1:
        for path in paths:
            yield path, _prepare_one((path, config, agency_id, for_store))
        return
    with worker_pool(workers) as pool:
        yield from _shared(paths, pool, workers, lambda path: (path, config, agency_id, for_store))


def worker_pool(workers: int):
    """The processes that read and map files beside this one (see start_worker)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: workers never inherit DuckDB's threads and locks from this process.
    ctx = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=start_worker)


def start_worker() -> None:
    """A worker process's set-up: Ctrl-C is left to the main process, and pandas is not imported.

    A worker reads, maps and builds Arrow tables; it never needs pandas, but pyarrow imports it
    on its first `pa.array` only to ask whether a list is a pandas object (~0.2 s of the
    worker's CPU, about a third of its start). With pandas not importable, pyarrow takes it as
    absent (an import that fails, as where pandas is not installed: its shim is written for that).
    The block is a finder that refuses the import, not `sys.modules["pandas"] = None` (which
    code reading sys.modules would take for the module itself; tried in session 11)."""
    from ..state.interrupts import ignore_in_worker

    ignore_in_worker()
    without_pandas()


def without_pandas() -> None:
    """Make pandas unimportable in this process from now on, unless it is imported already
    (start_worker; `cse-audit ingest --no-link`, a process that ends with the load). pyarrow and
    DuckDB take it as absent for the rest of the process: only for a process that never needs it."""
    import sys

    if "pandas" not in sys.modules and not any(isinstance(f, _WithoutPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _WithoutPandas())


class _WithoutPandas:
    """A meta path finder refusing pandas (start_worker)."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (a load does without it: without_pandas)",
                                      name=name)
        return None


def _shared(paths: list[Path], pool, workers: int, args):
    """The files between this process and the pool's workers, handed out in file order.

    This process's own thread is free while the store is written (the writer works without the
    GIL), so it maps files too, where it once only waited for the workers: each worker keeps
    two files (one running, one queued), this process takes the next file itself, and a file is
    handed out as soon as it and every file before it are done."""
    from collections import deque

    pending: deque = deque()  # [path, size, future or None, outcome]
    ahead = at_workers = i = 0  # source bytes in flight, files at the workers, next file

    def room(size: int) -> bool:
        return not pending or (len(pending) < AHEAD_FILES * (workers + 1) and ahead + size <= AHEAD_BYTES)

    try:
        while i < len(paths) or pending:
            while pending and (pending[0][2] is None or pending[0][2].done()):
                path, size, future, outcome = pending.popleft()
                ahead, at_workers = ahead - size, at_workers - (future is not None)
                yield path, outcome if future is None else future.result()
            sizes = [p.stat().st_size for p in paths[i:i + 2 * workers + 1]]
            while i < len(paths) and at_workers < 2 * workers and room(sizes[0]):
                pending.append([paths[i], sizes[0], pool.submit(_prepare_one, args(paths[i])), None])
                ahead, at_workers, i, sizes = ahead + sizes[0], at_workers + 1, i + 1, sizes[1:]
            if i < len(paths) and room(sizes[0]):
                pending.append([paths[i], sizes[0], None, _prepare_one(args(paths[i]))])
                ahead, i = ahead + sizes[0], i + 1
            elif pending:  # too far ahead, or nothing left to take: wait for the oldest file
                path, size, future, _ = pending.popleft()
                ahead, at_workers = ahead - size, at_workers - 1
                yield path, future.result()
    except BaseException:
        # Stopped (an interrupt, or the writer failed): drop the files not started yet.
        for entry in pending:
            if entry[2] is not None:
                entry[2].cancel()
        raise


def _free_cores(since: tuple | None = None) -> int:
    """Cores not busy with other work, at least one: the cores less what other processes kept busy
    since ``since`` (a cpu_mark() taken when the load began, a few tenths of a second ago), or
    where that is not known, less the load average (as `make -l` judges it). Workers cost CPU of
    their own (start-up, passing files back): on a machine already busy they only slow the load
    (100k records on two cores busy with other work: 8.4 s and 8.2 s CPU in this process alone,
    10.8 s and 10.7 s with one worker). The load average is a minute's: a load run just after
    another one (or a benchmark's bare read) would count its own predecessor as other work."""
    import os

    cores = os.cpu_count() or 1
    busy = _busy_elsewhere(since)
    if busy is None:
        try:
            busy = os.getloadavg()[0]
        except (AttributeError, OSError):  # not on every platform
            return cores
    return max(1, min(cores, round(cores - busy)))


def cpu_mark() -> tuple[float, float, float] | None:
    """(seconds all cores have been busy, this process's CPU seconds, now), where the system says
    (Linux's /proc/stat); None elsewhere."""
    import os
    import time

    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = fh.readline().split()
        ticks = os.sysconf("SC_CLK_TCK")
        # user nice system idle iowait irq softirq steal: all but idle and iowait are busy
        values = [int(v) for v in fields[1:9]]
    except (OSError, ValueError, AttributeError):
        return None
    if fields[0] != "cpu" or len(values) < 8:
        return None
    return (sum(values) - values[3] - values[4]) / ticks, time.process_time(), time.monotonic()


def _busy_elsewhere(since: tuple | None) -> float | None:
    """Cores other processes kept busy on average since the mark, or None if not known (no mark,
    or too short a time to tell: /proc/stat counts in hundredths of a second)."""
    now = cpu_mark() if since else None
    if now is None or now[2] - since[2] < 0.1:
        return None
    return max(0.0, ((now[0] - since[0]) - (now[1] - since[1])) / (now[2] - since[2]))


def registry_check(files: list[Path], config: Config, agency_id: str | None = None) -> list[str]:
    """Warnings about the registry for this load: agency names within one edit of each other, and
    files whose name matches more than one agency's patterns (unless --agency names it)."""
    out = registry_warnings(config)
    if not agency_id:
        out += [w for w in (file_warning(p.name, config) for p in files) if w]
    return out


def link_all(con, config_root: Path | None = None, engine: str | None = None,
             status: Callable | None = None, kinds: list[str] | None = None) -> dict:
    """Link victims and offenders (or ``kinds``) of all current returns (engine: duckdb / spark;
    None = as configured). ``status(label)``, if given, is a context manager around each kind's
    linkage (a status line). Each kind is linked in one transaction; interrupted, it raises
    ``Interrupted`` naming the kinds linked and not."""
    from .. import store
    from ..linkage import link_people
    from ..state.interrupts import Interrupted, caused_by_interrupt

    if store.is_minimised(con):
        # Names and dates of birth are gone: linking again would split every person.
        raise store.StoreError("this store was minimised; its people cannot be linked again")

    settings = Path(config_root) / "linkage.yaml" if config_root else None
    if config_root:
        from ..state import record_config

        record_config(con, config_root)
    from ..linkage import load_linkage_config

    config = load_linkage_config(settings)  # once for both kinds (50 ms a load)
    results: dict = {}
    for kind in kinds or ("victims", "offenders"):
        try:
            with status(f"Linking {kind}") if status else nullcontext():
                results[kind] = link_people(con, kind, config=config, engine=engine)
        except BaseException as exc:
            if not caused_by_interrupt(exc):
                raise
            linked = f"{', '.join(results)} linked, " if results else ""
            raise Interrupted(f"linkage interrupted ({linked}{kind} not: run `cse-audit link run`)") from None
    if config_root:
        _precompute_tables(con, config_root, status)
    return results


def _precompute_tables(con, config_root: Path, status: Callable | None) -> None:
    """Count the default tables once, now that the people changed, for `cse-audit tables` to read
    (state/tables_cache.py). A failure here leaves no precomputed tables (`tables` then counts,
    and reports the problem itself), never a failed linkage."""
    import logging

    from ..state.tables_cache import write_tables_cache

    try:
        with status("Counting the tables") if status else nullcontext():
            write_tables_cache(con, config_root)
    except Exception as exc:
        # the type only: an error's text can quote a value
        logging.getLogger(__name__).warning("tables not precomputed (%s); `cse-audit tables` counts them when "
                                            "asked", type(exc).__name__)


def _progress(items, progress: Callable | None, length: int | None = None):
    if progress is None:
        yield from items
        return
    with progress(items, length=length) as bar:
        yield from bar

"""Ctrl-C, told honestly: where the work stopped, in one line, and nothing half-written.

SIGINT reaches the code in many shapes: a KeyboardInterrupt, or an error from inside DuckDB or
Splink that the interrupt caused ("Query interrupted", "cannot rollback", Splink's exception with
its SQL). The command line installs ``install()``'s handler, which notes that an interrupt came,
so any exception after it is known to be the interrupt's doing. The library turns it into
``Interrupted``, carrying what was done; writes are transactions, so nothing is half-written.
"""

from __future__ import annotations

import signal

_seen = False


class Interrupted(KeyboardInterrupt):
    """The user interrupted the work; the message says how far it got."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _handler(signum, frame):
    global _seen
    _seen = True
    raise KeyboardInterrupt


def install() -> None:
    """Note every SIGINT (then interrupt as Python always does)."""
    signal.signal(signal.SIGINT, _handler)


def caused_by_interrupt(exc: BaseException) -> bool:
    """True for a KeyboardInterrupt, and for any error raised after a SIGINT arrived."""
    return isinstance(exc, KeyboardInterrupt) or _seen


def ignore_in_worker() -> None:
    """Worker processes leave Ctrl-C to the main process, which stops them (no tracebacks)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

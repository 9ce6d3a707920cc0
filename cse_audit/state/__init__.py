"""What the store knows about itself, and how work stops when interrupted.

    store_state.py  the configuration a store was built with (store_config), whether its linkage
                    is current per kind, the returns it holds and restoring a superseded one
    interrupts.py   Ctrl-C: noted, turned into `Interrupted` saying how far the work got
    tables_cache.py the default tables, precomputed after each linkage (store_meta), and when
                    `cse-audit tables` may print them instead of counting

Names are imported on first use: the command line installs the interrupt handler at start-up,
which must not pay for DuckDB (store_state imports the store).
"""

from __future__ import annotations

from ..config.lazy import lazy_exports

_NAMES = {
    "interrupts": ("Interrupted", "caused_by_interrupt", "ignore_in_worker", "install"),
    "store_state": ("CONFIG_TABLE", "RecordedConfig", "RestoreError", "StaleLinkage", "linkage_state", "list_returns",
                    "record_config", "recorded_config", "require_current_linkage", "restore_return"),
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}

__all__ = sorted(_WHERE)


__getattr__ = lazy_exports(__name__, _WHERE)

"""The two errors of linkage: a bad config (or overrides file), and a store linkage cannot run on.

Separate so that every module of the package can raise them without importing another."""


class LinkageConfigError(ValueError):
    """configs/linkage.yaml (or an overrides file) is wrong; the message names file and key."""


class LinkageError(RuntimeError):
    """Linkage cannot run on this store (e.g. no records, unknown record ids)."""


class TruthMismatchError(LinkageError):
    """A truth file whose rows mostly match no current record (another kind or data set)."""

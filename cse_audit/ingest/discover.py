"""Find the returns in the paths given and identify the agency each comes from.

Folders are searched (ignored names pass unseen, but for Excel's lock file beside the workbook
it locks; other file types are listed as skipped);
the agency comes from --agency or from the registry's file-name patterns.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..config import Agency, Config
from .outcomes import FileOutcome, IdentifyError


def discover(paths: Iterable[str | Path], config: Config) -> tuple[list[Path], list[FileOutcome]]:
    """Expand files and folders into the returns to load (sorted, so runs are repeatable)."""
    settings = config.settings
    exts = {"." + e.lower().lstrip(".") for e in settings.extensions}
    found, problems = [], []

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pat) for pat in settings.ignore)

    for p in map(Path, paths):
        if p.is_dir():
            for sub in sorted(p.rglob("*")):
                rel = sub.relative_to(p).parts
                if any(ignored(part) for part in rel) or sub.is_dir():
                    if not any(ignored(part) for part in rel[:-1]) and _open_in_excel(sub):
                        problems.append(FileOutcome(sub.name, str(sub), "skipped", message=(
                            f"Excel's lock file: {_open_in_excel(sub)!r} is open in Excel, perhaps with changes "
                            "not saved; its last saved version is loaded")))
                    continue
                # Whatever else is in the folder is listed, so nothing the user gave is dropped unseen.
                if not sub.is_file():
                    problems.append(FileOutcome(sub.name, str(sub), "failed", message=(
                        "cannot read: not a regular file (a broken link, or a link to itself?)")))
                elif sub.suffix.lower() in exts:
                    found.append(sub)
                else:
                    problems.append(FileOutcome(sub.name, str(sub), "skipped", message=(
                        f"not loaded: file type {sub.suffix or '(none)'!r} is not a return "
                        f"({', '.join(sorted(exts))}); add `ignore` patterns in settings.yaml to leave it unlisted")))
        elif p.is_file():
            if p.suffix.lower() in exts:
                found.append(p)
            else:
                problems.append(FileOutcome(p.name, str(p), "failed", message=(
                    f"unsupported file type {p.suffix or '(none)'!r}; expected one of "
                    f"{', '.join(sorted(exts))}")))
        else:
            problems.append(FileOutcome(p.name, str(p), "failed", message="no such file or folder"))
    return found, problems


def _open_in_excel(path: Path) -> str | None:
    """The workbook beside Excel's lock file `path` ("~$" over the first two letters of its name, or
    before a short one), or None. The lock file is passed over, as before, but the workbook it locks
    may be open with edits not saved: the load says so (session 18: passed over without a word)."""
    if not path.name.startswith("~$") or not path.is_file():
        return None
    tail = path.name[2:]
    for sib in path.parent.iterdir():
        if sib != path and sib.is_file() and not sib.name.startswith("~$") and (sib.name == tail or sib.name[2:] == tail):
            return sib.name
    return None


def identify(path: Path, config: Config, agency_id: str | None = None) -> Agency:
    """The agency a file comes from: named by the user, or by the registry's file patterns."""
    if agency_id:
        agency = config.agencies.get(agency_id)
        if agency is None:
            raise IdentifyError(path.name, f"no agency {agency_id!r} in the registry")
        return agency
    ranked = matching_agencies(path.name, config)
    if not ranked:
        raise IdentifyError(path.name, "no agency in configs/agencies.yaml matches this file name; add a "
                                       "`files` pattern to the agency's entry or pass --agency ID")
    # The most specific pattern wins (longest literal text), so "*north-yorkshire*" beats "*yorkshire*".
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        raise IdentifyError(path.name, "more than one agency matches this file name: "
                                       f"{', '.join(a.id for a, _ in ranked)}; pass --agency ID")
    return ranked[0][0]


# -- registry patterns (issue 18): case, apostrophes and punctuation do not matter ---------------

_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_PUNCT = re.compile(r"[^\w*?]+|_+")


def pattern_key(text: str) -> str:
    """A file name or a `files` pattern compared without case, apostrophes and punctuation:
    "Barsetshire Children's Services CSE return.csv" -> "barsetshire childrens services cse return csv",
    "*barsetshire childrens services*" keeps its wildcards."""
    s = _APOSTROPHES.sub("", str(text).casefold())
    return _PUNCT.sub(" ", s)


def _pattern_hit(name: str, key: str, pat: str) -> int | None:
    """How specific the pattern is (its literal letters), if it matches the file name (``name``
    lower-cased, ``key`` its pattern_key); else None."""
    lower, pat_key, specific = _pattern_forms(pat)
    if fnmatch.fnmatchcase(name, lower) or fnmatch.fnmatchcase(key, pat_key):
        return specific
    return None


@lru_cache(maxsize=1 << 14)
def _pattern_forms(pat: str) -> tuple[str, str, int]:
    """A pattern lower-cased, as a pattern_key, and how specific it is: worked out once, not for
    every file (each file is matched against every pattern of the registry, three times a load)."""
    key = pattern_key(pat)
    return pat.lower(), key, len(key.replace("*", "").replace("?", "").strip())


def matching_agencies(file_name: str, config: Config) -> list[tuple[Agency, int]]:
    """Every agency whose `files` patterns match the file name, most specific first."""
    key, lower = pattern_key(file_name), file_name.lower()
    out = []
    for a in config.agency_list:
        hits = [h for h in (_pattern_hit(lower, key, pat) for pat in a.files) if h is not None]
        if hits:
            out.append((a, max(hits)))
    return sorted(out, key=lambda x: -x[1])


def file_warning(file_name: str, config: Config) -> str | None:
    """A file name that matches more than one agency (the most specific is taken): worth a look."""
    ranked = matching_agencies(file_name, config)
    if len(ranked) < 2 or ranked[0][1] == ranked[1][1]:
        return None     # none, one, or a tie (which identify refuses with its own message)
    others = ", ".join(a.id for a, _ in ranked[1:])
    return (f"{file_name}: matches the file patterns of {len(ranked)} agencies; taken as {ranked[0][0].id} "
            f"(the most specific pattern), also matched: {others}")


def registry_warnings(config: Config) -> list[str]:
    """Agency names within one edit of each other ("Northern Lantern Trust" / "Northern Lanterns
    Trust"): a typo in the registry, or two agencies a reader will confuse."""
    names = [(a, " ".join(pattern_key(a.name).split())) for a in config.agency_list]
    out = []
    for i, (a, x) in enumerate(names):
        for b, y in names[i + 1:]:
            if x != y and _within_one_edit(x, y) or x == y:
                out.append(f"agencies {a.id} ({a.name!r}) and {b.id} ({b.name!r}) have names within one edit of "
                           "each other: check the registry (configs/agencies.yaml)")
    return out


def _within_one_edit(x: str, y: str) -> bool:
    if abs(len(x) - len(y)) > 1:
        return False
    if len(x) > len(y):
        x, y = y, x
    i = 0
    while i < len(x) and x[i] == y[i]:
        i += 1
    if len(x) == len(y):
        return x[i + 1:] == y[i + 1:]          # one substitution (or none)
    return x[i:] == y[i + 1:]                  # one insertion


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

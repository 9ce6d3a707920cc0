"""Find the returns in the paths given and identify the agency each comes from.

Folders are searched (ignored names pass unseen, other file types are listed as skipped);
the agency comes from --agency or from the registry's file-name patterns.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable
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


def identify(path: Path, config: Config, agency_id: str | None = None) -> Agency:
    """The agency a file comes from: named by the user, or by the registry's file patterns."""
    if agency_id:
        agency = config.agencies.get(agency_id)
        if agency is None:
            raise IdentifyError(path.name, f"no agency {agency_id!r} in the registry")
        return agency
    name = path.name.lower()
    hits = [a for a in config.agency_list if any(fnmatch.fnmatch(name, pat.lower()) for pat in a.files)]
    if not hits:
        raise IdentifyError(path.name, "no agency in configs/agencies.yaml matches this file name; add a "
                                       "`files` pattern to the agency's entry or pass --agency ID")
    if len(hits) > 1:
        # The most specific pattern wins (longest literal text), so "*north-yorkshire*" beats "*yorkshire*".
        def specificity(a: Agency) -> int:
            return max(len(pat.replace("*", "")) for pat in a.files if fnmatch.fnmatch(name, pat.lower()))
        hits.sort(key=specificity, reverse=True)
        if specificity(hits[0]) == specificity(hits[1]):
            raise IdentifyError(path.name, "more than one agency matches this file name: "
                                           f"{', '.join(a.id for a in hits)}; pass --agency ID")
    return hits[0]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

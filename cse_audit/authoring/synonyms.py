"""The synonym table (configs/draft_synonyms.yaml) and what a header names.

`load_synonyms` reads the table once into normalised lookups; `match_header` says which canonical
field a header names (by synonym, abbreviation, contained phrase or closeness) and `HeaderMatch`
carries that answer with its strength and a sentence of evidence. Separate because every other step
of the drafter (header row, sheet kind, column and code-list choice) asks these questions, and the
table is configuration, not logic.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from ..config import DEFAULT_CONFIG_DIR, Config, ConfigError, load_yaml, normalise

STRENGTH = {"synonym": 3, "abbreviation": 3, "contains": 2, "close": 1, "values": 0}


@dataclass
class Synonyms:
    """configs/draft_synonyms.yaml, normalised once."""

    exact: dict[str, str]                      # normalised header -> field
    compact: dict[str, str]                    # header without spaces -> field
    contains: list[tuple[tuple[str, ...], str]]  # phrase words -> field, longest first
    fuzzy_cutoff: float
    fuzzy_min_length: int
    code_hints: dict[str, list[tuple[str, ...]]]
    self_defined: list[tuple[str, ...]]
    officer_defined: list[tuple[str, ...]]
    code_candidates: dict[str, list[str]]
    unknown_like: list[tuple[str, ...]]
    role_headers: set[str]
    role_values: dict[str, str]                # normalised role value -> victims | offenders | skip
    kind_sheet: dict[str, list[tuple[str, ...]]]
    kind_header: dict[str, list[tuple[str, ...]]]
    relation_hints: list[tuple[str, ...]] = field(default_factory=list)   # header words naming the child


def load_synonyms(config: Config | None = None, path: Path | None = None) -> Synonyms:
    path = path or _synonyms_path(config)
    d = load_yaml(path) or {}
    words = lambda items: [tuple(normalise(i).split()) for i in items or []]  # noqa: E731
    exact, compact, contains = {}, {}, []
    for fname, spec in (d.get("fields") or {}).items():
        if config is not None and fname not in config.fields:
            raise ConfigError(path, f"fields.{fname}", None, "unknown field; see configs/schema.yaml")
        for s in spec.get("exact") or []:
            exact.setdefault(normalise(s), fname)
            compact.setdefault(normalise(s).replace(" ", ""), fname)
        for s in spec.get("contains") or []:
            contains.append((tuple(normalise(s).split()), fname))
    contains.sort(key=lambda p: -len(" ".join(p[0])))
    role = d.get("role") or {}
    role_values = {}
    for kind in ("victims", "offenders", "skip"):
        for v in role.get(kind) or []:
            role_values[normalise(v)] = kind
    kinds = d.get("kinds") or {}
    return Synonyms(
        exact, compact, contains, float(d.get("fuzzy_cutoff", 0.85)), int(d.get("fuzzy_min_length", 5)),
        {k: words(v) for k, v in (d.get("code_hints") or {}).items()},
        words(d.get("self_defined")), words(d.get("officer_defined")),
        {k: list(v) for k, v in (d.get("code_candidates") or {}).items()},
        words(d.get("unknown_like")),
        {normalise(h) for h in role.get("headers") or []}, role_values,
        {k: words((v or {}).get("sheet")) for k, v in kinds.items()},
        {k: words((v or {}).get("header")) for k, v in kinds.items()},
        words(d.get("relation_hints")),
    )


def _synonyms_path(config: Config | None) -> Path:
    if config is not None and (Path(config.root) / "draft_synonyms.yaml").exists():
        return Path(config.root) / "draft_synonyms.yaml"
    return DEFAULT_CONFIG_DIR / "draft_synonyms.yaml"


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


@dataclass
class HeaderMatch:
    field: str
    how: str            # synonym | abbreviation | contains | close | values
    detail: str = ""    # the phrase or synonym that matched

    @property
    def strength(self) -> int:
        return STRENGTH[self.how]

    def describe(self, header: str) -> str:
        if self.how == "contains":
            return f"header {header!r} contains '{self.detail}' ~ {self.field}"
        if self.how == "close":
            return f"header {header!r} is close to '{self.detail}' ~ {self.field} (fuzzy)"
        if self.how == "values":
            return f"header {header!r} names no field; the values say {self.field}"
        return f"header {header!r} ~ {self.field} ({self.how})"


def match_header(header: str, syn: Synonyms) -> HeaderMatch | None:
    """The field a header names, by synonym, abbreviation, contained phrase or closeness."""
    n = normalise(header)
    if not n:
        return None
    if n in syn.exact:
        return HeaderMatch(syn.exact[n], "synonym")
    c = n.replace(" ", "")
    if c in syn.compact:
        return HeaderMatch(syn.compact[c], "abbreviation")
    words = tuple(n.split())
    for phrase, fname in syn.contains:
        if _has_phrase(words, phrase):
            return HeaderMatch(fname, "contains", " ".join(phrase))
    if len(n) >= syn.fuzzy_min_length:
        close = difflib.get_close_matches(n, list(syn.exact), n=1, cutoff=syn.fuzzy_cutoff)
        if close:
            return HeaderMatch(syn.exact[close[0]], "close", close[0])
    return None


def _hinted(header: str, phrases: list[tuple[str, ...]]) -> bool:
    words = tuple(normalise(header).split())
    return any(_has_phrase(words, p) for p in phrases)


def _unknown_like(value: str, syn: Synonyms) -> bool:
    words = tuple(normalise(value).split())
    return any(_has_phrase(words, p) for p in syn.unknown_like)

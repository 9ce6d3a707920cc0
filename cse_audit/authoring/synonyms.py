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

STRENGTH = {"synonym": 3, "abbreviation": 3, "contains": 2, "close": 1, "values": 0,
            "name_values": 2,     # a name header over values that are initials (columns.initials_not_names)
            "lone_reference": 1}  # "No." alone, the only reference of the sheet (draft.lone_reference)


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
    # Words written several ways ("No", "No.", "Number", "Ref"; "Occ", "Occurrence"): each read as its
    # list's first word before comparing (`word_forms`), so one synonym covers every way of writing it.
    word_forms: dict[str, str] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)   # header in canonical words -> field
    lone_reference: set[str] = field(default_factory=set)     # "No.", "#", "ID" alone (normalised)


def load_synonyms(config: Config | None = None, path: Path | None = None) -> Synonyms:
    path = path or _synonyms_path(config)
    d = load_yaml(path) or {}
    words = lambda items: [tuple(normalise(i).split()) for i in items or []]  # noqa: E731
    exact, compact, contains = {}, {}, []
    forms = _word_forms(d.get("word_forms"), path)
    canonical: dict[str, str] = {}
    for fname, spec in (d.get("fields") or {}).items():
        if config is not None and fname not in config.fields:
            raise ConfigError(path, f"fields.{fname}", None, "unknown field; see configs/schema.yaml")
        for s in spec.get("exact") or []:
            exact.setdefault(normalise(s), fname)
            compact.setdefault(normalise(s).replace(" ", ""), fname)
            canonical.setdefault(" ".join(_canon(normalise(s).split(), forms)), fname)
        for s in spec.get("contains") or []:
            contains.append((_canon(normalise(s).split(), forms), fname))
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
        words(d.get("relation_hints")), forms, canonical,
        {normalise(h) for h in d.get("lone_reference") or []} | {"no", "number"},
    )


def _word_forms(raw, path) -> dict[str, str]:
    """`word_forms: {number: [no, num, ref, ...]}` -> {"no": "number", "num": "number", ...}."""
    out: dict[str, str] = {}
    for canon, forms in (raw or {}).items():
        if not isinstance(forms, list):
            raise ConfigError(path, f"word_forms.{canon}", None, "a list of the ways the word is written")
        for f in [canon, *forms]:
            out[normalise(f)] = normalise(canon)
    return out


def _canon(words, forms: dict[str, str]) -> tuple[str, ...]:
    # A form of two words ("rec d": "Rec'd" with its apostrophe normalised to a space) is read as
    # one word first; before session 18 only one-word forms were, so "Date Rec'd" matched no field.
    words = list(words)
    for form in (f for f in forms if " " in f):
        parts = form.split()
        i = 0
        while i + len(parts) <= len(words):
            if words[i:i + len(parts)] == parts:
                words[i:i + len(parts)] = [form]
            i += 1
    return tuple(forms.get(w, w) for w in words)


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
    order: str | None = None   # a whole name whose header states its order: surname_first | forename_first

    @property
    def strength(self) -> int:
        return STRENGTH[self.how]

    def describe_short(self) -> str:
        """How the header matched, without the header: "synonym", "contains 'offender name'"."""
        return f"contains '{self.detail}'" if self.how == "contains" and self.detail else self.how

    def describe(self, header: str) -> str:
        if self.order:
            return f"header {header!r} names both parts of a name, {self.order.replace('_', ' ')} ~ {self.field}"
        if self.how == "contains":
            return f"header {header!r} contains '{self.detail}' ~ {self.field}"
        if self.how == "close":
            return f"header {header!r} is close to '{self.detail}' ~ {self.field} (fuzzy)"
        if self.how == "values":
            return f"header {header!r} names no field; the values say {self.field}"
        if self.how == "lone_reference":
            return (f"header {header!r} is a number word alone, the only reference on the sheet: read as the "
                    f"{self.field} (check it is not a row count)")
        if self.how == "name_values":
            return f"header {header!r} names a name ({self.detail}), but its values are {self.field}"
        return f"header {header!r} ~ {self.field} ({self.how})"


def match_header(header: str, syn: Synonyms) -> HeaderMatch | None:
    """The field a header names, by synonym, abbreviation, contained phrase or closeness."""
    n = normalise(header.replace("#", " no ") if "#" in header else header)   # "Incident #" is "Incident No"
    if not n:
        return None
    if n in syn.exact:
        return HeaderMatch(syn.exact[n], "synonym")
    c = n.replace(" ", "")
    if c in syn.compact:
        return HeaderMatch(syn.compact[c], "abbreviation")
    words = _canon(n.split(), syn.word_forms)
    # A header of two or more words in other forms ("Occ. No" is "Occurrence Number"); a word alone
    # ("No.", "ID") is too little to say which reference it is.
    if len(words) >= 2 and " ".join(words) in syn.canonical:
        return HeaderMatch(syn.canonical[" ".join(words)], "abbreviation")
    order = stated_order(words, syn)
    if order is not None:
        return HeaderMatch("name", "contains", order.replace("_", " "), order)
    for phrase, fname in syn.contains:
        if _has_phrase(words, phrase):
            return HeaderMatch(fname, "contains", " ".join(phrase))
    # a plural read as its singular ("Perpetrator ages" holds "age"): before closeness, which took it
    # for "perpetrators", a name (s21)
    if (single := singular(words)) != words:
        for phrase, fname in syn.contains:
            if _has_phrase(single, phrase):
                return HeaderMatch(fname, "contains", " ".join(phrase))
    if len(n) >= syn.fuzzy_min_length:
        close = difflib.get_close_matches(n, list(syn.exact), n=1, cutoff=syn.fuzzy_cutoff)
        if close:
            return HeaderMatch(syn.exact[close[0]], "close", close[0])
    return None


def singular(words: tuple[str, ...]) -> tuple[str, ...]:
    """Each word of more than three letters ending in a single "s" without it ("ages" -> "age")."""
    return tuple(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def stated_order(words: tuple[str, ...], syn: Synonyms) -> str | None:
    """The order of a whole name a header states: both parts named ("Victim (SURNAME, Forename)",
    "Name - last name, first name") in the order they come, or one part then "first" ("Offender name
    - surname first"). The parts are the `contains` phrases of forename and surname. None otherwise."""
    where: dict[str, tuple[int, int]] = {}           # part -> (first index, end index)
    for phrase, fname in syn.contains:
        if fname not in ("forename", "surname"):
            continue
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if words[i:i + n] == phrase and (fname not in where or i < where[fname][0]):
                where[fname] = (i, i + n)
    if len(where) == 2:
        return "surname_first" if where["surname"][0] < where["forename"][0] else "forename_first"
    if len(where) == 1:
        (part, (_, end)), = where.items()
        if end < len(words) and words[end] == "first":
            return f"{part}_first"
    return None


def _hinted(header: str, phrases: list[tuple[str, ...]]) -> bool:
    words = tuple(normalise(header).split())
    return any(_has_phrase(words, p) for p in phrases)


def _unknown_like(value: str, syn: Synonyms) -> bool:
    words = tuple(normalise(value).split())
    return any(_has_phrase(words, p) for p in syn.unknown_like)

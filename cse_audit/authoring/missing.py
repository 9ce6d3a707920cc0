"""The missing-from-home rules: one column that says both whether and where from a child went missing,
and a count of episodes that says whether when nothing else does.

Separate because these rules rewrite the choices already made for missing_status, missing_from and
missing_episodes together, after each column has been chosen on its own.
"""

from __future__ import annotations

from ..config import Config, normalise
from .model import ColumnChoice
from .profile import Profile, _pct
from .synonyms import Synonyms, _unknown_like


def _missing_rules(chosen: dict, by_field: dict, headers: list[str], profiles: dict, fits,
                   config: Config, syn: Synonyms) -> None:
    """One column often says both whether and where from a child went missing ("Missing from
    home/care": Yes / No / Home / Care); a count of episodes says whether when nothing else does."""
    status_list, from_list = config.codes["missing_status"], config.codes["missing_from"]
    st, fr = chosen.get("missing_status"), chosen.get("missing_from")

    def usable(c):
        return c is not None and not c.todo and len(c.headers) == 1

    # A "Missing" column holding counts is the number of episodes.
    if usable(st) and "missing_episodes" not in chosen:
        p = profiles[headers.index(st.headers[0])]
        if p.known >= 3 and p.share(p.ints) >= 0.9:
            chosen["missing_episodes"] = ColumnChoice(
                "missing_episodes", st.headers, st.headers[0],
                [f"header {st.headers[0]!r} ~ missing_status, but {_pct(p.share(p.ints))} of values are "
                 "counts: the number of missing episodes"], "medium")
            del chosen["missing_status"]
            st = None
    episodes = chosen.get("missing_episodes")
    # One column, two fields.
    if usable(fr) and st is None and fits("missing_status"):
        header = fr.headers[0]
        p = profiles[headers.index(header)]
        whether_only = [v for v in p.values if status_list.lookup(v) and not from_list.lookup(v)]
        if not p.values and usable(episodes):
            # Two possible sources and no values to choose by: ask.
            ep = episodes.headers[0]
            chosen["missing_status"] = ColumnChoice(
                "missing_status", [], {"TODO": f"no values to tell whether {header!r} says if the child went missing "
                                               f"(then column: {header!r}, codes: missing_status) or only where "
                                               f"from (then column: {ep!r}, derive: missing_from_episodes)"},
                [f"two possible sources: {header!r} or the count {ep!r}"], "low",
                todo=f"two possible sources: {header!r} or the count {ep!r}")
        # Home / Care / Both alone cannot say "not reported missing": a count of episodes says more.
        elif whether_only or (not usable(episodes) and any(status_list.lookup(v) for v in p.values)):
            st = chosen["missing_status"] = _second_field("missing_status", header, p, status_list, syn)
    elif usable(st) and fr is None and fits("missing_from"):
        header = st.headers[0]
        p = profiles[headers.index(header)]
        if any(from_list.lookup(v) and normalise(v) not in ("yes", "no", "y", "n") for v in p.values):
            fr = chosen["missing_from"] = _second_field("missing_from", header, p, from_list, syn)
    if usable(fr) and usable(st) and fr.headers == st.headers:
        # Values that say only whether ("Yes", "No") say nothing about where from.
        p = profiles[headers.index(fr.headers[0])]
        whether_only = sorted(v for v in p.values if status_list.lookup(v) and not from_list.lookup(v))
        if whether_only:
            fr.spec = _with_unknown(fr.spec, fr.headers[0], whether_only)
            fr.evidence.append(f"{len(whether_only)} value(s) that say only whether are listed as unknown here")
            if fr.confidence == "low":
                fr.confidence = "medium"
        fr.unrecognised = [v for v in fr.unrecognised if not status_list.lookup(v)]
        st.unrecognised = [v for v in st.unrecognised if not from_list.lookup(v)]
    if "missing_status" not in chosen and fits("missing_status") and usable(episodes):
        chosen["missing_status"] = ColumnChoice(
            "missing_status", list(episodes.headers),
            {"column": episodes.headers[0], "derive": "missing_from_episodes"},
            [f"derived from the count {episodes.headers[0]!r} (0 = not reported missing, 1 or more = "
             "reported missing)"], episodes.confidence)


def _second_field(fname: str, header: str, p: Profile, code_list, syn: Synonyms) -> ColumnChoice:
    known = [v for v in p.values if code_list.lookup(v)]
    spec = {"column": header, "codes": code_list.name}
    unknown = sorted(v for v in p.values if not code_list.lookup(v) and _unknown_like(v, syn))
    if unknown:
        spec["unknown"] = unknown
    unrecognised = sorted(v for v in p.values if not code_list.lookup(v) and v not in unknown)
    what = "where from" if fname == "missing_from" else "whether"
    evidence = [f"column {header!r} also says {what} the child went missing: {len(known)} of {len(p.values)} "
                f"distinct values are {code_list.name} codes"]
    return ColumnChoice(fname, [header], spec, evidence, "medium", unrecognised=unrecognised)


def _with_unknown(spec, header: str, tokens: list[str]) -> dict:
    spec = dict(spec) if isinstance(spec, dict) else {"column": header}
    spec["unknown"] = sorted(set(spec.get("unknown", [])) | set(tokens))
    return spec

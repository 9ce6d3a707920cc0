"""A full name with only an undated age (a band, or an age dated by the reference period) fits
every namesake born within its interval, as initials and an age fit everyone with those initials:
it joins only the person of its best match and never bridges two (session 21)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cse_audit.linkage import groups
from cse_audit.linkage.link import _best_only_for_partial
from cse_audit.linkage.model import _partial

from .test_linkage_prior import _features


def test_a_name_with_an_undated_age_is_partial_and_one_with_a_dated_age_is_not():
    kinds = np.arange(8, dtype=np.int8)  # full name: dob, dated age, undated age, nothing; then no full name
    assert _partial(kinds).tolist() == [False, False, True, True, True, True, True, True]


def test_a_named_record_with_an_undated_band_joins_one_of_two_namesakes_not_both():
    """Two children of one full name, born 1994 and 1995 (dates of birth two years apart: their
    own pair scores low), and a charity's record of that name aged "13-15" with no date, which
    fits both and scores above the threshold with each: it joins its best match only."""
    d1, d2 = dt.date(1994, 3, 1), dt.date(1996, 5, 1)
    epoch = dt.date(1970, 1, 1)
    days = [(d - epoch).days for d in (d1, d2)]
    kinds = groups.record_kinds(_features([
        (False, d1, days[0], days[0]), (False, d2, days[1], days[1]),
        (False, None, days[0] - 400, days[1] + 400)]))   # the band, about four years wide
    assert [groups.kind_label(int(k)) for k in kinds] == ["full name, dob", "full name, dob",
                                                          "full name, undated age"]
    edges = pd.DataFrame({"uid_l": [0, 0, 1], "uid_r": [1, 2, 2], "p": [0.06, 0.8, 0.7]})
    kept = _best_only_for_partial(edges, _partial(kinds), 0.5)
    assert list(zip(kept["uid_l"], kept["uid_r"], strict=True)) == [(0, 2)]

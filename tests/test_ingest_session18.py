"""Ingest's mapping does less per row (issue 21, session 18): each change keeps every outcome and
issue as it was; these tests hold the outcome against the old definition and fail if the cheaper
path is undone. Names here are made up."""

from __future__ import annotations

import datetime as dt

from .test_newcomer17 import HEAD, _write


class _CountedRow(list):
    """A row that counts how often all of its cells are walked (a join walks them, one look at the
    first cell does not)."""

    walks = 0

    def __iter__(self):
        _CountedRow.walks += 1
        return super().__iter__()


def _old_filled(rows, start=0):
    return [(i + 1, r) for i, r in enumerate(rows[start:], start=start) if "".join(r).strip()]


def test_filled_rows_are_the_rows_that_are_not_blank_and_a_filled_first_cell_spares_the_join():
    from cse_audit.ingest.mapping import _filled_rows

    rows = [["a", "b"], ["", ""], [], ["  ", "\t"], ["", "x"], [" ", " y "], ["\u00a0"], ["\u00a0", "z"],
            [" q", ""], ["", "", ""], ["r"]]
    for start in (0, 1, 3, len(rows)):
        assert _filled_rows(rows, start) == _old_filled(rows, start)
    _CountedRow.walks = 0
    data = [_CountedRow(["C1", "", "Ann"]), _CountedRow([" C2 ", "x"]), _CountedRow(["", "Bea"]),
            _CountedRow(["", " "])]
    got = _filled_rows(data)
    assert [n for n, _ in got] == [1, 2, 3]
    # only the two rows with a blank first cell were joined (main joined every row: 4)
    assert _CountedRow.walks == 2


def test_a_totals_row_is_looked_for_only_under_a_first_cell_a_total_label_can_start(fixture_config, tmp_path,
                                                                                     monkeypatch):
    """A third of a sheet's rows start with T, G or S (names, references): each was tested as a
    totals row. The test is asked only where the first cell is blank or starts "tot", "gra" or "sub"
    (is_totals_row's own first look), and a totals row is still found and skipped."""
    from cse_audit.ingest import mapping, prepare
    from cse_audit.ingest.sheets import is_totals_row

    asked = []

    def counted(cells):
        asked.append(cells[0])
        return is_totals_row(cells)

    monkeypatch.setattr(mapping, "is_totals_row", counted)
    rows = [HEAD]
    for i, ref in enumerate(["S1", "T2", "G3", "s4", "t5", "g6", "Sub7", "Grace8"]):
        rows.append([ref, "", f"Ann{i}", "Fakely", "", "14", "F", "", "", ""])
    rows.append(["Total", "", "8", "", "", "", "", "", "", ""])          # a sparse row: a footer anyway
    rows.append(["Grand total", "8", "8", "8", "8", "8", "8", "8", "8", "8"])   # a full totals row
    rows.append(["", "", "Bea", "Fakely", "", "15", "F", "", "", ""])
    path = _write(tmp_path / "ngo_totals.csv", rows)
    out = prepare(path, fixture_config)
    skipped = [(i.row_number, i.code) for i in out.mapped.issues if i.severity == "skipped"]
    assert (11, "footer_row") in skipped and (10, "footer_row") in skipped
    assert out.mapped.records_accepted == 9
    # main asked for every row starting with T, G or S and the blank one (12 asks); a candidate is asked
    # again with the sparse rows
    assert sorted(asked) == ["", "Grace8", "Grand total", "Grand total", "Sub7", "Total"]


def test_spread_translations_knows_each_translation_without_a_call_per_text(monkeypatch):
    from cse_audit.ingest import translate
    from cse_audit.ingest.records import UNKNOWN

    results = {"a": ("x", None, None), "b": (None, None, None), "c": (UNKNOWN, {"ethnicity_raw": "c"}, None),
               "d": (None, {"forename": "Ann", "surname": None}, None), "e": (None, {"age": None}, None),
               "f": (dt.date(2001, 2, 3), None, ("p", "q")), "g": (None, {}, None), "h": (0, None, None),
               "i": ("", None, None)}
    column = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "a", "d"]
    expected = [translate._known(*results[t][:2]) for t in column]

    def no_call(value, extra):
        raise AssertionError("_known called per distinct text")

    monkeypatch.setattr(translate, "_known", no_call)
    chosen, settled, extras, bad = translate.spread_translations(column, results)
    assert settled == expected == [True, False, False, True, False, True, False, True, True, True, True]
    assert chosen == [results[t][0] for t in column]
    assert extras["forename"] == [None, None, None, "Ann", None, None, None, None, None, None, "Ann"]
    assert bad == {"f": results["f"]}


NAMES = ["Jane Smith", "SMITH, Jane", "Jane SMITH", "Dave", "  Jane   Smith ", "Jane\tSmith", "Jane\u00a0Smith",
         '"Bigz"', '" Ann  Smith "', "\u201cBigz Smith\u201d", "John Smith (deceased)", "(aka Baz)", "Jane (Smith)",
         "Jane (Smith", "Jane Smith)", "D.W.", "J.A.S.", "D. W.", "d.w.", "Mary-Jane O'Neil", "O'NEIL, Mary Jane",
         "Smith,", ", Jane", "", " ", "Ann (Tiny) Smith", "(Asian male) Unknown", "A.B.C.D.E.", "Jo.Smith",
         "'Ann' Smith", "Ann ( ) Smith", "Ann ((x)) Smith", "van der Berg, Anna", "Anna VAN DER BERG", "Ann , Smith"]


def _old_parse_name(text, single_word="reject", order=None):
    """parse_name as main had it (session 17): the bracket search and the initials match on every text."""
    from cse_audit.ingest.values import _BRACKETED, _DOTTED_INITIALS, _ordered_name, unquoted

    s = unquoted(" ".join(text.split()))
    bare = " ".join(_BRACKETED.sub(" ", s).split())
    if len(bare.replace(",", " ").split()) >= 2:
        s = bare
    if _DOTTED_INITIALS.fullmatch(s):
        return (s[0], s[-2]), None
    if order is not None and len(s.split(" ")) > 1:
        return _ordered_name(s, order), None
    if "," in s:
        surname, _, forename = s.partition(",")
        forename = forename.strip().split(" ")[0] if forename.strip() else None
        return (forename, surname.strip() or None), None
    tokens = s.split(" ")
    if len(tokens) == 1:
        return ("single", s), None     # the single-word reading is unchanged: compared on the text read
    upper = [t for t in tokens if t.isupper() and len(t) > 1]
    if upper and len(upper) < len(tokens):
        surname = " ".join(upper)
        forename = next(t for t in tokens if t not in upper)
        return (forename, surname), None
    return (tokens[0], tokens[-1]), None


def test_parse_name_reads_every_name_as_before_and_looks_for_brackets_only_in_a_text_with_one(monkeypatch):
    from cse_audit.ingest import values

    for text in NAMES:
        for single_word in ("reject", "forename", "surname"):
            for order in (None, "surname_first", "forename_first"):
                got = values.parse_name(text, single_word, order)
                want = _old_parse_name(text, single_word, order)
                if want[0] is not None and want[0][0] == "single":
                    # one word left: read as it always was, from the same text
                    assert got == values.parse_name(want[0][1], single_word, order), (text, single_word, order)
                    assert got[1] is not None, text
                else:
                    assert got == want, (text, single_word, order)

    searched = []

    class Counted:
        def __init__(self, pattern):
            self.pattern = pattern

        def sub(self, repl, text):
            searched.append(text)
            return self.pattern.sub(repl, text)

        def fullmatch(self, text):
            searched.append(text)
            return self.pattern.fullmatch(text)

    monkeypatch.setattr(values, "_BRACKETED", Counted(values._BRACKETED))
    monkeypatch.setattr(values, "_DOTTED_INITIALS", Counted(values._DOTTED_INITIALS))
    for text in ("Jane Smith", "SMITH, Jane", "Dave", "Ann (Tiny) Smith", "D.W."):
        values.parse_name(text)
    # main searched every text twice (10 searches)
    assert searched == ["Ann (Tiny) Smith", "D.W."]

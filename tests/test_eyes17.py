"""Session 17, tried as a new analyst would: an empty template after a real return, and the
wording of the counts of agencies. Names here are made up."""

from __future__ import annotations

from .test_newcomer17 import HEAD, _write

ROW = ["C1", "", "Ann", "Fakely", "", "14", "F", "", "", ""]


def test_an_empty_template_never_replaces_the_agency_s_return(fixture_config, tmp_path):
    """Headers alone say nothing (no response, not a nil return): loaded after the agency's real
    return it used to supersede it, so the agency's records left the tables and the agency was
    chased as if it had never answered."""
    from cse_audit import ingest
    from cse_audit.store import connect
    from cse_audit.tables import build_completeness, build_tables, load_completeness_config

    con = connect(tmp_path / "s.duckdb")
    first = tmp_path / "a"
    first.mkdir()
    _write(first / "ngo_data.csv", [HEAD, ROW])
    ingest.ingest([first], con, fixture_config, link=False)
    second = tmp_path / "b"
    second.mkdir()
    _write(second / "ngo_blank.csv", [HEAD])
    report = ingest.ingest([second], con, fixture_config, link=False)
    [blank] = report.files
    assert (blank.status, blank.as_dict()["empty_return"], blank.superseded) == ("loaded", True, [])
    current = con.execute("SELECT file_name FROM current_returns WHERE agency_id = 'ngo-fixture' "
                          "ORDER BY return_id").fetchall()
    assert current == [("ngo_data.csv",), ("ngo_blank.csv",)]
    got = build_completeness(con, fixture_config.agency_list, load_completeness_config(fixture_config.root))
    row = next(r for r in got["agencies"] if r["agency"] == "ngo-fixture")
    assert row["status"] == "received" and row["victim_records"] == 1
    assert "ngo-fixture" not in [r["agency"] for r in got["outstanding"]]
    sources = build_tables(con, ["sources"])["sources"]
    ngo = next(r for r in sources["rows"] if r["category"] == "Voluntary sector")
    assert (ngo["agencies_responded"], ngo["victim_records"]) == (1, 1)
    # a real return after an empty template replaces it, as any new return does
    third = tmp_path / "c"
    third.mkdir()
    _write(third / "ngo_data2.csv", [HEAD, ROW, ["C2", "", "Bea", "Fakely", "", "15", "F", "", "", ""]])
    report = ingest.ingest([third], con, fixture_config, link=False)
    assert len(report.files[0].superseded) == 2
    con.close()


def test_one_empty_template_is_one_agency_and_the_chase_list_says_which(fixture_config_dir, tmp_path):
    """The sources note said "1 agencies"; `completeness` listed an empty template among the
    returns still to come without a word, though it is chased differently (ask whether it means
    no cases)."""
    from click.testing import CliRunner

    from cse_audit.cli import cli
    from cse_audit.store import connect
    from cse_audit.tables import build_tables

    src = tmp_path / "in"
    src.mkdir()
    _write(src / "ngo_blank.csv", [HEAD])
    db = tmp_path / "s.duckdb"
    run = CliRunner().invoke(cli, ["ingest", str(src), "--db", str(db), "--config", str(fixture_config_dir),
                                   "--no-link"])
    assert run.exit_code == 0, run.output
    con = connect(db, read_only=True)
    note = build_tables(con, ["sources"])["sources"]["note"]
    con.close()
    assert "Not counted as responded: 1 agency whose only return is an empty template" in note
    run = CliRunner().invoke(cli, ["completeness", "--db", str(db), "--config", str(fixture_config_dir), "--wide"])
    assert run.exit_code == 0, run.output
    still = next(line for line in run.output.splitlines() if line.startswith("Still to return"))
    assert "Fixture Charity (ngo-fixture; empty template: ask the agency)" in still
    assert "Silent Charity (ngo-silent)" in still   # not received: as before


def test_the_punctuation_line_adds_up_to_its_warnings(fixture_config_dir, tmp_path):
    """Five cells of punctuation alone, two of them in personal columns (name, date of birth):
    the load summary listed the three marks it may show and said nothing of the other two, so the
    line did not add up to the five warnings (unrecognised codes say how many are not shown)."""
    from click.testing import CliRunner

    from cse_audit.cli import cli

    src = tmp_path / "in"
    src.mkdir()
    _write(src / "ngo_marks.csv", [HEAD, ["C1", "", "£", "Fakely", "", "14", "*", "", "", ""],
                                   ["C2", "", "Bea", "Fakely", "*", "15", "£", "", "", ""],
                                   ["C3", "", "Cat", "Fakely", "", "16", "F", "£", "", ""]])
    run = CliRunner().invoke(cli, ["validate", str(src), "--config", str(fixture_config_dir)])
    assert "stray_punctuation 5" in run.output, run.output
    line = " ".join(run.output[run.output.index("Punctuation alone"):].split("\n\n")[0].split())
    assert "'£' x2, '*' x1, 2 in personal columns (no mark kept)" in line, line
    assert "Fakely" not in run.output
    run = CliRunner().invoke(cli, ["validate", str(src), "--config", str(fixture_config_dir), "--format", "json"])
    assert "Fakely" not in run.output


def test_completeness_says_received_includes_the_nil_returns(fixture_config_dir, tmp_path):
    """Per agency the status is "nil return" or "received"; by source type `received` counts the
    nil returns too (the sample's police: 58 asked, 46 received, 14 nil, 12 not received), which
    read as 72 agencies when the columns were added across. The table now says how they add up."""
    from click.testing import CliRunner

    from cse_audit.cli import cli

    src = tmp_path / "in"
    src.mkdir()
    _write(src / "silent_nil.csv", [["Silent Charity: no cases"], [], HEAD])
    _write(src / "ngo_blank.csv", [HEAD])
    db = tmp_path / "s.duckdb"
    run = CliRunner().invoke(cli, ["ingest", str(src), "--db", str(db), "--config", str(fixture_config_dir),
                                   "--no-link"])
    assert run.exit_code == 0, run.output
    run = CliRunner().invoke(cli, ["completeness", "--db", str(db), "--config", str(fixture_config_dir), "--wide"])
    assert run.exit_code == 0, run.output
    assert "received includes the nil returns: asked = received + empty templates + not received" in run.output
    row = next(line.split() for line in run.output.splitlines() if line.startswith("Voluntary sector"))
    asked, received, nil, empty, not_received = map(int, row[2:7])
    assert (asked, received, nil, empty, not_received) == (2, 1, 1, 1, 0)
    assert asked == received + empty + not_received

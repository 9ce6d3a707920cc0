"""Property tests: arbitrary cell text never crashes the readers or the mapping, and every
landed row becomes exactly one record, one rejected row or one skipped row."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cse_audit.config import Limits
from cse_audit.ingest.mapping import map_return
from cse_audit.ingest.readers import Sheet, read_csv

HEADER = ["Case", "Referral date", "Forename", "Surname", "Initials", "DOB", "Age", "Sex", "Ethnicity",
          "Missing", "Looked after"]
PEOPLE_HEADER = ["Occurrence No", "Occurrence date", "Role", "Full name", "D.O.B.", "Gender", "SDE", "ODE"]

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "N/K", "IC1", "W1", "A4", "31/02/2009", "03/04/2009", "40000", "14 yrs", "under 13",
                     "SMITH, Jane", "J.S.", "Victim", "Witness", "Suspect", "=1+1", "\x00", "é£", "-", "?"]),
)
rows = st.lists(st.lists(cell, min_size=0, max_size=12), max_size=25)


def counts_reconcile(m) -> bool:
    records = sum(m.count(k) for k in ("victims", "offenders"))
    if m.columns["cases"] and not (m.count("victims") or m.count("offenders")):
        records += m.count("cases")
    return m.rows_landed == m.records_accepted + m.rows_rejected + m.rows_skipped and \
        m.records_accepted == records and len(m.raw_rows) == m.rows_landed


LAYOUTS = {  # mapping -> (header row, agency, file name)
    "fixture-flat": (HEADER, "ngo-fixture", "x.csv"),
    "fixture-people": (PEOPLE_HEADER, "police-flatshire", "x.xlsx"),
}


@pytest.mark.parametrize("mapping", sorted(LAYOUTS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows)
def test_mapping_never_crashes_and_reconciles(mapping, data, fixture_config):
    header, agency_id, file_name = LAYOUTS[mapping]
    sheet = Sheet("csv", [header] + data)
    agency = fixture_config.agencies[agency_id]
    m = map_return([sheet], fixture_config.mappings[mapping], fixture_config, agency, file_name)
    assert counts_reconcile(m)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=rows)
def test_csv_round_trip_reads_every_row(data, tmp_path_factory):
    data = [[c.replace("\x00", "") for c in row] for row in data]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([HEADER] + data)
    path = tmp_path_factory.mktemp("csv") / "r.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    sheet = read_csv(path, Limits())
    # The sniffer may choose another delimiter on odd text, but no row is lost or invented.
    assert len(sheet.rows) == len(data) + 1

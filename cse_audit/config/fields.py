"""The fields of the store's record tables (cases, victims, offenders), in column order.

Apart from store.py (the store schema is built from these lists) so that code building rows for these tables (ingest's worker processes,
ingest/rows.py) needs no DuckDB: importing it is ~0.05-0.07 s of a worker's start-up.
"""

from __future__ import annotations

PERSON_FIELDS = [
    "record_ref", "case_ref", "forename", "surname", "initials", "dob", "age", "case_date",
    "sex", "ethnicity", "ethnicity_detail", "ethnicity_raw", "area",
    "force_area",  # from the registry: the police force area of the submitting agency (linkage)
    "age_max",     # the upper end of an age band or decade ("14-15", "20s"); age is the lower end
    "alias",       # other names the person goes by ("Tiny / Boss"), cleaned (ingest/aliases.py); personal
    "school_year",  # an age written as an England and Wales school year: its number (Year 10 -> 10;
                    # values.school_year_number); age and age_max hold its age band
]
VICTIM_FIELDS = PERSON_FIELDS + ["missing_status", "missing_from", "missing_episodes", "looked_after"]
OFFENDER_FIELDS = PERSON_FIELDS + ["identified"]
CASE_FIELDS = ["case_ref", "case_date", "area"]

RECORD_TABLES = {"cases": CASE_FIELDS, "victims": VICTIM_FIELDS, "offenders": OFFENDER_FIELDS}

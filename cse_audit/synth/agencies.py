"""The agencies asked for a return: police forces, councils and charities, their layouts, file
names and the registry (configs/agencies.yaml) built from them.

Separate because both the generator and the shipped registry come from these tables: one
place says who returned what, in which layout, under which file name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# Police: (name, area, status, layout, weight); weight: share of the children in that area.
# Status: data | nil | none (not returned).

_P, _N, _X = "data", "nil", "none"
POLICE = [
    ("Lancashire Constabulary", "Lancashire", _P, "police-ic-export", 9),
    ("South Yorkshire Police", "South Yorkshire", _P, "police-ic-export", 9),
    ("West Yorkshire Police", "West Yorkshire", _P, "police-flat-export", 8),
    ("Greater Manchester Police", "Greater Manchester", _P, "police-ic-export", 9),
    ("West Mercia Police", "West Mercia", _P, "police-flat-export", 6),
    ("Derbyshire Constabulary", "Derbyshire", _P, "police-ic-export", 5),
    ("Thames Valley Police", "Thames Valley", _P, "police-flat-export", 5),
    ("Metropolitan Police Service", "London", _P, "police-ic-export", 8),
    ("West Midlands Police", "West Midlands", _P, "police-flat-export", 7),
    ("Nottinghamshire Police", "Nottinghamshire", _P, "police-ic-export", 4),
    ("Merseyside Police", "Merseyside", _P, "police-flat-export", 4),
    ("Humberside Police", "Humberside", _P, "police-ic-export", 3),
    ("Kent Police", "Kent", _P, "police-flat-export", 3),
    ("Avon and Somerset Constabulary", "Avon and Somerset", _P, "police-ic-export", 3),
    ("Staffordshire Police", "Staffordshire", _P, "police-flat-export", 2),
    ("Leicestershire Police", "Leicestershire", _P, "police-ic-export", 2),
    ("Northumbria Police", "Northumbria", _P, "police-flat-export", 2),
    ("Cheshire Constabulary", "Cheshire", _P, "police-ic-export", 2),
    ("Sussex Police", "Sussex", _P, "police-flat-export", 2),
    ("Hampshire Constabulary", "Hampshire", _P, "police-ic-export", 2),
    ("Devon and Cornwall Police", "Devon and Cornwall", _P, "police-flat-export", 2),
    ("Essex Police", "Essex", _P, "police-ic-export", 2),
    ("Norfolk Constabulary", "Norfolk", _P, "police-flat-export", 1),
    ("Bedfordshire Police", "Bedfordshire", _P, "police-ic-export", 1),
    ("Cleveland Police", "Cleveland", _P, "police-flat-export", 1),
    ("Durham Constabulary", "Durham", _P, "police-ic-export", 1),
    ("South Wales Police", "South Wales", _P, "police-flat-export", 1),
    ("Cumbria Constabulary", "Cumbria", _P, "police-ic-export", 1),
    ("Lincolnshire Police", "Lincolnshire", _P, "police-flat-export", 1),
    ("Hertfordshire Constabulary", "Hertfordshire", _P, "police-ic-export", 1),
    ("Strathclyde Police", "Strathclyde", _P, "police-flat-export", 1),
    ("Northamptonshire Police", "Northamptonshire", _P, "police-ic-export", 1),
    ("City of London Police", "City of London", _N, "police-flat-export", 0),
    ("Dyfed-Powys Police", "Dyfed-Powys", _N, "police-ic-export", 0),
    ("Gwent Police", "Gwent", _N, "police-flat-export", 0),
    ("North Wales Police", "North Wales", _N, "police-ic-export", 0),
    ("Gloucestershire Constabulary", "Gloucestershire", _N, "police-flat-export", 0),
    ("Wiltshire Police", "Wiltshire", _N, "police-ic-export", 0),
    ("Dorset Police", "Dorset", _N, "police-flat-export", 0),
    ("Suffolk Constabulary", "Suffolk", _N, "police-ic-export", 0),
    ("Surrey Police", "Surrey", _N, "police-flat-export", 0),
    ("Warwickshire Police", "Warwickshire", _N, "police-ic-export", 0),
    ("British Transport Police", "England, Wales and Scotland (railways)", _N, "police-flat-export", 0),
    ("Fife Constabulary", "Fife", _N, "police-ic-export", 0),
    ("Tayside Police", "Tayside", _N, "police-flat-export", 0),
    ("Northern Constabulary", "Highlands and Islands", _N, "police-ic-export", 0),
    ("Cambridgeshire Constabulary", "Cambridgeshire", _X, "police-ic-export", 0),
    ("North Yorkshire Police", "North Yorkshire", _X, "police-flat-export", 0),
    ("Central Scotland Police", "Central Scotland", _X, "police-flat-export", 0),
    ("Dumfries and Galloway Constabulary", "Dumfries and Galloway", _X, "police-flat-export", 0),
    ("Grampian Police", "Grampian", _X, "police-flat-export", 0),
    ("Lothian and Borders Police", "Lothian and Borders", _X, "police-flat-export", 0),
    ("Police Service of Northern Ireland", "Northern Ireland", _X, "police-ic-export", 0),
    ("Ministry of Defence Police", "Defence estate", _X, "police-ic-export", 0),
    ("Civil Nuclear Constabulary", "Civil nuclear sites", _X, "police-ic-export", 0),
    ("States of Jersey Police", "Jersey", _X, "police-ic-export", 0),
    ("Guernsey Police", "Guernsey", _X, "police-ic-export", 0),
    ("Isle of Man Constabulary", "Isle of Man", _X, "police-ic-export", 0),
]
# (name, local authority, force area, status, layout)
LSCB = [
    ("Blackburn with Darwen LSCB", "Blackburn with Darwen", "Lancashire", _P, "lscb-workbook"),
    ("Lancashire County Council Children's Services", "Lancashire", "Lancashire", _P, "lscb-nhs-xls"),
    ("Blackpool Safeguarding Children Board", "Blackpool", "Lancashire", _P, "lscb-workbook"),
    ("Rotherham LSCB", "Rotherham", "South Yorkshire", _P, "lscb-workbook"),
    ("Sheffield Safeguarding Children Board", "Sheffield", "South Yorkshire", _P, "lscb-nhs-xls"),
    ("Doncaster Children's Services", "Doncaster", "South Yorkshire", _P, "lscb-workbook"),
    ("Bradford Safeguarding Children Board", "Bradford", "West Yorkshire", _P, "lscb-workbook"),
    ("Kirklees Children's Services", "Kirklees", "West Yorkshire", _P, "lscb-nhs-xls"),
    ("Calderdale Safeguarding Children Board", "Calderdale", "West Yorkshire", _N, "lscb-workbook"),
    ("Rochdale Borough Safeguarding Children Board", "Rochdale", "Greater Manchester", _P,
     "lscb-workbook"),
    ("Oldham LSCB", "Oldham", "Greater Manchester", _P, "lscb-nhs-xls"),
    ("Manchester City Council Children's Services", "Manchester", "Greater Manchester", _P,
     "lscb-workbook"),
    ("Telford and Wrekin LSCB", "Telford and Wrekin", "West Mercia", _P, "lscb-workbook"),
    ("Shropshire Children's Services", "Shropshire", "West Mercia", _P, "lscb-nhs-xls"),
    ("Derby City Safeguarding Children Board", "Derby", "Derbyshire", _P, "lscb-workbook"),
    ("Oxfordshire Safeguarding Children Board", "Oxfordshire", "Thames Valley", _P, "lscb-workbook"),
    ("Milton Keynes Children's Services", "Milton Keynes", "Thames Valley", _N, "lscb-nhs-xls"),
    ("Tower Hamlets LSCB", "Tower Hamlets", "London", _P, "lscb-nhs-xls"),
    ("Birmingham Safeguarding Children Board", "Birmingham", "West Midlands", _P, "lscb-workbook"),
    ("Walsall Children's Services", "Walsall", "West Midlands", _P, "lscb-nhs-xls"),
    ("Nottingham City LSCB", "Nottingham", "Nottinghamshire", _P, "lscb-workbook"),
    ("Kingston upon Hull Safeguarding Children Board", "Kingston upon Hull", "Humberside", _P,
     "lscb-nhs-xls"),
    ("Leeds Safeguarding Children Board", "Leeds", "West Yorkshire", _X, "lscb-workbook"),
    ("Bristol Safeguarding Children Board", "Bristol", "Avon and Somerset", _X, "lscb-workbook"),
    ("Liverpool LSCB", "Liverpool", "Merseyside", _X, "lscb-workbook"),
    ("Stoke-on-Trent Children's Services", "Stoke-on-Trent", "Staffordshire", _X, "lscb-nhs-xls"),
    ("Torbay Safeguarding Children Board", "Torbay", "Devon and Cornwall", _X, "lscb-workbook"),
    ("Peterborough LSCB", "Peterborough", "Cambridgeshire", _X, "lscb-workbook"),
    ("Luton Children's Services", "Luton", "Bedfordshire", _X, "lscb-nhs-xls"),
    ("Leicester City LSCB", "Leicester", "Leicestershire", _X, "lscb-workbook"),
    ("Wakefield District Safeguarding Children Board", "Wakefield", "West Yorkshire", _X,
     "lscb-workbook"),
    ("Bolton Safeguarding Children Board", "Bolton", "Greater Manchester", _X, "lscb-workbook"),
    ("Wigan LSCB", "Wigan", "Greater Manchester", _X, "lscb-nhs-xls"),
    ("Middlesbrough Children's Services", "Middlesbrough", "Cleveland", _X, "lscb-workbook"),
    ("Newcastle Safeguarding Children Board", "Newcastle upon Tyne", "Northumbria", _X,
     "lscb-workbook"),
    ("Cornwall and Isles of Scilly LSCB", "Cornwall", "Devon and Cornwall", _X, "lscb-workbook"),
    ("Kent Safeguarding Children Board", "Kent", "Kent", _X, "lscb-workbook"),
    ("Norfolk LSCB", "Norfolk", "Norfolk", _X, "lscb-nhs-xls"),
    ("Hampshire Safeguarding Children Board", "Hampshire", "Hampshire", _X, "lscb-workbook"),
    ("Essex Safeguarding Children Board", "Essex", "Essex", _X, "lscb-workbook"),
    ("Coventry LSCB", "Coventry", "West Midlands", _X, "lscb-workbook"),
    ("Plymouth Safeguarding Children Board", "Plymouth", "Devon and Cornwall", _X, "lscb-workbook"),
]
# Invented charities: (name, area, force area, status, layout)
NGO = [
    ("Safe Harbour Young People's Project", "Lancashire", "Lancashire", _P, "ngo-initials-csv"),
    ("Northern Lanterns Trust", "South Yorkshire", "South Yorkshire", _P, "ngo-ods"),
    ("Brightwater Children's Charity", "West Yorkshire", "West Yorkshire", _P, "ngo-initials-csv"),
    ("The Willow Path Project", "Greater Manchester", "Greater Manchester", _P, "ngo-ods"),
    ("Marchlands Youth Support", "West Mercia", "West Mercia", _P, "ngo-initials-csv"),
    ("Crossings Advocacy Service", "Derby", "Derbyshire", _P, "ngo-ods"),
    ("Kestrel House", "Thames Valley", "Thames Valley", _P, "ngo-initials-csv"),
    ("Open Door Young People's Service", "London", "London", _P, "ngo-ods"),
    ("Amberline Trust", "West Midlands", "West Midlands", _P, "ngo-initials-csv"),
    ("Riverside Runaways Project", "Nottinghamshire", "Nottinghamshire", _P, "ngo-ods"),
    ("Harbourlight Missing Persons Support", "Merseyside", "Merseyside", _P, "ngo-initials-csv"),
    ("Fernbank Family Trust", "Somerset", "Avon and Somerset", _N, "ngo-ods"),
    ("Lanternfield Youth Trust", "Kent", "Kent", _X, "ngo-initials-csv"),
    ("Meadowgate Children's Fund", "Hampshire", "Hampshire", _X, "ngo-ods"),
    ("Sable Street Project", "West Yorkshire", "West Yorkshire", _X, "ngo-initials-csv"),
    ("Cairnside Young Women's Service", "Strathclyde", "Strathclyde", _X, "ngo-ods"),
]

EXT = {"police-ic-export": ".xlsx", "police-flat-export": ".csv", "lscb-workbook": ".xlsx",
       "lscb-nhs-xls": ".xls", "ngo-initials-csv": ".csv", "ngo-ods": ".ods"}

# What each layout can say. eth: the code system; lac / ident / mfrom: has that column;
# off: carries offenders; initials: names as initials with an age only.
LAYOUTS = {
    "police-ic-export": dict(eth="ic", lac=False, ident=True, mfrom=False, off=True),
    "police-flat-export": dict(eth="16+1", lac=True, ident=True, mfrom=True, off=True),
    "lscb-workbook": dict(eth="18+1", lac=True, ident=True, mfrom=True, off=True),
    "lscb-nhs-xls": dict(eth="nhs", lac=True, ident=False, mfrom=False, off=True),
    "ngo-initials-csv": dict(eth="text", lac=True, ident=False, mfrom=False, off=False),
    "ngo-ods": dict(eth="any", lac=True, ident=False, mfrom=False, off=True),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


@dataclass(slots=True)
class Agency:
    id: str
    name: str
    source_type: str
    area: str
    region: str
    status: str
    mapping: str
    file_name: str | None = None
    cases: list = field(default_factory=list)
    prefix: str = ""
    skipped_rows: int = 0         # Witness rows in a flat export: skipped by ingest, never records
    undated: bool = False         # profile "hard": a charity return that gives no referral dates

    @property
    def layout(self) -> dict:
        return LAYOUTS[self.mapping]


def _file_name(name: str, source_type: str, mapping: str, i: int) -> str:
    """A realistic, distinct file name per agency; the registry glob is its lower-case stem."""
    stem = name.replace("'", "")
    styles = {
        "police": [f"{stem} - CSE data return", f"{stem} CEOP CSE return Mar11",
                   f"CEOP return {stem}"],
        "lscb": [f"{stem} - CEOP CSE return", f"{stem} CSE cases 2008-11"],
        "ngo": [f"CEOP return - {stem}", f"{stem} data for CEOP"],
    }[source_type]
    ext = ".xlsx" if mapping == "police-flat-export" and i % 3 == 0 else EXT[mapping]
    return styles[i % len(styles)] + ext


def build_agencies() -> list[Agency]:
    agencies = []
    for name, area, status, mapping, _w in POLICE:
        short = _slug(re.sub(r"^Police Service of | (Constabulary|Police Service|Police|Service)$",
                             "", name))
        a = Agency(f"police-{short}", name, "police", area, area, status, mapping)
        a.prefix = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name) if w[0].isupper())[:4]
        agencies.append(a)
    for name, la, region, status, mapping in LSCB:
        agencies.append(Agency(f"lscb-{_slug(la)}", name, "lscb", la, region, status, mapping))
    for name, area, region, status, mapping in NGO:
        short = _slug(re.sub(r"^The ", "", name).split(" ")[0] + " " + name.split(" ")[-1])
        a = Agency(f"ngo-{short}", name, "ngo", area, region, status, mapping)
        a.prefix = "".join(w[0] for w in name.split() if w[0].isupper())[:3]
        agencies.append(a)
    for i, a in enumerate(agencies):
        if a.status != _X:
            a.file_name = _file_name(a.name, a.source_type, a.mapping, i)
    return agencies


def registry_yaml(agencies: list[Agency]) -> str:
    """configs/agencies.yaml text (written by hand so the comments stay)."""
    lines = [
        "# Agency registry: every agency asked for a return (expected: true). Police force and",
        "# council names are real; the voluntary-sector services are invented. Which agencies",
        "# returned data, sent a nil return or did not respond is illustrative (synthetic sample).",
        "# files: case-insensitive glob patterns on the file name.",
        "agencies:",
    ]
    for a in agencies:
        glob = _glob(a)
        lines += [
            f"  - id: {a.id}",
            f"    name: {json.dumps(a.name)}",
            f"    source_type: {a.source_type}",
            f"    area: {json.dumps(a.area)}",
            f"    force_area: {json.dumps(a.region)}",
            "    expected: true",
            f"    mapping: {a.mapping}",
            f"    files: [{json.dumps(glob)}]",
        ]
    return "\n".join(lines) + "\n"


def _glob(a: Agency) -> str:
    return f"*{a.name.replace(chr(39), '').lower()}*"


def write_configs(config_dir) -> None:
    """Write configs/agencies.yaml from the agency tables here (the registry's source)."""
    Path(config_dir, "agencies.yaml").write_text(registry_yaml(build_agencies()))

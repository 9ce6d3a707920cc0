"""Sample-return generator: synthetic CSE case returns that reproduce the CEOP 2011 figures.

Everything here is invented. People are generated first (children and possible offenders with
their true attributes), then the cases that tie them together, then one record per agency that
reported a person, written in that agency's own layout with the noise real returns carry:
spelling variants and nicknames, initials with an age instead of a date of birth, a transposed
date of birth, a field known to one agency and unknown to another, ethnicity coded three ways.

`generate(outdir, seed, scale)` writes the returns, `_truth/victims.csv` and `offenders.csv`
(which record is which person) and `_truth/expected.json` (the figures the sample must give,
computed from the generated records with the documented merge rules). At scale 1 the figures
equal the CEOP 2011 targets exactly, whatever the seed.

Generation uses one `random.Random(seed)`; files carry no timestamps (zip entries and document
properties are fixed), so the same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

# --------------------------------------------------------------------------------------------
# Targets (CEOP 2011, parts A and B of shared/reference/ceop-2011-figures.md)

TARGETS = {
    "case_records": 1875,
    "victims": 2083,
    "victims_missing": {"Reported missing": 842, "Not reported missing": 172, "Unknown": 1069},
    "victims_sex": {"Female": 1264, "Male": 182, "Unknown": 637},
    "victims_ethnicity": {"White": 1271, "Asian": 54, "Black": 27, "Chinese": 8, "Mixed": 38,
                          "Other": 14, "Unknown": 671},
    "victims_looked_after_yes": 311,
    "offenders": 2379,
    "offenders_identified": 940,
    "offenders_identified_ethnicity": {"White": 357, "Asian": 244, "Unknown": 301, "Black": 28,
                                       "Chinese": 2, "Other": 5, "Mixed": 3},
    "offender_groups": 230,
}
RESPONDING = {"police": 46, "lscb": 22, "ngo": 12}

EPOCH = (1980, 1, 1, 0, 0, 0)             # fixed zip entry time: no timestamps in the files
FIXED_PROPS_TIME = "2011-03-31T00:00:00Z"
PERIOD = (dt.date(2008, 1, 1), dt.date(2011, 3, 31))

# --------------------------------------------------------------------------------------------
# Agencies. (name, area, file-name stem, status, layout); status: data | nil | none (not returned)

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


# --------------------------------------------------------------------------------------------
# Names: invented combinations of common forenames and surnames. Variant clusters (first is
# the canonical form) give spelling variants and nicknames for duplicate records.

F_CLUSTERS = [
    "Jane Jayne", "Catherine Katie Cathy", "Elizabeth Beth Lizzie", "Rebecca Becky",
    "Jessica Jess", "Samantha Sammie", "Charlotte Lottie", "Victoria Vicky", "Kayleigh Kayley",
    "Stacey Stacy", "Leanne Lianne", "Natalie Nathalie", "Abigail Abbie", "Danielle Dani",
    "Gemma Jemma", "Hayley Haley", "Megan Meg", "Jodie", "Kirsty Kirstie", "Nicola Nicky",
    "Jennifer Jenny", "Stephanie Steph", "Caitlin", "Zoe Zoey", "Sarah Sara",
    "Louise Lou", "Kimberley Kim", "Amelia", "Eleanor Ellie", "Ashleigh",
]
F_WHITE = """Amy Chloe Jade Lauren Hannah Emma Sophie Shannon Courtney Bethany Holly Chelsea
Georgia Paige Jasmine Molly Amber Tia Demi Leah Naomi Grace Lucy Olivia Phoebe Rachel Laura Kelly
Michelle Tanya Toni Carly Kerry Lisa Donna Joanne Claire Emily Ruby Keeley Rhiannon Bryony Alana
Tegan Kirsten Tamsin Roxanne Siobhan Zara Mia Evie Imogen Lydia Freya Harriet Isobel Esme Daisy
Poppy Rosie Skye Summer Lacey Shauna Casey Kayla Aimee Brooke Tiffany Whitney Sasha Natasha Marie
Lorraine Alisha Abbey Leigh Jordan Kyla Cerys Ffion Carys Niamh Aoife Erin Orla Bronwen Morgan""".split()
F_ASIAN = """Ayesha Fatima Sana Amina Saima Rubina Shazia Samina Bushra Hina Iqra Mariam Zainab Farah
Noreen Parveen Shabana Tahira Yasmin Aaliyah Anisa Asma Humaira Kiran Laila Maryam Nasreen Rukhsana
Safia Uzma Priya Simran Anjali Pooja Sunita Nadia Shamima Rehana Sabrina Tasnim""".split()
F_BLACK = """Abena Adaeze Chantelle Shanice Kemi Tiana Ama Efua Nia Imani Folake Ngozi Chidinma Keisha
Latoya Monique Precious Shantelle Tanisha Yetunde Aaliyah Jada Kezia Destiny""".split()
F_CHINESE = "Mei Xiu Ying Hui Lan Jing Yan Ling Fang Qing Xia Min".split()
F_EURO = "Agnieszka Katarzyna Ioana Elena Monika Paulina Alina Daria Edyta Lenka".split()
M_CLUSTERS = [
    "Mohammed Muhammad Mohammad Mohamed", "Stephen Steven", "Jonathan Jon", "Michael Mick",
    "Daniel Danny", "Christopher Chris", "Lewis", "Matthew Matty", "Anthony Tony",
    "Robert Bobby", "Thomas Tommy", "Philip Phillip", "Jeffrey", "Nicholas Nick",
    "Imran Imraan", "Amir Amer", "Tariq Tarik", "Zubair Zubayr", "Shahid Shahed",
]
M_WHITE = """Liam Ryan Connor Jack Kyle Jordan Callum Jake Aaron Nathan Adam Ben Craig Dean Gary Lee
Mark Paul Shane Wayne Darren Jason Scott Sean Kieran Reece Luke Jamie Carl Neil Stuart Ross Barry
Gavin Kevin Martin Simon Joe Tyler Bradley Brandon Dylan Ethan Harry Josh Kane Leon Mason Owen Rhys
Toby Zak Keith Glen Colin Trevor Dale Damian Dominic Elliot Grant Jay Kristian Lloyd Marcus Russell
Terry Warren Alan Brian Ian Graham Clive Derek Ricky Wesley Jordon Kurt Billy Lenny Gareth Dafydd
Ewan Hamish Declan Ciaran""".split()
M_ASIAN = """Kamran Zahid Khalid Faisal Nadeem Waqas Usman Bilal Hamza Omar Umar Yasir Rizwan Sajid
Wajid Asad Naveed Shakeel Tahir Haroon Irfan Junaid Kashif Mushtaq Nasir Qaiser Rehan Sohail Talib
Wasim Atif Aamir Adil Abid Akram Arif Azhar Fahad Ghulam Hafeez Ijaz Jamil Kabir Liaqat Majid
Nabeel Owais Rashid Saeed Shabir Tanveer Zeeshan Sandeep Harjit Rajesh Vikram Amarjit Gurpreet
Abdul Ahsan Basharat Dawood Ehsan Farhan""".split()
M_BLACK = """Kwame Kofi Chidi Emeka Tunde Jermaine Tyrone Marlon Delroy Winston Leroy Kareem Dwayne
Andre Tremaine Kayode Segun Desmond Jerome Nathaniel Isaac Abdi Yusuf""".split()
M_CHINESE = "Wei Jun Hao Ming Jian Lei Tao Bo Cheng Feng Kai Long".split()
M_EURO = """Piotr Tomasz Marek Pawel Lukasz Jakub Andrei Bogdan Marius Florin Vasile Ionut Arben
Gezim Dritan Lukas""".split()

S_CLUSTERS = [
    "Phillips Philips", "Thompson Thomson", "McDonald MacDonald", "Stephens Stevens",
    "Reid Reed", "Clarke Clark", "Gray Grey", "Matthews Mathews", "Hussain Hussein Husain",
    "Ahmed Ahmad", "Mahmood Mahmud", "Rehman Rahman", "Chaudhry Choudhury", "Siddiqui Siddiqi",
    "Qureshi Kureshi", "Mohammed Muhammad", "Iqbal Ikbal", "Ellis Ellise",
    "Davies Davis", "Wilkinson Wilkenson", "Hargreaves Hargreave", "Lloyd Loyd",
]
S_WHITE = """Smith Jones Taylor Brown Williams Wilson Johnson Robinson Wright Evans Walker White
Roberts Green Hall Wood Jackson Harris Lewis Edwards Turner Hill Cooper Ward Morris Moore King Baker
Harrison Morgan Allen James Scott Watson Parker Price Bennett Young Griffiths Mitchell Kelly Cook
Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Marshall Anderson Simpson
Adams Foster Chapman Powell Webb Rogers Mason Hunt Holmes Campbell Palmer Hughes Barnes Knight
Butler Russell Barker Fisher Jenkins Murray Dixon Harvey Graham Pearson Fletcher Walsh Gibson
Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole
Atkinson Bradley Spencer Dawson Ball Burton Watts Rose Booth Perry Ryan Wells Armstrong Rees Hayes
Hart Hudson Newman Barrett Gregory Lowe Ashworth Crossley Holroyd Sutcliffe Whittaker Pickles
Brierley Haworth Ramsden Ackroyd Bottomley Greenwood Hirst Kershaw Naylor Pollard Priestley
Schofield Sugden Tattersall Uttley Wadsworth Whiteley Entwistle Duckworth Fairclough Kenyon Rigby
Unsworth Yates Ogden Mellor Lord Shackleton Pilling Hartley Horrocks""".split()
_SYN_PRE = """Ash Brad Brig Calde Cran Dun Elm Fair Gold Grim Hal Heath Holm Kirk Lang Mar Mill Nor
Oak Pen Ram Red Roth Shel Stan Thorn Wad Whit Wil Black Brook Clay Cold Cross Dal Fen Gar Haw
Ing Lock Mos Nether Pick Rad Sand Stock Tod Wain Birk Cal""".split()
_SYN_SUF = """worth ley by ton field well wood ham croft thwaite dale shaw bury house stone ridge more
ford hurst wick cliffe royd land cote den bridge gate holme sett""".split()
S_ASIAN = """Khan Ali Shah Akhtar Rashid Butt Malik Aziz Bashir Hanif Javed Karim Latif Nawaz Saddiq
Tariq Yousaf Zaman Anwar Arshad Aslam Farooq Habib Ishaq Kabir Majid Mirza Nadeem Parvez Raza
Sabir Shafiq Sultan Uddin Wahid Younis Zafar Miah Islam Patel Singh Kaur Sharma Gill Sandhu Bains
Dhillon Begum Hassan Akbar Altaf Ashraf Bibi Chishti Din Ghani Hamid Hayat Jabbar Kayani Masood
Mughal Nazir Rafiq Riaz Sadiq Sarwar Shafi Yaqub""".split()
S_BLACK = """Okafor Adeyemi Mensah Boateng Asante Osei Owusu Nwosu Eze Obi Adebayo Bello Okoro
Ogunleye Adjei Danso Grant Francis Henry Thomas Clarke Samuels Benjamin Gordon Wright Ellis
Johnson Daniels Morgan Hylton Bailey Mohamud Farah Abdi Warsame""".split()
S_CHINESE = "Chen Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Lin Chan Wong Cheung Lam Ng Leung Ho".split()
S_EURO = """Kowalski Nowak Wisniewski Wojcik Kaminski Lewandowski Popescu Ionescu Dumitru Hoxha
Krasniqi Berisha Novak Horvath Kovac""".split()


def _clusters(specs: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    canon, variants = {}, {}
    for spec in specs:
        names = spec.split()
        variants[names[0]] = names
        for n in names:
            canon[n] = names[0]
    return canon, variants


F_CANON, F_VARIANTS = _clusters(F_CLUSTERS + M_CLUSTERS)
S_CANON, S_VARIANTS = _clusters(S_CLUSTERS)
S_WHITE_ALL = (S_WHITE + [c.split()[0] for c in S_CLUSTERS[:8] + S_CLUSTERS[18:]]
               + [p + s for p in _SYN_PRE for s in _SYN_SUF])
S_ASIAN_ALL = S_ASIAN + [c.split()[0] for c in S_CLUSTERS[8:17]]

POOLS = {  # ethnicity category -> (female forenames, male forenames, surnames)
    "White": (F_WHITE + [c.split()[0] for c in F_CLUSTERS],
              M_WHITE + [c.split()[0] for c in M_CLUSTERS[1:14]], S_WHITE_ALL),
    "Euro": (F_EURO, M_EURO, S_EURO),
    "Asian": (F_ASIAN, M_ASIAN + [c.split()[0] for c in M_CLUSTERS[:1] + M_CLUSTERS[14:]],
              S_ASIAN_ALL),
    "Black": (F_BLACK, M_BLACK, S_BLACK),
    "Chinese": (F_CHINESE, M_CHINESE, S_CHINESE),
}


def soundex(name: str) -> str:
    letters = [c for c in name.upper() if c.isalpha()]
    if not letters:
        return ""
    codes = {c: d for d, group in enumerate(["AEIOUYHW", "BFPV", "CGJKQSXZ", "DT", "L", "MN", "R"])
             for c in group}
    out, last = letters[0], codes.get(letters[0])
    for c in letters[1:]:
        d = codes.get(c)
        if d and d != last:
            out += str(d)
        if c not in "HW":
            last = d
    return (out + "000")[:4]


class NameAllocator:
    """Hands out (forename, surname) pairs that are unique even when spelt differently: no two
    people share the sound (soundex) of both their forename group and their surname.

    With strict=False (large scales, where the sound space runs out) names are only unique up
    to the listed spelling variants, and a pool in use is extended with double-barrelled names.
    """

    def __init__(self, rng: random.Random, strict: bool = True):
        self.rng = rng
        self.strict = strict
        self.used: set[tuple[str, str]] = set()
        self.relaxed = 0      # names given although `reject` objected

    def take(self, pool: str, female: bool, reject=None) -> tuple[str, str]:
        fem, male, surnames = POOLS[pool]
        forenames = fem if female else male
        rng = self.rng
        barrel = 200 if self.strict else 8
        for attempt in range(400):
            f = rng.choice(forenames)
            s = rng.choice(surnames)
            if attempt >= barrel:        # pool exhausted: double-barrel it
                s = f"{s}-{rng.choice(S_WHITE)}"
            f_key, s_key = F_CANON.get(f, f), S_CANON.get(s, s)
            key = (soundex(f_key), soundex(s_key)) if self.strict else (f_key, s_key)
            if key in self.used:
                continue
            if reject and attempt < 150 and reject(f, s):
                continue
            if reject and reject(f, s):
                self.relaxed += 1
            self.used.add(key)
            return f, s
        if self.strict:
            raise RuntimeError("name pool exhausted")
        # Very large scales (hundreds of times the sample) exhaust even the double-barrelled
        # space of a small pool: barrel with any white surname, then twice. Only reached where
        # the loop above used to give up, so every scale that ran before gives the same output.
        for attempt in range(4000):
            s = f"{rng.choice(surnames)}-{rng.choice(S_WHITE_ALL)}"
            if attempt >= 400:
                s = f"{s}-{rng.choice(S_WHITE_ALL)}"
            f = rng.choice(forenames)
            key = (F_CANON.get(f, f), S_CANON.get(s, s))
            if key in self.used:
                continue
            if reject and reject(f, s):
                self.relaxed += 1
            self.used.add(key)
            return f, s
        raise RuntimeError("name pool exhausted")


def name_pool(eth: str, detail: str | None, rng: random.Random) -> str:
    if eth == "White":
        return "Euro" if detail == "Any other White" and rng.random() < 0.6 else "White"
    if eth in ("Asian", "Black", "Chinese"):
        return eth
    return rng.choice(["White", "White", "Black", "Asian"])


def initials(forename: str | None, surname: str | None) -> str:
    return "".join(p[0].upper() for p in (forename, surname) if p)


# --------------------------------------------------------------------------------------------
# Ethnicity: details and how each code system writes them (None = cannot be said)

DETAILS = {
    "White": [("White British", 88), ("White Irish", 3), ("Any other White", 6),
              ("Gypsy or Irish Traveller", 3)],
    "Asian": [("Pakistani", 55), ("Bangladeshi", 18), ("Indian", 10), ("Any other Asian", 17)],
    "Black": [("Caribbean", 40), ("African", 40), ("Any other Black", 20)],
    "Chinese": [("Chinese", 1)],
    "Mixed": [("White and Black Caribbean", 50), ("White and Asian", 25), ("Any other Mixed", 25)],
    "Other": [("Arab", 40), ("Any other", 60)],
}
_ETH_CODES = {
    #            16+1   18+1   nhs  ic
    "White British": ("W1", "W1", "A", "IC1"),
    "White Irish": ("W2", "W2", "B", "IC1"),
    "Any other White": ("W9", "W9", "C", "IC2"),
    "Gypsy or Irish Traveller": ("W9", "W3", "C", "IC1"),
    "White and Black Caribbean": ("M1", "M1", "D", None),
    "White and Asian": ("M3", "M3", "F", None),
    "Any other Mixed": ("M9", "M9", "G", None),
    "Indian": ("A1", "A1", "H", "IC4"),
    "Pakistani": ("A2", "A2", "J", "IC4"),
    "Bangladeshi": ("A3", "A3", "K", "IC4"),
    "Any other Asian": ("A9", "A9", "L", "IC4"),
    "Caribbean": ("B1", "B2", "M", "IC3"),
    "African": ("B2", "B1", "N", "IC3"),
    "Any other Black": ("B9", "B9", "P", "IC3"),
    "Chinese": ("O1", "A4", "R", "IC5"),
    "Arab": ("O9", "O2", "S", "IC6"),
    "Any other": ("O9", "O9", "S", "IC6"),
}
_ETH_TEXT = {
    "White British": ["White British", "White British", "White", "British", "White English"],
    "White Irish": ["White Irish"],
    "Any other White": ["White other", "Eastern European", "Polish"],
    "Gypsy or Irish Traveller": ["Traveller", "Gypsy"],
    "White and Black Caribbean": ["Mixed White and Black Caribbean", "Mixed race", "Dual heritage"],
    "White and Asian": ["Mixed White and Asian", "Mixed race"],
    "Any other Mixed": ["Mixed", "Mixed race"],
    "Indian": ["Indian", "Asian - Indian", "British Asian"],
    "Pakistani": ["Pakistani", "Asian - Pakistani", "British Pakistani", "British Asian",
                  "Asian unknown", "Kashmiri"],
    "Bangladeshi": ["Bangladeshi", "Asian - Bangladeshi", "British Asian"],
    "Any other Asian": ["Asian other", "Asian", "Afghan"],
    "Caribbean": ["Afro-Caribbean", "Black Caribbean", "Black British"],
    "African": ["Black African", "Somali", "African"],
    "Any other Black": ["Black", "Black British"],
    "Chinese": ["Chinese", "Vietnamese"],
    "Arab": ["Arab"],
    "Any other": ["Other", "Kurdish", "Iranian"],
}
_ETH_UNKNOWN = {
    "ic": ["", "", "IC9", "IC9", "IC0", "NK"],
    "16+1": ["", "NS", "NS", "Not stated", "N/K"],
    "18+1": ["", "NS", "Not known", "Unknown"],
    "nhs": ["Z", "Z", "", "Z"],
    "text": ["N/K", "Not known", "not recorded", "", "Unknown", "n/k"],
    "any": ["", "Unknown", "IC9", "N/K"],
}


def eth_expressible(system: str, cat: str) -> bool:
    return not (system in ("ic",) and cat == "Mixed")


def eth_raw(system: str, cat: str, detail: str | None, rng: random.Random) -> str:
    if cat == "Unknown":
        return rng.choice(_ETH_UNKNOWN[system])
    if system == "any":
        system = "ic" if cat != "Mixed" and rng.random() < 0.5 else "text"
    if system == "text":
        return rng.choice(_ETH_TEXT[detail])
    code = _ETH_CODES[detail][{"16+1": 0, "18+1": 1, "nhs": 2, "ic": 3}[system]]
    if system == "16+1" and rng.random() < 0.05:   # some 16+1 columns hold free text
        return rng.choice(_ETH_TEXT[detail])
    assert code is not None, (system, cat, detail)
    return code


# --------------------------------------------------------------------------------------------
# People, cases, records

@dataclass(slots=True, eq=False)
class Person:
    pid: str
    kind: str                     # victim | offender
    region: str
    la: str | None
    female: bool                  # what the name suggests; sex below is what agencies recorded
    forename: str = ""
    surname: str = ""
    dob: dt.date | None = None
    age: int = 0                  # age at the first case
    sex: str = "Unknown"
    eth: str = "Unknown"
    detail: str | None = None
    missing: str = "Unknown"
    mfrom: str = "Unknown"
    episodes: int | None = None
    lac: str = "Unknown"
    ident: str = "Unknown"
    records: list = field(default_factory=list)
    primary: object = None        # the Case this person first appears in


@dataclass(slots=True, eq=False)
class Case:
    agency: Agency
    date: dt.date
    ref: str = ""
    victims: list = field(default_factory=list)     # Rec
    offenders: list = field(default_factory=list)   # Rec
    standalone: bool = False      # a council/charity case about a child the police did not report


@dataclass(slots=True, eq=False)
class Rec:
    person: Person
    case: Case | None
    forename: str | None = None
    surname: str | None = None
    dob: dt.date | None = None
    age: int | None = None
    sex: str = "Unknown"
    eth: str = "Unknown"
    missing: str = "Unknown"
    mfrom: str = "Unknown"
    episodes: int | None = None
    lac: str = "Unknown"
    ident: str = "Unknown"
    raw: dict | None = None       # deliberate bad raw values, by field
    ref: str = ""
    file: str = ""
    sheet: str = ""
    row: int = 0

    @property
    def agency(self) -> Agency:
        return self.case.agency


def _weighted(rng: random.Random, items: list[tuple[str, float]]):
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def _rand_date(rng: random.Random, lo: dt.date = PERIOD[0], hi: dt.date = PERIOD[1]) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


def _near(rng: random.Random, d: dt.date, spread: int = 90) -> dt.date:
    d2 = d + dt.timedelta(days=rng.randint(-spread // 3, spread))
    return min(max(d2, PERIOD[0]), PERIOD[1])


def _age_at(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _dob_for(rng: random.Random, age: int, on: dt.date) -> dt.date:
    dob = dt.date(on.year - age - 1, on.month, min(on.day, 28)) + dt.timedelta(
        days=rng.randint(1, 364))
    return dob if _age_at(dob, on) == age else dob - dt.timedelta(days=2)


def _counts(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of total by shares (exact sum)."""
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[: total - sum(out.values())]:
        out[k] += 1
    return out


def _scaled(spec: dict[str, int], scale: float) -> dict[str, int]:
    total = round(sum(spec.values()) * scale)
    return _counts(total, {k: float(v) for k, v in spec.items()})


def _assign(rng: random.Random, persons: list[Person], attr: str, counts: dict[str, int],
            capable=lambda p, v: True, order: list[str] | None = None) -> None:
    """Give exactly counts[v] persons value v, only to persons able to carry it."""
    pool = persons[:]
    rng.shuffle(pool)
    for value in order or sorted(counts, key=lambda v: counts[v]):
        if value == "Unknown":
            continue
        need, rest = counts[value], []
        for p in pool:
            if need and capable(p, value):
                setattr(p, attr, value)
                need -= 1
            else:
                rest.append(p)
        if need:
            raise RuntimeError(f"cannot give {counts[value]} persons {attr}={value}")
        pool = rest
    for p in pool:
        setattr(p, attr, "Unknown")


# Part C shapes (illustrative): chance that each kind of agency reported a child it could know
P_POLICE, P_COUNCIL, P_NGO = 0.52, 0.33, 0.25
GROUP_SIZES = [(2, 14), (3, 14), (4, 12), (5, 10), (6, 9), (7, 8), (8, 7), (9, 5), (10, 4),
               (11, 3), (12, 3), (14, 3), (16, 2), (18, 2), (22, 1.5), (27, 1), (34, 0.6),
               (45, 0.3)]


class _Gen:
    def __init__(self, seed: int, scale: float):
        self.rng = random.Random(seed)
        self.seed, self.scale = seed, scale
        # exact, unambiguous linkage is promised at scale 1 only
        self.names = NameAllocator(self.rng, strict=scale <= 2)
        self.agencies = build_agencies()
        self.victims: list[Person] = []
        self.offenders: list[Person] = []
        self.group_sizes: list[int] = []
        self.errors: list[dict] = []

    # -- population ---------------------------------------------------------------------------
    def people(self) -> None:
        rng, s = self.rng, self.scale
        by_region = defaultdict(lambda: {"police": None, "lscb": [], "ngo": None})
        for a in self.agencies:
            if a.status != _P:
                continue
            slot = by_region[a.region]
            if a.source_type == "lscb":
                slot["lscb"].append(a)
            else:
                slot[a.source_type] = a
        self.by_region = by_region
        weights = [(area, w) for _n, area, st, _m, w in POLICE if st == _P]
        n_v = round(TARGETS["victims"] * s)
        victims = []
        for i in range(n_v):
            region = _weighted(rng, weights)
            councils = by_region[region]["lscb"]
            la = (rng.choice(councils).area if councils and rng.random() < 0.6 else None)
            victims.append(Person(f"V{i + 1:06d}", "victim", region, la, rng.random() < 0.86))
        # true attributes with exact counts
        _assign(rng, victims, "sex", _scaled(TARGETS["victims_sex"], s))
        _assign(rng, victims, "missing", _scaled(TARGETS["victims_missing"], s))
        for p in victims:
            if p.sex != "Unknown":
                p.female = p.sex == "Female"
            age = _weighted(rng, [(10, 2), (11, 3), (12, 6), (13, 12), (14, 24), (15, 25),
                                  (16, 17), (17, 9), (18, 2)])
            p.age = age
        self.victims = victims

    # -- who reported whom --------------------------------------------------------------------
    def reporting(self) -> None:
        rng = self.rng
        police_children = defaultdict(list)
        council_recs, ngo_recs = [], []
        for p in self.victims:
            slot = self.by_region[p.region]
            council = next((c for c in slot["lscb"] if c.area == p.la), None)
            ngo = slot["ngo"]
            flags = {
                "police": rng.random() < P_POLICE,
                "lscb": council is not None and rng.random() < P_COUNCIL,
                "ngo": ngo is not None and rng.random() < P_NGO,
            }
            if not any(flags.values()):
                flags[_weighted(rng, [("police", 0.62)] + ([("lscb", 0.23)] if council else [])
                                + ([("ngo", 0.15)] if ngo else []))] = True
            if flags["police"]:
                police_children[p.region].append(p)
            if flags["lscb"]:
                council_recs.append((p, council))
            if flags["ngo"]:
                ngo_recs.append((p, ngo))
        self.police_children = police_children
        self.council_recs, self.ngo_recs = council_recs, ngo_recs

    def cases(self) -> None:
        rng = self.rng
        n_police = (round(TARGETS["case_records"] * self.scale)
                    - len(self.council_recs) - len(self.ngo_recs))
        regions = sorted(self.police_children)
        first = {r: len(self.police_children[r]) for r in regions}
        total = sum(first.values())
        if not len(regions) <= n_police <= total:
            raise RuntimeError(f"cannot form {n_police} police cases from {total} children")
        k = _counts(n_police, {r: first[r] / total for r in regions})
        for r in regions:   # largest-remainder can exceed a tiny region: move the excess
            while k[r] > first[r]:
                k[r] -= 1
                k[max(regions, key=lambda x: first[x] - k[x])] += 1
            k[r] = max(k[r], 1)
        assert sum(k.values()) == n_police
        for r in regions:
            police = self.by_region[r]["police"]
            kids = self.police_children[r][:]
            rng.shuffle(kids)
            cuts = sorted(rng.sample(range(1, len(kids)), k[r] - 1))
            bounds = [0] + cuts + [len(kids)]
            cases = []
            for a, b in zip(bounds, bounds[1:], strict=False):
                case = Case(police, _rand_date(rng))
                for p in kids[a:b]:
                    self._victim_rec(p, case)
                cases.append(case)
            # a child in a second case of the same force
            if len(cases) >= 2:
                for p in kids:
                    if rng.random() < 0.045:
                        other = rng.choice([c for c in cases[:40] if p.primary is not c] or cases)
                        if p.primary is not other and all(v.person is not p for v in other.victims):
                            self._victim_rec(p, other)
            police.cases.extend(cases)
        for p, agency in self.council_recs + self.ngo_recs:
            # dated later (see date_followers), near the case it follows
            case = Case(agency, _rand_date(rng), standalone=p.primary is None)
            self._victim_rec(p, case)
            agency.cases.append(case)

    def date_followers(self) -> None:
        """A council's or charity's case about a child someone reported first is dated near
        that first case; then each child's date of birth follows from the age at it."""
        rng = self.rng
        for a in self.agencies:
            if a.source_type != "police":
                for c in a.cases:
                    if not c.standalone:
                        c.date = _near(rng, c.victims[0].person.primary.date)
        used = set()
        for p in self.victims:
            for _ in range(50):     # no two children of an area share initial and dob
                p.dob = _dob_for(rng, p.age, p.primary.date)
                key = (p.region, p.forename[:1], p.dob)
                if key not in used:
                    break
            used.add(key)

    def _victim_rec(self, p: Person, case: Case) -> Rec:
        r = Rec(p, case)
        case.victims.append(r)
        p.records.append(r)
        if p.primary is None:
            p.primary = case
        return r

    # -- offenders and groups -----------------------------------------------------------------
    def offenders_and_groups(self) -> None:
        rng, s = self.rng, self.scale
        targets = defaultdict(list)   # region -> cases that may carry their own offenders
        for a in self.agencies:
            for c in a.cases:
                if a.source_type == "police" or (c.standalone and a.layout["off"]):
                    targets[a.region].append(c)
        for r in targets:
            rng.shuffle(targets[r])
        n_t = sum(len(v) for v in targets.values())
        n_off, n_groups = round(TARGETS["offenders"] * s), round(TARGETS["offender_groups"] * s)
        sizes = [_weighted(rng, GROUP_SIZES) for _ in range(n_groups)]

        def n_cases(k: int) -> int:
            return max(1, min(k, round(k / rng.uniform(2.5, 4.5))))

        ms = [n_cases(k) for k in sizes]
        # a lone offender needs a case of their own (two offenders in one case make a group):
        # grow groups (the larger more likely) until everyone fits in 95 % of the cases
        while n_off - sum(sizes) + sum(ms) > 0.95 * n_t:
            i = rng.choices(range(n_groups), weights=sizes)[0]
            sizes[i] += 1
            ms[i] = max(ms[i], n_cases(sizes[i]))
        if sum(sizes) > n_off:
            raise RuntimeError("offender groups larger than the offender total")
        self.group_sizes = sorted(sizes)
        free = {r: v[:] for r, v in targets.items()}
        offenders: list[Person] = []

        def new_offender(region: str) -> Person:
            o = Person(f"O{len(offenders) + 1:06d}", "offender", region, None, rng.random() < 0.04)
            offenders.append(o)
            return o

        for k, m in sorted(zip(sizes, ms, strict=True), reverse=True):
            regions = [r for r in sorted(free) if len(free[r]) >= m]
            region = _weighted(rng, [(r, len(free[r])) for r in regions])
            cases = [free[region].pop() for _ in range(m)]
            start = _rand_date(rng, PERIOD[0], PERIOD[1] - dt.timedelta(days=240))
            for c in cases:         # a group's cases fall within a few months
                c.date = start + dt.timedelta(days=rng.randrange(240))
            people = [new_offender(region) for _ in range(k)]
            # chunk the k offenders over the m cases: case 1 gets >= 1 new offender, each later
            # case one earlier offender (the link) plus its own new ones, so the group is connected
            cuts = sorted(rng.sample(range(1, k), m - 1)) if m > 1 else []
            bounds = [0] + cuts + [k]
            for j, case in enumerate(cases):
                chunk = people[bounds[j]:bounds[j + 1]]
                used = people[:bounds[j]]
                if j:
                    chunk = [rng.choice(used)] + chunk
                    extra = [o for o in used if o not in chunk and rng.random() < 0.04]
                    chunk += extra
                for o in chunk:
                    self._offender_rec(o, case)
        lone_slots = [c for r in sorted(free) for c in free[r]]
        rng.shuffle(lone_slots)
        n_lone = n_off - sum(sizes)
        for case in lone_slots[:n_lone]:
            self._offender_rec(new_offender(case.agency.region), case)
        # council / charity records about a child the police (or another agency) reported first
        # repeat some of that case's offenders
        for a in self.agencies:
            if a.source_type == "police" or not a.layout["off"]:
                continue
            for c in a.cases:
                if c.standalone:
                    continue
                primary = c.victims[0].person.primary
                for o_rec in primary.offenders:
                    if rng.random() < 0.25:
                        self._offender_rec(o_rec.person, c)
        self.offenders = offenders

    def _offender_rec(self, o: Person, case: Case) -> Rec:
        r = Rec(o, case)
        case.offenders.append(r)
        o.records.append(r)
        if o.primary is None:
            o.primary = case
        return r

    # -- true attributes (capability-aware: a value must be sayable in one of the person's
    #    records, e.g. IC codes have no Mixed) -------------------------------------------------
    def attributes(self) -> None:
        rng, s = self.rng, self.scale

        def systems(p: Person) -> set[str]:
            return {r.agency.layout["eth"] for r in p.records}

        def can_eth(p: Person, v: str) -> bool:
            return any(eth_expressible(sy, v) for sy in systems(p))

        def has(p: Person, key: str) -> bool:
            return any(r.agency.layout[key] for r in p.records)

        v = self.victims
        _assign(rng, v, "eth", _scaled(TARGETS["victims_ethnicity"], s), can_eth)
        lac_yes = round(TARGETS["victims_looked_after_yes"] * s)
        lac_no = round(640 * s)
        _assign(rng, v, "lac", {"Yes": lac_yes, "No": lac_no, "Unknown": 0},
                lambda p, _v: has(p, "lac"), order=["Yes", "No"])
        # Children a charity reports by initials and age only are named first, so that no
        # other child of their area shares their initials at a similar age: an initials-only
        # record can then be linked to one child only.
        initials_only = {p.pid for p in v
                         if any(r.agency.mapping == "ngo-initials-csv" for r in p.records)}
        taken = defaultdict(list)      # (region, initials) -> ages of initials-only children

        def clash(p: Person):
            return lambda f, s: any(abs(age - p.age) <= 3
                                    for age in taken[(p.region, initials(f, s))])

        for p in sorted(v, key=lambda p: p.pid not in initials_only):
            p.detail = _weighted(rng, DETAILS[p.eth]) if p.eth != "Unknown" else None
            p.forename, p.surname = self.names.take(name_pool(p.eth, p.detail, rng), p.female,
                                                    clash(p) if self.names.strict else None)
            if p.pid in initials_only:
                taken[(p.region, initials(p.forename, p.surname))].append(p.age)
            if p.missing == "Reported missing":
                p.episodes = min(60, 1 + int(rng.expovariate(1 / 4)))
                if has(p, "mfrom"):
                    care = 0.55 if p.lac == "Yes" else 0.08
                    p.mfrom = _weighted(rng, [("Home", 1 - care), ("Care", care * 0.7),
                                              ("Both", care * 0.3), ("Unknown", 0.2)])
            elif p.missing == "Not reported missing":
                p.episodes = 0
        o = self.offenders
        n_yes = round(TARGETS["offenders_identified"] * s)
        _assign(rng, o, "ident", {"Yes": n_yes, "No": round(1050 * s), "Unknown": 0},
                lambda p, _v: has(p, "ident"), order=["Yes", "No"])
        yes = [p for p in o if p.ident == "Yes"]
        rest = [p for p in o if p.ident != "Yes"]
        _assign(rng, yes, "eth", _scaled(TARGETS["offenders_identified_ethnicity"], s), can_eth)
        shares = {"White": 25, "Asian": 17, "Black": 3, "Other": 1, "Mixed": 0.8, "Chinese": 0.3,
                  "Unknown": 52.9}
        _assign(rng, rest, "eth", _counts(len(rest), shares), can_eth)
        _assign(rng, o, "sex", _counts(len(o), {"Male": 92, "Female": 2.5, "Unknown": 5.5}))
        used = set()
        for p in o:
            if p.eth != "Unknown":
                p.detail = _weighted(rng, DETAILS[p.eth] if p.eth != "Asian" else
                                     [("Pakistani", 75), ("Bangladeshi", 9), ("Indian", 6),
                                      ("Any other Asian", 10)])
            p.female = p.sex == "Female" or (p.sex == "Unknown" and p.female)
            p.forename, p.surname = self.names.take(name_pool(p.eth, p.detail, rng), p.female)
            p.age = _weighted(rng, [(rng.randint(14, 17), 7), (rng.randint(18, 24), 53),
                                    (rng.randint(25, 29), 16), (rng.randint(30, 34), 9),
                                    (rng.randint(35, 44), 9), (rng.randint(45, 62), 6)])
            for _ in range(50):     # as for children: initial and dob unique in an area
                p.dob = _dob_for(rng, p.age, p.primary.date)
                if (p.region, p.forename[:1], p.dob) not in used:
                    break
            used.add((p.region, p.forename[:1], p.dob))

    # -- what each record says ----------------------------------------------------------------
    def realise(self) -> None:
        rng = self.rng
        for p in self.victims + self.offenders:
            recs = p.records
            lay = [r.agency.layout for r in recs]
            self._spread(p, recs, "sex", p.sex, [True] * len(recs), 0.85)
            self._spread(p, recs, "eth", p.eth,
                         [eth_expressible(la["eth"], p.eth) for la in lay], 0.75)
            if p.kind == "victim":
                self._spread(p, recs, "missing", p.missing, [True] * len(recs), 0.7,
                             conflict="Not reported missing" if p.missing == "Reported missing"
                             else None)
                self._spread(p, recs, "lac", p.lac, [la["lac"] for la in lay], 0.7,
                             conflict="No" if p.lac == "Yes" else None)
                self._spread(p, recs, "mfrom", p.mfrom, [la["mfrom"] for la in lay], 0.8)
                for r in recs:
                    r.episodes = (p.episodes if r.missing == p.missing else
                                  0 if r.missing == "Not reported missing" else None)
                    if r.missing == "Reported missing" and r.episodes is None:
                        r.episodes = p.episodes
                    if r.missing != "Reported missing":
                        r.mfrom = "Unknown"
            else:
                self._spread(p, recs, "ident", p.ident, [la["ident"] for la in lay], 0.8,
                             conflict="No" if p.ident == "Yes" else None)
            for i, r in enumerate(recs):
                self._identity(p, r, i, rng)

    def _spread(self, p, recs, attr, value, capable, q, conflict=None) -> None:
        """Known value: said by each capable record with probability q, by one at least;
        the others say Unknown (or, rarely, a weaker value the merge rule overrides)."""
        rng = self.rng
        if value == "Unknown":
            for r in recs:
                setattr(r, attr, "Unknown")
            return
        idx = [i for i, c in enumerate(capable) if c]
        if not idx:
            raise RuntimeError(f"{p.pid}: no record can say {attr}={value}")
        must = rng.choice(idx)
        for i, r in enumerate(recs):
            if i == must or (capable[i] and rng.random() < q):
                setattr(r, attr, value)
            elif conflict and capable[i] and rng.random() < 0.25:
                setattr(r, attr, conflict)
            else:
                setattr(r, attr, "Unknown")

    def _identity(self, p: Person, r: Rec, i: int, rng: random.Random) -> None:
        f, s = p.forename, p.surname
        if i:   # later records: spelling variants and nicknames
            if len(F_VARIANTS.get(f, ())) > 1 and rng.random() < 0.35:
                f = rng.choice(F_VARIANTS[f][1:])
            if s in S_VARIANTS and rng.random() < 0.3:
                s = rng.choice(S_VARIANTS[s][1:])
        r.forename, r.surname = f, s
        # Every record says a date of birth or an age (else nothing could link it).
        on = r.case.date
        if p.kind == "victim":   # dob missing only where the layout has an age column
            r.dob = None if r.agency.mapping in AGE_LAYOUTS and rng.random() < 0.1 else p.dob
        else:   # the unidentified rarely have a date of birth; their ages are estimates
            r.dob = p.dob if (p.ident == "Yes" and rng.random() < 0.85) else None
        if i and r.dob is not None:
            r.dob = _dob_variant(p.dob, rng)
        r.age = _age_at(p.dob, on)
        if p.kind == "offender" and r.dob is None and p.ident != "Yes" and rng.random() < 0.15:
            r.age += rng.choice([-1, 1])


AGE_LAYOUTS = {"police-flat-export", "ngo-initials-csv", "ngo-ods"}


def _dob_variant(dob: dt.date, rng: random.Random) -> dt.date:
    x = rng.random()
    if x < 0.07 and dob.day <= 12 and dob.day != dob.month:
        return dt.date(dob.year, dob.day, dob.month)          # day and month transposed
    if x < 0.10:
        day = dob.day + (1 if dob.day < 28 else -1)
        return dob.replace(day=day)                           # one part differs
    return dob


# --------------------------------------------------------------------------------------------
# Writers: each layout to its own file format

def _freeze_zip(path: Path) -> None:
    """Rewrite a zip (xlsx/ods) with fixed entry times and fixed document-property dates."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>"
                              + FIXED_PROPS_TIME.encode(), data)
            new = zipfile.ZipInfo(info.filename, EPOCH)
            new.compress_type = info.compress_type
            new.external_attr = 0o644 << 16
            z.writestr(new, data)


def _xlsx(path: Path, sheets: list[tuple[str, list[list]]], title: str, merges=None) -> None:
    """Workbook from rows; write-only (fast) unless title cells must be merged."""
    import openpyxl

    if merges:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
            for rng_ in merges.get(name, []):
                ws.merge_cells(rng_)
            for row in ws.iter_rows(max_row=3):
                for c in row:
                    if isinstance(c.value, str) and c.row < 3:
                        c.font = openpyxl.styles.Font(bold=True, size=12 if c.row == 1 else 11)
            for i in range(1, ws.max_column + 1):
                ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = 18
    else:
        wb = openpyxl.Workbook(write_only=True)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
    wb.properties.creator = "cse-audit synth"
    wb.properties.title = title
    wb.properties.created = dt.datetime(2011, 3, 31)
    wb.save(path)
    _freeze_zip(path)


def _xls(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    bold = xlwt.easyxf("font: bold on")
    for name, rows in sheets:
        ws = wb.add_sheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, dt.date):
                    ws.write(i, j, v, date_style)
                else:
                    ws.write(i, j, v, bold if i == 0 else xlwt.Style.default_style)
    wb.save(str(path))


def _csv(path: Path, rows: list[list], encoding: str) -> None:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def _ods(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    """A minimal OpenDocument spreadsheet: mimetype (stored, first), manifest, content."""
    def cell(v) -> str:
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, dt.date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}">'
                    f"<text:p>{v:%d/%m/%Y}</text:p></table:table-cell>")
        if isinstance(v, int):
            return (f'<table:table-cell office:value-type="float" office:value="{v}">'
                    f"<text:p>{v}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODS_NS}>'
             "<office:body><office:spreadsheet>"]
    for name, rows in sheets:
        parts.append(f'<table:table table:name="{escape(name)}">')
        for row in rows:
            parts.append("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>")
        parts.append("</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", EPOCH),
                   "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr(zipfile.ZipInfo("META-INF/manifest.xml", EPOCH), manifest, zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("content.xml", EPOCH), "".join(parts), zipfile.ZIP_DEFLATED)


class _Writer:
    """Encodes each record's canonical values in one layout's words, with unknown tokens."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, options):
        return self.rng.choice(options)

    @staticmethod
    def raw(r: Rec, key: str, value):
        return r.raw[key] if r.raw and key in r.raw else value

    def sex(self, r: Rec, words: dict, unknown: list) -> str:
        return self.raw(r, "sex", words[r.sex] if r.sex != "Unknown" else self.pick(unknown))

    def eth(self, r: Rec, system: str) -> str:
        return self.raw(r, "ethnicity", eth_raw(system, r.eth, r.person.detail, self.rng))

    def yn(self, value: str, yes, no, unknown: list) -> str:
        return yes if value == "Yes" else no if value == "No" else self.pick(unknown)

    def dob_text(self, r: Rec, fmt: str) -> str:
        if r.raw and "dob" in r.raw:
            return r.raw["dob"]
        return r.dob.strftime(fmt) if r.dob else ""


def _place(r: Rec, file: str, sheet: str, row: int) -> None:
    r.file, r.sheet, r.row = file, sheet, row


def write_police_ic(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    cases_h = ["Crime Ref", "Date Reported", "Offence Type", "Division"]
    vic_h = ["Victim Ref", "Crime Ref", "Forename", "Surname", "DOB", "Sex",
             "Officer Defined Ethnicity", "Missing Episodes"]
    off_h = ["Offender Ref", "Crime Ref", "Forename", "Surname", "DOB", "Age", "Sex",
             "Officer Defined Ethnicity", "Identified"]
    cases, vics, offs = [cases_h], [vic_h], [off_h]
    offences = ["Sexual activity with a child", "Rape of a child under 13",
                "Meeting a child following sexual grooming", "Child abduction",
                "Controlling child prostitution", "Trafficking within the UK for sexual exploitation",
                "Intelligence log"]
    for c in a.cases:
        cases.append([c.ref, c.date, w.pick(offences), f"{w.pick('ABCDEFGH')} Division"])
        if extra.get("case_without_ref") and len(cases) == 6:
            cases.append([None, c.date, "Intelligence log", "A Division"])
            extra["case_without_ref"](a.file_name, "Cases", len(cases))
        for r in c.victims:
            dob = r.raw["dob"] if r.raw and "dob" in r.raw else r.dob
            vics.append([r.ref, c.ref, r.forename, r.surname, dob,
                         w.sex(r, {"Female": "F", "Male": "M"}, ["", "U", "", "NK"]),
                         w.eth(r, "ic"), r.episodes])
            _place(r, a.file_name, "Victims", len(vics))
        for r in c.offenders:
            offs.append([r.ref, c.ref, r.forename, r.surname, r.dob, r.age,
                         w.sex(r, {"Female": "F", "Male": "M"}, ["", "U", ""]),
                         w.eth(r, "ic"), w.yn(r.ident, "Y", "N", ["", ""])])
            _place(r, a.file_name, "Offenders", len(offs))
    _xlsx(path, [("Cases", cases), ("Victims", vics), ("Offenders", offs)], a.name)


FLAT_HEADERS = ["URN", "Occurrence Date", "Nominal ID", "Role", "Name", "Date of Birth", "Age",
                "Gender", "SDE", "Missing (Y/N)", "Missing From", "LAC", "Identified"]


def write_police_flat(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    as_xlsx = path.suffix == ".xlsx"
    rows = [FLAT_HEADERS]

    def d(x):
        return x if (as_xlsx or x is None or isinstance(x, str)) else x.isoformat()

    def person_row(r: Rec, c: Case | None, role: str) -> list:
        victim = r.person.kind == "victim"
        dob = r.raw["dob"] if r.raw and "dob" in r.raw else r.dob
        return [
            c.ref if c else None, d(c.date) if c else None, r.ref, role,
            f"{r.surname.upper()}, {r.forename}", d(dob), r.age,
            w.sex(r, {"Female": "F", "Male": "M"}, ["U", "", "U"]),
            w.eth(r, "16+1"),
            w.yn({"Reported missing": "Yes", "Not reported missing": "No"}.get(r.missing),
                 "Y", "N", ["", "NK", ""]) if victim else None,
            (r.mfrom if r.mfrom != "Unknown" else "") if victim else None,
            w.yn(r.lac, "Y", "N", ["", "", "NK"]) if victim else None,
            None if victim else w.yn(r.ident, "Y", "N", ["", ""]),
        ]

    for c in a.cases:
        for r in c.victims:
            rows.append(person_row(r, c, w.pick(["Victim", "Victim", "Injured party"])))
            _place(r, a.file_name, "csv" if not as_xlsx else "Export", len(rows))
        for r in c.offenders:
            rows.append(person_row(r, c, w.pick(["Suspect", "Suspect", "Offender", "Nominal"])))
            _place(r, a.file_name, "csv" if not as_xlsx else "Export", len(rows))
        if w.rng.random() < 0.08:   # witnesses are in the export too: skipped, never records
            a.skipped_rows += 1
            rows.append([c.ref, d(c.date), f"W{w.rng.randint(10000, 99999)}", "Witness",
                         f"{w.pick(S_WHITE).upper()}, {w.pick(F_WHITE + M_WHITE)}", None, None,
                         w.pick(["F", "M"]), "", None, None, None, None])
    if as_xlsx:
        _xlsx(path, [("Export", rows)], a.name)
    else:
        if not a.cases:   # a nil return: the header and no data rows, under a note
            rows = [[f"{a.name}: no relevant data held for the period requested"], []] + rows
        _csv(path, rows, "utf-8-sig")


def write_lscb_workbook(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    head = ["Referral No", "Date of Referral", "Child's First Name", "Child's Surname", "D.O.B.",
            "Gender", "Ethnicity (18+1)", "Missing from home/care", "No. of Missing Episodes",
            "Looked After Child?"]
    rows = [[a.name] + [None] * 9,
            ["Child sexual exploitation: return to CEOP (cases since 1 January 2008)"] + [None] * 9,
            ["OFFICIAL - SENSITIVE: contains personal data"] + [None] * 9,
            [None] * 10, head]
    perp_head = ["Referral No", "Perpetrator Name", "Gender", "Approx Age", "Ethnicity (18+1)",
                 "Identified?"]
    perps = [["Alleged perpetrators linked to the referrals"] + [None] * 5, [None] * 6, perp_head]
    for c in a.cases:
        for r in c.victims:
            if r.missing == "Reported missing":
                miss = r.mfrom if r.mfrom != "Unknown" else w.pick(["Yes", "Yes", "Missing"])
            elif r.missing == "Not reported missing":
                miss = w.pick(["No", "No", "Not missing"])
            else:
                miss = w.pick(["", "Not known", "", "unknown"])
            eps = r.episodes if r.missing != "Unknown" and w.rng.random() < 0.8 else None
            rows.append([c.ref, c.date, r.forename, r.surname, w.dob_text(r, "%d/%m/%Y"),
                         w.sex(r, {"Female": "Female", "Male": "Male"}, ["", "Not recorded"]),
                         w.eth(r, "18+1"), miss, eps,
                         w.yn(r.lac, "Yes", "No", ["Unknown", "", "Not known"])])
            _place(r, a.file_name, "CSE Referrals", len(rows))
        for r in c.offenders:
            age = None
            if r.age is not None:
                age = (f"{r.age}" if w.rng.random() < 0.6 else f"{r.age} yrs"
                       if w.rng.random() < 0.6 else f"{r.age}-{r.age + 5}")
            perps.append([c.ref, f"{r.forename} {r.surname}",
                          w.sex(r, {"Female": "Female", "Male": "Male"}, ["", "Not known"]), age,
                          w.eth(r, "18+1"), w.yn(r.ident, "Yes", "No", ["", "Unknown"])])
            _place(r, a.file_name, "Alleged Perpetrators", len(perps))
    merges = {"CSE Referrals": ["A1:J1", "A2:J2", "A3:J3"], "Alleged Perpetrators": ["A1:F1"]}
    _xlsx(path, [("CSE Referrals", rows), ("Alleged Perpetrators", perps)], a.name, merges=merges)


def write_lscb_xls(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    rows = [["Case ID", "Date Opened", "Surname", "Forename", "DoB", "Sex", "Ethnic Code",
             "Missing Episodes", "LAC"]]
    offs = [["Case ID", "Alleged Abuser", "Sex", "Age", "Ethnic Code"]]
    for c in a.cases:
        for r in c.victims:
            rows.append([int(c.ref), c.date, r.surname, r.forename, r.dob,
                         w.sex(r, {"Female": "Girl", "Male": "Boy"}, ["", ""]), w.eth(r, "nhs"),
                         r.episodes, w.yn(r.lac, "Yes", "No", ["", ""])])
            _place(r, a.file_name, "Sheet1", len(rows))
        for r in c.offenders:
            offs.append([int(c.ref), f"{r.surname.upper()}, {r.forename}",
                         w.sex(r, {"Female": "F", "Male": "M"}, ["", ""]), r.age, w.eth(r, "nhs")])
            _place(r, a.file_name, "Offenders", len(offs))
    _xls(path, [("Sheet1", rows), ("Offenders", offs)])


NOTES = ["Met older males at a café in town", "Given mobile phone & £20 top-ups",
         "Found at address with older men", "Gifts: clothes, alcohol, £50 cash", "",
         "Disclosed to project worker", "Referred by school nurse", "", "Attends drop-in weekly",
         "Taken to parties out of area", "Prefers female worker", ""]


def write_ngo_csv(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    rows = [["Ref", "Date of referral", "Initials", "Age", "Gender", "Ethnicity", "Missing?",
             "In care?", "Notes"]]
    for c in a.cases:
        for r in c.victims:
            ini = initials(r.person.forename, r.person.surname)
            ini = w.pick([ini, ".".join(ini) + ".", ini])
            age = r.age
            age = "" if age is None else w.pick([f"{age}", f"{age}", f"{age} yrs"])
            miss = {"Reported missing": "Yes", "Not reported missing": "No"}.get(r.missing)
            rows.append([c.ref, c.date.strftime("%d/%m/%Y"), ini, age,
                         w.sex(r, {"Female": "F", "Male": "M"}, ["", "?"]), w.eth(r, "text"),
                         miss or w.pick(["N/K", "Don't know", ""]),
                         w.yn(r.lac, "Yes", "No", ["Don't know", "", "N/K"]), w.pick(NOTES)])
            _place(r, a.file_name, "csv", len(rows))
    _csv(path, rows, "cp1252")


def write_ngo_ods(w: _Writer, a: Agency, path: Path, extra: dict) -> None:
    rows = [["Client ID", "Referral Date", "Name", "Date of Birth", "Age", "Sex", "Ethnicity",
             "Reported Missing", "Looked After"]]
    perps = [["Client ID", "Perpetrator", "Sex", "Age", "Ethnicity"]]
    for c in a.cases:
        for r in c.victims:
            miss = {"Reported missing": "Yes", "Not reported missing": "No"}.get(r.missing)
            rows.append([c.ref, c.date, f"{r.forename} {r.surname}", w.dob_text(r, "%d/%m/%Y"),
                         r.age if r.dob is None or w.rng.random() < 0.7 else None,
                         w.sex(r, {"Female": "Female", "Male": "Male"}, ["", "Unknown"]),
                         w.eth(r, "any"), miss or w.pick(["", "Unknown"]),
                         w.yn(r.lac, "Yes", "No", ["", ""])])
            _place(r, a.file_name, "Young People", len(rows))
        for r in c.offenders:
            perps.append([c.ref, f"{r.forename} {r.surname}",
                          w.sex(r, {"Female": "Female", "Male": "Male"}, ["", "Unknown"]), r.age,
                          w.eth(r, "any")])
            _place(r, a.file_name, "Perpetrators", len(perps))
    _ods(path, [("Young People", rows), ("Perpetrators", perps)])


WRITERS = {
    "police-ic-export": write_police_ic, "police-flat-export": write_police_flat,
    "lscb-workbook": write_lscb_workbook, "lscb-nhs-xls": write_lscb_xls,
    "ngo-initials-csv": write_ngo_csv, "ngo-ods": write_ngo_ods,
}


# --------------------------------------------------------------------------------------------
# Figures: person-level merge of the records, by the stated rules

MISSING_RANK = {"Reported missing": 2, "Not reported missing": 1, "Unknown": 0}
YES_RANK = {"Yes": 2, "No": 1, "Unknown": 0}


def merge_known(values: list[str], who: str) -> str:
    known = {v for v in values if v != "Unknown"}
    if len(known) > 1:
        raise AssertionError(f"{who}: records conflict on known values {sorted(known)}")
    return known.pop() if known else "Unknown"


def figures(victim_recs: list[Rec], offender_recs: list[Rec], case_keys: set) -> dict:
    by_v, by_o = defaultdict(list), defaultdict(list)
    for r in victim_recs:
        by_v[r.person.pid].append(r)
    for r in offender_recs:
        by_o[r.person.pid].append(r)
    v_missing, v_sex, v_eth, v_lac, v_age = Counter(), Counter(), Counter(), Counter(), Counter()
    for pid, recs in by_v.items():
        v_missing[max((r.missing for r in recs), key=MISSING_RANK.get)] += 1
        v_sex[merge_known([r.sex for r in recs], pid)] += 1
        v_eth[merge_known([r.eth for r in recs], pid)] += 1
        v_lac[max((r.lac for r in recs), key=YES_RANK.get)] += 1
        v_age[recs[0].person.age] += 1
    o_ident, o_sex, o_eth_rel, o_band = Counter(), Counter(), Counter(), Counter()
    for pid, recs in by_o.items():
        ident = max((r.ident for r in recs), key=YES_RANK.get)
        o_ident[ident] += 1
        o_sex[merge_known([r.sex for r in recs], pid)] += 1
        eth = merge_known([r.eth for r in recs], pid)
        if ident == "Yes":
            o_eth_rel[eth] += 1
        age = recs[0].person.age
        o_band[next(b for b, hi in [("under 18", 17), ("18-24", 24), ("25-29", 29), ("30-34", 34),
                                    ("35-44", 44), ("45 and over", 999)] if age <= hi)] += 1
    # offender groups: case records joined by shared offenders, with >= 2 distinct offenders
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in offender_recs:
        a, b = find(("case", r.file, r.case.ref)), find(("off", r.person.pid))
        parent[a] = b
    members = defaultdict(set)
    for r in offender_recs:
        members[find(("off", r.person.pid))].add(r.person.pid)
    group_sizes = sorted(len(m) for m in members.values() if len(m) >= 2)
    order = ["White", "Asian", "Black", "Chinese", "Mixed", "Other", "Unknown"]
    n_v, n_rel = len(by_v), sum(o_eth_rel.values())

    def dist(c: Counter, keys) -> dict:
        return {k: c.get(k, 0) for k in keys}

    return {
        "case_records": len(case_keys),
        "victims": {
            "unique": n_v,
            "records": len(victim_recs),
            "missing_status": dist(v_missing, MISSING_RANK),
            "sex": dist(v_sex, ["Female", "Male", "Unknown"]),
            "ethnicity": dist(v_eth, order),
            "ethnicity_percent": {k: round(100 * v_eth.get(k, 0) / n_v, 1) for k in order},
            "white_percent_of_known": round(
                100 * v_eth["White"] / max(1, n_v - v_eth["Unknown"]), 1),
            "looked_after": dist(v_lac, YES_RANK),
            "age_at_first_case": {str(k): v_age[k] for k in sorted(v_age)},
        },
        "offenders": {
            "unique": len(by_o),
            "records": len(offender_recs),
            "identified": dist(o_ident, YES_RANK),
            "most_reliable_group": {
                "definition": "offenders with identified = Yes after merging",
                "count": n_rel,
                "ethnicity": dist(o_eth_rel, order),
                "ethnicity_percent": {k: round(100 * o_eth_rel.get(k, 0) / max(1, n_rel), 1)
                                      for k in order},
            },
            "sex": dist(o_sex, ["Male", "Female", "Unknown"]),
            "age_band_at_first_case": dist(o_band, ["under 18", "18-24", "25-29", "30-34",
                                                    "35-44", "45 and over"]),
            "groups": {
                "count": len(group_sizes),
                "definition": "connected sets of case records (distinct case_ref within one "
                              "return) joined by shared offenders (person level), with two or "
                              "more distinct offenders",
                "sizes": {str(k): v for k, v in sorted(Counter(group_sizes).items())},
                "largest": max(group_sizes, default=0),
                "more_than_8": sum(1 for g in group_sizes if g > 8),
            },
        },
    }


def check_targets(fig: dict) -> list[str]:
    """Differences between the figures and the CEOP targets (empty = all exact)."""
    v, o = fig["victims"], fig["offenders"]
    t = TARGETS
    pairs = [
        ("case_records", fig["case_records"], t["case_records"]),
        ("victims", v["unique"], t["victims"]),
        ("victims missing_status", v["missing_status"], t["victims_missing"]),
        ("victims sex", v["sex"], t["victims_sex"]),
        ("victims ethnicity", v["ethnicity"], t["victims_ethnicity"]),
        ("victims looked after", v["looked_after"]["Yes"], t["victims_looked_after_yes"]),
        ("offenders", o["unique"], t["offenders"]),
        ("offenders identified", o["identified"]["Yes"], t["offenders_identified"]),
        ("most reliable ethnicity", o["most_reliable_group"]["ethnicity"],
         t["offenders_identified_ethnicity"]),
        ("offender groups", o["groups"]["count"], t["offender_groups"]),
    ]
    return [f"{name}: got {got}, want {want}" for name, got, want in pairs if got != want]


# --------------------------------------------------------------------------------------------
# Entry point

def generate(outdir, seed: int = 2011, scale: float = 1.0) -> dict:
    """Write synthetic returns, truth files and expected figures to outdir; return a summary.

    The returns reproduce the CEOP 2011 figures exactly at scale 1 (any seed); at other
    scales the counts scale approximately with the same shapes.
    """
    scale = float(scale)
    if scale <= 0:
        raise ValueError("scale must be positive")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_truth").mkdir(exist_ok=True)
    g = _Gen(seed, scale)
    g.people()
    g.reporting()
    g.cases()
    g.offenders_and_groups()
    g.attributes()
    g.date_followers()
    g.realise()
    _references(g)
    errors = _deliberate_errors(g)
    w = _Writer(random.Random(seed + 1))
    for a in g.agencies:
        if a.status == _X:
            continue
        extra: dict = {}
        if a.mapping == "police-ic-export" and a.cases and "case_without_ref" not in errors:
            def note(file, sheet, row):
                errors["case_without_ref"] = _err(file, sheet, row, "Crime Ref", "",
                                                  "error: row rejected (no case reference); "
                                                  "not a case record")
            extra["case_without_ref"] = note
        WRITERS[a.mapping](w, a, out / a.file_name, extra)
    victim_recs = [r for p in g.victims for r in p.records]
    offender_recs = [r for p in g.offenders for r in p.records]
    case_keys = {(a.file_name, c.ref) for a in g.agencies for c in a.cases}
    fig = figures(victim_recs, offender_recs, case_keys)
    diffs = check_targets(fig)
    if scale == 1 and diffs:
        raise AssertionError("sample does not reproduce the CEOP figures: " + "; ".join(diffs))
    _write_truth(out, g)
    expected = _expected(g, fig, errors, seed, scale)
    (out / "_truth" / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    return {
        "outdir": str(out), "seed": seed, "scale": scale,
        "files": sum(1 for a in g.agencies if a.file_name),
        "victim_records": len(victim_recs),
        "offender_records": len(offender_recs),
        "victims": fig["victims"]["unique"], "offenders": fig["offenders"]["unique"],
        "case_records": fig["case_records"], "offender_groups": fig["offenders"]["groups"]["count"],
        "matches_ceop": not diffs if scale == 1 else None,   # exact targets at scale 1 only
    }


def _references(g: _Gen) -> None:
    """Case and person references in each agency's own style, in date order."""
    for a in g.agencies:
        a.cases.sort(key=lambda c: c.date)
        n_person = 0
        for i, c in enumerate(a.cases):
            yy = f"{c.date:%y}"
            n = 1000 + 37 * i
            c.ref = {
                "police-ic-export": f"{a.prefix}/{yy}/{10000 + 17 * i:05d}",
                "police-flat-export": f"{a.prefix}{(i % 9) + 1:02d}/{200000 + 13 * i:06d}/{yy}",
                "lscb-workbook": f"CSE-{c.date:%Y}-{n:05d}",
                "lscb-nhs-xls": f"{300000 + 11 * i}",
                "ngo-initials-csv": f"{a.prefix}/{500 + 3 * i:04d}",
                "ngo-ods": f"YP-{1000 + 7 * i:05d}",
            }[a.mapping]
            for r in c.victims + c.offenders:
                n_person += 1
                kind = "V" if r.person.kind == "victim" else "S"
                r.ref = {"police-ic-export": f"{kind}{n_person:06d}",
                         "police-flat-export": f"N{700000 + n_person}"}.get(a.mapping, "")


def _err(file, sheet, row, column, value, expected) -> dict:
    return {"file_name": file, "sheet": sheet, "row_number": row, "column": column,
            "value": value, "expected": expected}


def _deliberate_errors(g: _Gen) -> dict:
    """Bad values the analyst should see as issues; none changes the figures."""
    errors: dict = {}
    rng = random.Random(g.seed + 2)

    def pick(layout: str, kind: str, cond) -> Rec | None:
        pool = [r for a in g.agencies if a.mapping == layout for c in a.cases
                for r in (c.victims if kind == "victim" else c.offenders) if cond(r)]
        return rng.choice(pool) if pool else None

    r = pick("lscb-workbook", "victim", lambda r: r.dob is not None and len(r.person.records) == 1)
    if r:
        r.raw, r.dob = {"dob": f"31/02/{r.dob.year}"}, None
        errors["impossible_dob"] = r
    r = pick("police-ic-export", "victim", lambda r: r.eth == "Unknown")
    if r:
        r.raw = {"ethnicity": "IC8"}
        errors["unknown_ic_code"] = r
    r = pick("ngo-initials-csv", "victim", lambda r: r.eth == "Unknown")
    if r:
        r.raw = {"ethnicity": "Martian"}
        errors["unrecognised_ethnicity_text"] = r
    return errors


def _write_truth(out: Path, g: _Gen) -> None:
    for name, people in (("victims", g.victims), ("offenders", g.offenders)):
        rows = sorted((r.file, r.sheet, r.row, p.pid) for p in people for r in p.records)
        _csv(out / "_truth" / f"{name}.csv", [["file_name", "sheet", "row_number", "person_id"]]
             + [list(x) for x in rows], "utf-8")
    # person-level truth (names live only here and in the returns, never in expected.json)
    head = ["person_id", "forename", "surname", "dob", "age_at_first_case", "sex", "ethnicity",
            "ethnicity_detail", "region", "n_records", "source_types"]
    for name, people in (("victim_persons", g.victims), ("offender_persons", g.offenders)):
        rows = [head + (["missing_status", "missing_from", "missing_episodes", "looked_after"]
                        if name.startswith("victim") else ["identified"])]
        for p in people:
            base = [p.pid, p.forename, p.surname, p.dob.isoformat(), p.age, p.sex, p.eth,
                    p.detail or "", p.region, len(p.records),
                    ";".join(sorted({r.agency.source_type for r in p.records}))]
            rows.append(base + ([p.missing, p.mfrom, "" if p.episodes is None else p.episodes,
                                 p.lac] if p.kind == "victim" else [p.ident]))
        _csv(out / "_truth" / f"{name}.csv", rows, "utf-8")


def _expected(g: _Gen, fig: dict, errors: dict, seed, scale) -> dict:
    returns = []
    for a in g.agencies:
        if a.status == _X:
            continue
        v = sum(len(c.victims) for c in a.cases)
        o = sum(len(c.offenders) for c in a.cases)
        returns.append({"agency_id": a.id, "source_type": a.source_type, "file_name": a.file_name,
                        "mapping": a.mapping, "nil_return": not a.cases,
                        "case_records": len(a.cases), "victim_records": v, "offender_records": o,
                        "rows_skipped": a.skipped_rows})
    resp = Counter(x["source_type"] for x in returns)
    asked = Counter(a.source_type for a in g.agencies)
    per_source = {}
    for kind, people in (("victims", g.victims), ("offenders", g.offenders)):
        by = defaultdict(lambda: [0, 0])
        combos = Counter()
        for p in people:
            types = sorted({r.agency.source_type for r in p.records})
            combos["+".join(types)] += 1
            for t in types:
                by[t][0] += 1
                by[t][1] += sum(1 for r in p.records if r.agency.source_type == t)
        per_source[kind] = {
            "by_source_type": {t: {"persons": n, "records": m} for t, (n, m) in sorted(by.items())},
            "persons_by_source_combination": dict(sorted(combos.items())),
            "persons_with_records": dict(sorted(Counter(len(p.records) for p in people).items())),
        }
    err_list = []
    for key, e in errors.items():
        if isinstance(e, Rec):
            col = {"impossible_dob": "D.O.B.", "unknown_ic_code": "Officer Defined Ethnicity",
                   "unrecognised_ethnicity_text": "Ethnicity"}[key]
            val = next(iter(e.raw.values()))
            err_list.append({"kind": key, **_err(e.file, e.sheet, e.row, col, val,
                                                 "warning: row kept, field Unknown")})
        else:
            err_list.append({"kind": key, **e})
    return {
        "about": "Figures the synthetic sample must give after ingest, linkage and the merge "
                 "rules. Parts A/B of the CEOP 2011 figures are exact at scale 1; everything "
                 "else (ages, episodes, volumes, nil returns, overlap) is illustrative.",
        "seed": seed, "scale": scale,
        "merge_rules": {
            "missing_status": "any Reported missing > Not reported missing > Unknown",
            "looked_after": "Yes > No > Unknown", "identified": "Yes > No > Unknown",
            "other coded fields": "a known value beats Unknown; records never conflict",
        },
        "definitions": {
            "case_record": "a distinct non-empty case_ref within one return (over cases, "
                           "victims and offenders rows)",
            "row with impossible date or unknown code": "kept, that field Unknown, warning issue",
            "case row with no case reference": "rejected (error issue); not a case record",
        },
        "matches_ceop_targets": not check_targets(fig),
        "agencies": {
            "asked": dict(sorted(asked.items())),
            "responded": dict(sorted(resp.items())),
            "nil_returns": sorted(x["agency_id"] for x in returns if x["nil_return"]),
            "not_returned": sorted(a.id for a in g.agencies if a.status == _X),
        },
        **fig,
        "records_per_person": per_source,
        "deliberate_errors": err_list,
        "rows_skipped": {"total": sum(a.skipped_rows for a in g.agencies),
                         "why": "Witness rows in police-flat-export files (role skip list)"},
        "returns": returns,
    }


def write_configs(config_dir) -> None:
    """Write configs/agencies.yaml from the agency tables here (the registry's source)."""
    Path(config_dir, "agencies.yaml").write_text(registry_yaml(build_agencies()))

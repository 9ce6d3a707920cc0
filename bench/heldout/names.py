"""Made-up name pools with a skewed (Zipf-like) frequency: a few very common names, a long tail.

Written for the held-out generator only (no code or lists from cse_audit.synth). Surnames of the
long tail are invented by joining two syllables, so no list of real people is involved; the common
names are ordinary given names and surnames, combined at random into people who do not exist.
"""

from __future__ import annotations

import bisect
import itertools
import random

GIRLS = """Rebecca Lauren Jessica Charlotte Emma Amy Sophie Hannah Chloe Sarah Megan Laura Danielle Holly
Gemma Natalie Bethany Nicole Jade Stacey Samantha Kirsty Leanne Kayleigh Abigail Shannon Georgia Paige
Jodie Amber Katie Rachel Victoria Elizabeth Jennifer Stephanie Zoe Ellie Lucy Courtney Chelsea Kelly
Naomi Alice Molly Jasmine Kerry Toni Demi Tia Leah Eleanor Grace Kimberley Lydia Kate Aimee Hayley
Louise Melissa Rosie Tanya Carly Keeley Sinead Yasmin Aisha Nadia Jordan Ashleigh Brooke Mollie Tegan
Ebony Jasmin Caitlin Roxanne Hollie Esme Imogen Maisie Niamh Shauna Kiera Rhiannon Tamsin Mia Keira""".split()
BOYS = """Daniel Thomas James Luke Jack Joshua Matthew Ryan Adam Lewis Jordan Kieran Callum Liam Bradley
Nathan Jake Connor Sam Aaron Ben Dean Kyle Reece Tyler Harry Jamie Joe Scott Shane Ashley Craig Mitchell
Dale Jason Lee Robert Owen Alex Karl Brandon Declan Elliot Jay Kai Leon Marcus Nicky Rhys Zak""".split()
MEN = """David Paul Mark Andrew Richard Michael Stephen Ian Gary Darren Lee Neil Jason Craig Simon Wayne
Carl Anthony Shaun Dean Martin Kevin Robert Christopher Peter Steven Graham Keith Barry Tony Phil Colin
Stuart Glen Trevor Derek Russell Terry Ricky Danny Matthew Adam Daniel Ryan Jamie Aaron Kyle Nathan
Luke Scott Liam Ashley Damian Karl Clive Roy Brian Vince Gavin Jonathan Nigel Ross Leigh Mick""".split()
WOMEN = """Tracey Julie Karen Michelle Lisa Donna Sharon Joanne Claire Nicola Kelly Dawn Amanda Mandy""".split()
# A second, smaller pool (South Asian given names and surnames): small pools make namesakes common,
# as they are in real returns for some communities.
MEN_B = """Mohammed Imran Asif Tariq Shahid Zahid Kamran Adil Naveed Sajid Arshad Amjad Nadeem Rizwan
Waqas Khalid Faisal Usman Bilal Zeeshan Abid Shabir Aftab Mushtaq Raja Sohail Qaiser Ishaq Javed Nasir
Sarfraz Akram Basharat Zulfiqar Haroon Irfan Jamil Mansoor Nabeel Omar Parvez Rafiq Saleem Tanveer Yasir""".split()
GIRLS_B = """Ayesha Sana Hina Nazia Amina Saima Farah Zara Rabia Samina Aqsa Iqra Mehreen Sobia Nabila
Rukhsana Shazia Fatima Maryam Alisha Sadia Humaira Nadia Anum Bushra Kiran Tahira Uzma Sumaira Misbah
Aliya Shabana Noreen Asma Ruqayyah""".split()
COMMON = """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker
White Roberts Green Hall Wood Jackson Clarke Hughes Harris Lewis Edwards Turner Hill Moore Cooper Ward
Morris King Baker Harrison Morgan Allen Scott Young Mitchell Carter Bell""".split()
SURNAMES_B = """Khan Hussain Ali Ahmed Iqbal Akhtar Mahmood Rashid Shah Butt Aslam Bashir Javed Rehman
Malik Sharif Yousaf Anwar Hanif Saddiq""".split()
_PRE = """Ash Brad Brook Cal Crom Dun Elm Fair Gar Hal Hart Holm Kel Lang Mar Mel Nor Oak Pen Red Ros
Sand Shel Stan Thorn Wal Wes Whit Wins Yar Bar Cor Fen Hol Kin Lind Mor Pres Rad Sut Ack Birk Chad
Dray Ever Frod Grim Hask Ing Jarr Kirk Loft Mab Nether Ord Pock Quarn Ring Skel Tod Ulver Vick Wark""".split()
_SUF = """ley ton field worth by wood ford ham well croft stone dale more ridge hurst wick combe shaw land
bury son low gate mere thwaite holme cliffe brook marsh stead""".split()
TAIL = [p + s for p, s in itertools.product(_PRE, _SUF)]
NICKNAMES = {"Rebecca": "Becky", "Jessica": "Jess", "Samantha": "Sam", "Victoria": "Vicky",
             "Elizabeth": "Beth", "Jennifer": "Jenny", "Stephanie": "Steph", "Natalie": "Nat",
             "Kimberley": "Kim", "Abigail": "Abbie", "Eleanor": "Ellie", "Daniel": "Danny",
             "Thomas": "Tom", "Matthew": "Matt", "Joshua": "Josh", "Bradley": "Brad", "Nathan": "Nate",
             "Michael": "Mick", "Anthony": "Tony", "Christopher": "Chris", "Stephen": "Steve",
             "Andrew": "Andy", "Richard": "Rick", "Jonathan": "Jon", "Mohammed": "Mo"}


class Pool:
    """Draw names with weight 1 / (rank + k) ** s: rank 1 the most common."""

    def __init__(self, names: list[str], k: float, s: float):
        self.names = list(dict.fromkeys(names))
        w = [1 / (r + k) ** s for r in range(1, len(self.names) + 1)]
        self.cum = list(itertools.accumulate(w))

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]

    def share_of_top(self) -> float:
        return self.cum[0] / self.cum[-1]


class SurnamePool:
    """Common surnames (about 10 % of people, the most common ~1 %) over a long invented tail."""

    def __init__(self, rng: random.Random):
        tail = TAIL[:]
        random.Random(1234).shuffle(tail)  # fixed order: which tail name is commoner is not per seed
        self.common, self.tail = Pool(COMMON, 3, 1.0), Pool(tail, 200, 0.7)

    def draw(self, rng: random.Random) -> str:
        return (self.common if rng.random() < 0.10 else self.tail).draw(rng)


def typo(rng: random.Random, word: str) -> str:
    """One keying slip: a letter dropped, doubled, swapped with its neighbour or replaced."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "double", "swap", "replace"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    near = {"a": "e", "e": "a", "i": "y", "y": "i", "o": "u", "u": "o", "n": "m", "m": "n", "s": "z",
            "t": "d", "d": "t", "c": "k", "k": "c", "l": "ll", "r": "rr"}
    c = word[i].lower()
    return word[:i] + near.get(c, c + c) + word[i + 1:]

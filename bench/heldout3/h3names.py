"""Name pools of the third held-out world: invented but real-looking, drawn by a Zipf law per pool.

Written for bench/heldout3 alone (independent of cse_audit/synth and bench/heldout). Forenames are
ordinary given names (not personal data); surnames are built from invented stems so no real family
is named. Four surname communities, each with its own Zipf exponent: the tight ones (Roma, South
Asian) have few surnames and a steep law, so namesakes are common there, as in real returns.
"""

from __future__ import annotations

import bisect
import itertools
import random

GIRLS = ["Kayleigh", "Chantelle", "Jade", "Shannon", "Courtney", "Chloe", "Leanne", "Stacey", "Danielle",
         "Rebecca", "Samantha", "Natasha", "Jessica", "Amber", "Demi", "Paige", "Kirsty", "Gemma", "Sophie",
         "Bethany", "Lauren", "Megan", "Kelsey", "Tiffany", "Abbie", "Jodie", "Toni", "Nicole", "Casey",
         "Rhiannon", "Siobhan", "Aoife", "Roisin", "Ciara", "Niamh", "Shauna", "Kerry", "Louise", "Victoria",
         "Charlotte", "Hayley", "Katie", "Zoe", "Melissa", "Tegan", "Jasmine", "Holly", "Leah", "Ellie",
         "Alicia", "Precious", "Shanice", "Tamara", "Aneta", "Klaudia", "Natalia", "Paulina", "Monika",
         "Denisa", "Nikola", "Veronika", "Sabina", "Romana", "Ivana", "Simona", "Aisha", "Ayesha", "Sana",
         "Nadia", "Samira", "Yasmin", "Bushra", "Farah", "Shabana", "Kiran", "Saima", "Marie", "Keeley",
         "Mollie", "Brooke", "Kimberley", "Sinead", "Carly", "Lacey", "Destiny", "Chardonnay", "Keira"]
BOYS = ["Jordan", "Liam", "Connor", "Kyle", "Callum", "Ryan", "Jake", "Dean", "Lewis", "Reece",
        "Bradley", "Jamie", "Scott", "Kieran", "Declan", "Sean", "Patrick", "Jan", "Tomas", "Marek",
        "Lukas", "Milan", "Daniel", "Mohammed", "Adil", "Imran", "Zain", "Tyrone", "Nathan", "Aaron"]
MEN = ["Mohammed", "Imran", "Tariq", "Shabir", "Asif", "Zahid", "Kamran", "Arshad", "Nadeem", "Sajid",
       "Wasim", "Naveed", "Abdul", "Mustafa", "Yasir", "Gary", "Darren", "Wayne", "Lee", "Craig", "Shaun",
       "Paul", "Mark", "Steven", "Dean", "Carl", "Jason", "Ryan", "Kevin", "Anthony", "Michael", "Sean",
       "Patrick", "Declan", "Liam", "Jozef", "Tomasz", "Pavel", "Milan", "Radek", "Ladislav", "Roman",
       "Dusan", "Marian", "Ahmed", "Hamid", "Ali", "Omar", "Leon", "Troy", "Jermaine", "Delroy", "Andre"]
ASIAN_MEN = ["Mohammed", "Imran", "Tariq", "Shabir", "Asif", "Zahid", "Kamran", "Arshad", "Nadeem", "Sajid",
             "Wasim", "Naveed", "Abdul", "Mustafa", "Yasir", "Ahmed", "Hamid", "Ali", "Omar", "Adil", "Zain"]
EASTERN_MEN = ["Jozef", "Tomasz", "Pavel", "Milan", "Radek", "Ladislav", "Roman", "Dusan", "Marian", "Jan",
               "Tomas", "Marek", "Lukas"]
ASIAN_GIRLS = ["Aisha", "Ayesha", "Sana", "Nadia", "Samira", "Yasmin", "Bushra", "Farah", "Shabana", "Kiran",
               "Saima", "Amina", "Zara", "Hina", "Sadia", "Rubina", "Nazia", "Iqra"]
EASTERN_GIRLS = ["Aneta", "Klaudia", "Natalia", "Paulina", "Monika", "Nikola", "Denisa", "Veronika", "Sabina",
                 "Romana", "Ivana", "Simona", "Lucie", "Kristýna", "Zuzana", "Marcela"]
WOMEN = ["Tracey", "Michelle", "Donna", "Kelly", "Sharon", "Lisa", "Natalie", "Joanne", "Nadia", "Renata"]

# Short forms and spellings agencies write for the same person (some are in no tool's list).
VARIANTS = {
    "Kayleigh": ["Kay", "Kayley", "Kaylee", "Kayleigh-Ann"], "Chantelle": ["Chan", "Shantelle"],
    "Rebecca": ["Becky", "Bex", "Becca"], "Samantha": ["Sam", "Sammy"], "Natasha": ["Tash", "Tasha"],
    "Jessica": ["Jess", "Jessie"], "Danielle": ["Dani", "Danni"], "Stacey": ["Stacy", "Staci"],
    "Charlotte": ["Charlie", "Lottie"], "Victoria": ["Vicky", "Tori"], "Bethany": ["Beth"],
    "Louise": ["Lou"], "Kimberley": ["Kim", "Kimberly"], "Nicole": ["Nikki"], "Abbie": ["Abby", "Abigail"],
    "Jodie": ["Jody"], "Zoe": ["Zoë"], "Siobhan": ["Shivon"], "Aoife": ["Eva"], "Niamh": ["Neve"],
    "Ayesha": ["Aisha", "Aysha"], "Yasmin": ["Yasmine", "Jasmin"], "Klaudia": ["Claudia"],
    "Natalia": ["Natalie"], "Denisa": ["Denise"], "Veronika": ["Veronica", "Nika"], "Ellie": ["Elle"],
    "Mohammed": ["Mohammad", "Muhammad", "Mohamed", "Mohd", "Mo"], "Imran": ["Immy"], "Tariq": ["Tarik"],
    "Shabir": ["Shabbir"], "Zahid": ["Zaheed"], "Kamran": ["Kam"], "Naveed": ["Navid"], "Sajid": ["Saj"],
    "Abdul": ["Abdal"], "Mustafa": ["Mustapha"], "Yasir": ["Yasser"], "Jozef": ["Josef", "Joe"],
    "Tomasz": ["Tomas", "Tom"], "Ladislav": ["Laci"], "Dusan": ["Dušan"], "Anthony": ["Tony", "Ant"],
    "Michael": ["Mick", "Mike"], "Steven": ["Steve", "Stephen"], "Patrick": ["Pat", "Paddy"],
    "Jermaine": ["Jerome"], "Andre": ["André"], "Darren": ["Daz"], "Gary": ["Gaz"],
}

# Surname communities: (stems, endings, Zipf exponent, how many distinct surnames).
_BRIT_A = ["Ash", "Bram", "Cal", "Dun", "Elm", "Fen", "Gar", "Hal", "Kel", "Lang", "Mar", "Nor", "Ock", "Pen",
           "Rad", "Sel", "Thorn", "Wad", "Whit", "Brack", "Chal", "Hart", "Stan", "Brad", "Rother", "Kirk", "Hol",
           "Bex", "Crom", "Dray", "Ever", "Fair", "Gold", "Hamp", "Ing", "Kings", "Lox", "Mow", "Nut", "Ox",
           "Pry", "Rams", "Saw", "Tid", "Ul", "Ver", "Wex", "Yar", "Birk", "Cheet"]
_BRIT_B = ["worth", "ley", "ford", "by", "ton", "well", "stead", "combe", "field", "shaw", "dale", "wick",
           "ham", "bury", "more", "croft", "son", "ridge", "hurst", "brook", "all", "bridge", "cott", "den",
           "er", "gate", "hill", "ing", "land", "low", "man", "mere", "over", "ridge", "sey", "thwaite",
           "wood", "wright", "ey", "lock"]
_GAEL = ["Ardle", "Cready", "Gorrie", "Kinnon", "Lachlan", "Crory", "Gillan", "Fadden", "Corkindale",
         "Quarrie", "Ilwraith", "Murtrie", "Kechnie", "Clumpha", "Taggart", "Quistan", "Andie", "Erlean",
         "Ginley", "Vitie", "Closkey", "Aneny", "Bratney", "Dermid", "Elhone", "Fetridge", "Goldrick",
         "Hardy", "Ivor", "Kelvie", "Lurg", "Menemy", "Naughtan", "Phedran", "Rorie", "Shane", "Tavish"]
_OIRISH = ["Dowd", "Keeffe", "Riordan", "Shaughnessy", "Halloran", "Dwyer", "Flaherty", "Garra", "Meara",
           "Rahilly", "Toole", "Kerrin", "Fallon", "Brannagh", "Corran", "Dearg", "Hanlan", "Lorcan", "Mulcahy"]
_EE_A = ["Horv", "Lak", "Ol", "Bal", "Dudz", "Kur", "Sark", "Ziv", "Ferk", "Gaz", "Mir", "Tom", "Rac", "Pok",
         "Kwas", "Wron", "Dob", "Jab", "Krol", "Zaj"]
_EE_B = ["áth", "atoš", "áh", "ogová", "ička", "ek", "áš", "owski", "ewicz", "czyk", "iak", "ár", "ovič", "ęcki"]
# Common surnames of a South Asian community (no person is named by a common surname).
_ASIAN = ["Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Mahmood", "Akhtar", "Rashid", "Butt", "Shah", "Aslam",
          "Ul-Haq", "Bibi", "Rehman", "Rafiq", "Sadiq", "Nawaz", "Javed", "Malik", "Qureshi", "Anwar", "Bashir",
          "Karim", "Yousaf"]
_TWO_WORD = ["De Sousa", "Van Der Berg", "St Clair", "Abdul Rahman", "Ul Haq", "Le Mesurier", "Da Costa",
             "Ap Rhys", "Mac Giolla", "De Lacy"]


def _zipf_cum(n: int, s: float, q: float) -> list[float]:
    w = [1.0 / (r + 1 + q) ** s for r in range(n)]
    return list(itertools.accumulate(w))


class Pool:
    """Names with Zipf-Mandelbrot weights: rank r (0-based) drawn with weight 1/(r+1+q)^s. The offset q
    flattens the head as real name lists are flat at the top (the commonest surname ~1 %, not 9 %)."""

    def __init__(self, names: list[str], s: float, q: float = 0.0):
        self.names = names
        self.cum = _zipf_cum(len(names), s, q)

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]


def _shuffled(items, rng):
    items = list(dict.fromkeys(items))
    rng.shuffle(items)
    return items


def build_pools(seed: int) -> dict[str, Pool]:
    """Every pool of the world, fixed by the seed (the ranks change with it, the stems do not)."""
    rng = random.Random(f"names-{seed}")
    brit = _shuffled([a + b for a in _BRIT_A for b in _BRIT_B], rng)
    gael = _shuffled(["Mc" + g for g in _GAEL] + ["Mac" + g for g in _GAEL[:9]], rng)
    irish = _shuffled(["O'" + o for o in _OIRISH], rng)
    ee = _shuffled([a + b for a in _EE_A for b in _EE_B], rng)
    asian = _ASIAN[:]  # a handful of surnames cover much of the community: namesakes are common
    rng.shuffle(asian)
    british_men = [m for m in MEN if m not in ASIAN_MEN + EASTERN_MEN]
    return {
        "british": Pool(brit, 1.0, 25), "gaelic": Pool(gael + irish, 1.0, 14), "eastern": Pool(ee[20:], 1.0, 10),
        "roma": Pool(ee[:20], 1.0, 5), "asian": Pool(asian, 1.0, 8), "two_word": Pool(_TWO_WORD, 0.7),
        "girls": Pool(_shuffled(GIRLS, rng), 1.0, 8), "boys": Pool(_shuffled(BOYS, rng), 1.0, 5),
        "men": Pool(_shuffled(british_men, rng), 1.0, 5), "women": Pool(_shuffled(WOMEN, rng), 0.8),
    }


def gaelic_variant(surname: str, rng: random.Random) -> str:
    """McArdle / MacArdle / Mc Ardle / MCARDLE; O'Dowd / ODowd / O Dowd / O'dowd."""
    if surname.startswith("Mc") or surname.startswith("Mac"):
        stem = surname[2:] if surname.startswith("Mc") else surname[3:]
        return rng.choice(["Mac" + stem, "Mc " + stem, "Mc" + stem.lower(), "M'" + stem, "Mc" + stem])
    if surname.startswith("O'"):
        stem = surname[2:]
        return rng.choice(["O" + stem, "O " + stem, "O'" + stem.lower(), "O`" + stem])
    return surname


def strip_accents(s: str) -> str:
    table = str.maketrans("áéíóúýčďěňřšťžůąćęłńśźżöüäëÁČŠŽ", "aeiouycdenrstzuacelnszzouaeACSZ")
    return s.translate(table)


OCR = [("rn", "m"), ("m", "rn"), ("cl", "d"), ("li", "h"), ("l", "I"), ("I", "l"), ("e", "c"), ("a", "o"),
       ("h", "b"), ("u", "v"), ("n", "ri"), ("O", "0"), ("S", "5"), ("B", "8")]


def ocr(s: str, rng: random.Random) -> str:
    """One confusion a scanner (or a tired typist reading a scan) makes."""
    options = [(a, b) for a, b in OCR if a in s]
    if not options:
        return s
    a, b = rng.choice(options)
    at = [i for i in range(len(s)) if s.startswith(a, i)]
    i = rng.choice(at)
    return s[:i] + b + s[i + len(a):]


def typo(s: str, rng: random.Random) -> str:
    """A keying slip: a letter dropped, doubled, swapped with its neighbour or replaced."""
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return s[:i] + s[i + 1:]
    if kind == 1:
        return s[:i] + s[i] + s[i:]
    if kind == 2:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + rng.choice("aeiourstnl") + s[i + 1:]

"""Names: invented combinations of common forenames and surnames, and the allocator that keeps
them distinct.

Variant clusters (first is the canonical form) give spelling variants and nicknames for
duplicate records. Separate because the name pools are long data and the uniqueness rules
(soundex, initials at a similar age) are what makes the linkage truth unambiguous.
"""

from __future__ import annotations

import functools
import itertools
import random

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


# With realistic frequencies (the hard profile) a pool is its listed names, most common first,
# then a long tail of rarer invented names in the same style, so that two people share a name
# about as often as in life at every scale (a short pool manufactures collisions: ten Polish
# forenames and fifteen surnames made six different "Daria K."s among 20,000 children). Asian and
# Chinese surnames are concentrated in life too, so their tails are short.
TAILS = {  # pool -> (extra forenames, extra surnames)
    "White": (400, 3000), "Euro": (300, 2000), "Black": (300, 1500), "Asian": (150, 300), "Chinese": (100, 100)}
_MIDS = ["", "a", "e", "i", "o", "an", "el", "in", "ar", "is"]


def long_tail(names: list[str], extra: int, key: str) -> list[str]:
    """``names`` followed by ``extra`` invented names: the first half of one listed name, a
    linking syllable, and the second half of another (deterministic for a given key)."""
    # cached: building the tails takes seconds and is the same for every generation
    # (a run of many small data sets, e.g. the synth tests, would pay it each time)
    return list(_long_tail(tuple(names), extra, key))


@functools.lru_cache(maxsize=32)
def _long_tail(names: tuple[str, ...], extra: int, key: str) -> tuple[str, ...]:
    names = list(names)
    heads = sorted({n[: (len(n) + 1) // 2] for n in names if n.isalpha()})
    ends = sorted({n[(len(n) + 1) // 2:].lower() for n in names if n.isalpha()})
    known = {n.lower() for n in names}
    made = sorted({h + m + e for h in heads for m in _MIDS for e in ends if len(h + m + e) >= 4} - known)
    random.Random(key).shuffle(made)
    return tuple(names + [n for n in made if n.lower() not in known][:extra])


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

    def __init__(self, rng: random.Random, strict: bool = True, frequency: bool = False,
                 barrel: float = 0.0):
        self.rng = rng
        self.strict = strict
        self.frequency = frequency    # realistic frequencies, names not kept unique
        self.barrel = barrel          # with frequency: share of double-barrelled surnames
        self.used: set[tuple[str, str]] = set()
        self.relaxed = 0      # names given although `reject` objected
        self._weights: dict[int, list[float]] = {}
        self._long: dict[str, tuple[list[str], list[str], list[str]]] = {}

    def _frequent(self, names: list[str]) -> str:
        """A name drawn with weight 1/(rank + 10): a few names are common, most are rare, and
        the shares do not change with the number of people drawn."""
        w = self._weights.get(len(names))
        if w is None:
            w = self._weights[len(names)] = list(itertools.accumulate(1.0 / (i + 10) for i in range(len(names))))
        return self.rng.choices(names, cum_weights=w)[0]

    def _long_pools(self, pool: str) -> tuple[list[str], list[str], list[str]]:
        got = self._long.get(pool)
        if got is None:
            fem, male, surnames = POOLS[pool]
            nf, ns = TAILS[pool]
            got = self._long[pool] = (long_tail(fem, nf, f"{pool}/f"), long_tail(male, nf, f"{pool}/m"),
                                      long_tail(surnames, ns, f"{pool}/s"))
        return got

    def take(self, pool: str, female: bool, reject=None) -> tuple[str, str]:
        fem, male, surnames = POOLS[pool]
        if self.frequency:
            fem, male, surnames = self._long_pools(pool)
            f, s = self._frequent(fem if female else male), self._frequent(surnames)
            if self.rng.random() < self.barrel:
                s = f"{s}-{self._frequent(S_WHITE)}"
            return f, s
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


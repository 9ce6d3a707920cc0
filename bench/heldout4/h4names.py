"""Name pools of the fourth held-out world, one per culture, commonest first (drawn with a Zipf law).

Written for this world alone (no pool of cse_audit/synth or bench/heldout* was read). Each culture has
girls' and boys' forenames, surnames (a Polish surname has a female form), the ethnicity an agency
would record, and how its names vary between agencies.
"""

from __future__ import annotations

import itertools
import random
import unicodedata

# culture: (surnames, girls, boys, men's forenames for offenders, census label, free text, IC code)
CULTURES: dict[str, dict] = {
    "british": dict(
        surnames="Smith Taylor Brown Wilson Johnson Walker Wright Robinson Thompson White Hall Wood Green "
                 "Jackson Clarke Harris Lewis Turner Hill Ward Moore Cooper Baker King Harrison Martin "
                 "Morris Scott Marshall Kelly Shaw Lee Mason Chapman Barker Holmes Webb Hunt Dixon Booth "
                 "Pearson Hartley Sutcliffe Ingham Crabtree Whitworth Lister Haigh Brierley Ormerod "
                 "Greenwood Ackroyd Holroyd Mellor Butterworth Pickles Ramsden Sykes Horsfall Firth".split(),
        girls="Chloe Jade Shannon Courtney Rebecca Jessica Megan Amber Paige Lauren Bethany Chantelle "
              "Kayleigh Stacey Leanne Samantha Charlotte Victoria Natasha Danielle Stephanie Abigail "
              "Katherine Nicola Kimberley Jennifer Elizabeth Demi Holly Kirsty Tia Sophie Hannah Emma Laura Amy "
              "Gemma Zoe Hayley Sarah Emily Georgia Ellie Jodie Kelly Kerry Lucy Melissa Natalie Olivia "
              "Rachel Sian Toni Vanessa Aimee Brooke Caitlin Eleanor Faye Grace Jasmine Kayla".split(),
        boys="Liam Connor Kyle Ryan Jordan Daniel Thomas Joshua Matthew Christopher Jamie Callum Lewis "
             "Bradley Reece Adam Ben Jack Luke Nathan Sam Tyler Aaron Dean Ashley".split(),
        men="Darren Lee Wayne Paul Craig Dean Gary Stephen Mark Jason Carl Shaun Anthony Kevin".split(),
        census="White: English/Welsh/Scottish/Northern Irish/British", text="White British", ic="IC1"),
    "welsh": dict(
        surnames="Jones Davies Williams Evans Thomas Roberts Hughes Lewis Morgan Griffiths Edwards Owen "
                 "Price Jenkins Rees Powell Lloyd Pritchard Parry Bowen Vaughan Prosser Probert Howells "
                 "Llewellyn Pugh Bevan Watkins".split(),
        girls="Cerys Ffion Seren Megan Carys Bethan Nia Sian Catrin Lowri Rhiannon Eleri Gwen Angharad "
              "Elin Mali Alys Manon Branwen Nerys Glesni Heledd Mared Llinos Delyth Eirlys Tegan Awen "
              "Lleucu Non Siwan Efa".split(),
        boys="Dylan Rhys Gethin Osian Ioan Iwan Owain Cai Aled Huw Gareth Dafydd".split(),
        men="Gareth Rhodri Huw Dai Emyr Gwyn Dafydd Alun Bryn Rhys".split(),
        census="White: English/Welsh/Scottish/Northern Irish/British", text="Welsh", ic="IC1"),
    "polish": dict(
        surnames="Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
                 "Woźniak Dąbrowski Kozłowski Jankowski Mazur Krawczyk Piątek Grabowski Pawłowski Michalski Król "
                 "Wieczorek Jabłoński Wróbel Majewski Olszewski Stępień Malinowski Jaworski Adamczyk Dudek "
                 "Nowicki Pawlak Górski Witkowski Walczak Sikora Baran Rutkowski Michalak Szewczyk Ostrowski "
                 "Tomaszewski Pietrzak Zalewski Wróblewski".split(),
        girls="Zuzanna Wiktoria Julia Natalia Aleksandra Paulina Małgorzata Kinga Oliwia Agnieszka "
              "Weronika Martyna Karolina Magdalena Patrycja Dominika Klaudia Joanna Monika Ewelina "
              "Justyna Sylwia Katarzyna Anna Marta".split(),
        boys="Jakub Kacper Mateusz Szymon Bartłomiej Łukasz Paweł Michał".split(),
        men="Krzysztof Tomasz Marek Grzegorz Piotr Andrzej Dariusz Sławomir".split(),
        census="White: Any other White background", text="Polish", ic="IC1"),
    "romanian": dict(
        surnames="Popescu Ionescu Popa Radu Stoica Stan Dumitru Constantin Munteanu Moldovan Lungu Marin "
                 "Ștefan Niculescu Tănase Căpraru Gheorghiu Rusu Matei Barbu Cristea Ene Florea Sandu Mocanu "
                 "Oprea Dinu Anghel Voicu Lazăr Ciobanu Ardeleanu Toma Nistor Pavel".split(),
        girls="Ioana Andreea Alexandra Bianca Roxana Mădălina Ștefania Elena Alina Denisa Florentina "
              "Cristina Larisa Raluca Georgiana Adriana Simona Diana Irina Corina".split(),
        boys="Andrei Ionuț Mihai Florin Răzvan Cătălin".split(),
        men="Bogdan Adrian Gheorghe Vasile Marian Costel Nicolae Ionel".split(),
        census="White: Any other White background", text="Romanian", ic="IC2"),
    "somali": dict(
        # a Somali surname is the father's forename: the same pool as the boys' and men's forenames
        surnames="Mohamed Ahmed Ali Hassan Hussein Abdi Omar Yusuf Ismail Abdullahi Farah Warsame Osman "
                 "Jama Nur Aden Egal Elmi Dahir Gedi Isse Roble Samatar Abdulle Barre Hirsi Musse".split(),
        girls="Hodan Fadumo Amina Ayaan Sahra Hibo Ifrah Nimco Sagal Ubah Faiza Idil Muna Ladan Deeqa Ikran Khadra Najma "
              "Samira Warda Yasmin Zamzam Asli Bilan Filsan Hamdi Istar Luul".split(),
        boys="Abdi Mohamed Ahmed Ali Hassan Abdirahman Omar Yusuf Mahad".split(),
        men="Mohamed Ahmed Abdi Hassan Ali Omar Abdullahi Hussein Yusuf Farah".split(),
        census="Black/African/Caribbean/Black British: African", text="Somali", ic="IC3"),
    "southasian": dict(
        surnames="Khan Hussain Ali Ahmed Akhtar Mahmood Iqbal Rehman Shah Miah Uddin Rahman Islam "
                 "Chowdhury Butt Raja Aslam Bashir Mirza Qureshi Malik Sheikh Siddiqui Akram Javed "
                 "Nawaz Hanif Zaman Latif Sadiq".split(),
        girls="Aisha Ayesha Fatima Zainab Sana Amina Hira Nadia Shabana Tahmina Sumaiya Maryam Rukhsana "
              "Saima Nabila Iqra Mehwish Ruksana Shazia Farzana Nasreen Sadia Anisa Rabia Humaira Kiran Samina".split(),
        boys="Mohammed Imran Adnan Usman Bilal Zubair Kamran".split(),
        men="Mohammed Muhammad Imran Shahid Tariq Asif Abdul Sajid Arshad Rashid Kamran Zahid Naveed".split(),
        census="Asian/Asian British: Pakistani", text="Pakistani", ic="IC4"),
    "traveller": dict(
        surnames="Ward McDonagh Maughan Connors Joyce Doherty Stokes Quilligan Delaney Purcell Collins "
                 "Sherlock Cash McGinley Mongan Reilly Gavin Keenan McCarthy Sweeney Nevin Casey".split(),
        girls="Bridget Margaret Mary Kathleen Shannon Chelsea Kelly-Marie Nora Winnie Josie Tracey "
              "Caroline Eileen Ellen Theresa Roseanne Anne-Marie Mary-Ellen".split(),
        boys="Patrick John-Joe Michael Martin Tommy Johnny".split(),
        men="Patrick Michael John Martin Thomas James Christy Francie".split(),
        census="White: Gypsy or Irish Traveller", text="Irish Traveller", ic="IC1"),
    "vietnamese": dict(
        surnames="Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong".split(),
        girls="Thi Lan|Thi Mai|Thi Hoa|Thi Huong|Ngoc Anh|Thu Trang|Linh|Thi Hanh|Phuong|Thi Thu|Thi Ngoc|"
              "Thanh Huyen|Minh Chau|Thi Dung|Hong Nhung|Bich Ngoc|Thi Yen|Kim Oanh".split("|"),
        boys="Van Minh|Van Hung|Duc Anh|Van Long|Quang|Tuan|Van Nam".split("|"),
        men="Van Thanh|Van Duc|Quoc|Van Son|Minh|Hai|Van Tuan".split("|"),
        census="Asian/Asian British: Any other Asian background", text="Vietnamese", ic="IC5"),
}

# the short forms an agency writes for a child (some in no nickname list a tool may hold)
NICKNAMES = {
    "Rebecca": ["Becky", "Becca", "Bex"], "Jessica": ["Jess", "Jessie"], "Samantha": ["Sam", "Sammi"],
    "Charlotte": ["Charlie", "Lottie"], "Victoria": ["Vicky", "Tori"], "Natasha": ["Tash", "Tasha"],
    "Danielle": ["Dani"], "Stephanie": ["Steph"], "Abigail": ["Abbie", "Abi"], "Katherine": ["Katie", "Kate"],
    "Nicola": ["Nicky"], "Kimberley": ["Kim"], "Jennifer": ["Jenny", "Jen"], "Elizabeth": ["Lizzie", "Beth"],
    "Bethany": ["Beth"], "Kayleigh": ["Kayley", "Kay"], "Chantelle": ["Shantelle"], "Courtney": ["Court"],
    "Bridget": ["Biddy", "Bridie"], "Margaret": ["Maggie", "Peggy"], "Kathleen": ["Kathy", "Kath"],
    "Patrick": ["Paddy", "Pat"], "Michael": ["Mikey", "Mick"], "Thomas": ["Tom", "Tommy"],
    "Daniel": ["Dan", "Danny"], "Christopher": ["Chris"], "Joshua": ["Josh"], "Matthew": ["Matt"],
    "Rhiannon": ["Rhi"], "Angharad": ["Anga"], "Catrin": ["Cat"], "Aleksandra": ["Ola", "Alex"],
    "Małgorzata": ["Gosia"], "Zuzanna": ["Zuza"], "Wiktoria": ["Wika"], "Alexandra": ["Alex"],
    "Andreea": ["Andra"], "Fadumo": ["Fadumo", "Fatima"], "Ayesha": ["Aisha"], "Mohammed": ["Mo", "Mohd"],
    "Muhammad": ["Mohammed"], "Fatima": ["Fatimah"], "Maryam": ["Mariam"], "Sahra": ["Zahra"],
    "Mohamed": ["Mohammed", "Mo"], "Abdirahman": ["Abdi"], "Sumaiya": ["Sumaya"],
}

# what "Mr X" is called on the street (an offender's alias)
STREET_NAMES = ("Kash Tiny Bigz Shorty Chops Mo Jay Taz Rocky Smudge Kaz Bones Flash Dibs Zed Scouse Junior "
                "Taff Polak Ginge Rambo Boss Sly Dee").split()

# the long tail of surnames (most people in the UK do not have a common surname)
_STEMS = ("Ash Black Brad Broad Brook Clay Crow Dun East Fair Gold Hart Hay Holt Kirk Lang Lock Marsh Mill "
          "Moor North Oak Pen Red Ross Sand Stan Thorn Wake West Whit Brent Cal Nor Ack Bram Hux Ly").split()
_ENDS = "ley ton wood field ford by worth ham well croft dale hurst more cliffe wick stone bridge den".split()
TAIL = {"british": [a + b for a in _STEMS for b in _ENDS],
        "welsh": [a + b for a in _STEMS[:20] for b in _ENDS[:10]]}

BENGALI_GIRL_SURNAMES = ("Begum", "Bibi", "Khatun")   # a girl's own surname, not the family's


_WEIGHTS: dict[tuple, list[float]] = {}


def zipf_pick(rng: random.Random, pool: list[str], s: float) -> str:
    """One name, the commonest first: weight 1 / (rank + 1) ** s."""
    key = (len(pool), s)
    if key not in _WEIGHTS:
        _WEIGHTS[key] = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(pool))))
    return rng.choices(pool, cum_weights=_WEIGHTS[key])[0]


def surname(rng: random.Random, culture: str, law: dict) -> str:
    """A surname: from the culture's listed names with probability `pool`, Zipf exponent `s`; else
    from its long tail (exponent `tail_s`), where it has one."""
    pool_share, s, tail_s = law[culture]
    if culture in TAIL and rng.random() >= pool_share:
        return zipf_pick(rng, TAIL[culture], tail_s)
    return zipf_pick(rng, CULTURES[culture]["surnames"], s)


def fem_surname(culture: str, surname: str) -> str:
    """A Polish woman's surname: -ski / -cki becomes -ska / -cka."""
    if culture == "polish" and surname.endswith(("ski", "cki")):
        return surname[:-1] + "a"
    return surname


def strip_accents(text: str) -> str:
    """What a police system or a keyboard without Polish or Romanian letters writes."""
    text = text.replace("ł", "l").replace("Ł", "L")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def typo(rng: random.Random, word: str) -> str:
    """One keying slip: a letter doubled, dropped or two swapped."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("double", "drop", "swap"))
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]

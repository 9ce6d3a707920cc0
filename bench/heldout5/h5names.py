"""Name pools of the fifth held-out world, with Zipf-law frequencies (all invented or common; synthetic).

Each culture has surnames, girls' and boys' forenames ; the Zipf exponents (weights 1 / (rank + 1) ** s)
are in h5world.PARAMS: a steep law gives many namesakes, as small communities do. British surnames get
a long built tail so that pools never run out and full-name collisions come from frequency alone.
"""

from __future__ import annotations

import random

BRITISH_SUR = """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans
Walker White Roberts Green Hall Wood Jackson Clarke Harris Clark Lewis Turner Hill Cooper Ward Moore King
Watson Baker Harrison Morgan Patel Young Allen Mitchell James Anderson Phillips Lee Bell Parker Davis
Kelly Shaw Bennett Cook Griffiths Richardson Marshall Hughes Carter Holmes Booth Dixon Walsh Lloyd
Hunt Price Palmer Mills Barnes Knight Pearson Atkinson Fletcher Chapman Barker Lawrence Foster Butler""".split()
STEMS = """Ash Bram Brook Cald Carr Chell Cran Dal Dun Elm Fair Fen Gar Hal Hart Hather Holl Kirk Lang Lind
Marl Mers Mil Nor Oak Pen Rad Red Sal Shel Stan Thorn Thurl Wal Wen Whit Wick Win Wood Yar""".split()
ENDS = """ley ton ford wick by ham worth ridge field well more ston land wood dale burn cott shaw""".split()
BRITISH_GIRL = """Chloe Jessica Emily Lauren Sophie Megan Hannah Charlotte Amy Rebecca Shannon Bethany Courtney
Jade Danielle Abigail Paige Holly Georgia Katie Ellie Olivia Leah Kayleigh Chelsea Natasha Stacey Amber
Jodie Kirsty Zoe Gemma Demi Tia Kelsey Rachel Samantha Nicole Laura Jasmine""".split()
BRITISH_BOY = """Jack Thomas Joshua Daniel Liam Ryan Callum Connor Jordan Kieran Lewis Bradley Jake James
Luke Aaron Kyle Nathan Reece Dylan Tyler Ben Sam Adam""".split()
BRITISH_MEN = """Paul Mark David Lee Darren Wayne Craig Jason Dean Stuart Gary Steven Michael Andrew Carl
Shaun Scott Richard Neil Ian Martin Anthony Christopher Robert""".split()

CULTURES: dict[str, dict] = {
    "british": {"sur": None, "girl": BRITISH_GIRL, "boy": BRITISH_BOY, "men": BRITISH_MEN,
                "eth": ["White British", "British", "White UK", "White English"]},
    "gypsy_traveller": {
        "sur": "Smith Lee Price Boswell Loveridge Cooper Buckland Smith Ayres Light Wells Eastwood Hearn Doe".split(),
        "girl": "Shannon Kizzy Britney Destiny Tiffany Ocean Mizelli Rosie Caitlin Selina Leanne".split(),
        "boy": "Levi Tyson Romeo Jimmy Johnny Elijah Noah Tommy Riley".split(),
        "men": "Jimmy Johnny Tommy Levi Henry Joe Sam".split(),
        "eth": ["Gypsy", "Gypsy/Traveller", "Traveller", "Romany Gypsy"]},
    "roma": {
        "sur": "Balog Lakatos Horvath Dzurko Kotlar Gunar Olah Demeter Rusnak Gaziova Berky Danihel".split(),
        "girl": "Denisa Nikola Klaudia Vanesa Simona Monika Jana Veronika Adriana".split(),
        "boy": "Patrik Marek Lukas Dominik Rudolf Jozef Erik".split(),
        "men": "Jozef Ladislav Milan Rudolf Frantisek Tibor".split(),
        "eth": ["Roma", "Gypsy/Roma", "Slovak Roma", "Czech"]},
    "albanian": {
        "sur": "Hoxha Gashi Krasniqi Berisha Shala Kelmendi Morina Hasani Rama Dervishi Leka Zeka".split(),
        "girl": "Arta Blerta Elira Erjona Klea Dea Fjolla Ardita Besa".split(),
        "boy": "Dritan Arben Ermal Besnik Klodian Endrit".split(),
        "men": "Dritan Arben Ermal Besnik Gent Florian Ilir Artan".split(),
        "eth": ["Albanian", "White Other", "Kosovan"]},
    "kurdish": {
        "sur": "Ahmed Mohammed Karim Rasul Hussein Abdullah Aziz Salih Omar Hassan Qadir Mahmud".split(),
        "girl": "Shilan Rojin Hevi Dilan Berivan Avin Zhilwan Nishtiman Rezan".split(),
        "boy": "Azad Rebin Karwan Shwan Hawre Dana".split(),
        "men": "Azad Karwan Rebwar Shwan Hemin Aram Bakhtiar".split(),
        "eth": ["Kurdish", "Iraqi Kurd", "Other ethnic group"]},
    "eritrean": {  # the surname is the father's forename: forenames recur as surnames
        "sur": "Tesfay Haile Berhane Gebremedhin Tekle Habte Kidane Yohannes Tesfamariam Mehari Ghebre".split(),
        "girl": "Helen Senait Luwam Selam Ruta Feven Yordanos Winta Saba Eden".split(),
        "boy": "Filmon Samuel Yonas Dawit Merhawi Habtom Robel".split(),
        "men": "Yonas Dawit Tesfay Haile Kidane".split(),
        "eth": ["Eritrean", "Black African", "African"]},
    "west_african": {
        "sur": "Okafor Adeyemi Mensah Owusu Boateng Asante Okonkwo Adebayo Osei Appiah Nwosu Danquah".split(),
        "girl": "Blessing Precious Favour Abena Akosua Chioma Adwoa Esther Grace Ngozi".split(),
        "boy": "Kwame Kofi Emeka Chinedu Kwabena Tobi".split(),
        "men": "Kwame Kofi Emeka Segun Yaw Chidi".split(),
        "eth": ["Black African", "Nigerian", "Ghanaian", "African"]},
    "chinese": {  # family name first as written at home
        "sur": "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Xu".split(),
        "girl": "Mei Xiuying Lina Jing Yan Xiaoling Hui Ting Yue".split(),
        "boy": "Wei Hao Jun Lei Ming".split(),
        "men": "Wei Jun Lei Ming Gang Qiang".split(),
        "eth": ["Chinese", "British Chinese"]},
}
NICKNAMES = {"Rebecca": "Becky", "Samantha": "Sam", "Natasha": "Tash", "Jessica": "Jess", "Abigail": "Abbie",
             "Danielle": "Dani", "Charlotte": "Charlie", "Kayleigh": "Kay", "Bethany": "Beth", "Katie": "Kate",
             "Olivia": "Liv", "Jasmine": "Jaz", "Georgia": "George", "Stacey": "Stace", "Nicole": "Nicky",
             "Xiuying": "Ying", "Yordanos": "Yordi", "Blessing": "Bless", "Veronika": "Nika", "Adriana": "Adri",
             "Thomas": "Tom", "Joshua": "Josh", "Daniel": "Danny", "Callum": "Cal", "Samuel": "Sam",
             "Dominik": "Dom", "Michael": "Mick", "Steven": "Steve", "Christopher": "Chris", "Anthony": "Tony"}
STREET = """Bigz Tiny Smokey Rico Scar Ghost Dizzy Bones Mo Sly Zee Bugsy Chico Tank Prince Flex Shorty
Razor Boss Kay-Dee Junior Slim Spider Nitro""".split()


def british_surnames(rng: random.Random, n: int) -> list[str]:
    """The listed surnames, then built ones (stems and endings) in a fixed shuffled order."""
    built = [s + e for s in STEMS for e in ENDS]
    rng.shuffle(built)
    return BRITISH_SUR + built[:n]


def zipf_pick(rng: random.Random, pool: list[str], s: float) -> str:
    weights = [1.0 / (i + 1) ** s for i in range(len(pool))]
    return rng.choices(pool, weights=weights)[0]


def typo(rng: random.Random, word: str) -> str:
    """One keying slip: a letter dropped, doubled or two swapped."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]

"""Seventh held-out world: name pools with rough frequencies (1990s births in Wales, England and
among Irish families), so common names repeat as they do in real returns. All invented use."""
from __future__ import annotations

import random

GIRLS = {
    "Jessica": 30, "Rebecca": 28, "Sophie": 25, "Charlotte": 25, "Hannah": 24, "Amy": 24,
    "Lauren": 23, "Emily": 22, "Chloe": 20, "Megan": 20, "Sarah": 18, "Emma": 17, "Laura": 17,
    "Bethany": 15, "Danielle": 14, "Katie": 14, "Jade": 14, "Lucy": 14, "Shannon": 12,
    "Natasha": 10, "Gemma": 10, "Rachel": 10, "Nicole": 10, "Holly": 10, "Georgia": 10,
    "Ellie": 9, "Stacey": 8, "Kirsty": 8, "Abbie": 8, "Paige": 8, "Courtney": 8, "Olivia": 8,
    "Rhiannon": 7, "Jasmine": 7, "Molly": 7, "Siân": 6, "Cerys": 6, "Leanne": 6, "Jodie": 6,
    "Kayleigh": 6, "Grace": 6, "Ffion": 5, "Niamh": 5, "Kelly": 5, "Demi": 5, "Alice": 5,
    "Catrin": 4, "Elin": 4, "Zoë": 4, "Aisha": 4, "Carys": 4, "Eleanor": 4, "Siobhán": 3,
    "Amina": 3, "Nia": 3, "Lowri": 3, "Aoife": 2, "Chloé": 2, "Saima": 2, "Seren": 2,
    "Róisín": 2, "Orla": 2, "Caoimhe": 1, "Bronwen": 1, "Mared": 1, "Gwen": 1, "Mairéad": 1,
    "Bríd": 1, "Angharad": 2, "Gwenllian": 1, "Heledd": 1, "Llinos": 1, "Tegan": 3,
}
BOYS = {
    "Thomas": 20, "James": 18, "Daniel": 18, "Ryan": 15, "Jack": 14, "Joshua": 14, "Liam": 12,
    "Luke": 11, "Connor": 10, "Jordan": 10, "Callum": 9, "Kieran": 7, "Dylan": 7, "Rhys": 6,
    "Mohammed": 5, "Owain": 3, "Seán": 3, "Dafydd": 2, "Gethin": 2, "Ciarán": 2, "Bilal": 2,
    "Darragh": 1, "Iwan": 1, "Aled": 2,
}
NICK = {"Rebecca": "Becky", "Jessica": "Jess", "Charlotte": "Charlie", "Danielle": "Dani",
        "Bethany": "Beth", "Natasha": "Tasha", "Katie": "Kate", "Abbie": "Abi", "Thomas": "Tom",
        "Daniel": "Dan", "Joshua": "Josh", "James": "Jamie", "Megan": "Meg"}
SURNAMES = {
    "Jones": 60, "Williams": 45, "Davies": 40, "Smith": 40, "Evans": 30, "Thomas": 28,
    "Roberts": 20, "Brown": 20, "Hughes": 18, "Taylor": 18, "Lewis": 17, "Morgan": 15,
    "Griffiths": 14, "Edwards": 13, "Wilson": 12, "Johnson": 12, "Rees": 11, "Jenkins": 11,
    "Price": 10, "Walker": 10, "Wright": 9, "Thompson": 9, "Powell": 8, "Robinson": 8,
    "White": 8, "Murphy": 8, "Khan": 8, "Green": 7, "Hall": 7, "Wood": 7, "Clarke": 7,
    "Kelly": 7, "Hussain": 7, "O'Neill": 6, "O'Brien": 6, "Jackson": 6, "Harris": 6,
    "Martin": 6, "Ahmed": 6, "Ali": 6, "Pritchard": 5, "Cooper": 5, "King": 5, "Lee": 5,
    "Llewellyn": 4, "Bevan": 4, "O'Sullivan": 4, "Byrne": 4, "Ryan": 4, "McCarthy": 4,
    "Prosser": 3, "Doyle": 3, "Quinn": 3, "Gallagher": 3, "McLaughlin": 3, "Begum": 3,
    "Iqbal": 3, "MacNeill": 2, "D'Arcy": 2, "Ap Rhys": 1,
}
for _s in ("Ashworth Barraclough Cadwallader Dando Eynon Fenwick Gower Hopkin Ivory Jeavons Kemble "
           "Loosemore Meredith Nott Onions Parry Quarrell Rowlands Saer Tudor Upton Vaughan Watkin "
           "Yeo Bowen Gwilliam Howells Maddock Probert Treharne Gwynne Bellamy Crockett Dunphy Egan "
           "Fahy Geraghty Hennessy Kavanagh Lynch Moloney Nolan Phelan Regan Sheehan Tierney Walsh "
           "Whelan Beynon Cule Daniel Emanuel Foulkes Gittins Harry Jarman Lougher Mostyn Nicholl "
           "Owens Pugh Rosser Stradling Tanner Voyle Wogan Yorath").split():
    SURNAMES.setdefault(_s, 1)
MEN = {"Mohammed": 8, "Imran": 5, "Shahid": 3, "Tariq": 3, "Asif": 3, "Kamran": 2, "Darren": 6,
       "Lee": 6, "Wayne": 5, "Gary": 5, "Craig": 5, "Jason": 5, "Dean": 4, "Mark": 6, "Paul": 6,
       "Steven": 5, "Gareth": 5, "Rhodri": 2, "Gavin": 3, "Sean": 3, "Declan": 2, "Kevin": 3,
       "Michael": 5, "John": 5, "David": 6, "Andrew": 4, "Christopher": 4, "Richard": 3, "Ian": 3,
       "Carl": 3, "Neil": 2, "Anthony": 3, "Dai": 1, "Emyr": 1}


def pick(rng: random.Random, pool: dict) -> str:
    return rng.choices(list(pool), weights=list(pool.values()))[0]

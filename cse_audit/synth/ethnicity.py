"""Ethnicity: the detailed categories and how each code system (16+1, 18+1, NHS letters, IC
codes, free text) writes them, with each system's unknown tokens.

Separate because it is the one table that decides what a layout can say (IC codes have no
Mixed) and what raw value lands in a return.
"""

from __future__ import annotations

import random

# None = cannot be said in that code system

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

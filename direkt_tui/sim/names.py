"""Fictional Swedish-looking people: names, personnummer with a valid Luhn digit, phones.

Personnummer use birth number serials 900–999 (the 9xx range that Skatteverket does not
issue to real people in practice; test personnummer live there), so no real person is
named. Phone numbers are in the fictional ``070-000 xx xx`` range.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

FEMALE = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Malin",
    "Elin", "Johanna", "Linnea", "Sofia", "Ida", "Hanna", "Marie", "Birgitta", "Ulla", "Agneta",
    "Frida", "Maja", "Elsa", "Astrid", "Greta", "Tove", "Jenny", "Camilla", "Annika", "Helena",
)  # fmt: skip
MALE = (
    "Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Peter", "Mikael", "Jan", "Hans",
    "Fredrik", "Mats", "Magnus", "Daniel", "Oskar", "Nils", "Gustav", "Axel", "Viktor", "Emil",
    "Olof", "Göran", "Stefan", "Björn", "Sven", "Håkan", "Linus", "Albin", "Isak", "Leo",
)  # fmt: skip
SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Lindqvist", "Lindgren", "Berg", "Axelsson",
    "Lundberg", "Lundgren", "Holm", "Sjöberg", "Åberg", "Ekström", "Björk", "Dahl", "Falk",
    "Wallin", "Hedlund", "Strand", "Nyström", "Sandberg", "Forsberg", "Blom", "Ek", "Öberg",
    "Lind", "Engström", "Söderberg", "Håkansson", "Mattsson", "Norberg", "Lundin",
)  # fmt: skip


def luhn_digit(nine: str) -> int:
    """Check digit over the 9 digits YYMMDDNNN (weights 2,1,2,…)."""
    total = 0
    for i, ch in enumerate(nine):
        v = int(ch) * (2 if i % 2 == 0 else 1)
        total += v - 9 if v > 9 else v
    return (10 - total % 10) % 10


def luhn_valid(pnr: str) -> bool:
    digits = pnr.replace("-", "").replace("+", "")
    if len(digits) == 12:
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        return False
    return luhn_digit(digits[:9]) == int(digits[9])


def personnummer(birth: date, rng: random.Random, female: bool | None = None) -> str:
    """``YYYYMMDD-9NNC`` with a valid Luhn check digit; the 3rd serial digit gives sex."""
    if female is None:
        female = rng.random() < 0.5
    n1 = rng.randint(0, 9)
    n2 = rng.choice((0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9))
    serial = f"9{n1}{n2}"
    nine = birth.strftime("%y%m%d") + serial
    return f"{birth:%Y%m%d}-{serial}{luhn_digit(nine)}"


def phone(rng: random.Random) -> str:
    return f"070-000 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def person_name(rng: random.Random, female: bool | None = None) -> tuple[str, bool]:
    if female is None:
        female = rng.random() < 0.55
    first = rng.choice(FEMALE if female else MALE)
    return f"{first} {rng.choice(SURNAMES)}", female


def birth_date(rng: random.Random, today: date, min_age: float, max_age: float) -> date:
    days = rng.randint(int(min_age * 365.25), int(max_age * 365.25))
    return today - timedelta(days=days)

"""The simulator's own tables: professions, templates, unit pools, rosters and the shape of a day.

The simulator is a second opinion on the client, so it defines the contract's vocabulary itself
(the professions of ``shared/api/openapi.yaml`` ``Profession`` / ``domain.md`` §1) instead of
importing it from ``direkt_tui.domain``.
"""

from __future__ import annotations

from datetime import timedelta

TZ = "Europe/Stockholm"
MIN = timedelta(minutes=1)

# the contract's professions (openapi.yaml ``Profession``), in its order, with their titles
TITLES = {
    "nurse": "Sjuksköterska",
    "doctor": "Distriktsläkare",
    "assistant_nurse": "Undersköterska",
    "physiotherapist": "Fysioterapeut",
    "occupational_therapist": "Arbetsterapeut",
    "psychologist": "Psykolog",
    "counsellor": "Kurator",
    "dietitian": "Dietist",
    "medical_admin": "Medicinsk sekreterare",
    "admin_contact": "Vårdadministratör",
}
PROFESSIONS: tuple[str, ...] = tuple(TITLES)
NON_CLINICAL: frozenset[str] = frozenset({"medical_admin", "admin_contact"})
CLINICAL: tuple[str, ...] = tuple(p for p in PROFESSIONS if p not in NON_CLINICAL)

TEMPLATES = [
    {
        "id": "high_load",
        "title": "Hög belastning",
        "scope": "regional",
        "text": "Just nu är det tillfälligt hög belastning, vilket kan påverka svarstiden. Vid akuta besvär ring 112.",
    },
    {
        "id": "next_day",
        "title": "Hanteras nästa vardag",
        "scope": "regional",
        "text": "Ditt ärende hanteras nästkommande vardag. Om du blir sämre, sök vård.",
    },
    {
        "id": "seek_care_again",
        "title": "Sök igen vid behov",
        "scope": "regional",
        "text": "Vi har inte fått kontakt med dig och avslutar ärendet. Sök vård igen vid behov.",
    },
    {
        "id": "handed_over",
        "title": "Överlämnat till annan mottagning",
        "scope": "regional",
        "text": "Ditt ärende har lämnats över till en annan mottagning, som kontaktar dig.",
    },
    {
        "id": "confirm_ticket",
        "title": "Bekräfta biljett",
        "scope": "regional",
        "text": "Du har fått en biljett till drop-in hos en annan mottagning. "
        "Bekräfta i chatten att du vill använda den.",
    },
    {
        "id": "lab_visit",
        "title": "Provtagning",
        "scope": "local",
        "text": "Du behöver lämna prover. Kom till vårdcentralens provtagning vardagar 08–11, ingen tidsbokning.",
    },
]

UNIT_POOL = [
    ("vc-ekholmen", "Vårdcentralen Ekholmen"),
    ("vc-skaggetorp", "Vårdcentralen Skäggetorp"),
    ("vc-kneippen", "Vårdcentralen Kneippen"),
    ("vc-motala", "Vårdcentralen Motala"),
    ("vc-finspang", "Vårdcentralen Finspång"),
    ("vc-mjolby", "Vårdcentralen Mjölby"),
    ("vc-valdemarsvik", "Vårdcentralen Valdemarsvik"),
]
PRIVATE_POOL = [("hc-kvarnen", "Hälsocentralen Kvarnen (privat)"), ("hc-lugnet", "Läkarhuset Lugnet (privat)")]
INACTIVE_POOL = [("vc-boxholm", "Vårdcentralen Boxholm"), ("vc-kisa", "Vårdcentralen Kisa")]

# the units' roles in the plan, in the order they are drawn (3..5 of them)
ROLE_ORDER = ("main", "lunch", "weekend", "private", "inactive")
# roster per unit role: profession -> count
ROSTERS: dict[str, dict[str, int]] = {
    "main": {
        "nurse": 5,
        "doctor": 3,
        "assistant_nurse": 2,
        "physiotherapist": 1,
        "psychologist": 1,
        "medical_admin": 1,
        "admin_contact": 1,
    },
    "lunch": {"nurse": 4, "doctor": 2, "assistant_nurse": 1, "counsellor": 1, "medical_admin": 1, "admin_contact": 1},
    "weekend": {"nurse": 5, "doctor": 2, "assistant_nurse": 1, "physiotherapist": 1, "admin_contact": 2},
    "private": {"nurse": 2, "doctor": 1, "admin_contact": 1},
    "inactive": {},
}
SIZE = {"main": 1.0, "lunch": 0.8, "weekend": 0.75, "private": 0.45, "inactive": 0.0}
# arrivals per local hour at a unit of size 1.0 on a weekday (morning peak)
WEEKDAY_CURVE = [
    0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 1.0, 3.0, 8.5, 8.0, 6.5, 5.5,
    4.5, 4.5, 4.0, 3.5, 3.0, 2.0, 1.6, 1.4, 1.2, 1.0, 0.7, 0.5,
]  # fmt: skip
WEEKEND_FACTOR = 0.45

CARE_REASONS = [
    ("Förkylning", 4), ("Halsont", 4), ("Hosta", 4), ("Feber", 3), ("Urinvägsbesvär", 3),
    ("Hudutslag", 4), ("Ryggont", 4), ("Ont i knät", 4), ("Magont", 3), ("Öronvärk", 3),
    ("Yrsel", 3), ("Nedstämdhet", 4), ("Sömnproblem", 4), ("Allergi", 5), ("Sårinfektion", 3),
    ("Ögoninflammation", 4), ("Huvudvärk", 3), ("Ångest", 3), ("Bröstsmärta", 1),
    ("Andningsbesvär", 2), ("Högt blodtryck", 4), ("Kräkningar och diarré", 3),
]  # fmt: skip
ADMIN_REASONS = [
    "Förnya recept",
    "Boka om tid",
    "Fråga om provsvar",
    "Intyg",
    "Avboka tid",
    "Fråga om remiss",
    "Ändra kontaktuppgifter",
]
PHYSIO_REASONS = {"Ryggont", "Ont i knät"}
PSYCH_REASONS = {"Nedstämdhet", "Sömnproblem", "Ångest"}
OTHER_REGIONS = ["Jönköpings län", "Kalmar län", "Stockholm", "Örebro län"]

# kinds whose actor is the case's current owner
OWNER_KINDS = {"start", "staff_msg", "attempt", "close", "to_role", "unit_handover"}

"""Synthetic members for the demo: deterministic, plausible, anonymous (example.org)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from pnyx.members.importer import COLUMNS

FIRST_F = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Julie",
    "Emma",
    "Anaïs",
    "Nadia",
    "Fatou",
    "Claire",
    "Sophie",
    "Lucie",
    "Aïcha",
    "Marion",
    "Élise",
    "Pauline",
    "Yasmine",
    "Jeanne",
]
FIRST_M = [
    "Lucas",
    "Hugo",
    "Karim",
    "Thomas",
    "Nicolas",
    "Mehdi",
    "Julien",
    "Antoine",
    "Youssef",
    "Pierre",
    "Mamadou",
    "Louis",
    "Maxime",
    "Bruno",
    "Samir",
    "Paul",
    "Olivier",
    "Arthur",
    "Rémi",
    "Victor",
]
FIRST_X = ["Alex", "Sacha", "Charlie", "Dominique", "Claude"]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Andre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "Francois",
    "Martinez",
    "Benali",
    "Diallo",
    "Nguyen",
    "Haddad",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
]
# (region, weight ~ population share)
REGIONS = [
    ("Île-de-France", 18),
    ("Auvergne-Rhône-Alpes", 12),
    ("Hauts-de-France", 9),
    ("Nouvelle-Aquitaine", 9),
    ("Occitanie", 9),
    ("Grand Est", 8),
    ("Provence-Alpes-Côte d'Azur", 8),
    ("Pays de la Loire", 6),
    ("Normandie", 5),
    ("Bretagne", 5),
    ("Bourgogne-Franche-Comté", 4),
    ("Centre-Val de Loire", 4),
    ("Corse", 1),
]
CITIES = {
    "Île-de-France": ["Paris", "Montreuil", "Saint-Denis", "Ivry"],
    "Auvergne-Rhône-Alpes": ["Lyon", "Clermont-Ferrand", "Grenoble"],
    "Hauts-de-France": ["Lille", "Amiens", "Roubaix"],
    "Nouvelle-Aquitaine": ["Bordeaux", "Limoges", "Poitiers"],
    "Occitanie": ["Toulouse", "Montpellier", "Nîmes"],
    "Grand Est": ["Strasbourg", "Nancy", "Reims"],
    "Provence-Alpes-Côte d'Azur": ["Marseille", "Nice", "Avignon"],
    "Pays de la Loire": ["Nantes", "Angers", "Le Mans"],
    "Normandie": ["Rouen", "Caen", "Le Havre"],
    "Bretagne": ["Rennes", "Brest", "Lorient"],
    "Bourgogne-Franche-Comté": ["Dijon", "Besançon"],
    "Centre-Val de Loire": ["Tours", "Orléans"],
    "Corse": ["Ajaccio", "Bastia"],
}
HEADER = COLUMNS  # the importer's columns, in its order


# How many years before the demo's cut-off members joined: many at the movement's start.
YEARS_BEFORE = [10, 10, 9, 9, 9, 8, 7, 5, 4, 2, 1]


def members_csv(n: int = 4000, seed: int = 2017, *, timeline=None) -> str:
    """`n` members; birth years and join dates relative to `timeline` (the demo's, loaded now
    when not given): everyone joined before its `members_joined_before`."""
    from pnyx.core.demo_timeline import Timeline

    tl = timeline or Timeline.from_now()
    rng = random.Random(seed)
    regions, weights = zip(*REGIONS, strict=True)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for i in range(1, n + 1):
        g = rng.choices("FMX", weights=[51, 48, 1])[0]
        first = rng.choice({"F": FIRST_F, "M": FIRST_M, "X": FIRST_X}[g])
        last = rng.choice(LAST)
        region = rng.choices(regions, weights=weights)[0]
        # Age skew of such movements: many 25-45, fewer under 25 and over 70.
        age = int(min(88, max(16, rng.gauss(44, 15))))
        group = ""
        if rng.random() < 0.8:
            city = rng.choice(CITIES[region])
            group = f"Groupe d'action {city} {rng.randint(1, 12)}"
        years, month, day = rng.choice(YEARS_BEFORE), rng.randint(1, 12), rng.randint(1, 28)
        joined = tl.members_joined_before - dt.timedelta(
            days=365 * (years - 1) + 30 * (month - 1) + day
        )
        volunteer = 1 if rng.random() < 0.65 else 0
        if i == 1:
            first, last, g, volunteer = "Camille", "Dupont", "F", 1
        email = f"{_ascii(first)}.{_ascii(last)}.{i}@example.org".lower()
        w.writerow(
            [
                f"M{i:06d}",
                first,
                last,
                email,
                g,
                region,
                tl.today.year - age,
                group,
                joined.isoformat(),
                volunteer,
            ]
        )
    return out.getvalue()


def _ascii(s: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s) if c.isascii() and c.isalnum())

"""Deterministic synthetic populations for benchmarks, demos and examples."""

from __future__ import annotations

import numpy as np

from .model import Person

REGIONS = (
    "Auvergne-Rhone-Alpes", "Bourgogne-Franche-Comte", "Bretagne", "Centre-Val de Loire",
    "Corse", "Grand Est", "Hauts-de-France", "Ile-de-France", "Normandie",
    "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire", "Provence-Alpes-Cote d'Azur",
)  # fmt: skip
REGION_WEIGHTS = (12, 4, 5, 4, 0.5, 8, 9, 19, 5, 9, 9, 6, 8)


def synthetic_people(n: int, seed: int = 0) -> list[Person]:
    """n people: ~52% women / 46% men / 2% other, 13 regions of realistic weights, ages 18-85,
    action groups of 1 to 6 people drawn from one region (ids g1, g2...)."""
    rng = np.random.default_rng(seed)
    w = np.array(REGION_WEIGHTS) / sum(REGION_WEIGHTS)
    people: list[Person] = []
    group = 0
    while len(people) < n:
        size = min(int(rng.integers(1, 7)), n - len(people))
        group += 1
        region = REGIONS[int(rng.choice(len(REGIONS), p=w))]
        for _ in range(size):
            i = len(people) + 1
            gender = str(rng.choice(["F", "M", "X"], p=[0.52, 0.46, 0.02]))
            age = int(np.clip(rng.normal(45, 16), 18, 85))
            people.append(
                Person(
                    f"p{i:05d}",
                    {
                        "gender": gender,
                        "region": region,
                        "age": str(age),
                        "action_group": f"g{group}",
                    },
                )
            )
    return people

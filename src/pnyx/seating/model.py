"""Plain data shapes of the seating engine (no Django, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Weights of the local search objective (see docs/seating.md).
W_APART = 1000  # two members of the same action group at one table
W_REPEAT = 100  # two people who already shared a table at an earlier step (with remix)
W_REPEAT_REPLAN = 60  # the same when re-planning: one may move to avoid it, two won't swap
W_MOVE = 40  # a person moved away from their previous table (re-planning after no-shows)
W_SOFT = 1  # one person over the proportional ceiling of a region / age band at a table


@dataclass(frozen=True)
class Person:
    """A participant: a unique id and free attributes (gender, region, age, action_group...).

    An empty attribute value means "unknown": for `apart` attributes it means "no group".
    """

    id: str
    attributes: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return str(self.attributes.get(name, "") or "")


@dataclass(frozen=True)
class Hall:
    """The shape of the hall: P parts, the campaigns, S work steps and the table size range."""

    parts: int
    campaigns: tuple[str, ...]
    steps: int
    table_min: int = 7
    table_max: int = 9


@dataclass(frozen=True)
class Rules:
    """Which attributes are balanced and which keep people apart.

    - `balance`: attributes spread over every table. The *band attribute* ("gender" when listed,
      otherwise the first listed) is a hard rule: at every table each of its categories is within
      floor/ceiling of its share of the part. The others are soft: no category above the ceiling
      of its proportional share where avoidable. An attribute named "age" whose values are all
      whole numbers is cut into bands (see `AGE_BANDS`).
    - `apart`: attributes whose non-empty equal values must not meet at a table (action groups).
    - `remix`: people change tables between steps and avoid meeting anyone twice; without it
      everyone keeps the same table at every step.
    """

    balance: tuple[str, ...] = ("gender", "region", "age")
    apart: tuple[str, ...] = ("action_group",)
    remix: bool = False

    @property
    def band(self) -> str | None:
        if "gender" in self.balance:
            return "gender"
        return self.balance[0] if self.balance else None


@dataclass(frozen=True)
class Seat:
    """One line of a hall plan: person `id` sits at `table` of `part` at `step` on `campaign`.

    Steps, parts and tables are numbered from 1; table numbers are unique across the hall and
    denote the same physical table at every step.
    """

    id: str
    step: int
    part: int
    table: int
    campaign: str


@dataclass
class Plan:
    """A hall plan: the seats, plus figures computed while planning."""

    hall: Hall
    seats: list[Seat]
    rotation: list[list[str]]  # rotation[part-1][step-1] -> campaign
    moved: int | None = None  # people moved by `replan` (None for a fresh plan)
    seconds: float = 0.0

    def by_step(self) -> dict[int, dict[int, list[str]]]:
        """step -> table -> ids, ordered as in `seats`."""
        out: dict[int, dict[int, list[str]]] = {}
        for s in self.seats:
            out.setdefault(s.step, {}).setdefault(s.table, []).append(s.id)
        return out


@dataclass(frozen=True)
class TopicSeat:
    """One line of a topic plan: person `id` works on `topic` at `table` (numbered from 1)."""

    id: str
    topic: str
    table: int
    rank: int | None  # 1 = first choice; None when the person ranked nothing / not this topic


@dataclass
class TopicPlan:
    topics: tuple[str, ...]
    seats: list[TopicSeat]
    sizes: dict[str, int]  # people per topic
    tables: dict[str, int]  # tables per topic
    cost: int  # value of the objective (sum of rank costs)
    seconds: float = 0.0

"""Hall shape: campaign rotation, table counts and splits of a part into tables."""

from __future__ import annotations

from collections.abc import Sequence

from .errors import SeatingError


def rotation(parts: int, campaigns: Sequence[str], steps: int) -> list[list[str]]:
    """Campaign of each part at each step: ``rotation(...)[part][step]`` (0-based indices).

    Cyclic Latin rectangle: part p works on campaign (p + s) mod C at step s. At each step the
    parts work on different campaigns, and no part works twice on a campaign; when S = C (and
    P = C) every part meets every campaign exactly once and every campaign is worked on by
    every part: a Latin square.

    Refused, with the reason: P > C (two parts would share a campaign at a step) and S > C (a
    part would work twice on one campaign, so it cannot meet each campaign once).
    """
    c = len(campaigns)
    if parts < 1:
        raise SeatingError(f"the hall needs at least one part (got {parts})")
    if steps < 1:
        raise SeatingError(f"the hall needs at least one step (got {steps})")
    if c < 1:
        raise SeatingError("no campaign given")
    if len(set(campaigns)) != c:
        raise SeatingError(f"campaign names repeat: {', '.join(campaigns)}")
    if parts > c:
        raise SeatingError(
            f"{parts} parts but only {c} campaigns: at every step two parts would work on the "
            "same campaign; use at most as many parts as campaigns"
        )
    if steps > c:
        raise SeatingError(
            f"{steps} steps but only {c} campaigns: a part would work twice on one campaign "
            "(it can meet each campaign only once); use at most as many steps as campaigns"
        )
    return [[campaigns[(p + s) % c] for s in range(steps)] for p in range(parts)]


def check_table_range(table_min: int, table_max: int) -> None:
    if table_min < 1:
        raise SeatingError(f"table_min must be at least 1 (got {table_min})")
    if table_max < table_min:
        raise SeatingError(f"table_max ({table_max}) is below table_min ({table_min})")


def splittable(n: int, table_min: int, table_max: int) -> bool:
    """Can n people sit at tables of table_min..table_max people (n = 0 is trivially true)?"""
    if n == 0:
        return True
    k = -(-n // table_max)  # fewest tables
    return k * table_min <= n


def table_count(n: int, table_min: int, table_max: int) -> int:
    """Number of tables for n people: the mean table size is closest to the middle of the
    range (ties: more tables, which helps mixing). Raises SeatingError when impossible."""
    check_table_range(table_min, table_max)
    if n == 0:
        return 0
    lo, hi = -(-n // table_max), n // table_min
    if lo > hi:
        raise SeatingError(
            f"{n} people cannot sit at tables of {table_min} to {table_max}: "
            f"{lo - 1} tables hold at most {(lo - 1) * table_max}, {lo} tables need at least "
            f"{lo * table_min}"
        )
    mid = (table_min + table_max) / 2
    return min(range(lo, hi + 1), key=lambda k: (abs(n / k - mid), -k))


def table_sizes(n: int, table_min: int, table_max: int, k: int | None = None) -> list[int]:
    """Sizes of the k tables (default `table_count`) for n people, as equal as possible."""
    if k is None:
        k = table_count(n, table_min, table_max)
    if k == 0:
        return []
    base, extra = divmod(n, k)
    sizes = [base + 1] * extra + [base] * (k - extra)
    if sizes[-1] < table_min or sizes[0] > table_max:
        raise SeatingError(f"{n} people cannot sit at {k} tables of {table_min} to {table_max}")
    return sizes


def part_sizes(n: int, parts: int, table_min: int, table_max: int) -> list[int]:
    """Sizes of the parts (as equal as possible); each must be splittable into tables."""
    base, extra = divmod(n, parts)
    sizes = [base + 1] * extra + [base] * (parts - extra)
    for size in set(sizes):
        if size == 0 or not splittable(size, table_min, table_max):
            raise SeatingError(
                f"{n} people in {parts} parts gives parts of {size} people, which cannot sit "
                f"at tables of {table_min} to {table_max}"
                + (f" (the smallest valid part is {table_min} people)" if size < table_min else "")
            )
    return sizes

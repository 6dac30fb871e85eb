"""Small per-process caches of read-mostly data, each entry kept a few seconds.

They are caches, not state: whatever they hold is in the database, and a change made by another
process shows within `seconds`. Tests start each case with `clear_process_caches()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

_ALL: list[TTLCache] = []


class TTLCache:
    def __init__(self, seconds: float, max_entries: int = 10_000):
        self.seconds = seconds
        self.max_entries = max_entries
        self._data: dict[Hashable, tuple[float, Any]] = {}
        _ALL.append(self)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self._data.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = compute()
        if len(self._data) >= self.max_entries:
            self._data.clear()
        self._data[key] = (now, value)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        if key is None:
            self._data.clear()
        else:
            self._data.pop(key, None)


def clear_process_caches() -> None:
    for cache in _ALL:
        cache.forget()

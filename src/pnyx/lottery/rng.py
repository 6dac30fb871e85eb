"""The verifiable random generator of Pnyx draws.

Every random number of a draw comes from HMAC-SHA-256, keyed by the public seed, over a
message that names the distribution digest, a purpose and a counter. The algorithm is
specified in docs/lottery.md ("Sampling, exactly") so that an auditor can reimplement it in
any language; nothing here depends on NumPy's or the solver's random streams.
"""

from __future__ import annotations

import hashlib
import hmac

DOMAIN = "pnyx-lottery-v1"
_TWO_256 = 1 << 256


class SeededStream:
    """Uniform integers from HMAC-SHA-256(key=seed, msg="pnyx-lottery-v1|digest|purpose|counter").

    `counter` starts at 0 and increases by one for every 256-bit block drawn.
    """

    def __init__(self, seed: str, digest: str, purpose: str) -> None:
        self.key = seed.encode("utf-8")
        self.prefix = f"{DOMAIN}|{digest}|{purpose}|"
        self.counter = 0

    def block(self) -> int:
        """The next 256-bit block as a big-endian unsigned integer."""
        message = (self.prefix + str(self.counter)).encode("utf-8")
        self.counter += 1
        return int.from_bytes(hmac.new(self.key, message, hashlib.sha256).digest(), "big")

    def below(self, n: int) -> int:
        """A uniform integer in [0, n), by rejection: blocks >= 2**256 - (2**256 mod n) are skipped."""
        if n <= 0:
            raise ValueError("below() needs a positive bound")
        limit = _TWO_256 - (_TWO_256 % n)
        while True:
            x = self.block()
            if x < limit:
                return x % n

    def sample(self, items: list[str], m: int) -> list[str]:
        """m distinct items, uniformly, by a partial Fisher-Yates shuffle of a copy of `items`.

        For i = 0..m-1: j = i + below(len - i); swap positions i and j; the result is the
        first m positions, in that order.
        """
        work = list(items)
        if m > len(work):
            raise ValueError("cannot sample more items than there are")
        for i in range(m):
            j = i + self.below(len(work) - i)
            work[i], work[j] = work[j], work[i]
        return work[:m]

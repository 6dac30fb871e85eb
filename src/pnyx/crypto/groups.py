"""The two prime-order groups of verifiable votes, behind one interface.

- ``BELENIOS-2048``: the 2048-bit finite-field group of the Belenios specification (version 2.0,
  ``doc/specification.tex``, section "Group parameters"), a subgroup of prime order q (256 bits)
  of Z_p^*. Arithmetic by ``gmpy2`` (GMP). Elements are written in base 10, as Belenios does.
- ``RISTRETTO255``: the prime-order group of RFC 9496 over Curve25519, by libsodium (through
  the ``rbcl`` binding, which bundles libsodium). Pnyx's fast group for large votes; Belenios 2.0
  does not know it. Elements are written as the 64 lowercase hexadecimal digits of their
  32-byte canonical encoding (RFC 9496, section 4.3.2).

The rest of ``pnyx.crypto`` uses only what ``Group`` offers: the group law written
multiplicatively (``mul``, ``pow``, ``inv``), the generator ``g``, the order ``q``, the text
form of an element (``to_str``/``from_str``, which checks membership) and the Belenios hash
``hash(prefix, elements)`` (the prefix, then the elements' text forms joined by commas, SHA-256,
read as a big-endian number, reduced modulo q). Scalars are Python ints in [0, q).

Nothing here knows Django.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

import gmpy2
import rbcl

Element = Any  # gmpy2.mpz for the finite field, 32 bytes for ristretto255


class GroupError(ValueError):
    """A text that is not an element of the group (or a malformed one)."""


class Group:
    """Interface of a prime-order group; see the module's docstring."""

    name: str
    q: int
    g: Element
    one: Element

    def mul(self, a: Element, b: Element) -> Element:  # pragma: no cover - interface
        raise NotImplementedError

    def pow(self, a: Element, k: int) -> Element:  # pragma: no cover - interface
        raise NotImplementedError

    def inv(self, a: Element) -> Element:  # pragma: no cover - interface
        raise NotImplementedError

    def to_str(self, a: Element) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def from_str(self, s: Any) -> Element:  # pragma: no cover - interface
        raise NotImplementedError

    def eq(self, a: Element, b: Element) -> bool:
        return a == b

    # --- derived operations, the same for both groups -------------------------------------

    def g_pow(self, k: int) -> Element:
        return self.pow(self.g, k)

    def div(self, a: Element, b: Element) -> Element:
        return self.mul(a, self.inv(b))

    def prod(self, xs: Iterable[Element]) -> Element:
        acc = self.one
        for x in xs:
            acc = self.mul(acc, x)
        return acc

    def random_scalar(self) -> int:
        return secrets.randbelow(self.q)

    def scalar_from_str(self, s: Any) -> int:
        """A scalar written in base 10 (a JSON string), checked to be in [0, q)."""
        if not isinstance(s, str) or not s.isdigit() or (len(s) > 1 and s[0] == "0"):
            raise GroupError(f"not a number in base 10: {s!r:.80}")
        v = int(s)
        if v >= self.q:
            raise GroupError(f"not below the group order: {s:.80}")
        return v

    def hash(self, prefix: str, xs: Sequence[Element]) -> int:
        """Belenios's hash of a prefix and elements: SHA-256 of ``prefix`` followed by the
        elements' text forms joined by commas, as a big-endian number modulo q."""
        text = prefix + ",".join(self.to_str(x) for x in xs)
        return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big") % self.q

    def dlog(self, h: Element, bound: int) -> int:
        """The m in [0, bound] with g^m = h (exponential ElGamal's decoding), by baby-step
        giant-step: about 2·sqrt(bound) group operations. Raises ValueError if there is none."""
        if bound < 0:
            raise ValueError("negative bound")
        m = max(1, math.isqrt(bound) + 1)
        table: dict[Any, int] = {}
        x = self.one
        for j in range(m):
            table.setdefault(self._key(x), j)
            x = self.mul(x, self.g)
        step = self.inv(self.pow(self.g, m))  # g^-m
        y = h
        for i in range(m + 1):
            j = table.get(self._key(y))
            if j is not None:
                v = i * m + j
                if v <= bound:
                    return v
            y = self.mul(y, step)
        raise ValueError("no discrete logarithm within the bound")

    def _key(self, x: Element) -> Any:
        return x

    def __repr__(self) -> str:
        return f"<Group {self.name}>"


class FiniteFieldGroup(Group):
    """A subgroup of prime order q of Z_p^*, elements as ``gmpy2.mpz``."""

    def __init__(self, name: str, p: int, q: int, g: int):
        self.name = name
        self.p = gmpy2.mpz(p)
        self.q = q
        self._q = gmpy2.mpz(q)
        self.g = gmpy2.mpz(g)
        self.one = gmpy2.mpz(1)

    def mul(self, a, b):
        return a * b % self.p

    def pow(self, a, k):
        return gmpy2.powmod(a, k, self.p)

    def inv(self, a):
        return gmpy2.invert(a, self.p)

    def to_str(self, a) -> str:
        return str(int(a))

    def from_str(self, s):
        if not isinstance(s, str) or not s.isdigit() or (len(s) > 1 and s[0] == "0"):
            raise GroupError(f"not a number in base 10: {s!r:.80}")
        x = gmpy2.mpz(s)
        # Belenios's check: 0 < x < p and x^q = 1 (x is in the subgroup of order q).
        if not (0 < x < self.p) or gmpy2.powmod(x, self._q, self.p) != 1:
            raise GroupError(f"not an element of {self.name}: {s:.40}…")
        return x

    def _key(self, x):
        return int(x)


_L = 2**252 + 27742317777372353535851937790883648493  # order of ristretto255 (RFC 9496)


class RistrettoGroup(Group):
    """ristretto255 (RFC 9496) by libsodium; elements as 32-byte canonical encodings."""

    def __init__(self):
        self.name = "RISTRETTO255"
        self.q = _L
        self.one = bytes(32)
        self.g = rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(
            (1).to_bytes(32, "little")
        )
        self._neg_one = (_L - 1).to_bytes(32, "little")

    def mul(self, a, b):
        return rbcl.crypto_core_ristretto255_add(a, b)

    def pow(self, a, k):
        k %= _L
        if a == self.g:
            return rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(
                k.to_bytes(32, "little")
            )
        return rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero(k.to_bytes(32, "little"), a)

    def g_pow(self, k):
        return rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(
            (k % _L).to_bytes(32, "little")
        )

    def inv(self, a):
        return rbcl.crypto_core_ristretto255_sub(self.one, a)

    def div(self, a, b):
        return rbcl.crypto_core_ristretto255_sub(a, b)

    def to_str(self, a) -> str:
        return bytes(a).hex()

    def from_str(self, s):
        if not isinstance(s, str) or len(s) != 64:
            raise GroupError(f"not 64 hexadecimal digits: {s!r:.80}")
        try:
            b = bytes.fromhex(s)
        except ValueError:
            raise GroupError(f"not 64 hexadecimal digits: {s!r:.80}") from None
        if s != b.hex():
            raise GroupError(f"not in lowercase hexadecimal: {s:.80}")
        # libsodium accepts only canonical encodings of points of the group (identity included).
        if not rbcl.crypto_core_ristretto255_is_valid_point(b):
            raise GroupError(f"not an element of RISTRETTO255: {s}")
        return b


BELENIOS_2048 = FiniteFieldGroup(
    "BELENIOS-2048",
    p=int(
        "2069478569142254640101364365750500806492298929575110409710088478705737421924271740192"
        "2237254497684338129066633138078958404960054389636289796393038773905722803605973749427"
        "6713767776188985898727358650490811670993105358677809800307904916540637771737641986785"
        "2727347447634183560003569830519314428456170191100078673730733356412397173289791324047"
        "4578834468260652327974647951137672658693582180046317922073668860052627186363386088796"
        "8821207694323661494910029234443463732221458841005864210502421203654335612013204811188"
        "52408731077014151666200162313177169372189248078507711827842317498073276598828825169183"
        "103125680162072880719"
    ),
    q=78571733251071885079927659812671450121821421258408794611510081919805623223441,
    g=int(
        "2402352677501852209227687703532399932712287657378364916510075318787663274146353219320"
        "2856761552696787996946682987493890950838965734256019006010684771644917354741372831046"
        "1045868131451178164675540052740288984613986453266121505579709716201616827031288643245"
        "6663834863635782106154918419982534315189740658186868651151358576410138882215396016043"
        "2288436039309893336627728484065931384060102316750957637779826651036068224066350766977"
        "6402534625377308513317349519424896775405257365904949247763147599157519877517771148149"
        "09204566002054781270547282381409725186398583341157005683536955534237814755824918960502"
        "96680037745308460627"
    ),
)

RISTRETTO255 = RistrettoGroup()

GROUPS: dict[str, Group] = {BELENIOS_2048.name: BELENIOS_2048, RISTRETTO255.name: RISTRETTO255}


def get(name: str) -> Group:
    """The group called ``name`` in an election's ``group`` field."""
    try:
        return GROUPS[name]
    except KeyError:
        raise GroupError(f"unknown group {name!r} (known: {', '.join(GROUPS)})") from None

"""Zero-knowledge proofs of Belenios 2.0 ballots and decryptions (``doc/specification.tex``),
each function citing the section it implements, with the exact hashed strings of the OCaml
reference (``src/lib/v1/question_h.ml``, ``election.ml``):

- ``prove|S|alpha,beta|A0,B0,...,Ak,Bk``       proofs of interval membership (``iprove``)
- ``bproof0|S|A0,B0,AS,BS``                     blank proof (m0 = 0 or mS = 0)
- ``bproof1|S|A0,B0,...,Ak,Bk``                 overall proof of a blank-allowed question
- ``sig|H|A``                                   ballot signature (H the ballot's hash)
- ``decrypt|phi|X|A,B``                         decryption factor (phi the election hash)

All hashes are ``Group.hash`` (SHA-256 of the string, big-endian, mod q). A proof is a pair
(challenge, response) of ints in [0, q). Verification functions return a bool; the callers
raise.

Speed: ``Ctx`` keeps fixed-base tables for g and for the election key y in BELENIOS-2048
(8-bit windows: an exponentiation is 31 multiplications instead of ~300 squarings), and uses
libsodium's fixed-base multiplication for g in RISTRETTO255. Provers use the known plaintext to
turn ``y^resp (beta/g^M)^c`` into ``y^(resp + r c) g^((m - M) c)`` (same value, one
exponentiation less).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import gmpy2
import rbcl

from pnyx.crypto.groups import FiniteFieldGroup, Group

Proof = tuple[int, int]  # (challenge, response)
Rng = Callable[[], int]


class _FixedBase:
    """Fixed-base exponentiation in a finite-field group by precomputed 8-bit windows."""

    def __init__(self, group: FiniteFieldGroup, base):
        self.p = group.p
        p = self.p
        self.tables = []
        b = gmpy2.mpz(base)
        nbytes = (group.q.bit_length() + 7) // 8
        self.nbytes = nbytes
        for _ in range(nbytes):
            t = [gmpy2.mpz(1), b]
            x = b
            for _ in range(254):
                x = x * b % p
                t.append(x)
            self.tables.append(t)
            b = x * b % p  # base^(256^(i+1))

    def __call__(self, k: int):
        p = self.p
        bs = k.to_bytes(self.nbytes, "little")
        tables = self.tables
        acc = tables[0][bs[0]]
        for i in range(1, self.nbytes):
            v = bs[i]
            if v:
                acc = acc * tables[i][v] % p
        return acc


_FF_TABLES: dict[tuple[str, int], _FixedBase] = {}


def _fixed(group: FiniteFieldGroup, base) -> _FixedBase:
    key = (group.name, int(base))
    t = _FF_TABLES.get(key)
    if t is None:
        if len(_FF_TABLES) > 16:
            _FF_TABLES.clear()
        t = _FF_TABLES[key] = _FixedBase(group, base)
    return t


class Ctx:
    """The arithmetic of one election: group, key y, fast g^k and y^k, small powers of g."""

    def __init__(self, group: Group, y):
        self.group = group
        self.q = group.q
        self.y = y
        self.mul = group.mul
        self.pow = group.pow
        self.div = group.div
        self.to_str = group.to_str
        if isinstance(group, FiniteFieldGroup):
            self.gpow = _fixed(group, group.g)
            self.ypow = _fixed(group, y)
        else:
            smul = rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero
            sbase = rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero
            # scalars here are always in [0, q): no reduction needed
            self.gpow = lambda k: sbase(k.to_bytes(32, "little"))
            self.ypow = lambda k: smul(k.to_bytes(32, "little"), y)
            self.pow = lambda a, k: smul(k.to_bytes(32, "little"), a)
        self._gm = [group.one, group.g]

    def g_m(self, m: int):
        """g^m for a small m >= 0 (cached)."""
        gm = self._gm
        while len(gm) <= m:
            gm.append(self.mul(gm[-1], self.group.g))
        return gm[m]

    def hash(self, prefix: str, xs: Sequence) -> int:
        return self.group.hash(prefix, xs)


# --- Encrypted answers, "Homomorphic answers": El Gamal encryption -------------------------


def encrypt(ctx: Ctx, r: int, m: int):
    """(alpha, beta) = (g^r, y^r g^m)."""
    return ctx.gpow(r), ctx.mul(ctx.ypow(r), ctx.g_m(m)) if m else ctx.ypow(r)


# --- "Proofs of interval membership" --------------------------------------------------------


def _fake_commitments(ctx: Ctx, r: int, m: int, mj: int, c: int, resp: int):
    """A_j = g^resp alpha^c and B_j = y^resp (beta/g^Mj)^c, computed by the prover who knows
    alpha = g^r, beta = y^r g^m: A_j = g^(resp+rc), B_j = y^(resp+rc) g^((m-Mj)c)."""
    q = ctx.q
    s = (resp + r * c) % q
    a = ctx.gpow(s)
    b = ctx.ypow(s)
    e = ((m - mj) * c) % q
    if e:
        b = ctx.mul(b, ctx.gpow(e))
    return a, b


def iprove(
    ctx: Ctx, S: str, ab_str: str, r: int, m: int, Ms: Sequence[int], rng: Rng
) -> list[Proof]:
    """iprove(S, r, i, M_0..M_k) with M_i = m, for a ciphertext (g^r, y^r g^m) whose text
    form ``alpha,beta`` is ``ab_str``. Randomness consumed: for each j != i in increasing
    order, challenge_j then response_j; then w."""
    q = ctx.q
    i = list(Ms).index(m)
    proofs: list[Proof | None] = [None] * len(Ms)
    commitments: list = [None] * (2 * len(Ms))
    total = 0
    for j, mj in enumerate(Ms):
        if j == i:
            continue
        c, resp = rng(), rng()
        proofs[j] = (c, resp)
        commitments[2 * j], commitments[2 * j + 1] = _fake_commitments(ctx, r, m, mj, c, resp)
        total += c
    w = rng()
    commitments[2 * i], commitments[2 * i + 1] = ctx.gpow(w), ctx.ypow(w)
    h = ctx.hash(f"prove|{S}|{ab_str}|", commitments)
    c = (h - total) % q
    proofs[i] = (c, (w - r * c) % q)
    return proofs  # type: ignore[return-value]


def iverify(
    ctx: Ctx, S: str, ab_str: str, alpha, beta, Ms: Sequence[int], proofs: Sequence[Proof]
) -> bool:
    """Verification of an interval-membership proof: A_j = g^resp alpha^c,
    B_j = y^resp (beta/g^Mj)^c, and H_iprove(S, alpha, beta, A_0, B_0, ...) = sum c_j."""
    if len(proofs) != len(Ms):
        return False
    mul, pw, gpow, ypow, div = ctx.mul, ctx.pow, ctx.gpow, ctx.ypow, ctx.div
    commitments = []
    total = 0
    for mj, (c, resp) in zip(Ms, proofs, strict=True):
        commitments.append(mul(gpow(resp), pw(alpha, c)))
        nbeta = div(beta, ctx.g_m(mj)) if mj else beta
        commitments.append(mul(ypow(resp), pw(nbeta, c)))
        total += c
    return ctx.hash(f"prove|{S}|{ab_str}|", commitments) == total % ctx.q


def iverify01(ctx: Ctx, S0: str, ab_str: str, alpha, beta, proofs: Sequence[Proof]) -> bool:
    """``iverify`` for M in {0, 1} (the individual proofs), unrolled: the hot loop of ballot
    verification."""
    if len(proofs) != 2:
        return False
    (c0, s0), (c1, s1) = proofs
    mul, pw, gpow, ypow = ctx.mul, ctx.pow, ctx.gpow, ctx.ypow
    commitments = (
        mul(gpow(s0), pw(alpha, c0)),
        mul(ypow(s0), pw(beta, c0)),
        mul(gpow(s1), pw(alpha, c1)),
        mul(ypow(s1), pw(ctx.div(beta, ctx.group.g), c1)),
    )
    return ctx.hash(f"prove|{S0}|{ab_str}|", commitments) == (c0 + c1) % ctx.q


# --- "Proofs of possibly-blank votes" -------------------------------------------------------


def blank_prove(
    ctx: Ctx, S: str, r0: int, m0: int, rS: int, mS: int, mn: int, mx: int, rng: Rng
) -> tuple[list[Proof], list[Proof]]:
    """(overall_proof, blank_proof) for (alpha0, beta0) = (g^r0, y^r0 g^m0) and the product
    (alphaS, betaS) = (g^rS, y^rS g^mS) of the other choices.

    Randomness consumed, blank_proof first: if m0 = 0, challenge_S, response_S, w; if m0 = 1,
    challenge_0, response_0, w. Then overall_proof: if m0 = 0, challenge_0, response_0, then for
    each j in 1..k (j != index of mS) challenge_j, response_j, then w; if m0 = 1, for each j in
    1..k challenge_j, response_j, then w."""
    q = ctx.q
    # blank_proof: m0 = 0 or mS = 0.
    if m0 == 0:
        cS, respS = rng(), rng()
        aS, bS = _fake_commitments(ctx, rS, mS, 0, cS, respS)
        w = rng()
        a0, b0 = ctx.gpow(w), ctx.ypow(w)
        h = ctx.hash(f"bproof0|{S}|", [a0, b0, aS, bS])
        c0 = (h - cS) % q
        blank = [(c0, (w - r0 * c0) % q), (cS, respS)]
    else:
        if mS != 0:
            raise ValueError("a blank vote selects no answer")
        c0, resp0 = rng(), rng()
        a0, b0 = _fake_commitments(ctx, r0, m0, 0, c0, resp0)
        w = rng()
        aS, bS = ctx.gpow(w), ctx.ypow(w)
        h = ctx.hash(f"bproof0|{S}|", [a0, b0, aS, bS])
        cS = (h - c0) % q
        blank = [(c0, resp0), (cS, (w - rS * cS) % q)]
    # overall_proof: m0 = 1 or mS in [min..max]; pi_0 is about (alpha0, beta0/g).
    n = mx - mn + 2
    proofs: list[Proof | None] = [None] * n
    commitments: list = [None] * (2 * n)
    total = 0
    if m0 == 0:
        if not mn <= mS <= mx:
            raise ValueError("number of selected answers out of [min, max]")
        true_index = mS - mn + 1
        c, resp = rng(), rng()
        proofs[0] = (c, resp)
        commitments[0], commitments[1] = _fake_commitments(ctx, r0, m0, 1, c, resp)
        total += c
    else:
        true_index = 0
    for j in range(1, n):
        if j == true_index:
            continue
        c, resp = rng(), rng()
        proofs[j] = (c, resp)
        commitments[2 * j], commitments[2 * j + 1] = _fake_commitments(
            ctx, rS, mS, mn + j - 1, c, resp
        )
        total += c
    w = rng()
    commitments[2 * true_index], commitments[2 * true_index + 1] = ctx.gpow(w), ctx.ypow(w)
    h = ctx.hash(f"bproof1|{S}|", commitments)
    c = (h - total) % q
    r = r0 if true_index == 0 else rS
    proofs[true_index] = (c, (w - r * c) % q)
    return proofs, blank  # type: ignore[return-value]


def blank_verify(
    ctx: Ctx,
    S: str,
    c0: tuple,
    cS: tuple,
    mn: int,
    mx: int,
    overall: Sequence[Proof],
    blank: Sequence[Proof],
) -> bool:
    """ "Verifying proofs": blank_proof (bproof0) then overall_proof (bproof1)."""
    mul, pw, gpow, ypow, div = ctx.mul, ctx.pow, ctx.gpow, ctx.ypow, ctx.div
    (alpha0, beta0), (alphaS, betaS) = c0, cS
    if len(blank) != 2 or len(overall) != mx - mn + 2:
        return False
    (x0, s0), (xS, sS) = blank
    com = [
        mul(gpow(s0), pw(alpha0, x0)),
        mul(ypow(s0), pw(beta0, x0)),
        mul(gpow(sS), pw(alphaS, xS)),
        mul(ypow(sS), pw(betaS, xS)),
    ]
    if ctx.hash(f"bproof0|{S}|", com) != (x0 + xS) % ctx.q:
        return False
    x, s = overall[0]
    com = [mul(gpow(s), pw(alpha0, x)), mul(ypow(s), pw(div(beta0, ctx.g_m(1)), x))]
    total = x
    for j in range(1, len(overall)):
        x, s = overall[j]
        mj = mn + j - 1
        nbeta = div(betaS, ctx.g_m(mj)) if mj else betaS
        com.append(mul(gpow(s), pw(alphaS, x)))
        com.append(mul(ypow(s), pw(nbeta, x)))
        total += x
    return ctx.hash(f"bproof1|{S}|", com) == total % ctx.q


# --- "Signatures" ---------------------------------------------------------------------------


def sign(ctx: Ctx, s: int, ballot_hash: str, rng: Rng) -> Proof:
    """Schnorr signature of a ballot hash with credential secret s. Randomness: w."""
    w = rng()
    c = ctx.hash(f"sig|{ballot_hash}|", [ctx.gpow(w)])
    return c, (w - s * c) % ctx.q


def sig_verify(ctx: Ctx, credential, ballot_hash: str, proof: Proof) -> bool:
    c, resp = proof
    a = ctx.mul(ctx.gpow(resp), ctx.pow(credential, c))
    return ctx.hash(f"sig|{ballot_hash}|", [a]) == c


# --- "Partial decryptions" ------------------------------------------------------------------


def decryption_prove(ctx: Ctx, phi: str, x: int, X_str: str, alpha, rng: Rng) -> Proof:
    """Proof that factor = alpha^x where X = g^x: A = g^w, B = alpha^w,
    challenge = H_decrypt(X, A, B), response = w - x challenge. Randomness: w."""
    w = rng()
    c = ctx.hash(f"decrypt|{phi}|{X_str}|", [ctx.gpow(w), ctx.pow(alpha, w)])
    return c, (w - x * c) % ctx.q


def decryption_verify(ctx: Ctx, phi: str, X, X_str: str, alpha, factor, proof: Proof) -> bool:
    c, resp = proof
    a = ctx.mul(ctx.gpow(resp), ctx.pow(X, c))
    b = ctx.mul(ctx.pow(alpha, resp), ctx.pow(factor, c))
    return ctx.hash(f"decrypt|{phi}|{X_str}|", [a, b]) == c

"""The tally of homomorphic questions (Belenios 2.0 specification, sections "Encrypted tally",
"Partial decryptions", "Election result").

JSON written (compact, fields in this order, as belenios-tool):

- encrypted tally: ``[[{"alpha":A,"beta":B},...],...]`` — per question, per choice (the blank
  flag first when blank is allowed), the product of the ballots' ciphertexts;
- partial decryption: ``{"decryption_factors":[[F,...],...],
  "decryption_proofs":[[{"challenge":X,"response":Y},...],...]}`` with F = alpha^x and the
  proof hashed as ``decrypt|φ|X|A,B`` (φ the election hash, X = g^x the trustee's key, or the
  verification key of a threshold share);
- result: ``{"result":[[n,...],...]}``.

Randomness consumed by ``decryption_factors``: one w per ciphertext, per question then per
choice. Combining the factors of several trustees (Lagrange for threshold shares) is
``pnyx.crypto.trustees``'s; ``decode`` takes the combined factors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from pnyx.crypto import proofs
from pnyx.crypto.ballots import Ballot
from pnyx.crypto.election import Election, parse
from pnyx.crypto.groups import GroupError


class InvalidDecryption(ValueError):
    """A partial decryption (or encrypted tally) that does not check."""


def _ct_json(gr, ab) -> str:
    return f'{{"alpha":"{gr.to_str(ab[0])}","beta":"{gr.to_str(ab[1])}"}}'


def encrypted_tally_of(election: str | Election, ballots: Iterable[Ballot]):
    """The encrypted tally as elements: per question, per choice, (alpha, beta)."""
    e = parse(election)
    gr = e.group
    mul = gr.mul
    acc = [[[gr.one, gr.one] for _ in range(q.length)] for q in e.questions]
    for b in ballots:
        for row, cts in zip(acc, b.answers, strict=True):
            for cell, (a, bb) in zip(row, cts, strict=True):
                cell[0] = mul(cell[0], a)
                cell[1] = mul(cell[1], bb)
    return [[(a, b) for a, b in row] for row in acc]


def multiply(election: str | Election, tallies: Iterable):
    """The product of encrypted tallies given as elements (e.g. partial products of chunks of
    ballots computed in worker processes)."""
    e = parse(election)
    gr = e.group
    acc = [[(gr.one, gr.one)] * q.length for q in e.questions]
    for t in tallies:
        acc = [
            [(gr.mul(a, x), gr.mul(b, y)) for (a, b), (x, y) in zip(ra, rt, strict=True)]
            for ra, rt in zip(acc, t, strict=True)
        ]
    return acc


def to_json(election: str | Election, et) -> str:
    """The JSON text of an encrypted tally given as elements."""
    gr = parse(election).group
    return "[" + ",".join("[" + ",".join(_ct_json(gr, c) for c in row) + "]" for row in et) + "]"


def encrypted_tally(election: str | Election, ballots: Iterable[Ballot]) -> str:
    """ "Encrypted tally": the JSON of the pointwise product of the ballots' ciphertexts (every
    ballot of weight 1; give only the last ballot of each credential)."""
    e = parse(election)
    return to_json(e, encrypted_tally_of(e, ballots))


def parse_encrypted_tally(election: str | Election, text: Any):
    """The encrypted tally (text, or already parsed JSON) as elements, shape checked."""
    e = parse(election)
    gr = e.group
    d = json.loads(text) if isinstance(text, str) else text
    if not isinstance(d, list) or len(d) != len(e.questions):
        raise InvalidDecryption("encrypted tally: one list per question expected")
    out = []
    for q, row in zip(e.questions, d, strict=True):
        if not isinstance(row, list) or len(row) != q.length:
            raise InvalidDecryption("encrypted tally: wrong number of ciphertexts")
        r = []
        for c in row:
            if not isinstance(c, dict) or set(c) != {"alpha", "beta"}:
                raise InvalidDecryption("encrypted tally: not a ciphertext")
            try:
                r.append((gr.from_str(c["alpha"]), gr.from_str(c["beta"])))
            except GroupError as err:
                raise InvalidDecryption(f"encrypted tally: {err}") from None
        out.append(r)
    return out


def decryption_factors(
    election: str | Election,
    encrypted_tally_text: str,
    secret: int,
    rng: Callable[[], int] | None = None,
) -> str:
    """ "Partial decryptions": a trustee's ``partial_decryption`` JSON with key ``secret``."""
    e = parse(election)
    gr, ctx = e.group, e.ctx
    rng = rng or gr.random_scalar
    et = parse_encrypted_tally(e, encrypted_tally_text)
    X = gr.to_str(ctx.gpow(secret))
    factors, prfs = [], []
    for row in et:
        factors.append([gr.to_str(gr.pow(a, secret)) for a, _ in row])
        prfs.append([proofs.decryption_prove(ctx, e.hash, secret, X, a, rng) for a, _ in row])
    return (
        '{"decryption_factors":['
        + ",".join("[" + ",".join(f'"{f}"' for f in row) + "]" for row in factors)
        + '],"decryption_proofs":['
        + ",".join(
            "[" + ",".join(f'{{"challenge":"{c}","response":"{r}"}}' for c, r in row) + "]"
            for row in prfs
        )
        + "]}"
    )


def parse_partial_decryption(election: str | Election, pd_text: Any):
    """(factors, proofs) of a partial decryption (text or parsed JSON), shape and ranges
    checked, factors as elements."""
    e = parse(election)
    gr = e.group
    d = json.loads(pd_text) if isinstance(pd_text, str) else pd_text
    if not isinstance(d, dict) or set(d) != {"decryption_factors", "decryption_proofs"}:
        raise InvalidDecryption("not a partial decryption")
    fs, ps = d["decryption_factors"], d["decryption_proofs"]
    lengths = [q.length for q in e.questions]
    if (
        not isinstance(fs, list)
        or not isinstance(ps, list)
        or [len(r) if isinstance(r, list) else -1 for r in fs] != lengths
        or [len(r) if isinstance(r, list) else -1 for r in ps] != lengths
    ):
        raise InvalidDecryption("partial decryption: wrong shape")
    try:
        factors = [[gr.from_str(f) for f in row] for row in fs]
        prfs = []
        for row in ps:
            r = []
            for p in row:
                if not isinstance(p, dict) or set(p) != {"challenge", "response"}:
                    raise InvalidDecryption("partial decryption: not a proof")
                r.append((gr.scalar_from_str(p["challenge"]), gr.scalar_from_str(p["response"])))
            prfs.append(r)
    except GroupError as err:
        raise InvalidDecryption(f"partial decryption: {err}") from None
    return factors, prfs


def check_decryption_factors(
    election: str | Election, encrypted_tally_text: Any, pd_text: Any, public_key_element
) -> None:
    """Checks every decryption factor's proof against the trustee's public key (for a
    threshold share, its verification key); raises ``InvalidDecryption``."""
    e = parse(election)
    ctx = e.ctx
    et = parse_encrypted_tally(e, encrypted_tally_text)
    factors, prfs = parse_partial_decryption(e, pd_text)
    X = public_key_element
    X_str = e.group.to_str(X)
    for i, (row, frow, prow) in enumerate(zip(et, factors, prfs, strict=True)):
        for j, ((a, _), f, p) in enumerate(zip(row, frow, prow, strict=True)):
            if not proofs.decryption_verify(ctx, e.hash, X, X_str, a, f, p):
                raise InvalidDecryption(f"bad decryption proof (question {i}, choice {j})")


def decode(
    election: str | Election, combined_factors: Any, encrypted_tally: Any, num_tallied: int
) -> list[list[int]]:
    """ "Election result": log_g(beta / F) of each ciphertext, each in [0, num_tallied].
    ``combined_factors``: per question, per choice, the element F (or its text form, or a JSON
    text of that); ``encrypted_tally``: text, parsed JSON or elements."""
    e = parse(election)
    gr = e.group
    if isinstance(combined_factors, str):
        combined_factors = json.loads(combined_factors)
    et = encrypted_tally
    if isinstance(et, str) or (et and et[0] and isinstance(et[0][0], dict)):
        et = parse_encrypted_tally(e, et)
    if len(combined_factors) != len(et):
        raise InvalidDecryption("factors and tally differ in shape")
    out = []
    for frow, row in zip(combined_factors, et, strict=True):
        if len(frow) != len(row):
            raise InvalidDecryption("factors and tally differ in shape")
        r = []
        for f, (_, beta) in zip(frow, row, strict=True):
            f = gr.from_str(f) if isinstance(f, str) else f
            try:
                r.append(gr.dlog(gr.div(beta, f), num_tallied))
            except ValueError:
                raise InvalidDecryption("a result is out of [0, num_tallied]") from None
        out.append(r)
    return out


def result_json(result: list[list[int]]) -> str:
    """The ``result`` structure: ``{"result":[[...],...]}``."""
    return '{"result":[' + ",".join("[" + ",".join(map(str, r)) + "]" for r in result) + "]}"

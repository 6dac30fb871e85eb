"""Ballots of Belenios 2.0 (specification, sections "Encrypted answers" / "Homomorphic answers",
"Proofs of interval membership", "Proofs of possibly-blank votes", "Signatures", "Ballots"),
byte-compatible with belenios-tool for BELENIOS-2048.

Plaintext: ``answers[i]`` is the list of 0/1 values of question i, one per answer; when the
question allows blank votes, Belenios's form has one more, leading value (1 = blank), e.g.
``[1, 0, 0, 0]`` blank, ``[0, 0, 1, 0]`` answer 2. For convenience a blank-allowed question may
also be given without the leading value: all zeros then means blank.

Ballot text (what ``encrypt`` writes and ``verify`` demands: it rejects any other
serialisation): compact JSON, no spaces, numbers as JSON strings (base 10; group elements of
RISTRETTO255 as 64 hex digits), fields in this order::

  {"election_uuid":U,"election_hash":H,"credential":C,
   "answers":[{"choices":[{"alpha":A,"beta":B},...],
               "individual_proofs":[[{"challenge":X,"response":Y},{...}],...],
               "overall_proof":[{"challenge":X,"response":Y},...],
               "blank_proof":[{...},{...}]},          <- only for blank-allowed questions
              ...],
   "signature":{"hash":S,"proof":{"challenge":X,"response":Y}}}

S = sha256_b64 of the same text without its ``,"signature":{...}`` part; the ballot's hash
(smart ballot tracker) is sha256_b64 of the whole text. The proofs' string S0 is
``election_hash|credential`` and, for overall and blank proofs, S = S0 ``|`` then all
``alpha,beta`` of the answer's choices joined by commas.

Randomness consumed by ``encrypt`` (each ``rng()`` call returns a scalar in [0, q)), in this
exact order:

  for each question, in order:
    1. r_j for each choice j in order (blank flag first when blank is allowed);
    2. for each choice j in order, its 0/1 proof: challenge then response of the simulated
       disjunct (the one for 1 - m_j), then w;
    3. a question without blank: the overall proof over M = min..max: for each M != sum in
       increasing order, challenge then response; then w;
       a blank-allowed question: the blank proof (if not blank: challenge_S, response_S, w;
       if blank: challenge_0, response_0, w), then the overall proof (if not blank:
       challenge_0, response_0, then for each M in min..max other than the sum, challenge,
       response; if blank: for each M in min..max, challenge, response; then w);
  finally the signature's w.

RISTRETTO255 difference: only the text form of elements (hex) — the hashed strings, fields
and order are the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from pnyx.crypto import credentials, proofs
from pnyx.crypto.election import Election, parse, sha256_b64
from pnyx.crypto.groups import GroupError


class InvalidBallot(ValueError):
    """A ballot that must not be accepted; ``str(e)`` says why."""


def hash(text: str) -> str:  # noqa: A001 - the contract's name
    """The ballot's hash (smart ballot tracker): sha256_b64 of its exact text."""
    return sha256_b64(text)


@dataclass
class Ballot:
    """A verified ballot. ``answers[i][j]`` = (alpha, beta) elements of question i, choice j
    (blank flag first when blank is allowed)."""

    text: str
    hash: str
    election_uuid: str
    election_hash: str
    credential: str
    answers: list[list[tuple[Any, Any]]]
    signature_hash: str


def _proof_json(p: proofs.Proof) -> str:
    return f'{{"challenge":"{p[0]}","response":"{p[1]}"}}'


def _proofs_json(ps) -> str:
    return "[" + ",".join(_proof_json(p) for p in ps) + "]"


def _normalize(q, a: list[int]) -> list[int]:
    a = [int(x) for x in a]
    if any(x not in (0, 1) for x in a):
        raise ValueError("answers are 0 or 1")
    if q.blank and len(a) == len(q.answers):
        a = [0 if sum(a) else 1, *a]
    if len(a) != q.length:
        raise ValueError(f"question {q.question!r:.40} needs {q.length} values, got {len(a)}")
    if q.blank:
        if a[0] == 1 and sum(a[1:]):
            raise ValueError("a blank vote selects no answer")
        if a[0] == 0 and not q.min <= sum(a[1:]) <= q.max:
            raise ValueError("number of selected answers out of [min, max]")
    elif not q.min <= sum(a) <= q.max:
        raise ValueError("number of selected answers out of [min, max]")
    return a


def encrypt(
    election: str | Election,
    answers: list[list[int]],
    credential: str,
    rng: Callable[[], int] | None = None,
) -> str:
    """The JSON text of a ballot for ``answers`` signed with private ``credential``. With
    ``rng``, deterministic (see the module's docstring for the order of its calls)."""
    e = parse(election)
    ctx = e.ctx
    gr = e.group
    q = gr.q
    rng = rng or gr.random_scalar
    if len(answers) != len(e.questions):
        raise ValueError(f"{len(e.questions)} questions, {len(answers)} answers")
    s = credentials.derive(e.uuid, gr, credential)
    cred_str = gr.to_str(ctx.gpow(s))
    S0 = f"{e.hash}|{cred_str}"
    parts = []
    for question, a in zip(e.questions, answers, strict=True):
        ms = _normalize(question, a)
        rs = [rng() % q for _ in ms]
        cts = [proofs.encrypt(ctx, r, m) for r, m in zip(rs, ms, strict=True)]
        ab = [f"{gr.to_str(al)},{gr.to_str(be)}" for al, be in cts]
        ips = [proofs.iprove(ctx, S0, ab[j], rs[j], ms[j], (0, 1), rng) for j in range(len(ms))]
        S = S0 + "|" + ",".join(ab)
        if question.blank:
            overall, blank = proofs.blank_prove(
                ctx, S, rs[0], ms[0], sum(rs[1:]) % q, sum(ms[1:]), question.min, question.max, rng
            )
        else:
            Ms = range(question.min, question.max + 1)
            overall = proofs.iprove(ctx, S, _sum_ab(ctx, cts), sum(rs) % q, sum(ms), Ms, rng)
            blank = None
        choices = ",".join(
            f'{{"alpha":"{x.split(",")[0]}","beta":"{x.split(",")[1]}"}}' for x in ab
        )
        part = (
            '{"choices":['
            + choices
            + '],"individual_proofs":['
            + ",".join(_proofs_json(p) for p in ips)
            + '],"overall_proof":'
            + _proofs_json(overall)
        )
        if blank is not None:
            part += ',"blank_proof":' + _proofs_json(blank)
        parts.append(part + "}")
    head = (
        f'{{"election_uuid":"{e.uuid}","election_hash":"{e.hash}","credential":"{cred_str}",'
        f'"answers":[{",".join(parts)}]'
    )
    h = sha256_b64(head + "}")
    sig = proofs.sign(ctx, s, h, rng)
    return head + f',"signature":{{"hash":"{h}","proof":{_proof_json(sig)}}}}}'


def _sum_ab(ctx, cts) -> str:
    a, b = _sum(ctx, cts)
    return f"{ctx.to_str(a)},{ctx.to_str(b)}"


def _sum(ctx, cts):
    a, b = ctx.group.one, ctx.group.one
    for al, be in cts:
        a, b = ctx.mul(a, al), ctx.mul(b, be)
    return a, b


# --- verification -------------------------------------------------------------------------


def _obj(x: Any, keys: tuple[str, ...], what: str) -> dict:
    if not isinstance(x, dict):
        raise InvalidBallot(f"{what} is not an object")
    if tuple(x) != keys:
        raise InvalidBallot(f"{what}: fields must be {', '.join(keys)} in that order")
    return x


def _list(x: Any, what: str) -> list:
    if not isinstance(x, list):
        raise InvalidBallot(f"{what} is not a list")
    return x


def _str(x: Any, what: str) -> str:
    if not isinstance(x, str):
        raise InvalidBallot(f"{what} is not a string")
    return x


_PROOF_KEYS = ("challenge", "response")


def _proof(gr, p: Any, what: str) -> tuple[proofs.Proof, str]:
    p = _obj(p, _PROOF_KEYS, what)
    c, r = p["challenge"], p["response"]
    try:
        pr = (gr.scalar_from_str(c), gr.scalar_from_str(r))
    except GroupError as e:
        raise InvalidBallot(f"{what}: {e}") from None
    return pr, f'{{"challenge":"{c}","response":"{r}"}}'


def _proof_list(gr, ps: Any, what: str) -> tuple[list[proofs.Proof], str]:
    out, texts = [], []
    for k, p in enumerate(_list(ps, what)):
        pr, t = _proof(gr, p, f"{what}[{k}]")
        out.append(pr)
        texts.append(t)
    return out, "[" + ",".join(texts) + "]"


def _elt(gr, x: Any, what: str):
    try:
        return gr.from_str(x)
    except GroupError as e:
        raise InvalidBallot(f"{what}: {e}") from None


def verify(
    election: str | Election, ballot_text: str, public_credentials: Container[str]
) -> Ballot:
    """Every check of a ballot (the OCaml ``check_ballot`` and ``cast``): canonical text,
    election uuid and hash, credential in ``public_credentials``, signature, and every proof
    of every answer. Returns the parsed ``Ballot``; raises ``InvalidBallot``."""
    e = parse(election)
    gr = e.group
    ctx = e.ctx
    if not isinstance(ballot_text, str):
        raise InvalidBallot("a ballot is a text")
    try:
        d = json.loads(ballot_text)
    except ValueError:
        raise InvalidBallot("not JSON") from None
    d = _obj(
        d,
        ("election_uuid", "election_hash", "credential", "answers", "signature"),
        "ballot",
    )
    uuid = _str(d["election_uuid"], "election_uuid")
    ehash = _str(d["election_hash"], "election_hash")
    cred = _str(d["credential"], "credential")
    if uuid != e.uuid:
        raise InvalidBallot("wrong election uuid")
    if ehash != e.hash:
        raise InvalidBallot("wrong election hash")
    if cred not in public_credentials:
        raise InvalidBallot("unknown credential")
    cred_elt = _elt(gr, cred, "credential")
    answers = _list(d["answers"], "answers")
    if len(answers) != len(e.questions):
        raise InvalidBallot("wrong number of answers")
    sig = _obj(d["signature"], ("hash", "proof"), "signature")
    sig_hash = _str(sig["hash"], "signature hash")
    sig_proof, sig_text = _proof(gr, sig["proof"], "signature proof")

    # Parse everything and rebuild the canonical text.
    S0 = f"{e.hash}|{cred}"
    parsed = []
    parts = []
    for i, (question, a) in enumerate(zip(e.questions, answers, strict=True)):
        keys = ("choices", "individual_proofs", "overall_proof")
        if question.blank:
            keys += ("blank_proof",)
        a = _obj(a, keys, f"answer {i}")
        choices = _list(a["choices"], f"answer {i} choices")
        if len(choices) != question.length:
            raise InvalidBallot(f"answer {i}: wrong number of choices")
        cts, abs_ = [], []
        for j, c in enumerate(choices):
            c = _obj(c, ("alpha", "beta"), f"answer {i} choice {j}")
            al, be = c["alpha"], c["beta"]
            cts.append((_elt(gr, al, f"answer {i} alpha"), _elt(gr, be, f"answer {i} beta")))
            abs_.append(f"{al},{be}")
        ips = _list(a["individual_proofs"], f"answer {i} individual_proofs")
        if len(ips) != len(cts):
            raise InvalidBallot(f"answer {i}: wrong number of individual proofs")
        ip_parsed, ip_texts = [], []
        for j, p in enumerate(ips):
            pr, t = _proof_list(gr, p, f"answer {i} individual proof {j}")
            ip_parsed.append(pr)
            ip_texts.append(t)
        overall, overall_text = _proof_list(gr, a["overall_proof"], f"answer {i} overall")
        part = (
            '{"choices":['
            + ",".join(f'{{"alpha":"{x["alpha"]}","beta":"{x["beta"]}"}}' for x in choices)
            + '],"individual_proofs":['
            + ",".join(ip_texts)
            + '],"overall_proof":'
            + overall_text
        )
        blank = None
        if question.blank:
            blank, blank_text = _proof_list(gr, a["blank_proof"], f"answer {i} blank")
            part += ',"blank_proof":' + blank_text
        parts.append(part + "}")
        parsed.append((question, cts, abs_, ip_parsed, overall, blank))
    head = (
        f'{{"election_uuid":"{uuid}","election_hash":"{ehash}","credential":"{cred}",'
        f'"answers":[{",".join(parts)}]'
    )
    if head + f',"signature":{{"hash":"{sig_hash}","proof":{sig_text}}}}}' != ballot_text:
        raise InvalidBallot("not in canonical form")
    if sha256_b64(head + "}") != sig_hash:
        raise InvalidBallot("signature hash does not match the ballot")
    if not proofs.sig_verify(ctx, cred_elt, sig_hash, sig_proof):
        raise InvalidBallot("bad signature")

    for i, (question, cts, abs_, ip_parsed, overall, blank) in enumerate(parsed):
        for j, ((al, be), ab, pr) in enumerate(zip(cts, abs_, ip_parsed, strict=True)):
            if not proofs.iverify01(ctx, S0, ab, al, be, pr):
                raise InvalidBallot(f"answer {i} choice {j}: bad proof of 0 or 1")
        S = S0 + "|" + ",".join(abs_)
        if question.blank:
            if not proofs.blank_verify(
                ctx, S, cts[0], _sum(ctx, cts[1:]), question.min, question.max, overall, blank
            ):
                raise InvalidBallot(f"answer {i}: bad blank or overall proof")
        else:
            sa, sb = _sum(ctx, cts)
            Ms = range(question.min, question.max + 1)
            if not proofs.iverify(ctx, S, f"{gr.to_str(sa)},{gr.to_str(sb)}", sa, sb, Ms, overall):
                raise InvalidBallot(f"answer {i}: bad overall proof")
    return Ballot(
        text=ballot_text,
        hash=sha256_b64(ballot_text),
        election_uuid=uuid,
        election_hash=ehash,
        credential=cred,
        answers=[p[1] for p in parsed],
        signature_hash=sig_hash,
    )

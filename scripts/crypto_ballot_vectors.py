"""Writes tests/crypto/vectors/ballots.json, the known-answer vectors of ballot encryption for
the JavaScript booth (and checked by tests/crypto/test_crypto_ballots_vectors.py).

    .venv/bin/python scripts/crypto_ballot_vectors.py [--check]

Each case: ``group``, ``election`` (the exact election text), ``credential`` (private),
``public_credential``, ``answers`` (the plaintext given to ``ballots.encrypt``), ``randomness``
(the scalars ``rng()`` returns, base 10, in the order ``encrypt`` consumes them — see
``pnyx.crypto.ballots``'s docstring), ``ballot`` (the exact expected ballot text) and
``ballot_hash`` (its smart ballot tracker).
"""

import hashlib
import json
import sys
from pathlib import Path

from pnyx.crypto import ballots, credentials, election, groups

OUT = Path(__file__).resolve().parent.parent / "tests" / "crypto" / "vectors" / "ballots.json"

QUESTIONS = {
    "small": [
        {"question": "Question 1?", "answers": ["Answer 1", "Answer 2"], "min": 0, "max": 1},
        {
            "question": "Oui, non ou abstention ?",
            "answers": ["Oui", "Non", "Abstention"],
            "min": 1,
            "max": 1,
            "blank": True,
        },
    ],
    "approval": [
        {
            "question": "Choisissez 2 parmi 4",
            "answers": ["A", "B", "C", "D"],
            "min": 1,
            "max": 2,
        }
    ],
}

CASES = [
    ("small", [[1, 0], [0, 0, 1, 0]]),
    ("small", [[0, 0], [1, 0, 0, 0]]),
    ("approval", [[0, 1, 0, 1]]),
]


def seeded(gr, seed: str):
    """A deterministic rng: SHA-256(seed | counter) mod q, recording what it returned."""
    used = []
    counter = [0]

    def rng():
        counter[0] += 1
        h = hashlib.sha256(f"{seed}|{counter[0]}".encode()).digest()
        v = int.from_bytes(h, "big") % gr.q
        used.append(v)
        return v

    return rng, used


def build() -> dict:
    cases = []
    for group in ("BELENIOS-2048", "RISTRETTO255"):
        gr = groups.get(group)
        for k, (qname, answers) in enumerate(CASES):
            seed = f"pnyx-vectors|{group}|{k}"
            sk = int.from_bytes(hashlib.sha256(f"{seed}|key".encode()).digest(), "big") % gr.q
            uuid = "PnyxVectors" + "ABCDEFGH"[k] + "1234"
            text = election.make(
                uuid=uuid,
                group=group,
                public_key=gr.g_pow(sk),
                questions=QUESTIONS[qname],
                name=f"Vecteurs {qname}",
                description="Vecteurs de test « booth »",
            )
            e = election.Election.from_json(text)
            cred = "Chz-uyy-NYc-Yzn-yMJ" if k != 1 else "LTf-FG8-ftL-qd8-qdm"
            assert credentials.check(cred)
            rng, used = seeded(gr, seed)
            b = ballots.encrypt(e, answers, cred, rng=rng)
            pub = credentials.public(uuid, gr, cred)
            ballots.verify(e, b, {pub})
            cases.append(
                {
                    "name": f"{group} {qname} {answers}",
                    "group": group,
                    "election": text,
                    "election_hash": e.hash,
                    "credential": cred,
                    "public_credential": pub,
                    "answers": answers,
                    "randomness": [str(v) for v in used],
                    "ballot": b,
                    "ballot_hash": ballots.hash(b),
                }
            )
    return {
        "description": (
            "Known-answer vectors of pnyx.crypto.ballots.encrypt: with rng returning "
            "'randomness' in order, encrypt(election, answers, credential) must return "
            "exactly 'ballot' (compact JSON, field order of the Belenios specification)."
        ),
        "cases": cases,
    }


def render() -> str:
    return json.dumps(build(), indent=1, ensure_ascii=False) + "\n"


def main():
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == text else 1)
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(text)} bytes)")


if __name__ == "__main__":
    main()

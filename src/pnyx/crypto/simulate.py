"""A whole verifiable election run by Pnyx, offline, written as a ``.bel`` record: for tests,
interop with belenios-tool and benchmarks of ``verify_election``.

``run(path, group, questions, votes, ...)``: threshold trustees (the Belenios protocol, steps
1-6) and optionally a Single one, Pnyx credentials, Python ballots (``ballots.encrypt``), the
encrypted tally, the trustees' partial decryptions, the result, the archive. Pure: no Django.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import archive, groups, trustees
from .trustees import Trustees, dumps


def encrypted_tally(
    group: Any, ballot_texts: Sequence[str], weights: Sequence[int] | None = None
) -> str:
    """Section "Encrypted tally": the pointwise product of the ballots' ciphertexts, each
    raised to its weight."""
    acc = None
    for k, text in enumerate(ballot_texts):
        w = 1 if weights is None else weights[k]
        rows = []
        for ans in json.loads(text)["answers"]:
            row = []
            for c in ans["choices"]:
                a, b = group.from_str(c["alpha"]), group.from_str(c["beta"])
                if w != 1:
                    a, b = group.pow(a, w), group.pow(b, w)
                row.append((a, b))
            rows.append(row)
        if acc is None:
            acc = rows
        else:
            acc = [
                [
                    (group.mul(x[0], y[0]), group.mul(x[1], y[1]))
                    for x, y in zip(qa, qb, strict=True)
                ]
                for qa, qb in zip(acc, rows, strict=True)
            ]
    if acc is None:
        raise ValueError("no ballot to tally")
    return dumps([[{"alpha": group.to_str(a), "beta": group.to_str(b)} for a, b in q] for q in acc])


@dataclass
class Setup:
    group: Any
    trustees_text: str
    trustees: Trustees
    single_secret: int | None
    shares: list[int]


def setup_trustees(group: Any, *, n: int = 3, threshold: int = 2, single: bool = True) -> Setup:
    seeds, certs = zip(*(trustees.step1(group) for _ in range(n)), strict=True)
    polys = [trustees.step3(group, certs, s, threshold) for s in seeds]
    vinputs = trustees.step4(group, certs, polys)
    vos = [trustees.step5(group, certs, s, v) for s, v in zip(seeds, vinputs, strict=True)]
    tparams, dkeys = trustees.step6(group, certs, polys, vos)
    shares = [trustees.threshold_secret(group, s, d) for s, d in zip(seeds, dkeys, strict=True)]
    singles, x = [], None
    if single:
        priv, pub = trustees.generate_single(group)
        singles.append(pub)
        x = trustees.read_private_key(group, priv)
    text = trustees.make_trustees(singles, [tparams])
    return Setup(group, text, Trustees.from_json(group, text), x, shares)


_E: dict[str, Any] = {}


def _encrypt_init(election_text: str) -> None:
    from . import election

    _E["e"] = election.Election.from_json(election_text)


def _encrypt_one(args: tuple[list[list[int]], str]) -> str:
    from . import ballots

    return ballots.encrypt(_E["e"], args[0], args[1])


def run(
    path: str | os.PathLike,
    group: str,
    questions: list[dict],
    votes: Sequence[list[list[int]]],
    *,
    voters: int | None = None,
    threshold_pds: Sequence[int] = (0, 1),
    processes: int = 1,
    timestamp: int = 1800000000,
    revotes: Sequence[tuple[int, list[list[int]]]] = (),
    weights: Sequence[int] | None = None,
) -> dict:
    """Runs the election and writes the record; returns {uuid, election, result, ...}.
    ``votes[k]`` is voter k's answers; ``revotes`` (voter, answers) are cast after them (the
    last ballot of a voter counts); ``threshold_pds`` the threshold trustees who decrypt."""
    from . import credentials, election

    g = groups.get(group)
    st = setup_trustees(g)
    uuid = election.new_uuid()
    etext = election.make(
        uuid=uuid,
        group=g,
        public_key=st.trustees.public_key,
        questions=questions,
        name="Pnyx test election",
        description="Run by pnyx.crypto.simulate",
    )
    n = voters or len(votes)
    creds = credentials.generate(uuid, g, n)
    if weights is None:
        pub_json = credentials.public_credentials_json(sorted(p for _, p in creds))
    else:
        pub_json = credentials.public_credentials_json(
            sorted(f"{p},{w}" for (_, p), w in zip(creds, weights, strict=True))
        )
    jobs = [(v, creds[k][0]) for k, v in enumerate(votes)] + [(v, creds[k][0]) for k, v in revotes]
    if processes > 1:
        ctx = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        )
        with ctx.Pool(processes, _encrypt_init, (etext,)) as pool:
            texts = pool.map(_encrypt_one, jobs, chunksize=32)
    else:
        _encrypt_init(etext)
        texts = [_encrypt_one(j) for j in jobs]
    b = archive.Builder(timestamp)
    b.setup(etext, st.trustees_text, pub_json)
    for t in texts:
        b.ballot(t)
    b.end_ballots()
    last: dict[int, int] = {}
    voter_of = list(range(len(votes))) + [k for k, _ in revotes]
    for i, k in enumerate(voter_of):
        last[k] = i
    order = sorted(last.values())
    counted = [texts[i] for i in order]
    ws = [1 if weights is None else weights[voter_of[i]] for i in order]
    et = encrypted_tally(g, counted, ws)
    b.encrypted_tally(et, len(counted), sum(ws))
    fp = election.Election.from_json(etext).hash
    pds = []
    if st.single_secret is not None:
        pds.append((1, trustees.decryption_factors(g, fp, et, st.single_secret)))
    first = 2 if st.single_secret is not None else 1
    for i in threshold_pds:
        pds.append((first + i, trustees.decryption_factors(g, fp, et, st.shares[i])))
    for owner, pd in pds:
        b.partial_decryption(owner, pd)
    result = st.trustees.combine(fp, et, pds, total_weight=sum(ws))
    b.result(result)
    b.write(path)
    return {
        "uuid": uuid,
        "election": etext,
        "result": json.loads(result)["result"],
        "credentials": creds,
    }

"""Worker processes for bulk cryptography (the demo's ballots, the bulk cast's checks).

Imports no Django (workers are spawned: they import only this module and `pnyx.crypto`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

_state: dict = {}


def _init(election_text: str, creds) -> None:
    from pnyx.crypto import election

    _state["el"] = election.Election.from_json(election_text)
    _state["creds"] = creds


def _encrypt(job) -> str:
    from pnyx.crypto import ballots

    answers, credential = job
    return ballots.encrypt(_state["el"], answers, credential)


def _verify(text: str) -> tuple[str, str]:
    from pnyx.crypto import ballots

    b = ballots.verify(_state["el"], text, _state["creds"])
    return b.credential, b.hash


def _run(fn, election_text: str, creds, items: Sequence, processes: int) -> list:
    if processes <= 1 or len(items) <= 50:
        _init(election_text, creds)
        return [fn(x) for x in items]
    with ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init,
        initargs=(election_text, creds),
    ) as pool:
        return list(pool.map(fn, items, chunksize=max(1, len(items) // (4 * processes))))


def encrypt_many(election_text: str, jobs: Sequence[tuple[list[list[int]], str]], processes: int):
    """`ballots.encrypt` of each (answers, private credential)."""
    return _run(_encrypt, election_text, None, jobs, processes)


def verify_many(election_text: str, creds, texts: Sequence[str], processes: int):
    """`ballots.verify` of each ballot text: (credential, hash) each; raises InvalidBallot."""
    return _run(_verify, election_text, creds, texts, processes)

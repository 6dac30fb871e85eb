"""Rounds of casts racing a close (or an opening), shared by the PostgreSQL and SQLite tests.

Each round releases every job together (threads and a barrier; each thread on its own database
connection) and reports in plain data what the invariant is checked on. The SQLite test runs
this file in a subprocess on a real database file (WAL, `transaction_mode` IMMEDIATE, the
production settings), because the in-memory test database cannot take concurrent writers:

    python tests/votes/votes_racing.py DB_FILE ROUNDS VOTERS   (prints one JSON line)
"""

from __future__ import annotations

import json
import os
import sys
import threading
import uuid


def run_together(jobs):
    """Run the callables (each given the barrier) in threads; return outcomes in order."""
    from django.db import connection
    from django.utils import translation

    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(i, job):
        translation.activate("en")  # messages are compared in English (msgids)
        try:
            outcomes[i] = job(barrier)
        except Exception as exc:  # reported by the caller's checks
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if any(t.is_alive() for t in threads):
        raise AssertionError("a thread is stuck (deadlock?)")
    return outcomes


def new_vote(convention, voters: int):
    from pnyx.members.models import Member
    from pnyx.votes import actions

    vote = actions.create_vote(
        convention,
        "orga",
        mode="published",
        question="Q",
        method="approval",
        max_choices=1,
        seats=1,
    )
    for t in ("A", "B", "C"):
        actions.add_option(vote, "orga", title=t)
    tag = uuid.uuid4().hex[:8]
    members = [
        Member.objects.create(
            external_id=f"R{tag}{i:03d}",
            first_name="Race",
            last_name=f"Voter{i}",
            email=f"race-{tag}-{i}@example.org",
            gender="F",
            region="Bretagne",
            birth_year=1980,
            joined_on="2017-01-01",
        )
        for i in range(voters)
    ]
    return vote, members


def cast_job(vote_pk, member, code):
    def job(barrier):
        from pnyx.votes import actions
        from pnyx.votes.models import Vote

        vote = Vote.objects.get(pk=vote_pk)  # read before the close: this copy says "open"
        barrier.wait()
        return actions.cast(vote, member, [code])

    return job


def close_job(vote_pk):
    def job(barrier):
        from pnyx.votes import actions
        from pnyx.votes.models import Vote

        vote = Vote.objects.get(pk=vote_pk)
        barrier.wait()
        return actions.close_vote(vote, "orga").status

    return job


def due_close_job(vote_pk, now):
    """`pnyx close-votes` run at `now`, past the vote's closing time (casts still see it open:
    their clock is before the closing time)."""

    def job(barrier):
        from pnyx.votes import actions

        barrier.wait()
        closed = [v for v in actions.close_due_votes(now=now) if v.pk == vote_pk]
        return closed[0].status if closed else "not closed"

    return job


def report(vote_pk, outcomes) -> dict:
    """What happened in a round, in plain data."""
    from pnyx.votes.models import Ballot, Participation, Publication

    pub = Publication.objects.filter(vote_id=vote_pk).first()
    rows = [] if pub is None else pub.content.splitlines()
    published = [line.split(",")[0] for line in rows if line and not line.startswith("#")][1:]
    return {
        "receipts": [o for o in outcomes if isinstance(o, str)],
        "refused": [[type(o).__name__, str(o)] for o in outcomes if isinstance(o, Exception)],
        "published": published,
        "published_count": None if pub is None else pub.ballots,
        "participations": Participation.objects.filter(vote_id=vote_pk).count(),
        "ballots": Ballot.objects.filter(vote_id=vote_pk).count(),
    }


def close_rounds(convention, rounds: int, voters: int, *, due: bool = False) -> list[dict]:
    """Rounds of `voters` casts released together with the close (`due`: the automatic one)."""
    from datetime import timedelta

    from pnyx.votes import actions

    reports = []
    for _ in range(rounds):
        vote, members = new_vote(convention, voters)
        vote = actions.open_vote(vote, "orga", minutes=60 if due else None)
        codes = list(vote.options.values_list("code", flat=True))
        jobs = [cast_job(vote.pk, m, codes[i % 3]) for i, m in enumerate(members)]
        if due:
            closer = due_close_job(vote.pk, vote.closes_at + timedelta(seconds=1))
        else:
            closer = close_job(vote.pk)
        jobs.insert(voters // 2, closer)
        outcomes = run_together(jobs)
        closed = outcomes.pop(voters // 2)
        r = report(vote.pk, outcomes)
        r["close"] = closed if isinstance(closed, str) else repr(closed)
        reports.append(r)
    return reports


def check_invariant(r: dict) -> tuple[int, int]:
    """Every receipt returned is published; published == participations == successful casts;
    every refused cast got "This vote is closed." (VoteClosed). Returns (counted, refused)."""
    assert r["close"] == "closed", r["close"]
    missing = sorted(set(r["receipts"]) - set(r["published"]))
    assert not missing, f"{len(missing)} receipts not published, of {len(r['receipts'])}"
    assert sorted(r["published"]) == sorted(r["receipts"])
    assert r["published_count"] == r["participations"] == r["ballots"] == len(r["receipts"])
    assert all(
        kind == "VoteClosed" and msg == "This vote is closed." for kind, msg in r["refused"]
    ), r["refused"]
    return len(r["receipts"]), len(r["refused"])


def main(argv: list[str]) -> int:
    path, rounds, voters = argv[0], int(argv[1]), int(argv[2])
    os.environ["PNYX_SQLITE_PATH"] = path
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
    import django

    django.setup()
    from django.utils import translation

    from pnyx.programme.models import Convention

    translation.activate("en")
    convention = Convention.objects.get(is_current=True)
    print(json.dumps(close_rounds(convention, rounds, voters)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

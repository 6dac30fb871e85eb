"""Casting while the vote closes: a receipt is never issued for a ballot that is not counted.

Each round releases the casts and the close together (threads and a barrier, each thread on
its own database connection), then checks the invariant: every receipt returned is in the
published file, published count == participations == successful casts, and every cast that
lost the race got the "vote closed" answer and no receipt.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from votes_racing import check_invariant, close_rounds


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_casts_racing_the_close_on_postgresql(convention):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    rounds, voters = 15, 30
    totals = [check_invariant(r) for r in close_rounds(convention, rounds, voters)]
    assert sum(c + r for c, r in totals) == rounds * voters
    # The race is real: in some rounds both outcomes happened.
    assert sum(c for c, _ in totals) > 0 and sum(r for _, r in totals) > 0, totals


@pytest.mark.django_db(transaction=True)
def test_casts_racing_the_close_on_sqlite(convention, tmp_path):
    """The production SQLite settings (WAL, IMMEDIATE transactions) on a real file: a copy of
    the test database, raced in a subprocess (the in-memory test database refuses
    concurrent writers)."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant (PostgreSQL has its own test)")
    path = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    rounds, voters = 4, 12
    script = Path(__file__).with_name("votes_racing.py")
    out = subprocess.run(
        [sys.executable, str(script), str(path), str(rounds), str(voters)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    reports = json.loads(out.stdout.strip().splitlines()[-1])
    totals = [check_invariant(r) for r in reports]
    assert sum(c + r for c, r in totals) == rounds * voters


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cast_pages_racing_the_close_button(convention, organizer):
    """The same race through the pages: POSTs to /voter/ released with the organizer's close;
    a cast gets its receipt (then published) or the page "This vote is closed." (400)."""
    import re

    from django.test import Client
    from votes_racing import new_vote, report, run_together

    from pnyx.members.actions import user_for_member
    from pnyx.votes import actions
    from pnyx.votes.models import Status, Vote

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    for _ in range(3):
        vote, members = new_vote(convention, 16)
        vote = actions.open_vote(vote, "orga")
        clients = []
        for m in members:
            c = Client()
            c.cookies["django_language"] = "en"
            c.force_login(user_for_member(m))
            clients.append(c)
        orga = Client()
        orga.force_login(organizer)

        def post(c, url=f"/votes/{vote.pk}/voter/"):
            def job(barrier):
                barrier.wait()
                r = c.post(url, {"choice": ["P01"]})
                found = re.search(r'id="receipt">([A-Z0-9-]+)<', r.content.decode())
                if r.status_code == 200 and found:
                    return found.group(1)
                assert r.status_code == 400 and "This vote is closed." in r.content.decode()
                return actions.VoteClosed("This vote is closed.")

            return job

        def close(barrier, orga=orga, url=f"/votes/organisation/{vote.pk}/close/"):
            barrier.wait()
            return orga.post(url, {"confirm": "yes"})

        outcomes = run_together([post(c) for c in clients] + [close])
        closed = outcomes.pop()
        assert closed.status_code == 302, closed
        assert Vote.objects.get(pk=vote.pk).status == Status.CLOSED
        r = report(vote.pk, outcomes)
        r["close"] = "closed"
        check_invariant(r)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_casts_racing_close_votes_on_postgresql(convention):
    """The same invariant when `pnyx close-votes` closes the vote (close_due_votes)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    rounds, voters = 6, 30
    totals = [check_invariant(r) for r in close_rounds(convention, rounds, voters, due=True)]
    assert sum(c + r for c, r in totals) == rounds * voters


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_options_added_while_the_vote_opens_on_postgresql(convention):
    """Adds of options released together with the opening: an option is either in the
    journaled opening (and on the ballot) or refused, never added to an open vote."""
    from votes_racing import new_vote, run_together

    from pnyx.journal.models import JournalEntry
    from pnyx.votes import actions
    from pnyx.votes.actions import VoteError
    from pnyx.votes.models import Option, Vote

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    for _ in range(5):
        vote, _members = new_vote(convention, 0)

        def add(barrier, pk=vote.pk, i=0):
            v = Vote.objects.get(pk=pk)
            barrier.wait()
            return actions.add_option(v, "orga", title=f"Late {i}", code=f"L{i:02d}").code

        def open_(barrier, pk=vote.pk):
            v = Vote.objects.get(pk=pk)
            barrier.wait()
            return actions.open_vote(v, "orga").status

        jobs = [lambda b, i=i: add(b, i=i) for i in range(12)]
        jobs.insert(6, open_)
        outcomes = run_together(jobs)
        assert outcomes.pop(6) == "open"
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert all(isinstance(o, VoteError) and "no longer change" in str(o) for o in refused)
        opened = JournalEntry.objects.get(action="vote.opened", object_id=str(vote.pk))
        in_db = set(Option.objects.filter(vote=vote).values_list("code", flat=True))
        assert set(opened.payload["options"]) == in_db
        assert in_db == {"P01", "P02", "P03"} | {o for o in outcomes if isinstance(o, str)}

"""Races of the assembly (PostgreSQL only: the in-memory SQLite test database takes one writer).

Two organizers launching the same wave: one wave, the other is told so. A member accepting
while a wave is launched: the wave is sized on a consistent state (the answer is either
counted and its seat taken, or neither).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from pnyx.assembly import actions
from pnyx.assembly.models import Wave
from pnyx.journal.models import JournalEntry


def run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            outcomes[i] = job()
        except Exception as exc:  # checked by the caller
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return outcomes


pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def test_two_organizers_launch_the_same_wave(drawn_college, organizer):
    for _ in range(3):
        outcomes = run_together(
            [lambda: actions.launch_wave(drawn_college, size=8, actor=organizer)] * 2
        )
        waves = [o for o in outcomes if isinstance(o, Wave)]
        errors = [o for o in outcomes if isinstance(o, actions.AssemblyError)]
        assert len(waves) == 1 and len(errors) == 1, outcomes
        assert drawn_college.waves.count() == 1
        Wave.objects.all().delete()


def test_an_answer_while_a_wave_is_launched(assembly, organizer, run_wave):
    college = actions.add_college(
        assembly, name="Libre", seats=6, eligibility="members", actor=organizer
    )
    wave = run_wave(college, size=8)
    invited = list(wave.candidates.filter(status="invited").select_related("member"))
    actions.answer(invited[0], accept=True, public_name="A", actor=invited[0].member)
    for c in invited[1:4]:
        actions.answer(c, accept=False, actor=c.member)
    for c in invited[4:7]:
        outcomes = run_together(
            [
                lambda c=c: actions.answer(c, accept=True, public_name="B", actor=c.member),
                lambda: actions.launch_wave(college, actor=organizer),
            ]
        )
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        launched = JournalEntry.objects.filter(action="assembly.wave_launched").latest("seq")
        p = launched.payload
        # Free seats and answers were read together: every acceptance took a seat.
        assert p["open_seats"] + p["counts"]["accepted"] == 6, p
        Wave.objects.filter(pk=launched.object_id).delete()

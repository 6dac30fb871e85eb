"""Races on PostgreSQL: every moderation and the start of the votes lock the charter's row."""

import datetime as dt
import threading

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(jobs):
    """Run the callables at the same moment, each thread on its own connection."""
    from django.utils import translation

    barrier = threading.Barrier(len(jobs))
    out: list = [None] * len(jobs)

    def run(i, job):
        translation.activate("en")
        try:
            barrier.wait()
            out[i] = job()
        except Exception as exc:  # compared below
            out[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return out


@pytest.fixture
def setting(convention, make_member):
    from django.utils import timezone

    from pnyx.charter import actions

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    now = timezone.now()
    charter = actions.import_markdown(
        convention,
        "# Charte\n\n## S\n\nUn.\n\nDeux.\n",
        actor="test",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
    )
    first = charter.articles.get(number=1)
    people = [make_member() for _ in range(3)]
    made = [
        actions.submit_amendment(
            charter, first, actor=m, kind="replace", text=f"Un, version {i}.", justification="x"
        )
        for i, m in enumerate(people)
    ]
    return charter, made


def test_two_organizers_merge_the_same_amendment(setting):
    from pnyx.charter import actions
    from pnyx.charter.actions import CharterError
    from pnyx.charter.models import Amendment

    charter, (a, b, c) = setting
    for _ in range(5):
        Amendment.objects.filter(charter=charter).update(state="submitted", merged_into=None)
        out = together(
            [
                lambda: actions.merge(a, [c], actor="orga-1"),
                lambda: actions.merge(b, [c], actor="orga-2"),
            ]
        )
        wins = [o for o in out if isinstance(o, Amendment)]
        losses = [o for o in out if isinstance(o, CharterError)]
        assert len(wins) == 1 and len(losses) == 1, out
        assert "already merged into" in str(losses[0])
        assert Amendment.objects.get(pk=c.pk).merged_into_id == wins[0].pk


def test_moderation_racing_the_start_of_the_votes(setting):
    """The window is closed and one amendment waits: either it is rejected first and the votes
    start, or the start is refused (one waits) and the rejection goes through: never a
    rejection recorded after the votes began."""
    from django.utils import timezone

    from pnyx.charter import actions
    from pnyx.charter.actions import CharterError
    from pnyx.charter.models import Amendment, Charter

    charter, (a, b, c) = setting
    actions.accept(a, actor="test")
    actions.accept(b, actor="test")
    now = timezone.now()
    actions.set_window(charter, actor="test", opens_at=now - dt.timedelta(hours=2), closes_at=now)
    out = together(
        [
            lambda: actions.reject(c, actor="orga-1", reason="doublon"),
            lambda: actions.start_votes(charter, actor="orga-2"),
        ]
    )
    charter.refresh_from_db()
    state = Amendment.objects.get(pk=c.pk).state
    assert state == "rejected"  # the start never runs with c pending
    if isinstance(out[1], CharterError):
        assert "waiting for moderation" in str(out[1])
        assert charter.status == Charter.Status.AMENDING
    else:
        assert charter.status == Charter.Status.VOTING
        assert [x.pk for x in actions.voting_order(charter)] == [a.pk, b.pk]

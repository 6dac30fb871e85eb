"""Secrecy by construction, and one ballot per member under concurrent requests."""

import threading

import pytest
from django.db import close_old_connections, connection, models

from pnyx.votes import actions
from pnyx.votes.actions import AlreadyVoted
from pnyx.votes.models import Ballot, Participation, Publication


def test_no_ballot_column_can_be_joined_back_to_a_member():
    fields = {f.name: f for f in Ballot._meta.get_fields()}
    assert set(fields) == {"id", "vote", "receipt", "content"}
    # No foreign key but the vote, no time, no sequential key.
    for f in fields.values():
        if f.is_relation:
            assert f.related_model.__name__ == "Vote"
        assert not isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
        assert not isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField)
    assert isinstance(fields["id"], models.UUIDField) and fields["id"].default.__name__ == "uuid4"
    assert Ballot._meta.ordering in ([], None)
    # Participation says who, never what nor when.
    pfields = {f.name for f in Participation._meta.get_fields()}
    # `credential`: verifiable mode's public credential (NULL in published mode).
    assert pfields == {"id", "vote", "member", "credential"}


def test_published_order_does_not_follow_casting_order(make_vote, make_member):
    vote = make_vote("approval", n_options=4, max_choices=1, seats=1)
    c = list(vote.options.values_list("code", flat=True))
    voters = [make_member() for _ in range(40)]
    receipts = [actions.cast(vote, m, [c[i % 4]]) for i, m in enumerate(voters)]
    # Receipts are random, ballot keys are random: neither follows the order of casting.
    assert receipts != sorted(receipts)
    ids = list(Ballot.objects.filter(vote=vote).values_list("id", flat=True))
    assert len({i.version for i in ids}) == 1 and ids[0].version == 4
    actions.close_vote(vote, "orga")
    text = Publication.objects.get(vote=vote).content
    rows = [line for line in text.splitlines() if line and not line.startswith("#")][1:]
    published = [r.split(",")[0] for r in rows]
    assert published == sorted(receipts)  # sorted by receipt: the order of casting is gone
    assert "T0" not in text and "@" not in text and "Nom" not in text  # no voter in the file
    for m in voters:
        assert m.external_id not in text and m.email not in text


def test_no_log_line_carries_a_ballot(make_vote, member_client, caplog):
    vote = make_vote("approval", n_options=3, max_choices=1, seats=1)
    code = vote.options.first().code
    with caplog.at_level("DEBUG"):
        r = member_client.post(f"/votes/{vote.pk}/voter/", {"choice": code})
    assert r.status_code == 200
    receipt = Ballot.objects.get(vote=vote).receipt
    assert receipt not in caplog.text
    assert Participation.objects.filter(vote=vote).count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_attempts_by_one_member_give_one_ballot(convention, make_member):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises writers)")
    from pnyx.votes.models import Vote

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
    vote = actions.open_vote(vote, "orga")
    member = make_member()
    others = [make_member() for _ in range(10)]
    codes = list(vote.options.values_list("code", flat=True))
    barrier = threading.Barrier(50 + len(others))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(m, i):
        try:
            v = Vote.objects.get(pk=vote.pk)
            barrier.wait()
            actions.cast(v, m, [codes[i % 3]])
            result = "ok"
        except AlreadyVoted:
            result = "already"
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            result = repr(exc)
        finally:
            close_old_connections()
            connection.close()
        with lock:
            outcomes.append(result if m == member else f"other:{result}")

    threads = [threading.Thread(target=attempt, args=(member, i)) for i in range(50)]
    threads += [threading.Thread(target=attempt, args=(m, i)) for i, m in enumerate(others)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mine = [o for o in outcomes if not o.startswith("other:")]
    assert mine.count("ok") == 1 and mine.count("already") == 49, mine
    assert outcomes.count("other:ok") == len(others)
    assert Participation.objects.filter(vote=vote, member=member).count() == 1
    assert (
        Participation.objects.filter(vote=vote).count()
        == Ballot.objects.filter(vote=vote).count()
        == 11
    )

"""Casting is rate limited per address and voter (pnyx.core.ratelimit; the hall's NAT)."""

from datetime import UTC, datetime

import pytest

from pnyx.core import ratelimit
from pnyx.votes.models import Ballot, Participation

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 4, 10, 0, 5, tzinfo=UTC)  # 5 s into a minute: no window ends mid-test


@pytest.fixture(autouse=True)
def limits(settings, monkeypatch):
    monkeypatch.setattr(ratelimit, "_now", lambda: T0)
    settings.PNYX_RATE_LIMITS = {**settings.PNYX_RATE_LIMITS, "cast": "2/m"}


def test_casting_over_the_limit_is_429_and_nothing_is_cast(make_vote, member_client):
    vote = make_vote("approval", n_options=5, max_choices=2, seats=2)
    url = f"/votes/{vote.pk}/voter/"
    for _ in range(2):  # two refused ballots (too many choices) count too
        assert member_client.post(url, {"choice": ["P01", "P02", "P03"]}).status_code == 400
    r = member_client.post(url, {"choice": ["P01"]})
    assert r.status_code == 429
    assert not Ballot.objects.exists() and not Participation.objects.exists()
    # The same voter from another address is counted apart.
    r = member_client.post(url, {"choice": ["P01"]}, REMOTE_ADDR="198.51.100.4")
    assert r.status_code == 200 and Ballot.objects.count() == 1


def test_voters_behind_one_address_count_apart(make_vote, client, make_member):
    """A hall's phones share the venue's public address: each voter has their own count."""
    from pnyx.members.actions import user_for_member

    vote = make_vote("approval", n_options=5, max_choices=2, seats=2)
    for _ in range(5):
        client.force_login(user_for_member(make_member()))
        r = client.post(f"/votes/{vote.pk}/voter/", {"choice": ["P01"]}, REMOTE_ADDR="203.0.113.1")
        assert r.status_code == 200
    assert Ballot.objects.count() == 5

"""Fixtures of the charter tests: a short charter imported from Markdown, members present in
the hall, and a helper that runs the hall's votes."""

import datetime as dt

import pytest
import time_machine
from charter_text import SOURCE
from django.utils import timezone

#: A fixed moment for every charter test (time is an input).
T0 = dt.datetime(2030, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def charter(convention, organizer, clock):
    from pnyx.charter import actions

    return actions.import_markdown(
        convention,
        SOURCE,
        actor=organizer,
        opens_at=T0 - dt.timedelta(days=1),
        closes_at=T0 + dt.timedelta(days=1),
    )


@pytest.fixture
def hall(convention, make_member):
    """Six members, checked in at the convention (the electorate of in-hall votes)."""
    from pnyx.programme.models import Participant

    people = [make_member() for _ in range(6)]
    for m in people:
        Participant.objects.create(
            convention=convention, member=m, source="invited", checked_in_at=timezone.now()
        )
    return people


@pytest.fixture
def run_votes(organizer, hall):
    """Run every remaining vote of a charter: `ballots` gives, per item, how many of the hall
    vote yes, no, abstain (the rest do not vote)."""
    from pnyx.charter import actions
    from pnyx.votes import actions as votes

    def run(charter, ballots):
        for yes, no, abstain in ballots:
            vote = actions.open_next_vote(charter, actor=organizer, minutes=5)
            choices = ["POUR"] * yes + ["CONTRE"] * no + ["ABSTENTION"] * abstain
            for member, code in zip(hall, choices, strict=False):
                votes.cast(vote, member, [code])
            charter = actions.close_current_vote(charter, actor=organizer)
        return charter

    return run


@pytest.fixture
def member_client(clock, client, make_member):
    """As the root fixture, signed in at the frozen moment (a session has an expiry date)."""
    from pnyx.members.actions import user_for_member

    member = make_member()
    client.force_login(user_for_member(member))
    client.member = member
    return client


@pytest.fixture
def organizer_client(clock, client, organizer):
    client.force_login(organizer)
    return client

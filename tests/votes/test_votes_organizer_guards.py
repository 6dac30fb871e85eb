"""Organizer actions that must not happen by accident or from nonsense: closing asks for
confirmation on the server; durations and closing times are checked with a clear error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from pnyx.journal.models import JournalEntry
from pnyx.votes import actions
from pnyx.votes.actions import VoteError
from pnyx.votes.models import Status, Vote


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    """Pages pick their language per request: these tests read their English msgids."""
    client.cookies["django_language"] = "en"


# --- closing asks for confirmation -----------------------------------------------------------


def test_close_without_confirmation_only_asks(make_vote, members, organizer_client):
    vote = make_vote()
    actions.cast(vote, members[0], ["P01"])
    url = f"/votes/organisation/{vote.pk}/close/"
    for data in ({}, {"confirm": ""}, {"confirm": "no"}, {"announce": "yes"}):
        r = organizer_client.post(url, data)
        html = r.content.decode()
        assert r.status_code == 200, data
        # The confirmation page: what closing does, and a form that confirms it.
        assert "Close the vote?" in html and 'name="confirm" value="yes"' in html
        assert "1 member has voted" in html
        vote.refresh_from_db()
        assert vote.status == Status.OPEN, data
    assert not JournalEntry.objects.filter(action="vote.closed").exists()
    assert organizer_client.get(url).status_code == 405
    r = organizer_client.post(url, {"confirm": "yes"})
    assert r.status_code == 302
    vote.refresh_from_db()
    assert vote.status == Status.CLOSED and not vote.announcing
    assert JournalEntry.objects.filter(action="vote.closed", object_id=str(vote.pk)).count() == 1


def test_the_manage_page_close_button_leads_to_the_confirmation(make_vote, organizer_client):
    vote = make_vote()
    html = organizer_client.get(f"/votes/organisation/{vote.pk}/").content.decode()
    form = html[html.index(f'action="/votes/organisation/{vote.pk}/close/"') :]
    form = form[: form.index("</form>")]
    assert 'name="confirm"' not in form  # the button asks; only the next page confirms


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (-5, "at least one minute"),
        (0, "at least one minute"),
        ("0", "at least one minute"),
        ("-1", "at least one minute"),
        (10**12, "may not exceed 44640 minutes"),
        ("99999999999", "may not exceed 44640 minutes"),
        (44641, "may not exceed 44640 minutes"),
        ("abc", "whole number of minutes"),
        ("2.5", "whole number of minutes"),
        (2.5, "whole number of minutes"),
        ("1e3", "whole number of minutes"),
        (True, "whole number of minutes"),
    ],
)
def test_open_vote_refuses_nonsense_durations(make_vote, minutes, message):
    vote = make_vote(open_=False)
    with pytest.raises(VoteError, match=message):
        actions.open_vote(vote, "orga", minutes=minutes)
    vote.refresh_from_db()
    assert vote.status == Status.DRAFT and vote.closes_at is None
    assert not JournalEntry.objects.filter(action="vote.opened").exists()


def test_open_vote_accepts_sensible_durations(make_vote):
    for minutes, expected in ((1, 1), ("5", 5), (" 30 ", 30), (44640, 44640), ("", None)):
        vote = actions.open_vote(make_vote(open_=False), "orga", minutes=minutes)
        if expected is None:
            assert vote.closes_at is None
        else:
            assert vote.closes_at - vote.opens_at == dt.timedelta(minutes=expected)


@pytest.mark.parametrize("minutes", ["-5", "0", "abc", "99999999999", "1e9", "٣"])
def test_open_page_shows_a_clear_error_for_nonsense_durations(make_vote, organizer_client, minutes):
    vote = make_vote(open_=False)
    r = organizer_client.post(f"/votes/organisation/{vote.pk}/open/", {"minutes": minutes})
    assert r.status_code == 302
    texts = [str(m) for m in get_messages(r.wsgi_request)]
    assert any("minute" in t for t in texts), texts
    vote.refresh_from_db()
    assert vote.status == Status.DRAFT and vote.closes_at is None


def test_open_vote_refuses_a_closing_time_before_the_opening(make_vote):
    now = timezone.now()
    vote = make_vote(open_=False, opens_at=now + dt.timedelta(hours=2))
    Vote.objects.filter(pk=vote.pk).update(closes_at=now + dt.timedelta(hours=1))
    vote.refresh_from_db()
    with pytest.raises(VoteError, match="closing time must be after the opening time"):
        actions.open_vote(vote, "orga")
    # Without an opening time, opening now with a closing time in the past: a negative vote.
    late = make_vote(open_=False)
    Vote.objects.filter(pk=late.pk).update(closes_at=now - dt.timedelta(minutes=1))
    late.refresh_from_db()
    with pytest.raises(VoteError, match="closing time must be after the opening time"):
        actions.open_vote(late, "orga")
    assert Vote.objects.filter(status=Status.OPEN).count() == 0


def _form(**extra):
    return {
        "question": "Adopter la charte ?",
        "method": "approval",
        "max_choices": 1,
        "seats": 1,
        "electorate": "members",
        **extra,
    }


def _local(d):
    return timezone.localtime(d).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (dt.timedelta(hours=2), dt.timedelta(hours=1), "must be after the opening time"),
        (dt.timedelta(hours=2), dt.timedelta(hours=2), "must be after the opening time"),
        (None, dt.timedelta(hours=-1), "has already passed"),
    ],
)
def test_vote_form_refuses_nonsense_times(organizer_client, convention, opens, closes, message):
    now = timezone.now()
    data = _form(closes_at=_local(now + closes))
    if opens is not None:
        data["opens_at"] = _local(now + opens)
    r = organizer_client.post("/votes/organisation/", data)
    assert r.status_code == 200 and message in r.content.decode()
    assert not Vote.objects.filter(question="Adopter la charte ?").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_choices", "-1"), ("seats", "0"), ("seats", "99999999999"), ("closes_at", "31/02")],
)
def test_vote_form_refuses_nonsense_numbers(organizer_client, convention, field, value):
    r = organizer_client.post("/votes/organisation/", _form(**{field: value}))
    assert r.status_code == 200 and 'class="errorlist' in r.content.decode()
    assert not Vote.objects.filter(question="Adopter la charte ?").exists()


def test_vote_form_accepts_sensible_times(organizer_client, convention):
    now = timezone.now()
    data = _form(opens_at=_local(now + dt.timedelta(hours=1)))
    data["closes_at"] = _local(now + dt.timedelta(hours=3))
    assert organizer_client.post("/votes/organisation/", data).status_code == 302
    vote = Vote.objects.get(question="Adopter la charte ?")
    assert vote.closes_at - vote.opens_at == dt.timedelta(hours=2)

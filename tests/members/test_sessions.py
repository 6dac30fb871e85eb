"""Revoking a badge ends the sessions it opened; deactivating a member ends all of theirs."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from pnyx.journal.models import JournalEntry
from pnyx.members import actions as member_actions
from pnyx.programme import actions as programme_actions
from pnyx.programme.models import Convention, Participant
from pnyx.votes import actions as vote_actions
from pnyx.votes.models import Ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(db, organizer):
    today = timezone.localdate()
    convention = Convention.objects.create(
        slug="c", name="Convention", starts_on=today, ends_on=today, is_current=True
    )
    vote = vote_actions.create_vote(
        convention,
        organizer,
        mode="published",
        question="Dans la salle ?",
        method="approval",
        max_choices=1,
        seats=1,
        electorate="present",
    )
    for title in ("Oui", "Non"):
        vote_actions.add_option(vote, organizer, title=title)
    return convention, vote_actions.open_vote(vote, organizer)


def _badge_client(participant) -> Client:
    c = Client()
    assert c.post(participant.badge_path()).status_code == 302
    assert "_auth_user_id" in c.session
    return c


def _link_client(member) -> Client:
    c = Client()
    mail.outbox.clear()
    c.post(reverse("members:sign_in"), {"email": member.email})
    link = re.search(r"http://testserver(/connexion/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert c.post(link).status_code == 302
    return c


def _signed_in(c: Client) -> bool:
    r = c.get(reverse("programme:my_interventions"))
    return r.status_code == 200


def _casts(c: Client, vote) -> bool:
    before = Ballot.objects.filter(vote=vote).count()
    c.post(f"/votes/{vote.pk}/voter/", {"choice": ["P01"]})
    return Ballot.objects.filter(vote=vote).count() == before + 1


def _stored(c: Client) -> bool:
    return Session.objects.filter(session_key=c.cookies["sessionid"].value).exists()


def test_revoking_a_badge_signs_out_the_session_it_opened(
    hall, make_member, organizer, django_capture_on_commit_callbacks
):
    convention, vote = hall
    member = make_member()
    participant = Participant.objects.create(convention=convention, member=member, source="drawn")
    phone = _badge_client(participant)
    laptop = _link_client(member)
    assert _signed_in(phone)

    with django_capture_on_commit_callbacks(execute=True):
        programme_actions.revoke_badge(participant, actor=organizer)

    assert not _stored(phone) and _stored(laptop)  # deleted from the store at once
    assert not _signed_in(phone)  # the next request is anonymous...
    assert "_auth_user_id" not in phone.session
    assert not _casts(phone, vote)  # ...and cannot vote in the present-only vote
    entry = JournalEntry.objects.get(action="participant.badge_revoked")
    assert entry.payload == {"from_version": 1, "to_version": 2}
    # the new badge works, and votes
    participant.refresh_from_db()
    assert _casts(_badge_client(participant), vote)


def test_revoking_a_badge_leaves_the_members_link_session_alone(hall, make_member, organizer):
    """Without the deletion (a session store that cannot be listed), the check alone works."""
    convention, vote = hall
    member = make_member()
    participant = Participant.objects.create(convention=convention, member=member, source="drawn")
    phone = _badge_client(participant)
    laptop = _link_client(member)
    programme_actions.revoke_badge(participant, actor=organizer)
    assert not _signed_in(phone)
    assert _signed_in(laptop)


def test_a_badge_session_then_signed_in_by_link_no_longer_hangs_on_the_badge(
    hall, make_member, organizer
):
    convention, _vote = hall
    member = make_member()
    participant = Participant.objects.create(convention=convention, member=member, source="drawn")
    phone = _badge_client(participant)
    mail.outbox.clear()
    phone.post(reverse("members:sign_in"), {"email": member.email})
    link = re.search(r"http://testserver(/connexion/[^/\s]+/)", mail.outbox[0].body).group(1)
    phone.post(link)
    programme_actions.revoke_badge(participant, actor=organizer)
    assert _signed_in(phone)


def test_deactivating_a_member_ends_every_session(
    hall, make_member, organizer, django_capture_on_commit_callbacks
):
    convention, vote = hall
    member = make_member()
    other = make_member()
    participant = Participant.objects.create(convention=convention, member=member, source="drawn")
    clients = [_badge_client(participant), _link_client(member), _link_client(member)]
    bystander = _link_client(other)
    assert all(_signed_in(c) for c in clients)
    # an unused link sent before the deactivation no longer works either
    mail.outbox.clear()
    Client().post(reverse("members:sign_in"), {"email": member.email})
    pending = re.search(r"http://testserver(/connexion/[^/\s]+/)", mail.outbox[0].body).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        member_actions.deactivate_member(member, actor=organizer, reason="a quitté le mouvement")

    assert not any(_stored(c) for c in clients) and _stored(bystander)
    for c in clients:
        assert not _signed_in(c)
        assert not _casts(c, vote)
    assert _signed_in(bystander)
    assert Client().post(pending).status_code == 410
    assert JournalEntry.objects.get(action="member.deactivated").object_id == str(member.pk)
    # reactivated, the member signs in again, but the old sessions stay ended
    member_actions.reactivate_member(member, actor=organizer)
    assert JournalEntry.objects.filter(action="member.reactivated").count() == 1
    assert not any(_signed_in(c) for c in clients)
    assert _signed_in(_link_client(member))


def test_deactivating_twice_is_refused_and_writes_nothing(make_member, organizer):
    member = make_member()
    member_actions.deactivate_member(member, actor=organizer)
    with translation.override("en"), pytest.raises(member_actions.MemberError, match="already"):
        member_actions.deactivate_member(member, actor=organizer)
    assert JournalEntry.objects.filter(action="member.deactivated").count() == 1


def test_a_member_deactivated_by_any_path_is_refused_by_the_backend(make_member, member_client):
    """Even a deactivation that bypassed the action (a raw import) ends the sessions."""
    from pnyx.members.models import Member

    assert _signed_in(member_client)
    Member.objects.filter(pk=member_client.member.pk).update(active=False)
    assert not _signed_in(member_client)


def test_sessions_that_cannot_be_listed_end_by_the_check_alone(
    hall, make_member, organizer, settings, django_capture_on_commit_callbacks
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    convention, vote = hall
    member = make_member()
    participant = Participant.objects.create(convention=convention, member=member, source="drawn")
    phone = _badge_client(participant)
    other = make_member()
    laptop = _link_client(other)
    assert _signed_in(phone) and _signed_in(laptop) and not Session.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        programme_actions.revoke_badge(participant, actor=organizer)
        member_actions.deactivate_member(other, actor=organizer)
    assert not _signed_in(phone) and not _signed_in(laptop)
    assert not _casts(phone, vote)

"""Verifiable mode's pages: the ballot page and the booth's POST (CSRF), the bulletin board,
the election and record, the trustees' secret pages, the organizer's set-up."""

import pytest
import verifiable_helpers as vh
from django.test import Client

from pnyx.members.actions import user_for_member
from pnyx.votes import actions
from pnyx.votes.models import EncryptedBallot, Vote


@pytest.fixture
def members(make_member):
    return [make_member() for _ in range(4)]


@pytest.fixture
def s(convention, organizer, members):
    return vh.setup(convention, organizer, members)


def _client(member, csrf=False):
    c = Client(enforce_csrf_checks=csrf)
    c.force_login(user_for_member(member))
    return c


def test_ballot_page_loads_the_booth(s, members):
    r = _client(members[0]).get(f"/votes/{s.vote.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "votes/verifiable_ballot.js" in body and f"/votes/{s.vote.pk}/election.json" in body
    assert 'name="choice"' in body and "/ 2" in body  # the counter
    election = Client().get(f"/votes/{s.vote.pk}/election.json")
    assert election.content.decode() == Vote.objects.get(pk=s.vote.pk).election.text


def test_cast_needs_csrf_and_returns_the_hash(s, members):
    m = members[0]
    ballot = s.ballot(m, ["P01"])
    c = _client(m, csrf=True)
    url = f"/votes/{s.vote.pk}/voter-chiffre/"
    assert c.post(url, ballot, content_type="application/json").status_code == 403
    c.get(f"/votes/{s.vote.pk}/")
    token = c.cookies["csrftoken"].value
    r = c.post(url, ballot, content_type="application/json", headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.json()["hash"] == EncryptedBallot.objects.get().hash
    again = c.post(url, ballot, content_type="application/json", headers={"X-CSRFToken": token})
    assert again.status_code == 400 and "error" in again.json()
    assert Client().post(url, ballot, content_type="application/json").status_code in (302, 403)


def test_bad_ballot_is_a_400_and_writes_nothing(s, members):
    c = _client(members[0])
    r = c.post(f"/votes/{s.vote.pk}/voter-chiffre/", "{}", content_type="application/json")
    assert r.status_code == 400 and not EncryptedBallot.objects.exists()


def test_board_record_and_receipt_are_public(s, members, organizer):
    h = actions.cast_encrypted(s.vote, members[0], s.ballot(members[0], ["P01", "P02"]))
    board = Client().get(f"/votes/{s.vote.pk}/urne/").content.decode()
    assert h in board and members[0].last_name not in board and "pnyx verify-election" in board
    for t in s.vote.trustees.all():
        assert t.name in board and t.token() not in board
    seq = EncryptedBallot.objects.get().seq
    assert Client().get(f"/votes/{s.vote.pk}/urne/{seq}.json").content.decode() == (
        EncryptedBallot.objects.get().text
    )
    rec = Client().get(f"/votes/{s.vote.pk}/vote.bel")
    assert rec.status_code == 200 and rec.content[:8] == b"BELENIOS"
    r = Client().post(f"/votes/{s.vote.pk}/recu/", {"receipt": h})
    body = r.content.decode()
    assert "✓" in body and ("urne publique" in body or "on the bulletin board" in body)


def test_trustee_pages_need_their_token(s):
    t = s.vote.trustees.first()
    assert Client().get(t.path()).status_code == 200
    assert Client().get(f"/votes/garant/{t.pk}/{'0' * 32}/").status_code == 404
    other = s.vote.trustees.last()
    assert Client().get(f"/votes/garant/{other.pk}/{t.token()}/").status_code == 404
    assert Client().get(t.path() + "election.json").status_code == 200
    assert Client().get(t.path() + "passwd").status_code == 404
    r = Client(enforce_csrf_checks=True).post(t.path(), {"step": "key", "text": "{}"})
    assert r.status_code == 403


def test_trustee_uploads_decryption_on_their_page(s, members, organizer):
    actions.cast_encrypted(s.vote, members[0], s.ballot(members[0], ["P01"]))
    vote = vh.close(s.vote, organizer)
    for t in vote.trustees.all():
        page = Client().get(t.path()).content.decode()
        assert "pnyx trustee decrypt" in page
        r = Client().post(t.path(), {"step": "decryption", "text": s.decrypt(t)})
        assert r.status_code == 302
    vote.refresh_from_db()
    assert vote.result["scores"]["P01"] == 1
    page = Client().get(f"/votes/{vote.pk}/resultats/").content.decode()
    assert "vote.bel" in page and "pnyx verify-election" in page


def test_organizer_sets_up_through_the_pages(convention, organizer_client, members):
    r = organizer_client.post(
        "/votes/organisation/",
        {"question": "Chiffré ?", "method": "approval", "max_choices": 1, "seats": 1,
         "electorate": "members", "threshold": ""},
    )  # fmt: skip
    vote = Vote.objects.get(question="Chiffré ?")
    assert r.status_code == 302 and vote.mode == "verifiable"
    for title in ("Oui", "Non"):
        organizer_client.post(f"/votes/organisation/{vote.pk}/add-option/", {"title": title})
    organizer_client.post(f"/votes/organisation/{vote.pk}/add-trustee/", {"name": "Ada L."})
    t = vote.trustees.get()
    page = organizer_client.get(f"/votes/organisation/{vote.pk}/").content.decode()
    assert t.path() in page and "Ada L." in page
    from pnyx.crypto import groups, trustees

    _priv, pub = trustees.generate_single(groups.get(vote.group))
    Client().post(t.path(), {"step": "key", "text": pub})
    organizer_client.post(f"/votes/organisation/{vote.pk}/freeze/")
    vote.refresh_from_db()
    assert vote.election.frozen_at
    ids = organizer_client.get(f"/votes/organisation/{vote.pk}/electorat.txt").content.decode()
    assert len(ids.split()) == actions.electorate(vote).count()


def test_members_cannot_reach_organizer_pages(s, members):
    c = _client(members[0])
    assert c.get(f"/votes/organisation/{s.vote.pk}/").status_code in (302, 403)
    assert c.get(f"/votes/organisation/{s.vote.pk}/electorat.txt").status_code in (302, 403)
    assert c.post(f"/votes/organisation/{s.vote.pk}/freeze/").status_code in (302, 403)


def test_admin_is_read_only(s, organizer):
    from django.contrib import admin

    from pnyx.votes.models import Election, EncryptedBallot, Trustee

    c = Client()
    c.force_login(organizer)
    for model in (Election, Trustee, EncryptedBallot):
        ma = admin.site._registry[model]
        request = type("R", (), {"user": organizer})()
        assert not ma.has_add_permission(request)
        assert not ma.has_change_permission(request)
        assert not ma.has_delete_permission(request)
    t = s.vote.trustees.first()
    page = c.get(f"/admin/votes/trustee/{t.pk}/change/").content.decode()
    assert t.secret not in page and t.token() not in page

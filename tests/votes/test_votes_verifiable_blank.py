"""Blank votes in verifiable approval votes (Belenios's "blank": true question): the ballot
page's "Vote blank" choice, a blank ballot accepted and counted apart (in the turnout, for no
option), a ballot both blank and for an option refused, the create form's guard."""

import json

import pytest
import verifiable_helpers as vh
from django.test import Client

from pnyx.crypto import ballots
from pnyx.members.actions import user_for_member
from pnyx.votes import actions
from pnyx.votes.actions import VoteError
from pnyx.votes.forms import VoteForm
from pnyx.votes.models import EncryptedBallot, Vote


@pytest.fixture
def members(make_member):
    return [make_member() for _ in range(4)]


@pytest.fixture
def s(convention, organizer, members):
    return vh.setup(convention, organizer, members, blank_allowed=True)


def _client(member):
    c = Client()
    c.force_login(user_for_member(member))
    return c


def test_the_election_question_allows_blank(s):
    el = json.loads(Vote.objects.get(pk=s.vote.pk).election.text)
    assert el["questions"][0]["blank"] is True
    assert len(el["questions"][0]["answers"]) == 4


def test_blank_and_option_ballots_are_counted_apart(s, members, organizer):
    # Plaintexts as Belenios writes them: the blank flag first.
    plain = [[1, 0, 0, 0, 0], [0, 1, 1, 0, 0], [0, 1, 0, 0, 0], [1, 0, 0, 0, 0]]
    election = s.election()
    for m, a in zip(members, plain, strict=True):
        actions.cast_encrypted(s.vote, m, ballots.encrypt(election, [a], s.creds[m.pk]))
    assert EncryptedBallot.objects.count() == 4
    vote = vh.close(s.vote, organizer)
    for t in vote.trustees.order_by("position"):
        actions.upload_decryption(t, s.decrypt(t))
    vote = Vote.objects.get(pk=vote.pk)
    assert vote.result["blank"] == 2 and vote.result["ballots"] == 4
    assert vote.result["scores"] == {"P01": 2, "P02": 1, "P03": 0, "P04": 0}
    assert vote.result["winners"] == ["P01", "P02"]
    body = _client(members[0]).get(f"/votes/{vote.pk}/resultats/").content.decode()
    assert "Blank ballots: 2" in body or "Votes blancs\u00a0: 2" in body


def test_answers_for_puts_the_blank_flag_first(s):
    vote = Vote.objects.get(pk=s.vote.pk)
    codes = ["P01", "P02", "P03", "P04"]
    assert actions.answers_for(vote, codes, []) == [[1, 0, 0, 0, 0]]
    assert actions.answers_for(vote, codes, ["P02"]) == [[0, 0, 1, 0, 0]]


def test_a_ballot_blank_and_for_an_option_is_refused(s, members):
    m = members[0]
    election = s.election()
    with pytest.raises(ValueError):
        ballots.encrypt(election, [[1, 1, 0, 0, 0]], s.creds[m.pk])
    # Forged: a blank ballot whose choice P01 is spliced from a ballot for P01 (each choice
    # still proven 0 or 1, so the plaintext is [1, 1, 0, 0, 0]): the blank proof cannot hold.
    blank = json.loads(ballots.encrypt(election, [[1, 0, 0, 0, 0]], s.creds[m.pk]))
    p01 = json.loads(ballots.encrypt(election, [[0, 1, 0, 0, 0]], s.creds[m.pk]))
    for key in ("choices", "individual_proofs"):
        blank["answers"][0][key][1] = p01["answers"][0][key][1]
    forged = json.dumps(blank, separators=(",", ":"))
    with pytest.raises(ballots.InvalidBallot):
        ballots.verify(election, forged, [json.loads(forged)["credential"]])
    with pytest.raises(VoteError):
        actions.cast_encrypted(s.vote, m, forged)
    assert not EncryptedBallot.objects.exists()


def test_ballot_page_offers_vote_blank(s, members):
    body = _client(members[0]).get(f"/votes/{s.vote.pk}/").content.decode()
    assert 'id="blank"' in body and 'data-blank="1"' in body
    assert "Vote blank" in body or "Voter blanc" in body


def test_blank_only_in_verifiable_approval(convention, organizer):
    for extra in (
        {"method": "schulze"},
        {"method": "approval", "max_choices": 1, "mode": "published"},
        {"method": "mj", "grades": vh.GRADES},
    ):
        with pytest.raises(VoteError):
            actions.create_vote(convention, organizer, question="q", blank_allowed=True, **extra)
    base = {"question": "q", "seats": 1, "electorate": "members", "blank_allowed": "on"}
    form = VoteForm(data=base | {"method": "schulze"})
    assert not form.is_valid() and "blank_allowed" in form.errors
    form = VoteForm(data=base | {"method": "approval", "max_choices": 2})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["blank_allowed"] is True

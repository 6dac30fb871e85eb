"""Secrecy of verifiable votes: with the whole database (every table dumped), the logs, the
outbox and the published files, but no trustee share, no ballot's content can be recovered.

Concretely: no table, column, log line, mail or published file holds a plaintext ballot or a
trustee's secret; the bulletin board has no member; two identical choices give different
ciphertexts (randomised encryption: trying every candidate plaintext against a ciphertext
needs the randomness or the secret key); decrypting one ballot needs the trustees' secret,
and the tally the server decrypts is only the sum, with the trustees' partial decryptions.
"""

import json

import pytest
import verifiable_helpers as vh
from django.apps import apps
from django.core import mail
from django.db import models
from django.test import Client

from pnyx.crypto import groups
from pnyx.members.actions import user_for_member
from pnyx.votes import actions
from pnyx.votes.models import Ballot, EncryptedBallot

CHOICES = [["P01", "P03"], ["P01", "P03"], ["P02"], ["P04", "P01"], ["P03"], ["P02", "P04"]]


def _dump_everything() -> str:
    """Every row of every table, as text."""
    out = []
    for model in apps.get_models():
        for row in model.objects.all().values():
            out.append(
                json.dumps(
                    {k: (bytes(v).hex() if isinstance(v, memoryview | bytes) else v)
                     for k, v in row.items()},
                    default=str,
                )
            )  # fmt: skip
    return "\n".join(out)


@pytest.fixture
def run(convention, organizer, make_member, caplog):
    members = [make_member() for _ in range(len(CHOICES))]
    s = vh.setup(convention, organizer, members)
    with caplog.at_level("DEBUG"):
        for m, c in zip(members, CHOICES, strict=True):
            client = Client()
            client.force_login(user_for_member(m))
            r = client.post(
                f"/votes/{s.vote.pk}/voter-chiffre/",
                s.ballot(m, c),
                content_type="application/json",
            )
            assert r.status_code == 200
        vote = vh.close(s.vote, organizer)
        for t in vote.trustees.all():
            actions.upload_decryption(t, s.decrypt(t))
        published = [
            Client().get(f"/votes/{vote.pk}/vote.bel").content.decode("latin-1"),
            Client().get(f"/votes/{vote.pk}/urne/").content.decode(),
            Client().get(f"/votes/{vote.pk}/resultats/").content.decode(),
        ]
    return s, members, vote, caplog.text, published


def test_no_plaintext_ballot_or_secret_anywhere(run):
    s, members, vote, logs, published = run
    vote.refresh_from_db()
    assert vote.result["scores"] == {"P01": 3, "P02": 2, "P03": 3, "P04": 2}
    dump = _dump_everything()
    everything = "\n".join([dump, logs, *published, *(m.body for m in mail.outbox)])
    codes = list(vote.options.values_list("code", flat=True))
    for c in CHOICES:
        plain = actions.answers_for(vote, codes, c)
        forms = [json.dumps(plain), json.dumps(plain, separators=(",", ":"))]
        if len(c) > 1:  # a published-file row ("P01|P03"); one code alone is everywhere
            forms.append("|".join(c))
        for form in forms:
            assert form not in everything, form
    assert not Ballot.objects.filter(vote=vote).exists()  # no plaintext row
    for secret in s.secrets.values():
        assert str(secret) not in everything  # no trustee share
    for priv in s.creds.values():
        assert priv not in dump  # no private credential in the database


def test_board_has_no_member_and_identical_choices_differ(run):
    s, members, vote, _logs, _published = run
    fields = {f.name for f in EncryptedBallot._meta.get_fields()}
    assert fields == {"seq", "vote", "credential", "hash", "text", "counted"}
    assert not any(
        isinstance(f, models.ForeignKey) and f.related_model.__name__ == "Member"
        for f in EncryptedBallot._meta.get_fields()
    )
    texts = [json.loads(b.text) for b in EncryptedBallot.objects.filter(vote=vote)]
    for b in texts:
        assert set(b) == {"election_uuid", "election_hash", "credential", "answers", "signature"}
    # members 0 and 1 made the same choice: nothing in their ciphertexts is equal.
    by_cred = {b["credential"]: b for b in texts}
    from pnyx.crypto import credentials

    uuid = vote.election.uuid
    a, b = (by_cred[credentials.public(uuid, vote.group, s.creds[m.pk])] for m in members[:2])
    ca = [(c["alpha"], c["beta"]) for c in a["answers"][0]["choices"]]
    cb = [(c["alpha"], c["beta"]) for c in b["answers"][0]["choices"]]
    assert not set(ca) & set(cb)


def test_decrypting_a_ballot_needs_the_secret(run):
    """Exponential ElGamal: (alpha, beta) = (g^r, y^r g^m). Without r or the secret x, the
    candidate plaintexts m = 0 and m = 1 cannot be told apart from public data; with x (all
    the shares put together, which only the trustees can do) beta / alpha^x = g^m."""
    s, members, vote, _logs, _published = run
    g = groups.get(vote.group)
    x = sum(s.secrets.values()) % g.q  # the trustees' Single keys multiply: x = sum
    assert g.eq(g.g_pow(x), s.election().public_key)
    ballot = json.loads(EncryptedBallot.objects.filter(vote=vote).first().text)
    for choice in ballot["answers"][0]["choices"]:
        alpha, beta = g.from_str(choice["alpha"]), g.from_str(choice["beta"])
        gm = g.div(beta, g.pow(alpha, x))
        assert g.eq(gm, g.one) or g.eq(gm, g.g_pow(1))
        # Without x: beta itself is neither g^0 nor g^1 (the mask y^r hides it).
        assert not g.eq(beta, g.one) and not g.eq(beta, g.g_pow(1))

"""Helpers of the verifiable-mode tests: trustees played in-process (their secrets stay in the
test's memory, as on their own machines), credentials by the authority, ballots encrypted by
`pnyx.crypto.ballots.encrypt`. Not a test module."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pnyx.crypto import ballots, credentials, groups, tally, trustees
from pnyx.votes import actions
from pnyx.votes.models import Trustee, Vote

GRADES = ["Très bien", "Bien", "Passable", "Insuffisant", "À rejeter"]


@dataclass
class Setup:
    vote: Vote
    #: trustee pk -> what decrypts: ("single", secret int) or ("threshold", secret int)
    secrets: dict[int, int] = field(default_factory=dict)
    #: member pk -> private credential
    creds: dict[int, str] = field(default_factory=dict)

    def election(self):
        return actions.election_of(Vote.objects.get(pk=self.vote.pk))[0]

    def ballot(self, member, content, rng=None) -> str:
        vote = Vote.objects.get(pk=self.vote.pk)
        codes = list(vote.options.values_list("code", flat=True))
        answers = actions.answers_for(vote, codes, content)
        return ballots.encrypt(self.election(), answers, self.creds[member.pk], rng=rng)

    def decrypt(self, trustee: Trustee) -> str:
        vote = Vote.objects.select_related("election").get(pk=self.vote.pk)
        return tally.decryption_factors(
            self.election(), vote.election.encrypted_tally, self.secrets[trustee.pk]
        )


def make_trustees(vote: Vote, organizer, n: int = 3, threshold: int | None = None) -> dict:
    """Name n trustees and run their key ceremony (Single keys, or the 6 threshold steps)."""
    group = groups.get(vote.group)
    ts = [actions.add_trustee(vote, organizer, name=f"Garant {i + 1}") for i in range(n)]
    secrets: dict[int, int] = {}
    if threshold is None:
        for t in ts:
            priv, pub = trustees.generate_single(group)
            actions.trustee_upload_key(t, pub)
            secrets[t.pk] = trustees.read_private_key(group, priv)
        return secrets
    seeds = {}
    for t in ts:
        seed, cert = trustees.step1(group)
        seeds[t.pk] = seed
        actions.trustee_upload_key(t, cert)
    certs = actions.ceremony_certs(vote)
    for t in ts:
        actions.trustee_upload_polynomial(t, trustees.step3(group, certs, seeds[t.pk], threshold))
    for t in ts:
        t.refresh_from_db()
        vinput = actions.trustee_vinput(t)
        actions.trustee_upload_voutput(t, trustees.step5(group, certs, seeds[t.pk], vinput))
    for t in ts:
        dkey = actions.trustee_dkey(t)
        secrets[t.pk] = trustees.threshold_secret(group, seeds[t.pk], dkey)
    return secrets


def authority_credentials(vote: Vote, organizer, members) -> dict[int, str]:
    """The credential authority, offline: one credential per eligible member (ids from the
    electorate file), only the public ones uploaded."""
    vote = Vote.objects.select_related("election").get(pk=vote.pk)
    ids = actions.electorate_file(vote).split()
    pairs = credentials.generate(vote.election.uuid, vote.group, len(ids))
    actions.upload_public_credentials(vote, organizer, json.dumps([p for _, p in pairs]))
    by_id = {m.external_id: m.pk for m in members}
    return {by_id[i]: priv for i, (priv, _pub) in zip(ids, pairs, strict=True) if i in by_id}


def setup(
    convention,
    organizer,
    members,
    *,
    method: str = "approval",
    n_options: int = 4,
    threshold: int | None = None,
    n_trustees: int = 3,
    open_: bool = True,
    **fields,
) -> Setup:
    defaults: dict = {"question": f"Question chiffrée ({method})", "method": method}
    if method == "approval":
        defaults |= {"max_choices": 2, "seats": 2}
    if method == "mj":
        defaults["grades"] = GRADES
    defaults |= fields
    vote = actions.create_vote(convention, organizer, threshold=threshold, **defaults)
    for i in range(n_options):
        actions.add_option(vote, organizer, title=f"Option {i + 1}")
    secrets = make_trustees(vote, organizer, n_trustees, threshold)
    actions.freeze_election(vote, organizer)
    creds = authority_credentials(vote, organizer, members)
    vote = Vote.objects.get(pk=vote.pk)
    if open_:
        vote = actions.open_vote(vote, organizer)
    return Setup(vote, secrets, creds)


def close(vote: Vote, actor) -> Vote:
    """Close, running the on-commit work (the encrypted tally) as a real commit would."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.close_vote(vote, actor)
    return Vote.objects.select_related("election").get(pk=vote.pk)

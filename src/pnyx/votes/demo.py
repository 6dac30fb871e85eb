"""Votes of the demo convention (called by `pnyx demo`; idempotent).

- The campaign vote, closed, verifiable (ristretto255): members proposed 30 campaigns, the
  organizers curated them, and a sample of the synthetic members chose 3 (VOTERS of them: each
  encrypted ballot costs ~20 ms to make and ~30 ms to check, so the demo stays a few seconds;
  the programme's 3 campaigns come first). Three trustees (any two decrypt) are played
  in-process, with a credential authority; the encrypted tally is decrypted by two trustees,
  the result ranked by `pnyx.tally`, the election record published.
- An in-hall vote, open, verifiable: adopting the charter of action groups, for participants
  present (made after the check-in, `load_hall`). Demo only: its trustees' key files and the
  participants' credentials are written under the demo's var directory (PNYX_VAR_DIR), with a
  README saying how to decrypt with `pnyx trustee decrypt` after closing it.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np
from django.conf import settings
from django.db import transaction

from pnyx.core.demo_timeline import Timeline
from pnyx.members.models import Member
from pnyx.programme.models import Convention

from . import actions
from .crypto_pool import encrypt_many
from .models import Electorate, Method, Status, Vote

CAMPAIGN_QUESTION = "Quelles campagnes nationales pour les deux années à venir ?"
HALL_QUESTION = "Adoptez-vous la charte des groupes d'action ?"
ACTOR = "demo"
#: Voters of the demo's campaign vote (a sample of the electorate; see the docstring).
VOTERS = 120
TRUSTEES = ["Nadia Benali", "Julien Moreau", "Odile Le Gall"]
THRESHOLD = 2
#: Worker processes that encrypt and check the demo's ballots. One by default: on a busy
#: 2-core machine, spawning workers cost more than it saved (measured); PNYX_DEMO_PROCESSES=4
#: on a bigger one.
PROCESSES = max(1, int(os.environ.get("PNYX_DEMO_PROCESSES", "1")))

OTHER_PROPOSALS = [
    "Un logement digne pour toutes et tous",
    "Des transports publics gratuits dans les villes moyennes",
    "Défendre l'hôpital public de proximité",
    "Une alimentation saine et locale dans les cantines",
    "Protéger l'eau, bien commun",
    "Le droit à la retraite à 60 ans",
    "Égalité salariale entre femmes et hommes, maintenant",
    "Sauver les services publics en zone rurale",
    "Une école qui ne laisse personne de côté",
    "La semaine de 32 heures",
    "Accueillir dignement les personnes exilées",
    "Lutter contre les déserts médicaux",
    "Reconstruire le fret ferroviaire",
    "Une vraie démocratie dans l'entreprise",
    "Garantir l'accès à Internet pour tous",
    "Stopper l'artificialisation des sols",
    "Le référendum d'initiative citoyenne",
    "Une sécurité sociale de l'alimentation",
    "Interdire les pesticides les plus dangereux",
    "Rénover tous les logements mal isolés",
    "Soutenir les paysans et les circuits courts",
    "Un plan pour la jeunesse : revenu et formation",
    "En finir avec la précarité étudiante",
    "Défendre la liberté de la presse",
    "Le droit de mourir dans la dignité",
    "La culture accessible partout",
    "Protéger les océans et la pêche artisanale",
]


def load(convention: Convention, stdout=None, timeline: Timeline | None = None) -> None:
    """The demo's votes; dates from `timeline` (the convention's, seen now, when not given)."""
    t0 = time.perf_counter()
    with transaction.atomic():
        campaign = _campaign_vote(convention, timeline or Timeline.of(convention))
    if stdout is not None:
        winners = (campaign.result or {}).get("winners", [])
        titles = dict(campaign.options.values_list("code", "title"))
        stdout.write(
            f"Votes: campaign vote closed (encrypted and verifiable), "
            f"{_counted(campaign)} ballots, elected: "
            + "; ".join(titles.get(c, c) for c in winners)
            + f" (/votes/{campaign.pk}/resultats/, bulletin board /votes/{campaign.pk}/urne/, "
            f"record /votes/{campaign.pk}/vote.bel: pnyx verify-election vote-{campaign.pk}.bel)."
            f" {time.perf_counter() - t0:.1f} s"
        )


def _counted(vote: Vote) -> int:
    election = getattr(vote, "election", None)
    if election is not None and election.num_tallied is not None:
        return election.num_tallied
    return (vote.result or {}).get("ballots", 0)


def load_hall(convention: Convention, stdout=None, present=None) -> None:
    """The in-hall vote, once participants are in the hall (its credentials are made for the
    participants present)."""
    t0 = time.perf_counter()
    with transaction.atomic():
        hall, creds, folder = _hall_vote(convention)
    if stdout is not None:
        link = ""
        if present is not None and present.member_id in creds:
            link = (
                f" A present participant's ballot link, credential in its fragment: "
                f"/votes/{hall.pk}/#credential={creds[present.member_id]}."
            )
        stdout.write(
            f"In-hall vote open (encrypted and verifiable): /votes/{hall.pk}/ (screen "
            f"/votes/{hall.pk}/ecran/; participants present vote after signing in with their "
            f"badge). Demo only: its trustees' keys and the credentials are in {folder}.{link}"
            f" {time.perf_counter() - t0:.1f} s"
        )


def _trustees(vote: Vote, names: list[str], threshold: int) -> dict[int, dict[str, str]]:
    """The trustees' threshold key ceremony, each trustee's offline steps played here (demo
    only): returns, per trustee, the files they would keep (their .key seed and .dkey)."""
    from pnyx.crypto import groups, trustees

    group = groups.get(vote.group)
    ts = [actions.add_trustee(vote, ACTOR, name=n) for n in names]
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
        actions.trustee_upload_voutput(
            t, trustees.step5(group, certs, seeds[t.pk], actions.trustee_vinput(t))
        )
    return {t.pk: {"key": seeds[t.pk], "dkey": actions.trustee_dkey(t), "certs": certs} for t in ts}


def _credentials(vote: Vote) -> dict[int, str]:
    """The credential authority, played here: one credential per eligible member, only the
    public ones uploaded. Returns member pk -> private credential (kept in memory, or written
    to the demo's var directory for the in-hall vote)."""
    from pnyx.crypto import credentials

    vote = Vote.objects.select_related("election").get(pk=vote.pk)
    members = list(actions.electorate(vote).order_by("pk").values_list("pk", flat=True))
    pairs = credentials.generate(vote.election.uuid, vote.group, len(members))
    actions.upload_public_credentials(vote, ACTOR, json.dumps([p for _, p in pairs]))
    return {m: priv for m, (priv, _pub) in zip(members, pairs, strict=True)}


def _campaign_vote(convention: Convention, tl: Timeline) -> Vote:
    existing = convention.votes.filter(question=CAMPAIGN_QUESTION).first()
    if existing is not None:
        return existing
    rng = np.random.default_rng(2017)
    members = list(Member.objects.filter(active=True).order_by("external_id"))
    opens, closes = tl.campaign_vote_opens_at, tl.campaign_vote_closes_at
    vote = actions.create_vote(
        convention,
        ACTOR,
        question=CAMPAIGN_QUESTION,
        description=(
            "Choisissez jusqu'à 3 propositions parmi les 30 retenues après l'appel à propositions. "
            "Les 3 propositions les plus choisies deviennent les campagnes nationales."
        ),
        method=Method.APPROVAL,
        max_choices=3,
        seats=3,
        electorate=Electorate.MEMBERS,
        joined_before=tl.members_joined_before,
        threshold=THRESHOLD,
    )
    actions.open_proposals(vote, ACTOR)
    campaigns = list(convention.campaigns.order_by("order"))
    titles = [c.name for c in campaigns] + OTHER_PROPOSALS[: 30 - len(campaigns)]
    order = rng.permutation(len(titles))
    authors = rng.choice(len(members), size=len(titles), replace=False)
    for i in order:
        proposal = actions.submit_proposal(vote, members[int(authors[i])], titles[i])
        actions.accept_proposal(proposal, ACTOR)
    keys = _trustees(vote, TRUSTEES, THRESHOLD)
    actions.freeze_election(vote, ACTOR)
    creds = _credentials(vote)
    vote.opens_at, vote.closes_at = opens, closes
    vote.save(update_fields=["opens_at", "closes_at"])
    vote = actions.open_vote(vote, ACTOR)
    # Synthetic preferences: the programme's campaigns are the most popular.
    options = list(vote.options.values_list("code", "title"))
    popular = {c.name for c in campaigns}
    weight = np.array([6.0 if t in popular else rng.uniform(0.5, 2.5) for _, t in options])
    electorate = [m for m in members if m.joined_on < vote.joined_before]
    voters = [
        electorate[i]
        for i in rng.permutation(len(electorate))[: min(VOTERS, int(len(electorate) * 0.78))]
    ]
    gumbel = rng.gumbel(size=(len(voters), len(options))) + np.log(weight)
    k = rng.choice([1, 2, 3, 3, 3, 3], size=len(voters))
    top = np.argsort(-gumbel, axis=1)
    codes = [c for c, _ in options]
    chosen = [[options[j][0] for j in sorted(top[i, : k[i]])] for i in range(len(voters))]
    jobs = [
        (actions.answers_for(vote, codes, c), creds[m.pk])
        for m, c in zip(voters, chosen, strict=True)
    ]
    texts = encrypt_many(vote.election.text, jobs, PROCESSES)
    # The vote ran in the past: let the bulk path through, then close with the real action.
    Vote.objects.filter(pk=vote.pk).update(closes_at=None)
    vote.closes_at = None
    actions.cast_encrypted_many(vote, list(zip(voters, texts, strict=True)), processes=PROCESSES)
    Vote.objects.filter(pk=vote.pk).update(closes_at=closes)
    vote.closes_at = closes
    actions.close_vote(vote, ACTOR)
    # Computed here, in the demo's transaction (the close's own on-commit task then finds it
    # done and does nothing).
    actions.compute_encrypted_tally(vote.pk, actor=ACTOR)
    _decrypt(vote, keys, THRESHOLD)
    return Vote.objects.select_related("election").get(pk=vote.pk)


def _decrypt(vote: Vote, keys: dict[int, dict[str, str]], how_many: int) -> None:
    """`pnyx trustee decrypt` by the first `how_many` trustees, played here (demo only)."""
    from pnyx.crypto import groups, tally, trustees

    vote = Vote.objects.select_related("election").get(pk=vote.pk)
    el = actions.election_of(vote)[0]
    group = groups.get(vote.group)
    for t in list(vote.trustees.order_by("position"))[:how_many]:
        secret = trustees.threshold_secret(group, keys[t.pk]["key"], keys[t.pk]["dkey"])
        pd = tally.decryption_factors(el, vote.election.encrypted_tally, secret)
        actions.upload_decryption(t, pd)


def _hall_vote(convention: Convention):
    folder = settings.VAR_DIR / "demo-votes"
    existing = convention.votes.filter(question=HALL_QUESTION).first()
    if existing is not None:
        return existing, {}, folder
    vote = actions.create_vote(
        convention,
        ACTOR,
        question=HALL_QUESTION,
        description="La charte a été discutée aux tables ce matin. Un seul choix.",
        method=Method.APPROVAL,
        max_choices=1,
        seats=1,
        electorate=Electorate.PRESENT,
        in_hall=True,
        threshold=THRESHOLD,
    )
    for title in (
        "Oui, telle quelle",
        "Oui, avec les amendements des tables",
        "Non",
        "Je m'abstiens",
    ):
        actions.add_option(vote, ACTOR, title=title)
    keys = _trustees(vote, TRUSTEES, THRESHOLD)
    actions.freeze_election(vote, ACTOR)
    creds = _credentials(vote)
    vote = actions.open_vote(vote, ACTOR)
    assert vote.status == Status.OPEN
    _write_hall_files(vote, keys, creds, folder / f"vote-{vote.pk}")
    return vote, creds, folder / f"vote-{vote.pk}"


def _write_hall_files(vote: Vote, keys, creds, folder) -> None:
    """Demo only: what the trustees and the credential authority would keep on their own
    machines, so that a visitor can play them (never done for a real vote)."""
    from pnyx.members.models import Member

    folder.mkdir(parents=True, exist_ok=True)
    readme = [
        f"Demo only: the in-hall vote {vote.pk} ({vote.question}).",
        "In a real vote these files exist only on each trustee's and the credential",
        "authority's own machines; the server never has them.",
        "",
        "credentials.txt: each present participant's e-mail and private credential.",
        "After closing the vote, two trustees decrypt (any two of the three), e.g.:",
    ]
    for t in vote.trustees.order_by("position"):
        base = folder / f"trustee-{t.position + 1}"
        (base.with_suffix(".key")).write_text(keys[t.pk]["key"] + "\n")
        (base.with_suffix(".dkey")).write_text(keys[t.pk]["dkey"] + "\n")
        (base.with_suffix(".key")).chmod(0o600)
        readme.append(
            f"  {t.name}: download election.json and encrypted_tally.json from "
            f"{settings.PNYX_SITE_URL}{t.path()} then"
        )
        readme.append(
            f"    pnyx trustee decrypt --election election.json --encrypted-tally "
            f"encrypted_tally.json --key {base.name}.key --decryption-key {base.name}.dkey "
            f"> pd-{t.position + 1}.json   (and upload it on that page)"
        )
    (folder / "README.txt").write_text("\n".join(readme) + "\n")
    emails = dict(Member.objects.filter(pk__in=creds).values_list("pk", "email"))
    lines = [f"{emails.get(pk, pk)} {cred}" for pk, cred in sorted(creds.items())]
    path = folder / "credentials.txt"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)

"""Votes of the demo convention (called by `pnyx demo`; idempotent).

- The campaign vote, closed: members proposed 30 campaigns, the organizers curated them, and
  about three quarters of the 4,000 synthetic members chose 3; the 3 campaigns of the
  programme come first. Its ballots are published and its results counted by `pnyx.tally`.
- An in-hall vote, open: adopting the charter of action groups, for participants present.
"""

from __future__ import annotations

import time

import numpy as np
from django.db import transaction

from pnyx.core.demo_timeline import Timeline
from pnyx.members.models import Member
from pnyx.programme.models import Convention

from . import actions
from .models import Electorate, Method, Status, Vote

CAMPAIGN_QUESTION = "Quelles campagnes nationales pour les deux années à venir ?"
HALL_QUESTION = "Adoptez-vous la charte des groupes d'action ?"
ACTOR = "demo"

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
        hall = _hall_vote(convention)
    if stdout is not None:
        winners = (campaign.result or {}).get("winners", [])
        titles = dict(campaign.options.values_list("code", "title"))
        stdout.write(
            f"Votes: campaign vote closed, {campaign.publication.ballots} ballots, elected: "
            + "; ".join(titles.get(c, c) for c in winners)
            + f" (/votes/{campaign.pk}/resultats/). In-hall vote open: /votes/{hall.pk}/ "
            f"(screen /votes/{hall.pk}/ecran/; participants present vote after signing in "
            f"with their badge). {time.perf_counter() - t0:.1f} s"
        )


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
    )
    actions.open_proposals(vote, ACTOR)
    campaigns = list(convention.campaigns.order_by("order"))
    titles = [c.name for c in campaigns] + OTHER_PROPOSALS[: 30 - len(campaigns)]
    order = rng.permutation(len(titles))
    authors = rng.choice(len(members), size=len(titles), replace=False)
    for i in order:
        proposal = actions.submit_proposal(vote, members[int(authors[i])], titles[i])
        actions.accept_proposal(proposal, ACTOR)
    vote.opens_at, vote.closes_at = opens, closes
    vote.save(update_fields=["opens_at", "closes_at"])
    vote = actions.open_vote(vote, ACTOR)
    # Synthetic preferences: the programme's campaigns are the most popular.
    options = list(vote.options.values_list("code", "title"))
    popular = {c.name for c in campaigns}
    weight = np.array([6.0 if t in popular else rng.uniform(0.5, 2.5) for _, t in options])
    electorate = [m for m in members if m.joined_on < vote.joined_before]
    voters = [
        electorate[i] for i in rng.permutation(len(electorate))[: int(len(electorate) * 0.78)]
    ]
    gumbel = rng.gumbel(size=(len(voters), len(options))) + np.log(weight)
    k = rng.choice([1, 2, 3, 3, 3, 3], size=len(voters))
    top = np.argsort(-gumbel, axis=1)
    ballots = [(m, [options[j][0] for j in sorted(top[i, : k[i]])]) for i, m in enumerate(voters)]
    # The vote ran in the past: let the bulk path through, then close with the real action.
    Vote.objects.filter(pk=vote.pk).update(closes_at=None)
    vote.closes_at = None
    actions.cast_many(vote, ballots)
    Vote.objects.filter(pk=vote.pk).update(closes_at=closes)
    vote.closes_at = closes
    return actions.close_vote(vote, ACTOR)


def _hall_vote(convention: Convention) -> Vote:
    existing = convention.votes.filter(question=HALL_QUESTION).first()
    if existing is not None:
        return existing
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
    )
    for title in (
        "Oui, telle quelle",
        "Oui, avec les amendements des tables",
        "Non",
        "Je m'abstiens",
    ):
        actions.add_option(vote, ACTOR, title=title)
    vote = actions.open_vote(vote, ACTOR)
    assert vote.status == Status.OPEN
    return vote

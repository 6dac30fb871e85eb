"""The demo's charter (called by `pnyx demo`, after the participants are checked in;
idempotent): a short charter of action groups, amended by members and tables, moderated
(retained, merged, not retained), voted amendment by amendment in the hall, then as a whole,
and adopted with its history. Dates from the timeline: the members' window ran from S - 35 to
S - 21 (S, the convention's first day); the hall's votes are held at load time, as in a
rehearsal of the second day.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.utils import timezone

from pnyx.core.demo_timeline import Timeline
from pnyx.members.models import Member
from pnyx.programme.models import Convention, Participant
from pnyx.votes import actions as votes

from . import actions
from .models import Charter

ACTOR = "demo"
#: At most this many of the participants present vote on each item (keeps the demo fast).
VOTERS = 160

SOURCE = """# Charte des groupes d'action

## Ce que nous sommes

Un groupe d'action réunit des membres du mouvement qui agissent ensemble là où ils vivent.

Tout membre peut rejoindre le groupe d'action de son choix, sans condition d'ancienneté.

Les groupes d'action sont autonomes dans le choix de leurs actions locales, dans le respect des principes du mouvement.

## Comment nous agissons

Chaque groupe d'action se réunit au moins une fois par mois, en présentiel ou en ligne.

Les décisions d'un groupe d'action sont prises au consensus ou, à défaut, à la majorité des présents.

Un groupe d'action désigne deux animateurs, une femme et un homme, pour un an renouvelable une fois.

## Nos moyens

Les groupes d'action peuvent demander un financement participatif pour leurs projets locaux.

Chaque groupe d'action publie une fois par an le bilan de ses actions et de ses dépenses.
"""

#: (article number, kind, wording, justification, proposer: member index or "table N").
AMENDMENTS = [
    (
        2,
        "replace",
        "Tout membre peut rejoindre le ou les groupes d'action de son choix, sans condition "
        "d'ancienneté.",
        "On peut agir près de chez soi et près de son travail.",
        0,
    ),
    (
        4,
        "replace",
        "Chaque groupe d'action se réunit au moins une fois par mois ; les réunions en ligne "
        "sont ouvertes à tous ses membres.",
        "Les membres éloignés doivent pouvoir participer.",
        1,
    ),
    (
        4,
        "replace",
        "Réunions mensuelles, y compris en ligne.",
        "Idem : les réunions à distance.",
        2,
    ),
    (
        4,
        "replace",
        "Le groupe se réunit chaque mois et publie ses réunions en ligne.",
        "Proposition de la table.",
        "table 17",
    ),
    (
        5,
        "add_after",
        "Une décision importante peut être soumise au vote de tous les membres du groupe.",
        "Pour les décisions qui engagent le groupe au-delà d'une action.",
        3,
    ),
    (6, "delete", "", "Deux animateurs, c'est trop pour les petits groupes.", 4),
    (
        8,
        "delete",
        "",
        "Le bilan annuel est déjà demandé par les statuts du mouvement.",
        "table 9",
    ),
    (
        8,
        "replace",
        "Chaque groupe d'action publie son bilan tous les six mois.",
        "Plus de transparence.",
        5,
    ),
]

#: Per item in voting order (yes, no, abstain shares of the voters).
SHARES = [(0.72, 0.2), (0.81, 0.12), (0.35, 0.55), (0.6, 0.3), (0.88, 0.07)]


def load(convention: Convention, stdout=None, timeline: Timeline | None = None) -> Charter:
    t0 = time.perf_counter()
    tl = timeline or Timeline.of(convention)
    existing = convention.charters.filter(title__startswith="Charte des groupes").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        charter = _load(convention, tl)
    if stdout is not None:
        stdout.write(
            f"Charter: adopted with {charter.amendments.filter(state='adopted').count()} "
            f"amendments (/charte/{charter.pk}/; organizers /charte/organisation/{charter.pk}/). "
            f"{time.perf_counter() - t0:.1f} s"
        )
    return charter


def _load(convention: Convention, tl: Timeline) -> Charter:
    now = timezone.now()
    members = list(Member.objects.filter(active=True).order_by("external_id")[:6])
    # The members' window ran weeks ago: open it for the moment the demo's members post, then
    # give it its real dates (both journaled), as the votes demo does for its past vote.
    charter = actions.import_markdown(
        convention,
        SOURCE,
        actor=ACTOR,
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(minutes=1),
    )
    articles = {a.number: a for a in charter.articles.all()}
    made = []
    for number, kind, text, why, who in AMENDMENTS:
        if isinstance(who, str):
            made.append(
                actions.submit_table_amendment(
                    charter,
                    articles[number],
                    actor=ACTOR,
                    table_number=int(who.split()[1]),
                    kind=kind,
                    text=text,
                    justification=why,
                )
            )
        else:
            made.append(
                actions.submit_amendment(
                    charter,
                    articles[number],
                    actor=members[who % len(members)],
                    kind=kind,
                    text=text,
                    justification=why,
                )
            )
    actions.set_window(
        charter,
        actor=ACTOR,
        opens_at=tl.charter_amendments_open_at,
        closes_at=tl.charter_amendments_close_at,
    )
    first, meet, meet2, meet3, added, delete6, delete8, replace8 = made
    actions.accept(first, actor=ACTOR)
    actions.merge(meet, [meet2, meet3], actor=ACTOR)
    actions.accept(added, actor=ACTOR)
    actions.reject(
        delete6,
        actor=ACTOR,
        reason="La parité des animateurs est un principe du mouvement : non soumis au vote.",
    )
    actions.accept(delete8, actor=ACTOR)
    actions.accept(replace8, actor=ACTOR)
    charter = actions.start_votes(charter, actor=ACTOR)
    voters = list(
        Member.objects.filter(
            pk__in=Participant.objects.filter(
                convention=convention, checked_in_at__isnull=False
            ).values("member_id")
        ).order_by("pk")[:VOTERS]
    )
    for yes, no in SHARES:
        vote = actions.open_next_vote(charter, actor=ACTOR, minutes=5)
        if vote is None:
            break
        n = len(voters)
        a, b = round(n * yes), round(n * (yes + no))
        ballots = [
            (m, ["POUR" if i < a else "CONTRE" if i < b else "ABSTENTION"])
            for i, m in enumerate(voters)
        ]
        if ballots:
            votes.cast_many(vote, ballots)
        charter = actions.close_current_vote(charter, actor=ACTOR)
        if charter.status != Charter.Status.VOTING:
            break
    return charter

"""The demo convention: the structure of the reference event, in our own words."""

from __future__ import annotations

import datetime as dt

from pnyx.core.demo_timeline import Timeline

from . import actions
from .models import Campaign, Convention, Day, Item, ItemKind, News, Topic

SLUG = "convention-nationale"

CAMPAIGNS = [
    (
        "energie",
        "Sortir du nucléaire, réussir la transition",
        "Un plan pour fermer les réacteurs vieillissants et développer les énergies renouvelables, avec les salariés du secteur.",
    ),
    (
        "pauvrete",
        "Zéro pauvreté",
        "Agir contre la pauvreté là où elle se vit : logement, alimentation, accès aux droits, solidarité concrète.",
    ),
    (
        "fiscalite",
        "Justice fiscale",
        "Faire reculer l'évasion fiscale et expliquer partout ce qu'elle coûte aux services publics.",
    ),
]
TOPICS = [
    (
        "financement",
        "Financement participatif des groupes d'action",
        "Comment les membres peuvent-ils financer ensemble les projets locaux des groupes d'action ?",
    ),
    (
        "formation",
        "Besoins de formation",
        "Quelles formations les membres attendent-ils pour agir mieux et plus nombreux ?",
    ),
    (
        "plateforme",
        "La plateforme numérique",
        "Comment faire évoluer la plateforme pour servir les objectifs concrets du mouvement ?",
    ),
    (
        "assemblee",
        "L'assemblée représentative",
        "Quel rôle et quelle composition pour l'assemblée représentative du mouvement ?",
    ),
]
WORK_STEP_TEXT = (
    "La salle est partagée en trois parties et chaque partie travaille sur une campagne différente "
    "de l'étape précédente. Autour de tables de 7 à 9 personnes, "
)


def _t(h: str) -> dt.time:
    return dt.time.fromisoformat(h)


def load(stdout=None, timeline: Timeline | None = None) -> Convention:
    """The demo convention, its dates taken from `timeline` (loaded now when not given)."""
    if Convention.objects.filter(slug=SLUG).exists():
        return Convention.objects.get(slug=SLUG)
    tl = timeline or Timeline.from_now()
    conv = Convention.objects.create(
        slug=SLUG,
        name=f"Convention nationale {tl.starts_on.year}",
        city="Clermont-Ferrand",
        venue="Grande Halle",
        starts_on=tl.starts_on,
        ends_on=tl.ends_on,
        description=(
            "Deux jours pour lancer les trois campagnes nationales choisies par les membres, "
            "préparer leur mise en œuvre à des tables de travail et décider ensemble de la suite. "
            "Trois quarts des participants ont été tirés au sort parmi les volontaires."
        ),
        is_current=True,
        proposals_open=True,
        proposals_close_at=tl.proposals_close_at,
    )
    campaigns = [
        Campaign.objects.create(convention=conv, slug=s, name=n, description=d, order=i)
        for i, (s, n, d) in enumerate(CAMPAIGNS)
    ]
    topics = [
        Topic.objects.create(convention=conv, slug=s, name=n, description=d, order=i)
        for i, (s, n, d) in enumerate(TOPICS)
    ]

    sat = Day.objects.create(convention=conv, date=conv.starts_on, title="Nos campagnes nationales")
    sun = Day.objects.create(convention=conv, date=conv.ends_on, title="S'organiser pour agir")

    def item(
        day,
        order,
        kind,
        start,
        end,
        title,
        description="",
        step=None,
        with_campaigns=False,
        with_topics=False,
    ):
        it = Item.objects.create(
            day=day,
            order=order,
            kind=kind,
            starts_at=_t(start),
            ends_at=_t(end),
            title=title,
            description=description,
            step=step,
        )
        if with_campaigns:
            it.campaigns.set(campaigns)
        if with_topics:
            it.topics.set(topics)
        return it

    item(
        sat,
        1,
        ItemKind.OPENING,
        "10:00",
        "10:30",
        "Ouverture",
        "Mot d'accueil et lancement des deux journées.",
    )
    item(
        sat,
        2,
        ItemKind.REPORT,
        "10:30",
        "11:15",
        "Une année d'action : le bilan",
        "Ce que le mouvement a fait depuis la dernière convention, ses réussites et ses limites.",
    )
    item(
        sat,
        3,
        ItemKind.RESULTS,
        "11:15",
        "12:00",
        "Les campagnes nationales : le processus et les résultats du vote",
        "Retour sur les étapes de la convention, annonce des résultats du vote en ligne des membres, puis présentation de la méthode de travail de l'après-midi.",
        with_campaigns=True,
    )
    item(sat, 4, ItemKind.BREAK, "12:00", "13:30", "Déjeuner")
    item(
        sat,
        5,
        ItemKind.WORK_STEP,
        "13:30",
        "14:45",
        "Étape 1 : ce que la campagne change au quotidien",
        WORK_STEP_TEXT.replace("différente de l'étape précédente", "")
        + "chacun cherche comment le sujet de la campagne touche la vie de tous les jours.",
        step=1,
        with_campaigns=True,
    )
    item(
        sat,
        6,
        ItemKind.TESTIMONIES,
        "14:45",
        "15:15",
        "Témoignages : la campagne vue du terrain",
        "Interventions depuis la salle et vidéos de membres et de personnes engagées sur les sujets des trois campagnes.",
        with_campaigns=True,
    )
    item(
        sat,
        7,
        ItemKind.WORK_STEP,
        "15:15",
        "16:30",
        "Étape 2 : nos propositions",
        WORK_STEP_TEXT
        + "les tables formulent nos propositions et les arguments pour les défendre.",
        step=2,
        with_campaigns=True,
    )
    item(
        sat,
        8,
        ItemKind.TESTIMONIES,
        "16:30",
        "17:00",
        "Témoignages : celles et ceux qui agissent déjà",
        "Nouvelle série d'interventions et de vidéos sur les sujets des campagnes.",
        with_campaigns=True,
    )
    item(
        sat,
        9,
        ItemKind.TESTIMONIES,
        "17:00",
        "17:30",
        "Témoignages : nos pratiques militantes",
        "Des membres racontent comment leur groupe d'action s'y prend : porte-à-porte, caravanes, actions solidaires.",
    )
    item(
        sat,
        10,
        ItemKind.WORK_STEP,
        "17:30",
        "18:45",
        "Étape 3 : construire nos campagnes",
        WORK_STEP_TEXT
        + "les tables proposent les axes de la campagne en s'appuyant sur les deux étapes précédentes.",
        step=3,
        with_campaigns=True,
    )
    item(sat, 11, ItemKind.CONCLUSION, "18:45", "19:15", "Conclusion de la journée")

    item(
        sun,
        1,
        ItemKind.TRAINING,
        "09:30",
        "11:00",
        "Impulser l'auto-organisation",
        "Ce que veut dire s'auto-organiser dans son quartier, une formation aux méthodes d'organisation communautaire, et les outils que le mouvement met à disposition.",
    )
    item(
        sun,
        2,
        ItemKind.TOPIC_TABLES,
        "11:00",
        "12:30",
        "Une organisation au service de l'action",
        "Sous réserve de l'adoption de la charte des groupes d'action et des principes du mouvement : tables de 7 à 9 personnes sur l'un des quatre sujets, choisi selon vos préférences.",
        with_topics=True,
    )
    item(sun, 3, ItemKind.BREAK, "12:30", "14:00", "Déjeuner")
    item(
        sun,
        4,
        ItemKind.PRESENTATION,
        "14:00",
        "14:45",
        "Les espaces du mouvement",
        "Tour d'horizon des espaces thématiques, locaux et numériques où chacun peut s'engager.",
    )
    item(
        sun,
        5,
        ItemKind.LAUNCH,
        "14:45",
        "15:15",
        "Vers l'assemblée représentative",
        "Lancement du calendrier de mise en place de l'assemblée représentative.",
    )
    item(sun, 6, ItemKind.CONCLUSION, "15:15", "16:00", "Conclusion")

    News.objects.create(
        convention=conv,
        title="Les résultats du vote seront annoncés samedi",
        body="Le vote en ligne sur les campagnes nationales est clos. Les résultats seront annoncés en séance samedi à 11 h 15.",
        published_at=tl.now - dt.timedelta(days=2),
    )
    News.objects.create(
        convention=conv,
        title="Proposez votre intervention",
        body="Vous n'avez pas été tiré·e au sort ? Proposez une intervention ou envoyez une vidéo avant vendredi 20 h.",
        published_at=tl.now - dt.timedelta(days=1),
    )
    return conv


def load_interventions(conv: Convention) -> None:
    """A few proposals in every state, one of them programmed."""
    from pnyx.members.models import Member

    members = list(Member.objects.order_by("external_id")[1:6])
    if len(members) < 5 or conv.interventions.exists():
        return
    energie, pauvrete, fiscalite = conv.campaigns.order_by("order")
    slot = conv.days.first().items.filter(kind=ItemKind.TESTIMONIES).first()
    base = {"item": None, "video_link": ""}
    a = actions.submit_intervention(
        members[0],
        conv,
        {
            **base,
            "title": "Une épicerie solidaire dans mon quartier",
            "summary": "Comment notre groupe a monté une épicerie solidaire et ce qu'elle change pour les familles du quartier.",
            "campaign": pauvrete,
            "format": "speak",
        },
    )
    b = actions.submit_intervention(
        members[1],
        conv,
        {
            **base,
            "title": "Salarié d'une centrale, je témoigne",
            "summary": "Vingt ans dans une centrale : ce que la transition doit garantir aux salariés.",
            "campaign": energie,
            "format": "video",
            "video_link": "https://video.example.org/temoignage-centrale",
        },
    )
    actions.submit_intervention(
        members[2],
        conv,
        {
            **base,
            "title": "L'évasion fiscale expliquée au marché",
            "summary": "Un stand, un jeu de cartes, et des discussions qui durent.",
            "campaign": fiscalite,
            "format": "speak",
        },
    )
    c = actions.submit_intervention(
        members[3],
        conv,
        {
            **base,
            "title": "Mon intervention",
            "summary": "À préciser.",
            "campaign": None,
            "format": "speak",
        },
    )
    actions.moderate(a, "accept", "demo")
    actions.moderate(b, "accept", "demo")
    actions.moderate(
        c, "request_changes", "demo", "Pouvez-vous préciser le sujet et la campagne concernée ?"
    )
    actions.place(a, slot, "demo")


def check_in_participants(conv: Convention, every: int = 5):
    """Most participants arrived (all but one in `every`): the in-hall vote has an electorate.
    Returns one participant who is present, or None when there are no participants."""
    from .models import Participant

    present = None
    for p in Participant.objects.filter(convention=conv).select_related("member").order_by("pk"):
        if p.pk % every:
            if p.checked_in_at is None:
                actions.check_in(p)
            present = present or p
    return present

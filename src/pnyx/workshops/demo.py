"""The demo's workshops: ~1,500 participants (the drawn ones, completed by invited members as
in the reference event), a published hall plan (3 parts, 3 campaigns, 3 steps, tables of 7 to 9,
people mixed between steps), topic rankings and topic tables, and a few table outputs.

Every change goes through `workshops.actions`. Idempotent: does nothing once the demo's hall
plan is published.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from pnyx.members.models import Member
from pnyx.programme.models import Convention, Participant

from . import actions
from .models import Plan, Table, TopicRanking

TARGET = 1500
ACTOR = "command:demo"
SEED = 2026

#: What the demo's tables write: for each campaign and field, ideas (named, as organizers would
#: name them), each in several wordings. Each table writes most ideas of a field, each in its
#: own wording, so that the synthesis has paraphrases to group (and a few ideas of one table).
IDEAS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "energie": {
        "impacts": {
            "Les factures d'énergie": (
                "Les factures de chauffage pèsent lourd dans les budgets.",
                "Se chauffer coûte une fortune, certains ne chauffent plus qu'une pièce.",
                "L'électricité et le gaz ont pris une part énorme de nos dépenses.",
            ),
            "L'emploi à la centrale": (
                "Dans nos villes, les salariés de la centrale s'inquiètent pour leur emploi.",
                "Les ouvriers du site nucléaire ont peur de perdre leur travail.",
                "Fermer la centrale sans plan, c'est des centaines d'emplois menacés chez nous.",
            ),
            "Des logements mal isolés": (
                "Nos logements sont des passoires thermiques.",
                "L'hiver, l'humidité et le froid entrent par les fenêtres des HLM.",
            ),
        },
        "proposals": {
            "Une reconversion négociée": (
                "Un plan de reconversion négocié avec les salariés du site.",
                "Former les salariés de la centrale aux métiers des renouvelables, avec eux.",
                "Aucune fermeture sans un accord sur l'avenir de chaque salarié.",
            ),
            "L'énergie citoyenne": (
                "Des coopératives citoyennes d'énergie renouvelable dans chaque région.",
                "Des panneaux solaires possédés par les habitants du quartier.",
            ),
            "Rénover d'abord chez les plus modestes": (
                "Rénover en priorité les logements des ménages modestes, sans avance de frais.",
                "Isoler gratuitement les logements des familles aux petits revenus.",
            ),
        },
        "arguments": {
            "Des emplois à la clé": (
                "La transition crée plus d'emplois qu'elle n'en supprime si elle est préparée.",
                "Les renouvelables et la rénovation embauchent localement.",
            ),
        },
        "axes": {
            "Rénover les logements des plus modestes": (
                "Rénover les logements des plus modestes.",
                "Isoler les logements des familles modestes en premier.",
            ),
            "Une transition juste pour les salariés": (
                "Une transition juste pour les salariés.",
                "Pas de transition sans les travailleurs de l'énergie.",
            ),
            "L'énergie citoyenne": (
                "L'énergie citoyenne.",
                "Une énergie produite et possédée par les habitants.",
            ),
        },
    },
    "pauvrete": {
        "impacts": {
            "Renoncer à se soigner": (
                "Des voisins renoncent à se soigner.",
                "Beaucoup repoussent le dentiste ou les lunettes faute d'argent.",
                "Se soigner passe après le loyer et les courses.",
            ),
            "Mal se nourrir": (
                "Des enfants mangent mal.",
                "À la fin du mois, on saute des repas.",
                "Les colis alimentaires ne suffisent plus dans notre quartier.",
            ),
            "Des droits non demandés": (
                "Beaucoup ne connaissent pas les aides auxquelles ils ont droit.",
                "Les démarches en ligne découragent ceux qui auraient droit aux aides.",
            ),
        },
        "proposals": {
            "Des permanences d'accès aux droits": (
                "Des permanences d'accès aux droits tenues par les groupes d'action.",
                "Aider nos voisins à remplir leurs dossiers d'aides, chaque semaine.",
            ),
            "Des épiceries solidaires": (
                "Des épiceries solidaires avec les producteurs locaux.",
                "Une épicerie à prix coûtant tenue par les habitants.",
            ),
        },
        "arguments": {
            "Agir vite sur le non-recours": (
                "Un tiers des aides ne sont pas demandées : les faire connaître, c'est agir vite.",
                "Faire valoir les droits existants rapporte tout de suite aux familles.",
            ),
        },
        "axes": {
            "L'accès aux droits": ("L'accès aux droits.", "Faire valoir tous ses droits."),
            "Se nourrir dignement": ("Se nourrir dignement.", "Une alimentation digne pour tous."),
            "Le logement d'abord": ("Le logement d'abord.", "D'abord un toit pour chacun."),
        },
    },
    "fiscalite": {
        "impacts": {
            "Des services publics qui ferment": (
                "Les services publics ferment près de chez nous.",
                "Le bureau de poste et la maternité du coin ont fermé.",
                "Il faut faire 40 km pour trouver un guichet ou un hôpital.",
            ),
            "L'évasion fiscale": (
                "L'évasion fiscale prive l'État de milliards.",
                "Les multinationales ne paient presque pas d'impôts ici.",
            ),
        },
        "proposals": {
            "Expliquer l'évasion fiscale": (
                "Des réunions publiques pour expliquer l'évasion fiscale avec des exemples locaux.",
                "Un atelier dans chaque ville pour montrer où partent nos impôts.",
            ),
            "Interpeller les élus": (
                "Interpeller nos élus sur la transparence des multinationales.",
                "Écrire à nos députés pour qu'ils votent la transparence fiscale.",
            ),
        },
        "arguments": {
            "Ce que coûte l'évasion": (
                "Chaque milliard perdu, c'est des écoles et des hôpitaux en moins.",
                "L'argent qui s'évade manque à nos services publics.",
            ),
        },
        "axes": {
            "Expliquer": ("Expliquer.", "Faire comprendre l'évasion fiscale."),
            "Interpeller les élus": ("Interpeller les élus.", "Demander des comptes aux élus."),
            "Les paradis fiscaux": (
                "Mettre en lumière les paradis fiscaux.",
                "Dénoncer les paradis fiscaux.",
            ),
        },
    },
}


def table_texts(campaign: str, table_index: int) -> dict[str, str]:
    """What the `table_index`-th table sending outputs writes for `campaign`: in each field,
    every idea but one (a different one at each table), each in the table's own wording."""
    fields = IDEAS.get(campaign, IDEAS["energie"])
    texts = {}
    for field, ideas in fields.items():
        lines = []
        names = list(ideas)
        for i, name in enumerate(names):
            if len(names) > 2 and (table_index + i) % len(names) == 0:
                continue  # this table did not raise it
            wordings = ideas[name]
            lines.append(wordings[(table_index + i) % len(wordings)])
        texts[field] = "\n".join(lines)
    return texts


def idea_names(campaign: str) -> dict[str, str]:
    """Each wording of `campaign`'s ideas -> the idea's name."""
    fields = IDEAS.get(campaign, IDEAS["energie"])
    return {w: name for ideas in fields.values() for name, ws in ideas.items() for w in ws}


TOPIC_IDEAS = (
    "Un fonds commun alimenté par de petits dons mensuels, et un vote des membres sur les projets."
)


def _complete_participants(convention: Convention, target: int) -> int:
    """Invite non-drawn members until `target` participants (a quarter were not drawn)."""
    have = Participant.objects.filter(convention=convention).count()
    if have >= target:
        return 0
    taken = Participant.objects.filter(convention=convention).values("member_id")
    ids = list(
        Member.objects.filter(active=True)
        .exclude(pk__in=taken)
        .order_by("external_id")
        .values_list("external_id", flat=True)
    )
    rng = random.Random(SEED)
    chosen = rng.sample(ids, min(target - have, len(ids)))
    added, _unknown = actions.add_invited(convention, chosen, ACTOR)
    return added


def _rankings(convention: Convention) -> int:
    """Most participants rank the four topics, with unequal popularity."""
    topics = list(convention.topics.order_by("order"))
    if not topics:
        return 0
    ranked = set(
        TopicRanking.objects.filter(convention=convention).values_list("member_id", flat=True)
    )
    rng = random.Random(SEED + 1)
    weights = [4, 3, 2, 1.5][: len(topics)] + [1] * max(0, len(topics) - 4)
    new = []
    for member_id in (
        Participant.objects.filter(convention=convention)
        .order_by("pk")
        .values_list("member_id", flat=True)
    ):
        if member_id in ranked or rng.random() < 0.08:  # a few never rank
            continue
        pool, w, order = list(topics), list(weights), []
        while pool:
            i = rng.choices(range(len(pool)), weights=w)[0]
            order.append(pool.pop(i).pk)
            w.pop(i)
        new.append(TopicRanking(convention=convention, member_id=member_id, ranking=order))
    TopicRanking.objects.bulk_create(new, batch_size=1000)
    return len(new)


def _outputs(hall, plan: Plan) -> int:
    steps = {s.number: s for s in hall.steps.all()}
    sent = 0
    # Twelve tables spread over the hall (so every part, hence every campaign at every step,
    # has some): each writes in its own words.
    numbers = sorted({t for t in plan.seats.values_list("table", flat=True)})
    numbers = numbers[:: max(1, len(numbers) // 12)][:12]
    for index, number in enumerate(numbers):
        table = Table.objects.get(hall=hall, number=number)
        for work in actions.table_work(table):
            if work["step"] is None or work["step"].number not in steps:
                continue
            if work["step"].number == 3 and index % 4 == 3:
                continue  # step 3 is still going on at some tables
            texts = table_texts(work["campaign"].slug, index)
            actions.submit_output(table, texts, step=work["step"], facilitator=f"Table {number}")
            sent += 1
    tplan = actions.published_plan(hall, Plan.Kind.TOPICS)
    if tplan is not None:
        for number in sorted(set(tplan.topic_seats.values_list("table", flat=True)))[:3]:
            table = Table.objects.get(hall=hall, number=number)
            topic = tplan.topic_seats.filter(table=number).first().topic
            actions.submit_output(table, {"ideas": TOPIC_IDEAS}, topic=topic)
            sent += 1
    return sent


def _review(hall) -> str:
    """Run the synthesis at once, then review it as organizers would: merge the clusters that
    hold the same idea (the demo knows each wording's idea), name each cluster raised by several
    tables after its idea, and retain the step-3 axes raised by several tables."""
    from . import review

    try:
        run, _started = review.request_synthesis(hall, actor=ACTOR, enqueue=False)
        run = review.compute_synthesis(run.pk)
    except ImportError:
        return "package absent"
    merges = retains = 0
    for group in review.groups_of(hall):
        names = idea_names(group.campaign)
        by_idea: dict[str, object] = {}
        for cluster in review.reviewed_clusters(group):
            said = Counter(names.get(i.text) for i in cluster.idea_list if names.get(i.text))
            if not said:
                continue
            idea = said.most_common(1)[0][0]
            if idea in by_idea:
                by_idea[idea] = review.merge_clusters(by_idea[idea], cluster, actor=ACTOR)
                merges += 1
            else:
                by_idea[idea] = cluster
        for idea, cluster in by_idea.items():
            cluster = next(c for c in review.reviewed_clusters(group) if c.pk == cluster.pk)
            if len(cluster.tables) < 2:
                continue
            if cluster.label != idea:
                review.rename_cluster(cluster, idea, actor=ACTOR)
            if group.field == "axes":
                review.set_retained(cluster, True, actor=ACTOR)
                retains += 1
    return f"{run.units} ideas, {merges} merges, {retains} retained axes"


def load(convention: Convention, stdout, target: int = TARGET) -> Plan | None:
    start = time.perf_counter()
    hall = actions.get_hall(convention)
    published = actions.published_plan(hall)
    if published is not None:
        stdout.write(f"Workshops: hall plan #{published.pk} already published")
        return published
    invited = _complete_participants(convention, target)
    hall.parts, hall.table_min, hall.table_max = 3, 7, 9
    hall.remix, hall.columns, hall.seed, hall.topic_max_share = True, 8, SEED, 0.35
    hall.save()
    hall.campaigns.set(convention.campaigns.order_by("order")[:3])
    ranked = _rankings(convention)
    plan = actions.publish(actions.run_plan(hall, ACTOR), ACTOR)
    topics = actions.publish(actions.run_topic_plan(hall, ACTOR), ACTOR)
    sent = _outputs(hall, plan)
    reviewed = _review(hall)
    s = plan.stats
    stdout.write(
        f"Workshops: {plan.seats.filter(step=1).count()} participants ({invited} invited), "
        f"{s['tables']} tables, repeated pairs {s['repeated_pairs']}, same-group pairs "
        f"{s['same_group_pairs']}, gender band violations {s['gender_band_violations']}; "
        f"{ranked} topic rankings, first choice {topics.stats['first_choice_share']:.0%}; "
        f"{sent} table outputs; synthesis: {reviewed}; {time.perf_counter() - start:.1f} s"
    )
    return plan

"""The demo's workshops: ~1,500 participants (the drawn ones, completed by invited members as
in the reference event), a published hall plan (3 parts, 3 campaigns, 3 steps, tables of 7 to 9,
people mixed between steps), topic rankings and topic tables, and a few table outputs.

Every change goes through `workshops.actions`. Idempotent: does nothing once the demo's hall
plan is published.
"""

from __future__ import annotations

import random
import time

from pnyx.members.models import Member
from pnyx.programme.models import Convention, Participant

from . import actions
from .models import Plan, Table, TopicRanking

TARGET = 1500
ACTOR = "command:demo"
SEED = 2026

OUTPUTS = {
    "energie": {
        "impacts": "Les factures de chauffage pèsent lourd dans les budgets.\n"
        "Dans nos villes, les salariés de la centrale s'inquiètent pour leur emploi.",
        "proposals": "Un plan de reconversion négocié avec les salariés du site.\n"
        "Des coopératives citoyennes d'énergie renouvelable dans chaque région.",
        "arguments": "La transition crée plus d'emplois qu'elle n'en supprime si elle est préparée.",
        "axes": "1. Rénover les logements des plus modestes.\n"
        "2. Une transition juste pour les salariés.\n3. L'énergie citoyenne.",
    },
    "pauvrete": {
        "impacts": "Des voisins renoncent à se soigner ; des enfants mangent mal.\n"
        "Beaucoup ne connaissent pas les aides auxquelles ils ont droit.",
        "proposals": "Des permanences d'accès aux droits tenues par les groupes d'action.\n"
        "Des épiceries solidaires avec les producteurs locaux.",
        "arguments": "Un tiers des aides ne sont pas demandées : les faire connaître, c'est agir vite.",
        "axes": "1. L'accès aux droits.\n2. Se nourrir dignement.\n3. Le logement d'abord.",
    },
    "fiscalite": {
        "impacts": "Les services publics ferment près de chez nous pendant que l'évasion fiscale "
        "prive l'État de milliards.",
        "proposals": "Des réunions publiques pour expliquer l'évasion fiscale avec des exemples "
        "locaux.\nInterpeller nos élus sur la transparence des multinationales.",
        "arguments": "Chaque milliard perdu, c'est des écoles et des hôpitaux en moins.",
        "axes": "1. Expliquer.\n2. Interpeller les élus.\n3. Mettre en lumière les paradis fiscaux.",
    },
}
#: The name organizers give, in the demo, to the merged step-1 impacts of a campaign.
MERGED_LABELS = {
    "energie": "Les factures et les emplois",
    "pauvrete": "Se soigner, se nourrir, connaître ses droits",
}
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
    for number in sorted({t for t in plan.seats.values_list("table", flat=True)})[:6]:
        table = Table.objects.get(hall=hall, number=number)
        for work in actions.table_work(table):
            if work["step"] is None or work["step"].number not in steps:
                continue
            if work["step"].number == 3 and number % 2:
                continue  # step 3 is still going on at some tables
            texts = OUTPUTS.get(work["campaign"].slug, OUTPUTS["energie"])
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
    """Run the synthesis at once, then review it as organizers would: in each campaign, merge
    the two largest clusters of the step-1 impacts, and retain the step-3 axes raised by
    several tables."""
    from . import review

    try:
        run, _started = review.request_synthesis(hall, actor=ACTOR, enqueue=False)
        run = review.compute_synthesis(run.pk)
    except ImportError:
        return "package absent"
    merges = retains = 0
    for group in review.groups_of(hall):
        clusters = review.reviewed_clusters(group)
        if group.field == "impacts" and len(clusters) >= 2:
            merged = review.merge_clusters(clusters[0], clusters[1], actor=ACTOR)
            if group.campaign in MERGED_LABELS:
                review.rename_cluster(merged, MERGED_LABELS[group.campaign], actor=ACTOR)
            merges += 1
        if group.field == "axes":
            for c in clusters:
                if len(c.tables) >= 2:
                    review.set_retained(c, True, actor=ACTOR)
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

"""The organizers' review of the synthesis: the machine's run stored apart from the human
edits, each decision journaled, the re-run rule, provenance, permissions, the step-3 page,
the final synthesis (page, Markdown, PDF) and the hall screen at the conclusion."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import override

from pnyx.journal.models import JournalEntry
from pnyx.members.actions import user_for_member
from pnyx.programme.models import Item, ItemKind, Participant
from pnyx.workshops import actions, review
from pnyx.workshops.exports import _contributions
from pnyx.workshops.models import (
    Output,
    Plan,
    ReviewCluster,
    ReviewIdea,
    Seat,
    SynthesisRun,
    Table,
)

pytest.importorskip("pnyx.synthesis")

HEAT = "Les factures de chauffage augmentent chaque hiver"
BUS = "Les bus ne passent plus dans les villages"
STEP1 = {
    1: f"{HEAT}.\nLes bus ne passent plus dans nos villages.",
    2: "Les factures de chauffage augmentent tous les hivers.",
    3: f"{BUS}.\nOn manque de médecins.",
    4: "Les bus ne passent plus dans les petits villages.",
}


@pytest.fixture
def campaigns(hall):
    return hall.campaign_list()


@pytest.fixture
def plan(hall, campaigns, make_member, convention):
    """A published plan by hand (no planner): tables 1-4 on campaign 0 at every step, table 5
    on campaign 1 at step 3; each seat one participant."""
    p = Plan.objects.create(hall=hall, status=Plan.Status.PUBLISHED, seed=1)
    people = [
        Participant.objects.create(convention=convention, member=make_member()) for _ in range(5)
    ]
    for n, person in enumerate(people, 1):
        Table.objects.create(hall=hall, number=n)
        for step in (1, 2, 3):
            campaign = campaigns[1] if n == 5 else campaigns[0]
            Seat.objects.create(
                plan=p, participant=person, step=step, part=1, table=n, campaign=campaign
            )
    return p


@pytest.fixture
def run(hall, campaigns, organizer, django_capture_on_commit_callbacks):
    """Step-1 outputs of tables 1-4 (campaign 0), then a run: returns a function that runs
    again."""
    step = hall.steps.get(number=1)
    for table, text in STEP1.items():
        Output.objects.create(
            hall=hall, table=table, step=step, campaign=campaigns[0], impacts=text
        )

    def again():
        with django_capture_on_commit_callbacks(execute=True):
            r, started = review.request_synthesis(hall, actor=organizer)
        assert started
        r.refresh_from_db()
        assert r.status == SynthesisRun.Status.DONE, r.error
        return r

    again.first = again()
    return again


def _group(hall, campaign, step=1, field="impacts"):
    return hall.review_groups.get(campaign=campaign.slug, step=step, field=field)


def _cluster_of(group, text_start):
    idea = group.ideas.filter(text__startswith=text_start).order_by("table").first()
    return idea.cluster


def _journal(action):
    return JournalEntry.objects.filter(action=action).order_by("-seq").first()


def test_a_run_is_stored_whole_and_the_review_starts_as_its_copy(hall, run):
    r = run.first
    contributions = _contributions(hall)
    assert r.inputs_digest == review.inputs_digest(contributions) and len(r.inputs_digest) == 64
    assert r.method and r.finished_at is not None
    entry = _journal("workshops.synthesis_computed")
    assert entry.inputs_digest == r.inputs_digest and entry.payload["units"] == r.units
    (g,) = r.result["groups"]
    machine = {
        (i["table"], i["line"], i["text"]) for c in g["clusters"] + g["unique"] for i in c["ideas"]
    }
    group = hall.review_groups.get()
    reviewed = {(i.table, i.line, i.text) for i in group.ideas.all()}
    assert reviewed == machine and len(machine) == r.units == 6
    assert group.clusters.count() == len(g["clusters"]) + len(g["unique"])


def test_merge_is_journaled_and_leaves_the_machines_run_alone(
    hall, campaigns, run, organizer, organizer_client
):
    group = _group(hall, campaigns[0])
    before = dict(run.first.result)
    heat, bus = _cluster_of(group, "Les factures"), _cluster_of(group, "Les bus")
    assert heat.pk != bus.pk
    merged = review.merge_clusters(heat, bus, actor=organizer)
    assert not ReviewCluster.objects.filter(pk=bus.pk).exists()
    assert {i.table for i in merged.ideas.all()} == {1, 2, 3, 4}
    entry = _journal("workshops.synthesis_clusters_merged")
    assert entry.actor == "user:orga" and entry.payload["merged"] == bus.pk
    assert len(entry.payload["ideas"]) == bus_ideas(before, "Les bus")
    run.first.refresh_from_db()
    assert run.first.result == before  # the machine's layer never changes
    body = organizer_client.get(f"/ateliers/organisation/synthese/revue/{group.pk}/").content
    body = body.decode()
    machine = body[body.index('id="machine"') : body.index('id="reviewed"')]
    assert HEAT in machine and BUS in machine  # the machine's grouping, shown as it was
    start = body.index(f'id="cluster-{merged.pk}"')
    card = body[start : body.index("</article>", start)]
    assert HEAT in card and BUS in card  # beside the reviewed one, merged


def bus_ideas(result, start):
    return sum(
        1
        for g in result["groups"]
        for c in g["clusters"] + g["unique"]
        for i in c["ideas"]
        if i["text"].startswith(start)
    )


def test_split_move_rename_and_retain_each_write_their_journal_row(hall, campaigns, run, organizer):
    group = _group(hall, campaigns[0])
    bus = _cluster_of(group, "Les bus")
    ideas = list(bus.ideas.order_by("table"))
    assert len(ideas) == 3
    new = review.split_cluster(bus, ideas[:1], actor=organizer, label="Bus du village")
    assert list(new.ideas.all()) == ideas[:1] and new.label == "Bus du village"
    assert _journal("workshops.synthesis_cluster_split").payload["ideas"][0]["table"] == 1
    # move it back, then out alone
    review.move_idea(ideas[0], bus, actor=organizer)
    assert not ReviewCluster.objects.filter(pk=new.pk).exists()  # left empty: gone
    assert _journal("workshops.synthesis_idea_moved").payload["from_removed"] is True
    alone = review.move_idea(ideas[0], None, actor=organizer)
    assert alone.ideas.get() == ideas[0] and alone.label == ideas[0].text
    review.rename_cluster(bus, "  Transports à la campagne ", actor=organizer)
    bus.refresh_from_db()
    assert bus.label == "Transports à la campagne"
    assert _journal("workshops.synthesis_cluster_renamed").payload["to"] == bus.label
    review.set_retained(bus, True, actor=organizer)
    review.set_retained(ideas[0], True, actor=organizer)
    assert ReviewIdea.objects.get(pk=ideas[0].pk).retained
    assert JournalEntry.objects.filter(action="workshops.synthesis_retained").count() == 2
    review.set_retained(bus, False, actor=organizer)
    assert _journal("workshops.synthesis_unretained").payload["cluster"] == bus.pk


def test_impossible_decisions_say_why_and_change_nothing(hall, campaigns, run, organizer):
    group = _group(hall, campaigns[0])
    bus = _cluster_of(group, "Les bus")
    count = JournalEntry.objects.count()
    with override("en"), pytest.raises(review.ReviewError, match="different"):
        review.merge_clusters(bus, bus, actor=organizer)
    with override("en"), pytest.raises(review.ReviewError, match="at least one"):
        review.split_cluster(bus, list(bus.ideas.all()), actor=organizer)
    with override("en"), pytest.raises(review.ReviewError, match="empty"):
        review.rename_cluster(bus, "   ", actor=organizer)
    with override("en"), pytest.raises(review.ReviewError, match="200"):
        review.rename_cluster(bus, "x" * 201, actor=organizer)
    with override("en"), pytest.raises(review.ReviewError, match="already in"):
        review.move_idea(bus.ideas.first(), bus, actor=organizer)
    assert JournalEntry.objects.count() == count and bus.ideas.count() == 3


def test_a_rerun_keeps_the_decisions_that_still_apply_and_lists_the_others(
    hall, campaigns, run, organizer, organizer_client
):
    group = _group(hall, campaigns[0])
    heat, bus = _cluster_of(group, "Les factures"), _cluster_of(group, "Les bus")
    medics = group.ideas.get(text__startswith="On manque").cluster
    review.merge_clusters(heat, medics, actor=organizer)  # a human decision the machine lacks
    review.set_retained(bus, True, actor=organizer)
    # table 4 corrects its text; table 2 adds a line
    Output.objects.filter(table=4).update(impacts="Plus aucun car scolaire le mercredi.")
    Output.objects.filter(table=2).update(impacts=STEP1[2] + "\nLes bus ne passent plus au hameau.")
    second = run()
    assert second.inputs_digest != run.first.inputs_digest
    (rep,) = second.report
    assert [i["table"] for i in rep["stale"]] == [4]
    assert {(i["table"], i["text"]) for i in rep["added"]} >= {
        (4, "Plus aucun car scolaire le mercredi.")
    }
    medic = ReviewIdea.objects.get(text__startswith="On manque")
    assert medic.cluster_id == heat.pk and not medic.stale  # the merge still applies
    assert ReviewCluster.objects.get(pk=bus.pk).retained
    gone = ReviewIdea.objects.get(table=4, text__startswith="Les bus")
    assert gone.stale and gone.cluster_id == bus.pk
    hamlet = ReviewIdea.objects.get(text__startswith="Les bus ne passent plus au hameau")
    assert hamlet.added and hamlet.cluster_id == bus.pk  # beside its machine neighbours
    final = review.final_synthesis(hall, campaigns[0].slug)
    texts = [i["text"] for s in final["steps"] for f in s["fields"] for c in f["clusters"]
             for i in c["ideas"]]  # fmt: skip
    assert "Les bus ne passent plus dans les petits villages." not in texts  # stale: left out
    body = organizer_client.get(f"/ateliers/organisation/synthese/revue/{group.pk}/").content
    assert "plus dans les contributions" in body.decode()


def test_every_retained_idea_shows_its_tables_and_exact_words(
    hall, campaigns, run, organizer, organizer_client
):
    group = _group(hall, campaigns[0])
    heat, bus = _cluster_of(group, "Les factures"), _cluster_of(group, "Les bus")
    review.set_retained(bus, True, actor=organizer)
    review.set_retained(heat.ideas.order_by("table").first(), True, actor=organizer)
    data = review.final_synthesis(hall, campaigns[0].slug)
    assert data["tables"] == 4 and data["ideas"] == 6 and data["retained"] == 2
    lines = {
        (o.table, n): text.strip()
        for o in Output.objects.filter(hall=hall)
        for n, text in enumerate(o.impacts.splitlines(), 1)
    }
    (field,) = data["steps"][0]["fields"]
    for c in field["clusters"]:
        assert c["tables"] == sorted({i["table"] for i in c["ideas"]})
        for i in c["ideas"]:
            assert lines[(i["table"], i["line"])].startswith(i["text"].rstrip("."))
    by_label = {c["label"]: c for c in field["clusters"]}
    assert by_label[bus.label]["tables"] == [1, 3, 4]
    assert [i["table"] for i in by_label[heat.label]["ideas"]] == [1]  # only the retained idea
    slug = campaigns[0].slug
    page = organizer_client.get(f"/ateliers/organisation/synthese/finale/{slug}/").content.decode()
    assert "4 tables, 6 idées, 2 retenues par les organisateurs" in page.replace("\u202f", " ")
    assert (
        "Les bus ne passent plus dans les petits villages." in page and "table 4, ligne 1" in page
    )
    md = organizer_client.get(f"/ateliers/organisation/synthese/finale/{slug}.md").content.decode()
    assert md.startswith("# Synthèse finale") and "table 3, ligne 1" in md
    assert r"Les bus ne passent plus dans les petits villages\." in md
    assert "Les bus" in organizer_client.get("/ateliers/organisation/synthese.md").content.decode()


def test_the_final_synthesis_pdf_is_a_background_document(
    hall, campaigns, run, organizer, pdf_pages, django_capture_on_commit_callbacks
):
    review.set_retained(_cluster_of(_group(hall, campaigns[0]), "Les bus"), True, actor=organizer)
    with django_capture_on_commit_callbacks(execute=True):
        doc, started = actions.request_document(
            hall, "synthesis", {"campaign": campaigns[0].slug}, actor=organizer
        )
    doc.refresh_from_db()
    assert started and doc.status == "done", doc.error
    assert pdf_pages(doc.file.read()) >= 1
    assert actions.current_source_digest(doc) == doc.source_digest
    review.rename_cluster(_cluster_of(_group(hall, campaigns[0]), "Les bus"), "X", actor=organizer)
    assert actions.current_source_digest(doc) != doc.source_digest  # out of date
    with override("en"), pytest.raises(actions.WorkshopError, match="campaign"):
        actions.request_document(hall, "synthesis", {"campaign": "nope"}, actor=organizer)


def test_only_organizers_review(hall, campaigns, run, make_member, client, member_client):
    group = _group(hall, campaigns[0])
    bus = _cluster_of(group, "Les bus")
    member = user_for_member(make_member())
    for call in (
        lambda: review.rename_cluster(bus, "x", actor=member),
        lambda: review.set_retained(bus, True, actor=member),
        lambda: review.merge_clusters(bus, bus, actor=member),
        lambda: review.request_synthesis(hall, actor=member),
        lambda: review.move_idea(bus.ideas.first(), None, actor="table:1"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    for url in (
        "/ateliers/organisation/synthese/",
        f"/ateliers/organisation/synthese/revue/{group.pk}/",
        f"/ateliers/organisation/synthese/finale/{campaigns[0].slug}/",
        f"/ateliers/organisation/synthese/finale/{campaigns[0].slug}.md",
    ):
        assert member_client.get(url).status_code == 403
    r = member_client.post(
        f"/ateliers/organisation/synthese/revue/{group.pk}/",
        {"op": "rename", "cluster": bus.pk, "label": "Pirate"},
    )
    assert r.status_code == 403 and ReviewCluster.objects.get(pk=bus.pk).label != "Pirate"


def test_review_page_posts_decisions_and_reports_bad_ones(hall, campaigns, run, organizer_client):
    group = _group(hall, campaigns[0])
    heat, bus = _cluster_of(group, "Les factures"), _cluster_of(group, "Les bus")
    url = f"/ateliers/organisation/synthese/revue/{group.pk}/"
    r = organizer_client.post(url, {"op": "merge", "cluster": heat.pk, "other": bus.pk})
    assert r.status_code == 302 and not ReviewCluster.objects.filter(pk=bus.pk).exists()
    r = organizer_client.post(url, {"op": "rename", "cluster": heat.pk, "label": ""}, follow=True)
    assert "ne peut pas être vide" in r.content.decode()
    r = organizer_client.post(
        url, {"op": "merge", "cluster": heat.pk, "other": 999999}, follow=True
    )
    assert "Choisissez un regroupement" in r.content.decode()
    idea = heat.ideas.order_by("table").first()
    organizer_client.post(url, {"op": "retain", "idea": idea.pk})
    assert ReviewIdea.objects.get(pk=idea.pk).retained
    organizer_client.post(url, {"op": "move", "idea": idea.pk, "other": "alone"})
    assert ReviewIdea.objects.get(pk=idea.pk).cluster_id != heat.pk
    page = organizer_client.get("/ateliers/organisation/synthese/").content.decode()
    assert f"/ateliers/organisation/synthese/revue/{group.pk}/" in page


def test_step_3_tables_see_their_campaigns_reviewed_earlier_steps(
    hall, campaigns, plan, run, organizer, client
):
    group = _group(hall, campaigns[0])
    bus = _cluster_of(group, "Les bus")
    review.rename_cluster(bus, "Des transports pour les villages", actor=organizer)
    review.set_retained(bus, True, actor=organizer)
    other = hall.steps.get(number=1)
    Output.objects.create(
        hall=hall, table=5, step=other, campaign=campaigns[1], impacts="Une autre campagne ici."
    )
    run()
    body = client.get(Table.objects.get(hall=hall, number=1).path()).content.decode()
    assert body.count("Des transports pour les villages") == 1
    start = body.index('class="earlier"')
    label = body.index("Des transports pour les villages", start)
    assert label < body.index("Les factures de chauffage", start)  # retained first
    assert "Une autre campagne ici." not in body
    body5 = client.get(Table.objects.get(hall=hall, number=5).path()).content.decode()
    assert "Une autre campagne ici." in body5 and "Des transports" not in body5


def test_the_hall_screen_shows_the_retained_axes_at_the_conclusion(
    hall, campaigns, run, organizer, client
):
    bus = _cluster_of(_group(hall, campaigns[0]), "Les bus")
    review.rename_cluster(bus, "Des transports pour les villages", actor=organizer)
    review.set_retained(bus, True, actor=organizer)
    item = Item.objects.filter(day__convention=hall.convention, kind=ItemKind.CONCLUSION).first()
    at = datetime.combine(item.day.date, item.starts_at) + timedelta(minutes=5)
    body = client.get("/ecran/", {"at": at.isoformat()}).content.decode()
    assert "Des transports pour les villages" in body and "3 tables" in body
    step = Item.objects.filter(day__convention=hall.convention, kind=ItemKind.WORK_STEP).first()
    at = datetime.combine(step.day.date, step.starts_at) + timedelta(minutes=5)
    body = client.get("/ecran/", {"at": at.isoformat()}).content.decode()
    assert "Des transports pour les villages" not in body


def test_the_hall_ranks_the_retained_axes_in_an_in_hall_vote(
    hall, campaigns, run, organizer, organizer_client
):
    step = hall.steps.get(number=3)
    for table in (1, 2, 3):
        Output.objects.create(
            hall=hall,
            table=table,
            step=step,
            campaign=campaigns[0],
            axes="Rénover les logements des plus modestes.\nDes bus pour chaque village.",
        )
    run()
    group = _group(hall, campaigns[0], step=3, field="axes")
    homes, bus = _cluster_of(group, "Rénover"), _cluster_of(group, "Des bus")
    review.set_retained(homes, True, actor=organizer)
    with override("en"), pytest.raises(review.ReviewError, match="at least two axes"):
        review.vote_on_axes(hall, campaigns[0].slug, actor=organizer)
    review.set_retained(bus, True, actor=organizer)
    r = organizer_client.post(f"/ateliers/organisation/synthese/finale/{campaigns[0].slug}/vote/")
    vote = hall.convention.votes.get()
    assert r.status_code == 302 and r.url == f"/votes/organisation/{vote.pk}/"
    assert vote.in_hall and vote.method == "schulze" and vote.status == "draft"
    options = {o.title: o.description for o in vote.options.all()}
    assert options == {
        homes.label: "Venu des tables 1, 2, 3.",
        bus.label: "Venu des tables 1, 2, 3.",
    }
    assert _journal("workshops.synthesis_vote_created").payload["campaign"] == campaigns[0].slug


def test_one_run_at_a_time_and_an_abandoned_one_does_not_block(hall, organizer):
    from django.utils import timezone

    old = SynthesisRun.objects.create(
        hall=hall, status=SynthesisRun.Status.RUNNING, requested_at=timezone.now()
    )
    assert review.request_synthesis(hall, actor=organizer, enqueue=False) == (old, False)
    SynthesisRun.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - review.RUN_TIMEOUT - timedelta(seconds=1)
    )
    new, started = review.request_synthesis(hall, actor=organizer, enqueue=False)
    old.refresh_from_db()
    assert started and new.pk != old.pk and old.status == SynthesisRun.Status.FAILED


def test_the_same_words_twice_on_one_line_are_two_ideas(hall, campaigns, run):
    Output.objects.filter(table=4).update(impacts="Rien ne va. Rien ne va.")
    second = run()
    group = _group(hall, campaigns[0])
    assert group.ideas.filter(stale=False).count() == second.units
    assert group.ideas.filter(table=4, text="Rien ne va.", stale=False).count() == (
        sum(
            1
            for g in second.result["groups"]
            for c in g["clusters"] + g["unique"]
            for i in c["ideas"]
            if i["table"] == 4 and i["text"] == "Rien ne va."
        )
    )

import csv
import io
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from pnyx.journal.models import JournalEntry
from pnyx.members.actions import user_for_member
from pnyx.workshops import actions, exports, pdf
from pnyx.workshops.models import Output, Plan, Table


def _client_for(client, participant):
    client.force_login(user_for_member(participant.member))
    return client


def test_itinerary_shows_only_ones_own_tables(client, published, hall_people):
    me, other = hall_people[0], hall_people[1]
    r = _client_for(client, me).get("/ateliers/mon-parcours/")
    body = r.content.decode()
    assert r.status_code == 200
    for seat in published.seats.filter(participant=me).select_related("campaign"):
        assert f"Table {seat.table}" in body
        assert seat.campaign.name in body
    assert me.member.first_name in body
    assert other.member.last_name not in body and me.member.last_name not in body
    assert "Mon parcours" in body  # the menu link of a participant


def test_itinerary_before_publication_and_for_non_participants(hall, hall_people, member_client):
    r = _client_for(Client(), hall_people[0]).get("/ateliers/mon-parcours/")
    assert "pas encore publié" in r.content.decode()
    r = member_client.get("/ateliers/mon-parcours/")
    assert "ne faites pas partie" in r.content.decode()


def test_member_pages_need_a_signed_in_member(client, convention):
    r = client.get("/ateliers/mon-parcours/")
    assert r.status_code == 302 and "/connexion/" in r.url
    r = client.get("/ateliers/sujets/")
    assert r.status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/ateliers/organisation/",
        "/ateliers/organisation/participants/",
        "/ateliers/organisation/tables/",
        "/ateliers/organisation/contributions/",
        "/ateliers/organisation/contributions.csv",
        "/ateliers/organisation/contributions.md",
        "/ateliers/organisation/badges.pdf",
        "/ateliers/organisation/tables/cartes.pdf",
        "/ateliers/organisation/documents/",
    ],
)
def test_organizer_pages_are_refused_to_members_and_visitors(
    client, member_client, convention, url
):
    assert member_client.get(url).status_code == 403
    client.logout()
    r = client.get(url)
    assert r.status_code == 302 and "login" in r.url or "connexion" in r.url


def test_organizer_posts_are_refused_to_members(member_client, published):
    r = member_client.post(f"/ateliers/organisation/plans/{published.pk}/publier/")
    assert r.status_code == 403
    r = member_client.post("/ateliers/organisation/plans/calculer/", {"kind": "hall"})
    assert r.status_code == 403


def test_facilitator_token_valid_forged_and_revoked(client, published, organizer):
    table = Table.objects.get(hall=published.hall, number=1)
    r = client.get(table.path())
    assert r.status_code == 200 and "Table 1" in r.content.decode()
    forged = reverse("workshops:table", args=[1, "0" * 32])
    assert client.get(forged).status_code == 404
    other = Table.objects.get(hall=published.hall, number=2)
    assert client.get(reverse("workshops:table", args=[1, other.token()])).status_code == 404
    old = table.path()
    actions.revoke_table(table, organizer)
    assert client.get(old).status_code == 404
    assert client.get(table.path()).status_code == 200
    assert JournalEntry.objects.filter(action="workshops.table_code_revoked").count() == 1


def test_facilitator_sends_outputs_that_organizers_read_by_campaign(
    client, organizer_client, published
):
    hall = published.hall
    table = Table.objects.get(hall=hall, number=1)
    work = actions.table_work(table)
    assert [w["step"].number for w in work] == [1, 2, 3]
    r = client.post(
        table.path(),
        {
            "which": "w0",
            "w0-impacts": "Les factures d'énergie pèsent sur les ménages.",
            "w0-facilitator": "Léa",
        },
    )
    assert r.status_code == 302
    r = client.post(
        table.path(),
        {"which": "w1", "w1-proposals": "Un chèque énergie universel.", "w1-arguments": "Simple."},
    )
    out = Output.objects.get(table=1, step__number=1)
    assert out.campaign == work[0]["campaign"] and out.facilitator == "Léa"
    assert JournalEntry.objects.filter(action="workshops.output_received").count() == 2
    # sending again replaces the table's output for that step
    client.post(table.path(), {"which": "w0", "w0-impacts": "Version corrigée."})
    assert Output.objects.filter(table=1, step__number=1).get().impacts == "Version corrigée."
    # an empty output is refused
    r = client.post(table.path(), {"which": "w2", "w2-axes": "  "})
    assert r.status_code == 200 and not Output.objects.filter(step__number=3).exists()
    body = organizer_client.get("/ateliers/organisation/contributions/").content.decode()
    section = body[body.index(f'id="c-{work[0]["campaign"].slug}"') :]
    assert "Version corrigée." in section
    assert "Un chèque énergie universel." in body
    campaigns, _topics = exports.grouped(hall)
    by_slug = {g.slug: g for g in campaigns}
    assert by_slug[work[0]["campaign"].slug].steps[0].outputs[0].table == 1
    assert by_slug[work[0]["campaign"].slug].steps[0].tables == 3


def test_csv_and_markdown_exports(organizer_client, published):
    table = Table.objects.get(hall=published.hall, number=4)
    actions.submit_output(
        table,
        {"impacts": "Se chauffer coûte trop cher.\nSurtout l'hiver."},
        step=published.hall.steps.get(number=1),
    )
    r = organizer_client.get("/ateliers/organisation/contributions.csv")
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == 1 and rows[0]["table"] == "4" and rows[0]["step"] == "1"
    assert rows[0]["impacts"].startswith("Se chauffer")
    assert rows[0]["campaign"] == Output.objects.get().campaign.slug
    r = organizer_client.get("/ateliers/organisation/contributions.md")
    md = r.content.decode()
    assert md.startswith("# ")
    assert "#### Table 4" in md and "> Se chauffer coûte trop cher.\n> Surtout l'hiver." in md
    assert f"## {Output.objects.get().campaign.name}" in md


def test_whole_hall_pdfs_are_not_rendered_in_the_request(organizer_client, published):
    """Table cards and a part's or the hall's badges are background documents (see
    test_workshops_documents.py): their old addresses lead to the documents page."""
    for url in [
        "/ateliers/organisation/tables/cartes.pdf",
        "/ateliers/organisation/tables/cartes.pdf?step=2",
        "/ateliers/organisation/badges.pdf?part=1",
        "/ateliers/organisation/badges.pdf",
    ]:
        r = organizer_client.get(url)
        assert r.status_code == 302 and r.url == "/ateliers/organisation/documents/", url


def test_badges_pdf_and_badge_qr_target(
    organizer_client, published, hall_people, settings, pdf_pages
):
    ids = ",".join(str(p.pk) for p in hall_people[:5])
    r = organizer_client.get(f"/ateliers/organisation/badges.pdf?ids={ids}")
    assert r.content.startswith(b"%PDF")
    assert pdf_pages(r.content) == 2  # 5 people, four badges a page
    many = ",".join(str(p.pk) for p in hall_people[:9])
    r = organizer_client.get(f"/ateliers/organisation/badges.pdf?ids={many}")
    assert r.status_code == 400 and "page des documents" in r.content.decode()
    p = hall_people[0]
    url = pdf.badge_url(p)
    assert url.startswith(settings.PNYX_SITE_URL + p.badge_path() + "?next=")
    assert urlparse(url).query == "next=%2Fateliers%2Fmon-parcours%2F"


def test_badge_link_signs_in_and_leads_to_the_itinerary(client, published, hall_people):
    p = hall_people[3]
    target = urlparse(pdf.badge_url(p))
    r = client.get(f"{target.path}?{target.query}")
    assert 'value="/ateliers/mon-parcours/"' in r.content.decode()
    r = client.post(target.path, {"next": "/ateliers/mon-parcours/"})
    assert r.status_code == 302 and r.url == "/ateliers/mon-parcours/"
    assert "Table" in client.get(r.url).content.decode()


def test_my_badge_pdf(client, published, hall_people, pdf_pages):
    r = _client_for(client, hall_people[0]).get("/ateliers/mon-parcours/badge.pdf")
    assert r.content.startswith(b"%PDF") and pdf_pages(r.content) == 1


def test_members_rank_topics_and_topic_tables_follow(client, published, hall_people, organizer):
    convention = published.hall.convention
    topics = list(convention.topics.order_by("order"))
    for i, p in enumerate(hall_people):
        first = topics[i % 2]  # half want topic 0, half topic 1
        rest = [t for t in topics if t != first]
        _client_for(client, p)
        r = client.post(
            "/ateliers/sujets/",
            {f"rank{j + 1}": str(t.pk) for j, t in enumerate([first, *rest])},
        )
        assert r.status_code == 302
    r = client.post("/ateliers/sujets/", {"rank1": str(topics[0].pk), "rank2": str(topics[0].pk)})
    assert "une seule fois" in r.content.decode()
    plan = actions.run_topic_plan(published.hall, organizer)
    assert plan.kind == Plan.Kind.TOPICS
    assert plan.topic_seats.count() == len(hall_people)
    assert plan.stats["first_choice_share"] == 1.0
    actions.publish(plan, organizer)
    assert actions.published_plan(published.hall) == published  # the hall plan stays published
    seat = plan.topic_seats.get(participant=hall_people[0])
    body = _client_for(client, hall_people[0]).get("/ateliers/mon-parcours/").content.decode()
    assert escape(seat.topic.name) in body and f"Table {seat.table}" in body
    r = client.get(Table.objects.get(hall=published.hall, number=seat.table).path())
    assert escape(seat.topic.name) in r.content.decode()


def test_organizer_pages_render(organizer_client, published):
    for url in [
        "/ateliers/organisation/",
        "/ateliers/organisation/participants/?q=Nom1",
        "/ateliers/organisation/tables/",
        "/ateliers/organisation/contributions/",
        f"/ateliers/organisation/plans/{published.pk}/?step=2&table=1&q=Nom2",
    ]:
        r = organizer_client.get(url)
        assert r.status_code == 200, url
    body = organizer_client.get("/ateliers/organisation/").content.decode()
    assert "Ateliers" in body  # the organizer's menu link


def test_synthesis_groups_ideas_raised_by_several_tables(organizer_client, published):
    pytest.importorskip("pnyx.synthesis")
    step = published.hall.steps.get(number=1)
    campaign = None
    for number in (1, 2, 3):
        table = Table.objects.get(hall=published.hall, number=number)
        out = actions.submit_output(
            table, {"impacts": "Les factures de chauffage augmentent chaque hiver."}, step=step
        )
        campaign = out.campaign
    r = organizer_client.get("/ateliers/organisation/contributions/")
    assert "plusieurs tables" in r.content.decode()
    r = organizer_client.get("/ateliers/organisation/synthese.md")
    assert r.status_code == 200 and campaign.name in r.content.decode()

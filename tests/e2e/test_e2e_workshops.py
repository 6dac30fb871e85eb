"""An organizer publishes a hall plan, a participant opens their itinerary from the badge's QR
code, a table's facilitator sends the table's output, and the organizer reads it."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_plan_published_itinerary_opened_output_sent_and_read(
    live_server, new_page, django_user_model
):
    from pnyx.members.models import ActionGroup, Member
    from pnyx.programme import demo
    from pnyx.programme.models import Participant
    from pnyx.workshops import pdf
    from pnyx.workshops.models import Plan, Table

    convention = demo.load()
    groups = [ActionGroup.objects.create(name=f"Groupe {i}") for i in range(20)]
    regions = ["Bretagne", "Occitanie", "Grand Est", "Normandie"]
    people = []
    for i in range(63):
        m = Member.objects.create(
            external_id=f"E{i:03d}",
            first_name=["Nadia", "Karim", "Léa", "Hugo", "Inès", "Paul", "Alex"][i % 7] + f"{i}",
            last_name=f"Martin{i}",
            email=f"p{i}@example.org",
            gender="FMFMFMX"[i % 7],
            region=regions[i % 4],
            birth_year=1950 + (i * 7) % 50,
            joined_on="2017-02-01",
            action_group=groups[i % 20] if i % 3 else None,
        )
        people.append(Participant.objects.create(convention=convention, member=m, source="drawn"))
    django_user_model.objects.create_superuser("orga", "orga@example.org", "orga-e2e-password")

    # 1. The organizer plans the hall and publishes the plan.
    orga = new_page()
    orga.goto(live_server.url + "/admin/login/?next=/ateliers/organisation/")
    orga.fill("#id_username", "orga")
    orga.fill("#id_password", "orga-e2e-password")
    orga.locator("input[type=submit]").click()
    orga.get_by_role("heading", name="Ateliers : la salle").wait_for()
    orga.get_by_role("button", name="Calculer le plan de salle").click()
    orga.get_by_text("Un nouveau plan en brouillon est prêt").wait_for()
    assert orga.locator(".hall-table").count() == 9
    orga.get_by_role("button", name="Publier ce plan").click()
    orga.get_by_text("Le plan est publié").wait_for()
    plan = Plan.objects.get(status="published")

    # 2. A participant scans the QR code of her badge and sees her itinerary on her phone.
    nadia = people[0]
    badge = pdf.badge_url(nadia).replace("http://testserver", live_server.url)
    phone = new_page()
    phone.goto(badge)
    phone.get_by_role("button", name="Me connecter").click()
    phone.get_by_role("heading", name="Mon parcours").wait_for()
    cards = phone.locator(".itinerary > li")
    assert cards.count() == 3
    seats = plan.seats.filter(participant=nadia).select_related("campaign").order_by("step")
    for card, seat in zip(cards.all(), seats, strict=True):
        text = card.inner_text()
        assert f"Table {seat.table}" in text and seat.campaign.name in text
    assert "Martin1 " not in phone.content()

    # 3. The facilitator of her step-1 table scans the table's card and sends the output.
    seat = plan.seats.get(participant=nadia, step=1)
    table = Table.objects.get(hall=plan.hall, number=seat.table)
    facilitator = new_page()
    facilitator.goto(live_server.url + table.path())
    facilitator.get_by_role("heading", name=f"Table {seat.table}").wait_for()
    step1 = facilitator.locator("section#w0")
    step1.get_by_label("Impacts sur la vie quotidienne").fill(
        "Les factures de chauffage explosent dans notre quartier."
    )
    step1.get_by_label("Votre prénom (animateur·rice)").fill("Karim")
    step1.get_by_role("button", name="Envoyer la contribution de la table").click()
    facilitator.get_by_text(
        f"Merci, la contribution de la table {seat.table} est reçue."
    ).wait_for()

    # 4. The organizer reads it under the campaign of that table at step 1.
    orga.goto(live_server.url + "/ateliers/organisation/contributions/")
    section = orga.locator(f"section#c-{seat.campaign.slug}")
    section.get_by_text("Les factures de chauffage explosent dans notre quartier.").wait_for()
    assert f"Table {seat.table}" in section.inner_text()
    assert "Karim" in section.inner_text()

"""An organizer runs the synthesis, merges two clusters of the machine's grouping on a phone,
retains the merged one, and the campaign's final synthesis shows it with its tables and their
exact words."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OUTPUTS = {
    1: "Les factures de chauffage augmentent chaque hiver.",
    2: "Les factures de chauffage augmentent tous les hivers.",
    3: "Les bus ne passent plus dans les villages.",
    4: "Les bus ne passent plus dans les petits villages.",
}


def test_organizer_merges_two_clusters_and_the_final_page_shows_them(
    live_server, new_page, django_user_model
):
    pytest.importorskip("pnyx.synthesis")
    from pnyx.programme import demo
    from pnyx.workshops import actions
    from pnyx.workshops.models import Output, ReviewIdea

    convention = demo.load()
    hall = actions.get_hall(convention)
    campaign = hall.campaign_list()[0]
    step = hall.steps.get(number=1)
    for table, text in OUTPUTS.items():
        Output.objects.create(hall=hall, table=table, step=step, campaign=campaign, impacts=text)
    django_user_model.objects.create_superuser("orga", "orga@example.org", "orga-e2e-password")

    orga = new_page()
    orga.goto(live_server.url + "/admin/login/?next=/ateliers/organisation/synthese/")
    orga.fill("#id_username", "orga")
    orga.fill("#id_password", "orga-e2e-password")
    orga.locator("input[type=submit]").click()
    orga.get_by_role("button", name="Calculer la synthèse").click()
    orga.get_by_text("La synthèse est en cours de calcul").wait_for()
    orga.reload()
    orga.get_by_role("link", name="Impacts sur la vie quotidienne").click()
    orga.get_by_role("heading", name="Le regroupement revu").wait_for()

    heat = ReviewIdea.objects.get(table=1).cluster
    bus = ReviewIdea.objects.get(table=3).cluster
    assert heat.pk != bus.pk  # the machine kept them apart
    card = orga.locator(f"#cluster-{heat.pk}")
    card.get_by_label("Fusionner avec").select_option(str(bus.pk))
    card.get_by_role("button", name="Fusionner", exact=True).click()
    orga.get_by_text("Les regroupements sont fusionnés.").wait_for()
    card = orga.locator(f"#cluster-{heat.pk}")
    assert OUTPUTS[3] in card.inner_text()
    card.get_by_text("Renommer ou séparer").click()
    card.get_by_label("Nom", exact=True).fill("Chauffage et transports")
    card.get_by_role("button", name="Renommer").click()
    orga.get_by_text("Le regroupement est renommé.").wait_for()
    orga.locator(f"#cluster-{heat.pk}").get_by_role(
        "button", name="Retenir le regroupement"
    ).click()
    orga.get_by_text("Retenu.", exact=True).wait_for()
    # the machine's grouping is still shown as it was, beside the reviewed one
    assert orga.locator("#machine").get_by_text(OUTPUTS[3]).count() == 1

    orga.get_by_role("link", name="Synthèse finale").first.click()
    orga.get_by_role("heading", name=f"Synthèse finale · {campaign.name}").wait_for()
    kept = orga.locator(".kept-cluster", has_text="Chauffage et transports")
    text = kept.inner_text()
    assert "4 tables (1, 2, 3, 4)" in text
    for table, words in OUTPUTS.items():
        assert words in text and f"table {table}, ligne 1" in text

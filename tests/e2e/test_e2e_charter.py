import datetime as dt

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_amends_organizer_retains_the_hall_adopts_and_the_charter_shows_it(
    live_server, new_page, sign_in_by_link, nadia, django_user_model
):
    from django.utils import timezone

    from pnyx.charter import actions
    from pnyx.programme import demo
    from pnyx.programme.models import Participant

    convention = demo.load()
    django_user_model.objects.create_superuser("orga", "orga@example.org", "orga-e2e-password")
    Participant.objects.create(
        convention=convention, member=nadia, source="invited", checked_in_at=timezone.now()
    )
    now = timezone.now()
    charter = actions.import_markdown(
        convention,
        "# Charte\n\n## Principes\n\nLes groupes agissent localement.\n\nIls sont ouverts.\n",
        actor="test",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
    )

    # 1. Nadia proposes a new wording of article 1, with her reason.
    member = new_page()
    sign_in_by_link(member, "nadia@example.org")
    member.goto(live_server.url + f"/charte/{charter.pk}/")
    member.get_by_role("link", name="Proposer un amendement").click()
    member.locator("#id_article").select_option(label="1. Les groupes agissent localement.")
    member.get_by_label("remplacer la rédaction").check()
    member.get_by_label("Nouvelle rédaction").fill(
        "Les groupes agissent là où vivent leurs membres."
    )
    member.get_by_label("Justification").fill("Plus précis.")
    member.get_by_role("button", name="Envoyer l’amendement").click()
    member.get_by_text("Votre amendement est bien reçu").wait_for()

    # 2. An organizer retains it, closes the window, and opens the hall's vote.
    orga = new_page()
    orga.goto(live_server.url + f"/admin/login/?next=/charte/organisation/{charter.pk}/")
    orga.fill("#id_username", "orga")
    orga.fill("#id_password", "orga-e2e-password")
    orga.locator("input[type=submit]").click()
    orga.get_by_text("Plus précis.").wait_for()
    orga.get_by_role("button", name="Retenir pour le vote").click()
    orga.get_by_text("est retenu pour le vote").wait_for()
    past = timezone.localtime(now - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    orga.get_by_label("Clôture des amendements").fill(past)
    orga.get_by_role("button", name="Enregistrer").click()
    orga.get_by_role("button", name="Clore les amendements et préparer les votes").click()
    orga.get_by_text("Les votes peuvent commencer.").wait_for()

    def hall_votes_yes():
        orga.get_by_role("button", name="Ouvrir le vote dans la salle").click()
        orga.get_by_text("Le vote est ouvert dans la salle.").wait_for()
        member.goto(live_server.url + "/votes/")
        member.get_by_role("link", name="Voter").first.click()
        member.get_by_label("Pour", exact=True).check()
        member.get_by_role("button", name="Vérifier mon bulletin").click()
        member.get_by_role("button", name="Confirmer mon vote").click()
        member.get_by_role("heading", name="Votre vote est enregistré").wait_for()
        orga.get_by_role("button", name="Clore le vote et le dépouiller").click()
        orga.get_by_text("Le vote est clos et dépouillé.").wait_for()

    # 3. The hall adopts the amendment, then the whole text.
    hall_votes_yes()
    hall_votes_yes()

    # 4. The published charter shows the new wording, where it comes from, and the counts.
    member.goto(live_server.url + f"/charte/{charter.pk}/")
    text = member.locator(".charter-text").inner_text()
    assert "Les groupes agissent là où vivent leurs membres." in text
    assert "Les groupes agissent localement." not in text
    assert "Rédaction de l’amendement A" in text and "pour 1, contre 0, abstention 0" in text
    history = member.locator("table.history").inner_text()
    assert "Nouvelle rédaction de l’article 1" in history
    assert member.locator("h1 + p .status").inner_text() == "Adoptée"

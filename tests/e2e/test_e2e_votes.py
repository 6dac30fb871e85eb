import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_votes_3_of_30_gets_a_receipt_and_finds_it_after_closing(
    live_server, new_page, sign_in_by_link, nadia, django_user_model
):
    from pnyx.programme import demo
    from pnyx.votes import actions

    convention = demo.load()
    django_user_model.objects.create_superuser("orga", "orga@example.org", "orga-e2e-password")
    vote = actions.create_vote(
        convention,
        "test",
        mode="published",
        question="Nos campagnes",
        method="approval",
        max_choices=3,
        seats=3,
    )
    for i in range(1, 31):
        actions.add_option(vote, "test", title=f"Proposition numéro {i}")
    vote = actions.open_vote(vote, "test")

    # 1. The member signs in by a link received by email.
    member = new_page()
    sign_in_by_link(member, "nadia@example.org")

    # 2. She chooses 3 of 30; the counter follows and stops her at 3.
    member.goto(live_server.url + "/votes/")
    member.get_by_role("link", name="Voter").click()
    assert member.locator("input[name=choice]").count() == 30
    for n in (4, 17, 30):
        member.get_by_label(f"Proposition numéro {n}", exact=True).check()
    assert member.locator(".counter").inner_text().replace(" ", "") == "3/3"
    assert member.get_by_label("Proposition numéro 5", exact=True).is_disabled()
    member.get_by_role("button", name="Vérifier mon bulletin").click()
    member.get_by_role("heading", name="Vérifiez votre bulletin").wait_for()
    assert member.locator("ol.review li").count() == 3
    member.get_by_role("button", name="Confirmer mon vote").click()
    member.get_by_role("heading", name="Votre vote est enregistré").wait_for()
    receipt = member.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    assert "P04" not in member.url and "choice" not in member.url

    # 3. An organizer closes the vote: the ballots are published.
    orga = new_page()
    orga.goto(live_server.url + f"/admin/login/?next=/votes/organisation/{vote.pk}/")
    orga.fill("#id_username", "orga")
    orga.fill("#id_password", "orga-e2e-password")
    orga.locator("input[type=submit]").click()
    orga.get_by_role("button", name="Clore le vote et publier les bulletins").click()
    orga.get_by_role("heading", name="Clore le vote").wait_for()  # the server asks first
    orga.get_by_role("button", name="Oui, clore le vote et publier les bulletins").click()
    orga.get_by_text("Le vote est clos et ses bulletins publiés.").wait_for()

    # 4. She finds her receipt in the published file, and the page confirms it.
    published = member.request.get(live_server.url + f"/votes/{vote.pk}/bulletins.csv").text()
    assert f"{receipt},P04|P17|P30" in published
    member.goto(live_server.url + f"/votes/{vote.pk}/resultats/")
    assert member.locator("ol.bars li.winner").count() == 3
    member.get_by_role(
        "link", name="Vérifier que mon reçu figure dans les bulletins publiés"
    ).click()
    member.get_by_label("Votre reçu").fill(receipt.lower())
    member.get_by_role("button", name="Vérifier", exact=True).click()
    member.get_by_text("Votre reçu figure dans les bulletins publiés").wait_for()

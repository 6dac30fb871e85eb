import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 4000


def test_member_proposes_a_video_organizer_places_it_public_programme_shows_it(
    live_server, new_page, sign_in_by_link, nadia, tmp_path, django_user_model
):
    from pnyx.programme import demo

    demo.load()
    django_user_model.objects.create_superuser("orga", "orga@example.org", "orga-e2e-password")
    video = tmp_path / "temoignage.mp4"
    video.write_bytes(MP4)

    # 1. The member signs in by a link received by email.
    member = new_page()
    sign_in_by_link(member, "nadia@example.org")

    # 2. She proposes an intervention with a small video file.
    member.goto(live_server.url + "/interventions/proposer/")
    member.get_by_label("Titre").fill("Vingt ans dans une centrale")
    member.get_by_label("Résumé").fill("Ce que la transition doit garantir aux salariés.")
    member.get_by_label("Campagne").select_option(
        label="Sortir du nucléaire, réussir la transition"
    )
    member.get_by_label("Envoyer une vidéo").check()
    member.get_by_label("Fichier vidéo").set_input_files(str(video))
    member.get_by_role("button", name="Envoyer ma proposition").click()
    member.get_by_role("heading", name="Mes propositions").wait_for()
    assert member.get_by_text("Vingt ans dans une centrale").is_visible()
    assert member.get_by_text("Envoyée").first.is_visible()

    # 3. An organizer accepts it and places it in the first testimony slot.
    orga = new_page()
    orga.goto(live_server.url + "/admin/login/?next=/organisation/interventions/")
    orga.fill("#id_username", "orga")
    orga.fill("#id_password", "orga-e2e-password")
    orga.locator("input[type=submit]").click()
    orga.get_by_role("heading", name="Interventions proposées").wait_for()
    card = orga.locator("article.intervention", has_text="Vingt ans dans une centrale")
    card.get_by_label("Décision").select_option("accept")
    card.get_by_role("button", name="Enregistrer la décision").click()
    orga.get_by_text("Décision enregistrée").wait_for()
    orga.goto(live_server.url + "/organisation/interventions/?status=accepted")
    card = orga.locator("article.intervention", has_text="Vingt ans dans une centrale")
    card.get_by_label("Créneau de témoignages").select_option(index=1)
    card.get_by_role("button", name="Placer dans le programme").click()
    orga.get_by_text("est dans le programme").wait_for()

    # 4. The public programme shows it, with its video, to anyone.
    visitor = new_page()
    visitor.goto(live_server.url + "/")
    testimony = visitor.locator("li.testimony", has_text="Vingt ans dans une centrale")
    testimony.wait_for()
    assert "Nadia H." in testimony.inner_text()
    href = testimony.get_by_role("link", name="vidéo").get_attribute("href")
    response = visitor.request.get(live_server.url + href)
    assert response.status == 200 and response.body() == MP4
    # ...and the member sees the new status on her phone.
    member.goto(live_server.url + "/interventions/mes-propositions/")
    assert member.get_by_text("Acceptée").is_visible()
    assert member.get_by_text("Programmée").is_visible()

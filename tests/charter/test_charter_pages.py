"""The charter's pages: who may see and post what, the importer's errors, limits."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from pnyx.charter.models import Amendment, Charter


def test_public_page_and_member_form_during_the_window(member_client, charter):
    from django.test import Client

    client = Client()
    page = client.get(f"/charte/{charter.pk}/")
    assert page.status_code == 200
    assert "Chaque groupe est ouvert à toutes et à tous." in page.content.decode()
    assert client.get("/charte/").url == f"/charte/{charter.pk}/"
    assert client.get(f"/charte/{charter.pk}/charte.pdf").status_code == 404  # not decided
    form = member_client.get(f"/charte/{charter.pk}/amender/")
    assert form.status_code == 200 and b'name="justification"' in form.content
    a1 = charter.articles.get(number=1)
    r = member_client.post(
        f"/charte/{charter.pk}/amender/",
        {"article": a1.pk, "kind": "replace", "text": "Autre.", "justification": "Mieux."},
    )
    assert r.status_code == 302
    amendment = Amendment.objects.get()
    assert (amendment.member, amendment.text) == (member_client.member, "Autre.")
    # Submitted amendments stay off the public page until moderated.
    assert "Autre." not in client.get(f"/charte/{charter.pk}/").content.decode()


def test_after_the_window_the_form_refuses(member_client, charter, clock):
    clock.move_to(charter.amendments_close_at + dt.timedelta(seconds=1))
    a1 = charter.articles.get(number=1)
    r = member_client.post(
        f"/charte/{charter.pk}/amender/",
        {"article": a1.pk, "kind": "delete", "justification": "Inutile."},
    )
    assert (
        r.status_code == 200
        and "Les amendements ne sont pas ouverts en ce moment." in r.content.decode()
    )
    assert not Amendment.objects.exists()


def test_member_posts_are_rate_limited_and_bounded(member_client, charter, settings):
    settings.PNYX_RATE_LIMITS = {**settings.PNYX_RATE_LIMITS, "amend": "2/10m"}
    a1 = charter.articles.get(number=1)
    data = {"article": a1.pk, "kind": "delete", "justification": "Inutile."}
    codes = [member_client.post(f"/charte/{charter.pk}/amender/", data).status_code for _ in "abc"]
    assert codes == [302, 302, 429]
    big = member_client.post(
        f"/charte/{charter.pk}/amender/", {**data, "justification": "x" * 40_000}
    )
    assert big.status_code == 413
    assert Amendment.objects.count() == 2


def test_organizer_pages_are_for_organizers(member_client, charter):
    from django.test import Client

    client = Client()  # anonymous (member_client is the `client` fixture signed in)
    for path in (f"/charte/organisation/{charter.pk}/", "/charte/organisation/"):
        assert member_client.get(path).status_code == 403
        assert client.get(path).status_code == 302  # to the sign-in page
    post = member_client.post(f"/charte/organisation/{charter.pk}/votes/", {"action": "start"})
    assert post.status_code == 403
    assert Charter.objects.get().status == Charter.Status.AMENDING


def test_import_errors_name_the_file_and_line(organizer_client, convention):
    bad = SimpleUploadedFile("charte.md", b"## S\n\nArticle.\n\n- liste\n")
    r = organizer_client.post("/charte/organisation/", {"file": bad})
    assert r.status_code == 200
    assert "charte.md, ligne 5\u00a0: une liste n’a pas sa place ici" in r.content.decode()
    assert not Charter.objects.exists()
    r = organizer_client.post(
        "/charte/organisation/", {"source": "# Texte\n\n## S\n\nUn article.\n"}
    )
    charter = Charter.objects.get()
    assert r.url == f"/charte/organisation/{charter.pk}/"
    assert charter.title == "Texte" and charter.articles.count() == 1


def test_organizer_moderates_and_opens_the_votes_from_the_page(
    organizer_client, charter, make_member, clock, hall
):
    from pnyx.charter import actions

    a = actions.submit_amendment(
        charter,
        charter.articles.get(number=1),
        actor=make_member(),
        kind="delete",
        justification="Redondant.",
    )
    page = organizer_client.get(f"/charte/organisation/{charter.pk}/")
    assert page.status_code == 200 and b"Redondant." in page.content
    base = f"/charte/organisation/{charter.pk}/"
    organizer_client.post(base + f"amendements/{a.pk}/", {"action": "accept"})
    assert Amendment.objects.get().state == Amendment.State.ACCEPTED
    clock.move_to(charter.amendments_close_at)
    organizer_client.post(base + "votes/", {"action": "start"})
    organizer_client.post(base + "votes/", {"action": "open", "minutes": "3"})
    vote = Amendment.objects.get().vote
    assert vote.status == "open" and vote.in_hall
    r = organizer_client.post(base + "votes/", {"action": "close"}, follow=True)
    assert "Le vote est clos et dépouillé." in r.content.decode()
    assert Amendment.objects.get().state == Amendment.State.DEFEATED  # 0 yes, 0 no


def test_a_table_amends_by_its_qr_code_link(charter, organizer):
    from django.test import Client

    from pnyx.workshops import actions as workshops
    from pnyx.workshops.models import Table

    hall = workshops.get_hall(charter.convention)
    table = Table.objects.create(hall=hall, number=7)
    url = f"/charte/{charter.pk}/table/7/{table.token()}/"
    client = Client()
    assert client.get(f"/charte/{charter.pk}/table/7/wrong-token/").status_code == 404
    data = {
        "article": charter.articles.get(number=2).pk,
        "kind": "add_after",
        "text": "Ajout de la table.",
        "justification": "Débattu à la table.",
    }
    assert client.post(url, data).status_code == 302
    a = Amendment.objects.get()
    assert (a.table_number, a.member, a.entered_by) == (7, None, "table:7")
    assert "Ajout de la table." in client.get(url).content.decode()

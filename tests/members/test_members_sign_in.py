import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pnyx.members.models import SignInToken

pytestmark = pytest.mark.django_db


def _link_from_mail():
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/connexion/[^/\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_sign_in_by_one_time_link(client, make_member):
    member = make_member(email="lea@example.org")
    r = client.post(reverse("members:sign_in"), {"email": "LEA@example.org"})
    assert r.status_code == 200
    link = _link_from_mail()
    assert mail.outbox[0].to == ["lea@example.org"]
    # GET does not sign in (mail scanners follow links); it shows a button.
    r = client.get(link)
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = client.post(link)
    assert r.status_code == 302
    member.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == member.user_id
    # The link works once.
    client.logout()
    assert client.post(link).status_code == 410
    assert "_auth_user_id" not in client.session


def test_only_the_hash_of_the_token_is_stored(client, make_member):
    make_member(email="lea@example.org")
    client.post(reverse("members:sign_in"), {"email": "lea@example.org"})
    token = _link_from_mail().strip("/").split("/")[-1]
    stored = SignInToken.objects.get()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_expired_link_is_refused(client, make_member):
    make_member(email="lea@example.org")
    client.post(reverse("members:sign_in"), {"email": "lea@example.org"})
    link = _link_from_mail()
    SignInToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(link).status_code == 410
    assert "_auth_user_id" not in client.session


def test_unknown_address_gets_the_same_answer_and_no_mail(client, make_member):
    make_member(email="lea@example.org")
    known = client.post(reverse("members:sign_in"), {"email": "lea@example.org"})
    unknown = client.post(reverse("members:sign_in"), {"email": "nobody@example.org"})
    assert len(mail.outbox) == 1
    assert known.status_code == unknown.status_code == 200

    def main(r, email):
        html = r.content.decode()
        return html[html.index("<main>") : html.index("</main>")].replace(email, "X")

    assert main(known, "lea@example.org") == main(unknown, "nobody@example.org")


def test_next_url_is_kept_but_only_on_this_site(client, make_member):
    make_member(email="lea@example.org")
    client.post(
        reverse("members:sign_in"), {"email": "lea@example.org", "next": "https://evil.example/x"}
    )
    r = client.post(_link_from_mail())
    assert r["Location"] == reverse("programme:home")
    mail.outbox.clear()
    client.logout()
    client.post(
        reverse("members:sign_in"),
        {"email": "lea@example.org", "next": "/interventions/mes-propositions/"},
    )
    r = client.post(_link_from_mail())
    assert r["Location"] == "/interventions/mes-propositions/"


def test_sign_in_form_requires_csrf(make_member):
    from django.test import Client

    make_member(email="lea@example.org")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("members:sign_in"), {"email": "lea@example.org"}).status_code == 403
    assert not mail.outbox


def test_a_member_cannot_be_flooded_with_links(client, make_member, settings):
    settings.PNYX_SIGN_IN_LINKS_PER_HOUR = 3
    make_member(email="lea@example.org")
    for _ in range(5):
        r = client.post(reverse("members:sign_in"), {"email": "lea@example.org"})
        assert r.status_code == 200
    assert len(mail.outbox) == 3

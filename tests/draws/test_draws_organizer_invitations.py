"""The organizer's draw page lists the invitations by pages, searched by name, member id or
public code, and filtered by status (the demo has 1,146 invitations)."""

import re

import pytest
from django.urls import reverse


@pytest.fixture
def small_pages(monkeypatch):
    from pnyx.draws import views

    monkeypatch.setattr(views, "INVITATIONS_PER_PAGE", 3, raising=False)


def _codes(html: str) -> list[str]:
    body = html[html.index("<tbody>", html.index('id="invitations"')) :]
    body = body[: body.index("</tbody>")]
    return re.findall(r"<tr><td><code>([^<]+)</code>", body)


def test_invitations_come_by_pages(organizer_client, invited, small_pages):
    url = reverse("draws:organizer_draw", args=[invited.pk])
    all_codes = list(
        invited.invitations.order_by("replacement_number", "entry__code").values_list(
            "entry__code", flat=True
        )
    )
    assert len(all_codes) == 8
    html = organizer_client.get(url).content.decode()
    assert "8 invitations · page 1 of 3" in html
    assert _codes(html) == all_codes[:3]
    assert 'href="?page=2#invitations"' in html
    seen = []
    for n in (1, 2, 3):
        seen += _codes(organizer_client.get(url, {"page": n}).content.decode())
    assert seen == all_codes  # every invitation once, in the same order
    # a page out of range or not a number shows the last or the first page, not an error
    assert _codes(organizer_client.get(url, {"page": 99}).content.decode()) == all_codes[6:]
    assert _codes(organizer_client.get(url, {"page": "x"}).content.decode()) == all_codes[:3]


def test_invitations_are_searched_by_name_id_or_code(organizer_client, invited, small_pages):
    url = reverse("draws:organizer_draw", args=[invited.pk])
    invitations = list(invited.invitations.select_related("entry__member").order_by("entry__code"))

    def words(i):
        m = i.entry.member
        return (m.last_name, f"{m.first_name} {m.last_name}", m.external_id)

    # One whose name and id are inside no other invited member's (the drawn panel changes from
    # run to run: "Nom1" would also find "Nom12").
    inv = next(
        i
        for i in invitations[4:] + invitations[:4]
        if not any(
            w.lower() in o.lower()
            for o_inv in invitations
            if o_inv is not i
            for w, o in zip(words(i), words(o_inv), strict=True)
        )
    )
    member = inv.entry.member
    for q in (member.last_name, f"{member.first_name} {member.last_name}", member.external_id):
        html = organizer_client.get(url, {"q": q}).content.decode()
        assert _codes(html) == [inv.entry.code], q
        assert "1 invitation<" in html or "1 invitation " in html
    assert _codes(organizer_client.get(url, {"q": inv.entry.code.lower()}).content.decode()) == [
        inv.entry.code
    ]
    html = organizer_client.get(url, {"q": "Nobody-Like-This"}).content.decode()
    assert _codes(html) == [] and "No invitation matches." in html


def test_invitations_are_filtered_by_status_and_pages_keep_the_search(
    organizer_client, invited, small_pages
):
    from pnyx.draws import actions

    url = reverse("draws:organizer_draw", args=[invited.pk])
    answered = list(invited.invitations.order_by("entry__code")[:4])
    for inv in answered:
        actions.respond(inv, True)
    accepted_codes = sorted(i.entry.code for i in answered)
    html = organizer_client.get(url, {"status": "accepted"}).content.decode()
    assert "4 invitations · page 1 of 2" in html
    assert 'href="?status=accepted&amp;page=2#invitations"' in html
    assert '<option value="accepted" selected>' in html
    second = organizer_client.get(url, {"status": "accepted", "page": 2}).content.decode()
    assert sorted(_codes(html) + _codes(second)) == accepted_codes
    # an unknown status is ignored (all invitations), never an error
    html = organizer_client.get(url, {"status": "bogus"}).content.decode()
    assert "8 invitations" in html


def test_members_cannot_open_the_organizer_page(member_client, invited):
    r = member_client.get(reverse("draws:organizer_draw", args=[invited.pk]), {"q": "a"})
    assert r.status_code == 403

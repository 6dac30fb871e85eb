"""Pages: public draw page and its files (checked with `pnyx verify-draw`), the member's own
result, the invitation link, organizer pages and their protection."""

import re

import pytest
from django.urls import reverse

from pnyx.draws import actions
from pnyx.draws.models import Draw, Invitation
from pnyx.lottery.cli import verify_main
from pnyx.members.actions import user_for_member
from pnyx.programme.models import Participant


def _download(client, draw, name, tmp_path):
    r = client.get(reverse("draws:download", args=[draw.pk, name]))
    assert r.status_code == 200, name
    path = tmp_path / name
    path.write_bytes(r.content)
    return path


def test_public_page_shows_digest_before_seed(client, computed, organizer):
    url = reverse("draws:public", args=[computed.pk])
    assert client.get(url).status_code == 404  # not public before the digest is published
    assert client.get(reverse("draws:download", args=[computed.pk, "DIST.json"])).status_code == 404
    actions.publish_digest(computed, organizer)
    page = client.get(url).content.decode()
    assert computed.digest in page
    assert "pnyx verify-draw" in page
    assert client.get(reverse("draws:download", args=[computed.pk, "PANEL.csv"])).status_code == 404
    r = client.get(reverse("draws:download", args=[computed.pk, "DIST.json"]))
    assert r.content == bytes(computed.distribution)
    assert client.get(reverse("draws:index")).status_code == 302


def test_published_files_pass_verify_draw(client, invited, tmp_path, capsys):
    # two declines, so that the replacements are checked too
    for inv in list(invited.invitations.filter(status="invited"))[:2]:
        actions.respond(inv, accept=False)
    page = client.get(reverse("draws:public", args=[invited.pk])).content.decode()
    for name in (
        "DIST.json",
        "PANEL.csv",
        "REPLACEMENTS.csv",
        "POOL.csv",
        "QUOTAS.csv",
        "PROBS.csv",
    ):
        _download(client, invited, name, tmp_path)
    assert "--replacements REPLACEMENTS.csv" in page
    args = [
        "--distribution", str(tmp_path / "DIST.json"),
        "--seed", invited.seed,
        "--panel", str(tmp_path / "PANEL.csv"),
        "--replacements", str(tmp_path / "REPLACEMENTS.csv"),
    ]  # fmt: skip
    assert verify_main(args) == 0, capsys.readouterr().err
    # a tampered panel is rejected
    lines = (tmp_path / "PANEL.csv").read_text().splitlines()
    pool_codes = [ln.split(",")[0] for ln in (tmp_path / "POOL.csv").read_text().splitlines()[1:]]
    outsider = next(c for c in pool_codes if c not in {ln.split(",")[0] for ln in lines})
    lines[1] = outsider + lines[1][lines[1].index(",") :]
    (tmp_path / "PANEL.csv").write_text("\n".join(lines) + "\n")
    assert verify_main(args) == 1
    # the published files never name members
    for name in ("DIST.json", "POOL.csv", "PANEL.csv"):
        text = (tmp_path / name).read_text()
        for inv in invited.invitations.select_related("entry__member"):
            assert inv.entry.member.email not in text
            assert inv.entry.member.external_id not in text
            assert inv.entry.member.last_name not in text


def test_public_page_content(client, invited):
    page = client.get(reverse("draws:public", args=[invited.pk])).content.decode()
    assert invited.seed in page and invited.digest in page
    assert "Bretagne" in page  # counts per category
    assert "Alice, Bob" in page  # witnesses
    # no names on the public page
    for inv in invited.invitations.select_related("entry__member"):
        assert inv.entry.member.last_name not in page


def test_member_sees_own_probability_and_result(client, invited):
    inv = invited.invitations.select_related("entry__member").first()
    member = inv.entry.member
    other = invited.invitations.exclude(pk=inv.pk).select_related("entry").first()
    client.force_login(user_for_member(member))
    page = client.get(reverse("draws:public", args=[invited.pk])).content.decode()
    assert inv.entry.code in page
    assert other.entry.code not in page.split("You in this draw")[-1].split("</div>")[0]
    mine = client.get(reverse("draws:mine")).content.decode()
    assert inv.entry.code in mine and other.entry.code not in mine
    assert "%" in mine
    r = client.post(reverse("draws:respond", args=[inv.pk]), {"decision": "accept"})
    assert r.status_code == 302
    assert Participant.objects.filter(member=member, source="drawn").exists()
    # someone else's invitation: 404, nothing changes
    r = client.post(reverse("draws:respond", args=[other.pk]), {"decision": "decline"})
    assert r.status_code == 404
    other.refresh_from_db()
    assert other.status == Invitation.Status.INVITED


def test_member_outside_the_pool(client, invited, make_member):
    client.force_login(user_for_member(make_member(volunteer=False)))
    page = client.get(reverse("draws:public", args=[invited.pk])).content.decode()
    assert "You are not in this draw's pool." in page
    assert "You are in no published draw" in client.get(reverse("draws:mine")).content.decode()


def test_member_not_drawn(client, invited):
    drawn = set(invited.invitations.values_list("entry_id", flat=True))
    entry = invited.pool.entries.exclude(pk__in=drawn).select_related("member").first()
    client.force_login(user_for_member(entry.member))
    page = client.get(reverse("draws:mine")).content.decode()
    assert entry.code in page and "You were not drawn this time." in page


def test_invitation_link_answers_by_post(
    client, invited, mailoutbox, django_capture_on_commit_callbacks
):
    mail = mailoutbox[0]
    token = re.search(r"/tirage/invitation/([\w-]+)/", mail.body).group(1)
    url = reverse("draws:invitation", args=[token])
    r = client.get(url)
    assert r.status_code == 200
    inv = actions.find_invitation(token)
    assert inv.status == Invitation.Status.INVITED  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"decision": "decline"})
    assert r.status_code == 302
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.DECLINED
    assert inv.replaced_by.entry.member.email == mailoutbox[-1].to[0]
    assert client.get(reverse("draws:invitation", args=["nope"])).status_code == 404


def test_csrf_is_required(invited, make_member):
    from django.test import Client

    inv = invited.invitations.first()
    c = Client(enforce_csrf_checks=True)
    c.force_login(user_for_member(inv.entry.member))
    r = c.post(reverse("draws:respond", args=[inv.pk]), {"decision": "accept"})
    assert r.status_code == 403


def test_member_cannot_use_organizer_pages(member_client, computed):
    for url in (
        reverse("draws:organizer_list"),
        reverse("draws:organizer_draw", args=[computed.pk]),
    ):
        assert member_client.get(url).status_code == 403
    r = member_client.post(reverse("draws:organizer_draw", args=[computed.pk]), {"op": "publish"})
    assert r.status_code == 403
    computed.refresh_from_db()
    assert computed.status == Draw.Status.COMPUTED


def test_anonymous_is_sent_to_sign_in(client, computed):
    r = client.get(reverse("draws:organizer_draw", args=[computed.pk]))
    assert r.status_code == 302 and r.url.startswith(reverse("members:sign_in"))
    r = client.get(reverse("draws:mine"))
    assert r.status_code == 302


@pytest.mark.django_db
def test_organizer_runs_the_ceremony_through_the_pages(
    organizer_client, volunteers, convention, django_capture_on_commit_callbacks, mailoutbox
):
    c = organizer_client
    url = reverse("draws:organizer_list")
    assert c.get(url).status_code == 200
    c.post(url, {"op": "pool", "pool-name": "Volontaires", "pool-active_only": "on"})
    pool = convention.draw_pools.get()
    assert pool.size == 37  # + the late joiner: no date rule
    r = c.post(
        url,
        {
            "op": "draw",
            "draw-title": "Séance de clôture",
            "draw-pool": pool.pk,
            "draw-size": 6,
            "draw-method": "leximin",
            "draw-response_days": 5,
        },
    )
    draw = Draw.objects.get()
    page = reverse("draws:organizer_draw", args=[draw.pk])
    assert r.url == page
    c.post(page, {"op": "helper", "feature": "gender", "helper": "parity", "tolerance": 0})
    c.post(page, {"op": "helper", "feature": "region", "helper": "proportional", "tolerance": 0})
    # an impossible quota: the diagnosis is shown before any draw
    c.post(
        page,
        {
            "op": "quotas",
            "feature": "region",
            "min_0": 5,
            "max_0": 6,
            "min_1": 3,
            "max_1": 6,
            "min_2": 0,
            "max_2": 6,
        },
    )
    html = c.get(page).content.decode()
    assert 'id="diagnosis"' in html and "lower the minimum of region=" in html
    r = c.post(page, {"op": "compute"}, follow=True)
    draw.refresh_from_db()
    assert draw.status == Draw.Status.DRAFT
    c.post(page, {"op": "helper", "feature": "region", "helper": "proportional", "tolerance": 0})
    with django_capture_on_commit_callbacks(execute=True):
        c.post(page, {"op": "compute"})
    draw.refresh_from_db()
    assert draw.status == Draw.Status.COMPUTED, draw.error
    # no seed before the digest is published
    c.post(page, {"op": "reveal", "seed": "1 2 3"})
    draw.refresh_from_db()
    assert not draw.seed
    c.post(page, {"op": "publish"})
    c.post(page, {"op": "reveal", "seed": "4 4 1 6", "witnesses": "Chloé"})
    c.post(page, {"op": "reveal", "seed": "another"})
    draw.refresh_from_db()
    assert draw.status == Draw.Status.REVEALED and draw.seed == "4 4 1 6"
    with django_capture_on_commit_callbacks(execute=True):
        c.post(page, {"op": "invite"})
    assert len(mailoutbox) == 6
    html = c.get(page).content.decode()
    inv = draw.invitations.select_related("entry__member").first()
    assert inv.entry.member.full_name in html  # organizers see who was drawn


def test_progress_page_refreshes_while_computing(organizer_client, draft):
    Draw.objects.filter(pk=draft.pk).update(
        status=Draw.Status.COMPUTING, progress_done=3, progress_total=12
    )
    html = organizer_client.get(reverse("draws:organizer_draw", args=[draft.pk])).content.decode()
    assert 'http-equiv="refresh"' in html and 'value="25"' in html
    assert "3 of 12 profiles settled" in html


def test_admin_lists_draws_read_only(organizer_client, invited):
    assert organizer_client.get(reverse("admin:draws_draw_changelist")).status_code == 200
    assert (
        organizer_client.get(reverse("admin:draws_draw_change", args=[invited.pk])).status_code
        == 200
    )
    r = organizer_client.post(
        reverse("admin:draws_draw_delete", args=[invited.pk]), {"post": "yes"}
    )
    assert r.status_code == 403 and Draw.objects.filter(pk=invited.pk).exists()

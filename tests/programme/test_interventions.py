import hashlib
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pnyx.journal.actions import verify
from pnyx.journal.models import JournalEntry
from pnyx.programme import actions
from pnyx.programme.models import Intervention, InterventionStatus, ItemKind, Participant

pytestmark = pytest.mark.django_db

# A minimal ISO base media file: an `ftyp` box with an MP4 brand, then padding.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2000


def mp4(name="temoignage.mp4", data=MP4):
    return SimpleUploadedFile(name, data, content_type="video/mp4")


def form(convention, **over):
    data = {
        "title": "Notre épicerie solidaire",
        "summary": "Ce que nous avons appris.",
        "campaign": convention.campaigns.first().pk,
        "item": "",
        "format": "speak",
        "video_link": "",
    }
    data.update(over)
    return data


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_member_proposes_a_speech(member_client, convention, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = member_client.post(reverse("programme:propose"), form(convention))
    assert r.status_code == 302
    i = Intervention.objects.get()
    assert i.member == member_client.member and i.status == InterventionStatus.SUBMITTED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member_client.member.email]
    r = member_client.get(reverse("programme:my_interventions"))
    assert "Notre épicerie solidaire" in r.content.decode()


def test_video_is_stored_under_a_random_name_with_its_digest(member_client, convention, settings):
    r = member_client.post(
        reverse("programme:propose"),
        {**form(convention, format="video"), "video": mp4("mon nom secret.mp4")},
    )
    assert r.status_code == 302, r.content.decode()
    i = Intervention.objects.get()
    assert i.video_sha256 == hashlib.sha256(MP4).hexdigest()
    assert i.video_type == "video/mp4" and i.video_size == len(MP4)
    assert "secret" not in i.video_file.name and i.video_file.name.endswith(".mp4")
    files = media_files(settings)
    assert len(files) == 1 and hashlib.sha256(files[0].read_bytes()).hexdigest() == i.video_sha256
    # the author can watch it
    r = member_client.get(reverse("programme:video", args=[i.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "video/mp4"
    assert b"".join(r.streaming_content) == MP4


def test_a_file_named_mp4_that_is_not_a_video_is_refused(member_client, convention, settings):
    fake = mp4("film.mp4", b"<html><script>alert(1)</script></html>" * 10)
    r = member_client.post(
        reverse("programme:propose"), {**form(convention, format="video"), "video": fake}
    )
    assert r.status_code == 400
    assert "format" in r.content.decode()  # "not a video in an accepted format"
    assert not Intervention.objects.exists() and media_files(settings) == []


def test_oversized_video_is_refused_before_anything_is_saved(member_client, convention, settings):
    settings.PNYX_VIDEO_MAX_BYTES = 1000
    r = member_client.post(
        reverse("programme:propose"), {**form(convention, format="video"), "video": mp4()}
    )
    assert r.status_code in (400, 413)
    assert not Intervention.objects.exists() and media_files(settings) == []


def test_oversized_request_is_refused_from_its_length(member_client, convention, settings):
    settings.PNYX_VIDEO_MAX_BYTES = 1000
    big = mp4(data=MP4 + b"\x00" * 200_000)
    r = member_client.post(
        reverse("programme:propose"), {**form(convention, format="video"), "video": big}
    )
    assert r.status_code == 413
    assert "too large" in r.content.decode() or "trop" in r.content.decode()
    assert not Intervention.objects.exists()


def test_video_format_needs_a_file_or_a_link(member_client, convention):
    r = member_client.post(reverse("programme:propose"), form(convention, format="video"))
    assert r.status_code == 400 and not Intervention.objects.exists()
    r = member_client.post(
        reverse("programme:propose"),
        form(convention, format="video", video_link="https://video.example.org/x"),
    )
    assert r.status_code == 302 and Intervention.objects.get().video_link


def test_missing_fields_are_named(member_client, convention):
    r = member_client.post(reverse("programme:propose"), form(convention, title="", summary=""))
    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"title", "summary"}
    assert not Intervention.objects.exists()


def test_closed_call_refuses_proposals(member_client, convention):
    convention.proposals_open = False
    convention.save()
    assert member_client.get(reverse("programme:propose")).status_code == 403
    assert member_client.post(reverse("programme:propose"), form(convention)).status_code == 403
    assert not Intervention.objects.exists()
    with pytest.raises(actions.ProposalError):
        actions.submit_intervention(
            member_client.member, convention, {**form(convention), "campaign": None, "item": None}
        )


def test_drawn_members_cannot_propose_unless_the_convention_allows_it(member_client, convention):
    Participant.objects.create(convention=convention, member=member_client.member, source="drawn")
    assert member_client.post(reverse("programme:propose"), form(convention)).status_code == 403
    convention.proposals_from_all = True
    convention.save()
    assert member_client.post(reverse("programme:propose"), form(convention)).status_code == 302


def test_anonymous_visitors_are_sent_to_sign_in(client, convention):
    r = client.get(reverse("programme:propose"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("members:sign_in"))


# --- permissions ----------------------------------------------------------------------------


def _proposal(convention, member, **over):
    data = {**form(convention), "campaign": convention.campaigns.first(), "item": None}
    data.update(over)
    return actions.submit_intervention(member, convention, data)


def test_a_member_cannot_moderate(member_client, convention, make_member):
    other = _proposal(convention, make_member())
    assert member_client.get(reverse("programme:moderation")).status_code == 403
    r = member_client.post(
        reverse("programme:moderate", args=[other.pk]), {f"m{other.pk}-decision": "accept"}
    )
    assert r.status_code == 403
    slot = convention.days.first().items.filter(kind=ItemKind.TESTIMONIES).first()
    r = member_client.post(
        reverse("programme:place", args=[other.pk]), {f"p{other.pk}-slot": slot.pk}
    )
    assert r.status_code == 403
    other.refresh_from_db()
    assert other.status == InterventionStatus.SUBMITTED


def test_a_member_cannot_see_or_change_anothers_proposals(member_client, convention, make_member):
    theirs = actions.submit_intervention(
        make_member(),
        convention,
        {**form(convention), "campaign": None, "item": None, "format": "video", "video_link": ""},
        video=mp4(),
    )
    r = member_client.get(reverse("programme:my_interventions"))
    assert theirs.title not in r.content.decode()
    assert member_client.get(reverse("programme:revise", args=[theirs.pk])).status_code == 404
    assert (
        member_client.post(
            reverse("programme:revise", args=[theirs.pk]), form(convention, title="Hacked")
        ).status_code
        == 404
    )
    assert member_client.get(reverse("programme:video", args=[theirs.pk])).status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Notre épicerie solidaire"


# --- moderation and placement ---------------------------------------------------------------


def test_organizer_accepts_rejects_and_asks_for_changes(
    organizer_client, convention, make_member, django_capture_on_commit_callbacks
):
    a, b, c = (_proposal(convention, make_member(), title=t) for t in ("A", "B", "C"))
    url = lambda i: reverse("programme:moderate", args=[i.pk])  # noqa: E731
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(url(a), {f"m{a.pk}-decision": "accept"})
        organizer_client.post(url(b), {f"m{b.pk}-decision": "reject", f"m{b.pk}-note": ""})
        organizer_client.post(
            url(c),
            {f"m{c.pk}-decision": "request_changes", f"m{c.pk}-note": "Précisez la campagne."},
        )
    for i in (a, b, c):
        i.refresh_from_db()
    assert a.status == InterventionStatus.ACCEPTED
    assert b.status == InterventionStatus.SUBMITTED  # a rejection needs a reason
    assert c.status == InterventionStatus.CHANGES_REQUESTED
    assert [m.to[0] for m in mail.outbox] == [a.member.email, c.member.email]
    assert "Précisez la campagne." in mail.outbox[1].body
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            url(b), {f"m{b.pk}-decision": "reject", f"m{b.pk}-note": "Hors sujet."}
        )
    b.refresh_from_db()
    assert b.status == InterventionStatus.REJECTED and "Hors sujet." in mail.outbox[-1].body
    actions_logged = list(
        JournalEntry.objects.filter(object_type="programme.intervention").values_list(
            "action", flat=True
        )
    )
    assert actions_logged.count("intervention.submitted") == 3
    assert {
        "intervention.accepted",
        "intervention.rejected",
        "intervention.changes_requested",
    } <= set(actions_logged)
    assert verify().ok


def test_member_revises_after_a_request_for_changes(client, convention, make_member):
    from pnyx.members.actions import user_for_member

    member = make_member()
    i = _proposal(convention, member)
    actions.moderate(i, "request_changes", "orga", "Plus court.")
    client.force_login(user_for_member(member))
    r = client.post(
        reverse("programme:revise", args=[i.pk]), form(convention, title="Version courte")
    )
    assert r.status_code == 302
    i.refresh_from_db()
    assert i.title == "Version courte" and i.status == InterventionStatus.SUBMITTED
    actions.moderate(i, "accept", "orga")
    r = client.post(reverse("programme:revise", args=[i.pk]), form(convention, title="Après coup"))
    i.refresh_from_db()
    assert i.title == "Version courte"


def test_placing_in_testimony_slots_in_order(organizer_client, client, convention, make_member):
    slot = convention.days.first().items.filter(kind=ItemKind.TESTIMONIES).first()
    work = convention.days.first().items.filter(kind=ItemKind.WORK_STEP).first()
    a, b, c = (_proposal(convention, make_member(), title=t) for t in ("Alpha", "Bravo", "Charlie"))
    for i in (a, b, c):
        actions.moderate(i, "accept", "orga")

    def place(i, s, pos=""):
        return organizer_client.post(
            reverse("programme:place", args=[i.pk]),
            {f"p{i.pk}-slot": s.pk, f"p{i.pk}-position": pos},
        )  # noqa: E731

    place(a, slot)
    place(b, slot)
    place(c, slot, 1)
    order = list(
        slot.placed_interventions.order_by("slot_position").values_list("title", flat=True)
    )
    assert order == ["Charlie", "Alpha", "Bravo"]
    # a work step is not a testimony slot
    place(a, work)
    a.refresh_from_db()
    assert a.slot == slot
    # the public programme shows them in order
    html = client.get(reverse("programme:home")).content.decode()
    html = html[html.index("<main>") :]
    assert html.index("Charlie") < html.index("Alpha") < html.index("Bravo")
    # taking one out renumbers the others
    organizer_client.post(reverse("programme:unplace", args=[c.pk]))
    assert list(
        slot.placed_interventions.order_by("slot_position").values_list("slot_position", "title")
    ) == [
        (1, "Alpha"),
        (2, "Bravo"),
    ]
    html = client.get(reverse("programme:home")).content.decode()
    assert "Charlie" not in html[html.index("<main>") :]
    assert JournalEntry.objects.filter(action="intervention.placed").count() == 3
    assert JournalEntry.objects.filter(action="intervention.unplaced").count() == 1


def test_only_accepted_interventions_are_placed(convention, make_member):
    slot = convention.days.first().items.filter(kind=ItemKind.TESTIMONIES).first()
    i = _proposal(convention, make_member())
    with pytest.raises(actions.ProposalError):
        actions.place(i, slot, "orga")
    actions.moderate(i, "accept", "orga")
    actions.place(i, slot, "orga")
    # rejecting later takes it out of the programme
    actions.moderate(i, "reject", "orga", "Finalement non.")
    i.refresh_from_db()
    assert i.slot is None


def test_placed_video_becomes_public(client, convention, make_member):
    slot = convention.days.first().items.filter(kind=ItemKind.TESTIMONIES).first()
    i = actions.submit_intervention(
        make_member(),
        convention,
        {**form(convention), "campaign": None, "item": None, "format": "video"},
        video=mp4(),
    )
    assert client.get(reverse("programme:video", args=[i.pk])).status_code == 403
    actions.moderate(i, "accept", "orga")
    assert client.get(reverse("programme:video", args=[i.pk])).status_code == 403
    actions.place(i, slot, "orga")
    assert client.get(reverse("programme:video", args=[i.pk])).status_code == 200

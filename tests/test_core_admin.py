"""The admin cannot do what the actions forbid: through its real HTTP forms, every change is
refused or goes through an action that writes a journal row."""

import re
from datetime import time, timedelta

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from pnyx.core.admin import ActionAdmin
from pnyx.journal.actions import verify
from pnyx.journal.models import JournalEntry
from pnyx.members.actions import user_for_member
from pnyx.members.models import Member
from pnyx.programme import actions as programme_actions
from pnyx.programme.models import (
    Convention,
    Day,
    Intervention,
    Item,
    ItemKind,
    News,
    Participant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.org", "pw-123456!")
    c = Client(headers={"accept-language": "en"})  # messages matched by their msgids
    c.force_login(user)
    c.user = user
    return c


@pytest.fixture
def conv(db):
    today = timezone.localdate()
    return Convention.objects.create(
        slug="c", name="Convention", starts_on=today, ends_on=today + timedelta(days=1)
    )


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _rows(action=None):
    qs = JournalEntry.objects.all()
    return list(qs.filter(action=action) if action else qs)


def _form_data(client, url) -> dict:
    """The fields of the admin's change form as the browser would send them back."""
    html = client.get(url).content.decode()
    data = {}
    for m in re.finditer(r"<input[^>]*>", html):
        tag = m.group(0)
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[m.group(1)] = m.group(2).strip()
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.findall(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        data[m.group(1)] = selected if "multiple" in m.group(0) else (selected or [""])[0]
    return data


# --- the named cases ----------------------------------------------------------------------


def test_staff_cannot_add_a_checked_in_participant(staff, conv, make_member, organizer):
    from pnyx.votes import actions as vote_actions
    from pnyx.votes.models import Ballot

    member = make_member()
    r = staff.post(
        _url(Participant, "add"),
        {
            "convention": conv.pk,
            "member": member.pk,
            "source": "invited",
            "badge_version": 1,
            "checked_in_at_0": timezone.localdate().isoformat(),
            "checked_in_at_1": "10:00:00",
        },
    )
    assert r.status_code == 403
    assert not Participant.objects.exists()
    # so the member cannot vote in a present-only vote
    vote = vote_actions.create_vote(
        conv, organizer, mode="published", question="Q", method="approval", max_choices=1, seats=1,
        electorate="present",
    )  # fmt: skip
    for title in ("Oui", "Non"):
        vote_actions.add_option(vote, organizer, title=title)
    vote = vote_actions.open_vote(vote, organizer)
    phone = Client()
    phone.force_login(user_for_member(member))
    phone.post(f"/votes/{vote.pk}/voter/", {"choice": ["P01"]})
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("flag", ["volunteer", "active"])
def test_staff_cannot_flip_a_members_flags(staff, make_member, flag):
    member = make_member(volunteer=True)
    url = _url(Member, "change", member.pk)
    assert staff.get(url).status_code == 200  # shown, read-only
    data = {
        f.name: getattr(member, f.attname) or ""
        for f in Member._meta.concrete_fields
        if f.name not in ("id", "user", flag)
    }
    assert staff.post(url, data).status_code == 403  # the flag unticked
    member.refresh_from_db()
    assert member.volunteer and member.active
    assert not _rows()


def test_staff_cannot_edit_a_tables_output(staff, conv):
    from pnyx.workshops.actions import get_hall
    from pnyx.workshops.models import Output

    out = Output.objects.create(hall=get_hall(conv), table=1, impacts="Ce que la table a dit.")
    url = _url(Output, "change", out.pk)
    assert staff.get(url).status_code == 200
    r = staff.post(url, {"hall": out.hall_id, "table": 1, "impacts": "Autre chose."})
    assert r.status_code == 403
    out.refresh_from_db()
    assert out.impacts == "Ce que la table a dit."
    assert staff.post(_url(Output, "delete", out.pk), {"post": "yes"}).status_code == 403
    assert Output.objects.filter(pk=out.pk).exists()


def test_staff_cannot_delete_an_intervention(staff, conv, make_member):
    iv = Intervention.objects.create(
        convention=conv, member=make_member(), title="T", summary="S", format="speak"
    )
    assert staff.post(_url(Intervention, "delete", iv.pk), {"post": "yes"}).status_code == 403
    r = staff.post(
        _url(Intervention, "changelist"),
        {"action": "delete_selected", "_selected_action": [iv.pk], "post": "yes"},
    )
    assert r.status_code in (200, 302)
    assert Intervention.objects.filter(pk=iv.pk).exists()
    assert not _rows()


def test_deactivating_members_through_the_admin_ends_their_sessions(staff, make_member):
    member = make_member()
    phone = Client()
    phone.force_login(user_for_member(member))
    assert phone.get(reverse("programme:my_interventions")).status_code == 200
    r = staff.post(
        _url(Member, "changelist"), {"action": "deactivate", "_selected_action": [member.pk]}
    )
    assert r.status_code == 302
    member.refresh_from_db()
    assert not member.active
    assert phone.get(reverse("programme:my_interventions")).status_code == 302  # to sign-in
    (row,) = _rows("member.deactivated")
    assert row.actor == "user:staff" and row.object_id == str(member.pk)
    staff.post(
        _url(Member, "changelist"), {"action": "reactivate", "_selected_action": [member.pk]}
    )
    member.refresh_from_db()
    assert member.active and len(_rows("member.reactivated")) == 1


def test_revoking_a_badge_through_the_admin_is_journaled(staff, conv, make_member):
    p = Participant.objects.create(convention=conv, member=make_member(), source="drawn")
    phone = Client()
    assert phone.post(p.badge_path()).status_code == 302
    r = staff.post(
        _url(Participant, "changelist"), {"action": "revoke_badges", "_selected_action": [p.pk]}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.badge_version == 2 and len(_rows("participant.badge_revoked")) == 1
    assert "_auth_user_id" not in phone.get("/").wsgi_request.session


# --- programme edits are journaled --------------------------------------------------------


def test_convention_days_campaigns_through_the_admin_are_journaled(staff, conv):
    url = _url(Convention, "change", conv.pk)
    data = _form_data(staff, url)
    data["name"] = "Convention 2026"
    day = (conv.starts_on + timedelta(days=1)).isoformat()
    data.update(
        {
            "days-TOTAL_FORMS": "1",
            "days-0-date": day,
            "days-0-title": "Jour 2",
            "campaigns-TOTAL_FORMS": "1",
            "campaigns-0-slug": "climat",
            "campaigns-0-name": "Climat",
            "campaigns-0-order": "1",
        }
    )
    r = staff.post(url, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    conv.refresh_from_db()
    assert conv.name == "Convention 2026"
    (changed,) = _rows("programme.convention_changed")
    assert changed.payload == {"changes": {"name": "Convention 2026"}}
    assert changed.actor == "user:staff"
    (day_row,) = _rows("programme.day_created")
    assert day_row.payload["changes"]["date"] == day
    assert len(_rows("programme.campaign_created")) == 1
    # saving again without a change writes nothing
    n = len(_rows())
    assert staff.post(url, _form_data(staff, url)).status_code == 302
    assert len(_rows()) == n
    # a convention is never deleted
    assert staff.post(_url(Convention, "delete", conv.pk), {"post": "yes"}).status_code == 403
    assert verify().ok


def test_item_and_news_through_the_admin_are_journaled(staff, conv):
    from pnyx.programme.models import Campaign

    day = Day.objects.create(convention=conv, date=conv.starts_on)
    campaign = Campaign.objects.create(convention=conv, slug="climat", name="Climat")
    r = staff.post(
        _url(Item, "add"),
        {
            "day": day.pk,
            "order": 1,
            "kind": ItemKind.PLENARY,
            "starts_at": "10:00",
            "ends_at": "11:00",
            "title": "Plénière",
            "campaigns": [campaign.pk],
        },
    )
    assert r.status_code == 302
    item = Item.objects.get()
    assert list(item.campaigns.all()) == [campaign]
    (row,) = _rows("programme.item_created")
    assert row.payload["changes"]["campaigns"] == [campaign.pk]
    # bad input: a clear error, nothing written
    url = _url(Item, "change", item.pk)
    data = _form_data(staff, url) | {"starts_at": "12:00", "ends_at": "11:00"}
    r = staff.post(url, data)
    assert r.status_code == 200
    item.refresh_from_db()
    assert item.starts_at == time(10) and not _rows("programme.item_changed")
    r = staff.post(url, _form_data(staff, url) | {"campaigns": []})
    assert r.status_code == 302
    assert _rows("programme.item_changed")[0].payload == {"changes": {"campaigns": []}}

    r = staff.post(
        _url(News, "add"),
        {
            "convention": conv.pk,
            "title": "Bienvenue",
            "body": "Le programme est en ligne.",
            "published_at_0": conv.starts_on.isoformat(),
            "published_at_1": "09:00:00",
            "published": "on",
        },
    )
    assert r.status_code == 302
    news = News.objects.get()
    assert len(_rows("programme.news_created")) == 1
    assert staff.post(_url(News, "delete", news.pk), {"post": "yes"}).status_code == 302
    assert not News.objects.exists()
    (deleted,) = _rows("programme.news_deleted")
    assert deleted.payload["deleted"]["title"] == "Bienvenue"
    assert verify().ok


def test_deleting_an_item_that_holds_interventions_is_refused(staff, conv, make_member):
    day = Day.objects.create(convention=conv, date=conv.starts_on)
    slot = Item.objects.create(
        day=day, kind=ItemKind.TESTIMONIES, starts_at=time(14), ends_at=time(15), title="Témoins"
    )
    iv = Intervention.objects.create(
        convention=conv, member=make_member(), title="T", summary="S", format="speak",
        status="accepted", slot=slot, slot_position=1,
    )  # fmt: skip
    for url, data in (
        (_url(Item, "delete", slot.pk), {"post": "yes"}),
        (_url(Day, "delete", day.pk), {"post": "yes"}),
        (
            _url(Item, "changelist"),
            {"action": "delete_selected", "_selected_action": [slot.pk], "post": "yes"},
        ),
    ):
        r = staff.post(url, data, follow=True)
        assert "cannot be deleted" in r.content.decode()
        assert Item.objects.filter(pk=slot.pk).exists()
    iv.refresh_from_db()
    assert iv.slot_id == slot.pk
    assert not _rows()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()
    with pytest.raises(programme_actions.ProgrammeError):
        programme_actions.delete_programme(slot, actor="tester")
    # nor can the slot stop being a testimony slot while it holds them
    url = _url(Item, "change", slot.pk)
    r = staff.post(url, _form_data(staff, url) | {"kind": ItemKind.PLENARY}, follow=True)
    assert "take them out" in r.content.decode()
    slot.refresh_from_db()
    assert slot.kind == ItemKind.TESTIMONIES and not _rows()
    # through the day's inline either
    url = _url(Day, "change", day.pk)
    data = _form_data(staff, url) | {"items-0-DELETE": "on"}
    r = staff.post(url, data, follow=True)
    assert "cannot be deleted" in r.content.decode()
    assert Item.objects.filter(pk=slot.pk).exists() and not _rows()


def test_a_new_inline_row_ticked_for_deletion_is_not_created(staff, conv):
    url = _url(Convention, "change", conv.pk)
    data = _form_data(staff, url) | {
        "days-TOTAL_FORMS": "1",
        "days-0-date": conv.starts_on.isoformat(),
        "days-0-title": "Jour 1",
        "days-0-DELETE": "on",
    }
    assert staff.post(url, data).status_code == 302
    assert not Day.objects.exists() and not _rows("programme.day_created")


# --- accounts -------------------------------------------------------------------------------


def test_making_a_user_staff_and_changing_a_password_are_journaled(staff, django_user_model):
    user = django_user_model.objects.create_user(
        "benevole", password="pw-123456!", date_joined=timezone.now().replace(microsecond=0)
    )  # the admin's form shows whole seconds
    url = _url(django_user_model, "change", user.pk)
    data = _form_data(staff, url) | {"is_staff": "on"}
    assert staff.post(url, data).status_code == 302
    user.refresh_from_db()
    assert user.is_staff
    (row,) = _rows("account.user_changed")
    assert row.payload == {"changes": {"is_staff": True}}
    r = staff.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "a-new-pass-789!", "password2": "a-new-pass-789!", "usable_password": "true"},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-pass-789!")
    last = _rows("account.user_changed")[-1]
    assert last.payload == {"changes": {"password": "changed"}}
    assert "pbkdf2" not in str(last.payload)


def test_a_members_account_is_not_deleted_through_the_admin(staff, make_member):
    member = make_member()
    user = user_for_member(member)
    r = staff.post(_url(type(user), "delete", user.pk), {"post": "yes"}, follow=True)
    assert "deactivate the member" in r.content.decode()
    member.refresh_from_db()
    assert member.user_id == user.pk


# --- every model admin ------------------------------------------------------------------------


WRITE_METHODS = ("save_model", "delete_model", "delete_queryset", "save_formset", "save_related")


def _read_only(model_admin, request) -> bool:
    return not (
        model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    )


def test_every_model_admin_is_read_only_or_wired_to_actions(organizer):
    request = RequestFactory().get("/admin/")
    request.user = organizer
    seen = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if _read_only(model_admin, request):
            for inline in model_admin.get_inline_instances(request):
                assert not (
                    inline.has_add_permission(request, None)
                    or inline.has_change_permission(request)
                    or inline.has_delete_permission(request)
                ), f"{label}: read-only, but its inline {type(inline).__name__} writes"
            seen.append((label, "read-only"))
            continue
        assert isinstance(model_admin, ActionAdmin), (
            f"{label}: its admin writes, but not through the app's actions"
        )
        for name in ("save_action", "delete_action"):
            fn = getattr(type(model_admin), name)
            assert callable(fn) and fn.__module__.endswith(".actions"), (
                f"{label}: {name} is not an action ({fn!r})"
            )
        for method in WRITE_METHODS:
            impl = getattr(type(model_admin), method)
            assert impl is not getattr(ModelAdmin, method), (
                f"{label}: {method} is Django's default (a silent write)"
            )
            assert impl is getattr(ActionAdmin, method), f"{label}: {method} overridden"
        seen.append((label, "actions"))
    kinds = dict(seen)
    assert kinds["programme.Convention"] == "actions"
    assert kinds["programme.Participant"] == kinds["members.Member"] == "read-only"
    assert kinds["auth.User"] == "actions"

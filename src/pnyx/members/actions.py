"""Sign-in by one-time link; deactivating and reactivating a member."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from pnyx.journal.actions import record, save_and_record

from .models import Member, SignInToken


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def safe_next(url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/"):
        return url
    return ""


def send_sign_in_link(email: str, next_url: str = "") -> bool:
    """Email a one-time link to the member with this address. Returns whether one was sent.

    The caller shows the same message either way, so that nobody learns who is a member.
    """
    member = Member.objects.filter(email__iexact=email.strip(), active=True).first()
    if member is None:
        return False
    # Nobody can flood a member's mailbox: a few links an hour at most.
    recent = SignInToken.objects.filter(
        member=member, created_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= settings.PNYX_SIGN_IN_LINKS_PER_HOUR:
        return False
    token = secrets.token_urlsafe(32)
    SignInToken.objects.create(
        member=member,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(minutes=settings.PNYX_SIGN_IN_LINK_MINUTES),
        next_url=safe_next(next_url),
    )
    link = settings.PNYX_SITE_URL + reverse("members:sign_in_link", args=[token])
    with translation.override(member.language or translation.get_language()):
        context = {
            "member": member,
            "link": link,
            "minutes": settings.PNYX_SIGN_IN_LINK_MINUTES,
        }
        subject = render_to_string("members/email/sign_in_subject.txt", context).strip()
        body = render_to_string("members/email/sign_in_body.txt", context)
    send_mail(subject, body, None, [member.email])
    return True


def find_valid_token(token: str) -> SignInToken | None:
    t = SignInToken.objects.select_related("member").filter(token_hash=_hash(token)).first()
    if t is None or t.used_at is not None or t.expires_at < timezone.now() or not t.member.active:
        return None
    return t


def user_for_member(member: Member):
    """The Django user of a member, created on first sign-in."""
    if member.user_id:
        return member.user
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=f"member-{member.external_id}",
        defaults={
            "email": member.email,
            "first_name": member.first_name,
            "last_name": member.last_name,
        },
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    member.user = user
    member.save(update_fields=["user"])
    return user


def consume_token(token: str):
    """Mark the link used and return (user, next_url), or None when invalid, used or expired."""
    with transaction.atomic():
        t = find_valid_token(token)
        if t is None:
            return None
        # Only one concurrent request can flip used_at from NULL.
        updated = SignInToken.objects.filter(pk=t.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not updated:
            return None
        return user_for_member(t.member), t.next_url


class MemberError(Exception):
    """A change of a member that cannot be made; the message is shown to the user."""


def _end_sessions(user) -> None:
    """Every session of this user stops verifying: Django checks at each request a hash of the
    password stored in the session, so a new unusable password ends them all, in any session
    backend, and each is deleted from its store at its next request."""
    if user is None or user.has_usable_password():
        return  # a password account (an organizer) keeps its password; the backend refuses it
    user.set_unusable_password()
    user.save(update_fields=["password"])


DATABASE_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def delete_sessions(*, user_id: int | None = None, badge: str = "") -> int:
    """Delete from the session store the sessions of this user, or opened by this badge
    ("participant:version"), when the store can be searched (the database engines). Other stores
    (cache, Redis) cannot be listed: there the check at each request ends them, and they expire.
    Returns how many were deleted."""
    from importlib import import_module

    from django.contrib.sessions.models import Session

    from pnyx.programme.sessions import BADGE_SESSION_KEY

    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES or (user_id is None and not badge):
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    decoder = store()
    ended = []
    sessions = Session.objects.filter(expire_date__gt=timezone.now())
    for key, data in sessions.values_list("session_key", "session_data").iterator(2000):
        session = decoder.decode(data)
        if (user_id is not None and session.get("_auth_user_id") == str(user_id)) or (
            badge and session.get(BADGE_SESSION_KEY) == badge
        ):
            ended.append(key)
    for key in ended:
        store(session_key=key).delete()
    return len(ended)


def delete_sessions_later(**kwargs) -> None:
    from .tasks import delete_sessions_task

    transaction.on_commit(lambda: delete_sessions_task.enqueue(**kwargs))


def deactivate_member(member: Member, *, actor, reason: str = "") -> Member:
    """The member can no longer sign in, vote or be drawn; every session of theirs ends now.

    Nobody is deleted: their past ballots, draws and journal rows stay as they were.
    """
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if not member.active:
            raise MemberError(_("This member is already deactivated."))
        member.active = False
        member.save(update_fields=["active"])
        SignInToken.objects.filter(member=member, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        _end_sessions(member.user)
        if member.user_id:
            delete_sessions_later(user_id=member.user_id)
        record(
            "member.deactivated",
            actor=actor,
            obj=member,
            payload={"external_id": member.external_id, "reason": reason},
        )
    return member


def reactivate_member(member: Member, *, actor) -> Member:
    """The member may sign in again (a new sign-in, by link or badge: old sessions stay ended)."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.active:
            raise MemberError(_("This member is already active."))
        member.active = True
        member.save(update_fields=["active"])
        record(
            "member.reactivated",
            actor=actor,
            obj=member,
            payload={"external_id": member.external_id},
        )
    return member


# --- accounts: the admin's users and groups (who may organize) -------------------------------


def _account_kind(obj) -> str:
    from django.contrib.auth.models import Group

    if isinstance(obj, get_user_model()):
        return "user"
    if isinstance(obj, Group):
        return "group"
    raise MemberError(_("This is not an account."))


def _account_snapshot(obj) -> dict:
    data = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if f.name == "password":
            value = hashlib.sha256(str(value).encode()).hexdigest()  # changed or not, no hash
        elif isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()  # one form for one instant
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        data[f.attname] = value
    data.pop("last_login", None)
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(str(o) for o in getattr(obj, f.name).all())
    return data


def save_account(obj, *, actor, m2m: dict | None = None):
    """Create or change a user account or a group (their staff flag, groups and permissions):
    who may organize is journaled. The password never enters the journal, only that it changed."""
    return save_and_record(
        obj,
        actor=actor,
        event=f"account.{_account_kind(obj)}",
        snapshot=_account_snapshot,
        m2m=m2m,
        redact=("password",),
    )


def delete_account(obj, *, actor) -> None:
    """Delete a user account or a group. A member's account is not deleted: deactivate the
    member instead (their ballots and sessions hang on it)."""
    kind = _account_kind(obj)
    if kind == "user" and Member.objects.filter(user=obj).exists():
        raise MemberError(
            _("This account belongs to a member: deactivate the member instead of deleting it.")
        )
    with transaction.atomic():
        pk = obj.pk
        record(
            f"account.{kind}_deleted",
            actor=actor,
            obj=obj,
            payload={"deleted": str(obj)},
        )
        obj.delete()
        obj.pk = pk

"""Background work of the members app (Django's tasks framework).

The sign-in form enqueues one task for every address it is given, known or not, so that the
request does the same work whoever asks, and its response time tells nobody who is a member:
the task looks the member up, applies the per-member limit of links and sends the email, or
not. Deactivating a member or revoking a badge deletes the sessions they ended. Arguments are
plain data, so the tasks run on the immediate backend (the tests) and on the database backend
(`pnyx db_worker`) alike.
"""

from django.conf import settings
from django.tasks import task
from django.utils import translation


@task
def send_sign_in_link_task(email: str, next_url: str = "", language: str = "") -> bool:
    from .actions import send_sign_in_link

    with translation.override(language or settings.LANGUAGE_CODE):
        return send_sign_in_link(email, next_url)


@task
def delete_sessions_task(user_id: int | None = None, badge: str = "") -> int:
    from .actions import delete_sessions

    return delete_sessions(user_id=user_id, badge=badge)

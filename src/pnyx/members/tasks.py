"""Background work of the members app (Django's tasks framework): deleting ended sessions."""

from django.tasks import task


@task
def delete_sessions_task(user_id: int | None = None, badge: str = "") -> int:
    from .actions import delete_sessions

    return delete_sessions(user_id=user_id, badge=badge)

"""Background work: planning runs off the request (Django's tasks framework).

With the default ImmediateBackend the task runs at once; with the database backend a worker
runs it and the organizer's page shows the new draft when it is ready.
"""

from __future__ import annotations

from django.tasks import task

from . import actions
from .models import Hall


@task
def plan_task(hall_id: int, kind: str, actor: str) -> int | None:
    """Run a hall plan ("hall") or topic plan ("topics"); a failure is kept on the hall."""
    hall = Hall.objects.select_related("convention").get(pk=hall_id)
    try:
        plan = (
            actions.run_topic_plan(hall, actor)
            if kind == "topics"
            else actions.run_plan(hall, actor)
        )
    except actions.WorkshopError as e:
        Hall.objects.filter(pk=hall_id).update(plan_error=str(e))
        return None
    return plan.pk

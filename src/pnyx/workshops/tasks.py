"""Background work: planning and printable documents run off the request (Django's tasks
framework).

With the database backend (the default) a worker (`pnyx db_worker`) runs them and the
organizer's page shows the new draft, or the document's progress, when it is ready; with the
ImmediateBackend (tests) they run at once in the caller's process.
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


@task
def document_task(document_id: int) -> str:
    """Generate a printable document (badges, table cards) into its stored file."""
    return actions.generate_document(document_id).status


@task
def synthesis_task(run_id: int) -> str:
    """Run `pnyx.synthesis` over the table outputs and bring the organizers' review up to date."""
    from .review import compute_synthesis

    return compute_synthesis(run_id).status

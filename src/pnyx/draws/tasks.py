"""Background work of the draws app (Django's tasks framework).

With the default ImmediateBackend the task runs at once in the caller's process; with
`PNYX_TASKS_BACKEND=database` a worker (`pnyx db_worker`) picks it up. Either way the draw row
holds the status and progress that the organizer's page shows.
"""

from django.tasks import task


@task
def compute_distribution_task(draw_id: int) -> str:
    from .actions import compute

    return compute(draw_id, actor="task:compute-distribution").status

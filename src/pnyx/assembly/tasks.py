"""Background work of the assembly app: computing a wave's distribution (leximin)."""

from django.tasks import task


@task
def compute_wave_task(wave_id: int) -> str:
    from .actions import compute_wave

    return compute_wave(wave_id).status

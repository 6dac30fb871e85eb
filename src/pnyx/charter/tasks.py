"""Background work: the printable PDF of a decided charter (WeasyPrint, off the request)."""

from __future__ import annotations

from django.tasks import task

from . import actions


@task
def pdf_task(charter_id: int) -> str:
    """Render the adopted (or rejected) text and its history into the charter's PDF."""
    return actions.generate_pdf(charter_id).pdf_status

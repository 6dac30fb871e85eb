"""The printable charter: the decided text, then its history (WeasyPrint)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .models import Charter


def render(charter: Charter) -> bytes:
    from weasyprint import HTML

    from .views import published_context

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("charter/pdf/charter.html", published_context(charter))
    return HTML(string=html, base_url=settings.PNYX_SITE_URL).write_pdf()

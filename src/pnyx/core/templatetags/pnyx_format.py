"""Numbers in the reader's language: "26,5 %" in French, "26.5 %" in English, always with a
non-breaking space before the sign (French typography; harmless in English)."""

from django import template
from django.utils.formats import number_format

register = template.Library()

NBSP = "\u00a0"


@register.filter
def percent(value, digits=1) -> str:
    """A value already in percent: 26.5 -> "26,5 %" (French), with `digits` decimals."""
    if value in (None, ""):
        return ""
    digits = int(digits)
    # number_format cuts extra decimals off; round first (28.57 -> "29", not "28")
    return f"{number_format(round(float(value), digits), digits)}{NBSP}%"


@register.filter
def share(value, digits=0) -> str:
    """A fraction: 0.2857 -> "29 %" (`digits` decimals)."""
    if value in (None, ""):
        return ""
    return percent(float(value) * 100, digits)

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.4125 -> "41.3 %" (localized decimal separator)."""
    if value is None or value == "":
        return ""
    digits = int(digits)
    # number_format cuts extra decimals off: round first (0.41289 -> "41.3 %", not "41.2 %")
    return f"{number_format(round(float(value) * 100, digits), digits)}\u00a0%"


# How pages name the bands of `engine.AGE_BANDS` and `engine.SENIORITY_BANDS`. The values stay
# as they are everywhere else: they are the published data (pool files, DIST.json, digests)
# that anyone recomputes.
BAND_LABELS = {
    "<25": _("under 25"),
    "65+": _("65 and over"),
    "0-1y": _("less than 2 years"),
    "2-4y": _("2 to 4 years"),
    "5y+": _("5 years or more"),
}


@register.filter
def band(value) -> str:
    """A category value as pages show it: "0-1y" -> "less than 2 years" (translated)."""
    return str(BAND_LABELS.get(value, value))

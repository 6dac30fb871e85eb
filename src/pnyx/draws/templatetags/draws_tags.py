from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.4125 -> "41.3 %" (localized decimal separator)."""
    if value is None or value == "":
        return ""
    return f"{number_format(float(value) * 100, int(digits))}\u00a0%"

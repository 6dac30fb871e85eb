from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """Seconds as a clock: 754 -> "12:34", -65 -> "-1:05", 3725 -> "1:02:05"."""
    if seconds is None or seconds == "":
        return ""
    seconds = int(seconds)
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{s:02d}" if h else f"{sign}{m}:{s:02d}"


@register.filter
def delay(seconds) -> str:
    """The day's offset in words: "+12 min late", "3 min early", "on time"."""
    seconds = int(seconds or 0)
    minutes = round(abs(seconds) / 60)
    if minutes == 0:
        return _("on time")
    if seconds > 0:
        return _("%(n)d min late") % {"n": minutes}
    return _("%(n)d min early") % {"n": minutes}

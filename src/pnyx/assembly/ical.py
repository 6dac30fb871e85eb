"""iCalendar export of the assembly's calendar (RFC 5545, the `icalendar` library), in the
programme export's habits. DTSTAMP is when the calendar last changed (stored by the actions),
never the clock at export time: the same calendar gives the same bytes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event


def assembly_ics(assembly, host: str = "pnyx") -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//Pnyx//assembly//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", assembly.title)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = (
        assembly.calendar_changed_at or assembly.launched_at or assembly.created_at
    ).astimezone(ZoneInfo("UTC"))
    slug = assembly.convention.slug
    for m in assembly.milestones.all():
        event = Event()
        event.add("uid", f"{slug}-assembly-{m.pk}@{host}")
        event.add("summary", m.title)
        event.add("dtstart", m.starts_at.astimezone(tz))
        event.add("dtend", m.ends_at.astimezone(tz))
        event.add("dtstamp", stamp)
        if m.description:
            event.add("description", m.description)
        event.add("categories", [m.get_kind_display()])
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()

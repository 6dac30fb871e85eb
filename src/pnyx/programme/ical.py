"""iCalendar export of the programme (RFC 5545, with the `icalendar` library)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event


def programme_ics(convention, request) -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//Pnyx//programme//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", convention.name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    host = request.get_host().split(":")[0] if request is not None else "pnyx"
    location = ", ".join(p for p in (convention.venue, convention.city) if p)
    for day in convention.days.all():
        for item in day.items.all():
            event = Event()
            event.add("uid", f"{convention.slug}-item-{item.pk}@{host}")
            event.add("summary", item.title)
            event.add("dtstart", datetime.combine(day.date, item.starts_at, tzinfo=tz))
            event.add("dtend", datetime.combine(day.date, item.ends_at, tzinfo=tz))
            event.add("dtstamp", datetime.now(tz=ZoneInfo("UTC")))
            if item.description:
                event.add("description", item.description)
            if location:
                event.add("location", location)
            event.add("categories", [item.get_kind_display()])
            cal.add_component(event)
    # Times carry TZID=Europe/Paris: RFC 5545 wants the VTIMEZONE that defines it (some
    # calendars otherwise read them as UTC or floating). icalendar writes it from tzdata.
    cal.add_missing_timezones()
    return cal.to_ical()

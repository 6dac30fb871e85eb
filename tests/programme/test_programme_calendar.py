"""The calendar file (/programme.ics) defines the time zone its times refer to (RFC 5545 §3.6.5)."""

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from icalendar import Calendar


def test_calendar_file_carries_its_vtimezone(client, convention):
    r = client.get(reverse("programme:calendar"))
    assert r.status_code == 200
    text = r.content.decode()
    cal = Calendar.from_ical(r.content)
    zones = list(cal.walk("VTIMEZONE"))
    assert [str(z["tzid"]) for z in zones] == ["Europe/Paris"]
    # every TZID an event uses is defined in the file
    assert {p.split(":")[0] for p in text.split("TZID=")[1:]} == {"Europe/Paris"}
    # read back through the VTIMEZONE, the opening is at its time in Paris, whatever the day
    # the demo is held (its dates follow the day it is loaded)
    item = convention.days.first().items.get(title="Ouverture")
    paris = datetime.datetime.combine(item.day.date, item.starts_at, ZoneInfo("Europe/Paris"))
    opening = next(e for e in cal.walk("VEVENT") if str(e["summary"]) == "Ouverture")
    assert opening.decoded("dtstart").astimezone(datetime.UTC) == paris.astimezone(datetime.UTC)
    # and the zone states the offset in force that day (CET +01:00 or CEST +02:00)
    offsets = {
        (str(sub["tzname"]), sub.decoded("tzoffsetto"))
        for z in zones
        for sub in z.subcomponents
        if sub.name in ("STANDARD", "DAYLIGHT")
    }
    assert (paris.tzname(), paris.utcoffset()) in offsets
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")

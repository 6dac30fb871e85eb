"""The demo's timeline: every date of the demo convention, derived from the moment it is loaded.

Time is an input (DESIGN, rule 6): `pnyx demo` reads the clock once, builds a `Timeline` from
that moment and hands it to each app's demo loader; no demo module holds a date of its own.
So the tour's states hold whatever the day `make demo` runs on. With D the load day (the local
date in `TIME_ZONE`) and S the convention's first day:

- S is the first Saturday at least 14 days after D (14 to 20 days ahead); the convention is S
  (Saturday) and S + 1 (Sunday);
- members joined during the ten years before S - 42 (`members_joined_before`); those who joined
  before that day make the campaign vote's electorate and the draw's pool;
- the campaign vote opened at 09:00 on S - 42 and closed at 20:00 on S - 21: always closed, at
  least a day before D, with its ballots published and its result counted;
- the draw is run, revealed and its invitations sent at load time; answers are due 10 days later;
- the call for interventions is open from load time until 20:00 on the Friday before (S - 1);
- the news were posted 2 days and 1 day before load time;
- the members' amendments to the charter ran from 09:00 on S - 35 to 20:00 on S - 21; the
  hall's votes on them and on the charter are held (and closed) at load time;
- the in-hall vote is opened at load time and most participants are already checked in: the
  hall's vote can be tried right away, as in a rehearsal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

LEAD_DAYS = 14  # the convention starts at least this many days after the load day
SATURDAY = 5


@dataclass(frozen=True)
class Timeline:
    now: dt.datetime  # the load moment (aware)
    starts_on: dt.date  # the convention's first day, a Saturday

    @classmethod
    def from_now(cls, now: dt.datetime | None = None) -> Timeline:
        """The timeline of a demo loaded at `now` (the clock when not given)."""
        now = now or timezone.now()
        earliest = timezone.localdate(now, timezone.get_default_timezone()) + dt.timedelta(
            days=LEAD_DAYS
        )
        return cls(now, earliest + dt.timedelta(days=(SATURDAY - earliest.weekday()) % 7))

    @classmethod
    def of(cls, convention, now: dt.datetime | None = None) -> Timeline:
        """The timeline of an already loaded demo convention, seen at `now`."""
        return cls(now or timezone.now(), convention.starts_on)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now, timezone.get_default_timezone())

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=1)

    @property
    def proposals_close_at(self) -> dt.datetime:
        return _at(self.starts_on - dt.timedelta(days=1), 20)

    @property
    def members_joined_before(self) -> dt.date:
        return self.starts_on - dt.timedelta(days=42)

    @property
    def campaign_vote_opens_at(self) -> dt.datetime:
        return _at(self.members_joined_before, 9)

    @property
    def campaign_vote_closes_at(self) -> dt.datetime:
        return _at(self.starts_on - dt.timedelta(days=21), 20)

    @property
    def charter_amendments_open_at(self) -> dt.datetime:
        """The members' amendments to the charter: 09:00 on S - 35 to 20:00 on S - 21."""
        return _at(self.starts_on - dt.timedelta(days=35), 9)

    @property
    def charter_amendments_close_at(self) -> dt.datetime:
        return _at(self.starts_on - dt.timedelta(days=21), 20)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone()
    )

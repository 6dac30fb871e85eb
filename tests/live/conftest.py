"""Fixtures of the run-of-show tests: the demo programme, at a frozen moment of its first day."""

import datetime as dt

import pytest
import time_machine

#: The demo convention is loaded at T0 (so its first day is Saturday 2027-01-16).
T0 = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def conv(clock, db):
    from pnyx.programme import demo

    return demo.load()


@pytest.fixture
def at(conv, clock):
    """Move the clock to a local time of the convention's first day: at("10:05:30")."""
    from django.utils import timezone

    def move(hms: str):
        moment = timezone.make_aware(
            dt.datetime.combine(conv.starts_on, dt.time.fromisoformat(hms))
        )
        clock.move_to(moment)
        return moment

    return move


@pytest.fixture
def items(conv):
    """The first day's items in running order."""
    from pnyx.live.state import day_items

    return day_items(conv, conv.days.order_by("date").first())


@pytest.fixture
def slot(conv, items, make_member):
    """The first testimony slot with three accepted interventions: speech, video, speech."""
    from pnyx.programme import actions as programme
    from pnyx.programme.models import Intervention, ItemKind

    slot = next(i for i in items if i.kind == ItemKind.TESTIMONIES)
    for n, (title, fmt, link) in enumerate(
        [
            ("Une épicerie solidaire", "speak", ""),
            ("Vingt ans dans une centrale", "video", "https://video.example.org/centrale"),
            ("Le porte-à-porte", "speak", ""),
        ]
    ):
        member = make_member(first_name=f"Awa{n}", last_name="Diallo")
        i = Intervention.objects.create(
            convention=conv,
            member=member,
            title=title,
            summary="…",
            format=fmt,
            video_link=link,
            status="accepted",
        )
        programme.place(i, slot, "test")
    return slot


@pytest.fixture
def queue(slot):
    return list(slot.placed_interventions.order_by("slot_position"))


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


# --- the screens' tests (test_live_screens.py): a published hall plan -----------------------


@pytest.fixture
def hall_people(convention, make_member):
    from pnyx.programme.models import Participant

    genders = "FMFMFMX"
    return [
        Participant.objects.create(
            convention=convention,
            member=make_member(gender=genders[i % 7]),
            source=Participant.Source.DRAWN,
        )
        for i in range(63)
    ]


@pytest.fixture
def published(convention, hall_people, organizer):
    from pnyx.workshops import actions

    hall = actions.get_hall(convention)
    plan = actions.run_plan(hall, organizer)
    actions.publish(plan, organizer)
    plan.refresh_from_db()
    return plan

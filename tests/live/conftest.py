import pytest


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

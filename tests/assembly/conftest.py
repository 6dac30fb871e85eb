import datetime as dt

import pytest
import time_machine

REGIONS = ["Bretagne", "Corse", "Occitanie"]
DEPARTMENTS = ["29", "2A", "31", "35"]
# Frozen well before the first session (the calendar is launched at this moment).
NOW = dt.datetime(2026, 6, 14, 17, 0, tzinfo=dt.UTC)
FIRST_SESSION = dt.date(2026, 9, 19)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def organizer(db, django_user_model):
    """A superuser without a password: hashing one costs most of a second per test."""
    return django_user_model.objects.create_superuser("orga", "orga@example.org", None)


@pytest.fixture
def people(db, make_member):
    """48 active members: genders, 3 regions, ages; 8 of them lead an action group in one of
    4 départements (a woman and a man each)."""
    from pnyx.assembly.models import GroupLeader
    from pnyx.members.models import ActionGroup

    members = [
        make_member(
            gender="FM"[i % 2],
            region=REGIONS[i % 3],
            birth_year=[1950, 1970, 1990, 2000][i % 4],
        )
        for i in range(48)
    ]
    for j, dep in enumerate(DEPARTMENTS):
        group = ActionGroup.objects.create(name=f"Groupe {dep}")
        for k in (0, 1):
            m = members[2 * j + k]
            m.action_group = group
            m.save(update_fields=["action_group"])
            GroupLeader.objects.create(action_group=group, member=m, department=dep)
    return members


@pytest.fixture
def assembly(convention, organizer, people):
    from pnyx.assembly import actions

    return actions.create_assembly(
        convention, title="Assemblée représentative", starts_on=FIRST_SESSION, actor=organizer
    )


@pytest.fixture
def drawn_college(assembly, organizer):
    from pnyx.assembly import actions

    return actions.add_college(
        assembly,
        name="Tirés au sort",
        seats=6,
        eligibility="members",
        rules=[
            {"feature": "gender", "kind": "parity"},
            {"feature": "region", "kind": "proportional"},
        ],
        actor=organizer,
    )


@pytest.fixture
def run_wave(organizer, django_capture_on_commit_callbacks):
    """Launch a wave, compute it (the task runs at once) and reveal it with a seed."""
    from pnyx.assembly import actions

    def run(college, seed="1 2 3 4", round_=0, size=None):
        with django_capture_on_commit_callbacks(execute=True):
            wave = actions.launch_wave(college, round_=round_, size=size, actor=organizer)
        wave.refresh_from_db()
        assert wave.status == "published", wave.error
        with django_capture_on_commit_callbacks(execute=True):
            return actions.reveal_wave(wave, seed=seed, witnesses="A, B", actor=organizer)

    return run

import datetime as dt

import pytest

REGIONS = ["Bretagne", "Corse", "Occitanie"]


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and emails in English (the msgids), so that assertions read plainly."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def volunteers(db, make_member):
    """36 volunteers (genders, 3 regions, ages), plus members the pool rules leave out."""
    people = []
    for i in range(36):
        people.append(
            make_member(
                gender="FMFMFMFMFMFX"[i % 12],
                region=REGIONS[i % 3],
                birth_year=[1950, 1970, 1990, 2004][i % 4],
                joined_on=dt.date(2016 + i % 8, 3, 1),
            )
        )
    make_member(volunteer=False)
    make_member(active=False)
    make_member(joined_on=dt.date(2026, 10, 1))
    return people


@pytest.fixture
def pool(convention, volunteers, organizer):
    from pnyx.draws import actions

    return actions.create_pool(
        convention, "Volontaires", joined_before=dt.date(2026, 1, 1), actor=organizer
    )


@pytest.fixture
def draft(pool, organizer):
    """A draw of 8 with gender parity and regions in proportion to the pool."""
    from pnyx.draws import actions

    draw = actions.create_draw(pool, title="Tirage test", size=8, actor=organizer)
    actions.set_parity(draw)
    actions.set_proportional(draw, "region")
    return draw


@pytest.fixture
def computed(draft, organizer, django_capture_on_commit_callbacks):
    from pnyx.draws import actions

    with django_capture_on_commit_callbacks(execute=True):
        actions.start_computation(draft, organizer)
    draft.refresh_from_db()
    assert draft.status == "computed", draft.error
    return draft


@pytest.fixture
def revealed(computed, organizer):
    from pnyx.draws import actions

    actions.publish_digest(computed, organizer)
    return actions.reveal(computed, "3 6 1 4 2 5", "Alice, Bob", organizer)


@pytest.fixture
def invited(revealed, organizer, django_capture_on_commit_callbacks, mailoutbox):
    from pnyx.draws import actions

    with django_capture_on_commit_callbacks(execute=True):
        actions.send_invitations(revealed, organizer)
    return revealed

"""Fixtures of the votes tests: a vote of each method, with options."""

import pytest


@pytest.fixture
def make_vote(convention, organizer):
    from pnyx.votes import actions

    def make(method="approval", n_options=5, open_=True, **fields):
        # The plaintext tests: published mode (verifiable votes: test_votes_verifiable_*).
        defaults = {"question": f"Question ({method})", "method": method, "mode": "published"}
        if method == "approval":
            defaults |= {"max_choices": 3, "seats": 3}
        if method == "mj":
            defaults["grades"] = ["Très bien", "Bien", "Passable", "Insuffisant", "À rejeter"]
        if method == "stv":
            defaults["seats"] = 2
        defaults.update(fields)
        vote = actions.create_vote(convention, organizer, **defaults)
        for i in range(n_options):
            actions.add_option(vote, organizer, title=f"Option {i + 1}")
        if open_:
            vote = actions.open_vote(vote, organizer)
        return vote

    return make


@pytest.fixture
def members(make_member):
    return [make_member() for _ in range(8)]


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English (msgids); pages pick their language per request."""
    from django.utils import translation

    with translation.override("en"):
        yield

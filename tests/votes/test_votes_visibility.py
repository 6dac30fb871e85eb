"""Who sees what: draft votes only for organizers, and the result of an announced vote only as
the announcement reveals it (results page, projector page and the fragment it polls)."""

from __future__ import annotations

import pytest
from django.test import Client

from pnyx.journal.models import JournalEntry
from pnyx.votes import actions
from pnyx.votes.models import Status, Vote

QUESTION = "Une question encore secrète ?"

# (method, path, data) of every page of one vote; POSTs carry what a browser would send.
PAGES = [
    ("get", "/votes/{pk}/", None),
    ("post", "/votes/{pk}/", {"choice": ["P01"]}),
    ("post", "/votes/{pk}/verifier/", {"choice": ["P01"]}),
    ("post", "/votes/{pk}/voter/", {"choice": ["P01"]}),
    ("get", "/votes/{pk}/proposer/", None),
    ("post", "/votes/{pk}/proposer/", {"title": "Une idée"}),
    ("get", "/votes/{pk}/resultats/", None),
    ("get", "/votes/{pk}/bulletins.csv", None),
    ("get", "/votes/{pk}/recu/", None),
    ("post", "/votes/{pk}/recu/", {"receipt": "AAAA-BBBB-CCCC"}),
    ("get", "/votes/{pk}/ecran/", None),
    ("get", "/votes/{pk}/ecran/?fragment=1", None),
]


def _request(client, method, path, data, pk):
    url = path.format(pk=pk)
    return client.get(url) if method == "get" else client.post(url, data or {})


@pytest.fixture
def draft(make_vote):
    return make_vote("approval", n_options=3, open_=False, question=QUESTION, max_choices=1)


@pytest.mark.parametrize(("method", "path", "data"), PAGES)
def test_a_draft_vote_is_a_404_for_anonymous_and_members(draft, member_client, method, path, data):
    missing = Vote.objects.order_by("-pk").first().pk + 1000
    anonymous = Client()
    for client in (anonymous, member_client):
        r = _request(client, method, path, data, draft.pk)
        # Exactly what a vote that does not exist answers: nothing tells that the draft exists.
        nothing = _request(client, method, path, data, missing)
        assert r.status_code == nothing.status_code, (client, r.status_code)
        assert r.status_code in (302, 404)
        assert QUESTION not in r.content.decode()
        if r.status_code == 302:
            assert r["Location"].startswith("/connexion/") or "login" in r["Location"]
    assert not draft.proposals.exists() and not draft.ballots.exists()


def test_a_draft_vote_is_not_listed_but_organizers_see_it(draft, member_client, organizer_client):
    for client in (Client(), member_client, organizer_client):
        assert QUESTION not in client.get("/votes/").content.decode()
    assert QUESTION in organizer_client.get("/votes/organisation/").content.decode()
    assert QUESTION in organizer_client.get(f"/votes/organisation/{draft.pk}/").content.decode()
    # Organizers preview the projector and the public pages of their draft.
    for path in ("/votes/{pk}/ecran/", "/votes/{pk}/ecran/?fragment=1", "/votes/{pk}/recu/"):
        r = organizer_client.get(path.format(pk=draft.pk))
        assert r.status_code == 200 and QUESTION in r.content.decode(), path
    r = organizer_client.get(f"/votes/{draft.pk}/resultats/")
    assert r.status_code == 404 and QUESTION in r.content.decode()  # "not closed yet"


def test_once_out_of_draft_the_vote_is_public(draft, member_client):
    actions.open_proposals(draft, "orga")
    for path in ("/votes/{pk}/ecran/", "/votes/{pk}/recu/", "/votes/{pk}/proposer/"):
        r = member_client.get(path.format(pk=draft.pk))
        assert r.status_code == 200 and QUESTION in r.content.decode(), path
    assert QUESTION in Client().get("/votes/").content.decode()


# --- announcement ----------------------------------------------------------------------------


def _announced_vote(make_vote, members, organizer_client):
    """4 options with distinct scores (Option 1 first ... Option 4 last), closed through the
    confirmation page with the announcement chosen."""
    vote = make_vote("approval", n_options=4, max_choices=4, seats=1)
    # Scores 4, 3, 2, 1 of 5 ballots.
    ballots = [["P01", "P02", "P03"], ["P01", "P02", "P03"], ["P01", "P02"], ["P01"], ["P04"]]
    for m, b in zip(members, ballots, strict=False):
        actions.cast(vote, m, b)
    r = organizer_client.post(
        f"/votes/organisation/{vote.pk}/close/", {"confirm": "yes", "announce": "yes"}
    )
    assert r.status_code == 302
    vote.refresh_from_db()
    assert vote.status == Status.CLOSED and vote.announcing and vote.announced == 0
    assert vote.result["ranking"] == ["P01", "P02", "P03", "P04"]
    return vote


def _pages(client, pk):
    return {
        "results": client.get(f"/votes/{pk}/resultats/"),
        "screen": client.get(f"/votes/{pk}/ecran/"),
        "fragment": client.get(f"/votes/{pk}/ecran/?fragment=1"),
    }


def test_announced_results_appear_only_as_they_are_revealed(make_vote, members, organizer_client):
    vote = _announced_vote(make_vote, members, organizer_client)
    titles = {place: f"Option {place}" for place in range(1, 5)}
    public = Client()
    for step in range(5):  # 0 revealed, then the 4th place, the 3rd, ... the 1st
        shown = {p for p in titles if p > 4 - step}
        for name, r in _pages(public, vote.pk).items():
            html = r.content.decode()
            assert r.status_code == 200, name
            for place, title in titles.items():
                assert (title in html) == (place in shown), (step, name, title)
            if step < 4:
                assert 'class="winner' not in html, (step, name)
        csv = public.get(f"/votes/{vote.pk}/bulletins.csv")
        assert csv.status_code == (200 if step == 4 else 404), step
        results = _pages(public, vote.pk)["results"].content.decode()
        assert (vote.publication.sha256 in results) == (step == 4)
        if step == 1:
            # The last place's bar is its share of the ballots (1 of 5), not a fraction of
            # the best score (1 of 4), which would give the winner's score away.
            assert '<rect width="20.0"' in results and '<rect width="25.0"' not in results
        if step < 4:
            organizer_client.post(f"/votes/organisation/{vote.pk}/announce-next/")
    assert JournalEntry.objects.filter(action="vote.announcement_started").count() == 1
    assert JournalEntry.objects.filter(action="vote.announced").count() == 4


def test_show_all_ends_the_announcement(make_vote, members, organizer_client):
    vote = _announced_vote(make_vote, members, organizer_client)
    organizer_client.post(f"/votes/organisation/{vote.pk}/announce-all/")
    html = Client().get(f"/votes/{vote.pk}/resultats/").content.decode()
    assert all(f"Option {i}" in html for i in range(1, 5))
    assert Client().get(f"/votes/{vote.pk}/bulletins.csv").status_code == 200


def test_close_without_announcement_publishes_at_once(make_vote, members, organizer_client):
    vote = make_vote("approval", n_options=3, max_choices=1, seats=1)
    actions.cast(vote, members[0], ["P02"])
    r = organizer_client.post(f"/votes/organisation/{vote.pk}/close/", {"confirm": "yes"})
    assert r.status_code == 302
    vote.refresh_from_db()
    assert vote.status == Status.CLOSED and not vote.announcing
    html = Client().get(f"/votes/{vote.pk}/resultats/").content.decode()
    assert all(f"Option {i}" in html for i in range(1, 4))

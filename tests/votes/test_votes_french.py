"""Vote pages in French: ties in words with the options' titles, numbers with a decimal comma and
a non-breaking space before "%", plurals, the space before colons."""

import re
from html import unescape

import pytest

from pnyx.votes import actions

NBSP, NNBSP = "\u00a0", "\u202f"


def _french(client, url) -> str:
    client.cookies["django_language"] = "fr"
    return re.sub(r"[ \t\r\n]+", " ", unescape(client.get(url).content.decode()))


@pytest.fixture
def tied_vote(make_vote, members):
    """Approval, 4 options: Option 1 has 3 approvals; Options 2 and 3 are tied with 2 each."""
    vote = make_vote("approval", n_options=4, max_choices=2, seats=2)
    for m, choice in zip(
        members, [["P01", "P02"], ["P01", "P03"], ["P01"], ["P02"], ["P03"]], strict=False
    ):
        actions.cast(vote, m, choice)
    actions.close_vote(vote, "orga")
    vote.refresh_from_db()
    return vote


def test_tie_sentence_is_french_and_names_the_options(tied_vote, client):
    assert any("tied on approvals" in t for t in tied_vote.result["ties"])  # the stored note
    html = _french(client, f"/votes/{tied_vote.pk}/resultats/")
    assert (
        f"«{NBSP}Option 2{NBSP}» et «{NBSP}Option 3{NBSP}» étaient à égalité sur les "
        f"approbations{NNBSP}; l'ordre de départage les a placées dans cet ordre." in html
    )
    assert "tied on" not in html and "P02, P03" not in html


def test_percentages_have_a_decimal_comma_and_a_non_breaking_space(tied_vote, client):
    html = _french(client, f"/votes/{tied_vote.pk}/resultats/")
    # 5 ballots: 3 approvals = 60.0 %, 2 = 40.0 %
    assert f"(60,0{NBSP}%)" in html and f"(40,0{NBSP}%)" in html
    assert not re.search(r"\d\.\d+ ?%", html.split("<main>")[1].split("style=")[0])
    client.cookies["django_language"] = "en"
    english = unescape(client.get(f"/votes/{tied_vote.pk}/resultats/").content.decode())
    assert f"(60.0{NBSP}%)" in english


def test_participations_and_ballots_take_the_plural_that_fits(make_vote, members, organizer_client):
    vote = make_vote("approval", n_options=3)
    html = _french(organizer_client, f"/votes/organisation/{vote.pk}/")
    assert "0 participation, 0 bulletin" in html
    actions.cast(vote, members[0], ["P01"])
    html = _french(organizer_client, f"/votes/organisation/{vote.pk}/")
    assert "1 participation, 1 bulletin " in html and "1 participations" not in html
    actions.cast(vote, members[1], ["P02"])
    assert "2 participations, 2 bulletins" in _french(
        organizer_client, f"/votes/organisation/{vote.pk}/"
    )
    assert f"corps électoral{NBSP}: " in html


def test_every_tie_note_of_the_tally_is_described():
    from django.utils import translation

    from pnyx.votes.ties import describe

    titles = {"P01": "Zéro pauvreté", "P02": "Justice fiscale", "P03": "Sortir du nucléaire"}
    notes = [
        "P02, P03 tied on Schulze wins; placed in this order by the tie-break order",
        "P01 and P02 tied (margin 0); P01 placed above by the tie-break order",
        "P01, P02, P03 have identical merit profiles; placed in this order by the tie-break order",
        "round 2 exclusion: P02, P03 tied; P03 chosen by the votes at the latest earlier stage "
        "where they differed",
        "stage 3 surplus: P01, P02 tied at every stage; P01 chosen by the tie-break order",
        "stage 1 exclusion: P02, P03 tied; P03 chosen by the tie-break order",
    ]
    with translation.override("fr"):
        out = [describe(n, titles) for n in notes]
    assert out[0].startswith(f"«{NBSP}Justice fiscale{NBSP}» et «{NBSP}Sortir du nucléaire")
    assert "victoires de Schulze" in out[0]
    assert "écart nul" in out[1] and f"a placé «{NBSP}Zéro pauvreté{NBSP}» devant" in out[1]
    assert f"«{NBSP}Zéro pauvreté{NBSP}», «{NBSP}Justice fiscale{NBSP}» et «" in out[2]
    assert out[3].startswith(f"Élimination au tour 2{NBSP}: ")
    assert out[4].startswith(f"Surplus à l'étape 3{NBSP}: ") and "à chaque étape" in out[4]
    assert out[5].startswith(f"Élimination à l'étape 1{NBSP}: ")
    for text in out:
        assert not re.search(r"\bP0\d\b", text), text
        assert "tied" not in text and "tie-break" not in text, text
    # a note of a shape not known here still names the options
    with translation.override("fr"):
        assert describe("P01 wins", titles) == f"«{NBSP}Zéro pauvreté{NBSP}» wins"

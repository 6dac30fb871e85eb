"""What docs/tally.md states for a re-implementation, pinned: three-way ties in IRV and STV,
when STV transfers a surplus and when it stops, and what a count of zero ballots returns."""

from __future__ import annotations

import numpy as np
import pytest

from pnyx import tally


def ranked(options, spec):
    """spec: [(number of ballots, "A>B>C" or "" for a blank ballot)]."""
    out = []
    for n, text in spec:
        out += [(None, [[x] for x in text.split(">")] if text else [])] * n
    return tally.ranked_ballots(options, out)


FIVE = ("A", "B", "C", "D", "E")
# Round 1: A 3, B 3, C 4, D 6, E 2: E is excluded; its ballots go one to A, one to B.
# Round 2: A 4, B 4, C 4 tied for the fewest. At round 1, A and B had 3, C had 4: C is out of
# the tie; A and B are equal at every earlier round, so the tie-break order decides.
THREE_WAY = [(3, "A>D"), (3, "B>D"), (4, "C>D"), (6, "D>A"), (1, "E>A"), (1, "E>B")]


@pytest.mark.parametrize("method", ["irv", "stv"])
@pytest.mark.parametrize(
    "tiebreak, excluded_second",
    [(None, "B"), (["B", "A", "C", "D", "E"], "A"), (["A", "C", "B", "D", "E"], "B")],
)
def test_three_way_exclusion_tie_earlier_stage_first_then_last_in_tie_break_order(
    method, tiebreak, excluded_second
):
    r = tally.count(method, ranked(FIVE, THREE_WAY), tiebreak=tiebreak)
    if method == "irv":
        excluded = [rd.get("excluded") for rd in r.details["rounds"]]
    else:
        excluded = [
            s["action"].removeprefix("exclusion of ")
            for s in r.details["stages"]
            if s["action"].startswith("exclusion of ")
        ]
    # C never goes second (the earlier round put it above A and B), whatever the order says.
    assert excluded[:2] == ["E", excluded_second]
    assert r.winners == ("D",)
    assert any("A, B, C tied" in t for t in r.ties)


@pytest.mark.parametrize("method", ["irv", "stv"])
def test_three_way_tie_resolved_by_an_earlier_stage_alone(method):
    # Round 1: A 4, B 4, C 3, D 7, E 1: E is excluded, its ballot goes to C. Round 2: A, B, C
    # tied at 4; C had fewer at round 1: C is excluded, whatever the tie-break order.
    spec = [(4, "A>D"), (4, "B>D"), (3, "C>D"), (7, "D"), (1, "E>C")]
    for order in (None, ["C", "B", "A", "D", "E"], ["A", "B", "C", "D", "E"]):
        r = tally.count(method, ranked(FIVE, spec), tiebreak=order)
        assert any("chosen by the votes at the latest earlier stage" in t for t in r.ties)
        if method == "irv":
            assert [rd.get("excluded") for rd in r.details["rounds"]][:2] == ["E", "C"]
        else:
            actions = [s["action"] for s in r.details["stages"]]
            assert actions[1:3] == ["exclusion of E", "exclusion of C"]


@pytest.mark.parametrize("method", ["irv", "stv"])
def test_three_way_tie_at_every_stage_excludes_the_last_in_tie_break_order(method):
    spec = [(2, "A"), (2, "B"), (2, "C"), (5, "D")]
    for order, out in ((None, "C"), (["C", "A", "B", "D"], "B"), (["B", "C", "A", "D"], "A")):
        r = tally.count(method, ranked(("A", "B", "C", "D"), spec), tiebreak=order)
        first = (
            r.details["rounds"][0]["excluded"]
            if method == "irv"
            else r.details["stages"][1]["action"].removeprefix("exclusion of ")
        )
        assert first == out
        assert any("A, B, C tied at every stage" in t for t in r.ties)


def test_stv_three_way_surplus_tie_transfers_the_first_in_tie_break_order_first():
    # quota = floor(22 / 5) + 1 = 5: A, B and C are elected with equal surpluses, equal at
    # every stage: the first in the tie-break order is transferred first.
    spec = [(7, "A>E"), (7, "B>E"), (7, "C>E"), (1, "D")]
    options = ("A", "B", "C", "D", "E")
    for order, first in ((None, "A"), (["C", "A", "B", "D", "E"], "C")):
        r = tally.stv(ranked(options, spec), seats=4, tiebreak=order)
        actions = [s["action"] for s in r.details["stages"]]
        assert actions[1] == f"surplus of {first}"
        assert set(r.winners[:3]) == {"A", "B", "C"}
        assert any("tied at every stage" in t and f"{first} chosen" in t for t in r.ties)


def test_stv_stops_as_soon_as_every_seat_is_filled():
    """No surplus is transferred once the seats are filled (and no tie note about one)."""
    spec = [(6, "A>D"), (6, "B>E"), (6, "C>F")]
    r = tally.stv(ranked(("A", "B", "C", "D", "E", "F"), spec), seats=3)
    assert r.winners == ("A", "B", "C")
    assert [s["action"] for s in r.details["stages"]] == ["first preferences"]
    assert r.ties == ()
    assert [r.scores[o]["votes"] for o in "ABC"] == [6.0, 6.0, 6.0]


def test_stv_elects_the_remaining_options_when_they_are_no_more_than_the_seats_left():
    # quota = floor(10 / 3) + 1 = 4: A is elected, its surplus is exhausted (no next choice);
    # B and C continue for one seat: C, the fewest, is excluded; B is then elected below quota.
    r = tally.stv(ranked(("A", "B", "C"), [(7, "A"), (2, "B"), (1, "C")]), seats=2)
    assert [s["action"] for s in r.details["stages"]] == [
        "first preferences",
        "surplus of A",
        "exclusion of C",
    ]
    assert r.winners == ("A", "B") and r.scores["B"]["votes"] < r.details["quota"]
    assert r.scores["C"]["status"] == "excluded"


def test_stv_surplus_too_small_to_move_is_not_transferred_and_leaves_no_tie_note():
    # After A's surplus, truncation leaves A a few units above quota; transferring them moves
    # nothing (floor gives 0 for every paper): no stage, no tie-break note for it.
    spec = [(6, "A>D"), (6, "B>D"), (6, "C>D"), (2, "E>F"), (1, "F>E")]
    r = tally.stv(ranked(("A", "B", "C", "D", "E", "F"), spec), seats=4)
    actions = [s["action"] for s in r.details["stages"]]
    assert actions.count("surplus of A") == 1
    assert all(f"stage {len(actions) + 1}" not in t for t in r.ties)


# --- zero ballots ----------------------------------------------------------------------------

OPTIONS = ("Climat", "Logement", "Santé")


def _empty(kind, rows=0):
    if kind == "graded":
        return tally.Ballots(
            kind, OPTIONS, np.full((rows, 3), -1, dtype=np.int64), grades=("Bien", "Mal")
        )
    return tally.Ballots(kind, OPTIONS, np.zeros((rows, 3), dtype=np.int64))


@pytest.mark.parametrize("method", sorted(tally.METHODS))
@pytest.mark.parametrize("rows", [0, 4])  # no ballot at all; only blank ballots
@pytest.mark.parametrize("order", [None, ["Santé", "Climat", "Logement"]])
def test_zero_ballots_elect_by_the_tie_break_order_and_say_so(method, rows, order):
    b = _empty(tally.BALLOT_KIND[method], rows)
    r = tally.count(method, b, seats=2, tiebreak=order)
    expected = list(order or sorted(OPTIONS))
    assert r.ballots == 0 and r.blank == rows and r.spoiled == ()
    assert list(r.ranking) == expected and list(r.winners) == expected[:2]
    assert r.ties and r.details["tiebreak"] == expected
    json = r.to_json()
    assert json["winners"] == expected[:2]
    if method == "approval":
        assert r.scores == dict.fromkeys(OPTIONS, 0)
    elif method == "mj":
        assert {s["majority_grade"] for s in r.scores.values()} == {"Mal"}  # the worst grade
    elif method == "stv":
        assert r.details["quota"] == 1
        assert {r.scores[o]["status"] for o in expected[:2]} == {"elected"}
    elif method == "irv":
        assert [rd.get("excluded") for rd in r.details["rounds"]] == expected[:0:-1] + [None]


def test_pnyx_tally_on_a_file_without_ballots_prints_that_result(tmp_path, capsys):
    from pnyx.tally.cli import main

    path = tmp_path / "empty.csv"
    path.write_text("# method: irv\n# options: A|B|C\nreceipt,ranking\n")
    assert main([str(path), "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["ballots"] == 0 and out["winners"] == ["A"] and out["ranking"] == ["A", "B", "C"]
    assert out["ties"]

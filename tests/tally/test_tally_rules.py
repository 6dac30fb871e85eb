"""Hand-made cases for each rule and each tie-break, and a brute-force majority value check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pnyx import tally
from pnyx.tally import Ballots, TallyError
from pnyx.tally.judgment import compare_profiles


def ranked(options, rankings, receipts=None):
    receipts = receipts or [f"r{i}" for i in range(len(rankings))]
    return tally.ranked_ballots(options, list(zip(receipts, rankings, strict=True)))


# --- tie-break order -------------------------------------------------------------------------


def test_tiebreak_order_default_explicit_and_seeded():
    opts = ["b", "a", "c"]
    assert tally.tiebreak_order(opts) == ["a", "b", "c"]
    assert tally.tiebreak_order(opts, ["c", "a", "b"]) == ["c", "a", "b"]
    seeded = tally.tiebreak_order(opts, seed="2025-06-01")
    assert sorted(seeded) == ["a", "b", "c"]
    assert seeded == tally.tiebreak_order(opts, seed="2025-06-01")
    with pytest.raises(TallyError):
        tally.tiebreak_order(opts, ["a", "b"])


# --- approval --------------------------------------------------------------------------------


def test_approval_counts_ties_blank_and_spoiled():
    b = tally.approval_ballots(
        ["A", "B", "C", "D"],
        [("r1", "A|B"), ("r2", "B|C"), ("r3", ""), ("r4", "A|B|C"), ("r5", "E"), ("r6", "C|C")],
    )
    res = tally.approval(b, seats=2, max_choices=2)
    assert res.scores == {"B": 2, "A": 1, "C": 1, "D": 0}
    assert res.winners == ("B", "A")  # A and C tied: A first by name
    assert res.ties and "A, C tied" in res.ties[0]
    assert res.ballots == 2 and res.blank == 1
    assert [(s.receipt, s.reason) for s in res.spoiled] == [
        ("r4", "chooses more than 2 (chose 3)"),
        ("r5", "unknown option 'E'"),
        ("r6", "option 'C' chosen twice"),
    ]
    # Same ballots, tie broken by an explicit order.
    assert tally.approval(b, seats=2, max_choices=2, tiebreak=["C", "B", "A", "D"]).winners == (
        "B",
        "C",
    )


def test_approval_exactly_k():
    b = tally.approval_ballots(["A", "B", "C"], [("1", "A|B"), ("2", "A"), ("3", "")])
    res = tally.approval(b, max_choices=2, exactly=True)
    assert res.ballots == 1 and res.blank == 1
    assert res.spoiled[0].receipt == "2" and "exactly 2" in res.spoiled[0].reason


def test_approval_weights():
    b = Ballots("approval", ("A", "B"), np.array([[1, 0], [0, 1]]), weights=np.array([3, 5]))
    res = tally.approval(b)
    assert res.scores == {"B": 5, "A": 3} and res.ballots == 8


# --- majority judgment -----------------------------------------------------------------------

GRADES = ("Très bien", "Bien", "Assez bien", "Passable", "Insuffisant", "À rejeter")


def graded(rows, options=("A", "B")):
    return tally.graded_ballots(list(options), GRADES, [(str(i), r) for i, r in enumerate(rows)])


def test_mj_lower_median_for_even_number():
    # A: Très bien, Passable -> lower median Passable; B: Bien, Bien -> Bien.
    res = tally.majority_judgment(graded([["Très bien", "Bien"], ["Passable", "Bien"]]))
    assert res.scores["A"]["majority_grade"] == "Passable"
    assert res.winners == ("B",)


def test_mj_majority_gauge():
    # Same majority grade Bien; A has more above than below (+), B more below (-).
    rows = [
        ["Très bien", "Très bien"],
        ["Très bien", "Bien"],
        ["Bien", "Bien"],
        ["Bien", "Passable"],
        ["Passable", "Passable"],
    ]
    res = tally.majority_judgment(graded(rows))
    assert res.scores["A"]["gauge"] == "+" and res.scores["B"]["gauge"] == "-"
    assert res.ranking == ("A", "B")


def test_mj_identical_profiles_use_tiebreak_and_missing_grade_is_worst():
    rows = [["Bien", "Bien"], ["Passable", "Passable"], ["", ""]]
    res = tally.majority_judgment(graded(rows), tiebreak=["B", "A"])
    assert res.ranking == ("B", "A") and res.ties
    assert res.blank == 1 and res.ballots == 2
    res2 = tally.majority_judgment(graded([["Bien", ""], ["Bien", "Bien"]]))
    assert res2.scores["B"]["grades"]["À rejeter"] == 1
    assert res2.ranking == ("A", "B")


def test_mj_bad_grade_spoiled():
    res = tally.majority_judgment(graded([["Bien", "Excellent"], ["Bien", "Bien"]]))
    assert res.spoiled[0].receipt == "0" and "Excellent" in res.spoiled[0].reason
    assert res.ballots == 1


def majority_value(grades_best_first_idx):
    """Brute force: successive lower medians (grade indices, 0 = best)."""
    g = sorted(grades_best_first_idx)
    out = []
    while g:
        i = len(g) // 2
        out.append(g.pop(i))
    return out


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 5), st.integers(1, 12), st.data())
def test_compare_profiles_is_majority_value_order(k, n, data):
    a = data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    b = data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    ha = np.bincount(a, minlength=k)
    hb = np.bincount(b, minlength=k)
    va, vb = majority_value(a), majority_value(b)
    expected = 0 if va == vb else (1 if va < vb else -1)  # smaller index = better grade
    assert compare_profiles(ha, hb) == expected


# --- Schulze and ranked pairs ----------------------------------------------------------------


def test_schulze_wikipedia_example():
    # https://en.wikipedia.org/wiki/Schulze_method#Example (45 voters): E wins, E>A>C>B>D.
    groups = [
        (5, "A>C>B>E>D"),
        (5, "A>D>E>C>B"),
        (8, "B>E>D>A>C"),
        (3, "C>A>B>E>D"),
        (7, "C>A>E>B>D"),
        (2, "C>B>A>D>E"),
        (7, "D>C>E>B>A"),
        (8, "E>B>A>D>C"),
    ]
    rankings = [r for c, r in groups for _ in range(c)]
    res = tally.schulze(ranked(list("ABCDE"), rankings))
    assert res.ranking == ("E", "A", "C", "B", "D")
    assert res.scores["E"]["beats"] == 4 and res.ballots == 45


def test_schulze_tie_uses_tiebreak():
    res = tally.schulze(ranked(["A", "B"], ["A>B", "B>A"]))
    assert res.winners == ("A",) and res.ties
    assert tally.schulze(ranked(["A", "B"], ["A>B", "B>A"]), tiebreak=["B", "A"]).winners == ("B",)


def test_unranked_options_are_below_ranked_ones():
    res = tally.schulze(ranked(["A", "B", "C"], ["C", "C", "A>B"]))
    assert res.winners == ("C",)
    assert res.details["pairwise"]["C"]["A"] == 2


def test_ranked_pairs_cycle_and_zero_margin():
    # Classic cycle: A>B 7:2? Build margins A>B 3, B>C 5, C>A 1 -> lock B>C, A>B, skip C>A.
    rankings = ["A>B>C"] * 3 + ["B>C>A"] * 3 + ["C>A>B"] * 2 + ["B>C>A"]
    res = tally.ranked_pairs(ranked(["A", "B", "C"], rankings))
    assert res.ranking[0] in ("A", "B")
    assert res.details["skipped"]
    tie = tally.ranked_pairs(ranked(["A", "B"], ["A>B", "B>A"]), tiebreak=["B", "A"])
    assert tie.winners == ("B",) and tie.ties


# --- IRV and STV -----------------------------------------------------------------------------


def test_irv_backward_tiebreak():
    # Round 1: A 10, B 6, C 7, D 3 -> D out; D's ballots: 1 to B, 2 to A.
    # Round 2: A 12, B 7, C 7: tie; at round 1 B had fewer -> B is excluded (not C, which the
    # name order alone would exclude).
    rankings = ["A"] * 10 + ["B"] * 6 + ["C"] * 7 + ["D>B", "D>A", "D>A"]
    res = tally.irv(ranked(list("ABCD"), rankings))
    assert [r.get("excluded") for r in res.details["rounds"]][:2] == ["D", "B"]
    assert "latest earlier stage" in res.ties[0]
    assert res.winners == ("A",)
    assert res.ranking == ("A", "C", "B", "D")


def test_irv_tie_at_every_round_uses_tiebreak_and_ties_cut_ballots():
    res = tally.irv(ranked(["A", "B"], ["A", "B"]))
    assert res.winners == ("A",)  # B is last in the (name) tie-break order: excluded
    res = tally.irv(ranked(["A", "B", "C"], ["A=B>C", "C>A=B", "B"]))
    assert res.spoiled[0].receipt == "r0" and "shared" in res.spoiled[0].reason
    assert res.details["cut_at_tie"] == 1


def test_stv_surplus_transfer_truncates_to_five_decimals():
    rankings = ["A>B"] * 6 + ["B"] + ["C"] * 2
    res = tally.stv(ranked(["A", "B", "C"], rankings), seats=2)
    assert res.details["quota"] == 4
    assert res.winners == ("A", "B")
    surplus_stage = res.details["stages"][1]
    assert surplus_stage["action"] == "surplus of A"
    assert surplus_stage["votes"]["B"] == pytest.approx(1 + 6 * 0.33333)
    assert res.scores["C"]["status"] == "excluded"


def test_stv_single_seat_matches_irv_winner():
    rankings = ["A>B>C"] * 4 + ["B>C>A"] * 3 + ["C>B>A"] * 2
    b = ranked(["A", "B", "C"], rankings)
    assert tally.stv(b).winners == tally.irv(b).winners == ("B",)


def test_droop_quota():
    assert tally.droop_quota(100, 3) == 26
    assert tally.droop_quota(9, 2) == 4


def test_methods_reject_wrong_ballot_kind():
    b = tally.approval_ballots(["A"], [("1", "A")])
    with pytest.raises(TallyError):
        tally.schulze(b)
    with pytest.raises(TallyError):
        tally.count("borda", b)


def test_results_are_deterministic_and_json_serialisable():
    import json

    rankings = ["A>B>C", "B>C>A", "C>A>B"] * 5
    b = ranked(["A", "B", "C"], rankings)
    for name, fn in tally.METHODS.items():
        if tally.BALLOT_KIND[name] != "ranked":
            continue
        r1, r2 = fn(b, seats=2), fn(b, seats=2)
        assert r1 == r2
        json.dumps(r1.to_json())
        assert sorted(r1.ranking) == ["A", "B", "C"] and len(r1.winners) == 2

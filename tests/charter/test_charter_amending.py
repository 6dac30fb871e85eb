"""The pure rebuild (`pnyx.amending`): rules, conflicts, and properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pnyx.amending import (
    ADD_AFTER,
    DELETE,
    REPLACE,
    AmendingError,
    Amendment,
    Article,
    rebuild,
)

TEXT = [Article(f"a{i}", "S1" if i < 3 else "S2", f"texte {i}") for i in range(1, 6)]


def texts(result):
    return [a.text for a in result.articles]


def test_replace_then_replace_applies_to_the_new_wording():
    r = rebuild(
        TEXT,
        [Amendment("m1", REPLACE, "a2", "deux"), Amendment("m2", REPLACE, "a2", "deux bis")],
    )
    assert texts(r)[1] == "deux bis"
    assert r.articles[1].amended_by == ("m1", "m2")
    assert r.history[1].before == "deux" and r.history[1].after == "deux bis"


def test_amendment_to_a_deleted_article_is_skipped_and_said():
    r = rebuild(TEXT, [Amendment("m1", DELETE, "a3"), Amendment("m2", REPLACE, "a3", "trois")])
    assert "texte 3" not in texts(r) and "trois" not in texts(r)
    skipped = r.history[1]
    assert not skipped.applied and skipped.reason == "deleted" and skipped.deleted_by == "m1"


def test_add_after_keeps_the_voting_order_and_section():
    r = rebuild(
        TEXT,
        [
            Amendment("m1", ADD_AFTER, "a2", "ajout 1"),
            Amendment("m2", ADD_AFTER, "a2", "ajout 2"),
            Amendment("m3", ADD_AFTER, "m1", "ajout 1.1"),
        ],
    )
    assert texts(r)[:6] == ["texte 1", "texte 2", "ajout 1", "ajout 1.1", "ajout 2", "texte 3"]
    assert {a.section for a in r.articles[1:5]} == {"S1"}
    assert r.number_of("m2") == 5


def test_amendment_to_an_article_never_added_is_unknown():
    r = rebuild(TEXT, [Amendment("m2", REPLACE, "m1", "x")])
    assert r.history[0].reason == "unknown" and texts(r) == texts(rebuild(TEXT, []))


def test_bad_input_is_refused():
    with pytest.raises(AmendingError, match="needs a text"):
        rebuild(TEXT, [Amendment("m1", REPLACE, "a1", " ")])
    with pytest.raises(AmendingError, match="share a key"):
        rebuild([TEXT[0], TEXT[0]], [])
    with pytest.raises(AmendingError, match="already an article"):
        rebuild(TEXT, [Amendment("a2", ADD_AFTER, "a1", "x")])


# --- properties -------------------------------------------------------------------------------

words = st.text(alphabet="abcdefgh ", min_size=1, max_size=12).filter(str.strip)


@st.composite
def cases(draw):
    n = draw(st.integers(1, 8))
    articles = [Article(f"a{i}", f"S{i % 3}", draw(words)) for i in range(1, n + 1)]
    keys = [a.key for a in articles]
    amendments = []
    for j in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from([REPLACE, ADD_AFTER, DELETE]))
        target = draw(st.sampled_from(keys))
        amendments.append(Amendment(f"m{j}", kind, target, "" if kind == DELETE else draw(words)))
        keys.append(f"m{j}")  # later amendments may target an added article
    return articles, amendments


@settings(max_examples=150, deadline=None)
@given(cases())
def test_properties(case):
    articles, amendments = case
    # No amendment: the text comes back.
    assert rebuild(articles, []).articles == tuple(articles)
    r = rebuild(articles, amendments)
    by_key = {a.key: a for a in amendments}
    applied = {h.amendment for h in r.history if h.applied}
    assert len(r.history) == len(amendments)
    keys = [a.key for a in r.articles]
    assert len(set(keys)) == len(keys)
    for a in r.articles:
        # Traceable: an original article or an applied add-after; its wording is the last
        # applied replacement, else the original or added wording.
        assert a.origin in {x.key for x in articles} or (
            a.origin in applied and by_key[a.origin].kind == ADD_AFTER
        )
        assert set(a.amended_by) <= applied
        if a.amended_by:
            assert a.text == by_key[a.amended_by[-1]].text
    # Whatever follows a deletion of its target is reported, never applied.
    deleted = set()
    for h in r.history:
        if h.target in deleted:
            assert not h.applied and h.reason == "deleted"
        if h.applied and h.kind == DELETE:
            deleted.add(h.target)
    assert set(r.deleted) == deleted
    # The article count follows the applied additions and deletions.
    adds = sum(1 for h in r.history if h.applied and h.kind == ADD_AFTER)
    assert len(r.articles) == len(articles) + adds - len(deleted)

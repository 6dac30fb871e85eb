"""The one registry of journal event names (DESIGN, rule 3)."""

import re
from pathlib import Path

import pytest

from pnyx.journal.actions import record
from pnyx.journal.events import EVENTS, UnknownEvent, is_past_tense
from pnyx.journal.models import JournalEntry

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_an_unregistered_name_is_refused_and_writes_nothing():
    before = JournalEntry.objects.count()
    with pytest.raises(UnknownEvent, match="'vote.opend' is not in the registry"):
        record("vote.opend", payload={"x": 1})
    assert JournalEntry.objects.count() == before
    assert record("vote.opened").action == "vote.opened"


def test_every_name_is_in_the_past_tense():
    assert [n for n in EVENTS if not is_past_tense(n)] == []
    assert not is_past_tense("vote.open")
    assert not is_past_tense("intervention.accept")
    assert not is_past_tense("Vote.opened")
    assert is_past_tense("draw.invitations_sent")


def test_every_literal_name_in_the_code_is_registered():
    """A static pass over the sources: each `record("...")` names a registered event (the
    f-string names are covered by the tests of the actions that write them)."""
    names = set()
    for path in (ROOT / "src" / "pnyx").rglob("*.py"):
        names |= set(re.findall(r"record\(\s*\"([a-z_.]+)\"", path.read_text()))
    assert names and names <= set(EVENTS), sorted(names - set(EVENTS))


def test_docs_list_every_event_and_no_other():
    text = (ROOT / "docs" / "journal.md").read_text()
    section = text.split("## Event names", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z_.]+)` \|", section, flags=re.M)
    assert listed == list(EVENTS)

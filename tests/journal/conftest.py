import pytest

from pnyx.journal import events

#: Names the chain's own tests write: what they test is the chain, not an event's meaning.
TEST_EVENTS = (
    "test.event",
    "test.concurrent",
    "test.by_user",
    "test.by_member",
    "test.nested",
    "test.by_table",
    "test.by_task",
    "test.numbers",
)


@pytest.fixture
def test_event_names(monkeypatch):
    """Used by the chain's tests (pytestmark in their modules)."""
    for name in TEST_EVENTS:
        monkeypatch.setitem(events.EVENTS, name, "written by a test of the journal itself")

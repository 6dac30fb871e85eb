import importlib
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet

from pnyx.journal.actions import record, verify
from pnyx.journal.models import AppendOnlyError, JournalEntry, JournalHead

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_event_names")]

TRIGGERS = importlib.import_module("pnyx.journal.migrations.0003_append_only_triggers")


@contextmanager
def tampering():
    """What a database owner could do: drop the append-only triggers, then edit rows with plain
    SQL (a bare QuerySet, not the journal's own manager). The triggers come back afterwards."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for sql in TRIGGERS.REMOVE[vendor]:
            cursor.execute(sql)
    try:
        yield QuerySet(JournalEntry)
    finally:
        with connection.cursor() as cursor:
            for sql in TRIGGERS.INSTALL[vendor]:
                cursor.execute(sql)


def _three_entries():
    for i in range(3):
        record(
            "test.event", actor="tester", payload={"i": i, "text": "élu·e"}, inputs_digest="ab" * 32
        )


def test_chain_of_entries_verifies():
    _three_entries()
    result = verify()
    assert result.ok, result.problems
    assert result.entries == 3
    entries = list(JournalEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash
    assert JournalHead.objects.get().hash == entries[-1].hash == result.head_hash


def test_entries_cannot_be_updated_or_deleted_through_the_model():
    _three_entries()
    entry = JournalEntry.objects.first()
    entry.payload = {"i": 99}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_edited_payload_is_detected():
    _three_entries()
    with tampering() as rows:
        rows.filter(seq=2).update(payload={"i": 42, "text": "élu·e"})
    result = verify()
    assert not result.ok
    assert any("#2" in p and "edited" in p for p in result.problems)


def test_edited_actor_is_detected_even_with_recomputed_hash_of_that_row_only():
    from pnyx.journal.actions import _timestamp
    from pnyx.journal.chain import entry_hash

    _three_entries()
    e = JournalEntry.objects.get(seq=2)
    forged = entry_hash(
        seq=2,
        created_at=_timestamp(e.created_at),
        actor="someone else",
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        payload=e.payload,
        inputs_digest=e.inputs_digest,
        prev_hash=e.prev_hash,
    )
    with tampering() as rows:
        rows.filter(seq=2).update(actor="someone else", hash=forged)
    result = verify()
    assert not result.ok
    assert any("#3" in p and "previous hash" in p for p in result.problems)


def test_deleted_middle_row_is_detected():
    _three_entries()
    with tampering() as rows:
        rows.filter(seq=2).delete()
    result = verify()
    assert not result.ok
    assert any("missing" in p for p in result.problems)


def test_deleted_last_row_is_detected_by_the_head():
    _three_entries()
    with tampering() as rows:
        rows.filter(seq=3).delete()
    result = verify()
    assert not result.ok
    assert any("head" in p for p in result.problems)


def test_published_head_detects_truncation_of_head_and_rows():
    _three_entries()
    published = verify().head_hash
    last = JournalEntry.objects.get(seq=3)
    with tampering() as rows:
        rows.filter(seq=3).delete()
    JournalHead.objects.update(seq=2, hash=last.prev_hash)
    assert verify().ok  # the database alone cannot tell...
    assert not verify(expected_head=published).ok  # ...the published head can


def test_command_reports_intact_and_tampered(capsys):
    _three_entries()
    call_command("journal", "verify")
    assert "3" in capsys.readouterr().out
    with tampering() as rows:
        rows.filter(seq=1).update(action="test.forged")
    with pytest.raises(CommandError, match="1"):
        call_command("journal", "verify")
    assert "#1" in capsys.readouterr().err


def test_orm_paths_refuse_to_update_or_delete_entries():
    _three_entries()
    entry = JournalEntry.objects.get(seq=1)
    entries = JournalEntry.objects.all()
    for attempt in (
        lambda: entries.update(action="test.forged"),
        lambda: entries.filter(seq=1).delete(),
        lambda: JournalEntry.objects.bulk_update([entry], ["action"]),
        lambda: JournalEntry.objects.update_or_create(seq=1, defaults={"action": "x"}),
        lambda: entry.save(update_fields=["action"]),
        lambda: JournalEntry(**{"seq": 9, "hash": "x"}).save(force_update=True),
    ):
        with pytest.raises(AppendOnlyError):
            attempt()
    assert verify().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE journal_journalentry SET action = 'test.forged' WHERE seq = 2",
        "UPDATE journal_journalentry SET payload = '{}'",
        "DELETE FROM journal_journalentry WHERE seq = 3",
        "DELETE FROM journal_journalentry",
    ],
)
def test_the_database_refuses_raw_update_and_delete(sql):
    _three_entries()
    with pytest.raises(DatabaseError, match="journal is append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert verify().ok
    assert JournalEntry.objects.count() == 3


@pytest.mark.postgres
def test_postgres_refuses_truncate_unless_the_test_harness_flushes():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    _three_entries()
    with pytest.raises(DatabaseError, match="journal is append-only: TRUNCATE"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE journal_journalentry")
    # even with the harness's flush setting on, UPDATE and DELETE of rows stay refused
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pnyx.journal_flush', 'on', true)")
        for sql in (
            "UPDATE journal_journalentry SET actor = 'x'",
            "DELETE FROM journal_journalentry",
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic():
                    cursor.execute(sql)
    assert JournalEntry.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_writes_the_journal_and_is_flushed_after():
    """The harness's flush at teardown (DELETE on SQLite, TRUNCATE on PostgreSQL) gets through
    the triggers (without `_journal_lets_the_test_flush_through` this test errors)."""
    _three_entries()
    assert JournalEntry.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_a_gapless_chain():
    """Appends from many threads at once serialise on the head row (PostgreSQL and SQLite)."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite locks whole tables across threads; runs on PostgreSQL")
    from pnyx.journal.models import JournalHead

    JournalHead.objects.all().delete()  # as after a flush: the first appends race to create it
    errors = []

    def work(n):
        try:
            for i in range(5):
                record("test.concurrent", actor=f"t{n}", payload={"i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = verify()
    assert result.ok, result.problems
    assert result.entries == 40


def test_admin_shows_the_journal_but_cannot_change_it(client, django_user_model):
    record("test.event", actor="tester")
    admin_user = django_user_model.objects.create_superuser(
        "root", "root@example.org", "pw-123456!"
    )
    client.force_login(admin_user)
    entry = JournalEntry.objects.get()
    assert client.get("/admin/journal/journalentry/").status_code == 200
    assert client.get(f"/admin/journal/journalentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/journal/journalentry/add/").status_code == 403
    assert (
        client.post(f"/admin/journal/journalentry/{entry.pk}/change/", {"action": "x"}).status_code
        == 403
    )
    assert verify().ok

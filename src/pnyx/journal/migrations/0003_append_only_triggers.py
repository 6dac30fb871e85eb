"""The database itself refuses to change the journal: triggers on UPDATE and DELETE (PostgreSQL
also on TRUNCATE) of `journal_journalentry`.

The only way through is a flush of the whole database by a test harness: on PostgreSQL a
TRUNCATE passes when the transaction set `pnyx.journal_flush` to `on`; on SQLite a DELETE passes
when the connection's `pnyx_journal_flush()` function (registered by `pnyx.journal.models`)
returns 1. UPDATE is always refused. A database owner can still drop the triggers: that is what
`pnyx journal verify` and the published head are for.
"""

from django.db import migrations

POSTGRES_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION pnyx_journal_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE'
           AND coalesce(current_setting('pnyx.journal_flush', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'the journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER journal_entry_no_update BEFORE UPDATE ON journal_journalentry
    FOR EACH ROW EXECUTE FUNCTION pnyx_journal_append_only()
    """,
    """
    CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_journalentry
    FOR EACH ROW EXECUTE FUNCTION pnyx_journal_append_only()
    """,
    """
    CREATE TRIGGER journal_entry_no_truncate BEFORE TRUNCATE ON journal_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION pnyx_journal_append_only()
    """,
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS journal_entry_no_update ON journal_journalentry",
    "DROP TRIGGER IF EXISTS journal_entry_no_delete ON journal_journalentry",
    "DROP TRIGGER IF EXISTS journal_entry_no_truncate ON journal_journalentry",
    "DROP FUNCTION IF EXISTS pnyx_journal_append_only()",
]

SQLITE_INSTALL = [
    """
    CREATE TRIGGER journal_entry_no_update BEFORE UPDATE ON journal_journalentry
    BEGIN
        SELECT RAISE(ABORT, 'the journal is append-only: UPDATE on journal_journalentry refused');
    END
    """,
    """
    CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_journalentry
    WHEN pnyx_journal_flush() IS NOT 1
    BEGIN
        SELECT RAISE(ABORT, 'the journal is append-only: DELETE on journal_journalentry refused');
    END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS journal_entry_no_update",
    "DROP TRIGGER IF EXISTS journal_entry_no_delete",
]

INSTALL = {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL}
REMOVE = {"postgresql": POSTGRES_REMOVE, "sqlite": SQLITE_REMOVE}


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"no append-only triggers written for the {vendor} database")
        for sql in statements[vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("journal", "0002_journal_head_row")]
    operations = [migrations.RunPython(_run(INSTALL), _run(REMOVE))]

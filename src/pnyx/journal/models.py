"""The append-only journal: every consequential event, chained by SHA-256.

Each entry's hash covers its own fields and the previous entry's hash, so editing or deleting
any row breaks the chain from that row on. `JournalHead` holds the latest sequence number and
hash; publishing that hash elsewhere (the public page, a printed programme) also detects a
truncation of the tail.
"""

from django.db import models
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class JournalQuerySet(models.QuerySet):
    """Rows are appended by `pnyx.journal.actions.record` and never changed: the ORM's bulk
    paths refuse, as the database's triggers do (migration 0003)."""

    def update(self, **kwargs):
        raise AppendOnlyError("journal entries are never updated")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("journal entries are never updated")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AppendOnlyError("journal entries are never updated")

    def delete(self):
        raise AppendOnlyError("journal entries are never deleted")

    delete.queryset_only = True

    def _raw_delete(self, using):
        raise AppendOnlyError("journal entries are never deleted")


class JournalEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("recorded at"))
    actor = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    inputs_digest = models.CharField(_("inputs digest"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = JournalQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["seq"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("journal entries are never updated")
        if kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AppendOnlyError("journal entries are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("journal entries are never deleted")


class JournalHead(models.Model):
    """A single row: the latest entry's sequence number and hash (a lock point for appends)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("journal head")

    def __str__(self):
        return f"#{self.seq} {self.hash}"


def _register_sqlite_flush_function(sender, connection, **kwargs):
    """SQLite's DELETE trigger on the journal asks `pnyx_journal_flush()`: 1 only while a test
    harness flushes the whole database (`connection.pnyx_journal_flush = True`), else 0."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        "pnyx_journal_flush",
        0,
        lambda: 1 if getattr(connection, "pnyx_journal_flush", False) else 0,
    )


connection_created.connect(_register_sqlite_flush_function)

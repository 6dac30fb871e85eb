"""The append-only journal: every consequential event, chained by SHA-256.

Each entry's hash covers its own fields and the previous entry's hash, so editing or deleting
any row breaks the chain from that row on. `JournalHead` holds the latest sequence number and
hash; publishing that hash elsewhere (the public page, a printed programme) also detects a
truncation of the tail.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


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

    class Meta:
        ordering = ["seq"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
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

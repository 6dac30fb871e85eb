"""The live state of a convention's day and the log of its events."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pnyx.programme.models import Convention


class LiveEvent(models.Model):
    """One change of the live state, as every screen receives it: the state after the change.

    The stream sends these in `id` order; a client that reconnects with `Last-Event-ID: N`
    receives the events after N (or the latest state when N is too old). Written by
    `pnyx.live.stream.publish`, in the transaction of the action that changed the state.
    """

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    state = models.JSONField(_("state"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        indexes = [models.Index(fields=["convention", "id"], name="live_event_conv_id")]

    def __str__(self):
        return f"{self.id} {self.kind}"

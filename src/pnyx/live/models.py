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


# --- the run-of-show (live-console) -----------------------------------------------------------


class MessageTarget(models.TextChoices):
    HALL = "hall", _("Hall screen")
    STAGE = "stage", _("Stage timer")


class RunOfShow(models.Model):
    """The one state of a convention's day on stage, as the console sets it.

    Every operator action locks this row (`select_for_update`) first, so two operators' clicks
    run one after the other. `driven` false: nobody runs the console, the clock drives screens.
    """

    convention = models.OneToOneField(
        Convention, on_delete=models.CASCADE, related_name="run_of_show"
    )
    driven = models.BooleanField(_("driven by the console"), default=False)
    current = models.ForeignKey(
        "programme.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    blackout = models.BooleanField(_("blackout"), default=False)
    message = models.CharField(_("message"), max_length=140, blank=True)
    message_target = models.CharField(
        _("message for"), max_length=10, choices=MessageTarget.choices, blank=True
    )
    speaker = models.ForeignKey(
        "programme.Intervention",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    speaker_started_at = models.DateTimeField(_("speaking since"), null=True, blank=True)
    playing = models.BooleanField(_("video playing"), default=False)
    speaking_seconds = models.PositiveIntegerField(
        _("speaking time per testimony (seconds)"), default=180
    )
    vote = models.ForeignKey(
        "votes.Vote", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    announcement = models.ForeignKey(
        "votes.Vote", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("run-of-show")
        verbose_name_plural = _("run-of-shows")

    def __str__(self):
        return f"{self.convention}"


class ItemRun(models.Model):
    """When an item of the programme actually started and ended (the day's real timeline)."""

    run = models.ForeignKey(RunOfShow, on_delete=models.CASCADE, related_name="item_runs")
    item = models.ForeignKey("programme.Item", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("item run")
        verbose_name_plural = _("item runs")
        constraints = [
            models.UniqueConstraint(fields=["run", "item"], name="live_one_run_per_item"),
        ]

    def __str__(self):
        return f"{self.item} {self.started_at:%H:%M}"


class TurnStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class Turn(models.Model):
    """An intervention's turn in its testimony slot's queue: called, spoken, done or skipped.
    The order of the queue is the programme's (`Intervention.slot_position`)."""

    run = models.ForeignKey(RunOfShow, on_delete=models.CASCADE, related_name="turns")
    intervention = models.ForeignKey(
        "programme.Intervention", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TurnStatus.choices, default=TurnStatus.WAITING
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    spoke_seconds = models.PositiveIntegerField(_("spoke (seconds)"), default=0)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("turn")
        verbose_name_plural = _("turns")
        constraints = [
            models.UniqueConstraint(fields=["run", "intervention"], name="live_one_turn_each"),
        ]

    def __str__(self):
        return f"{self.intervention} {self.status}"

"""Read-only views of votes' verifiable-mode state: elections, trustees and the bulletin board
change only through `pnyx.votes.actions` (which check and journal every step)."""

from django.contrib import admin

from pnyx.core.admin import ReadOnlyAdmin

from .models import Election, EncryptedBallot, Trustee


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    list_display = ["vote", "uuid", "hash", "credentials_count", "tally_state", "frozen_at"]
    list_filter = ["tally_state"]
    exclude = ["record"]


@admin.register(Trustee)
class TrusteeAdmin(ReadOnlyAdmin):
    list_display = ["name", "vote", "position", "state"]
    list_filter = ["state"]
    exclude = ["secret"]


@admin.register(EncryptedBallot)
class EncryptedBallotAdmin(ReadOnlyAdmin):
    list_display = ["seq", "vote", "hash", "counted"]
    list_filter = ["counted"]

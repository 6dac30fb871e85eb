"""The one registry of journal event names: `<domain>.<what happened>`, in the past tense.

`pnyx.journal.actions.record` refuses a name that is not here, so that a journal reader (and
docs/journal.md, which lists them all) knows every event that can appear. An app adds its
events here, next to its neighbours', with one line saying what the row means.
"""

from __future__ import annotations

import re

#: Past participles that do not end in "-ed".
IRREGULAR_PARTICIPLES = frozenset(
    {"sent", "drawn", "held", "chosen", "withdrawn", "begun", "made", "set", "split"}
)

_PROGRAMME_KINDS = ("convention", "day", "item", "news", "campaign", "topic")
_ACCOUNT_KINDS = ("user", "group")


def _saved(domain: str, kinds: tuple[str, ...], what: str) -> dict[str, str]:
    """`<domain>.<kind>_created/_changed/_deleted` for the kinds an edit page saves."""
    out: dict[str, str] = {}
    for kind in kinds:
        out[f"{domain}.{kind}_created"] = f"a {kind} of the {what} was created"
        out[f"{domain}.{kind}_changed"] = f"fields of a {kind} of the {what} changed (old, new)"
        out[f"{domain}.{kind}_deleted"] = f"a {kind} of the {what} was deleted"
    return out


EVENTS: dict[str, str] = {
    # members and accounts
    "members.imported": "a members file was imported (counts, file digest)",
    "member.deactivated": "a member was deactivated (can no longer sign in or vote)",
    "member.reactivated": "a deactivated member was reactivated",
    **_saved("account", _ACCOUNT_KINDS, "accounts"),
    # programme and interventions
    **_saved("programme", _PROGRAMME_KINDS, "programme"),
    "intervention.submitted": "a member proposed an intervention or a video",
    "intervention.revised": "its author revised an intervention after changes were requested",
    "intervention.accepted": "an organizer accepted an intervention",
    "intervention.rejected": "an organizer rejected an intervention (with the reason)",
    "intervention.changes_requested": "an organizer asked the author for changes (saying which)",
    "intervention.placed": "an accepted intervention was placed in a testimony slot",
    "intervention.unplaced": "an intervention was taken out of its slot",
    # draws
    "draw.pool_created": "the pool of volunteers of a draw was frozen (its digest)",
    "draw.distribution_computed": "the leximin distribution of a draw was computed",
    "draw.digest_published": "the digest of a draw's inputs and distribution was published",
    "draw.panel_revealed": "the seed was revealed and the panel drawn from it",
    "draw.invitations_sent": "the drawn people were invited",
    "draw.invitation_accepted": "a drawn person accepted their seat",
    "draw.invitation_declined": "a drawn person declined their seat",
    "draw.invitation_expired": "an invitation ran out of time without an answer",
    "draw.replacement_drawn": "a replacement was drawn for someone who declined",
    "draw.replacement_failed": "nobody could replace someone who declined without breaking a quota",
    "participant.checked_in": "a participant's badge was scanned at the entrance",
    "participant.badge_revoked": "a participant's badge was revoked (a new one issued)",
    # votes
    "vote.created": "a vote was created",
    "vote.option_added": "an option was added to a vote",
    "vote.option_removed": "an option was removed from a vote",
    "vote.proposals_opened": "members may propose options for a vote",
    "vote.proposal_submitted": "a member proposed an option",
    "vote.proposal_rejected": "an organizer rejected a proposed option",
    "vote.opened": "a vote was opened for casting",
    "vote.closed": "a vote was closed and counted",
    "vote.announcement_started": "the results' announcement began on the hall screen",
    "vote.announced": "the results were announced",
    "vote.announcement_ended": "the results' announcement ended",
    "vote.published": "a vote's results and its ballot file or election record were published",
    "vote.trustee_added": "a trustee of a verifiable vote was named",
    "vote.trustee_removed": "a trustee of a verifiable vote was removed",
    "vote.trustee_key_received": "a trustee sent their public key or certificate (digest)",
    "vote.trustee_polynomial_received": "a trustee sent their polynomial (threshold key, digest)",
    "vote.trustee_voutput_received": "a trustee sent their voutput (threshold key, digest)",
    "vote.election_made": "a verifiable vote's election was made (uuid, election hash)",
    "vote.credentials_set": "a verifiable vote's public credentials were stored (count, fingerprint)",
    "vote.tallied": "the encrypted tally of a verifiable vote was computed (digest)",
    "vote.decryption_received": "a trustee's partial decryption was checked and stored (digest)",
    # workshops
    "workshops.plan_published": "a hall plan (tables, itineraries) was published",
    "workshops.seat_moved": "an organizer moved a participant to another table",
    "workshops.participants_invited": "participants were sent their itinerary",
    "workshops.table_code_revoked": "a table's facilitator code was revoked",
    "workshops.output_received": "a table sent (or replaced) its output at a step",
    "workshops.document_requested": "printed documents were requested (generated in a task)",
    "workshops.synthesis_requested": "an organizer asked for a (new) machine synthesis of the outputs",
    "workshops.synthesis_computed": "the machine synthesis ran (method, threshold, inputs digest)",
    "workshops.synthesis_clusters_merged": "an organizer merged two clusters of a group",
    "workshops.synthesis_cluster_split": "an organizer split ideas out of a cluster",
    "workshops.synthesis_idea_moved": "an organizer moved an idea to another cluster (or alone)",
    "workshops.synthesis_cluster_renamed": "an organizer renamed a cluster",
    "workshops.synthesis_retained": "an organizer retained a cluster or an idea",
    "workshops.synthesis_unretained": "an organizer withdrew a cluster or an idea from the retained",
    "workshops.synthesis_vote_created": "an in-hall vote on a campaign's retained axes was drafted",
    # the charter
    "charter.imported": "a charter's text was imported from Markdown (its articles)",
    "charter.window_set": "the amendment window of a charter was set (opens, closes)",
    "charter.amendment_submitted": "a member or a table proposed an amendment to an article",
    "charter.amendment_accepted": "an organizer retained an amendment for the hall's vote",
    "charter.amendment_rejected": "an organizer did not retain an amendment (with the reason)",
    "charter.amendments_merged": "duplicate amendments were merged into one retained amendment",
    "charter.votes_started": "the hall's votes on a charter's amendments were prepared",
    "charter.vote_opened": "the hall's vote on an amendment (or on the whole text) was opened",
    "charter.amendment_voted": "the hall's vote on an amendment closed: counts, adopted or not",
    "charter.amendment_lapsed": "an amendment lapsed: the article it changed was deleted",
    "charter.decided": "the hall's vote on the whole text closed: the adopted text's digest",
    # the representative assembly
    "assembly.created": "a representative assembly was set up (its mandate and renewal rules)",
    "assembly.college_added": "a college was added to the assembly (seats, eligibility, quotas)",
    "assembly.wave_launched": "a wave of invitations of a college was sized and its pool frozen",
    "assembly.wave_digest_published": "a wave's inputs and distribution digest was published",
    "assembly.wave_revealed": "a wave's seed was revealed and its invitees drawn from it",
    "assembly.invitation_answered": "an invited member accepted or declined a seat",
    "assembly.invitations_expired": "a wave's unanswered invitations ran out of time",
    "assembly.seat_designated": "an organizer entered a seat designated by a body",
    "assembly.milestone_added": "a milestone was added to the assembly's calendar",
    "assembly.calendar_launched": "the assembly's calendar was made public",
    # the live day
    "live.item_started": "the console put a programme item on stage (its actual start)",
    "live.item_ended": "an item on stage ended (actual and planned lengths)",
    "live.item_reopened": "the console went back to the previous item (the later start forgotten)",
    "live.console_released": "nobody drives the console any more: the screens follow the clock",
    "live.speaker_called": "a testimony's speaker (or video) was called to the stage",
    "live.speaker_timer_started": "the speaking timer of the speaker on stage was started",
    "live.speaker_timer_stopped": "the speaking timer was stopped (the seconds it ran)",
    "live.speaker_finished": "a testimony was marked done (the seconds spoken)",
    "live.speaker_skipped": "a testimony was skipped (absent speaker, no time left)",
    "live.queue_reordered": "the queue of a testimony slot was put in a new order",
    "live.video_played": "a testimony's video was played on the hall screen",
    "live.video_stopped": "the video on the hall screen was stopped",
    "live.message_displayed": "a short message was shown on the hall screen or the stage timer",
    "live.message_cleared": "the message on the screens was cleared",
    "live.blackout_started": "the hall screen showed the logo slide only",
    "live.blackout_ended": "the hall screen came back from the logo slide",
    "live.programme_displayed": "the hall screen went back to the programme",
    "live.vote_opened": "an in-hall vote was opened from the console",
    "live.vote_displayed": "an open vote was shown on the screens from the console",
    "live.vote_closed": "the vote on stage was closed from the console",
    "live.announcement_started": "the console started announcing a vote's results",
    "live.place_revealed": "the console revealed one more place of a vote's results",
    "live.announcement_ended": "the announcement of a vote's results ended",
}

_NAME = re.compile(r"^[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*$")


class UnknownEvent(ValueError):
    """A journal event name that the registry does not hold."""


def check(name: str) -> str:
    if name not in EVENTS:
        raise UnknownEvent(
            f"journal event {name!r} is not in the registry (pnyx.journal.events.EVENTS)"
        )
    return name


def is_past_tense(name: str) -> bool:
    """`<domain>.<words>`: lower-case words, and one of them a past participle ("-ed" or an
    irregular one), so that every name says what happened."""
    if not _NAME.match(name):
        return False
    words = name.split(".", 1)[1].split("_")
    return any(w.endswith("ed") or w in IRREGULAR_PARTICIPLES for w in words)

"""Pages of votes. Views parse the request, call `actions`, render.

Ballots travel only in POST bodies (never in a URL, never in the session); the receipt is
shown once, in the response to the cast, and stored nowhere near the member.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pnyx.core.cache import TTLCache
from pnyx.core.ratelimit import by_address_and_user, rate_limited
from pnyx.programme.models import current_convention_or_404
from pnyx.programme.permissions import member_required, organizer_required

from . import actions
from .actions import VoteClosed, VoteError
from .charts import results_context
from .forms import OptionForm, ProposalForm, ReceiptForm, VoteForm
from .models import Method, Option, Proposal, Status, Vote


def _vote(pk: int) -> Vote:
    return get_object_or_404(Vote.objects.select_related("convention"), pk=pk)


def _is_organizer(user) -> bool:
    """The test of `organizer_required`."""
    return bool(
        user.is_authenticated and user.is_staff and user.has_perm("programme.moderate_intervention")
    )


def _visible(request, vote: Vote) -> Vote:
    """A draft vote exists only for organizers: anyone else gets the 404 of a missing vote."""
    if vote.status == Status.DRAFT and not _is_organizer(request.user):
        raise Http404
    return vote


def _public_vote(request, pk: int) -> Vote:
    return _visible(request, _vote(pk))


# The busiest request of all, casting, reads its open vote and option codes from a cache kept two
# seconds per process. Safe: options are fixed once a vote is open, and `actions.cast` re-reads
# the vote's status inside its transaction, under the vote's lock, so a vote closed meanwhile
# refuses the ballot (VoteClosed) and writes nothing.
_open_votes = TTLCache(seconds=2.0, max_entries=1_000)


def _open_vote_and_codes(pk: int) -> tuple[Vote, list[str]]:
    def load():
        vote = _vote(pk)
        return vote, list(vote.options.values_list("code", flat=True))

    vote, codes = _open_votes.get(pk, load)
    if vote.status != Status.OPEN:
        _open_votes.forget(pk)
    return vote, codes


def _actor(request) -> str:
    return f"user:{request.user.get_username()}"


def parse_ballot(vote: Vote, codes: list[str], data) -> Any:
    """The raw ballot of a form post (`codes`: the vote's option codes), for `actions.normalize`
    to validate."""
    if vote.method == Method.APPROVAL:
        return data.getlist("choice")
    prefix = "grade" if vote.method == Method.MJ else "rank"
    return {c: data.get(f"{prefix}-{c}") for c in codes if data.get(f"{prefix}-{c}")}


def _ballot_rows(vote: Vote, options: list[Option], content: Any) -> list[tuple[Option, str]]:
    """(option, what the ballot says of it) for the review page."""
    by_code = {o.code: o for o in options}
    if vote.method == Method.APPROVAL:
        return [(by_code[c], "✓") for c in content]
    if vote.method == Method.MJ:
        return [(o, content[o.code]) for o in options]
    rows = []
    for rank, group in enumerate(content, start=1):
        rows.extend((by_code[c], str(rank)) for c in group)
    return rows


def _hidden_fields(vote: Vote, content: Any) -> list[tuple[str, str]]:
    if vote.method == Method.APPROVAL:
        return [("choice", c) for c in content]
    if vote.method == Method.MJ:
        return [(f"grade-{c}", g) for c, g in content.items()]
    return [(f"rank-{c}", str(r)) for r, group in enumerate(content, start=1) for c in group]


# --- members ---------------------------------------------------------------------------------


@require_GET
def index(request):
    convention = current_convention_or_404(request)
    votes = list(convention.votes.exclude(status=Status.DRAFT).order_by("-opens_at", "-pk"))
    voted: set[int] = set()
    member = getattr(request.user, "member", None) if request.user.is_authenticated else None
    if member is not None:
        voted = set(member.vote_participations.values_list("vote_id", flat=True))
    return render(
        request,
        "votes/index.html",
        {"convention": convention, "votes": votes, "voted": voted, "now": timezone.now()},
    )


def _ballot_page(request, vote: Vote, *, error: str = "", status: int = 200, prefill=None):
    member = request.member
    options = list(vote.options.all())
    state = "open"
    now = timezone.now()
    if not vote.accepts_ballots(now):
        ended = vote.status == Status.OPEN and vote.closes_at and now >= vote.closes_at
        state = "closed" if vote.status == Status.CLOSED or ended else "not_open"
    elif actions.has_voted(vote, member):
        state = "voted"
    elif not actions.is_eligible(vote, member):
        state = "not_eligible"
    prefill = prefill or {}
    rows = []
    for o in options:
        rows.append(
            {
                "option": o,
                "checked": o.code in prefill.get("choice", []),
                "grade": prefill.get(f"grade-{o.code}", ""),
                "rank": prefill.get(f"rank-{o.code}", ""),
            }
        )
    return render(
        request,
        "votes/ballot.html",
        {
            "vote": vote,
            "rows": rows,
            "state": state,
            "error": error,
            "ranks": range(1, len(options) + 1),
        },
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def detail(request, pk):
    """The ballot. A POST here only pre-fills the form (the 'change' button of the review)."""
    vote = _public_vote(request, pk)
    if vote.status == Status.PROPOSALS:
        return redirect("votes:propose", pk=vote.pk)
    if vote.is_verifiable:
        if request.method == "POST":
            raise Http404
        return _verifiable_ballot_page(request, vote)
    prefill = None
    if request.method == "POST":
        prefill = {
            k: request.POST.getlist(k) if k == "choice" else request.POST.get(k)
            for k in request.POST
        }
    return _ballot_page(request, vote, prefill=prefill)


@member_required
@require_POST
def review(request, pk):
    vote = _public_vote(request, pk)
    if vote.is_verifiable:
        raise Http404
    options = list(vote.options.all())
    codes = [o.code for o in options]
    try:
        content = actions.normalize(vote, codes, parse_ballot(vote, codes, request.POST))
    except VoteError as exc:
        prefill = {
            k: request.POST.getlist(k) if k == "choice" else request.POST.get(k)
            for k in request.POST
        }
        return _ballot_page(request, vote, error=str(exc), status=400, prefill=prefill)
    return render(
        request,
        "votes/review.html",
        {
            "vote": vote,
            "rows": _ballot_rows(vote, options, content),
            "hidden": _hidden_fields(vote, content),
        },
    )


@member_required
@require_POST
@rate_limited("cast", key=by_address_and_user)
def cast(request, pk):
    vote, codes = _open_vote_and_codes(pk)
    _visible(request, vote)
    try:
        receipt = actions.cast(
            vote, request.member, parse_ballot(vote, codes, request.POST), options=codes
        )
    except VoteClosed:
        # Lost the race with the close (or the cached copy was stale): nothing was written; the
        # page says the vote is closed.
        _open_votes.forget(pk)
        return _ballot_page(request, _public_vote(request, pk), status=400)
    except VoteError as exc:
        return _ballot_page(request, vote, error=str(exc), status=400)
    response = render(request, "votes/receipt.html", {"vote": vote, "receipt": receipt})
    response["Cache-Control"] = "no-store"
    return response


@member_required
@require_http_methods(["GET", "POST"])
def propose(request, pk):
    vote = _public_vote(request, pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_proposal(vote, request.member, **form.cleaned_data)
        except VoteError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you: your proposal was sent to the organizers."))
            return redirect("votes:propose", pk=vote.pk)
    mine = vote.proposals.filter(member=request.member)
    return render(request, "votes/propose.html", {"vote": vote, "form": form, "mine": mine})


@require_GET
def results(request, pk):
    vote = _public_vote(request, pk)
    if vote.status != Status.CLOSED:
        return render(request, "votes/not_closed.html", {"vote": vote}, status=404)
    extra: dict[str, Any] = {}
    if vote.is_verifiable:
        election = getattr(vote, "election", None)
        extra = {"election": election, "trustees": _trustee_rows(vote)}
        if not vote.result:
            # Closed, the trustees still decrypting: say so, with the board.
            return render(
                request,
                "votes/not_closed.html",
                {"vote": vote, "decrypting": True, **extra},
                status=404,
            )
    # Announcement mode: the page shows what the projector shows, place by place.
    context = results_context(vote, revealed=actions.revealed(vote))
    context["hidden"] = actions.results_hidden(vote)
    context |= extra
    return render(request, "votes/results.html", {"vote": vote, **context})


@require_GET
def ballots_file(request, pk):
    vote = _public_vote(request, pk)
    pub = getattr(vote, "publication", None)
    if pub is None:
        raise Http404(_("The ballots are published when the vote closes."))
    if actions.results_hidden(vote):
        # The file gives the result away: it waits for the end of the announcement.
        raise Http404(_("The ballots are published when the announcement ends."))
    response = HttpResponse(pub.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="vote-{vote.pk}-ballots.csv"'
    return response


@require_http_methods(["GET", "POST"])
def receipt_check(request, pk):
    """Receipts travel in a POST body: they stay out of access logs."""
    vote = _public_vote(request, pk)
    form = ReceiptForm(request.POST or None)
    found = None
    if vote.is_verifiable:
        if request.method == "POST" and form.is_valid():
            found = actions.find_ballot(vote, form.cleaned_data["receipt"])
        return render(
            request,
            "votes/verifiable_receipt_check.html",
            {"vote": vote, "form": form, "found": found},
        )
    if request.method == "POST" and form.is_valid():
        found = actions.find_receipt(vote, form.cleaned_data["receipt"])
    return render(
        request,
        "votes/receipt_check.html",
        {
            "vote": vote,
            "form": form,
            "found": found,
            "published": vote.status == Status.CLOSED,
            "hidden": vote.status == Status.CLOSED and actions.results_hidden(vote),
        },
    )


@require_GET
def screen(request, pk):
    """The projector: participation while open, results (or the announcement) once closed."""
    vote = _public_vote(request, pk)
    context: dict[str, Any] = {"vote": vote, "now": timezone.now()}
    if vote.status == Status.CLOSED:
        context |= results_context(vote, revealed=actions.revealed(vote))
    else:
        context["participations"] = vote.participations.count()
        context["electorate_size"] = actions.electorate(vote).count()
        if vote.closes_at and vote.accepts_ballots():
            context["seconds_left"] = int((vote.closes_at - timezone.now()).total_seconds())
    template = "votes/_screen.html" if request.GET.get("fragment") else "votes/screen.html"
    return render(request, template, context)


# --- organizers ------------------------------------------------------------------------------


@organizer_required
@require_http_methods(["GET", "POST"])
def manage_list(request):
    convention = current_convention_or_404(request)
    form = VoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "grades_text"}
        try:
            vote = actions.create_vote(convention, request.user, **data)
        except VoteError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Vote created. Add its options."))
            return redirect("votes:manage", pk=vote.pk)
    votes = convention.votes.all()
    return render(request, "votes/manage_list.html", {"form": form, "votes": votes})


@organizer_required
@require_GET
def manage(request, pk):
    vote = _vote(pk)
    return render(
        request,
        "votes/manage.html",
        {
            "vote": vote,
            "options": vote.options.select_related("author"),
            "proposals": vote.proposals.select_related("member", "option"),
            "option_form": OptionForm(),
            "participations": vote.participations.count(),
            "ballots": vote.ballots.count(),
            "electorate_size": actions.electorate(vote).count(),
            "editable": vote.status in (Status.DRAFT, Status.PROPOSALS),
            "election": getattr(vote, "election", None),
            "trustees": _trustee_rows(vote),
            "encrypted_ballots": vote.encrypted_ballots.count(),
        },
    )


VERBS = {
    "open-proposals": (actions.open_proposals, gettext_lazy("The proposal phase is open.")),
    "announce-start": (
        actions.announce_start,
        gettext_lazy("Announcement mode: reveal places one by one."),
    ),
    "announce-next": (actions.announce_next, gettext_lazy("One more place revealed.")),
    "announce-all": (actions.announce_all, gettext_lazy("All results shown.")),
}


@organizer_required
@require_POST
def manage_action(request, pk, verb):
    vote = _vote(pk)
    actor = request.user
    try:
        if verb == "open":
            actions.open_vote(vote, actor, minutes=request.POST.get("minutes"))
            messages.success(request, _("The vote is open."))
        elif verb == "close":
            # A server-side confirmation step: a POST without confirm=yes only asks.
            if request.POST.get("confirm") != "yes":
                return render(
                    request,
                    "votes/close_confirm.html",
                    {
                        "vote": vote,
                        "participations": vote.participations.count(),
                        "electorate_size": actions.electorate(vote).count(),
                        "back": request.POST.get("back", ""),
                    },
                )
            announce = request.POST.get("announce") == "yes"
            actions.close_vote(vote, actor, announce=announce)
            if announce:
                messages.success(
                    request, _("The vote is closed; its results stay hidden until revealed.")
                )
            else:
                messages.success(request, _("The vote is closed and its ballots published."))
        elif verb == "add-option":
            form = OptionForm(request.POST)
            if not form.is_valid():
                raise VoteError(_("Give the option a title."))
            actions.add_option(vote, actor, **form.cleaned_data)
            messages.success(request, _("Option added."))
        elif verb in ("accept", "reject"):
            proposal = get_object_or_404(Proposal, pk=request.POST.get("proposal"), vote=vote)
            if verb == "accept":
                actions.accept_proposal(proposal, actor, title=request.POST.get("title", ""))
            else:
                actions.reject_proposal(proposal, actor)
            messages.success(request, _("Proposal decided."))
        elif verb == "remove-option":
            option = get_object_or_404(Option, pk=request.POST.get("option"), vote=vote)
            actions.remove_option(option, actor)
            messages.success(request, _("Option removed."))
        elif verb == "add-trustee":
            actions.add_trustee(
                vote, actor, name=request.POST.get("name", ""), email=request.POST.get("email", "")
            )
            messages.success(request, _("Trustee added: send them their link."))
        elif verb == "remove-trustee":
            t = get_object_or_404(vote.trustees, pk=request.POST.get("trustee"))
            actions.remove_trustee(t, actor)
            messages.success(request, _("Trustee removed."))
        elif verb == "freeze":
            actions.freeze_election(vote, actor)
            messages.success(request, _("The election is made: its key and questions are fixed."))
        elif verb == "credentials-upload":
            upload = request.FILES.get("file")
            if upload is None or upload.size > actions.MAX_UPLOAD_BYTES:
                raise VoteError(_("Choose the public credentials file."))
            n = actions.upload_public_credentials(vote, actor, upload.read())
            messages.success(request, _("%(n)d public credentials stored.") % {"n": n})
        elif verb == "credentials-generate":
            n = actions.generate_server_credentials(vote, actor)
            messages.success(request, _("%(n)d credentials generated and sent.") % {"n": n})
        elif verb in VERBS:
            fn, message = VERBS[verb]
            fn(vote, actor)
            messages.success(request, message)
        else:
            raise Http404
    except (VoteError, ValueError) as exc:
        messages.error(request, str(exc))
    back = request.POST.get("back")
    if back == "screen":
        return redirect("votes:screen", pk=vote.pk)
    return redirect("votes:manage", pk=vote.pk)


# --- verifiable mode -------------------------------------------------------------------------
#
# The ballot page loads the election's exact text and the booth (static ES modules); the
# voter's browser encrypts, signs and POSTs the ballot's JSON text (fetch, CSRF header). The
# server never sees a choice. The bulletin board, the election, the record and the trustees'
# states are public; each trustee's page is reached by a secret link.


def _verifiable_ballot_page(request, vote: Vote, *, status: int = 200):
    member = request.member
    now = timezone.now()
    state = "open"
    election = getattr(vote, "election", None)
    if not vote.accepts_ballots(now):
        ended = vote.status == Status.OPEN and vote.closes_at and now >= vote.closes_at
        state = "closed" if vote.status == Status.CLOSED or ended else "not_open"
    elif not actions.is_eligible(vote, member):
        state = "not_eligible"
    elif actions.has_voted(vote, member) and not vote.revote:
        state = "voted"
    options = list(vote.options.all())
    return render(
        request,
        "votes/verifiable_ballot.html",
        {
            "vote": vote,
            "options": options,
            "state": state,
            "election": election,
            "revoting": vote.revote and actions.has_voted(vote, member),
            "booth_messages": {
                "credential": _("This credential is mistyped: check it, character by character."),
                "count": _("Check the number of options you chose."),
                "grades": _("Give a grade to every option."),
                "encrypting": _("Encrypting…"),
                "failed": _("The ballot could not be sent. Please try again."),
                "election": _("The election could not be loaded. Please reload the page."),
            },
        },
        status=status,
    )


@require_GET
def election_json(request, pk):
    """The election's exact text (its SHA-256, base64, is the election hash)."""
    vote = _public_vote(request, pk)
    election = getattr(vote, "election", None)
    if not vote.is_verifiable or election is None or not election.frozen_at:
        raise Http404
    response = HttpResponse(election.text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="vote-{vote.pk}-election.json"'
    return response


@member_required
@require_POST
@rate_limited("cast", key=by_address_and_user)
def cast_encrypted(request, pk):
    """The booth's POST: the ballot's JSON text as the body. Answers JSON {hash} or {error}."""
    from django.http import JsonResponse

    vote, _codes = _open_vote_and_codes(pk)
    _visible(request, vote)
    if int(request.headers.get("Content-Length") or 0) > actions.MAX_BALLOT_BYTES:
        return JsonResponse({"error": _("This ballot is too large.")}, status=413)
    try:
        receipt = actions.cast_encrypted(vote, request.member, request.body)
    except VoteClosed as exc:
        _open_votes.forget(pk)
        return JsonResponse({"error": str(exc)}, status=409)
    except VoteError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    response = JsonResponse({"hash": receipt})
    response["Cache-Control"] = "no-store"
    return response


def _trustee_rows(vote: Vote) -> list:
    return list(vote.trustees.order_by("position"))


BOARD_PAGE = 500


@require_GET
def board(request, pk):
    """The public bulletin board: the ballots' hashes, in board order, no member identity."""
    vote = _public_vote(request, pk)
    if not vote.is_verifiable:
        raise Http404
    election = getattr(vote, "election", None)
    rows = vote.encrypted_ballots.order_by("seq")
    total = rows.count()
    try:
        page = max(0, int(request.GET.get("page", "0")))
    except ValueError:
        page = 0
    shown = list(rows.values("seq", "hash", "counted")[page * BOARD_PAGE : (page + 1) * BOARD_PAGE])
    return render(
        request,
        "votes/board.html",
        {
            "vote": vote,
            "election": election,
            "ballots": shown,
            "total": total,
            "page": page,
            "next_page": page + 1 if (page + 1) * BOARD_PAGE < total else None,
            "first_number": page * BOARD_PAGE + 1,
            "trustees": _trustee_rows(vote),
            "participations": vote.participations.count(),
            "needed": actions.decryptions_needed(vote),
        },
    )


@require_GET
def board_ballot(request, pk, seq):
    vote = _public_vote(request, pk)
    row = get_object_or_404(vote.encrypted_ballots, seq=seq)
    response = HttpResponse(row.text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="vote-{vote.pk}-ballot-{seq}.json"'
    return response


@require_GET
def record_file(request, pk):
    """The election record (`.bel`): stored once the result is published; before, built from
    the board as it is now."""
    vote = _public_vote(request, pk)
    election = getattr(vote, "election", None)
    if not vote.is_verifiable or election is None or not election.frozen_at:
        raise Http404
    if actions.results_hidden(vote):
        raise Http404(_("The record is published when the announcement ends."))
    data = bytes(election.record) if election.tally_state == "done" and election.record else None
    if data is None:
        data = actions.build_record(vote, election)
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}.bel"'
    return response


def _trustee(pk: int, token: str):
    from .models import Trustee

    trustee = Trustee.objects.select_related("vote", "vote__election").filter(pk=pk).first()
    if trustee is None or not trustee.token_matches(token):
        raise Http404
    return trustee


TRUSTEE_VERBS = {
    "key": actions.trustee_upload_key,
    "polynomial": actions.trustee_upload_polynomial,
    "voutput": actions.trustee_upload_voutput,
    "decryption": actions.upload_decryption,
}


@require_http_methods(["GET", "POST"])
def trustee(request, pk, token):
    """A trustee's private page (secret link): the key ceremony's steps, then the decryption.
    Their share stays on their machine: they upload only public outputs."""
    t = _trustee(pk, token)
    vote = t.vote
    if request.method == "POST":
        verb = request.POST.get("step", "")
        fn = TRUSTEE_VERBS.get(verb)
        if fn is None:
            raise Http404
        upload = request.FILES.get("file")
        if upload is not None and upload.size > actions.MAX_UPLOAD_BYTES:
            messages.error(request, _("This file is too large."))
            return redirect(t.path())
        data = upload.read() if upload is not None else request.POST.get("text", "")
        try:
            fn(t, data)
        except VoteError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Received and checked. Thank you."))
        return redirect(t.path())
    election = getattr(vote, "election", None)
    response = render(
        request,
        "votes/trustee.html",
        {
            "vote": vote,
            "trustee": t,
            "election": election,
            "trustees": _trustee_rows(vote),
            "vinput": actions.trustee_vinput(t) is not None,
            "dkey": actions.trustee_dkey(t) is not None,
            "threshold": vote.threshold,
            "n": vote.trustees.count(),
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def trustee_file(request, pk, token, name):
    """What a trustee downloads for their offline step: the certificates, their vinput, their
    .dkey (threshold ceremony), the election and the encrypted tally (decryption)."""
    t = _trustee(pk, token)
    vote = t.vote
    election = getattr(vote, "election", None)
    text = None
    if name == "certs.jsons":
        text = actions.ceremony_certs(vote) if vote.threshold else None
    elif name == "vinput.json":
        text = actions.trustee_vinput(t)
    elif name == "dkey.json":
        text = actions.trustee_dkey(t)
    elif name == "election.json" and election is not None and election.frozen_at:
        text = election.text
    elif name == "encrypted_tally.json" and election is not None:
        text = election.encrypted_tally or None
    if text is None:
        raise Http404
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@organizer_required
@require_GET
def electorate_file(request, pk):
    """For the credential authority: the eligible members' ids, one a line."""
    vote = _vote(pk)
    response = HttpResponse(actions.electorate_file(vote), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vote-{vote.pk}-electorate.txt"'
    return response

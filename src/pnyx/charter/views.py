"""Pages of a charter. Views parse the request, call `actions`, render."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pnyx.amending.markdown import MarkdownError
from pnyx.core.ratelimit import by_address_and_user, client_address, rate_limited
from pnyx.programme.models import current_convention_or_404
from pnyx.programme.permissions import member_required, organizer_required
from pnyx.votes.actions import VoteError
from pnyx.votes.models import Status as VoteStatus

from . import actions
from .actions import CharterError
from .forms import (
    AmendmentForm,
    ImportForm,
    OpenForm,
    RejectForm,
    TableAmendmentForm,
    WindowForm,
)
from .models import Amendment, Charter

PUBLIC_STATES = [s for s in Amendment.State.values if s != Amendment.State.SUBMITTED]


def _charter(request, pk: int) -> Charter:
    return get_object_or_404(
        Charter.objects.select_related("convention", "final_vote"),
        pk=pk,
        convention=current_convention_or_404(request),
    )


def published_context(charter: Charter) -> dict:
    """What the public page and the PDF show: the decided text with its history, or the text
    under amendment; each article's amendments (moderated ones) with their counts."""
    amendments = list(
        charter.amendments.filter(state__in=PUBLIC_STATES)
        .select_related("article", "member", "vote")
        .prefetch_related("merged__member")
    )
    by_pk = {a.pk: a for a in amendments}
    by_article = defaultdict(list)
    for a in amendments:
        by_article[a.article_id].append(a)
    articles = list(charter.articles.all())
    originals = [{"article": a, "amendments": by_article.get(a.pk, [])} for a in articles]
    result = charter.result
    text, history = None, []
    if result:
        text = [
            {
                **row,
                "amended_by": [by_pk.get(pk) for pk in row["amended_by"]],
                "added_by": by_pk.get(row["added_by"]),
            }
            for row in result["articles"]
        ]
        history = [
            {**h, "amendment": by_pk.get(h["amendment"]), "deleted_by": by_pk.get(h["deleted_by"])}
            for h in result["history"]
        ]
    return {
        "charter": charter,
        "originals": originals,
        "text": text,
        "sections": _sections(text)
        if text
        else _sections(
            [
                {"section": a.section, "number": a.number, "text": a.text, "key": a.key}
                for a in articles
            ]
        ),
        "history": history,
        "final_counts": result["counts"] if result else None,
        "voting": actions.voting_order(charter)
        if charter.status != Charter.Status.AMENDING
        else [],
    }


def _sections(rows: list[dict]) -> list[dict]:
    out: list[dict] = []
    for row in rows:
        if not out or out[-1]["name"] != row["section"]:
            out.append({"name": row["section"], "articles": []})
        out[-1]["articles"].append(row)
    return out


# --- public pages ----------------------------------------------------------------------------


@require_GET
def index(request):
    convention = current_convention_or_404(request)
    charters = list(convention.charters.all())
    if len(charters) == 1:
        return redirect("charter:detail", charters[0].pk)
    return render(request, "charter/index.html", {"charters": charters})


@require_GET
def detail(request, pk: int):
    charter = _charter(request, pk)
    context = published_context(charter)
    context["window_open"] = charter.window_open(timezone.now())
    return render(request, "charter/detail.html", context)


@require_GET
def pdf(request, pk: int):
    charter = _charter(request, pk)
    if charter.pdf_status != "done" or not charter.pdf_file:
        raise Http404(_("The printable charter is not ready yet."))
    try:
        handle = charter.pdf_file.open("rb")
    except FileNotFoundError as e:
        raise Http404 from e
    response = FileResponse(handle, content_type="application/pdf", filename=charter.pdf_name())
    response["Content-Disposition"] = f'inline; filename="{charter.pdf_name()}"'
    return response


@member_required
@rate_limited("amend", key=by_address_and_user)
@require_http_methods(["GET", "POST"])
def amend(request, pk: int):
    charter = _charter(request, pk)
    articles = list(charter.articles.all())
    initial = {}
    if request.GET.get("article", "").isdigit():
        initial["article"] = int(request.GET["article"])
    form = AmendmentForm(
        request.POST if request.method == "POST" else None, articles=articles, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_amendment(
                charter,
                form.cleaned_data["article"],
                actor=request.member,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                justification=form.cleaned_data["justification"],
            )
        except CharterError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Your amendment is received; the organizers will read it."))
            return redirect("charter:amend", charter.pk)
    mine = charter.amendments.filter(member=request.member).select_related("article")
    return render(
        request,
        "charter/amend.html",
        {
            "charter": charter,
            "form": form,
            "mine": mine,
            "window_open": charter.window_open(timezone.now()),
        },
    )


def _by_address_and_path(request) -> str:
    """A table's phone: its address and its table's page (a hall's tables share one NAT)."""
    return f"{client_address(request)}|{request.path}"


@rate_limited("amend", key=_by_address_and_path)
@require_http_methods(["GET", "POST"])
def table_amend(request, pk: int, number: int, token: str):
    """A table's facilitator enters the table's amendments, by the table's QR code link
    (the same secret as its outputs' page); until the votes start."""
    from pnyx.workshops.models import Table

    charter = _charter(request, pk)
    table = Table.objects.filter(hall__convention=charter.convention, number=number).first()
    if table is None or not table.token_matches(token):
        return render(request, "workshops/table_invalid.html", status=404)
    form = AmendmentForm(
        request.POST if request.method == "POST" else None, articles=list(charter.articles.all())
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.submit_table_amendment(
                charter,
                d["article"],
                actor=f"table:{number}",
                table_number=number,
                kind=d["kind"],
                text=d["text"],
                justification=d["justification"],
            )
        except CharterError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The table's amendment is entered."))
            return redirect(request.path)
    return render(
        request,
        "charter/table_amend.html",
        {
            "charter": charter,
            "form": form,
            "number": number,
            "open": charter.status == Charter.Status.AMENDING,
            "mine": charter.amendments.filter(table_number=number).select_related("article"),
        },
    )


# --- organizers ------------------------------------------------------------------------------


def _markdown_messages() -> dict:
    return {
        "nul": _("the file contains a NUL character; is it a text file?"),
        "empty_heading": _("an empty heading"),
        "empty_section": _("the section “%(section)s” has no article (a paragraph)"),
        "before_section": _(
            "an article before the first section heading (start a section with ## …)"
        ),
        "too_long": _("an article of %(length)d characters; at most %(max)d"),
        "too_many": _("more than %(max)d articles"),
        "block": _("%(block)s is not allowed here: each article is a paragraph"),
        "no_article": _("no article: write sections (## …) and paragraphs"),
    }


def _block_names() -> dict:
    return {
        "bullet_list_open": _("a list"),
        "ordered_list_open": _("a numbered list"),
        "blockquote_open": _("a quotation"),
        "fence": _("a code block"),
        "code_block": _("a code block"),
        "table_open": _("a table"),
        "html_block": _("HTML"),
        "hr": _("a horizontal rule"),
    }


def markdown_error(e: MarkdownError, filename: str = "") -> str:
    """The importer's error in the reader's language, naming the file and the line."""
    params = dict(e.params)
    if "block" in params:
        params["block"] = _block_names().get(params["block"], params["block"])
    message = _markdown_messages()[e.code] % params
    name = filename or _("the text")
    if e.line:
        return _("%(file)s, line %(line)d: %(message)s") % {
            "file": name,
            "line": e.line,
            "message": message,
        }
    return f"{name}: {message}"


@organizer_required
@require_http_methods(["GET", "POST"])
def manage_list(request):
    convention = current_convention_or_404(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            charter = actions.import_markdown(
                convention,
                form.cleaned_data["source"],
                actor=request.user,
                title=form.cleaned_data["title"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
            )
        except MarkdownError as e:
            form.add_error(
                None, markdown_error(e, getattr(form.cleaned_data.get("file"), "name", ""))
            )
        except CharterError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The charter is imported."))
            return redirect("charter:manage", charter.pk)
    return render(
        request,
        "charter/manage_list.html",
        {"charters": convention.charters.all(), "form": form},
    )


def _manage_context(charter: Charter, **forms) -> dict:
    articles = list(charter.articles.all())
    amendments = list(
        charter.amendments.select_related("article", "member", "merged_into").order_by(
            "article__number", "created_at", "pk"
        )
    )
    by_article = defaultdict(list)
    for a in amendments:
        by_article[a.article_id].append(a)
    rows = []
    for art in articles:
        items = by_article.get(art.pk, [])
        open_ = [
            a for a in items if a.state in (Amendment.State.SUBMITTED, Amendment.State.ACCEPTED)
        ]
        rows.append(
            {
                "article": art,
                "amendments": [
                    {"a": a, "others": [o for o in open_ if o.pk != a.pk]} for a in items
                ],
            }
        )
    order = actions.voting_order(charter)
    running = [a.vote for a in order if a.vote and a.vote.status == VoteStatus.OPEN]
    if charter.final_vote and charter.final_vote.status == VoteStatus.OPEN:
        running.append(charter.final_vote)
    unread = any(
        a.state == Amendment.State.ACCEPTED and a.vote and a.vote.status == VoteStatus.CLOSED
        for a in order
    ) or (
        charter.final_vote
        and charter.final_vote.status == VoteStatus.CLOSED
        and charter.result is None
    )
    return {
        "charter": charter,
        "rows": rows,
        "pending": sum(1 for a in amendments if a.state == Amendment.State.SUBMITTED),
        "order": order,
        "running": running,
        "unread": unread,
        "next_item": actions.next_item(charter) if not running else None,
        "window_form": forms.get("window_form")
        or WindowForm(
            initial={
                "opens_at": charter.amendments_open_at
                and timezone.localtime(charter.amendments_open_at),
                "closes_at": charter.amendments_close_at
                and timezone.localtime(charter.amendments_close_at),
            }
        ),
        "table_form": forms.get("table_form") or TableAmendmentForm(articles=articles),
        "open_form": OpenForm(),
        "tables": _table_links(charter),
        "reject_form": RejectForm(),
    }


def _table_links(charter: Charter) -> list[tuple[int, str]]:
    """Each table's page for its amendments (the same secret as its QR code)."""
    from pnyx.workshops.models import Table

    if charter.status != Charter.Status.AMENDING:
        return []
    return [
        (t.number, reverse("charter:table_amend", args=[charter.pk, t.number, t.token()]))
        for t in Table.objects.filter(hall__convention=charter.convention).order_by("number")
    ]


@organizer_required
@require_http_methods(["GET", "POST"])
def manage(request, pk: int):
    charter = _charter(request, pk)
    return render(request, "charter/manage.html", _manage_context(charter))


def _done(request, charter: Charter, call, success: str, anchor: str = ""):
    try:
        call()
    except CharterError as e:
        messages.error(request, str(e))
    except VoteError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, success)
    return redirect(reverse("charter:manage", args=[charter.pk]) + anchor)


@organizer_required
@require_POST
def window(request, pk: int):
    charter = _charter(request, pk)
    form = WindowForm(request.POST)
    if not form.is_valid():
        return render(
            request, "charter/manage.html", _manage_context(charter, window_form=form), status=400
        )
    return _done(
        request,
        charter,
        lambda: actions.set_window(
            charter,
            actor=request.user,
            opens_at=form.cleaned_data["opens_at"],
            closes_at=form.cleaned_data["closes_at"],
        ),
        _("The amendment window is saved."),
    )


@organizer_required
@require_POST
def table_amendment(request, pk: int):
    charter = _charter(request, pk)
    form = TableAmendmentForm(request.POST, articles=list(charter.articles.all()))
    if not form.is_valid():
        return render(
            request, "charter/manage.html", _manage_context(charter, table_form=form), status=400
        )
    d = form.cleaned_data
    return _done(
        request,
        charter,
        lambda: actions.submit_table_amendment(
            charter,
            d["article"],
            actor=request.user,
            table_number=d["table_number"],
            kind=d["kind"],
            text=d["text"],
            justification=d["justification"],
        ),
        _("The table's amendment is entered."),
        "#tables",
    )


@organizer_required
@require_POST
def moderate(request, pk: int, amendment: int):
    charter = _charter(request, pk)
    a = get_object_or_404(Amendment, charter=charter, pk=amendment)
    what = request.POST.get("action")
    anchor = f"#amendment-{a.pk}"
    if what == "accept":
        return _done(
            request,
            charter,
            lambda: actions.accept(a, actor=request.user),
            _("Amendment %(a)s is retained for the vote.") % {"a": a.label},
            anchor,
        )
    if what == "reject":
        form = RejectForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return _done(
            request,
            charter,
            lambda: actions.reject(a, actor=request.user, reason=reason),
            _("Amendment %(a)s is not retained.") % {"a": a.label},
            anchor,
        )
    if what == "merge":
        pks = [int(x) for x in request.POST.getlist("others") if x.isdigit()]
        others = list(Amendment.objects.filter(charter=charter, pk__in=pks))
        return _done(
            request,
            charter,
            lambda: actions.merge(a, others, actor=request.user),
            _("The amendments are merged into %(a)s.") % {"a": a.label},
            anchor,
        )
    messages.error(request, _("Unknown action."))
    return redirect("charter:manage", charter.pk)


@organizer_required
@require_POST
def vote_step(request, pk: int):
    charter = _charter(request, pk)
    what = request.POST.get("action")
    if what == "start":
        call, ok = (
            lambda: actions.start_votes(charter, actor=request.user),
            _("The votes can begin."),
        )
    elif what == "open":
        form = OpenForm(request.POST)
        minutes = form.cleaned_data["minutes"] if form.is_valid() else None
        if not form.is_valid():
            messages.error(request, _("The duration is a whole number of minutes (1 to 600)."))
            return redirect("charter:manage", charter.pk)
        call, ok = (
            lambda: actions.open_next_vote(charter, actor=request.user, minutes=minutes),
            _("The vote is open in the hall."),
        )
    elif what == "close":
        call, ok = (
            lambda: actions.close_current_vote(charter, actor=request.user),
            _("The vote is closed and counted."),
        )
    elif what == "settle":
        call, ok = lambda: actions.settle(charter, actor=request.user), _("The results are read.")
    else:
        messages.error(request, _("Unknown action."))
        return redirect("charter:manage", charter.pk)
    return _done(request, charter, call, ok, "#votes")

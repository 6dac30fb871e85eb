"""State changes of a charter: import, amendments (members, tables), moderation, the hall's
votes (one per retained amendment, then the whole text) and the adopted text.

Every function takes a keyword-only `actor`, checks its permission, runs in one transaction
that first locks the charter's row (so moderation, the start of the votes, the opening of a
vote and the reading of results never interleave), and writes a journal row. Members' posts
check the amendment window under the same lock: an amendment is either in before the votes
start or refused. The votes themselves are the votes app's (`pnyx.votes.actions`): in-hall,
approval of exactly one option among YES / NO / ABSTAIN; an amendment or the text is adopted
when it has more YES than NO (docs/charter.md, "Adoption").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pnyx import amending
from pnyx.amending import markdown
from pnyx.journal.actions import record
from pnyx.members.models import Member
from pnyx.programme.models import Convention
from pnyx.programme.permissions import is_organizer
from pnyx.votes import actions as votes
from pnyx.votes.models import Electorate, Method, Status, Vote

from .models import MAX_JUSTIFICATION, MAX_TEXT, Amendment, Article, Charter

YES, NO, ABSTAIN = "POUR", "CONTRE", "ABSTENTION"
#: Option codes and titles of every vote of a charter, in this order.
CHOICES = ((YES, "Pour"), (NO, "Contre"), (ABSTAIN, "Abstention"))


class CharterError(Exception):
    """A request that cannot be granted; the message is shown to the user."""


class NotAllowed(CharterError):
    """The actor lacks the permission this action needs."""


# --- who acts --------------------------------------------------------------------------------


def _require_organizer(actor) -> None:
    """A user must be an organizer; a string names a trusted caller (the demo, a command)."""
    if isinstance(actor, str):
        return
    if not is_organizer(actor):
        raise NotAllowed(_("Only organizers may do this."))


def _member_actor(member: Member) -> str:
    return f"member:{member.external_id}"


def _lock(charter: Charter) -> Charter:
    """In a transaction: the charter's row locked and read again (its state may have moved)."""
    return Charter.objects.select_for_update().get(pk=charter.pk)


def _amending(charter: Charter) -> None:
    if charter.status != Charter.Status.AMENDING:
        raise CharterError(_("The amendments of this charter are closed: the votes have begun."))


# --- the text --------------------------------------------------------------------------------


def import_markdown(
    convention: Convention,
    source: str,
    *,
    actor,
    title: str = "",
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
) -> Charter:
    """A new charter from Markdown (`pnyx.amending.markdown`); MarkdownError names the line."""
    _require_organizer(actor)
    text = markdown.parse(source)
    title = (title or text.title).strip()
    if not title:
        raise CharterError(_("Give the charter a title (or start the file with # Title)."))
    _check_window(opens_at, closes_at)
    sha = hashlib.sha256(source.encode()).hexdigest()
    with transaction.atomic():
        charter = Charter.objects.create(
            convention=convention,
            title=title[:300],
            amendments_open_at=opens_at,
            amendments_close_at=closes_at,
            source_sha256=sha,
        )
        Article.objects.bulk_create(
            Article(charter=charter, key=a.key, number=i, section=a.section[:300], text=a.text)
            for i, a in enumerate(text.articles, 1)
        )
        record(
            "charter.imported",
            actor=actor,
            obj=charter,
            payload={"title": charter.title, "articles": len(text.articles), "sha256": sha},
            inputs_digest=sha,
        )
    return charter


def _check_window(opens_at, closes_at) -> None:
    if (opens_at is None) != (closes_at is None):
        raise CharterError(_("Give both the opening and the closing time of the amendments."))
    if opens_at is not None and closes_at <= opens_at:
        raise CharterError(_("The amendments must close after they open."))


def set_window(charter: Charter, *, actor, opens_at, closes_at) -> Charter:
    _require_organizer(actor)
    _check_window(opens_at, closes_at)
    with transaction.atomic():
        charter = _lock(charter)
        _amending(charter)
        charter.amendments_open_at, charter.amendments_close_at = opens_at, closes_at
        charter.save(update_fields=["amendments_open_at", "amendments_close_at"])
        record(
            "charter.window_set",
            actor=actor,
            obj=charter,
            payload={"opens_at": opens_at, "closes_at": closes_at},
        )
    return charter


# --- amendments ------------------------------------------------------------------------------


def _clean(kind: str, text: str, justification: str) -> tuple[str, str]:
    if kind not in Amendment.Kind.values:
        raise CharterError(_("Unknown kind of amendment."))
    text = " ".join((text or "").split()) if kind != Amendment.Kind.DELETE else ""
    justification = (justification or "").strip()
    if kind != Amendment.Kind.DELETE and not text:
        raise CharterError(_("Write the new wording of the article."))
    if len(text) > MAX_TEXT:
        raise CharterError(
            _("The wording has %(n)d characters; at most %(max)d.")
            % {"n": len(text), "max": MAX_TEXT}
        )
    if not justification:
        raise CharterError(_("Say why: the justification is needed."))
    if len(justification) > MAX_JUSTIFICATION:
        raise CharterError(
            _("The justification has %(n)d characters; at most %(max)d.")
            % {"n": len(justification), "max": MAX_JUSTIFICATION}
        )
    return text, justification


def _article(charter: Charter, article: Article | int) -> Article:
    pk = article.pk if isinstance(article, Article) else article
    found = Article.objects.filter(charter=charter, pk=pk).first()
    if found is None:
        raise CharterError(_("This article is not in this charter."))
    return found


def submit_amendment(
    charter: Charter,
    article: Article | int,
    *,
    actor: Member,
    kind: str,
    text: str = "",
    justification: str,
) -> Amendment:
    """A member's amendment, during the window only (checked under the charter's lock)."""
    if not isinstance(actor, Member) or not actor.active:
        raise NotAllowed(_("Only active members may propose amendments."))
    text, justification = _clean(kind, text, justification)
    with transaction.atomic():
        charter = _lock(charter)
        if not charter.window_open(timezone.now()):
            raise CharterError(_("Amendments are not open now."))
        target = _article(charter, article)
        amendment = Amendment.objects.create(
            charter=charter,
            article=target,
            kind=kind,
            text=text,
            justification=justification,
            member=actor,
            entered_by=_member_actor(actor),
        )
        record(
            "charter.amendment_submitted",
            actor=_member_actor(actor),
            obj=amendment,
            payload={"charter": charter.pk, "article": target.key, "kind": kind},
            inputs_digest=hashlib.sha256(f"{kind}\n{text}\n{justification}".encode()).hexdigest(),
        )
    return amendment


def submit_table_amendment(
    charter: Charter,
    article: Article | int,
    *,
    actor,
    table_number: int,
    kind: str,
    text: str = "",
    justification: str,
) -> Amendment:
    """A table's amendment at the convention, entered by an organizer with the table's number
    (or by the table's facilitator: `actor` "table:N"). Not bound to the members' window:
    tables amend until the votes start."""
    if isinstance(actor, str) and actor.startswith("table:"):
        if actor != f"table:{table_number}":
            raise NotAllowed(_("A table enters its own amendments only."))
    else:
        _require_organizer(actor)
    if not isinstance(table_number, int) or table_number < 1:
        raise CharterError(_("A table number is a whole number from 1."))
    text, justification = _clean(kind, text, justification)
    with transaction.atomic():
        charter = _lock(charter)
        _amending(charter)
        target = _article(charter, article)
        amendment = Amendment.objects.create(
            charter=charter,
            article=target,
            kind=kind,
            text=text,
            justification=justification,
            table_number=table_number,
            entered_by=votes_actor_label(actor),
        )
        record(
            "charter.amendment_submitted",
            actor=actor,
            obj=amendment,
            payload={
                "charter": charter.pk,
                "article": target.key,
                "kind": kind,
                "table": table_number,
            },
        )
    return amendment


def votes_actor_label(actor) -> str:
    if isinstance(actor, str):
        return actor
    return f"user:{actor.get_username()}"


# --- moderation ------------------------------------------------------------------------------


def _moderable(charter: Charter, pks: list[int]) -> list[Amendment]:
    """The amendments, locked with their charter, each still open to moderation."""
    found = {
        a.pk: a for a in Amendment.objects.select_for_update().filter(charter=charter, pk__in=pks)
    }
    out = []
    for pk in pks:
        a = found.get(pk)
        if a is None:
            raise CharterError(_("This amendment is not in this charter."))
        if a.state == Amendment.State.MERGED:
            raise CharterError(
                _("Amendment %(a)s is already merged into %(b)s.")
                % {"a": a.label, "b": f"A{a.merged_into_id}"}
            )
        if a.state not in (Amendment.State.SUBMITTED, Amendment.State.ACCEPTED):
            raise CharterError(_("Amendment %(a)s has already been decided.") % {"a": a.label})
        out.append(a)
    return out


def accept(amendment: Amendment, *, actor) -> Amendment:
    """Retain an amendment for the vote."""
    _require_organizer(actor)
    with transaction.atomic():
        charter = _lock(amendment.charter)
        _amending(charter)
        (amendment,) = _moderable(charter, [amendment.pk])
        amendment.state = Amendment.State.ACCEPTED
        amendment.reason = ""
        amendment.save(update_fields=["state", "reason"])
        record("charter.amendment_accepted", actor=actor, obj=amendment)
    return amendment


def reject(amendment: Amendment, *, actor, reason: str) -> Amendment:
    """Not retained, with the reason (shown to everyone)."""
    _require_organizer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise CharterError(_("Say why this amendment is not retained."))
    with transaction.atomic():
        charter = _lock(amendment.charter)
        _amending(charter)
        (amendment,) = _moderable(charter, [amendment.pk])
        if amendment.merged.exists():
            raise CharterError(_("Other amendments are merged into this one: it stays retained."))
        amendment.state = Amendment.State.REJECTED
        amendment.reason = reason[:MAX_JUSTIFICATION]
        amendment.save(update_fields=["state", "reason"])
        record(
            "charter.amendment_rejected",
            actor=actor,
            obj=amendment,
            payload={"reason": amendment.reason},
        )
    return amendment


def merge(retained: Amendment, others: list[Amendment], *, actor, text: str = "") -> Amendment:
    """Merge duplicates into `retained`, which is retained for the vote (with `text` as its
    wording when given). Each merged amendment keeps its proposer and points to `retained`.
    Two organizers merging at once: the second, under the lock, finds them merged already."""
    _require_organizer(actor)
    other_pks = sorted({o.pk for o in others} - {retained.pk})
    if not other_pks:
        raise CharterError(_("Choose the amendments to merge into this one."))
    with transaction.atomic():
        charter = _lock(retained.charter)
        _amending(charter)
        retained, *merged = _moderable(charter, [retained.pk, *other_pks])
        for m in merged:
            if m.article_id != retained.article_id:
                raise CharterError(
                    _("Amendments %(a)s and %(b)s do not amend the same article.")
                    % {"a": retained.label, "b": m.label}
                )
            if m.merged.exists():
                raise CharterError(
                    _("Amendment %(a)s has amendments merged into it; merge into it instead.")
                    % {"a": m.label}
                )
        if text:
            new_text, _just = _clean(retained.kind, text, retained.justification)
            retained.text = new_text
        retained.state = Amendment.State.ACCEPTED
        retained.save(update_fields=["state", "text"])
        Amendment.objects.filter(pk__in=other_pks).update(
            state=Amendment.State.MERGED, merged_into=retained
        )
        record(
            "charter.amendments_merged",
            actor=actor,
            obj=retained,
            payload={"into": retained.pk, "merged": other_pks, "reworded": bool(text)},
        )
    return retained


# --- the hall's votes ------------------------------------------------------------------------


def voting_order(charter: Charter) -> list[Amendment]:
    """Retained amendments in voting order: by article, then in the order they came."""
    return list(
        charter.amendments.filter(position__isnull=False)
        .select_related("article", "vote")
        .order_by("position")
    )


def start_votes(charter: Charter, *, actor) -> Charter:
    """End the amendments: every one must be moderated and the members' window closed; the
    retained amendments get their voting order (by article, then by arrival)."""
    _require_organizer(actor)
    now = timezone.now()
    with transaction.atomic():
        charter = _lock(charter)
        _amending(charter)
        if charter.amendments_close_at is not None and now < charter.amendments_close_at:
            raise CharterError(_("The members' amendments are still open."))
        pending = charter.amendments.filter(state=Amendment.State.SUBMITTED).count()
        if pending:
            raise CharterError(_("%(n)d amendments are waiting for moderation.") % {"n": pending})
        retained = list(
            charter.amendments.filter(state=Amendment.State.ACCEPTED)
            .select_related("article")
            .order_by("article__number", "created_at", "pk")
        )
        for i, a in enumerate(retained, 1):
            a.position = i
        Amendment.objects.bulk_update(retained, ["position"])
        charter.status = Charter.Status.VOTING
        charter.save(update_fields=["status"])
        record(
            "charter.votes_started",
            actor=actor,
            obj=charter,
            payload={"order": [a.pk for a in retained]},
        )
    return charter


def adopted_so_far(charter: Charter) -> list[Amendment]:
    return [a for a in voting_order(charter) if a.state == Amendment.State.ADOPTED]


def rebuild(charter: Charter, amendments: list[Amendment] | None = None) -> amending.Rebuilt:
    """The text with the adopted amendments (or `amendments`) applied in voting order."""
    articles = [a.as_pure() for a in charter.articles.all()]
    if amendments is None:
        amendments = adopted_so_far(charter)
    return amending.rebuild(articles, [a.as_pure() for a in amendments])


def next_item(charter: Charter) -> Amendment | None | str:
    """What the hall votes on next: an amendment, "text" (the whole text), or None (done or
    a vote is still running)."""
    if charter.status != Charter.Status.VOTING:
        return None
    for a in voting_order(charter):
        if a.state == Amendment.State.ACCEPTED:
            return a if a.vote_id is None else None
    if charter.final_vote_id is None:
        return "text"
    return None


def _new_vote(charter: Charter, actor, question: str, description: str) -> Vote:
    vote = votes.create_vote(
        charter.convention,
        actor,
        mode="published",
        question=question[:300],
        description=description,
        method=Method.APPROVAL,
        max_choices=1,
        exactly=True,
        seats=1,
        electorate=Electorate.PRESENT,
        in_hall=True,
    )
    for code, title in CHOICES:
        votes.add_option(vote, actor, code=code, title=title)
    return vote


def open_next_vote(charter: Charter, *, actor, minutes: int | str | None = None) -> Vote | None:
    """Create and open the hall's vote on the next item (the votes app's actions). An
    amendment whose article an adopted amendment deleted lapses without a vote (journaled);
    returns None when only lapsed amendments were left before a running vote."""
    _require_organizer(actor)
    minutes = votes.check_minutes(minutes)
    with transaction.atomic():
        charter = _lock(charter)
        if charter.status != Charter.Status.VOTING:
            raise CharterError(_("The votes of this charter are not under way."))
        _settle(charter, actor)
        order = voting_order(charter)
        if any(a.vote_id and a.vote.status != Status.CLOSED for a in order) or (
            charter.final_vote_id and charter.final_vote.status != Status.CLOSED
        ):
            raise CharterError(_("A vote of this charter is still open."))
        current = rebuild(charter)
        voted_on: Amendment | None = None
        for a in order:
            if a.state != Amendment.State.ACCEPTED:
                continue
            if current.number_of(a.article.key) is None:
                by = int(current.deleted[a.article.key].removeprefix("am"))
                a.state, a.deleted_by_id = Amendment.State.LAPSED, by
                a.save(update_fields=["state", "deleted_by"])
                record(
                    "charter.amendment_lapsed",
                    actor=actor,
                    obj=a,
                    payload={"article": a.article.key, "deleted_by": by},
                )
                continue
            number = current.number_of(a.article.key)
            question = _("Amendment %(a)s to article %(n)d of “%(t)s”") % {
                "a": a.label,
                "n": number,
                "t": charter.title,
            }
            vote = _new_vote(charter, actor, question, _describe(a))
            a.vote = vote
            a.save(update_fields=["vote"])
            voted_on = a
            break
        else:
            if charter.final_vote_id is not None:
                raise CharterError(_("Every vote of this charter has been held."))
            question = _("Do you adopt “%(t)s” as amended?") % {"t": charter.title}
            adopted = len([a for a in order if a.state == Amendment.State.ADOPTED])
            vote = _new_vote(
                charter,
                actor,
                question,
                _("The whole text, with the %(n)d adopted amendments.") % {"n": adopted},
            )
            charter.final_vote = vote
            charter.save(update_fields=["final_vote"])
        vote = votes.open_vote(vote, actor, minutes=minutes)
        record(
            "charter.vote_opened",
            actor=actor,
            obj=charter,
            payload={"vote": vote.pk, "amendment": voted_on.pk if voted_on else None},
        )
    return vote


def _describe(a: Amendment) -> str:
    kind = a.get_kind_display()
    if a.kind == Amendment.Kind.DELETE:
        return f"{kind}. {a.justification}"
    return f"{kind} : « {a.text} » — {a.justification}"


def counts(vote: Vote) -> dict[str, int]:
    """YES / NO / ABSTAIN counted by the votes app (the published file, read by pnyx.tally)."""
    scores = (vote.result or {}).get("scores", {})
    return {
        "yes": int(scores.get(YES, 0)),
        "no": int(scores.get(NO, 0)),
        "abstain": int(scores.get(ABSTAIN, 0)),
        "ballots": int((vote.result or {}).get("ballots", 0)),
    }


def is_adopted(c: dict[str, int]) -> bool:
    """The adoption rule: more YES than NO (abstentions count for neither; a tie rejects)."""
    return c["yes"] > c["no"]


def _settle(charter: Charter, actor) -> None:
    """Under the charter's lock: read every closed vote not read yet; when the final vote is
    closed, decide the text (rebuilt from the adopted amendments) and queue its PDF."""
    for a in voting_order(charter):
        if a.state == Amendment.State.ACCEPTED and a.vote and a.vote.status == Status.CLOSED:
            c = counts(a.vote)
            a.counts = c
            a.state = Amendment.State.ADOPTED if is_adopted(c) else Amendment.State.DEFEATED
            a.save(update_fields=["counts", "state"])
            record(
                "charter.amendment_voted",
                actor=actor,
                obj=a,
                payload={"vote": a.vote.pk, "counts": c, "adopted": is_adopted(c)},
            )
    final = charter.final_vote
    if final is None or final.status != Status.CLOSED or charter.result is not None:
        return
    c = counts(final)
    amendments = adopted_so_far(charter)
    rebuilt = rebuild(charter, amendments)
    charter.result = result_json(charter, rebuilt, amendments, c)
    charter.status = Charter.Status.ADOPTED if is_adopted(c) else Charter.Status.REJECTED
    charter.decided_at = timezone.now()
    charter.pdf_status = "queued"
    charter.save(update_fields=["result", "status", "decided_at", "pdf_status"])
    text_sha = hashlib.sha256(
        markdown.to_markdown(charter.title, rebuilt.articles).encode()
    ).hexdigest()
    record(
        "charter.decided",
        actor=actor,
        obj=charter,
        payload={
            "adopted": is_adopted(c),
            "counts": c,
            "amendments": [a.pk for a in amendments],
            "articles": len(rebuilt.articles),
            "text_sha256": text_sha,
        },
        inputs_digest=text_sha,
    )
    pk = charter.pk

    def enqueue() -> None:
        from .tasks import pdf_task

        pdf_task.enqueue(pk)

    transaction.on_commit(enqueue)


def result_json(charter, rebuilt: amending.Rebuilt, amendments, final_counts) -> dict:
    by_key = {a.key: a for a in amendments}
    return {
        "counts": final_counts,
        "articles": [
            {
                "key": a.key,
                "number": i,
                "section": a.section,
                "text": a.text,
                "origin": a.origin,
                "amended_by": [by_key[k].pk for k in a.amended_by],
                "added_by": by_key[a.origin].pk if a.origin in by_key else None,
            }
            for i, a in enumerate(rebuilt.articles, 1)
        ],
        "history": [
            {
                "amendment": by_key[h.amendment].pk,
                "kind": h.kind,
                "target": h.target,
                "number": h.number,
                "applied": h.applied,
                "reason": h.reason,
                "deleted_by": by_key[h.deleted_by].pk if h.deleted_by in by_key else None,
                "before": h.before,
                "after": h.after,
                "counts": by_key[h.amendment].counts,
            }
            for h in rebuilt.history
        ],
    }


def settle(charter: Charter, *, actor) -> Charter:
    """Read the results of the charter's closed votes (e.g. closed by `pnyx close-votes`)."""
    _require_organizer(actor)
    with transaction.atomic():
        charter = _lock(charter)
        _settle(charter, actor)
    return charter


def close_current_vote(charter: Charter, *, actor) -> Charter:
    """Close the charter's open vote (the votes app publishes and counts it), then read it."""
    _require_organizer(actor)
    with transaction.atomic():
        charter = _lock(charter)
        running = [a.vote for a in voting_order(charter) if a.vote and a.vote.status == Status.OPEN]
        if charter.final_vote and charter.final_vote.status == Status.OPEN:
            running.append(charter.final_vote)
        if not running:
            raise CharterError(_("No vote of this charter is open."))
        for vote in running:
            votes.close_vote(vote, actor)
        charter = Charter.objects.get(pk=charter.pk)  # its final vote as closed just now
        _settle(charter, actor)
    return charter


# --- the printable text ----------------------------------------------------------------------


def generate_pdf(charter_id: int) -> Charter:
    """Render the decided text into its stored PDF (called by the task)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from . import pdf

    charter = Charter.objects.get(pk=charter_id)
    if charter.result is None:
        return charter
    try:
        content = pdf.render(charter)
        name = default_storage.save(
            f"charter/{charter.pk}-{uuid.uuid4().hex}.pdf", ContentFile(content)
        )
    except Exception as exc:
        Charter.objects.filter(pk=charter.pk).update(
            pdf_status="failed", pdf_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    old = charter.pdf_file.name
    Charter.objects.filter(pk=charter.pk).update(pdf_file=name, pdf_status="done", pdf_error="")
    if old and old != name:
        default_storage.delete(old)
    charter.refresh_from_db()
    return charter

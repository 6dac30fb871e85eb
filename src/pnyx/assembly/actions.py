"""Setting up the representative assembly, one function per change, each journaled.

assembly created → colleges set (composition checked) → calendar launched → for each drawn
college, waves: sized from the answers so far, computed (background task) and its digest
published, the seed entered and the wave invited → answers (seated, on the reserve list,
declined) → designated seats entered → renewals by thirds, drawn the same way.

The algorithms live in the pure modules `pnyx.lottery.colleges`, `.waves` and `.rotation`;
the draws themselves are `pnyx.lottery`'s (leximin, published DIST.json, seeded sampling), so
`pnyx verify-draw` re-checks every wave from its published files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pnyx import lottery
from pnyx.draws import engine as draws_engine
from pnyx.journal.actions import record
from pnyx.lottery import colleges as composition
from pnyx.lottery import rotation, waves
from pnyx.members.models import Member
from pnyx.programme.models import Convention
from pnyx.programme.permissions import is_organizer

from .models import Assembly, Candidate, College, GroupLeader, Mandate, Milestone, Wave

FEATURES = ("gender", "region", "age", "department")


class AssemblyError(Exception):
    """A step that cannot be taken now; the message is shown to the organizer or member."""


def _require_organizer(actor) -> None:
    """Users must be organizers; string actors ("demo", "task:...") are the system itself."""
    if isinstance(actor, str):
        return
    if not is_organizer(actor):
        raise PermissionDenied(_("Only organizers can do this."))


def _user(actor):
    return actor if getattr(actor, "pk", None) and not isinstance(actor, str) else None


def _member_actor(member: Member) -> str:
    return f"member:{member.external_id}"


def _calendar_changed(assembly: Assembly) -> None:
    Assembly.objects.filter(pk=assembly.pk).update(calendar_changed_at=timezone.now())


# --- assembly and colleges ---------------------------------------------------------------------


def create_assembly(
    convention: Convention,
    *,
    title: str,
    starts_on: dt.date,
    period_months: int = 12,
    exclusion_months: int = 24,
    answer_days: int = 10,
    actor,
) -> Assembly:
    _require_organizer(actor)
    if period_months < 1:
        raise AssemblyError(_("Renewals must be at least a month apart."))
    with transaction.atomic():
        if Assembly.objects.filter(convention=convention).exists():
            raise AssemblyError(_("This convention already has its assembly."))
        assembly = Assembly.objects.create(
            convention=convention,
            title=title,
            starts_on=starts_on,
            period_months=period_months,
            exclusion_months=exclusion_months,
            answer_days=answer_days,
        )
        record(
            "assembly.created",
            actor=actor,
            obj=assembly,
            payload={
                "title": title,
                "starts_on": starts_on.isoformat(),
                "period_months": period_months,
                "exclusion_months": exclusion_months,
            },
        )
    return assembly


def _parse_rules(rules) -> list[dict]:
    out = []
    for r in rules or []:
        feature, kind = r.get("feature", ""), r.get("kind", "")
        if feature not in FEATURES:
            raise AssemblyError(_("Unknown feature “%(f)s”.") % {"f": feature})
        if kind not in composition.QUOTA_KINDS:
            raise AssemblyError(_("Unknown quota rule “%(k)s”.") % {"k": kind})
        tolerance = float(r.get("tolerance", 0) or 0)
        if not 0 <= tolerance < 1:
            raise AssemblyError(_("A tolerance is between 0 and 1."))
        out.append({"feature": feature, "kind": kind, "tolerance": tolerance})
    return out


def add_college(
    assembly: Assembly, *, name: str, seats: int, eligibility: str, rules=(), actor
) -> College:
    """A college; its composition is checked at once (an impossible one is refused, naming
    the college and the quota at fault)."""
    _require_organizer(actor)
    name = (name or "").strip()
    if eligibility not in College.Eligibility.values:
        raise AssemblyError(_("Unknown eligibility."))
    rules = _parse_rules(rules)
    if eligibility == College.Eligibility.DESIGNATED and rules:
        raise AssemblyError(_("A designated college takes no quotas."))
    if any(r["feature"] == "department" for r in rules) and eligibility != "group_leaders":
        raise AssemblyError(_("Only action group leaders have a département."))
    with transaction.atomic():
        Assembly.objects.select_for_update().get(pk=assembly.pk)
        if assembly.colleges.filter(name=name).exists():
            raise AssemblyError(
                _("College “%(name)s”: two colleges have this name.") % {"name": name}
            )
        college = College(
            assembly=assembly,
            name=name,
            seats=seats,
            eligibility=eligibility,
            rules=rules,
            position=(assembly.colleges.aggregate(m=Max("position"))["m"] or 0) + 1,
        )
        problems = check_college(college)
        if problems:
            raise AssemblyError(describe(problems))
        college.save()
        record(
            "assembly.college_added",
            actor=actor,
            obj=college,
            payload={"name": name, "seats": seats, "eligibility": eligibility, "rules": rules},
        )
    return college


def _problem_text(p) -> str:
    """The pure check's message, in the reader's language where its kind is known."""
    texts = {
        "too_few": _("%(n)s eligible people for %(seats)s seats"),
        "min_over_eligible": _("at least %(min)s seats but only %(n)s eligible"),
        "one_each": _("one seat per value needs %(values)s seats, not %(seats)s"),
        "infeasible": _("the quotas cannot all be met; %(change)s"),
        "duplicate": _("two colleges have this name"),
        "designated": _("a designated college takes no quotas"),
    }
    return texts[p.kind] % p.params if p.kind in texts else p.message


def describe(problems) -> str:
    lines = []
    for p in problems:
        message = _problem_text(p)
        if p.quota:
            lines.append(
                _("College “%(college)s”, quota %(quota)s: %(message)s")
                % {"college": p.college, "quota": p.quota, "message": message}
            )
        else:
            lines.append(
                _("College “%(college)s”: %(message)s") % {"college": p.college, "message": message}
            )
    return " ".join(lines)


def _rule_objects(college: College) -> tuple[composition.QuotaRule, ...]:
    return tuple(
        composition.QuotaRule(r["feature"], r["kind"], r.get("tolerance", 0.0))
        for r in college.rules
    )


def _pure(college: College, seats: int | None = None) -> composition.College:
    return composition.College(
        college.name,
        college.seats if seats is None else seats,
        college.drawn,
        _rule_objects(college),
    )


def check_college(college: College, seats: int | None = None, on: dt.date | None = None):
    """The composition problems of a college (empty: it can be drawn), for its whole seats or
    for `seats` of them (a renewal) on date `on`."""
    pool = None
    if college.drawn:
        pool = engine_pool(eligible_people(college, on=on), _features(college))
    return composition.check_college(_pure(college, seats), pool)


def _features(college: College) -> list[str]:
    return [r["feature"] for r in college.rules]


# --- eligibility and pools ---------------------------------------------------------------------


def _departures(college: College) -> list[tuple[str, dt.date]]:
    return [
        (str(m.member_id), m.ends_on)
        for m in Mandate.objects.filter(college__assembly=college.assembly)
    ]


def _base(college: College):
    """The members a drawn college draws from, before the rotation's rules."""
    if college.eligibility == College.Eligibility.GROUP_LEADERS:
        return Member.objects.filter(active=True, group_leaderships__isnull=False).distinct()
    qs = Member.objects.filter(active=True)
    if college.eligibility == College.Eligibility.GROUP_MEMBERS:
        qs = qs.filter(action_group__isnull=False)
    return qs


def blocked(assembly: Assembly, on: dt.date) -> set[int]:
    """Members who may not be drawn on `on`: sitting in the assembly after that day, or whose
    mandate ended less than the exclusion time before (`pnyx.lottery.rotation.eligible`)."""
    mandates = list(
        Mandate.objects.filter(college__assembly=assembly).values_list(
            "member_id", "starts_on", "ends_on"
        )
    )
    people = {str(m) for m, _s, _e in mandates}
    sitting = [str(m) for m, s, e in mandates if s <= on < e]
    exclusions = rotation.excluded_until(
        ((str(m), e) for m, _s, e in mandates if e <= on), assembly.exclusion_months
    )
    return {int(p) for p in people - set(rotation.eligible(people, on, sitting, exclusions))}


def eligible_people(college: College, *, on: dt.date | None = None, exclude=()) -> list[dict]:
    """Eligible people of a drawn college on `on` (the round's start): one dict each with
    `member` (pk) and the features; leaves out the `blocked` ones and the member pks in
    `exclude`."""
    assembly = college.assembly
    on = on or assembly.starts_on
    out = blocked(assembly, on) | {int(x) for x in exclude}
    people: dict[int, dict] = {}
    if college.eligibility == College.Eligibility.GROUP_LEADERS:
        leaders = GroupLeader.objects.filter(member__active=True).select_related("member")
        for gl in leaders.order_by("member_id", "pk"):
            if gl.member_id not in out:
                people.setdefault(gl.member_id, _features_of(gl.member, on, gl.department))
    else:
        rows = _base(college).order_by("pk").values_list("pk", "gender", "region", "birth_year")
        for pk, gender, region, birth_year in rows.iterator(chunk_size=5000):
            if pk not in out:
                people[pk] = {
                    "member": pk,
                    "gender": gender,
                    "region": region,
                    "age": draws_engine.age_band(birth_year, on),
                    "department": "",
                }
    return [people[p] for p in sorted(people)]


def available_count(college: College, round_: int) -> int:
    """How many eligible people a round has not invited yet, counted by the database (the
    organizers' page shows the next wave's size without reading every member)."""
    on = round_start(college.assembly, round_)
    out = blocked(college.assembly, on) | _invited_members(college, round_)
    return _base(college).exclude(pk__in=out).count()


def _features_of(m: Member, on: dt.date, department: str) -> dict:  # one leader
    return {
        "member": m.pk,
        "gender": m.gender,
        "region": m.region,
        "age": draws_engine.age_band(m.birth_year, on),
        "department": department,
    }


def engine_pool(people: list[dict], features, ids=None) -> lottery.Pool:
    records = [
        {"id": ids[p["member"]] if ids else str(p["member"]), **{f: p[f] for f in features}}
        for p in people
    ]
    return lottery.Pool.from_records(records, list(features))


# --- rounds and seats --------------------------------------------------------------------------


def round_start(assembly: Assembly, round_: int) -> dt.date:
    return rotation.renewal_date(assembly.starts_on, assembly.period_months, round_)


def round_seats(college: College, round_: int) -> list[int]:
    """The seats a round fills: all of them at first, then a third at each renewal."""
    if round_ == 0:
        return list(range(college.seats))
    return rotation.renewing_seats(college.seats, round_)


def term(assembly: Assembly, seat: int, round_: int) -> tuple[dt.date, dt.date]:
    start = round_start(assembly, round_)
    if round_ == 0:
        return start, rotation.first_term_end(seat, assembly.starts_on, assembly.period_months)
    return start, rotation.renewal_date(
        assembly.starts_on, assembly.period_months, round_ + rotation.THIRDS
    )


def free_seats(college: College, round_: int) -> list[int]:
    taken = set(college.mandates.filter(round=round_).values_list("seat", flat=True))
    return [s for s in round_seats(college, round_) if s not in taken]


def round_counts(college: College, round_: int) -> dict[str, int]:
    """Answers of a round so far, for the wave formula."""
    counts = Counter(
        Candidate.objects.filter(wave__college=college, wave__round=round_).values_list(
            "status", flat=True
        )
    )
    return {
        "pending": counts[Candidate.Status.INVITED],
        "accepted": counts[Candidate.Status.SEATED] + counts[Candidate.Status.RESERVE],
        "declined": counts[Candidate.Status.DECLINED] + counts[Candidate.Status.EXPIRED],
    }


def _held(college: College, round_: int) -> dict[tuple[str, str], int]:
    held: Counter = Counter()
    for values in Candidate.objects.filter(
        wave__college=college, wave__round=round_, status=Candidate.Status.SEATED
    ).values_list("values", flat=True):
        for f, v in values.items():
            held[(f, v)] += 1
    return dict(held)


def _invited_members(college: College, round_: int) -> set[int]:
    return set(
        Candidate.objects.filter(wave__college=college, wave__round=round_).values_list(
            "member_id", flat=True
        )
    )


def next_wave_size(college: College, round_: int = 0, available: int | None = None) -> int:
    """The pure formula (`pnyx.lottery.waves.next_wave_size`) on the round's answers;
    `available` is the number of eligible people not yet invited (counted when not given)."""
    c = round_counts(college, round_)
    open_ = len(free_seats(college, round_))
    if available is None:
        available = available_count(college, round_)
    state = waves.WaveState(open_, c["pending"], c["accepted"], c["declined"], available)
    return waves.next_wave_size(state, college.assembly.prior_rate)


# --- waves -------------------------------------------------------------------------------------


def launch_wave(college: College, *, round_: int = 0, size: int | None = None, actor) -> Wave:
    """Size the round's next wave, check its quotas, snapshot its pool (POOL.csv, codes) and
    queue the computation of its distribution. The college row is locked: two organizers
    cannot launch the same wave, and an answer arriving meanwhile is either counted or waits."""
    from .tasks import compute_wave_task

    _require_organizer(actor)
    if not college.drawn:
        raise AssemblyError(_("College “%(c)s” is designated, not drawn.") % {"c": college.name})
    assembly = college.assembly
    on = round_start(assembly, round_)
    with transaction.atomic():
        college = College.objects.select_for_update().get(pk=college.pk)
        busy = college.waves.filter(round=round_).exclude(status=Wave.Status.REVEALED)
        if busy.exclude(status=Wave.Status.FAILED).exists():
            raise AssemblyError(
                _("College “%(c)s”: a wave is already being drawn; enter its seed first.")
                % {"c": college.name}
            )
        seats = free_seats(college, round_)
        if not seats:
            raise AssemblyError(_("College “%(c)s”: every seat is filled.") % {"c": college.name})
        features = _features(college)
        everyone = eligible_people(college, on=on)
        invited = _invited_members(college, round_)
        people = [p for p in everyone if p["member"] not in invited]
        wanted = next_wave_size(college, round_, len(people)) if size is None else size
        if wanted < 1 or not people:
            raise AssemblyError(
                _("College “%(c)s”: no wave is needed now (answers awaited or nobody left).")
                % {"c": college.name}
            )
        first = college.waves.filter(round=round_).exclude(status=Wave.Status.FAILED).first()
        if first is not None:
            quotas = [lottery.Quota(*q) for q in first.round_quotas]
        else:
            # The round's quotas, from the people eligible when it starts.
            pure = _pure(college, len(round_seats(college, round_)))
            full = engine_pool(everyone, features)
            problems = composition.check_college(pure, full)
            if problems:
                raise AssemblyError(describe(problems))
            quotas = composition.college_quotas(pure, full)
        wave_size = min(wanted, len(people))
        wave_q = waves.wave_quotas(quotas, _held(college, round_), len(seats), wave_size)
        codes = dict(zip(public_codes(len(people)), (p["member"] for p in people), strict=True))
        ids = {member: code for code, member in codes.items()}
        pool = engine_pool(people, features, ids)
        present = {(f, v) for f in features for v in set(pool.column(f))}
        wave_q = [q for q in wave_q if (q.feature, q.value) in present or q.min > 0]
        diagnosis = lottery.diagnose(lottery.Problem(pool, tuple(wave_q), wave_size))
        if not diagnosis.feasible:
            raise AssemblyError(
                _("College “%(c)s”, wave of %(n)s: %(d)s")
                % {"c": college.name, "n": wave_size, "d": diagnosis}
            )
        number = (college.waves.filter(round=round_).aggregate(m=Max("number"))["m"] or 0) + 1
        try:
            with transaction.atomic():
                wave = Wave.objects.create(
                    college=college,
                    round=round_,
                    number=number,
                    size=wave_size,
                    open_seats=len(seats),
                    round_quotas=[[q.feature, q.value, q.min, q.max] for q in quotas],
                    features=features,
                    pool_csv=_pool_csv(pool),
                    codes=codes,
                    quotas_csv=_quotas_csv(wave_q),
                    created_by=_user(actor),
                )
        except IntegrityError as exc:
            raise AssemblyError(_("This wave was just launched by someone else.")) from exc
        record(
            "assembly.wave_launched",
            actor=actor,
            obj=wave,
            payload={
                "college": college.name,
                "round": round_,
                "number": number,
                "size": wave_size,
                "open_seats": len(seats),
                "pool": len(people),
                "counts": round_counts(college, round_),
            },
            inputs_digest=pool.digest(),
        )
        transaction.on_commit(lambda: compute_wave_task.enqueue(wave.pk))
    return wave


_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32, as the draws' codes


def public_codes(n: int) -> list[str]:
    """`n` distinct random public codes such as 7K3M-9QX2 (40 random bits each, one read of
    the system's random source for all of them: a wave's pool may hold thousands)."""
    codes: dict[str, None] = {}
    while len(codes) < n:
        raw = secrets.token_bytes(5 * (n - len(codes)))
        for i in range(0, len(raw), 5):
            x = int.from_bytes(raw[i : i + 5], "big")
            chars = "".join(_ALPHABET[(x >> (5 * j)) & 31] for j in range(8))
            codes[f"{chars[:4]}-{chars[4:]}"] = None
    return list(codes)[:n]


def _pool_csv(pool: lottery.Pool) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([pool.id_column, *pool.columns])
    for pid, row in zip(pool.ids, pool.rows, strict=True):
        w.writerow([pid, *row])
    return out.getvalue()


def _quotas_csv(quotas) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["feature", "value", "min", "max"])
    for q in sorted(quotas):
        w.writerow([q.feature, q.value, q.min, q.max])
    return out.getvalue()


def wave_problem(wave: Wave) -> lottery.Problem:
    """The wave's engine problem, read back from its POOL.csv and QUOTAS.csv."""
    rows = list(csv.DictReader(io.StringIO(wave.pool_csv)))
    pool = lottery.Pool.from_records(rows, list(wave.features))
    quotas = [
        lottery.Quota(r["feature"], r["value"], int(r["min"]), int(r["max"]))
        for r in csv.DictReader(io.StringIO(wave.quotas_csv))
    ]
    return lottery.Problem(pool, tuple(quotas), wave.size)


def compute_wave(wave_id: int, actor="task:assembly-wave") -> Wave:
    """Compute the wave's distribution and publish its digest (run by the background task)."""
    wave = Wave.objects.get(pk=wave_id)
    if wave.status != Wave.Status.COMPUTING:
        return wave
    try:
        problem = wave_problem(wave)
        dist = lottery.compute_distribution(problem, "leximin")
    except lottery.LotteryError as exc:
        Wave.objects.filter(pk=wave_id).update(status=Wave.Status.FAILED, error=str(exc))
        return Wave.objects.get(pk=wave_id)
    data = dist.to_bytes()
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave_id)
        if wave.status != Wave.Status.COMPUTING:
            return wave
        wave.distribution = data
        wave.digest = hashlib.sha256(data).hexdigest()
        wave.status = Wave.Status.PUBLISHED
        wave.published_at = timezone.now()
        wave.save()
        record(
            "assembly.wave_digest_published",
            actor=actor,
            obj=wave,
            payload={
                "digest": wave.digest,
                "size": wave.size,
                "pool_digest": problem.pool.digest(),
            },
            inputs_digest=problem.pool.digest(),
        )
    return wave


def reveal_wave(wave: Wave, *, seed: str, witnesses: str = "", actor) -> Wave:
    """The public seed draws the wave from its published distribution; the drawn are invited."""
    _require_organizer(actor)
    seed = (seed or "").strip()
    if not seed or len(seed) > 200:
        raise AssemblyError(_("Enter the public seed (200 characters at most)."))
    with transaction.atomic():
        College.objects.select_for_update().get(pk=wave.college_id)
        wave = Wave.objects.select_for_update().select_related("college__assembly").get(pk=wave.pk)
        if wave.seed:
            raise AssemblyError(_("The seed was already entered: a wave has only one seed."))
        if wave.status != Wave.Status.PUBLISHED:
            raise AssemblyError(_("The wave's digest is not published yet."))
        data = bytes(wave.distribution)
        if hashlib.sha256(data).hexdigest() != wave.digest:
            raise AssemblyError(_("The stored distribution does not match its digest."))
        dist = lottery.Distribution.from_bytes(data, f"wave {wave.pk} DIST.json")
        panel = lottery.sample_panel(dist, seed, wave.digest)
        now = timezone.now()
        deadline = now + dt.timedelta(days=wave.college.assembly.answer_days)
        drawn = set(panel)
        values = {
            r["id"]: {f: r[f] for f in wave.features}
            for r in csv.DictReader(io.StringIO(wave.pool_csv))
            if r["id"] in drawn
        }
        Candidate.objects.bulk_create(
            [
                Candidate(
                    wave=wave,
                    member_id=wave.codes[code],
                    code=code,
                    values=values[code],
                    deadline=deadline,
                )
                for code in panel
            ]
        )
        wave.seed, wave.witnesses = seed, (witnesses or "").strip()
        wave.status, wave.revealed_at = Wave.Status.REVEALED, now
        wave.save(update_fields=["seed", "witnesses", "status", "revealed_at"])
        record(
            "assembly.wave_revealed",
            actor=actor,
            obj=wave,
            payload={
                "digest": wave.digest,
                "seed": seed,
                "witnesses": wave.witnesses,
                "panel": panel,
            },
            inputs_digest=wave.digest,
        )
        invited = list(
            wave.candidates.filter(status=Candidate.Status.INVITED).select_related("member")
        )
        transaction.on_commit(lambda: _send_invitations(wave, invited, deadline))
    return wave


def _send_invitations(wave: Wave, invited, deadline) -> None:
    tz = ZoneInfo(settings.TIME_ZONE)
    link = settings.PNYX_SITE_URL.rstrip("/") + reverse("assembly:mine")
    for c in invited:
        body = _(
            "You were drawn by lot for the college “%(college)s” of the %(assembly)s.\n"
            "Accept or decline before %(deadline)s: %(link)s\n"
        ) % {
            "college": wave.college.name,
            "assembly": wave.college.assembly.title,
            "deadline": deadline.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
            "link": link,
        }
        send_mail(wave.college.assembly.title, body, None, [c.member.email])


def answer(
    candidate: Candidate, *, accept: bool, public_name: str = "", actor: Member
) -> Candidate:
    """A drawn member accepts or declines. Accepting takes a free seat when the quotas allow
    it (`pnyx.lottery.waves.can_seat`), otherwise the reserve list. The college row is locked,
    so an answer and a wave being launched never see half of each other."""
    if not isinstance(actor, Member) or candidate.member_id != actor.pk:
        raise PermissionDenied(_("This invitation is not yours."))
    public_name = " ".join((public_name or "").split())[:120]
    if accept and not public_name:
        raise AssemblyError(_("Say how your name should appear in public."))
    now = timezone.now()
    with transaction.atomic():
        college = (
            College.objects.select_for_update()
            .select_related("assembly")
            .get(pk=candidate.wave.college_id)
        )
        c = Candidate.objects.select_for_update().select_related("wave").get(pk=candidate.pk)
        if c.status != Candidate.Status.INVITED:
            raise AssemblyError(_("This invitation was already answered."))
        if c.deadline and c.deadline < now:
            raise AssemblyError(_("The time to answer is over."))
        c.responded_at = now
        round_ = c.wave.round
        mandate = None
        if not accept:
            c.status = Candidate.Status.DECLINED
        else:
            quotas = [lottery.Quota(*q) for q in c.wave.round_quotas]
            seats = free_seats(college, round_)
            if seats and waves.can_seat(quotas, _held(college, round_), len(seats), c.values):
                c.status = Candidate.Status.SEATED
                starts_on, ends_on = term(college.assembly, seats[0], round_)
                mandate = Mandate(
                    college=college,
                    seat=seats[0],
                    round=round_,
                    member=actor,
                    public_name=public_name,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    source=Mandate.Source.DRAWN,
                    candidate=c,
                )
            else:
                c.status = Candidate.Status.RESERVE
        c.save(update_fields=["status", "responded_at"])
        if mandate is not None:
            mandate.save()
        record(
            "assembly.invitation_answered",
            actor=_member_actor(actor),
            obj=c,
            payload={
                "college": college.name,
                "code": c.code,
                "answer": c.status,
                "seat": mandate.seat if mandate else None,
            },
        )
    return c


def expire_answers(college: College, *, actor) -> int:
    """Invitations past their deadline count as declined."""
    _require_organizer(actor)
    now = timezone.now()
    with transaction.atomic():
        College.objects.select_for_update().get(pk=college.pk)
        late = Candidate.objects.filter(
            wave__college=college, status=Candidate.Status.INVITED, deadline__lt=now
        )
        codes = list(late.values_list("code", flat=True))
        late.update(status=Candidate.Status.EXPIRED)
        if codes:
            record(
                "assembly.invitations_expired", actor=actor, obj=college, payload={"codes": codes}
            )
    return len(codes)


def designate(
    college: College, *, member: Member, body: str, public_name: str, round_: int = 0, actor
) -> Mandate:
    """An organizer enters a seat of a designated college (someone a body designated)."""
    _require_organizer(actor)
    body = (body or "").strip()
    public_name = " ".join((public_name or "").split())[:120] or member.full_name
    if college.drawn:
        raise AssemblyError(
            _("College “%(c)s” is drawn by lot, not designated.") % {"c": college.name}
        )
    if not body:
        raise AssemblyError(_("Name the body that designated this person."))
    with transaction.atomic():
        college = College.objects.select_for_update().select_related("assembly").get(pk=college.pk)
        on = round_start(college.assembly, round_)
        if Mandate.objects.filter(
            college__assembly=college.assembly, member=member, starts_on__lte=on, ends_on__gt=on
        ).exists():
            raise AssemblyError(_("%(m)s already sits in the assembly.") % {"m": member.full_name})
        seats = free_seats(college, round_)
        if not seats:
            raise AssemblyError(_("College “%(c)s”: every seat is filled.") % {"c": college.name})
        starts_on, ends_on = term(college.assembly, seats[0], round_)
        mandate = Mandate.objects.create(
            college=college,
            seat=seats[0],
            round=round_,
            member=member,
            public_name=public_name,
            starts_on=starts_on,
            ends_on=ends_on,
            source=Mandate.Source.DESIGNATED,
            body=body,
        )
        record(
            "assembly.seat_designated",
            actor=actor,
            obj=mandate,
            payload={
                "college": college.name,
                "seat": mandate.seat,
                "member": member.external_id,
                "body": body,
                "public_name": public_name,
            },
        )
    return mandate


# --- calendar ----------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def launch_calendar(assembly: Assembly, *, renewals: int = 3, actor) -> Assembly:
    """Publish the assembly's calendar: the call for volunteers, a draw per drawn college, the
    first session and the renewals by thirds (dates from the assembly's settings)."""
    _require_organizer(actor)
    now = timezone.now()
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if assembly.launched_at:
            raise AssemblyError(_("The calendar was already launched."))
        start = assembly.starts_on
        draw_day = start - dt.timedelta(days=assembly.answer_days + 14)
        call_start = timezone.localtime(now)
        call_end = _at(draw_day - dt.timedelta(days=1), 20)
        if call_end <= call_start:
            raise AssemblyError(_("The first session is too close to call for volunteers first."))
        rows = [
            Milestone(
                assembly=assembly,
                kind=Milestone.Kind.CALL,
                title=_("Call for volunteers"),
                starts_at=call_start,
                ends_at=call_end,
                description=_("Members say whether they would accept a seat if drawn."),
            )
        ]
        for college in assembly.colleges.all():
            if college.drawn:
                rows.append(
                    Milestone(
                        assembly=assembly,
                        kind=Milestone.Kind.DRAW,
                        title=_("Public draw: %(c)s") % {"c": college.name},
                        starts_at=_at(draw_day, 18),
                        ends_at=_at(draw_day, 19),
                        description=_("%(n)s seats drawn by lot, first wave of invitations.")
                        % {"n": college.seats},
                    )
                )
        rows.append(
            Milestone(
                assembly=assembly,
                kind=Milestone.Kind.SESSION,
                title=_("First session of the assembly"),
                starts_at=_at(start, 10),
                ends_at=_at(start, 17),
            )
        )
        for r in range(1, renewals + 1):
            day = round_start(assembly, r)
            rows.append(
                Milestone(
                    assembly=assembly,
                    kind=Milestone.Kind.RENEWAL,
                    title=_("Renewal %(r)s: a third of the seats drawn anew") % {"r": r},
                    starts_at=_at(day, 10),
                    ends_at=_at(day, 12),
                )
            )
        Milestone.objects.bulk_create(rows)
        assembly.launched_at = now
        assembly.calendar_changed_at = now
        assembly.save(update_fields=["launched_at", "calendar_changed_at"])
        record(
            "assembly.calendar_launched",
            actor=actor,
            obj=assembly,
            payload={"milestones": [[m.kind, m.starts_at.isoformat()] for m in rows]},
        )
    return assembly


def add_milestone(
    assembly: Assembly, *, kind: str, title: str, starts_at: dt.datetime, ends_at=None, actor
) -> Milestone:
    _require_organizer(actor)
    ends_at = ends_at or starts_at + dt.timedelta(hours=1)
    if kind not in Milestone.Kind.values:
        raise AssemblyError(_("Unknown kind of milestone."))
    if ends_at < starts_at:
        raise AssemblyError(_("A milestone cannot end before it starts."))
    with transaction.atomic():
        m = Milestone.objects.create(
            assembly=assembly, kind=kind, title=title.strip(), starts_at=starts_at, ends_at=ends_at
        )
        _calendar_changed(assembly)
        record(
            "assembly.milestone_added",
            actor=actor,
            obj=m,
            payload={"kind": kind, "title": m.title, "starts_at": starts_at.isoformat()},
        )
    return m

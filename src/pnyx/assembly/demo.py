"""The demo's representative assembly, launched at the convention: three small colleges
(members drawn by lot at parity, one action-group leader per département at parity, seats
designated by the movement's bodies), a first wave drawn and partly answered, the designated
seats entered, and the calendar (call, draws, first session, three renewals).

Every date derives from the demo's timeline (the convention's first day S): the first session
is eight weeks after S. Every step goes through `assembly.actions`. Idempotent: does nothing
once the convention has its assembly. Small on purpose (about 0.3 s): the demo is loaded five
times by tests/test_core_demo.py.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

from pnyx.core.demo_timeline import Timeline
from pnyx.members.models import Member
from pnyx.programme.models import Convention

from . import actions
from .models import Assembly, GroupLeader, Mandate

ACTOR = "command:demo"
TITLE = "Assemblée représentative"
# The cities of the demo's action groups and their départements.
DEPARTMENTS = {
    "Paris": "75",
    "Lyon": "69",
    "Lille": "59",
    "Bordeaux": "33",
    "Toulouse": "31",
    "Marseille": "13",
}
SEEDS = {"Membres tirés au sort": "2 6 1 5 3 3", "Animateurs et animatrices": "6 1 4 4 2"}
BODIES = ["Conseil national", "Comité électoral", "Espace des luttes"]


def _leaders() -> int:
    """Two leaders (a woman and a man) of action groups in each of the demo's cities that has
    both; the number of départements with leaders."""
    if not GroupLeader.objects.exists():
        rows = []
        for city, dep in DEPARTMENTS.items():
            members = Member.objects.filter(
                action_group__name__startswith=f"Groupe d'action {city} ", active=True
            ).order_by("external_id")
            pair = [members.filter(gender=g).first() for g in ("F", "M")]
            if all(pair):
                rows += [
                    GroupLeader(action_group=m.action_group, member=m, department=dep) for m in pair
                ]
        GroupLeader.objects.bulk_create(rows)
    return GroupLeader.objects.values("department").distinct().count()


def load(convention: Convention, stdout, timeline: Timeline | None = None) -> Assembly | None:
    start = time.perf_counter()
    tl = timeline or Timeline.of(convention)
    existing = Assembly.objects.filter(convention=convention).first()
    if existing is not None:
        stdout.write(f"Assembly: already set up ({existing.colleges.count()} colleges)")
        return existing
    if not Member.objects.exists():
        return None
    # The milestones' titles are stored in the movement's language (French), whatever the
    # language the command runs in.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        translation.override(settings.LANGUAGE_CODE),
        transaction.atomic(),
    ):
        departments = _leaders()
        assembly = actions.create_assembly(
            convention,
            title=TITLE,
            starts_on=tl.starts_on + dt.timedelta(weeks=8),
            actor=ACTOR,
        )
        drawn = actions.add_college(
            assembly,
            name="Membres tirés au sort",
            seats=8,
            eligibility="group_members",
            rules=[{"feature": "gender", "kind": "parity"}],
            actor=ACTOR,
        )
        leaders = actions.add_college(
            assembly,
            name="Animateurs et animatrices",
            seats=departments,
            eligibility="group_leaders",
            rules=[
                {"feature": "gender", "kind": "parity"},
                {"feature": "department", "kind": "one_each"},
            ],
            actor=ACTOR,
        )
        bodies = actions.add_college(
            assembly, name="Instances du mouvement", seats=4, eligibility="designated", actor=ACTOR
        )
        actions.launch_calendar(assembly, actor=ACTOR)
        rng = random.Random(13)
        # The leaders' college first: one leader per département at parity needs every
        # leader, and a leader seated in the other college could no longer be drawn here.
        for college in (leaders, drawn):
            wave = actions.launch_wave(college, actor=ACTOR)
            actions.compute_wave(wave.pk, actor=ACTOR)  # at once: the demo's pools are small
            wave.refresh_from_db()
            wave = actions.reveal_wave(
                wave, seed=SEEDS[college.name], witnesses="Awa Diallo, Jean Morel", actor=ACTOR
            )
            invited = list(wave.candidates.filter(status="invited").select_related("member"))
            for c in invited[: len(invited) * 2 // 3]:
                m = c.member
                if rng.random() < 0.7:
                    name = f"{m.first_name} {m.last_name[:1]}."
                    actions.answer(c, accept=True, public_name=name, actor=m)
                else:
                    actions.answer(c, accept=False, actor=m)
        seated = Mandate.objects.filter(college__assembly=assembly).values("member_id")
        designated = (
            Member.objects.filter(active=True).exclude(pk__in=seated).order_by("-external_id")
        )
        for member, body in zip(designated[:3], BODIES, strict=True):
            actions.designate(
                bodies,
                member=member,
                body=body,
                public_name=f"{member.first_name} {member.last_name}",
                actor=ACTOR,
            )
    stdout.write(
        f"Assembly: {assembly.colleges.count()} colleges, "
        f"{sum(c.mandates.count() for c in assembly.colleges.all())} seated; "
        f"{time.perf_counter() - start:.2f} s"
    )
    return assembly

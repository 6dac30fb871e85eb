"""The assembly's actions: composition, waves, answers, designated seats, renewals, journal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from pnyx.assembly import actions
from pnyx.assembly.models import Candidate, Mandate, Wave
from pnyx.journal.models import JournalEntry

from .conftest import FIRST_SESSION


def journal(action):
    return list(JournalEntry.objects.filter(action=action).order_by("seq"))


def test_both_compositions_of_the_movement_are_expressible(assembly, organizer):
    drawn = actions.add_college(
        assembly,
        name="160 tirés au sort",
        seats=16,  # the same shape at a tenth of the size
        eligibility="members",
        rules=[
            {"feature": "gender", "kind": "parity"},
            {"feature": "region", "kind": "proportional", "tolerance": 0.2},
            {"feature": "age", "kind": "proportional", "tolerance": 0.2},
        ],
        actor=organizer,
    )
    bodies = actions.add_college(
        assembly, name="80 des instances", seats=8, eligibility="designated", actor=organizer
    )
    leaders = actions.add_college(
        assembly,
        name="Un animateur par département",
        seats=4,
        eligibility="group_leaders",
        rules=[
            {"feature": "gender", "kind": "parity"},
            {"feature": "department", "kind": "one_each"},
        ],
        actor=organizer,
    )
    assert [c.name for c in assembly.colleges.all()] == [drawn.name, bodies.name, leaders.name]
    assert [e.payload["name"] for e in journal("assembly.college_added")] == [
        drawn.name,
        bodies.name,
        leaders.name,
    ]
    assert actions.check_college(leaders) == []


def test_an_impossible_college_is_refused_naming_it(assembly, organizer):
    with pytest.raises(
        actions.AssemblyError, match="College “Animateurs”: 8 eligible people for 10 seats"
    ):
        actions.add_college(
            assembly, name="Animateurs", seats=10, eligibility="group_leaders", actor=organizer
        )
    with pytest.raises(actions.AssemblyError, match="College “Animateurs”, quota department=each"):
        actions.add_college(
            assembly,
            name="Animateurs",
            seats=3,
            eligibility="group_leaders",
            rules=[{"feature": "department", "kind": "one_each"}],
            actor=organizer,
        )
    assert not assembly.colleges.exists()
    assert not journal("assembly.college_added")


def test_parity_out_of_reach_names_the_quota(assembly, organizer, people):
    for m in people[10:]:
        m.gender = "M"
        m.save(update_fields=["gender"])
    with pytest.raises(
        actions.AssemblyError,
        match=r"College “Tirés”, quota gender=F: at least 20 seats but only 5 eligible",
    ):
        actions.add_college(
            assembly,
            name="Tirés",
            seats=40,
            eligibility="members",
            rules=[{"feature": "gender", "kind": "parity"}],
            actor=organizer,
        )


def test_only_organizers_act(assembly, people):
    from pnyx.members.actions import user_for_member

    user = user_for_member(people[0])
    with pytest.raises(PermissionDenied):
        actions.add_college(assembly, name="X", seats=1, eligibility="designated", actor=user)
    with pytest.raises(PermissionDenied):
        actions.launch_calendar(assembly, actor=user)


def test_a_wave_is_drawn_verifiably_and_answers_fill_the_seats(drawn_college, run_wave, people):
    from pnyx import lottery

    wave = run_wave(drawn_college, seed="4 1 6 6")
    assert wave.size == 12  # nothing observed yet: the prior rate of one in two
    invited = list(wave.candidates.filter(status="invited").select_related("member"))
    assert len(invited) == 12
    # The published distribution and the seed give exactly the invited codes.
    dist = lottery.Distribution.from_bytes(bytes(wave.distribution))
    assert sorted(c.code for c in invited) == lottery.sample_panel(dist, "4 1 6 6")
    for c in invited[:3]:
        actions.answer(c, accept=True, public_name=f"Nom {c.pk}", actor=c.member)
    for c in invited[3:10]:
        actions.answer(c, accept=False, actor=c.member)
    seated = Mandate.objects.filter(college=drawn_college)
    assert seated.count() == sum(
        1 for c in invited[:3] if Candidate.objects.get(pk=c.pk).status == "seated"
    )
    # 3 or fewer seated; rate (3 + 1) / (10 + 2) = 1/3; 2 pending.
    counts = actions.round_counts(drawn_college, 0)
    assert counts == {"pending": 2, "accepted": 3, "declined": 7}
    open_ = 6 - seated.count()
    expected = min(36, -(-(open_ - 2 / 3) * 3 // 1))
    assert actions.next_wave_size(drawn_college) == int(expected)
    second = run_wave(drawn_college, seed="2 2 5")
    assert second.number == 2
    # The second wave is drawn among those not invited before.
    first_members = set(wave.candidates.values_list("member_id", flat=True))
    assert not first_members & set(second.codes.values())
    assert [e.payload["number"] for e in journal("assembly.wave_launched")] == [1, 2]
    assert len(journal("assembly.wave_revealed")) == 2
    assert len(journal("assembly.invitation_answered")) == 10


def test_a_seat_taken_only_within_the_quotas(drawn_college, run_wave):
    from collections import Counter

    wave = run_wave(drawn_college, size=12)
    invited = list(wave.candidates.filter(status="invited").select_related("member"))
    women = [c for c in invited if c.values["gender"] == "F"]
    statuses = [
        actions.answer(c, accept=True, public_name="X", actor=c.member).status for c in women
    ]
    # Parity on 6 seats: at most 3 women are seated, the others wait on the reserve list.
    assert statuses.count("seated") <= 3 and len(women) > 3
    assert statuses.count("reserve") == len(women) - statuses.count("seated")
    for c in invited:
        if c.values["gender"] == "M":
            actions.answer(c, accept=True, public_name="X", actor=c.member)
    held = Counter()
    for c in Candidate.objects.filter(wave=wave, status="seated"):
        held.update(c.values.items())
    for feature, value, _lo, hi in wave.round_quotas:
        assert held[(feature, value)] <= hi
    for m in Mandate.objects.filter(college=drawn_college):
        assert (m.starts_on, m.ends_on) == actions.term(drawn_college.assembly, m.seat, 0)


def test_two_waves_at_once_are_refused(drawn_college, organizer):
    actions.launch_wave(drawn_college, actor=organizer)
    with pytest.raises(actions.AssemblyError, match="a wave is already being drawn"):
        actions.launch_wave(drawn_college, actor=organizer)


def test_answers_are_the_member_s_own_and_once(drawn_college, run_wave, people):
    wave = run_wave(drawn_college)
    c = wave.candidates.filter(status="invited").select_related("member").first()
    other = next(p for p in people if p.pk != c.member_id)
    with pytest.raises(PermissionDenied):
        actions.answer(c, accept=True, public_name="X", actor=other)
    with pytest.raises(actions.AssemblyError, match="how your name should appear"):
        actions.answer(c, accept=True, public_name="  ", actor=c.member)
    actions.answer(c, accept=False, actor=c.member)
    with pytest.raises(actions.AssemblyError, match="already answered"):
        actions.answer(c, accept=True, public_name="X", actor=c.member)


def test_late_answers_expire(drawn_college, run_wave, organizer, frozen):
    wave = run_wave(drawn_college)
    frozen.shift(dt.timedelta(days=11))
    c = wave.candidates.filter(status="invited").select_related("member").first()
    with pytest.raises(actions.AssemblyError, match="time to answer is over"):
        actions.answer(c, accept=True, public_name="X", actor=c.member)
    assert actions.expire_answers(drawn_college, actor=organizer) == 12
    assert actions.round_counts(drawn_college, 0)["declined"] == 12
    assert journal("assembly.invitations_expired")[0].payload["codes"]


def test_designated_seats_are_entered_and_journaled(assembly, organizer, people):
    college = actions.add_college(
        assembly, name="Instances", seats=2, eligibility="designated", actor=organizer
    )
    m = actions.designate(
        college, member=people[5], body="Conseil national", public_name="", actor=organizer
    )
    assert m.public_name == people[5].full_name and m.seat == 0
    assert (m.starts_on, m.ends_on) == (FIRST_SESSION, dt.date(2027, 9, 19))
    with pytest.raises(actions.AssemblyError, match="already sits"):
        actions.designate(
            college, member=people[5], body="Conseil national", public_name="", actor=organizer
        )
    actions.designate(
        college, member=people[6], body="Comité", public_name="C. N.", actor=organizer
    )
    with pytest.raises(actions.AssemblyError, match="every seat is filled"):
        actions.designate(college, member=people[7], body="Comité", public_name="", actor=organizer)
    assert [e.payload["body"] for e in journal("assembly.seat_designated")] == [
        "Conseil national",
        "Comité",
    ]


def test_a_renewal_draws_a_third_among_the_eligible(assembly, run_wave, organizer, frozen):
    drawn_college = actions.add_college(
        assembly,
        name="Paritaire",
        seats=6,
        eligibility="members",
        rules=[{"feature": "gender", "kind": "parity"}],
        actor=organizer,
    )
    wave = run_wave(drawn_college, size=20)
    for c in wave.candidates.filter(status="invited").select_related("member"):
        actions.answer(c, accept=True, public_name="X", actor=c.member)
    mandates = list(Mandate.objects.filter(college=drawn_college))
    assert len(mandates) == 6
    leaving = [m for m in mandates if m.seat in actions.round_seats(drawn_college, 1)]
    assert [m.ends_on for m in leaving] == [dt.date(2027, 9, 19)] * 2
    frozen.move_to(dt.datetime(2027, 9, 1, tzinfo=dt.UTC))
    renewal = run_wave(drawn_college, round_=1, size=6)
    drawn = set(renewal.codes.values())
    # Nobody sitting or just leaving is in the renewal's pool.
    assert not drawn & {m.member_id for m in mandates}
    assert renewal.open_seats == 2
    c = renewal.candidates.filter(status="invited").select_related("member").first()
    actions.answer(c, accept=True, public_name="Y", actor=c.member)
    new = Mandate.objects.get(candidate=c)
    assert (new.starts_on, new.ends_on) == (dt.date(2027, 9, 19), dt.date(2030, 9, 19))


def test_calendar_launch_journals_its_milestones(drawn_college, organizer):
    a = actions.launch_calendar(drawn_college.assembly, actor=organizer)
    kinds = [m.kind for m in a.milestones.all()]
    assert kinds == ["call", "draw", "session", "renewal", "renewal", "renewal"]
    assert journal("assembly.calendar_launched")[0].payload["milestones"][0][0] == "call"
    with pytest.raises(actions.AssemblyError, match="already launched"):
        actions.launch_calendar(a, actor=organizer)


def test_wave_files_check_with_verify_draw(drawn_college, run_wave, tmp_path, client):
    from pnyx.lottery.cli import verify_main

    wave = run_wave(drawn_college, seed="6 6 1")
    from pnyx.assembly.views import file_bytes

    for name in ("DIST.json", "PANEL.csv"):
        (tmp_path / name).write_bytes(file_bytes(wave, name))
    code = verify_main(
        [
            "--distribution",
            str(tmp_path / "DIST.json"),
            "--seed",
            "6 6 1",
            "--panel",
            str(tmp_path / "PANEL.csv"),
        ]
    )
    assert code == 0
    assert (
        Wave.objects.get(pk=wave.pk).digest
        in journal("assembly.wave_revealed")[0].payload["digest"]
    )


def test_those_leaving_are_not_eligible_during_the_exclusion(drawn_college, people):
    """Three renewals (12-month periods, 24 months of exclusion): whoever left a seat at
    renewal r is not in the pool of renewals r + 1, but is again at r + 2."""
    assembly = drawn_college.assembly
    for seat, member in enumerate(people[:6]):
        start, end = actions.term(assembly, seat, 0)
        Mandate.objects.create(
            college=drawn_college, seat=seat, member=member, public_name="X",
            starts_on=start, ends_on=end, source="drawn",
        )  # fmt: skip
    pool = {r: {p["member"] for p in actions.eligible_people(drawn_college, on=actions.round_start(assembly, r))} for r in (0, 1, 2, 3)}  # fmt: skip
    first_third = {people[0].pk, people[3].pk}  # seats 0 and 3 leave at renewal 1
    assert not first_third & pool[0]  # sitting
    assert not first_third & pool[1] and not first_third & pool[2]  # left 0 and 12 months ago
    assert first_third <= pool[3]  # 24 months later: eligible again
    second_third = {people[1].pk, people[4].pk}  # seats 1 and 4 leave at renewal 2
    assert not second_third & pool[1] and not second_third & pool[2] and not second_third & pool[3]
    assert {people[2].pk, people[5].pk} & pool[2] == set()  # still sitting until renewal 3


def test_the_database_count_of_the_available_matches_the_pool(drawn_college, run_wave, organizer):
    assembly = drawn_college.assembly
    leaders = actions.add_college(
        assembly, name="Animateurs", seats=2, eligibility="group_leaders", actor=organizer
    )
    wave = run_wave(drawn_college, size=10)
    c = wave.candidates.select_related("member").first()
    actions.answer(c, accept=True, public_name="X", actor=c.member)
    for college in (drawn_college, leaders):
        invited = actions._invited_members(college, 0)
        pool = actions.eligible_people(college, exclude=invited)
        assert actions.available_count(college, 0) == len(pool)
    assert actions.available_count(drawn_college, 0) == 48 - 10

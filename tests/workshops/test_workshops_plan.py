from collections import Counter, defaultdict

import pytest

from pnyx.journal.models import JournalEntry
from pnyx.workshops import actions
from pnyx.workshops.models import Plan, Purpose, Seat, Table


def test_hall_gets_one_step_per_work_step_item(hall):
    steps = list(hall.steps.order_by("number"))
    assert [s.number for s in steps] == [1, 2, 3]
    assert [s.purpose for s in steps] == [Purpose.IMPACTS, Purpose.PROPOSALS, Purpose.AXES]
    assert all(s.item.kind == "work_step" and s.item.step == s.number for s in steps)


def test_plan_seats_every_participant_once_per_step_with_rotating_campaigns(hall, hall_people):
    plan = actions.run_plan(hall, "test")
    assert plan.status == Plan.Status.DRAFT and plan.remix
    seats = list(Seat.objects.filter(plan=plan).select_related("campaign"))
    assert len(seats) == 3 * len(hall_people)
    per_step = Counter((s.participant_id, s.step) for s in seats)
    assert set(per_step.values()) == {1}
    sizes = Counter((s.step, s.table) for s in seats)
    assert all(7 <= n <= 9 for n in sizes.values())
    # each part works on each campaign once; parts never share a campaign at a step
    part_campaigns = defaultdict(set)
    step_campaigns = defaultdict(set)
    for s in seats:
        part_campaigns[s.part].add((s.step, s.campaign.slug))
        step_campaigns[s.step].add((s.part, s.campaign.slug))
    for steps in part_campaigns.values():
        assert len({c for _, c in steps}) == 3
    for parts in step_campaigns.values():
        assert len({c for _, c in parts}) == 3
    assert plan.stats["same_group_pairs"] == 0
    assert plan.stats["gender_band_violations"] == 0
    # 21 people at 3 tables of 7 cannot avoid every repeated pair; mixing still cuts them
    assert plan.stats["repeated_pairs"] < 3 * 63
    assert actions.check_plan(plan) == []


def test_publish_journals_and_replaces_the_previous_plan(hall, hall_people, organizer):
    first = actions.run_plan(hall, organizer)
    actions.publish(first, organizer)
    entry = JournalEntry.objects.filter(action="workshops.plan_published").get()
    assert entry.object_id == str(first.pk) and entry.inputs_digest == first.inputs_digest
    assert entry.payload["stats"]["same_group_pairs"] == 0
    assert Table.objects.filter(hall=hall).count() == 9
    second = actions.run_plan(hall, organizer)
    actions.publish(second, organizer)
    first.refresh_from_db()
    assert first.status == Plan.Status.RETIRED
    assert actions.published_plan(hall) == second
    with pytest.raises(actions.WorkshopError):
        actions.publish(first, organizer)


def test_plan_error_is_explained(hall, make_member, convention):
    from pnyx.programme.models import Participant

    for _ in range(10):
        Participant.objects.create(convention=convention, member=make_member(), source="drawn")
    with pytest.raises(actions.WorkshopError, match="cannot sit"):
        actions.run_plan(hall)


def test_manual_move_rechecks_the_rules_and_is_journaled(published, hall_people, organizer):
    seat = published.seats.filter(step=2).order_by("table", "participant_id").first()
    before = seat.table
    other = published.seats.filter(step=2, part=seat.part).exclude(table=seat.table).first().table
    problems = actions.move(published, seat.participant, 2, other, organizer)
    seat.refresh_from_db()
    assert seat.table == other
    messages = [(v.step, v.table, v.message) for v in problems]
    assert (2, before, "6 personnes, hors de 7 à 9") in messages
    assert all(step == 2 for step, _, _ in messages)
    entry = JournalEntry.objects.filter(action="workshops.seat_moved").get()
    assert entry.payload["to_table"] == other and entry.payload["step"] == 2
    published.refresh_from_db()
    assert published.moves == 1


def test_manual_move_to_another_part_is_refused(published):
    seat = published.seats.filter(step=1, part=1).first()
    elsewhere = published.seats.filter(step=1, part=2).first().table
    with pytest.raises(actions.WorkshopError, match="part"):
        actions.move(published, seat.participant, 1, elsewhere)


def test_move_then_view_shows_violations(organizer_client, published):
    seat = published.seats.filter(step=1).order_by("table").first()
    other = published.seats.filter(step=1, part=seat.part).exclude(table=seat.table).first()
    r = organizer_client.post(
        f"/ateliers/organisation/plans/{published.pk}/deplacer/",
        {"participant": seat.participant_id, "step": 1, "table": other.table},
    )
    assert r.status_code == 302
    r = organizer_client.get(r.url)
    body = r.content.decode()
    assert "6 personnes, hors de 7 à 9" in body


def test_run_plan_view_enqueues_the_task_and_shows_the_draft(organizer_client, hall_people):
    r = organizer_client.post("/ateliers/organisation/plans/calculer/", {"kind": "hall"})
    plan = Plan.objects.get()
    assert r.status_code == 302 and r.url == f"/ateliers/organisation/plans/{plan.pk}/"
    r = organizer_client.get(r.url)
    assert "Publier ce plan" in r.content.decode()
    r = organizer_client.post(f"/ateliers/organisation/plans/{plan.pk}/publier/")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED


def test_run_plan_view_reports_an_impossible_request(organizer_client, convention):
    r = organizer_client.post(
        "/ateliers/organisation/plans/calculer/", {"kind": "hall"}, follow=True
    )
    assert "Aucun participant" in r.content.decode() or "participant" in r.content.decode()
    assert not Plan.objects.exists()


def test_hall_page_saves_the_shape(organizer_client, hall, hall_people):
    r = organizer_client.get("/ateliers/organisation/")
    assert r.status_code == 200 and "Étape 1" in r.content.decode()
    r = organizer_client.post(
        "/ateliers/organisation/",
        {
            "form": "hall",
            "parts": 3,
            "table_min": 6,
            "table_max": 8,
            "columns": 4,
            "remix": "",
            "seed": 7,
            "topic_max_share": "0.4",
        },
    )
    assert r.status_code == 302
    hall.refresh_from_db()
    assert (hall.table_min, hall.table_max, hall.remix, hall.seed) == (6, 8, False, 7)
    plan = actions.run_plan(hall)
    assert not plan.remix
    # without remix everyone keeps the same table
    tables = defaultdict(set)
    for pid, table in plan.seats.values_list("participant_id", "table"):
        tables[pid].add(table)
    assert all(len(t) == 1 for t in tables.values())


def test_invite_participants_by_member_id(organizer_client, convention, make_member):
    from pnyx.programme.models import Participant

    a, b = make_member(), make_member()
    r = organizer_client.post(
        "/ateliers/organisation/participants/",
        {"member_ids": f"{a.external_id}\n{b.external_id}, NOPE"},
        follow=True,
    )
    assert set(Participant.objects.values_list("member_id", "source")) == {
        (a.pk, "invited"),
        (b.pk, "invited"),
    }
    assert "NOPE" in r.content.decode()


def test_plan_csv_uses_the_seat_format(organizer_client, published):
    r = organizer_client.get(f"/ateliers/organisation/plans/{published.pk}/plan.csv")
    lines = r.content.decode().splitlines()
    assert lines[0] == "id,step,part,table,campaign"
    assert len(lines) == 1 + published.seats.count()

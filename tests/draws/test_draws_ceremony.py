"""Pool snapshot, quota helpers, diagnosis and the order of the ceremony."""

import datetime as dt

import pytest

from pnyx import lottery
from pnyx.draws import actions, engine
from pnyx.draws.models import Draw, Invitation, PoolEntry
from pnyx.journal.actions import verify
from pnyx.journal.models import JournalEntry


def test_pool_snapshots_eligible_volunteers(pool, volunteers):
    assert pool.size == len(volunteers)  # not the non-volunteer, the inactive, the late joiner
    entries = PoolEntry.objects.filter(pool=pool)
    assert {e.member_id for e in entries} == {m.pk for m in volunteers}
    codes = [e.code for e in entries]
    assert len(set(codes)) == len(codes)
    # the code reveals nothing of the member
    m = volunteers[0]
    e = entries.get(member=m)
    assert m.external_id not in e.code and str(m.pk) != e.code
    assert e.age == "65+" and e.gender == "F" and e.region == "Bretagne"
    assert e.seniority == "5y+"  # joined 2016-03-01, convention on 2026-11-28
    # later changes to the member do not touch the snapshot
    m.region = "Corse"
    m.save()
    e.refresh_from_db()
    assert e.region == "Bretagne"
    assert JournalEntry.objects.get(action="draw.pool_created").inputs_digest == pool.digest


def test_pool_rules_are_applied(convention, volunteers, make_member):
    late = make_member(joined_on=dt.date(2025, 6, 1))
    pool = actions.create_pool(convention, "Anciens", joined_before=dt.date(2025, 1, 1))
    members = set(pool.entries.values_list("member_id", flat=True))
    assert late.pk not in members
    assert all(m.joined_on < dt.date(2025, 1, 1) for m in volunteers if m.pk in members)
    everyone = actions.create_pool(convention, "Tous", active_only=False)
    assert everyone.size == len(volunteers) + 3  # + the inactive, + the two late joiners


def test_bands():
    on = dt.date(2026, 11, 28)
    assert engine.age_band(2004, on) == "<25"
    assert engine.age_band(2001, on) == "25-34"
    assert engine.age_band(1950, on) == "65+"
    assert engine.seniority_band(dt.date(2025, 11, 29), on) == "0-1y"
    assert engine.seniority_band(dt.date(2024, 11, 28), on) == "2-4y"
    assert engine.seniority_band(dt.date(2016, 1, 1), on) == "5y+"


def test_quota_helpers():
    prop = engine.proportional({"a": 50, "b": 30, "c": 20}, 9)
    assert prop == {"a": (4, 5), "b": (2, 3), "c": (1, 2)}
    assert sum(lo for lo, _ in prop.values()) <= 9 <= sum(hi for _, hi in prop.values())
    wide = engine.proportional({"a": 50, "b": 50}, 10, tolerance=0.2)
    assert wide == {"a": (4, 6), "b": (4, 6)}
    par = engine.parity({"F": 70, "M": 28, "X": 2}, 20)
    assert par["X"] == (0, 1)
    assert par["F"] == par["M"] == (9, 10)
    # parity asks for more men than the pool has: capped at the pool, min kept (infeasible)
    assert engine.parity({"F": 90, "M": 3}, 20)["M"] == (10, 10)


def test_diagnosis_names_the_change(draft):
    actions.set_quotas(draft, "region", {"Bretagne": (6, 8), "Corse": (0, 8), "Occitanie": (0, 8)})
    actions.set_quotas(draft, "gender", {"F": (4, 4), "M": (4, 4), "X": (0, 0)})
    d = actions.diagnose(draft)
    assert d.feasible
    actions.set_quotas(draft, "region", {"Bretagne": (7, 8), "Corse": (2, 8), "Occitanie": (0, 8)})
    d = actions.diagnose(draft)
    assert not d.feasible
    assert [str(c) for c in d.changes] == ["lower min of region=Bretagne from 7 to 6"] or [
        str(c) for c in d.changes
    ] == ["lower min of region=Corse from 2 to 1"]
    with pytest.raises(actions.DrawError):
        actions.start_computation(draft)
    draft.refresh_from_db()
    assert draft.status == Draw.Status.DRAFT


def test_missing_quota_value_is_named(draft):
    actions.set_quotas(draft, "region", {"Bretagne": (0, 8), "Corse": (0, 8)})
    with pytest.raises(actions.DrawError, match="Occitanie"):
        actions.diagnose(draft)


def test_computation_stores_distribution_and_progress(computed):
    assert computed.digest and len(computed.digest) == 64
    dist = engine.load_distribution(computed)
    assert dist.digest == computed.digest
    assert computed.progress_done == computed.progress_total > 0
    assert computed.summary["k"] == 8 and computed.summary["n"] == 36
    assert computed.features == ["gender", "region"]
    assert sum(p["size"] * p["probability"] for p in computed.profiles) == pytest.approx(8)
    # the published pool holds codes and the draw's features only
    pool = dist.problem.pool
    assert pool.columns == ("gender", "region")
    assert set(pool.ids) == set(computed.pool.entries.values_list("code", flat=True))


def test_ceremony_order_is_enforced(computed, organizer):
    with pytest.raises(actions.DrawError, match="Publish"):
        actions.reveal(computed, "1234")
    assert not Invitation.objects.exists()
    actions.publish_digest(computed, organizer)
    with pytest.raises(actions.DrawError):
        actions.publish_digest(computed, organizer)
    with pytest.raises(actions.DrawError):
        actions.set_proportional(computed, "region")  # inputs frozen once published
    with pytest.raises(actions.DrawError, match="seed"):
        actions.reveal(computed, "   ")
    draw = actions.reveal(computed, "6 6 2 5 1 3", "Alice", organizer)
    assert draw.status == Draw.Status.REVEALED
    assert draw.invitations.count() == 8
    with pytest.raises(actions.DrawError, match="one seed"):
        actions.reveal(draw, "another seed")
    draw.refresh_from_db()
    assert draw.seed == "6 6 2 5 1 3"


def test_panel_is_what_the_engine_samples_and_meets_quotas(revealed):
    dist = engine.load_distribution(revealed)
    panel = actions.current_panel(revealed)
    assert panel == lottery.sample_panel(dist, revealed.seed)
    assert lottery.verify_panel(dist, revealed.seed, panel) == []
    counts = actions.panel_counts(revealed)
    for (feature, value), (lo, hi) in actions.quota_bounds(revealed).items():
        assert lo <= counts[feature].get(value, 0) <= hi


def test_changing_quotas_discards_an_unpublished_distribution(computed):
    actions.set_proportional(computed, "region", 0.5)
    computed.refresh_from_db()
    assert computed.status == Draw.Status.DRAFT and not computed.digest


def test_failure_is_stored(draft, monkeypatch, django_capture_on_commit_callbacks):
    def boom(*a, **k):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(lottery, "compute_distribution", boom)
    with django_capture_on_commit_callbacks(execute=True):
        actions.start_computation(draft)  # the task backend logs the exception
    draft.refresh_from_db()
    assert draft.status == Draw.Status.FAILED and "solver exploded" in draft.error


def test_journal_records_every_step(invited):
    actions_done = list(JournalEntry.objects.values_list("action", flat=True))
    for a in (
        "draw.pool_created",
        "draw.distribution_computed",
        "draw.digest_published",
        "draw.panel_revealed",
        "draw.invitations_sent",
    ):
        assert a in actions_done
    order = [a for a in actions_done if a.startswith("draw.")]
    assert order.index("draw.digest_published") < order.index("draw.panel_revealed")
    revealed = JournalEntry.objects.get(action="draw.panel_revealed")
    assert revealed.payload["seed"] == invited.seed
    assert revealed.inputs_digest == invited.digest
    assert verify().ok

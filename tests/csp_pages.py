"""A small convention with something on every page, and the list of the site's main pages, for
the Content-Security-Policy tests (tests/test_core_csp.py in Django's test client,
tests/e2e/test_e2e_csp.py in Chromium). Not a test module: imported by both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

REGIONS = ["Bretagne", "Occitanie", "Ile-de-France"]


@dataclass
class World:
    organizer_password: str
    member_email: str
    member_user_id: int
    proposer_user_id: int
    proposer_email: str
    organizer_user_id: int
    pages: dict[str, list[str]] = field(default_factory=dict)  # who -> paths


def build() -> World:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from pnyx.draws import actions as draws
    from pnyx.draws.models import Draw
    from pnyx.members.actions import user_for_member
    from pnyx.members.models import Member
    from pnyx.programme import demo
    from pnyx.programme.models import Participant
    from pnyx.votes import actions as votes
    from pnyx.workshops import actions as workshops
    from pnyx.workshops.models import Plan

    convention = demo.load()
    # The call for interventions open, whatever today's date (the form is one of the pages).
    convention.proposals_open = True
    convention.proposals_close_at = timezone.now() + dt.timedelta(days=2)
    convention.save(update_fields=["proposals_open", "proposals_close_at"])
    organizer = get_user_model().objects.create_superuser(
        "csp-orga", "csp-orga@example.org", "csp-orga-password-123"
    )
    members = [
        Member.objects.create(
            external_id=f"C{i:03d}",
            first_name=f"Prénom{i}",
            last_name=f"Nom{i}",
            email=f"c{i}@example.org",
            gender="FMFMFMX"[i % 7],
            region=REGIONS[i % 3],
            birth_year=1950 + (i * 7) % 50,
            joined_on=dt.date(2016 + i % 8, 3, 1),
            volunteer=True,
        )
        for i in range(64)
    ]
    member = members[0]
    user = user_for_member(member)
    proposer_member = members.pop()  # not a participant: may propose an intervention
    proposer = user_for_member(proposer_member)

    # Votes: a closed approval vote and a closed majority judgment (results, projector), an
    # open in-hall vote (ballot with its counter, projector).
    approval = votes.create_vote(
        convention,
        organizer,
        mode="published",
        question="Nos campagnes",
        method="approval",
        max_choices=2,
        seats=2,
    )
    mj = votes.create_vote(
        convention,
        organizer,
        mode="published",
        question="Jugement",
        method="mj",
        grades=["Très bien", "Bien", "Passable", "Insuffisant", "À rejeter"],
    )
    for vote in (approval, mj):
        for i in range(4):
            votes.add_option(vote, organizer, title=f"Option {i + 1}")
    approval, mj = votes.open_vote(approval, organizer), votes.open_vote(mj, organizer)
    for i, m in enumerate(members[1:12]):
        votes.cast(approval, m, ["P01", "P02"][: 1 + i % 2])
        votes.cast(
            mj, m, {"P01": "Bien", "P02": "À rejeter", "P03": "Très bien", "P04": "Passable"}
        )
    votes.close_vote(approval, organizer)
    votes.close_vote(mj, organizer)
    live = votes.create_vote(
        convention,
        organizer,
        mode="published",
        question="Vote en salle",
        method="approval",
        max_choices=2,
        seats=2,
    )
    for i in range(5):
        votes.add_option(live, organizer, title=f"Choix {i + 1}")
    live = votes.open_vote(live, organizer)

    verifiable = _verifiable_votes(convention, organizer, members[1:6])

    # A draw, computed and revealed.
    pool = draws.create_pool(convention, "Volontaires", actor=organizer)
    draw = draws.create_draw(pool, title="Tirage", size=8, actor=organizer)
    draws.set_parity(draw)
    draws.start_computation(draw, organizer)
    draws.compute(draw.pk, actor=organizer)
    draw = Draw.objects.get(pk=draw.pk)
    draws.publish_digest(draw, organizer)
    draw = draws.reveal(draw, "3 6 1 4 2 5", "Alice, Bob", organizer)

    # A published hall plan: 63 participants, three tables of 7 in each of three parts.
    for i, m in enumerate(members):
        Participant.objects.create(
            convention=convention,
            member=m,
            source=Participant.Source.DRAWN if i % 4 else Participant.Source.INVITED,
        )
    hall = workshops.get_hall(convention)
    plan = workshops.run_plan(hall, organizer)
    workshops.publish(plan, organizer)
    plan = Plan.objects.get(pk=plan.pk)
    # Step-1 outputs of two tables, a synthesis run and one review decision.
    from pnyx.workshops import review
    from pnyx.workshops.models import Table

    step1 = hall.steps.get(number=1)
    for n in (1, 2):
        workshops.submit_output(
            Table.objects.get(hall=hall, number=n),
            {"impacts": "Les factures de chauffage augmentent.\nLes bus ne passent plus."},
            step=step1,
        )
    run, _started = review.request_synthesis(hall, actor="command:csp", enqueue=False)
    review.compute_synthesis(run.pk)
    group = hall.review_groups.first()
    review.set_retained(group.clusters.first(), True, actor="command:csp")
    facilitator_page = Table.objects.get(hall=hall, number=1).path()

    # The representative assembly: a drawn college with a revealed wave, a designated seat,
    # the calendar launched.
    from pnyx.assembly import actions as assembly

    rep = assembly.create_assembly(
        convention,
        title="Assemblée",
        starts_on=convention.starts_on + dt.timedelta(weeks=8),
        actor=organizer,
    )
    college = assembly.add_college(
        rep,
        name="Tirés au sort",
        seats=4,
        eligibility="members",
        rules=[{"feature": "gender", "kind": "parity"}],
        actor=organizer,
    )
    bodies = assembly.add_college(
        rep, name="Instances", seats=1, eligibility="designated", actor=organizer
    )
    assembly.designate(bodies, member=members[5], body="Conseil", public_name="", actor=organizer)
    wave = assembly.compute_wave(assembly.launch_wave(college, actor=organizer).pk)
    assembly.reveal_wave(wave, seed="1 2", actor=organizer)
    assembly.launch_calendar(rep, actor=organizer)

    # A charter under amendment: its window open, one amendment retained, one submitted.
    from pnyx.charter import actions as charters

    charter = charters.import_markdown(
        convention,
        "# Charte\n\n## Principes\n\nPremier article.\n\nDeuxième article.\n",
        actor=organizer,
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    first = charter.articles.get(number=1)
    for kind in ("replace", "delete"):
        am = charters.submit_amendment(
            charter, first, actor=member, kind=kind, text="Autre.", justification="Mieux."
        )
    charters.accept(am, actor=organizer)

    public = [
        "/",
        "/actualites/",
        "/ecran/",
        "/ecran/orateur/",
        f"/ecran/?at={convention.starts_on}T14:50",  # the clock-driven screen (the console drives)
        "/direct/",
        "/connexion/",
        "/connexion/not-a-token/",
        "/votes/",
        f"/votes/{approval.pk}/resultats/",
        f"/votes/{mj.pk}/resultats/",
        f"/votes/{approval.pk}/recu/",
        f"/votes/{approval.pk}/ecran/",
        f"/votes/{mj.pk}/ecran/",
        f"/votes/{live.pk}/ecran/",
        *verifiable["public"],
        "/tirage/",
        f"/tirage/{draw.pk}/",
        f"/charte/{charter.pk}/",
        f"/charte/{charter.pk}/table/1/{hall.tables.get(number=1).token()}/",
        "/interventions/proposer/",
        "/admin/login/",
        "/assemblee/",
        facilitator_page,
    ]
    as_member = [
        f"/votes/{live.pk}/",
        f"/votes/{approval.pk}/",
        *verifiable["member"],
        "/interventions/mes-propositions/",
        "/tirage/mon-tirage/",
        "/ateliers/mon-parcours/",
        "/direct/",
        "/ateliers/sujets/",
        "/assemblee/mon-invitation/",
        f"/charte/{charter.pk}/amender/",
    ]
    as_proposer = ["/interventions/proposer/", "/interventions/mes-propositions/"]
    as_organizer = [
        "/organisation/",
        "/organisation/interventions/",
        "/organisation/programme/",
        "/organisation/coulisses/",
        "/votes/organisation/",
        f"/votes/organisation/{approval.pk}/",
        f"/votes/organisation/{live.pk}/",
        *verifiable["organizer"],
        "/tirage/organisation/",
        f"/tirage/organisation/{draw.pk}/",
        "/ateliers/organisation/",
        "/ateliers/organisation/participants/",
        f"/ateliers/organisation/plans/{plan.pk}/",
        f"/ateliers/organisation/plans/{plan.pk}/?step=1&table=1",
        "/ateliers/organisation/tables/",
        "/ateliers/organisation/contributions/",
        "/assemblee/organisation/",
        "/charte/organisation/",
        f"/charte/organisation/{charter.pk}/",
        "/ateliers/organisation/synthese/",
        f"/ateliers/organisation/synthese/revue/{group.pk}/",
        f"/ateliers/organisation/synthese/finale/{group.campaign}/",
        "/organisation/regie/",
        "/organisation/regie/deroule/",
        "/admin/",
        "/admin/programme/convention/",
        f"/admin/programme/convention/{convention.pk}/change/",
        "/admin/members/member/",
        f"/admin/members/member/{member.pk}/change/",
        "/admin/auth/user/add/",
    ]
    # The run-of-show console drives a testimony slot (its page shows the queue and timers).
    from pnyx.live import actions as live
    from pnyx.programme.models import ItemKind

    live.start_item(
        convention,
        convention.days.first().items.filter(kind=ItemKind.TESTIMONIES).first(),
        actor="csp",
    )
    return World(
        organizer_password="csp-orga-password-123",
        member_email=member.email,
        member_user_id=user.pk,
        proposer_user_id=proposer.pk,
        proposer_email=proposer_member.email,
        organizer_user_id=organizer.pk,
        pages={
            "public": public,
            "member": as_member,
            "proposer": as_proposer,
            "organizer": as_organizer,
        },
    )


def _verifiable_votes(convention, organizer, voters) -> dict[str, list[str]]:
    """An open verifiable vote (ballot page, board, a trustee's page) and a closed, decrypted
    one (results, board, record), with three trustees played in-process."""
    import json

    from django.test import TestCase

    from pnyx.crypto import ballots, credentials, groups, tally, trustees
    from pnyx.votes import actions as votes

    out: dict[str, list[str]] = {"public": [], "member": [], "organizer": []}
    group = groups.get("RISTRETTO255")
    for closed in (False, True):
        vote = votes.create_vote(
            convention, organizer, question=f"Chiffré {closed}", method="approval", max_choices=2
        )
        for i in range(4):
            votes.add_option(vote, organizer, title=f"Option {i + 1}")
        keys = {}
        for i in range(3):
            t = votes.add_trustee(vote, organizer, name=f"Garant {i + 1}")
            priv, pub = trustees.generate_single(group)
            votes.trustee_upload_key(t, pub)
            keys[t.pk] = trustees.read_private_key(group, priv)
        votes.freeze_election(vote, organizer)
        vote.refresh_from_db()
        n = votes.electorate(vote).count()
        pairs = credentials.generate(vote.election.uuid, vote.group, n)
        votes.upload_public_credentials(vote, organizer, json.dumps([p for _, p in pairs]))
        vote = votes.open_vote(vote, organizer)
        el = votes.election_of(vote)[0]
        ids = votes.electorate_file(vote).split()
        by_id = {m.external_id: m for m in voters}
        for ext, (priv, _) in zip(ids, pairs, strict=True):
            if ext in by_id:
                votes.cast_encrypted(vote, by_id[ext], ballots.encrypt(el, [[1, 0, 1, 0]], priv))
        trustee = vote.trustees.first()
        out["public"] += [f"/votes/{vote.pk}/urne/", trustee.path()]
        out["organizer"].append(f"/votes/organisation/{vote.pk}/")
        if not closed:
            out["member"].append(f"/votes/{vote.pk}/")
            continue
        with TestCase.captureOnCommitCallbacks(execute=True):
            votes.close_vote(vote, organizer)
        vote.refresh_from_db()
        for t in vote.trustees.all():
            pd = tally.decryption_factors(el, vote.election.encrypted_tally, keys[t.pk])
            votes.upload_decryption(t, pd)
        out["public"] += [f"/votes/{vote.pk}/resultats/", f"/votes/{vote.pk}/recu/"]
    return out

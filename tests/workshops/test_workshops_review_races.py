"""Two organizers merge the same two clusters crosswise at the same moment (PostgreSQL): the
group's lock lets one merge happen; the other is told the cluster is gone; no idea is lost."""

import threading

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_crosswise_merges_at_the_same_moment_lose_no_idea(convention, organizer):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    from django.utils import translation

    from pnyx.workshops import actions, review
    from pnyx.workshops.models import Output, ReviewCluster, ReviewIdea

    hall = actions.get_hall(convention)
    campaign, step = hall.campaign_list()[0], hall.steps.get(number=1)
    for table, text in enumerate(
        ["Les factures de chauffage augmentent.", "Les factures de chauffage explosent.",
         "Les bus ne passent plus.", "Les bus ne passent plus au village."], 1
    ):  # fmt: skip
        Output.objects.create(hall=hall, table=table, step=step, campaign=campaign, impacts=text)
    run, _ = review.request_synthesis(hall, actor=organizer, enqueue=False)
    review.compute_synthesis(run.pk)
    a = ReviewIdea.objects.get(table=1).cluster
    b = ReviewIdea.objects.get(table=3).cluster
    assert a.pk != b.pk
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def merge(i, target, other):
        translation.activate("en")
        try:
            barrier.wait()
            outcomes[i] = review.merge_clusters(target, other, actor=organizer).pk
        except review.ReviewError as e:
            outcomes[i] = str(e)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=merge, args=(0, a, b)),
        threading.Thread(target=merge, args=(1, b, a)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    won = [o for o in outcomes if isinstance(o, int)]
    lost = [o for o in outcomes if isinstance(o, str)]
    assert len(won) == 1 and len(lost) == 1 and "no longer exists" in lost[0], outcomes
    assert list(ReviewCluster.objects.filter(group=a.group).values_list("pk", flat=True)) == won
    assert ReviewIdea.objects.filter(cluster_id=won[0]).count() == 4

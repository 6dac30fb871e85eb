from pnyx.journal.models import JournalHead
from pnyx.votes import actions


def test_results_page_shows_the_journal_head(make_vote, members, client):
    vote = make_vote("approval", n_options=3)
    for m in members[:3]:
        actions.cast(vote, m, ["P01"])
    actions.close_vote(vote, "orga")
    head = JournalHead.objects.get()
    html = client.get(f"/votes/{vote.pk}/resultats/").content.decode()
    assert head.seq > 0 and f'<code class="hash">{head.hash}</code>' in html
    assert 'href="/journal/"' in html

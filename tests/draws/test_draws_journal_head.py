from pnyx.journal.models import JournalHead


def test_public_draw_page_shows_the_journal_head(revealed, client):
    head = JournalHead.objects.get()
    html = client.get(f"/tirage/{revealed.pk}/").content.decode()
    assert head.seq > 0 and f'<code class="hash">{head.hash}</code>' in html
    assert 'href="/journal/"' in html

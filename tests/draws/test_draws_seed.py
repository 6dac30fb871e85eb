"""The seed as the app records it (docs/lottery.md, "The seed")."""

import unicodedata

from pnyx import lottery
from pnyx.draws import actions, engine


def test_the_app_trims_the_seed_and_keeps_its_text_otherwise(computed, organizer):
    actions.publish_digest(computed, organizer)
    typed = "\u00a0 Dé 6 · 2 5\n"
    draw = actions.reveal(computed, unicodedata.normalize("NFD", typed), "Alice", organizer)
    draw.refresh_from_db()
    # Surrounding white space (Unicode's, as str.strip) goes; nothing else changes: the NFD
    # accent stays decomposed, inner spaces stay.
    assert draw.seed == unicodedata.normalize("NFD", "Dé 6 · 2 5")
    assert draw.seed != "Dé 6 · 2 5"
    dist = engine.load_distribution(draw)
    assert sorted(actions.current_panel(draw)) == lottery.sample_panel(dist, draw.seed)

"""Draw pages in French: no English labels ("Pool", "Feature", "Helper"), bands in words (not
"0-1y"), step numbers apart from the step before them, non-breaking spaces."""

import re
from html import unescape

from django.urls import reverse

NBSP = "\u00a0"


def _french(client, url) -> str:
    client.cookies["django_language"] = "fr"
    html = unescape(client.get(url).content.decode())
    return re.sub(r"[ \t\r\n]+", " ", html)


def _labels(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r"<label[^>]*>(.*?)</label>", html)
    ]


def test_draw_forms_are_labelled_in_french(organizer_client, draft):
    listing = _french(organizer_client, reverse("draws:organizer_list"))
    page = _french(organizer_client, reverse("draws:organizer_draw", args=[draft.pk]))
    labels = _labels(listing) + _labels(page)
    assert f"Vivier de volontaires{NBSP}:" in labels
    assert f"Catégorie{NBSP}:" in labels and f"Remplir les quotas{NBSP}:" in labels
    for english in ("Pool", "Feature", "Helper"):
        assert not any(label.startswith(english) for label in labels), (english, labels)


def test_bands_are_named_in_words(organizer_client, draft):
    page = _french(organizer_client, reverse("draws:organizer_draw", args=[draft.pk]))
    assert '<th scope="row">2 à 4 ans</th>' in page
    assert '<th scope="row">5 ans et plus</th>' in page
    assert '<th scope="row">moins de 25 ans</th>' in page
    assert '<th scope="row">65 ans et plus</th>' in page
    assert not re.search(r">\s*(\d+-\d+y|\d+y\+|<25|65\+)\s*<", page)


def test_steps_of_a_draw_are_numbered_in_the_text(organizer_client, revealed):
    page = _french(organizer_client, reverse("draws:organizer_draw", args=[revealed.pk]))
    steps = page[
        page.index('<ol class="steps">') : page.index("</ol>", page.index('class="steps"'))
    ]
    text = re.sub(r"<[^>]+>", " ", steps)
    text = re.sub(r"\s+", " ", text).strip()
    assert text == "1. Quotas 2. Distribution 3. Empreinte publiée 4. Graine et panel"


def test_chances_are_rounded_not_cut():
    from django.utils import translation

    from pnyx.draws.templatetags.draws_tags import percent

    with translation.override("fr"):
        assert percent(0.41289, 1) == f"41,3{NBSP}%"
        assert percent(0.4125, 2) == f"41,25{NBSP}%"
    with translation.override("en"):
        assert percent(0.41289, 1) == f"41.3{NBSP}%"

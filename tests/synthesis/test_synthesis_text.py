"""Idea units and French normalisation."""

from __future__ import annotations

import pytest

from pnyx.synthesis import split_ideas, stem, strip_accents, terms


def test_lines_and_bullets_are_units():
    text = (
        "- Baisser les factures\n* isoler les logements\n• gratuité des bus\n\n1. santé\n2) école"
    )
    assert split_ideas(text) == [
        "Baisser les factures",
        "isoler les logements",
        "gratuité des bus",
        "santé",
        "école",
    ]


def test_semicolons_inline_bullets_and_sentences_cut():
    assert split_ideas("bus gratuits; plus de trains · eau publique") == [
        "bus gratuits",
        "plus de trains",
        "eau publique",
    ]
    # A sentence ends before a capital letter only ("etc. et puis" stays whole).
    assert split_ideas("Isoler les logements. Baisser les loyers ! Et la santé? etc. et puis") == [
        "Isoler les logements.",
        "Baisser les loyers !",
        "Et la santé? etc. et puis",
    ]


def test_windows_line_ends_trailing_punctuation_and_empty_pieces():
    assert split_ideas("a b,\r\n\r\n - \r\n;;\n   c d :") == ["a b", "c d"]
    assert split_ideas("") == []
    assert split_ideas(" \n\t \n-\n•") == []


@pytest.mark.parametrize(
    "a, b",
    [
        ("factures", "facture"),
        ("logements", "loger"),
        ("rénovation", "rénover"),
        ("électricité", "électrique"),
        ("énergie", "énergétiques"),
        ("isolation", "isoler"),
        ("chères", "cher"),
        ("sociaux", "social"),
        ("transports", "transport"),
    ],
)
def test_light_stemmer_joins_forms(a, b):
    assert stem(strip_accents(a)) == stem(strip_accents(b))


def test_stemmer_keeps_short_words():
    assert stem("bus") == "bus"
    assert stem("eau") == "eau"
    assert stem("2030") == "2030"


def test_terms_drop_stop_words_and_elisions_and_keep_written_forms():
    assert terms("Il faut baisser les factures d’électricité, trop chères !") == [
        ("baiss", "baisser"),
        ("factur", "factures"),
        ("electr", "électricité"),
        ("cher", "chères"),
    ]
    assert terms("L'Œuvre") == [("oeuvr", "œuvre")]
    assert terms("et de la pour les") == []


def test_strip_accents():
    assert strip_accents("Énergie, cœur, ÇA") == "energie, coeur, ca"

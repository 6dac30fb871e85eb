"""The Markdown importer: sections and articles, and errors that name the line."""

import pytest
from charter_text import SOURCE
from hypothesis import given, settings
from hypothesis import strategies as st

from pnyx.amending import Article
from pnyx.amending.markdown import MarkdownError, parse, to_markdown


def test_headings_are_sections_and_paragraphs_articles():
    text = parse(SOURCE)
    assert text.title == "Charte des groupes d'action"
    assert [a.key for a in text.articles] == ["a1", "a2", "a3", "a4"]
    assert [a.section for a in text.articles] == ["Principes"] * 2 + ["Fonctionnement"] * 2
    assert text.articles[2].text == "Un groupe se réunit au moins une fois par mois."
    assert parse(to_markdown(text.title, text.articles)) == text


def test_a_paragraph_over_several_lines_is_one_article():
    text = parse("## S\n\nUne phrase\nsur deux lignes.\n\nUne autre.\n")
    assert [a.text for a in text.articles] == ["Une phrase sur deux lignes.", "Une autre."]


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("## S\n\nUn article.\n\n- une liste\n- deux\n", 5, "a list is not allowed"),
        ("Avant tout titre.\n\n## S\n\nArticle.\n", 1, "before the first section"),
        ("## S\n\nArticle.\n\n## Vide\n\n## T\n\nArticle.\n", 5, "“Vide” has no article"),
        ("## S\n\nArticle.\n\n```\ncode\n```\n", 5, "a code block"),
        ("## S\n\nArticle.\n\n> citation\n", 5, "a quotation"),
        ("## S\n\n" + "x" * 4001 + "\n", 3, "4001 characters"),
    ],
)
def test_errors_name_the_line(source, line, words):
    with pytest.raises(MarkdownError) as e:
        parse(source)
    assert e.value.line == line
    assert words in str(e.value) and str(e.value).startswith(f"line {line}: ")


def test_a_file_without_articles_is_refused():
    with pytest.raises(MarkdownError, match="no article"):
        parse("# Titre seul\n")


words = st.text(alphabet="abcdéèfgh ,.'", min_size=1, max_size=30).map(
    lambda s: " ".join(s.split())
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(words.filter(bool), st.lists(words.filter(bool), min_size=1, max_size=4)),
        min_size=1,
        max_size=4,
    )
)
def test_writing_then_parsing_gives_the_articles_back(sections):
    articles = [
        Article(f"a{i}", name, text)
        for i, (name, text) in enumerate(((name, t) for name, texts in sections for t in texts), 1)
    ]
    text = parse(to_markdown("Titre", articles))
    assert text.title == "Titre"
    # Consecutive sections of the same name merge into one: compare article by article.
    assert [(a.key, a.section, a.text) for a in text.articles] == [
        (a.key, a.section, a.text) for a in articles
    ]

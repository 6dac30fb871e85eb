"""A charter's text from Markdown (CommonMark, parsed by markdown-it-py). Pure: no Django.

- an optional first-level heading (``# …``) before any section is the text's title;
- every other heading (``#`` to ``######``) starts a section, named by the heading;
- every paragraph is one article, in the section above it; its lines are joined by spaces;
- anything else (lists, quotes, code, tables, HTML, rules) is refused: an article is a
  paragraph. So is a paragraph before the first section, an empty section, a file without
  articles, and an article longer than `MAX_ARTICLE` characters.

Errors name the line (1-based) and what is wrong; nothing is half-imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

from . import Article

MAX_ARTICLE = 4000
MAX_ARTICLES = 500

_BLOCK_NAMES = {
    "bullet_list_open": "a list",
    "ordered_list_open": "a numbered list",
    "blockquote_open": "a quotation",
    "fence": "a code block",
    "code_block": "a code block",
    "table_open": "a table",
    "html_block": "HTML",
    "hr": "a horizontal rule",
}


#: The English wording of each error (the charter app translates them by the same codes).
MESSAGES = {
    "nul": "the file contains a NUL character; is it a text file?",
    "empty_heading": "an empty heading",
    "empty_section": "the section “{section}” has no article (a paragraph)",
    "before_section": "an article before the first section heading (start a section with ## …)",
    "too_long": "an article of {length} characters; at most {max}",
    "too_many": "more than {max} articles",
    "block": "{block} is not allowed here: each article is a paragraph",
    "no_article": "no article: write sections (## …) and paragraphs",
}


class MarkdownError(ValueError):
    """A text that cannot be imported: ``code`` (a key of MESSAGES) and its ``params``;
    ``line`` is 1-based (None: the whole file)."""

    def __init__(self, code: str, line: int | None = None, **params):
        self.code, self.line, self.params = code, line, params
        if code == "block":
            params = {**params, "block": _BLOCK_NAMES.get(params["block"], params["block"])}
        self.message = MESSAGES[code].format(**params)
        super().__init__(f"line {line}: {self.message}" if line else self.message)


@dataclass(frozen=True)
class Text:
    title: str
    articles: tuple[Article, ...]


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def parse(source: str) -> Text:
    """The title and articles of `source` (keys a1, a2… in order); MarkdownError otherwise."""
    if "\x00" in source:
        raise MarkdownError("nul")
    tokens = _parser().parse(source)
    title = ""
    section: str | None = None
    section_line = 0
    section_articles = 0
    articles: list[Article] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = tok.map[0] + 1 if tok.map else None
        if tok.type == "heading_open":
            name = " ".join(tokens[i + 1].content.split())
            if not name:
                raise MarkdownError("empty_heading", line)
            if tok.tag == "h1" and section is None and not title and not articles:
                title = name
            else:
                if section is not None and section_articles == 0:
                    raise MarkdownError("empty_section", section_line, section=section)
                section, section_line, section_articles = name, line or 0, 0
            i += 3  # heading_open, inline, heading_close
            continue
        if tok.type == "paragraph_open":
            text = " ".join(tokens[i + 1].content.split())
            if section is None:
                raise MarkdownError("before_section", line)
            if len(text) > MAX_ARTICLE:
                raise MarkdownError("too_long", line, length=len(text), max=MAX_ARTICLE)
            articles.append(Article(f"a{len(articles) + 1}", section, text))
            if len(articles) > MAX_ARTICLES:
                raise MarkdownError("too_many", line, max=MAX_ARTICLES)
            section_articles += 1
            i += 3
            continue
        raise MarkdownError("block", line, block=tok.type)
    if section is not None and section_articles == 0:
        raise MarkdownError("empty_section", section_line, section=section)
    if not articles:
        raise MarkdownError("no_article")
    return Text(title, tuple(articles))


def to_markdown(title: str, articles: tuple[Article, ...] | list[Article]) -> str:
    """The inverse of `parse` for its own output (titles, sections, one paragraph each)."""
    out = [f"# {title}\n"] if title else []
    section = None
    for a in articles:
        if a.section != section:
            section = a.section
            out.append(f"## {section}\n")
        out.append(f"{a.text}\n")
    return "\n".join(out)

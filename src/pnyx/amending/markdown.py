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


class MarkdownError(ValueError):
    """A text that cannot be imported; ``line`` is 1-based (None: the whole file)."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(frozen=True)
class Text:
    title: str
    articles: tuple[Article, ...]


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def parse(source: str) -> Text:
    """The title and articles of `source` (keys a1, a2… in order); MarkdownError otherwise."""
    if "\x00" in source:
        raise MarkdownError("the file contains a NUL character; is it a text file?")
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
                raise MarkdownError("an empty heading", line)
            if tok.tag == "h1" and section is None and not title and not articles:
                title = name
            else:
                if section is not None and section_articles == 0:
                    raise MarkdownError(
                        f"the section “{section}” has no article (a paragraph)", section_line
                    )
                section, section_line, section_articles = name, line or 0, 0
            i += 3  # heading_open, inline, heading_close
            continue
        if tok.type == "paragraph_open":
            text = " ".join(tokens[i + 1].content.split())
            if section is None:
                raise MarkdownError(
                    "an article before the first section heading (start a section with ## …)",
                    line,
                )
            if len(text) > MAX_ARTICLE:
                raise MarkdownError(
                    f"an article of {len(text)} characters; at most {MAX_ARTICLE}", line
                )
            articles.append(Article(f"a{len(articles) + 1}", section, text))
            if len(articles) > MAX_ARTICLES:
                raise MarkdownError(f"more than {MAX_ARTICLES} articles", line)
            section_articles += 1
            i += 3
            continue
        what = _BLOCK_NAMES.get(tok.type, tok.type)
        raise MarkdownError(f"{what} is not allowed here: each article is a paragraph", line)
    if section is not None and section_articles == 0:
        raise MarkdownError(f"the section “{section}” has no article (a paragraph)", section_line)
    if not articles:
        raise MarkdownError("no article: write sections (## …) and paragraphs")
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

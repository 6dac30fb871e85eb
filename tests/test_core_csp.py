"""Content-Security-Policy: every response carries a strict policy, and no page needs more (no
inline script without the nonce, no inline style or event handler, no javascript: link).

The browser's own verdict, with the pages' scripts running, is tests/e2e/test_e2e_csp.py.
"""

from html.parser import HTMLParser

import pytest
from csp_pages import build
from django.test import Client

pytestmark = pytest.mark.django_db

DATA_SCRIPTS = {"application/json", "application/ld+json", "text/template"}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response):
    p = policy(response)
    where = response.request["PATH_INFO"]
    assert p["default-src"] == ["'self'"], where
    assert p["object-src"] == ["'none'"], where
    assert p["base-uri"] == ["'self'"], where
    assert p["frame-ancestors"] == ["'none'"], where
    assert p["form-action"] == ["'self'"], where
    for directive in ("script-src", "style-src"):
        values = p.get(directive, p["default-src"])
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values, (where, values)
        assert "*" not in values and "data:" not in values, (where, values)


class InlineCode(HTMLParser):
    """What a strict policy blocks in a page: inline scripts and styles without the nonce,
    style attributes, on* event handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not a.get("src") and a.get("type") not in DATA_SCRIPTS:
            if "nonce" not in a:
                self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style" and "nonce" not in a:
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> at line {self.getpos()[0]}")
            if name == "style":
                self.found.append(f'<{tag} style="{value}"> at line {self.getpos()[0]}')
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_checker_finds_what_the_policy_blocks():
    assert inline_code(
        '<script>x()</script><script nonce="n">ok()</script><script src="/a.js"></script>'
        '<script type="application/json">{}</script><style>p{}</style>'
        '<a href="javascript:print()" onclick="y()">p</a><span style="width: 3%"></span>'
    ) == [
        "inline <script> at line 1",
        "<style> at line 1",
        "<a href='javascript:print()'> at line 1",
        "<a onclick=…> at line 1",
        '<span style="width: 3%"> at line 1',
    ]


@pytest.fixture
def world():
    return build()


def _clients(world):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    clients = {"public": Client()}
    for who in ("member", "proposer", "organizer"):
        clients[who] = Client()
        clients[who].force_login(User.objects.get(pk=getattr(world, f"{who}_user_id")))
    return clients


def test_every_main_page_carries_a_strict_policy_and_needs_no_more(world):
    clients = _clients(world)
    problems, statuses = {}, {}
    for who, paths in world.pages.items():
        for path in paths:
            r = clients[who].get(path, follow=True)
            expected = 410 if path == "/connexion/not-a-token/" else 200
            if r.status_code != expected:
                statuses[(who, path)] = r.status_code
            assert_strict(r)
            found = inline_code(r.content.decode())
            if found:
                problems[path] = found
    assert statuses == {}
    assert problems == {}


def test_other_responses_carry_the_policy_too(world, client):
    for path in ("/programme.ics", "/no-such-page/", "/votes/999999/"):
        r = client.get(path)
        assert_strict(r)
    r = client.post("/connexion/", {"email": "someone@example.org"})
    assert r.status_code == 200
    assert_strict(r)

"""End-to-end tests in Debian's headless Chromium, driven by Playwright (no browser download)."""

import os
import re

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test still talks to the
    # database synchronously, which is safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(django_db_blocker):
    """Rate limits count in the shared cache, a table that flushing the database leaves alone:
    each story starts with no count (they all sign in from 127.0.0.1)."""
    yield
    from django.core.cache import caches

    with django_db_blocker.unblock():
        caches["default"].clear()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(locale="fr-FR"):
        ctx = browser.new_context(locale=locale, viewport={"width": 390, "height": 844})  # a phone
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def sign_in_by_link(live_server):
    """Sign a page in as a member, the way members do: ask for a link, open it, confirm."""
    from django.core import mail

    def sign_in(page, email):
        page.goto(live_server.url + "/connexion/")
        page.get_by_label("Votre adresse électronique").fill(email)
        page.get_by_role("button", name="M'envoyer un lien de connexion").click()
        page.get_by_text("Consultez vos courriels").wait_for()
        link = re.search(r"http://\S+/connexion/\S+/", mail.outbox[-1].body).group(0)
        page.goto(live_server.url + link[link.index("/connexion/") :])
        page.get_by_role("button", name="Me connecter").click()
        page.get_by_text("Vous êtes connecté·e.").wait_for()

    return sign_in


@pytest.fixture
def nadia(transactional_db):
    """The member who signs in, in the end-to-end stories."""
    from pnyx.members.models import Member

    return Member.objects.create(
        external_id="E1",
        first_name="Nadia",
        last_name="Haddad",
        email="nadia@example.org",
        gender="F",
        region="Occitanie",
        birth_year=1988,
        joined_on="2017-02-01",
        volunteer=True,
    )

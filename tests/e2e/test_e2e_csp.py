"""Chromium visits the main pages (public, member, organizer, admin) under the site's
Content-Security-Policy: any violation the browser reports fails the test, and the pages'
scripts still do their work (ballot counter, projector refresh, print button)."""

import pytest
from csp_pages import build

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every violation the page sees, as the browser reports it (the event fires on the document).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} `
                    + `(${e.sourceFile}:${e.lineNumber}) ${e.sample || ""}`);
});
"""


class Watch:
    """A page whose CSP violations (events and console messages) are collected."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None,
        )

    def visit(self, url) -> list[str]:
        response = self.page.goto(url)
        assert response is not None and response.status < 500, (url, response and response.status)
        assert "content-security-policy" in response.headers, url
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(150)  # violation reports are dispatched asynchronously
        found = self.page.evaluate("window.__csp || []") + self.console
        self.console.clear()
        return found


def _sign_in_organizer(page, url, world):
    page.goto(url + "/admin/login/?next=/organisation/")
    page.fill("#id_username", "csp-orga")
    page.fill("#id_password", world.organizer_password)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/organisation/")


def test_no_page_breaks_the_policy_and_scripts_still_work(live_server, new_page, sign_in_by_link):
    world = build()
    url = live_server.url
    pages = {who: new_page() for who in ("public", "member", "proposer", "organizer")}
    watches = {who: Watch(page) for who, page in pages.items()}

    # The harness sees a violation when there is one (a style attribute injected by a script).
    probe = watches["public"]
    assert probe.visit(url + "/") == []
    pages["public"].evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    )
    pages["public"].wait_for_timeout(150)
    assert any("style-src" in v for v in pages["public"].evaluate("window.__csp")), "no report"
    assert any("style-src" in m for m in probe.console)
    probe.console.clear()

    sign_in_by_link(pages["member"], world.member_email)
    sign_in_by_link(pages["proposer"], world.proposer_email)
    _sign_in_organizer(pages["organizer"], url, world)

    violations = {}
    for who, paths in world.pages.items():
        for path in paths:
            found = watches[who].visit(url + path)
            if found:
                violations[(who, path)] = found
    assert violations == {}

    # The scripts still work under the policy.
    public = pages["public"]
    watches["public"].visit(url + "/")
    public.get_by_role("button", name="Imprimer").wait_for()  # shown and bound by print.js

    member = pages["member"]
    live_ballot = next(p for p in world.pages["member"] if p.startswith("/votes/"))
    watches["member"].visit(url + live_ballot)
    member.get_by_label("Choix 1", exact=True).check()
    member.get_by_label("Choix 4", exact=True).check()
    assert member.locator(".counter").inner_text().replace(" ", "") == "2/2"
    assert member.get_by_label("Choix 2", exact=True).is_disabled()

    screen = next(p for p in world.pages["public"] if p.endswith("/ecran/") and "votes" in p)
    with public.expect_response(
        lambda r: "/ecran/" in r.url and r.request.resource_type == "fetch"
    ):
        watches["public"].visit(url + screen)  # screen.js fetches its content every 3 s
    public.wait_for_timeout(200)
    assert public.evaluate("window.__csp") == []

"""What the pages look like in a real browser: every button can be read (WCAG AA contrast, from
the computed styles), and the hall map's tables stay inside their part, on a laptop and a phone."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]

# Contrast ratio (WCAG 2.x) of each visible button and a.button: its text colour against the
# first non-transparent background found walking up from it (white at the top).
CONTRASTS_JS = """
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  };
  const out = [];
  for (const el of document.querySelectorAll("button, a.button")) {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (!r.width || !r.height || s.visibility === "hidden") continue;
    const bg = background(el);
    let fg = parse(s.color);
    fg = [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    out.push({text: el.textContent.trim(), ratio: (a + 0.05) / (b + 0.05)});
  }
  return out;
}
"""

# Tables of the hall map whose box is not inside their part's box.
OUTSIDE_JS = """
() => {
  const out = [];
  for (const part of document.querySelectorAll(".hall-part")) {
    const p = part.getBoundingClientRect();
    for (const t of part.querySelectorAll(".hall-table")) {
      const r = t.getBoundingClientRect();
      if (r.left < p.left - 0.5 || r.right > p.right + 0.5 || r.top < p.top - 0.5
          || r.bottom > p.bottom + 0.5) out.push(t.textContent.trim());
      // and its number fits in it (nothing cut off)
      if (t.scrollWidth > t.clientWidth + 1 || t.scrollHeight > t.clientHeight + 1)
        out.push("cut: " + t.textContent.trim());
    }
  }
  return {outside: out, tables: document.querySelectorAll(".hall-table").length,
          scroll: document.documentElement.scrollWidth};
}
"""


@pytest.fixture
def hall_with_plan(django_user_model):
    """The demo programme, 168 participants, an 8-column hall (as in the demo), a published plan
    (24 tables of 7, 8 a part), an accepted intervention placed in a testimony slot."""
    from pnyx.members.models import ActionGroup, Member
    from pnyx.programme import demo
    from pnyx.programme.models import Intervention, ItemKind, Participant
    from pnyx.workshops import actions

    convention = demo.load()
    organizer = django_user_model.objects.create_superuser(
        "orga", "orga@example.org", "orga-e2e-password"
    )
    groups = [ActionGroup.objects.create(name=f"Groupe {i}") for i in range(30)]
    members = []
    for i in range(168):
        m = Member.objects.create(
            external_id=f"E{i:03d}",
            first_name=f"Prénom{i}",
            last_name=f"Nom{i}",
            email=f"p{i}@example.org",
            gender="FMFMFMX"[i % 7],
            region=["Bretagne", "Occitanie", "Grand Est", "Normandie"][i % 4],
            birth_year=1950 + (i * 7) % 50,
            joined_on="2017-02-01",
            action_group=groups[i % 30] if i % 3 else None,
        )
        members.append(m)
        Participant.objects.create(convention=convention, member=m, source="drawn")
    hall = actions.get_hall(convention)
    hall.columns = 8
    hall.table_max = 7
    hall.save()
    plan = actions.run_plan(hall, organizer)
    actions.publish(plan, organizer)
    slot = convention.days.first().items.filter(kind=ItemKind.TESTIMONIES).first()
    Intervention.objects.create(
        convention=convention,
        member=members[0],
        title="Une épicerie solidaire",
        summary="…",
        format="speak",
        status="accepted",
        slot=slot,
        slot_position=1,
    )
    return plan


def _signed_in_page(browser, live_server, width):
    ctx = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = ctx.new_page()
    page.goto(live_server.url + "/admin/login/?next=/organisation/")
    page.fill("#id_username", "orga")
    page.fill("#id_password", "orga-e2e-password")
    page.locator("input[type=submit]").click()
    page.get_by_role("heading", name="Organisation").wait_for()
    return ctx, page


@pytest.mark.parametrize("width", WIDTHS)
def test_every_button_is_readable(browser, live_server, hall_with_plan, width):
    ctx, page = _signed_in_page(browser, live_server, width)
    try:
        pages = {
            "/organisation/programme/": ["↑", "↓", "Retirer"],
            "/ateliers/organisation/tables/": ["Nouveau QR code"],
            f"/ateliers/organisation/plans/{hall_with_plan.pk}/": ["Déplacer"],
            "/ateliers/": ["Déconnexion", "English"],
        }
        for path, expected in pages.items():
            page.goto(live_server.url + path)
            found = page.evaluate(CONTRASTS_JS)
            texts = {b["text"] for b in found}
            assert set(expected) <= texts, (path, texts)
            low = [(b["text"], round(b["ratio"], 2)) for b in found if b["ratio"] < 4.5]
            assert not low, (path, width, low)
    finally:
        ctx.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_hall_map_tables_stay_inside_their_part(browser, live_server, hall_with_plan, width):
    ctx, page = _signed_in_page(browser, live_server, width)
    try:
        page.goto(live_server.url + f"/ateliers/organisation/plans/{hall_with_plan.pk}/")
        got = page.evaluate(OUTSIDE_JS)
        assert got["tables"] == 24
        assert got["outside"] == [], got
        assert got["scroll"] <= width
    finally:
        ctx.close()

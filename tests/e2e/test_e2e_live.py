"""The closing session, live: the operator runs a testimonies item and every screen follows.

Three browser contexts (the hall's projector, the speaker's stage timer, a participant's
phone) follow the live state through `live.js` under Django's live_server (WSGI: the stream's
bounded WSGI response, then polling when it ends). The operator is driven through the console's
actions (pnyx.live.actions), each of which publishes the state.
"""

import base64
import datetime as dt
import re

import pytest
from live_states import at, publish, speaker, state

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A real, tiny WebM recorded by the browser itself (no video file ships with the tests).
RECORD_WEBM = """async () => {
  const c = document.createElement("canvas"); c.width = 160; c.height = 90;
  const g = c.getContext("2d");
  const rec = new MediaRecorder(c.captureStream(25), {mimeType: "video/webm"});
  const chunks = []; rec.ondataavailable = (e) => chunks.push(e.data);
  let n = 0; const t = setInterval(() => { g.fillStyle = n++ % 2 ? "#a00" : "#00a"; g.fillRect(0, 0, 160, 90); }, 40);
  rec.start(); await new Promise((r) => setTimeout(r, 1500));
  const done = new Promise((r) => (rec.onstop = r)); rec.stop(); await done; clearInterval(t);
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let s = ""; for (const b of bytes) s += String.fromCharCode(b); return btoa(s);
}"""


def test_the_operator_runs_the_testimonies_and_the_hall_the_stage_and_a_phone_follow(
    live_server, browser
):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from pnyx.members.models import Member
    from pnyx.programme import demo
    from pnyx.programme.models import Intervention, Item, ItemKind

    convention = demo.load()
    items = list(
        Item.objects.filter(day__convention=convention)
        .select_related("day")
        .order_by("day__date", "starts_at")
    )
    slot = next(i for i in items if i.kind == ItemKind.TESTIMONIES)
    upcoming = [i for i in items if (i.day.date, i.starts_at) > (slot.day.date, slot.starts_at)][:2]

    # The hall's projector records the video of the second testimony.
    hall_ctx = browser.new_context(locale="fr-FR", viewport={"width": 1920, "height": 1080})
    hall_ctx.set_default_timeout(15_000)
    hall = hall_ctx.new_page()
    webm = base64.b64decode(hall.evaluate(RECORD_WEBM))
    author = Member.objects.create(
        external_id="V1",
        first_name="Léo",
        last_name="Martin",
        email="leo@example.org",
        gender="M",
        region="Bretagne",
        birth_year=1990,
        joined_on="2018-01-01",
    )
    video = Intervention.objects.create(
        convention=convention,
        member=author,
        title="Mon quartier en vidéo",
        summary="s",
        format="video",
        status="accepted",
        slot=slot,
        slot_position=2,
        video_type="video/webm",
        video_size=len(webm),
    )
    video.video_file.save("t.webm", ContentFile(webm))
    video_url = f"/interventions/{video.pk}/video/"

    now = timezone.now()
    # 1. The operator starts the testimonies item (12 minutes late).
    base = dict(offset_minutes=12, upcoming=upcoming, started_at=now)
    publish(convention, state(convention, now, slot, **base))

    stage_ctx = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    stage_ctx.set_default_timeout(15_000)
    stage = stage_ctx.new_page()
    phone_ctx = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    phone_ctx.set_default_timeout(15_000)
    phone = phone_ctx.new_page()
    hall.goto(live_server.url + "/ecran/")
    stage.goto(live_server.url + "/ecran/orateur/")
    phone.goto(live_server.url + "/direct/")
    screens = (hall, stage, phone)
    for page in screens:
        page.locator("[data-live='title']").first.filter(has_text=slot.title).wait_for()
    shifted = (at(upcoming[0]) + dt.timedelta(minutes=12)).strftime("%H:%M")
    for page in (hall, phone):
        page.locator("[data-live='upcoming'] li").first.filter(has_text=shifted).wait_for()
        assert "+12 min" in page.locator("[data-live='upcoming'] li").first.inner_text()

    # 2. The first speaker is called, then starts speaking.
    awa = speaker(n=1, name="Awa Diallo", title="Le bus du matin", seconds=120, started_at=now)
    publish(convention, state(convention, now, slot, **base, speaker=awa))
    for page in screens:
        page.locator("[data-live='speaker-name']").first.filter(has_text="Awa Diallo").wait_for()
    stage.locator("[data-live='timer']", has_text=re.compile(r"^1:[45]\d$")).wait_for()

    # 3. The second speaker is a video: called (the hall preloads it), then played.
    leo = speaker(
        n=video.pk,
        name="Léo Martin",
        title="Mon quartier en vidéo",
        kind="video",
        seconds=60,
        video={"url": video_url, "link": ""},
    )
    publish(convention, state(convention, now, slot, **base, speaker=leo))
    preloaded = hall.locator(f"video.hall-video[src='{video_url}']")
    preloaded.wait_for(state="attached")
    assert preloaded.get_attribute("preload") == "auto" and preloaded.is_hidden()
    hall.locator("[data-live='speaker-name']", has_text="Léo Martin").wait_for()
    leo["playing"], leo["started_at"] = True, timezone.now().isoformat()
    publish(convention, state(convention, now, slot, **base, speaker=leo))
    hall.locator("main[data-live-video='playing']").wait_for()
    assert preloaded.is_visible()
    assert hall.evaluate("document.querySelector('video.hall-video').readyState") >= 3

    # 4. A message for the hall, then one for the stage.
    leo["playing"] = False
    hello = {"text": "Merci Léo !", "target": "hall"}
    publish(convention, state(convention, now, slot, **base, speaker=leo, message=hello))
    hall.locator("[data-live='hall-message']", has_text="Merci Léo").wait_for()
    assert preloaded.is_hidden() or hall.locator("video.hall-video").count() == 0
    conclude = {"text": "Concluez", "target": "stage"}
    publish(convention, state(convention, now, slot, **base, speaker=awa, message=conclude))
    stage.locator("[data-live='stage-message']", has_text="Concluez").wait_for()
    hall.locator("[data-live='hall-message']").wait_for(state="hidden")

    # 5. Awa runs over her time: the stage shows it in red, negative; the day slips to +15 min.
    over = {**awa, "started_at": (timezone.now() - dt.timedelta(seconds=150)).isoformat()}
    late = {**base, "offset_minutes": 15}
    publish(convention, state(convention, now, slot, **late, speaker=over, message=conclude))
    stage.locator(
        "[data-live='timer'].live-over", has_text=re.compile("^\u22120:[34]\\d$")
    ).wait_for()
    stage.locator("[data-live='offset']", has_text="+15 min").wait_for()
    later = (at(upcoming[0]) + dt.timedelta(minutes=15)).strftime("%H:%M")
    for page in (hall, phone):
        page.locator("[data-live='upcoming'] li").first.filter(has_text=later).wait_for()
        assert "+15 min" in page.locator("[data-live='upcoming'] li").first.inner_text()
    print(
        "transports:",
        [p.locator("[data-live-role]").get_attribute("data-live-status") for p in screens],
    )
    for ctx in (hall_ctx, stage_ctx, phone_ctx):
        ctx.close()

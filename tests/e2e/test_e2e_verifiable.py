"""Issue 10, end to end: a verifiable vote through the real pages in Chromium and the real
`pnyx` command on each trustee's and the credential authority's "own machine" (a temporary
directory of their own, a subprocess). Trustees set up the key (threshold 2 of 3), the authority
makes the credentials offline, members vote (the booth encrypts in the browser, the receipt is on
the public bulletin board, one re-votes), the organizer closes, two trustees decrypt, and the
result page, the downloaded record and `pnyx verify-election` (and `belenios-tool` for
BELENIOS-2048) agree; a record changed by one byte in a ballot is refused.

PNYX_E2E_SCREENSHOTS=DIR saves the pages met at 1280 and 390 px wide into DIR.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PNYX = [sys.executable, "-m", "pnyx.cli"]
OPTIONS = ["Transports gratuits", "Logement pour tous", "Écoles ouvertes", "Eau publique", "Vélo"]
#: member -> the options ticked (approval, up to 2); "E3" re-votes, its last ballot counts.
CHOICES = {
    "E1": ["Transports gratuits", "Eau publique"],
    "E2": ["Transports gratuits"],
    "E3": ["Logement pour tous", "Vélo"],
    "E4": ["Eau publique", "Vélo"],
}
#: The re-voter's last ballot is blank (« Voter blanc »): in the turnout, for no option.
REVOTE = ("E3", [])
#: The booth's encryption (and the server's proofs check) on a loaded 2-core machine.
ENCRYPT_TIMEOUT = 60_000


def pnyx(*args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess:
    """The `pnyx` command, as its user runs it in their own directory."""
    r = subprocess.run(
        [*PNYX, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    if ok:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


class Shots:
    """Screenshots of the pages met, at a laptop's and a phone's width (PNYX_E2E_SCREENSHOTS)."""

    def __init__(self):
        d = os.environ.get("PNYX_E2E_SCREENSHOTS")
        self.dir = Path(d) if d else None
        if self.dir:
            self.dir.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str, widths=(1280, 390)) -> None:
        if not self.dir:
            return
        size = page.viewport_size
        for w in widths:
            page.set_viewport_size({"width": w, "height": 900 if w > 600 else 844})
            page.screenshot(path=str(self.dir / f"{name}-{w}.png"), full_page=True)
        page.set_viewport_size(size)


def no_overflow(page) -> None:
    """Nothing wider than the phone's screen (no sideways scrolling)."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (page.url, width)


class Trustee:
    """A trustee: their private page in their own browser, their files in their own directory."""

    def __init__(self, browser, url: str, home: Path):
        self.ctx = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        self.ctx.set_default_timeout(30_000)
        self.page = self.ctx.new_page()
        self.url, self.home = url, home
        home.mkdir()
        self.id = ""

    def open(self, heading: str | None = None):
        self.page.goto(self.url)
        if heading:
            self.page.get_by_role("heading", name=re.compile(heading)).wait_for()
        return self.page

    def download(self, name: str) -> Path:
        with self.page.expect_download() as d:
            self.page.locator(f"a[href$='/{name}']").first.click()
        path = self.home / name
        d.value.save_as(path)
        return path

    def upload(self, step: str, path: Path) -> None:
        self.page.set_input_files(f"#file-{step}", path)
        posted = lambda r: r.request.method == "POST" and r.url == self.url  # noqa: E731
        with self.page.expect_response(posted) as response:
            form = self.page.locator(f"form:has(#file-{step})")
            form.get_by_role("button", name="Envoyer").click()
        # A refusal says why at once (a 403 is CSRF's: the browser's Origin header).
        status = response.value.status
        assert status == 302, f"the trustee's {step} upload was answered {status}"
        self.page.get_by_text("Reçu et vérifié. Merci.").wait_for()

    def run(self, *args: str) -> str:
        return pnyx("trustee", *args, cwd=self.home).stdout


@pytest.mark.parametrize(
    ("group", "credential_mode"),
    [("RISTRETTO255", "authority"), ("BELENIOS-2048", "server")],
)
def test_trustees_set_up_members_vote_trustees_decrypt_and_the_record_verifies(
    live_server,
    browser,
    new_page,
    sign_in_by_link,
    django_user_model,
    tmp_path,
    group,
    credential_mode,
):
    from django.core import mail

    from pnyx.members.models import Member
    from pnyx.programme import demo

    shots = Shots()
    demo.load()
    django_user_model.objects.create_superuser("orga", "orga@example.org", "orga-e2e-password")
    for i, first in enumerate(["Nadia", "Louis", "Awa", "Jeanne"], start=1):
        Member.objects.create(
            external_id=f"E{i}",
            first_name=first,
            last_name="Martin",
            email=f"{first.lower()}@example.org",
            gender="F",
            region="Occitanie",
            birth_year=1980 + i,
            joined_on="2017-02-01",
            volunteer=False,
        )

    # 1. The organizer creates the vote: approval, up to 2 of 5, threshold 2 of 3 trustees,
    # credentials by an authority (or, simpler, by the server), re-voting allowed.
    orga = new_page()
    orga.set_default_timeout(30_000)
    orga.set_viewport_size({"width": 1280, "height": 900})
    orga.goto(live_server.url + "/admin/login/?next=/votes/organisation/")
    orga.fill("#id_username", "orga")
    orga.fill("#id_password", "orga-e2e-password")
    orga.locator("input[type=submit]").click()
    orga.fill("#id_question", "Nos deux priorités pour la campagne")
    orga.select_option("#id_method", "approval")
    orga.fill("#id_max_choices", "2")
    orga.fill("#id_seats", "2")
    orga.select_option("#id_mode", "verifiable")
    orga.select_option("#id_group", group)
    orga.select_option("#id_credential_mode", credential_mode)
    orga.fill("#id_threshold", "2")
    orga.check("#id_revote")
    orga.check("#id_blank_allowed")
    orga.get_by_role("button", name="Créer le vote").click()
    orga.get_by_text("Vote créé. Ajoutez ses options.").wait_for()
    pk = int(re.search(r"/organisation/(\d+)/", orga.url).group(1))
    manage = orga.url
    for title in OPTIONS:
        orga.fill("#id_title", title)
        orga.get_by_role("button", name="Ajouter l'option").click()
        orga.get_by_text("Option ajoutée.").wait_for()
    for name in ["Aïcha Benali", "Bruno Costa", "Chloé Durand"]:
        orga.fill("#trustee-name", name)
        orga.get_by_role("button", name="Ajouter le garant").click()
        orga.get_by_text(re.compile("Garant ajouté")).wait_for()
    links = orga.locator("table.trustees input[readonly]")
    assert links.count() == 3
    trustees = [
        Trustee(browser, links.nth(i).input_value(), tmp_path / f"trustee{i + 1}") for i in range(3)
    ]
    assert all(t.url.startswith(live_server.url + "/votes/garant/") for t in trustees)

    # 2. The key ceremony: each trustee on their page and their own machine.
    for t in trustees:
        page = t.open("Étape 1")
        assert (
            f"pnyx trustee threshold-step 1 --group {group}"
            in page.locator("pre").first.inner_text()
        )
        t.id = t.run("threshold-step", "1", "--group", group).strip()
        assert (t.home / f"{t.id}.key").exists()
        t.upload("key", t.home / f"{t.id}.cert")
        if t is trustees[0]:
            # The others have not sent theirs: the certificates are not there yet (no crash).
            early = t.page.request.get(t.url + "certs.jsons")
            assert early.status in (404, 409), early.status
    shots(trustees[0].page, "trustee-step1-done")
    for t in trustees:
        t.open("Étape 2")
        certs = t.download("certs.jsons")
        poly = t.run(
            "threshold-step", "3", "--group", group, "--certs", str(certs),
            "--key", f"{t.id}.key", "--threshold", "2",
        )  # fmt: skip
        (t.home / "polynomial.json").write_text(poly)
        t.upload("polynomial", t.home / "polynomial.json")
    for t in trustees:
        page = t.open("Étape 3")
        vinput, certs = t.download("vinput.json"), t.download("certs.jsons")
        vout = t.run(
            "threshold-step", "5", "--group", group, "--certs", str(certs),
            "--key", f"{t.id}.key", "--input", str(vinput),
        )  # fmt: skip
        (t.home / "voutput.json").write_text(vout)
        t.upload("voutput", t.home / "voutput.json")
    for t in trustees:
        page = t.open()
        page.get_by_text("Votre part de la cérémonie des clés est faite.").wait_for()
        t.download("dkey.json")
        assert (t.home / "dkey.json").stat().st_size > 0
    shots(trustees[2].page, "trustee-ceremony-done")

    # The organizer makes the election; the credential authority, offline, makes one
    # credential per member of the electorate and hands the public ones to the organizer (or
    # the server makes them and mails each member theirs, in a link to the ballot).
    orga.goto(manage)
    orga.get_by_role("button", name="Créer l'élection").click()
    orga.get_by_text(re.compile("L'élection est créée")).wait_for()
    link: dict[str, str] = {}  # server mode: the link of each member's mail
    if credential_mode == "authority":
        authority = tmp_path / "authority"
        authority.mkdir()
        with orga.expect_download() as d:
            orga.locator(f"a[href$='/organisation/{pk}/electorat.txt']").click()
        d.value.save_as(authority / "electorate.txt")
        electorate = (authority / "electorate.txt").read_text().split()
        assert sorted(electorate) == sorted(CHOICES)
        command = (
            orga.locator("pre code", has_text="pnyx credentials generate").inner_text().split()
        )
        assert command[:3] == ["pnyx", "credentials", "generate"]
        out = pnyx(*command[1:], "--dir", str(authority), "--base", "vote", cwd=authority).stdout
        fingerprint = out.split()[-1]
        orga.set_input_files("#pubcreds", authority / "vote.pubcreds")
        orga.get_by_role("button", name="Déposer", exact=True).click()
        orga.get_by_text(f"{len(electorate)} codes de vote publics enregistrés.").wait_for()
        assert fingerprint in orga.locator("section.verifiable-setup").inner_text()
        # Line i of the electorate gets credential number i.
        privcreds = dict(
            line.split() for line in (authority / "vote.privcreds").read_text().splitlines()
        )
        credential = {ext: privcreds[str(i)] for i, ext in enumerate(electorate, start=1)}
    else:
        outbox = len(mail.outbox)
        orga.get_by_role("button", name=re.compile(r"Générer et envoyer 4 codes de vote")).click()
        # A task makes and mails them (run at once here): the page then counts them.
        setup = orga.locator("section.verifiable-setup")
        setup.get_by_text(re.compile("4 codes de vote publics enregistrés")).wait_for()
        assert not setup.get_by_role("button", name=re.compile("Générer")).count()  # once
        credential = {}
        for m in mail.outbox[outbox:]:
            ext = Member.objects.get(email=m.to[0]).external_id
            credential[ext] = re.search(r"#credential=(\S+)", m.body).group(1)
            assert credential[ext] in m.body.split("#credential=")[0]  # also written out
            link[ext] = re.search(r"http://\S+#credential=\S+", m.body).group(0)
            assert link[ext].split("#")[0].endswith(f"/votes/{pk}/")
        assert sorted(credential) == sorted(CHOICES)
    shots(orga, "organizer-ready")
    orga.set_viewport_size({"width": 390, "height": 844})
    no_overflow(orga)
    orga.set_viewport_size({"width": 1280, "height": 900})
    orga.get_by_role("button", name="Ouvrir le vote").click()
    orga.get_by_text("Le vote est ouvert.").wait_for()
    trustees[0].open()
    trustees[0].page.get_by_text(re.compile("Le vote est ouvert")).wait_for()

    # 3. Members vote: sign in, open the ballot, give the credential (typed, or in the link's
    # fragment, which no server receives), tick, encrypt and cast; the receipt is on the board.
    receipts: dict[str, list[str]] = {}
    ballot_url = f"{live_server.url}/votes/{pk}/"

    def vote(member_page, ext: str, choices: list[str], *, by_link: bool, shoot: bool = False):
        page = member_page
        if by_link:
            url = f"{ballot_url}#credential={credential[ext]}"
            if ext in link:  # the mail's link, on this server
                url = live_server.url + link[ext][link[ext].index("/votes/") :]
            page.goto(url)
            page.wait_for_function("() => !location.hash")  # the credential left the address
            assert page.get_by_label("Votre code de vote").input_value() == credential[ext]
        else:
            page.goto(ballot_url)
            page.get_by_label("Votre code de vote").fill(credential[ext])
        for title in choices:
            page.get_by_label(title).check()
        if not choices:  # blank: « Voter blanc » unticks what was ticked
            page.get_by_label(OPTIONS[0]).check()
            page.get_by_label("Voter blanc").check()
            assert not page.locator("input[name=choice]:checked").count()
        assert page.locator("#chosen").inner_text() == str(len(choices))
        if len(choices) == 2:  # the counter stops the voter at 2
            assert page.locator("input[name=choice]:not(:checked)").first.is_disabled()
        held = []
        if shoot:  # hold the POST, to see the page while it encrypts and sends
            page.route(f"**/votes/{pk}/voter-chiffre/", lambda route: held.append(route))
        page.get_by_role("button", name="Chiffrer et déposer mon bulletin").click()
        if shoot:
            button = page.get_by_role("button", name="Chiffrement…")
            button.wait_for(timeout=ENCRYPT_TIMEOUT)
            assert button.is_disabled()  # no second click while it encrypts and sends
            for _ in range(ENCRYPT_TIMEOUT // 25):  # until the booth has sent its ballot
                if held:
                    break
                page.wait_for_timeout(25)
            shots(page, "ballot-encrypting")
            held[0].continue_()
            page.unroute(f"**/votes/{pk}/voter-chiffre/")
        page.get_by_role("heading", name="Votre vote est enregistré").wait_for(
            timeout=ENCRYPT_TIMEOUT
        )
        receipt = page.locator("#tracker").inner_text().strip()
        assert re.fullmatch(r"[A-Za-z0-9+/]{43}", receipt), receipt
        receipts.setdefault(ext, []).append(receipt)
        if shoot:
            shots(page, "ballot-receipt")
        no_overflow(page)
        return receipt

    members = {}
    console_errors: list[str] = []
    for i, (ext, choices) in enumerate(CHOICES.items()):
        page = new_page()
        page.set_default_timeout(30_000)
        page.on(
            "console",
            lambda m: console_errors.append(m.text) if m.type == "error" else None,
        )
        sign_in_by_link(page, Member.objects.get(external_id=ext).email)
        members[ext] = page
        if i == 0:
            page.goto(ballot_url)
            shots(page, "ballot")
        vote(page, ext, choices, by_link=i % 2 == 1, shoot=i == 0)
    # A member re-votes: the page says so; only the last ballot counts.
    ext, choices = REVOTE
    page = members[ext]
    page.goto(ballot_url)
    page.get_by_text(re.compile("Vous pouvez revoter")).wait_for()
    vote(page, ext, choices, by_link=False)

    # The booth ran under the strict CSP with no error in the console.
    assert not [e for e in console_errors if "favicon" not in e], console_errors

    # Every receipt is on the public bulletin board, which names no member.
    board = members["E1"]
    board.goto(f"{live_server.url}/votes/{pk}/urne/")
    board.get_by_role("heading", name="Urne publique").wait_for()
    on_board = board.locator("ol.board code.hash").all_inner_texts()
    assert sorted(on_board) == sorted(r for rs in receipts.values() for r in rs)
    text = board.locator("main").inner_text()
    assert not any(n in text for n in ["Nadia", "Louis", "Awa", "Jeanne", "Martin"])
    shots(board, "board-open")
    no_overflow(board)

    # 4. The organizer closes; the encrypted tally is computed; two trustees decrypt it.
    orga.goto(manage)
    orga.get_by_role("button", name="Clore le vote et calculer le dépouillement chiffré").click()
    orga.get_by_role("heading", name=re.compile("Clore le vote")).wait_for()
    shots(orga, "close-confirm")
    orga.locator("form:has(input[name=confirm]) button[type=submit]").click()
    orga.get_by_text(re.compile("Le vote est clos")).wait_for()
    for t in trustees[:2]:
        page = t.open("Déchiffrer le dépouillement")
        if t is trustees[0]:
            shots(page, "trustee-decrypt")
        election, tally = t.download("election.json"), t.download("encrypted_tally.json")
        pd = t.run(
            "decrypt", "--election", str(election), "--encrypted-tally", str(tally),
            "--key", f"{t.id}.key", "--decryption-key", "dkey.json",
        )  # fmt: skip
        (t.home / "partial_decryption.json").write_text(pd)
        t.upload("decryption", t.home / "partial_decryption.json")
        page.get_by_text("Votre déchiffrement partiel a été reçu et vérifié.").wait_for()

    # 5. The result page: the counts are the members' choices (the re-voter's last ballot).
    expected = {title: 0 for title in OPTIONS}
    last = dict(CHOICES) | {REVOTE[0]: REVOTE[1]}
    for choices in last.values():
        for title in choices:
            expected[title] += 1
    result = members["E2"]
    result.goto(f"{live_server.url}/votes/{pk}/resultats/")
    rows = result.locator("ol.bars li")
    shown = {
        rows.nth(i).locator(".name").inner_text(): int(
            rows.nth(i).locator(".num").inner_text().split()[0]
        )
        for i in range(rows.count())
    }
    assert shown == expected
    assert f"{len(last)} bulletins" in result.locator("p.lead").first.inner_text()
    assert "Votes blancs\u00a0: 1" in result.locator("p.blank-count").inner_text()
    shots(result, "results")
    no_overflow(result)

    # The record, as anyone downloads it from the result page, passes `pnyx verify-election`,
    # whose result is the page's.
    anyone = tmp_path / "anyone"
    anyone.mkdir()
    with result.expect_download() as d:
        result.get_by_role("link", name="Dossier de l'élection (.bel)").click()
    record = anyone / "vote.bel"
    d.value.save_as(record)
    r = pnyx("verify-election", str(record), "--json", cwd=anyone)
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert report["ok"] and not report["errors"], report
    blank, *counts = report["info"]["result"]["result"][0]
    assert blank == 1
    assert dict(zip(OPTIONS, counts, strict=True)) == expected
    if group == "BELENIOS-2048":
        belenios_verifies(record)

    # 6. One byte changed in a ballot: the record is refused.
    data = record.read_bytes()
    at = data.index(b'"signature"') + len(b'"signature"')
    digit = next(i for i in range(at, len(data)) if data[i : i + 1].isdigit())
    tampered = anyone / "tampered" / "vote.bel"
    tampered.parent.mkdir()
    swap = b"1" if data[digit : digit + 1] != b"1" else b"2"
    tampered.write_bytes(data[:digit] + swap + data[digit + 1 :])
    r = pnyx("verify-election", str(tampered), cwd=anyone, ok=False)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "FAILED" in r.stdout

    for t in trustees:
        t.ctx.close()


def belenios_verifies(record: Path) -> None:
    """Belenios's own tool checks the record (skips without it, unless PNYX_REQUIRE_BELENIOS)."""
    if not shutil.which("belenios-tool"):
        if os.environ.get("PNYX_REQUIRE_BELENIOS") == "1":
            pytest.fail("belenios-tool is not on PATH and PNYX_REQUIRE_BELENIOS=1")
        return
    r = subprocess.run(
        ["belenios-tool", "election", "verify", "--dir", str(record.parent)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr

"""`pnyx replace` rewrites, from the published files alone, the REPLACEMENTS.csv the app
publishes: the same bytes, empty seats included."""

import csv
import io

from django.urls import reverse

from pnyx.draws import actions
from pnyx.draws.models import Invitation
from pnyx.lottery.cli import replace_main, verify_main


def test_pnyx_replace_gives_the_published_replacements_byte_for_byte(
    invited, client, tmp_path, capsys
):
    for _ in range(40):  # decline until some seat cannot be refilled
        inv = invited.invitations.filter(status=Invitation.Status.INVITED).first()
        if inv is None:
            break
        actions.respond(inv, accept=False)
    assert invited.invitations.filter(replacement_impossible=True).exists()
    for name in ("DIST.json", "PANEL.csv", "REPLACEMENTS.csv"):
        r = client.get(reverse("draws:download", args=[invited.pk, name]))
        (tmp_path / name).write_bytes(r.content)
    published = (tmp_path / "REPLACEMENTS.csv").read_bytes()
    declined = [row["declined"] for row in csv.DictReader(io.StringIO(published.decode()))]
    (tmp_path / "DECLINES.csv").write_text("declined\n" + "".join(f"{d}\n" for d in declined))
    base = ["--distribution", str(tmp_path / "DIST.json"), "--seed", invited.seed]
    base += ["--panel", str(tmp_path / "PANEL.csv")]
    out = tmp_path / "MINE.csv"
    assert (
        replace_main([*base, "--declines", str(tmp_path / "DECLINES.csv"), "--out", str(out)]) == 0
    )
    assert out.read_bytes() == published
    assert verify_main([*base, "--replacements", str(out)]) == 0, capsys.readouterr().err

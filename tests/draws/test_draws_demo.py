import io

from pnyx.draws import demo
from pnyx.draws.models import Draw, Invitation
from pnyx.journal.actions import verify
from pnyx.programme.models import Participant


def test_demo_draw_is_complete_and_idempotent(convention, volunteers):
    out = io.StringIO()
    draw = demo.load(convention, out, size=12)
    assert draw.status == Draw.Status.REVEALED and draw.seed == demo.SEED
    accepted = draw.invitations.filter(status=Invitation.Status.ACCEPTED).count()
    assert accepted and Participant.objects.filter(source="drawn").count() == accepted
    demo.load(convention, out)
    assert Draw.objects.count() == 1 and "already done" in out.getvalue()
    assert verify().ok

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from pnyx.assembly import demo as assembly_demo
from pnyx.charter import demo as charter_demo
from pnyx.core.demo_data import members_csv
from pnyx.core.demo_timeline import Timeline
from pnyx.draws import demo as draws_demo
from pnyx.live import demo as live_demo
from pnyx.members.importer import import_members
from pnyx.members.models import Member
from pnyx.programme import demo as programme_demo
from pnyx.programme.models import Convention
from pnyx.votes import demo as votes_demo
from pnyx.workshops import demo as workshops_demo


class Command(BaseCommand):
    help = (
        "Load the demo convention (idempotent): programme, synthetic members, proposals, and more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=4000, help="number of synthetic members")
        parser.add_argument(
            "--seats", type=int, default=draws_demo.SIZE, help="seats of the demo draw"
        )
        parser.add_argument(
            "--participants",
            type=int,
            default=workshops_demo.TARGET,
            help="participants of the workshops (the drawn ones, completed by invited members)",
        )

    def handle(self, *args, members, seats, participants, **options):
        # The clock is read once, here: every date of the demo derives from this moment.
        timeline = Timeline.from_now(timezone.now())
        _refuse_a_stale_demo(timeline)
        # The demo's own proposals would flood the console with emails: keep those in memory.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            conv = programme_demo.load(timeline=timeline)
            timeline = Timeline.of(conv, timeline.now)  # a resumed demo keeps its first dates
            if not Member.objects.exists():
                report = import_members(
                    members_csv(members, timeline=timeline),
                    filename="demo-members.csv",
                    actor="demo",
                )
                self.stdout.write(f"Members: {report.created} created")
            programme_demo.load_interventions(conv)
        # In this order: the draw makes participants, the workshops seat them.
        draws_demo.load(conv, self.stdout, size=seats, timeline=timeline)
        votes_demo.load(conv, self.stdout, timeline=timeline)
        workshops_demo.load(conv, self.stdout, target=participants)
        present = programme_demo.check_in_participants(conv)
        votes_demo.load_hall(conv, self.stdout, present=present)
        assembly_demo.load(conv, self.stdout, timeline=timeline)
        charter_demo.load(conv, self.stdout, timeline=timeline)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            live_demo.load(conv, self.stdout)
        User = get_user_model()
        # The organizer's password is random, kept out of the repository, in var/ (mode 0600).
        secret = settings.VAR_DIR / "demo-organizer-password"
        organizer = User.objects.filter(username="organisation").first()
        if organizer is None or not secret.exists():
            password = secrets.token_urlsafe(9)
            secret.parent.mkdir(parents=True, exist_ok=True)
            secret.write_text(password)
            secret.chmod(0o600)
            if organizer is None:
                User.objects.create_superuser("organisation", "organisation@example.org", password)
            else:
                organizer.set_password(password)
                organizer.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Organizer account: organisation / {secret.read_text()}  (sign in at /admin/)"
            )
        )
        first = Member.objects.order_by("external_id").first()
        self.stdout.write(
            f"Demo ready: {conv.name}, {conv.starts_on:%Y-%m-%d} and {conv.ends_on:%Y-%m-%d}; "
            f"call for interventions open until "
            f"{timezone.localtime(conv.proposals_close_at):%Y-%m-%d %H:%M}. "
            f"A member to sign in as: {first.email} (the sign-in link is printed in this console)."
        )
        if present is not None:
            self.stdout.write(
                f"{present.convention.participants.filter(checked_in_at__isnull=False).count()} "
                f"participants are in the hall; the badge of one of them (signs in, then votes "
                f"in the hall): {settings.PNYX_SITE_URL}{present.badge_path()}"
            )


def _refuse_a_stale_demo(timeline: Timeline) -> None:
    """A demo database loaded long ago no longer shows the tour (its call for interventions has
    closed): say so, and how to start afresh, rather than serve a stale demo."""
    # "convention-2026": the demo's slug when it had fixed dates.
    conv = Convention.objects.filter(slug__in=[programme_demo.SLUG, "convention-2026"]).first()
    if conv is None or conv.proposals_close_at is None or timeline.now < conv.proposals_close_at:
        return
    raise CommandError(
        f"This database holds a demo convention of {conv.starts_on:%Y-%m-%d} whose call for "
        f"interventions closed on {timezone.localtime(conv.proposals_close_at):%Y-%m-%d %H:%M}: "
        "the tour's states no longer hold. Run `make clean-demo`, then `make demo`, to load a "
        "demo dated from today."
    )

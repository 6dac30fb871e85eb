import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from pnyx.core.demo_data import members_csv
from pnyx.draws import demo as draws_demo
from pnyx.members.importer import import_members
from pnyx.members.models import Member
from pnyx.programme import demo as programme_demo
from pnyx.votes import demo as votes_demo
from pnyx.workshops import demo as workshops_demo


class Command(BaseCommand):
    help = (
        "Load the demo convention (idempotent): programme, synthetic members, proposals, and more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=4000, help="number of synthetic members")

    def handle(self, *args, members, **options):
        # The demo's own proposals would flood the console with emails: keep those in memory.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            conv = programme_demo.load()
            if not Member.objects.exists():
                report = import_members(
                    members_csv(members), filename="demo-members.csv", actor="demo"
                )
                self.stdout.write(f"Members: {report.created} created")
            programme_demo.load_interventions(conv)
        # In this order: the draw makes participants, the workshops seat them.
        draws_demo.load(conv, self.stdout)
        votes_demo.load(conv, self.stdout)
        workshops_demo.load(conv, self.stdout)
        present = programme_demo.check_in_participants(conv)
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
            f"Demo ready: {conv.name}. A member to sign in as: {first.email} "
            "(the sign-in link is printed in this console)."
        )
        if present is not None:
            self.stdout.write(
                f"{present.convention.participants.filter(checked_in_at__isnull=False).count()} "
                f"participants are in the hall; the badge of one of them (signs in, then votes "
                f"in the hall): {present.badge_path()}"
            )

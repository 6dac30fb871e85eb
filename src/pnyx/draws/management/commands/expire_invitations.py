from django.core.management.base import BaseCommand

from pnyx.draws.actions import expire_invitations


class Command(BaseCommand):
    help = (
        "Mark invitations past their deadline as expired and invite a replacement for each, "
        "drawn from the same seed chain (run it from cron, e.g. every hour)."
    )

    def handle(self, *args, **options):
        expired = expire_invitations()
        for inv in expired:
            replacement = getattr(inv, "replaced_by", None)
            self.stdout.write(
                f"{inv.draw_id}: {inv.entry.code} expired"
                + (f", replaced by {replacement.entry.code}" if replacement else ", no replacement")
            )
        self.stdout.write(f"{len(expired)} invitation(s) expired.")

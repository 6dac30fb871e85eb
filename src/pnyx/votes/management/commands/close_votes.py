from django.core.management.base import BaseCommand

from pnyx.votes.actions import close_due_votes


class Command(BaseCommand):
    help = "Close and publish every open vote whose closing time has passed (run it every minute)."

    def handle(self, *args, **options):
        for vote in close_due_votes(actor="system:close-votes"):
            self.stdout.write(
                f"Closed vote {vote.pk} ({vote.question}): {vote.publication.ballots} ballots, "
                f"sha256 {vote.publication.sha256}"
            )

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pnyx.journal.actions import verify


class Command(BaseCommand):
    help = "Work with the append-only journal: `pnyx journal verify [--head HASH]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        v = sub.add_parser("verify", help="Recompute the hash chain and report any tampering.")
        v.add_argument("--head", help="the head hash published earlier; also detects truncation")

    def handle(self, *args, subcommand, **options):
        result = verify(expected_head=options.get("head"))
        if result.ok:
            self.stdout.write(
                _("Journal intact: %(n)d entries, head %(head)s")
                % {"n": result.entries, "head": result.head_hash}
            )
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(
            _("Journal tampered: %(n)d problem(s) in %(entries)d entries")
            % {"n": len(result.problems), "entries": result.entries}
        )

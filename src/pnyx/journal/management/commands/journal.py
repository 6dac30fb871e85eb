import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pnyx.journal.actions import export, verify


class _Raw:
    """Writes through a command's stdout without the newline it adds to each write."""

    def __init__(self, out):
        self.out = out

    def write(self, s):
        self.out.write(s, ending="")


class Command(BaseCommand):
    help = (
        "Work with the append-only journal: `pnyx journal verify [--head HASH]`, "
        "`pnyx journal export [--out FILE]`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        v = sub.add_parser("verify", help="Recompute the hash chain and report any tampering.")
        v.add_argument("--head", help="the head hash published earlier; also detects truncation")
        e = sub.add_parser(
            "export", help="Write the journal as JSON Lines (docs/journal.md), one entry a line."
        )
        e.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args, subcommand, **options):
        if subcommand == "export":
            return self._export(options.get("out"))
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

    def _export(self, out):
        if out is None:
            export(_Raw(self.stdout))
            return
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(_("No such directory: %(dir)s") % {"dir": path.parent})
        # Written to a temporary file then renamed: a failed export never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                n = export(f)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.stderr.write(_("%(n)d entries written to %(path)s") % {"n": n, "path": path})

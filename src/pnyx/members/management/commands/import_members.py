from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pnyx.members.importer import ImportFailed, import_members


class Command(BaseCommand):
    help = "Import or update members from a CSV file (format: docs/formats.md). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("csv", help="members.csv")

    def handle(self, *args, csv, **options):
        path = Path(csv)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            report = import_members(data, filename=str(path), actor="command:import-members")
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{path}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.groups_created} action groups created"
        )

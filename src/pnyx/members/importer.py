"""Import members from CSV: validate every row first, then write all or nothing.

The format is documented in docs/formats.md. Rows are matched by `id`, so importing the same
file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, transaction

from pnyx.core.csvsafe import starts_like_formula

from .models import ActionGroup, Gender, Member

COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "gender",
    "region",
    "birth_year",
    "action_group",
    "joined_on",
    "volunteer",
]
REQUIRED = ["id", "first_name", "last_name", "email", "gender", "region", "birth_year", "joined_on"]
TRUE = {"1", "true", "yes", "oui", "y", "o", "vrai"}
FALSE = {"0", "false", "no", "non", "n", "faux", ""}
MEMBER_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "gender",
    "region",
    "birth_year",
    "joined_on",
    "volunteer",
]
# The column whose text goes into a model's CharField, and that field: longer text is refused
# here with its line and field, instead of a raw DataError from PostgreSQL (SQLite would keep it).
LENGTH_LIMITS = {
    "id": (Member, "external_id"),
    "first_name": (Member, "first_name"),
    "last_name": (Member, "last_name"),
    "email": (Member, "email"),
    "region": (Member, "region"),
    "action_group": (ActionGroup, "name"),
}


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field '{self.field}'" if self.field else "")
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, filename: str, errors: list[RowError]):
        self.filename = filename
        self.errors = errors
        shown = "\n".join(f"{filename}: {e}" for e in errors[:50])
        more = f"\n… and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} error(s), nothing imported:\n{shown}{more}")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_created: int = 0
    digest: str = ""
    errors: list[RowError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.groups_created)


def _parse_row(line: int, row: dict[str, str], errors: list[RowError]) -> dict | None:
    n_errors = len(errors)
    values = {k: (row.get(k) or "").strip() for k in COLUMNS}
    for name in REQUIRED:
        if not values[name]:
            errors.append(RowError(line, name, "is empty"))
    out: dict = {
        "external_id": values["id"],
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "region": values["region"],
        "action_group": values["action_group"],
    }
    for column, (model, name) in LENGTH_LIMITS.items():
        limit = model._meta.get_field(name).max_length
        if len(values[column]) > limit:
            errors.append(
                RowError(
                    line,
                    column,
                    f"is {len(values[column])} characters long, more than {limit} allowed",
                )
            )
    if starts_like_formula(values["region"]):
        # Regions go into the published draw files (POOL.csv, QUOTAS.csv), which are written
        # as they are for auditors to recompute: they must not run as a spreadsheet formula.
        errors.append(
            RowError(
                line,
                "region",
                f"'{values['region']}' starts with {values['region'][0]!r}, "
                "which spreadsheets read as a formula",
            )
        )
    email = values["email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(line, "email", f"'{values['email']}' is not an email address"))
    out["email"] = email
    gender = values["gender"].upper()
    if gender and gender not in Gender.values:
        errors.append(
            RowError(
                line, "gender", f"'{values['gender']}' is not one of {', '.join(Gender.values)}"
            )
        )
    out["gender"] = gender
    if values["birth_year"]:
        try:
            year = int(values["birth_year"])
            if not 1900 <= year <= dt.date.today().year:
                raise ValueError
            out["birth_year"] = year
        except ValueError:
            errors.append(
                RowError(
                    line,
                    "birth_year",
                    f"'{values['birth_year']}' is not a year between 1900 and now",
                )
            )
    if values["joined_on"]:
        try:
            out["joined_on"] = dt.date.fromisoformat(values["joined_on"])
        except ValueError:
            errors.append(
                RowError(line, "joined_on", f"'{values['joined_on']}' is not a date (YYYY-MM-DD)")
            )
    volunteer = values["volunteer"].lower()
    if volunteer in TRUE:
        out["volunteer"] = True
    elif volunteer in FALSE:
        out["volunteer"] = False
    else:
        errors.append(RowError(line, "volunteer", f"'{values['volunteer']}' is not yes/no (1/0)"))
    return out if len(errors) == n_errors else None


def parse_members_csv(data: bytes | str, filename: str = "members.csv") -> tuple[list[dict], str]:
    """Parse and validate the whole file. Raises ImportFailed listing every error."""
    raw = data.encode() if isinstance(data, str) else data
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(filename, [RowError(1, "", f"not UTF-8 text ({exc.reason})")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if any("\x00" in name for name in header if name):
        raise ImportFailed(filename, [RowError(1, "", "the header contains a NUL byte")])
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed(
            filename, [RowError(1, c, "column missing from the header") for c in missing]
        )
    errors: list[RowError] = []
    rows: list[dict] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            errors.append(RowError(line, "", "more cells than columns in the header"))
            continue
        if any(v is None for v in row.values()):
            errors.append(RowError(line, "", "fewer cells than columns in the header"))
            continue
        nul = [k for k, v in row.items() if "\x00" in v]
        if nul:
            # PostgreSQL cannot store NUL in text; it is never meant to be in a members' file.
            errors.extend(RowError(line, k, "contains a NUL byte") for k in nul)
            continue
        parsed = _parse_row(line, row, errors)
        if parsed is None:
            continue
        if parsed["external_id"] in seen_ids:
            errors.append(
                RowError(
                    line,
                    "id",
                    f"'{parsed['external_id']}' already on line {seen_ids[parsed['external_id']]}",
                )
            )
            continue
        if parsed["email"] in seen_emails:
            errors.append(
                RowError(
                    line,
                    "email",
                    f"'{parsed['email']}' already on line {seen_emails[parsed['email']]}",
                )
            )
            continue
        seen_ids[parsed["external_id"]] = line
        seen_emails[parsed["email"]] = line
        parsed["line"] = line
        rows.append(parsed)
    if errors:
        raise ImportFailed(filename, errors)
    return rows, digest


def import_members(data: bytes | str, filename: str = "members.csv", actor=None) -> ImportReport:
    """Validate, then create or update members by id, in one transaction."""
    from pnyx.journal.actions import record

    rows, digest = parse_members_csv(data, filename)
    report = ImportReport(digest=digest)
    with transaction.atomic():
        groups = {g.name: g for g in ActionGroup.objects.all()}
        new_groups = sorted({r["action_group"] for r in rows if r["action_group"]} - set(groups))
        ActionGroup.objects.bulk_create([ActionGroup(name=n) for n in new_groups])
        report.groups_created = len(new_groups)
        if new_groups:
            groups = {g.name: g for g in ActionGroup.objects.all()}

        existing = {m.external_id: m for m in Member.objects.all()}
        by_email = {m.email.lower(): m.external_id for m in existing.values()}
        errors: list[RowError] = []
        to_create: list[Member] = []
        to_update: list[Member] = []
        for r in rows:
            owner = by_email.get(r["email"])
            if owner is not None and owner != r["external_id"]:
                errors.append(
                    RowError(
                        r["line"], "email", f"'{r['email']}' belongs to member {owner} already"
                    )
                )
                continue
            group = groups.get(r["action_group"]) if r["action_group"] else None
            m = existing.get(r["external_id"])
            if m is None:
                to_create.append(
                    Member(
                        external_id=r["external_id"],
                        action_group=group,
                        **{f: r[f] for f in MEMBER_FIELDS},
                    )
                )
                continue
            changed = m.action_group_id != (group.pk if group else None)
            for f in MEMBER_FIELDS:
                if getattr(m, f) != r[f]:
                    setattr(m, f, r[f])
                    changed = True
            if changed:
                m.action_group = group
                to_update.append(m)
            else:
                report.unchanged += 1
        if errors:
            transaction.set_rollback(True)
            raise ImportFailed(filename, errors)
        try:
            with transaction.atomic():
                Member.objects.bulk_update(
                    to_update, ["action_group", *MEMBER_FIELDS], batch_size=2000
                )
                Member.objects.bulk_create(to_create, batch_size=2000)
        except IntegrityError as exc:
            # Two members swapping their emails in one file, or a concurrent import.
            raise ImportFailed(
                filename, [RowError(0, "email", f"conflict while saving: {exc}")]
            ) from None
        except DataError as exc:  # a last guard: every known limit is checked row by row above
            raise ImportFailed(
                filename, [RowError(0, "", f"the database refused a value: {exc}")]
            ) from None
        report.created = len(to_create)
        report.updated = len(to_update)
        if report.changed:
            record(
                "members.imported",
                actor=actor,
                payload={
                    "file": filename,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "groups_created": report.groups_created,
                },
                inputs_digest=digest,
            )
    return report

"""`pnyx journal export` checked by a verifier written from docs/journal.md alone.

The verifier below uses only `json` and `hashlib` and imports nothing from Pnyx: it is what an
outsider would write after reading the documentation, and the test proves that the doc is
enough to check an export, recompute the published head and catch tampering.
"""

import datetime as dt
import hashlib
import json
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_event_names")]

# --- the outsider's verifier: docs/journal.md, "The export" ------------------------------------

ZEROS = "0" * 64
KEYS = {
    "seq",
    "created_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "payload",
    "inputs_digest",
    "prev_hash",
    "hash",
}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")


class Tampered(Exception):
    pass


def outsider_verify(data: bytes) -> tuple[int, str]:
    """Check an export; return its head (number of lines, last hash). Raises Tampered."""
    if data and not data.endswith(b"\n"):
        raise Tampered("the last line has no LF")
    prev, n = ZEROS, 0
    # Lines end at the byte LF only: U+2028 and U+0085 may appear as such inside strings.
    for n, raw in enumerate(data.split(b"\n")[:-1], start=1):
        line = raw.decode("utf-8")
        row = json.loads(line)
        if set(row) != KEYS:
            raise Tampered(f"line {n}: keys {sorted(row)}")
        # Each line is itself the canonical JSON of its ten fields.
        canonical = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if canonical != line:
            raise Tampered(f"line {n}: not canonical JSON")
        if not TIMESTAMP.match(row["created_at"]):
            raise Tampered(f"line {n}: timestamp {row['created_at']}")
        if row["seq"] != n:
            raise Tampered(f"line {n}: seq {row['seq']}")
        if row["prev_hash"] != prev:
            raise Tampered(f"line {n}: prev_hash")
        claimed = row.pop("hash")
        body = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if hashlib.sha256(body.encode("utf-8")).hexdigest() != claimed:
            raise Tampered(f"line {n}: hash")
        prev = claimed
    return n, prev


def test_the_documented_example_row_hashes_to_the_documented_hash():
    doc = open("docs/journal.md", encoding="utf-8").read()
    example = re.search(r"Example: the first row of a journal,\n```\n(.*)\n```", doc).group(1)
    documented = re.search(r"hashes \(SHA-256 of those (\d+) bytes\) to\n`([0-9a-f]{64})`", doc)
    assert len(example.encode()) == int(documented.group(1))
    assert hashlib.sha256(example.encode()).hexdigest() == documented.group(2)


# --- a journal with varied events and actors ---------------------------------------------------


@pytest.fixture
def journal(monkeypatch, organizer, make_member):
    from pnyx.journal.actions import record

    member = make_member()
    moments = iter(
        [
            dt.datetime(2026, 3, 1, 9, 0, 0, 0, tzinfo=dt.UTC),  # zero microseconds
            dt.datetime(2026, 3, 1, 9, 0, 0, 7, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 1, 10, 30, 59, 999999, tzinfo=dt.UTC),
        ]
    )
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: next(moments, None) or real_now())
    record("members.imported", actor="command:import-members", inputs_digest="ab" * 32)
    record("test.by_user", actor=organizer, obj=member, payload={"note": "élu·e « ok » ✓"})
    record("test.by_member", actor=f"member:{member.external_id}", payload={"x": 0.1 + 0.2})
    record(
        "test.nested",
        actor=None,
        payload={
            "z": [1, -2, 1e-05, 1e16, -0.0, 2.5e-300, 1.0, True, None, "", {}],
            "a": {"b": 'quote " backslash \\ slash / tab \t nl \n ctl \x01 del \x7f ls \u2028'},
            "émoji 🗳": "astral 𝔸",
            "B": "upper before lower",
        },
    )
    record("test.by_table", actor="table:12", payload={})
    record("test.by_task", actor="task:compute-distribution", payload={"big": 2**63})


def _export(tmp_path) -> bytes:
    out = tmp_path / "journal.jsonl"
    call_command("journal", "export", "--out", str(out))
    return out.read_bytes()


def test_an_outsider_verifies_the_export_and_recomputes_the_published_head(
    journal, tmp_path, client
):
    from pnyx.journal.models import JournalEntry

    data = _export(tmp_path)
    count, head = outsider_verify(data)
    assert count == JournalEntry.objects.count() >= 6
    rows = [json.loads(line) for line in data.split(b"\n")[:-1]]
    assert rows[0]["created_at"] == "2026-03-01T09:00:00.000000+00:00"
    assert rows[1]["created_at"] == "2026-03-01T09:00:00.000007+00:00"
    assert rows[1]["actor"] == "user:orga" and rows[1]["object_type"] == "members.member"
    assert {r["actor"] for r in rows} >= {"system", "command:import-members", "table:12"}
    # The head the public page shows is the one the outsider recomputed.
    html = client.get("/journal/").content.decode()
    assert f'id="journal-head">{head}<' in html
    assert f'id="journal-count">{count}<' in html
    # The footer of every page links to it.
    assert 'href="/journal/"' in client.get("/").content.decode()


def test_the_export_to_standard_output_is_the_same_file(journal, tmp_path, capsys):
    data = _export(tmp_path)
    capsys.readouterr()
    call_command("journal", "export")
    assert capsys.readouterr().out.encode() == data


@pytest.mark.parametrize("tamper", ["changed", "removed", "reordered", "truncated"])
def test_the_outsider_detects_a_changed_removed_or_reordered_line(journal, tmp_path, tamper):
    data = _export(tmp_path)
    head = outsider_verify(data)
    lines = [line + b"\n" for line in data.split(b"\n")[:-1]]
    if tamper == "changed":
        lines[2] = lines[2].replace(b"0.30000000000000004", b"0.3")
        assert b"0.3}" in lines[2]
    elif tamper == "removed":
        del lines[3]
    elif tamper == "reordered":
        lines[2], lines[3] = lines[3], lines[2]
    else:  # the tail cut off: the chain holds, the head is not the published one
        del lines[-1]
    forged = b"".join(lines)
    if tamper == "truncated":
        assert outsider_verify(forged) != head
        return
    with pytest.raises(Tampered):
        outsider_verify(forged)


def test_a_changed_line_with_its_hash_recomputed_breaks_the_next_line(journal, tmp_path):
    data = _export(tmp_path)
    lines = data.decode().split("\n")[:-1]
    row = json.loads(lines[1])
    row["actor"] = "user:someone-else"
    row.pop("hash")
    body = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    row["hash"] = hashlib.sha256(body.encode()).hexdigest()
    lines[1] = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with pytest.raises(Tampered, match="line 3: prev_hash"):
        outsider_verify(("\n".join(lines) + "\n").encode())


def test_an_empty_journal_exports_an_empty_file_whose_head_is_the_genesis(tmp_path, client):
    assert _export(tmp_path) == b""
    assert outsider_verify(b"") == (0, ZEROS)
    assert f'id="journal-head">{ZEROS}<' in client.get("/journal/").content.decode()


def test_payload_numbers_are_stored_as_every_database_gives_them_back():
    """PostgreSQL's jsonb turns 1e16 into 10000000000000000 and -0.0 into 0.0: normalised first,
    so that the chain verifies on every database (it did not on PostgreSQL)."""
    from pnyx.journal.actions import record, verify
    from pnyx.journal.models import JournalEntry

    e = record("test.numbers", payload={"n": [1e16, -1.5e20, -0.0, 0.5]})
    stored = '{"n":[10000000000000000,-150000000000000000000,0.0,0.5]}'
    assert json.dumps(e.payload, separators=(",", ":")) == stored
    assert json.dumps(JournalEntry.objects.get().payload, separators=(",", ":")) == stored
    assert verify().ok
    with pytest.raises(ValueError, match="finite"):
        record("test.numbers", payload={"n": float("nan")})


def test_export_to_a_missing_directory_is_a_clear_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="nope"):
        call_command("journal", "export", "--out", str(tmp_path / "nope" / "j.jsonl"))


def test_the_python_snippet_of_the_doc_verifies_the_export(journal, tmp_path, monkeypatch, capsys):
    doc = open("docs/journal.md", encoding="utf-8").read()
    snippet = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
    data = _export(tmp_path)
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    exec(compile(snippet, "docs/journal.md", "exec"), {})
    n, head = capsys.readouterr().out.split()
    assert (int(n), head) == outsider_verify(data)

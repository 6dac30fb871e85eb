"""The .bel archive: read the reference belenios-tool archive, re-write it byte for byte, and
have belenios-tool accept a re-written one."""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pnyx.crypto import archive

DATA = Path(__file__).parent / "data" / "bel"
BEL = DATA / "YsBd99L1QwPhtW.bel"


def need_belenios() -> str:
    exe = shutil.which("belenios-tool")
    if exe is None:
        if os.environ.get("PNYX_REQUIRE_BELENIOS") == "1":
            pytest.fail("belenios-tool is not on PATH and PNYX_REQUIRE_BELENIOS=1")
        pytest.skip("belenios-tool is not on PATH (Debian package belenios-tool)")
    return exe


def rebuild(a: archive.Archive) -> archive.Builder:
    b = archive.Builder(int(a.header["timestamp"]))
    for e in a.events:
        if e.type == "Setup":
            s = a.json(e.payload)
            b.setup(a.get(s["election"]), a.get(s["trustees"]), a.get(s["credentials"]))
        elif e.type == "Ballot":
            b.ballot(a.get(e.payload))
        elif e.type == "EndBallots":
            b.end_ballots()
        elif e.type == "EncryptedTally":
            s = a.json(e.payload)
            b.encrypted_tally(a.get(s["encrypted_tally"]), s["num_tallied"], s["total_weight"])
        elif e.type == "PartialDecryption":
            s = a.json(e.payload)
            b.partial_decryption(s["owner"], a.get(s["payload"]))
        elif e.type == "Result":
            b.result(a.get(e.payload))
    return b


def test_read_reference():
    a = archive.read(BEL)
    assert a.header == {"version": 1, "timestamp": "1796137462"}
    assert [e.type for e in a.events] == ["Setup"] + ["Ballot"] * 3 + [
        "EndBallots",
        "EncryptedTally",
    ] + ["PartialDecryption"] * 4 + ["Result"]
    assert [e.height for e in a.events] == list(range(11))
    assert a.events[0].parent is None
    for prev, e in zip(a.events, a.events[1:], strict=False):
        assert e.parent == prev.hash
    assert a.json(a.events[-1].payload) == {"result": [[1, 1], [1, 1, 1]]}


def test_rewrite_is_byte_identical():
    ref = BEL.read_bytes()
    a = archive.read(BEL)
    buf = io.BytesIO()
    archive.write(buf, a.header, a.records)
    assert buf.getvalue() == ref
    buf = io.BytesIO()
    rebuild(a).write(buf)
    assert buf.getvalue() == ref
    again = archive.read(buf.getvalue())
    assert again.records == a.records and again.header == a.header


def test_read_rejects_a_member_whose_name_is_not_its_hash():
    raw = bytearray(BEL.read_bytes())
    i = raw.find(b'"result":[[1,1]')
    raw[i + 11] = ord("2")
    with pytest.raises(archive.ArchiveError, match="does not have the hash of its name"):
        archive.read(bytes(raw))
    with pytest.raises(archive.ArchiveError, match="header"):
        archive.read(b"x" * 512 + b"\0" * 512)


def test_belenios_tool_accepts_rewritten_archive(tmp_path):
    need_belenios()
    a = archive.read(BEL)
    b = rebuild(a)
    b.header["timestamp"] = "1800000000"  # another file, the same records
    b.write(tmp_path / "YsBd99L1QwPhtW.bel")
    r = subprocess.run(
        ["belenios-tool", "election", "verify", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "all checks passed" in r.stdout + r.stderr

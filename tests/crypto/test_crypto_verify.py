"""verify_election and ``pnyx verify-election``: the reference belenios-tool election, a fresh
one made by belenios-tool (accepted, then rejected once tampered), Pnyx elections accepted by
belenios-tool (BELENIOS-2048) and by Pnyx (RISTRETTO255), split verification, property tests."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pnyx.cli import main as pnyx_main
from pnyx.crypto import archive, groups, simulate, verify

DATA = Path(__file__).parent / "data" / "bel"
BEL = DATA / "YsBd99L1QwPhtW.bel"
QS = [
    {"question": "Q1?", "answers": ["a", "b"], "min": 0, "max": 1},
    {"question": "Q2?", "answers": ["x", "y", "z"], "min": 1, "max": 2, "blank": True},
]
VOTES = [
    [[1, 0], [0, 1, 0, 1]],
    [[0, 1], [0, 0, 1, 0]],
    [[0, 0], [1, 0, 0, 0]],
    [[1, 0], [0, 1, 1, 0]],
]


def need_belenios() -> str:
    exe = shutil.which("belenios-tool")
    if exe is None:
        if os.environ.get("PNYX_REQUIRE_BELENIOS") == "1":
            pytest.fail("belenios-tool is not on PATH and PNYX_REQUIRE_BELENIOS=1")
        pytest.skip("belenios-tool is not on PATH (Debian package belenios-tool)")
    return exe


def rebuild(a: archive.Archive, path: Path, change=None) -> None:
    """Writes the archive's events again (re-hashed, re-chained), ``change(type, k, text)``
    replacing the payload text of the k-th event of that type."""
    change = change or (lambda typ, k, text: text)
    b = archive.Builder(int(a.header["timestamp"]))
    seen: dict[str, int] = {}
    for e in a.events:
        k = seen[e.type] = seen.get(e.type, -1) + 1
        if e.type == "Setup":
            s = a.json(e.payload)
            b.setup(a.get(s["election"]), a.get(s["trustees"]), a.get(s["credentials"]))
        elif e.type == "Ballot":
            b.ballot(change("Ballot", k, a.get(e.payload)))
        elif e.type == "EndBallots":
            b.end_ballots()
        elif e.type == "EncryptedTally":
            s = a.json(e.payload)
            et = change("EncryptedTally", k, a.get(s["encrypted_tally"]))
            b.encrypted_tally(et, s["num_tallied"], s["total_weight"])
        elif e.type == "PartialDecryption":
            s = a.json(e.payload)
            b.partial_decryption(s["owner"], change("PartialDecryption", k, a.get(s["payload"])))
        elif e.type == "Result":
            b.result(change("Result", k, a.get(e.payload)))
    b.write(path)


def event_hash(path: Path, typ: str, k: int) -> str:
    return [e for e in archive.read(path).events if e.type == typ][k].hash


def cli(*args) -> int:
    return pnyx_main(["verify-election", *map(str, args)])


# --- the reference election ---------------------------------------------------------------


def test_reference_election_verifies(capsys):
    rep = verify.verify_election(BEL, processes=1)
    assert rep.ok, rep.errors
    assert rep.info["result"] == {"result": [[1, 1], [1, 1, 1]]}
    assert rep.info["ballots"] == rep.info["counted"] == 3
    assert cli(BEL) == 0
    assert "all checks passed" in capsys.readouterr().out


def test_tampered_reference_is_rejected_with_the_event(tmp_path, capsys):
    a = archive.read(BEL)
    G = groups.BELENIOS_2048

    def bad_ballot(typ, k, text):
        if typ == "Ballot" and k == 1:
            b = json.loads(text)
            c = b["answers"][0]["choices"][0]
            c["alpha"] = G.to_str(G.mul(G.from_str(c["alpha"]), G.g))
            return json.dumps(b, separators=(",", ":"))
        return text

    p = tmp_path / "b.bel"
    rebuild(a, p, bad_ballot)
    assert cli(p) == 1
    out = capsys.readouterr().out
    assert f"ballot 2 (event {event_hash(p, 'Ballot', 1)}" in out
    assert "not the product of the counted ballots" in out


def test_broken_chain_is_rejected(tmp_path):
    a = archive.read(BEL)
    recs = list(a.records)
    # drop the second ballot (its data and event): the third one's parent is then wrong
    ev = [e for e in a.events if e.type == "Ballot"][1]
    recs = [r for r in recs if r.hash not in (ev.hash, ev.payload)]
    p = tmp_path / "c.bel"
    archive.write(p, a.header, recs)
    rep = verify.verify_election(p)
    assert not rep.ok
    assert any("parent" in e for e in rep.errors)
    assert any("height" in e for e in rep.errors)


# --- a fresh election by belenios-tool ---------------------------------------------------


@pytest.fixture(scope="module")
def belenios_election(tmp_path_factory):
    need_belenios()
    d = tmp_path_factory.mktemp("bel")
    script = (DATA / "run.sh").read_text()
    script = script.replace(
        "cp /work/belenios-2.0/tests/tool/templates/questions.json .",
        f"cp {DATA / 'questions.json'} .",
    )
    (d / "run.sh").write_text(script)
    subprocess.run(["bash", "run.sh"], cwd=d, check=True, capture_output=True)
    (bel,) = d.glob("*.bel")
    return bel


def test_fresh_belenios_election_verifies_then_tampered_fails(belenios_election, tmp_path, capsys):
    assert cli(belenios_election, "--processes", 2) == 0
    capsys.readouterr()
    a = archive.read(belenios_election)
    G = groups.BELENIOS_2048

    def bump_first(text, key):
        d = json.loads(text)
        d[key][0][0] = G.to_str(G.mul(G.from_str(d[key][0][0]), G.g))
        return json.dumps(d, separators=(",", ":"))

    def bump_ballot(text):
        b = json.loads(text)
        c = b["answers"][1]["choices"][2]
        c["beta"] = G.to_str(G.mul(G.from_str(c["beta"]), G.g))
        return json.dumps(b, separators=(",", ":"))

    cases = {
        "Ballot": (0, bump_ballot, "ballot 1 (event"),
        "PartialDecryption": (
            2,
            lambda t: bump_first(t, "decryption_factors"),
            "partial decryption (event",
        ),
        "Result": (0, lambda t: t.replace("[[1,", "[[2,", 1), "result (event"),
    }
    for typ, (k, f, expected) in cases.items():
        p = tmp_path / typ / belenios_election.name
        p.parent.mkdir()
        rebuild(
            a, p, lambda t_, k_, text, typ=typ, k=k, f=f: f(text) if (t_, k_) == (typ, k) else text
        )
        assert cli(p) == 1, typ
        out = capsys.readouterr().out
        assert expected in out, (typ, out)
        assert event_hash(p, typ, k) in out, (typ, out)
        if typ != "Ballot":
            assert out.count("FAILED") == 1, out
        # belenios-tool agrees
        r = subprocess.run(
            ["belenios-tool", "election", "verify", "--dir", str(p.parent)],
            capture_output=True,
            text=True,
        )
        assert r.returncode != 0, typ


# --- elections run by Pnyx -------------------------------------------------------------------


def test_pnyx_belenios2048_election_accepted_by_belenios_tool(tmp_path):
    need_belenios()
    p = tmp_path / "pnyx.bel"
    info = simulate.run(
        p, "BELENIOS-2048", QS, VOTES, revotes=[(1, [[1, 0], [0, 0, 0, 1]])], threshold_pds=(0, 2)
    )
    assert info["result"] == [[3, 0], [1, 2, 1, 2]]
    r = subprocess.run(
        ["belenios-tool", "election", "verify", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert "all checks passed" in r.stderr + r.stdout
    assert verify.verify_election(p).ok


def test_pnyx_ristretto_election_verifies_and_splits(tmp_path, capsys):
    p = tmp_path / "r.bel"
    votes = VOTES * 5
    info = simulate.run(
        p, "RISTRETTO255", QS, votes, revotes=[(0, [[0, 1], [1, 0, 0, 0]])], threshold_pds=(1, 2)
    )
    assert info["result"][0] == [9, 6]
    assert json.loads(archive.read(p).data[archive.read(p).events[0].payload])  # setup data
    assert cli(p, "--processes", 2) == 0
    assert verify.verify_election(p, processes=1).info["result"] == {"result": info["result"]}
    # split in 3 parts on "other machines", then the final run
    parts = []
    for i in (1, 2, 3):
        out = tmp_path / f"part{i}.json"
        assert cli(p, "--part", f"{i}/3", "--output", out) == 0
        parts.append(out)
    capsys.readouterr()
    assert cli(p, "--combine", *parts) == 0
    assert cli(p, "--combine", *parts[:2]) == 1
    assert "do not cover" in capsys.readouterr().out


def test_parts_cover_the_ballots_and_carry_their_errors(tmp_path):
    p = tmp_path / "r.bel"
    simulate.run(p, "RISTRETTO255", QS, VOTES * 2)
    a = archive.read(p)
    bad = tmp_path / "bad.bel"
    rebuild(
        a,
        bad,
        lambda t, k, text: (
            text.replace('"alpha":"', '"alpha":"0', 1) if (t, k) == ("Ballot", 5) else text
        ),
    )
    parts = [verify.verify_election(bad, part=(i, 2)).info["part"] for i in (1, 2)]
    assert parts[0]["ballots"] == [0, 4] and parts[1]["ballots"] == [4, 8]
    assert parts[0]["errors"] == [] and len(parts[1]["errors"]) == 1
    rep = verify.combine_parts(bad, parts)
    assert not rep.ok and any(event_hash(bad, "Ballot", 5) in e for e in rep.errors)


# --- property tests ----------------------------------------------------------------------

_RI = {}


def _ri_election(tmp_path_factory=None):
    if "a" not in _RI:
        import tempfile

        p = Path(tempfile.mkdtemp()) / "p.bel"
        simulate.run(p, "RISTRETTO255", QS, VOTES)
        _RI["a"] = archive.read(p)
    return _RI["a"]


@settings(max_examples=15, deadline=None)
@given(q=st.integers(0, 1), j=st.integers(0, 3), d=st.integers(1, 5))
def test_tampered_result_always_rejected(tmp_path_factory, q, j, d):
    a = _ri_election()
    p = tmp_path_factory.mktemp("t") / "x.bel"

    def change(typ, k, text):
        if typ != "Result":
            return text
        r = json.loads(text)
        jj = min(j, len(r["result"][q]) - 1)
        r["result"][q][jj] += d
        return json.dumps(r, separators=(",", ":"))

    rebuild(a, p, change)
    rep = verify.verify_election(p, processes=1)
    assert not rep.ok and any(e.startswith("result (event") for e in rep.errors)


@settings(max_examples=15, deadline=None)
@given(
    k=st.integers(0, 3),
    what=st.sampled_from(["alpha", "beta", "challenge", "response", "credential"]),
    d=st.integers(1, 2**32),
)
def test_tampered_ballot_always_rejected(tmp_path_factory, k, what, d):
    a = _ri_election()
    G = groups.RISTRETTO255
    p = tmp_path_factory.mktemp("t") / "x.bel"

    def change(typ, kk, text):
        if (typ, kk) != ("Ballot", k):
            return text
        b = json.loads(text)
        if what in ("alpha", "beta"):
            c = b["answers"][0]["choices"][0]
            c[what] = G.to_str(G.mul(G.from_str(c[what]), G.g_pow(d)))
        elif what == "credential":
            b["credential"] = G.to_str(G.g_pow(d))
        else:
            pr = b["answers"][1]["overall_proof"][0]
            pr[what] = str((int(pr[what]) + d) % G.q)
        return json.dumps(b, separators=(",", ":"))

    rebuild(a, p, change)
    rep = verify.verify_election(p, processes=1)
    assert not rep.ok and any(e.startswith(f"ballot {k + 1} (event") for e in rep.errors)


@settings(max_examples=10, deadline=None)
@given(
    k=st.integers(0, 2),
    d=st.integers(1, 2**32),
    field=st.sampled_from(["decryption_factors", "decryption_proofs"]),
)
def test_tampered_partial_decryption_always_rejected(tmp_path_factory, k, d, field):
    a = _ri_election()
    G = groups.RISTRETTO255
    p = tmp_path_factory.mktemp("t") / "x.bel"

    def change(typ, kk, text):
        if (typ, kk) != ("PartialDecryption", k):
            return text
        pd = json.loads(text)
        if field == "decryption_factors":
            pd[field][1][2] = G.to_str(G.mul(G.from_str(pd[field][1][2]), G.g_pow(d)))
        else:
            pd[field][1][2]["response"] = str((int(pd[field][1][2]["response"]) + d) % G.q)
        return json.dumps(pd, separators=(",", ":"))

    rebuild(a, p, change)
    rep = verify.verify_election(p, processes=1)
    assert not rep.ok and any(e.startswith("partial decryption (event") for e in rep.errors)


def test_pnyx_weighted_election_accepted_by_belenios_tool(tmp_path):
    need_belenios()
    qs = [{"question": "Q1?", "answers": ["a", "b"], "min": 0, "max": 1}]
    p = tmp_path / "w.bel"
    info = simulate.run(p, "BELENIOS-2048", qs, [[[1, 0]], [[0, 1]], [[1, 0]]], weights=[3, 5, 1])
    assert info["result"] == [[4, 5]]
    r = subprocess.run(
        ["belenios-tool", "election", "verify", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert verify.verify_election(p, processes=1).ok

"""``pnyx trustee``, ``pnyx credentials`` and ``pnyx verify-election --json``: files in, files
out, offline."""

import json
import os
import stat
from pathlib import Path

import pytest

from pnyx.cli import main as pnyx
from pnyx.crypto import archive, credentials, groups, simulate, trustees, verify
from pnyx.crypto.trustees import Trustees

DATA = Path(__file__).parent / "data" / "bel"
BEL = DATA / "YsBd99L1QwPhtW.bel"


def out_of(capsys) -> str:
    return capsys.readouterr().out.strip()


@pytest.mark.parametrize("group", ["BELENIOS-2048", "RISTRETTO255"])
def test_trustee_generate(tmp_path, capsys, group):
    assert pnyx(["trustee", "generate", "--group", group, "--dir", str(tmp_path)]) == 0
    ident = out_of(capsys)
    g = groups.get(group)
    pub = (tmp_path / f"{ident}.pubkey").read_text()
    y = trustees.check_key(g, json.loads(pub))
    priv = tmp_path / f"{ident}.privkey"
    assert g.g_pow(trustees.read_private_key(g, priv.read_text())) == y
    assert stat.S_IMODE(os.stat(priv).st_mode) == 0o400
    assert trustees.single_key_id(g, pub) == ident


def test_threshold_steps_by_cli(tmp_path, capsys):
    G = ["--group", "RISTRETTO255", "--dir", str(tmp_path)]
    ids = []
    for _ in range(3):
        assert pnyx(["trustee", "threshold-step", "1", *G]) == 0
        ids.append(out_of(capsys))
    certs = tmp_path / "certs.jsons"
    certs.write_text("".join((tmp_path / f"{i}.cert").read_text() for i in ids))
    C = [*G, "--certs", str(certs)]
    assert pnyx(["trustee", "threshold-step", "2", *C]) == 0
    polys = []
    for i in ids:
        assert (
            pnyx(
                [
                    "trustee",
                    "threshold-step",
                    "3",
                    *C,
                    "--key",
                    str(tmp_path / f"{i}.key"),
                    "--threshold",
                    "2",
                ]
            )
            == 0
        )
        polys.append(out_of(capsys))
    (tmp_path / "polynomials.jsons").write_text("\n".join(polys) + "\n")
    P = ["--polynomials", str(tmp_path / "polynomials.jsons")]
    assert pnyx(["trustee", "threshold-step", "4", *C, *P]) == 0
    vos = []
    for i in ids:
        assert (
            pnyx(
                [
                    "trustee",
                    "threshold-step",
                    "5",
                    *C,
                    "--key",
                    str(tmp_path / f"{i}.key"),
                    "--input",
                    str(tmp_path / f"{i}.vinput"),
                ]
            )
            == 0
        )
        vos.append(out_of(capsys))
    (tmp_path / "voutputs").write_text("\n".join(vos) + "\n")
    assert (
        pnyx(["trustee", "threshold-step", "6", *C, *P, "--input", str(tmp_path / "voutputs")]) == 0
    )
    tparams = out_of(capsys)
    tr = Trustees.from_json("RISTRETTO255", trustees.make_trustees([], [tparams]))
    assert tr.check() == []
    g = groups.RISTRETTO255
    for i in ids:
        x = trustees.threshold_secret(
            g, (tmp_path / f"{i}.key").read_text(), (tmp_path / f"{i}.dkey").read_text()
        )
        assert g.g_pow(x) in tr.items[0].keys
    # a wrong certificate file: exit 1 with the reason
    (tmp_path / "bad.jsons").write_text(
        (tmp_path / f"{ids[0]}.cert").read_text().replace('"response":"', '"response":"1', 1)
    )
    assert pnyx(["trustee", "threshold-step", "2", *G, "--certs", str(tmp_path / "bad.jsons")]) == 1
    assert "certificate 1 does not validate" in capsys.readouterr().err


def test_trustee_decrypt_reference(capsys, tmp_path):
    a = archive.read(BEL)
    setup = a.json(a.events[0].payload)
    tr = Trustees.from_json("BELENIOS-2048", a.get(setup["trustees"]))
    et = a.get(
        a.json(next(e for e in a.events if e.type == "EncryptedTally").payload)["encrypted_tally"]
    )
    fp = verify.fingerprint(a.get(setup["election"]))
    g = groups.BELENIOS_2048
    assert pnyx(["trustee", "decrypt", str(BEL), "--privkey", str(DATA / "D5DFE8A6.privkey")]) == 0
    trustees.check_decryption_factors(g, fp, et, out_of(capsys), tr.owner_key(1))
    for key in sorted(DATA.glob("*.key")):
        out = tmp_path / "pd.json"
        assert (
            pnyx(
                [
                    "trustee",
                    "decrypt",
                    str(BEL),
                    "--key",
                    str(key),
                    "--decryption-key",
                    str(key.with_suffix(".dkey")),
                    "--output",
                    str(out),
                ]
            )
            == 0
        )
        x = trustees.threshold_secret(g, key.read_text(), key.with_suffix(".dkey").read_text())
        owner = 2 + tr.items[1].keys.index(g.g_pow(x))
        trustees.check_decryption_factors(g, fp, et, out.read_text(), tr.owner_key(owner))


def test_credentials_generate(tmp_path, capsys):
    uuid = "YsBd99L1QwPhtW"
    assert (
        pnyx(
            [
                "credentials",
                "generate",
                "--uuid",
                uuid,
                "--group",
                "RISTRETTO255",
                "--count",
                "5",
                "--dir",
                str(tmp_path),
            ]
        )
        == 0
    )
    fpr = out_of(capsys).rsplit(" ", 1)[1]
    pub = (tmp_path / f"{uuid}.pubcreds").read_text().strip()
    assert credentials.fingerprint(pub) == fpr
    lines = (tmp_path / f"{uuid}.privcreds").read_text().split("\n")
    privs = [line.split(" ")[1] for line in lines if line]
    assert [line.split(" ")[0] for line in lines if line] == ["1", "2", "3", "4", "5"]
    assert sorted(credentials.public(uuid, "RISTRETTO255", c) for c in privs) == json.loads(pub)
    assert stat.S_IMODE(os.stat(tmp_path / f"{uuid}.privcreds").st_mode) == 0o400


def test_verify_election_json(capsys, tmp_path):
    assert pnyx(["verify-election", str(BEL), "--json", "--processes", "1"]) == 0
    rep = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (
        rep["ok"]
        and rep["errors"] == []
        and rep["info"]["result"] == {"result": [[1, 1], [1, 1, 1]]}
    )
    assert pnyx(["verify-election", str(tmp_path / "missing.bel")]) == 1


def test_weighted_election(tmp_path):
    qs = [{"question": "Q1?", "answers": ["a", "b"], "min": 0, "max": 1}]
    p = tmp_path / "w.bel"
    info = simulate.run(
        p,
        "RISTRETTO255",
        qs,
        [[[1, 0]], [[0, 1]], [[1, 0]]],
        weights=[3, 5, 1],
        revotes=[(2, [[0, 1]])],
    )
    assert info["result"] == [[3, 6]]
    rep = verify.verify_election(p, processes=1)
    assert rep.ok, rep.errors
    sized = archive.read(p).json(
        next(e for e in archive.read(p).events if e.type == "EncryptedTally").payload
    )
    assert (sized["num_tallied"], sized["total_weight"]) == (3, 9)


def test_verify_election_runs_without_django():
    import subprocess
    import sys

    code = (
        "import sys; from pnyx.cli import main; rc = main(['verify-election', sys.argv[1]]); "
        "assert not any(m.startswith('django') for m in sys.modules), 'django imported'; sys.exit(rc)"
    )
    r = subprocess.run([sys.executable, "-c", code, str(BEL)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "all checks passed" in r.stdout

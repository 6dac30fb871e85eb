"""Trustees: Single keys, the Belenios threshold key generation, partial decryptions and their
combination — known answers from the reference election belenios-tool produced
(tests/crypto/data/bel, made by run.sh), interop with belenios-tool, property tests."""

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pnyx.crypto import archive, groups, trustees
from pnyx.crypto.trustees import TrusteeError, Trustees

DATA = Path(__file__).parent / "data" / "bel"
BEL = DATA / "YsBd99L1QwPhtW.bel"
FF = groups.BELENIOS_2048
RI = groups.RISTRETTO255


def need_belenios() -> str:
    exe = shutil.which("belenios-tool")
    if exe is None:
        if os.environ.get("PNYX_REQUIRE_BELENIOS") == "1":
            pytest.fail("belenios-tool is not on PATH and PNYX_REQUIRE_BELENIOS=1")
        pytest.skip("belenios-tool is not on PATH (Debian package belenios-tool)")
    return exe


def reference():
    a = archive.read(BEL)
    setup = a.json(a.events[0].payload)
    election = a.get(setup["election"])
    tr = Trustees.from_json(FF, a.get(setup["trustees"]))
    et_ev = next(e for e in a.events if e.type == "EncryptedTally")
    sized = a.json(et_ev.payload)
    et = a.get(sized["encrypted_tally"])
    pds = []
    for e in a.events:
        if e.type == "PartialDecryption":
            o = a.json(e.payload)
            pds.append((o["owner"], a.get(o["payload"])))
    result = a.get(next(e for e in a.events if e.type == "Result").payload)
    from pnyx.crypto.verify import fingerprint

    return election, fingerprint(election), tr, et, sized, pds, result


def test_reference_trustees_check_and_key():
    election, _, tr, *_ = reference()
    assert tr.check() == []
    assert tr.count == 4  # one Single, then a Pedersen item of three
    assert [it.kind for it in tr.items] == ["Single", "Pedersen"]
    assert tr.items[1].threshold == 2
    assert tr.public_key == FF.from_str(json.loads(election)["public_key"])


def test_reference_shares_from_key_and_dkey_are_verification_keys():
    _, _, tr, *_ = reference()
    vks = tr.items[1].keys
    found = []
    for key in sorted(DATA.glob("*.key")):
        x = trustees.threshold_secret(FF, key.read_text(), key.with_suffix(".dkey").read_text())
        found.append(vks.index(FF.g_pow(x)))
    assert sorted(found) == [0, 1, 2]


def test_reference_single_key():
    pub = (DATA / "D5DFE8A6.pubkey").read_text()
    y = trustees.check_key(FF, json.loads(pub))
    x = trustees.read_private_key(FF, (DATA / "D5DFE8A6.privkey").read_text())
    assert FF.g_pow(x) == y
    assert trustees.single_key_id(FF, pub) == "D5DFE8A6"


def test_reference_partial_decryptions_and_every_combination():
    _, fp, tr, et, sized, pds, result = reference()
    assert sorted(o for o, _ in pds) == [1, 2, 3, 4]
    for owner, pd in pds:
        trustees.check_decryption_factors(FF, fp, et, pd, tr.owner_key(owner))
    single = [p for p in pds if p[0] == 1]
    for subset in itertools.combinations([p for p in pds if p[0] > 1], 2):
        got = tr.combine(fp, et, single + list(subset), total_weight=sized["total_weight"])
        assert got == result
    with pytest.raises(TrusteeError, match="2 needed"):
        tr.combine(fp, et, single + [pds[1]], total_weight=3)
    with pytest.raises(TrusteeError, match="missing partial decryption of owner 1"):
        tr.combine(fp, et, [p for p in pds if p[0] > 1], total_weight=3)


def test_our_partial_decryption_of_the_reference_tally():
    _, fp, tr, et, sized, pds, result = reference()
    x = trustees.read_private_key(FF, (DATA / "D5DFE8A6.privkey").read_text())
    mine = trustees.decryption_factors(FF, fp, et, x)
    trustees.check_decryption_factors(FF, fp, et, mine, tr.owner_key(1))
    shares = [
        trustees.threshold_secret(FF, k.read_text(), k.with_suffix(".dkey").read_text())
        for k in sorted(DATA.glob("*.key"))
    ]
    owners = [2 + tr.items[1].keys.index(FF.g_pow(s)) for s in shares]
    ours = [(1, mine)] + [
        (o, trustees.decryption_factors(FF, fp, et, s)) for o, s in zip(owners, shares, strict=True)
    ][1:]
    assert tr.combine(fp, et, ours, total_weight=3) == result


def run_threshold(group, n=3, t=2):
    """The whole threshold protocol in Python: (threshold parameters text, the shares)."""
    seeds, certs = zip(*(trustees.step1(group) for _ in range(n)), strict=True)
    trustees.step2(group, certs)
    polys = [trustees.step3(group, certs, s, t) for s in seeds]
    vinputs = trustees.step4(group, certs, polys)
    voutputs = [trustees.step5(group, certs, s, vi) for s, vi in zip(seeds, vinputs, strict=True)]
    tparams, dkeys = trustees.step6(group, certs, polys, voutputs)
    shares = [trustees.threshold_secret(group, s, d) for s, d in zip(seeds, dkeys, strict=True)]
    return tparams, shares, seeds, certs, polys, voutputs


@pytest.mark.parametrize("group", [FF, RI], ids=lambda g: g.name)
def test_threshold_protocol_and_decryption(group):
    tparams, shares, *_ = run_threshold(group)
    single_priv, single_pub = trustees.generate_single(group)
    text = trustees.make_trustees([single_pub], [tparams])
    tr = Trustees.from_json(group, text)
    assert tr.check() == []
    # an encrypted 5 under the combined key, decrypted by the Single and 2 of the 3
    y, r = tr.public_key, group.random_scalar()
    et = json.dumps(
        [
            [
                {
                    "alpha": group.to_str(group.g_pow(r)),
                    "beta": group.to_str(group.mul(group.pow(y, r), group.g_pow(5))),
                }
            ]
        ]
    )
    x1 = trustees.read_private_key(group, single_priv)
    for pair in itertools.combinations(range(3), 2):
        pds = [(1, trustees.decryption_factors(group, "FP", et, x1))]
        pds += [(2 + i, trustees.decryption_factors(group, "FP", et, shares[i])) for i in pair]
        assert json.loads(tr.combine("FP", et, pds, total_weight=9)) == {"result": [[5]]}


def test_threshold_steps_reject_bad_inputs():
    tparams, shares, seeds, certs, polys, voutputs = run_threshold(RI)
    bad = json.loads(certs[1])
    bad["signature"]["response"] = str((int(bad["signature"]["response"]) + 1) % RI.q)
    with pytest.raises(TrusteeError, match="certificate 2 does not validate"):
        trustees.step2(RI, [certs[0], json.dumps(bad), certs[2]])
    with pytest.raises(TrusteeError, match="could not find my certificate"):
        trustees.step3(RI, certs[:2], seeds[2], 2)
    vos = list(voutputs)
    vos[0], vos[1] = vos[1], vos[0]
    with pytest.raises(TrusteeError, match="verification key 1 is incorrect"):
        trustees.step6(RI, certs, polys, vos)
    # a trustee whose secret from trustee 1 is another's is told so in step 5
    vinputs = trustees.step4(RI, certs, polys)
    vi = json.loads(vinputs[0])
    vi["secrets"][0] = json.loads(trustees.step4(RI, certs, polys)[1])["secrets"][0]
    with pytest.raises(TrusteeError):
        trustees.step5(RI, certs, seeds[0], json.dumps(vi))


def test_aes_ccm_roundtrip_and_tamper():
    key, iv = "11" * 32, "22" * 32
    ct = trustees.aes_ccm_encrypt(key, iv, "hello")
    assert trustees.aes_ccm_decrypt(key, iv, ct) == "hello"
    with pytest.raises(TrusteeError):
        trustees.aes_ccm_decrypt(key, iv, ct[:-2] + ("00" if ct[-2:] != "00" else "01"))


# --- property tests: a tampered pok / certificate / partial decryption is rejected ---------

_single = {g.name: trustees.generate_single(g) for g in (FF, RI)}
_tparams = {RI.name: run_threshold(RI)[0]}


def _bump(s: str, d: int, q: int) -> str:
    return str((int(s) + d) % q)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    group=st.sampled_from([FF, RI]),
    field=st.sampled_from(["challenge", "response"]),
    d=st.integers(1, 2**64),
)
def test_tampered_pok_rejected(group, field, d):
    tpk = json.loads(_single[group.name][1])
    tpk["pok"][field] = _bump(tpk["pok"][field], d, group.q)
    with pytest.raises(TrusteeError):
        trustees.check_key(group, tpk)


@settings(max_examples=30, deadline=None)
@given(
    d=st.integers(1, 2**64),
    which=st.sampled_from(["challenge", "response", "message"]),
    i=st.integers(0, 2),
)
def test_tampered_certificate_rejected(d, which, i):
    tp = json.loads(_tparams[RI.name])
    cert = tp["certs"][i]
    if which == "message":
        keys = json.loads(cert["message"])
        keys["encryption"] = RI.to_str(RI.g_pow(d))
        cert["message"] = json.dumps(keys, separators=(",", ":"))
    else:
        cert["signature"][which] = _bump(cert["signature"][which], d, RI.q)
    tr = Trustees.from_json(RI, json.dumps([["Pedersen", tp]]))
    assert any("certificate" in e for e in tr.check())


@settings(max_examples=20, deadline=None)
@given(
    d=st.integers(1, 2**64),
    i=st.integers(0, 1),
    j=st.integers(0, 2),
    what=st.sampled_from(["factor", "challenge", "response"]),
)
def test_tampered_partial_decryption_rejected(d, i, j, what):
    _, fp, tr, et, sized, pds, result = reference()
    pd = json.loads(pds[0][1])
    j = min(j, len(pd["decryption_factors"][i]) - 1)
    if what == "factor":
        pd["decryption_factors"][i][j] = FF.to_str(
            FF.mul(FF.from_str(pd["decryption_factors"][i][j]), FF.g_pow(d))
        )
    else:
        p = pd["decryption_proofs"][i][j]
        p[what] = _bump(p[what], d, FF.q)
    with pytest.raises(TrusteeError):
        trustees.check_decryption_factors(FF, fp, et, json.dumps(pd), tr.owner_key(pds[0][0]))


# --- interop with belenios-tool: the threshold steps, each side's output read by the other --


def _tool(args, cwd, stdin=None):
    env = dict(os.environ, BELENIOS_USE_URANDOM="1")
    r = subprocess.run(
        ["belenios-tool", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return r.stdout


def test_threshold_interop_pnyx_trustees_belenios_server(tmp_path):
    need_belenios()
    G = FF
    seeds, certs = zip(*(trustees.step1(G) for _ in range(3)), strict=True)
    (tmp_path / "certs.jsons").write_text("".join(c + "\n" for c in certs))
    tk = [
        "setup",
        "generate-trustee-key-threshold",
        "--group",
        "BELENIOS-2048",
        "--certs",
        "certs.jsons",
    ]
    _tool([*tk, "--step", "2"], tmp_path)
    polys = [trustees.step3(G, certs, s, 2) for s in seeds]
    (tmp_path / "polynomials.jsons").write_text("".join(p + "\n" for p in polys))
    _tool([*tk, "--step", "4", "--polynomials", "polynomials.jsons"], tmp_path)
    assert [
        (tmp_path / f"{trustees.cert_id(c)}.vinput").read_text().strip() for c in certs
    ] == trustees.step4(G, certs, polys)
    vos = [
        trustees.step5(
            G, certs, s, (tmp_path / f"{trustees.cert_id(c)}.vinput").read_text().strip()
        )
        for s, c in zip(seeds, certs, strict=True)
    ]
    out = _tool(
        [*tk, "--step", "6", "--polynomials", "polynomials.jsons"],
        tmp_path,
        "".join(v + "\n" for v in vos),
    )
    assert out.strip() == trustees.step6(G, certs, polys, vos)[0]


def test_threshold_interop_belenios_trustees_pnyx_server(tmp_path):
    need_belenios()
    G = FF
    tk = ["setup", "generate-trustee-key-threshold", "--group", "BELENIOS-2048"]
    for _ in range(3):
        _tool([*tk, "--step", "1"], tmp_path)
    certs = [p.read_text().strip() for p in sorted(tmp_path.glob("*.cert"))]
    (tmp_path / "certs.jsons").write_text("".join(c + "\n" for c in certs))
    trustees.step2(G, certs)
    keys = [tmp_path / f"{trustees.cert_id(c)}.key" for c in certs]
    polys = [
        _tool(
            [*tk, "--certs", "certs.jsons", "--key", str(k), "--step", "3", "--threshold", "2"],
            tmp_path,
        ).strip()
        for k in keys
    ]
    vinputs = trustees.step4(G, certs, polys)
    vos = [
        _tool(
            [*tk, "--certs", "certs.jsons", "--key", str(k), "--step", "5"], tmp_path, vi + "\n"
        ).strip()
        for k, vi in zip(keys, vinputs, strict=True)
    ]
    tparams, dkeys = trustees.step6(G, certs, polys, vos)
    tr = Trustees.from_json(G, trustees.make_trustees([], [tparams]))
    assert tr.check() == []
    for k, d in zip(keys, dkeys, strict=True):
        x = trustees.threshold_secret(G, k.read_text(), d)
        assert G.g_pow(x) in tr.items[0].keys


def test_from_json_guesses_the_group_and_combine_defaults():
    _, fp, tr, et, sized, pds, result = reference()
    same = Trustees.from_json(tr.text)
    assert same.group is FF and same.count == 4
    tparams = run_threshold(RI)[0]
    assert Trustees.from_json(trustees.make_trustees([], [tparams])).group is RI
    assert same.combine(fp, et, pds) == result  # default bound


def test_partial_decryptions_agree_with_crypto_ballots_tally():
    from pnyx.crypto import election, tally

    election_text, fp, tr, et, sized, pds, result = reference()
    e = election.Election.from_json(election_text)
    x = trustees.read_private_key(FF, (DATA / "D5DFE8A6.privkey").read_text())
    mine = trustees.decryption_factors(FF, fp, et, x)
    tally.check_decryption_factors(e, et, mine, tr.owner_key(1))
    theirs = tally.decryption_factors(e, et, x)
    trustees.check_decryption_factors(FF, fp, et, theirs, tr.owner_key(1))
    factors = tr.combine_factors(fp, et, pds)
    assert {"result": tally.decode(e, factors, et, sized["total_weight"])} == json.loads(result)

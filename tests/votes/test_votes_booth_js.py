"""The voter's browser booth (src/pnyx/votes/static/votes/verifiable/booth.js) in headless
Chromium: modules load under a strict CSP; the groups (RFC 9496 vectors, membership checks,
Belenios's hash); credentials (checksum, derivation); ballots checked by an independent Python
verifier of the specification's proofs in both groups, by belenios-tool (BELENIOS-2048), and
byte for byte against crypto-ballots' vectors when they are there; errors; progress; the page
stays responsive.

The page is tests/votes/booth_js/harness.html (test-only), served with the static folder by the
local server of bench/verifiable_browser.py.
"""

import base64
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pnyx.crypto import groups
from pnyx.crypto.groups import BELENIOS_2048, RISTRETTO255

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "booth_js" / "data"
VECTORS = ROOT / "tests/crypto/vectors/ballots.json"

_spec = importlib.util.spec_from_file_location(
    "verifiable_browser", ROOT / "bench/verifiable_browser.py"
)
vb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vb)


@pytest.fixture(scope="module")
def page():
    if not os.path.exists(vb.CHROMIUM) and not os.environ.get("PNYX_REQUIRE_E2E"):
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    with vb.ThreadedHarness() as p:
        yield p
        assert p.errors == []


def encrypt(page, election_text, cred, answers, scalars=None):
    return page.evaluate(
        "([e, c, a, s]) => window.harness.encryptWith(e, c, a, s)",
        [election_text, cred, answers, scalars],
    )


# ---- an independent verifier, straight from the specification ------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def verify_iproof(G, y, S, ct, proofs, values):
    """Section "Proofs of interval membership", verification."""
    alpha, beta = ct
    commitments, total = [], 0
    for (c, r), m in zip(proofs, values, strict=True):
        commitments.append(G.mul(G.g_pow(r), G.pow(alpha, c)))
        commitments.append(G.mul(G.pow(y, r), G.pow(G.div(beta, G.g_pow(m)), c)))
        total += c
    prefix = f"prove|{S}|{G.to_str(alpha)},{G.to_str(beta)}|"
    return G.hash(prefix, commitments) == total % G.q


def verify_blank(G, y, S, c0, cS, overall, blank, qmin, qmax):
    """Section "Proofs of possibly-blank votes", verifying proofs."""
    (ch0, r0), (chS, rS) = blank
    com = [
        G.mul(G.g_pow(r0), G.pow(c0[0], ch0)),
        G.mul(G.pow(y, r0), G.pow(c0[1], ch0)),
        G.mul(G.g_pow(rS), G.pow(cS[0], chS)),
        G.mul(G.pow(y, rS), G.pow(cS[1], chS)),
    ]
    if G.hash(f"bproof0|{S}|", com) != (ch0 + chS) % G.q:
        return False
    (c, r) = overall[0]
    com = [G.mul(G.g_pow(r), G.pow(c0[0], c)), G.mul(G.pow(y, r), G.pow(G.div(c0[1], G.g), c))]
    total = c
    for (c, r), m in zip(overall[1:], range(qmin, qmax + 1), strict=True):
        com.append(G.mul(G.g_pow(r), G.pow(cS[0], c)))
        com.append(G.mul(G.pow(y, r), G.pow(G.div(cS[1], G.g_pow(m)), c)))
        total += c
    return G.hash(f"bproof1|{S}|", com) == total % G.q


def check_ballot(election_text, ballot_text, public_creds=None):
    """Every check of the specification on one ballot; returns the parsed ballot."""
    e = json.loads(election_text)
    G = groups.get(e["group"])
    y = G.from_str(e["public_key"])
    b = json.loads(ballot_text)
    assert list(b) == ["election_uuid", "election_hash", "credential", "answers", "signature"]
    assert b["election_uuid"] == e["uuid"]
    assert b["election_hash"] == b64(election_text.encode())
    cred = G.from_str(b["credential"])
    if public_creds is not None:
        assert b["credential"] in public_creds
    unsigned = dict(b)
    sig = unsigned.pop("signature")
    assert sig["hash"] == b64(json.dumps(unsigned, separators=(",", ":")).encode())
    assert json.dumps(b, separators=(",", ":")) == ballot_text  # compact, in this field order
    ch, r = (G.scalar_from_str(sig["proof"][k]) for k in ("challenge", "response"))
    assert ch == G.hash(f"sig|{sig['hash']}|", [G.mul(G.g_pow(r), G.pow(cred, ch))])
    S0 = f"{b['election_hash']}|{b['credential']}"

    def proofs(ps):
        return [(G.scalar_from_str(p["challenge"]), G.scalar_from_str(p["response"])) for p in ps]

    for q, a in zip(e["questions"], b["answers"], strict=True):
        blank = q.get("blank", False)
        keys = ["choices", "individual_proofs", "overall_proof"] + (
            ["blank_proof"] if blank else []
        )
        assert list(a) == keys
        cts = [(G.from_str(c["alpha"]), G.from_str(c["beta"])) for c in a["choices"]]
        assert len(cts) == len(q["answers"]) + blank
        for ct, ip in zip(cts, a["individual_proofs"], strict=True):
            assert verify_iproof(G, y, S0, ct, proofs(ip), [0, 1])
        S = S0 + "|" + ",".join(f"{c['alpha']},{c['beta']}" for c in a["choices"])
        rest = cts[1:] if blank else cts
        cS = (G.prod(c[0] for c in rest), G.prod(c[1] for c in rest))
        if blank:
            assert verify_blank(
                G, y, S, cts[0], cS, proofs(a["overall_proof"]), proofs(a["blank_proof"]),
                q["min"], q["max"],
            )  # fmt: skip
        else:
            values = list(range(q["min"], q["max"] + 1))
            assert verify_iproof(G, y, S, cS, proofs(a["overall_proof"]), values)
    return b


def secret(G, uuid, cred):
    """Section "Credentials": PBKDF2-HMAC-SHA256, salt the uuid, 1000 iterations."""
    raw = hashlib.pbkdf2_hmac("sha256", cred.encode(), uuid.encode(), 1000, 32)
    return int.from_bytes(raw, "big") % G.q


QUESTIONS = [
    {"question": "Q1?", "answers": ["A1", "A2"], "min": 0, "max": 1},
    {"question": "Q2?", "answers": ["A1", "A2"], "blank": True, "min": 1, "max": 1},
    {"question": "Q3?", "answers": ["a", "b", "c", "d"], "min": 1, "max": 3},
]
ANSWERS = [
    [[1, 0], [0, 0, 1], [1, 0, 1, 1]],
    [[0, 0], [1, 0, 0], [0, 1, 0, 0]],
    [[0, 1], [0, 1, 0], [1, 1, 1, 0]],
]

# ---- tests ---------------------------------------------------------------------------------


def test_modules_load_under_a_strict_csp(page):
    loaded = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    names = {u.split("/static/votes/verifiable/", 1)[-1] for u in loaded}
    assert {"booth.js", "groups.js", "vendor/noble-curves/ed25519.js"} <= names
    assert "vendor/noble-hashes/pbkdf2.js" in names
    assert page.text_content("#status") == "ready"


def test_ristretto255_as_rfc9496_and_pnyx_groups(page):
    good = RISTRETTO255.to_str(RISTRETTO255.g)
    bad = [good.upper(), good[:-2], "01" + "00" * 31, "zz" * 32, "ff" * 32]
    r = page.evaluate(
        "([b]) => window.harness.groupCheck('RISTRETTO255', ['1', '2', '3', '0'], b, 'pok|x|')",
        [bad],
    )
    assert r["powers"] == [
        "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
        "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
        "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
        "00" * 32,
    ]
    assert r["rejected"] == [True] * len(bad)
    assert int(r["q"]) == RISTRETTO255.q
    assert int(r["hash"]) == RISTRETTO255.hash("pok|x|", [RISTRETTO255.g_pow(42), RISTRETTO255.g])


def test_belenios_2048_powers_membership_and_hash(page):
    G = BELENIOS_2048
    ks = [0, 1, 2, 12345, G.q - 1, 2**255 + 7]
    bad = ["0", str(int(G.p)), str(int(G.p) - 1), "012", "-5", ""]
    r = page.evaluate(
        "([k, b]) => window.harness.groupCheck('BELENIOS-2048', k, b, 'pok|y|')",
        [[str(k) for k in ks], bad],
    )
    assert r["powers"] == [G.to_str(G.g_pow(k)) for k in ks]
    assert r["rejected"] == [True] * len(bad)
    assert int(r["hash"]) == G.hash("pok|y|", [G.g_pow(42), G.g])


CRED_CASES = [
    ("DBd-8GE-Tpj-zRw-pdV", {"ok": True, "credential": "DBd-8GE-Tpj-zRw-pdV"}),
    ("  DBd8GETpjzRwpdV\n", {"ok": True, "credential": "DBd-8GE-Tpj-zRw-pdV"}),
    ("DBd-8GE-Tpj-zRw-pdW", {"ok": False, "error": "checksum"}),  # last character mistyped
    ("DBd-8GE-Tpj-zRv-pdV", {"ok": False, "error": "checksum"}),
    ("7xW-Xuq-JFP-YT5-htE", {"ok": True, "credential": "7xW-Xuq-JFP-YT5-htE"}),
    ("DBd-8GE-Tpj-zRw-pdO", {"ok": False, "error": "character", "position": 18}),  # O is not Base58
    ("DBd-8GE-Tpj-zRw-0dV", {"ok": False, "error": "character", "position": 16}),
    ("DBd_8GE-Tpj-zRw-pdV", {"ok": False, "error": "character", "position": 3}),
    ("DBd-8GE-Tpj-zRw", {"ok": False, "error": "character", "position": 3}),  # 15 with dashes
    ("DBd-8GE-Tpj-zR", {"ok": False, "error": "length"}),
    ("", {"ok": False, "error": "empty"}),
    ("   ", {"ok": False, "error": "empty"}),
]


def test_check_credential(page):
    got = page.evaluate(
        "(xs) => xs.map((x) => window.harness.booth.checkCredential(x))", [c for c, _ in CRED_CASES]
    )
    assert got == [want for _, want in CRED_CASES]


def test_a_single_typo_is_always_caught(page):
    good = "iN1-7C4-VQ9-hik-cTH"
    typos = []
    for i, ch in enumerate(good):
        if ch != "-":
            typos += [good[:i] + x + good[i + 1 :] for x in vb.B58 if x != ch][:20]
    got = page.evaluate("(xs) => xs.map((x) => window.harness.booth.checkCredential(x).ok)", typos)
    # 53 is prime and above 14 digits' weights' order only for single-digit changes of < 53:
    # Belenios's checksum catches every substitution whose difference is not a multiple of 53.
    assert sum(got) == 0


def test_belenios_election_ballots_use_the_registered_credentials(page):
    """The reference election of /tmp/bel (belenios-tool): the JS booth derives from each
    private credential the public credential the tool registered; ballots pass every check."""
    text = (DATA / "belenios_election.json").read_text().rstrip("\n")
    # each "credential,login,weight" (belenios-tool 2.0's format)
    public = [
        c.split(",")[0] for c in json.loads((DATA / "belenios_public_creds.json").read_text())
    ]
    creds = [
        line.split()[1] for line in (DATA / "belenios_private_creds.txt").read_text().splitlines()
    ]
    for cred, answers in zip(
        creds, [[[1, 0], [0, 1, 0]], [[0, 1], [0, 0, 1]], [[0, 0], [1, 0, 0]]], strict=True
    ):
        r = encrypt(page, text, cred, answers)
        b = check_ballot(text, r["ballot"], public)
        G = BELENIOS_2048
        assert b["credential"] == G.to_str(G.g_pow(secret(G, json.loads(text)["uuid"], cred)))


@pytest.mark.parametrize("group", ["RISTRETTO255", "BELENIOS-2048"])
def test_random_ballots_pass_the_specifications_checks(page, group):
    text = vb.make_election(group, QUESTIONS)
    for answers in ANSWERS:
        cred = vb.credential()
        r = encrypt(page, text, cred, answers)
        b = check_ballot(text, r["ballot"])
        G = groups.get(group)
        assert b["credential"] == G.to_str(G.g_pow(secret(G, json.loads(text)["uuid"], cred)))
        total = sum(len(a) + 1 for a in answers)
        assert r["progress"][-1] == f"{total}/{total}"
        h = page.evaluate("(b) => window.harness.booth.ballotHash(b)", r["ballot"])
        assert h == b64(r["ballot"].encode())


def test_known_random_scalars_give_the_same_ballot_twice(page):
    text = vb.make_election("RISTRETTO255", QUESTIONS)
    scalars = [str(RISTRETTO255.random_scalar()) for _ in range(200)]
    cred = vb.credential()
    a = encrypt(page, text, cred, ANSWERS[0], scalars)["ballot"]
    assert a == encrypt(page, text, cred, ANSWERS[0], scalars)["ballot"]
    check_ballot(text, a)


@pytest.mark.parametrize(
    "answers, code",
    [
        ([[1, 1], [0, 1, 0], [1, 0, 0, 0]], "answers"),  # above max
        ([[0, 0], [0, 1, 0], [0, 0, 0, 0]], "answers"),  # below min
        ([[0, 0], [1, 1, 0], [1, 0, 0, 0]], "answers"),  # blank with a choice
        ([[0, 2], [0, 1, 0], [1, 0, 0, 0]], "answers"),  # not 0/1
        ([[0, 0], [0, 1], [1, 0, 0, 0]], "answers"),  # blank flag missing
        ([[0, 0], [0, 1, 0]], "answers"),  # a question missing
    ],
)
def test_wrong_answers_are_refused(page, answers, code):
    text = vb.make_election("RISTRETTO255", QUESTIONS)
    err = page.evaluate(
        "([e, c, a]) => window.harness.errorOf(e, c, a)", [text, vb.credential(), answers]
    )
    assert err == code


def test_wrong_elections_and_credentials_are_refused(page):
    text = vb.make_election("RISTRETTO255", QUESTIONS)
    e = json.loads(text)
    cases = [
        (text, "DBd-8GE-Tpj-zRw-pdW", "credential"),
        ("{", vb.credential(), "election"),
        (json.dumps(e | {"group": "RFC-3526-2048"}), vb.credential(), "election"),
        (json.dumps(e | {"public_key": "ff" * 32}), vb.credential(), "election"),
        (
            json.dumps(e | {"questions": [{"type": "NonHomomorphic", "value": {}}]}),
            vb.credential(),
            "election",
        ),
    ]
    for election_text, cred, code in cases:
        err = page.evaluate(
            "([e, c, a]) => window.harness.errorOf(e, c, a)", [election_text, cred, ANSWERS[0]]
        )
        assert err == code, election_text[:80]


def test_the_page_stays_responsive_while_encrypting(page):
    name, qs, answers = vb.majority_judgment_case()
    text = vb.make_election("RISTRETTO255", qs)
    r = page.evaluate(
        "([e, c, a]) => window.harness.timeEncrypt(e, c, a, 1)", [text, vb.credential(), answers]
    )
    # a 10 ms interval timer kept running during the encryption (it yields to the event loop)
    assert r["ticks"] >= r["times"][0] / 10 / 4


def test_known_answer_vectors_byte_for_byte(page):
    """crypto-ballots' vectors (tests/crypto/vectors/ballots.json): with the same random scalars,
    booth.js writes exactly the ballot that pnyx.crypto.ballots.encrypt writes."""
    cases = json.loads(VECTORS.read_text())["cases"]
    assert {c["group"] for c in cases} == {"BELENIOS-2048", "RISTRETTO255"}
    for v in cases:
        r = encrypt(page, v["election"], v["credential"], v["answers"], v["randomness"])
        assert r["ballot"] == v["ballot"], v["name"]
        h = page.evaluate("(b) => window.harness.booth.ballotHash(b)", r["ballot"])
        assert h == v["ballot_hash"]
        fp = page.evaluate("(e) => window.harness.booth.electionFingerprint(e)", v["election"])
        assert fp == v["election_hash"]


@pytest.mark.parametrize("group", ["RISTRETTO255", "BELENIOS-2048"])
def test_python_verifies_random_js_ballots(page, group):
    from pnyx.crypto import ballots, credentials
    from pnyx.crypto.election import Election

    text = vb.make_election(group, QUESTIONS)
    e = Election.from_json(text)
    for answers in ANSWERS:
        cred = vb.credential()
        public = credentials.public(e.uuid, e.group, cred)
        ballot_text = encrypt(page, text, cred, answers)["ballot"]
        b = ballots.verify(e, ballot_text, {public})
        assert b.hash == ballots.hash(ballot_text)
        tampered = ballot_text.replace('"challenge":"1', '"challenge":"2', 1)
        if tampered != ballot_text:
            with pytest.raises(ballots.InvalidBallot):
                ballots.verify(e, tampered, {public})


@pytest.fixture(scope="module")
def belenios_tool():
    tool = shutil.which("belenios-tool")
    if not tool:
        if os.environ.get("PNYX_REQUIRE_BELENIOS"):
            pytest.fail("belenios-tool is required (PNYX_REQUIRE_BELENIOS=1) but missing")
        pytest.skip("belenios-tool (Debian's belenios-tool) is not installed")
    return tool


def test_belenios_tool_accepts_the_booths_ballots(page, belenios_tool, tmp_path):
    env = dict(os.environ, BELENIOS_USE_URANDOM="1")

    def tool(*args, stdin=None):
        return subprocess.run(
            [belenios_tool, *args], cwd=tmp_path, env=env, input=stdin, text=True,
            capture_output=True, check=True,
        ).stdout  # fmt: skip

    uuid = tool("setup", "generate-token").strip()
    tool(
        "setup", "generate-credentials", "--uuid", uuid, "--group", "BELENIOS-2048", "--count", "3"
    )
    (priv,) = tmp_path.glob("*.privcreds")
    (pub,) = tmp_path.glob("*.pubcreds")
    pub.rename(tmp_path / "public_creds.json")
    creds = [line.split()[1] for line in priv.read_text().splitlines()]
    tool("setup", "generate-trustee-key", "--group", "BELENIOS-2048")
    (tmp_path / "public_keys.jsons").write_text(next(tmp_path.glob("*.pubkey")).read_text())
    tool("setup", "make-trustees")
    (tmp_path / "questions.json").write_text(
        json.dumps({"description": "D", "name": "N", "questions": QUESTIONS})
    )
    tool(
        "setup",
        "make-election",
        "--uuid",
        uuid,
        "--group",
        "BELENIOS-2048",
        "--template",
        "questions.json",
    )
    election_text = (tmp_path / "election.json").read_text().rstrip("\n")
    tool("archive", "init")
    for f in ("election.json", "trustees.json", "public_creds.json"):
        (tmp_path / f).unlink()
    for cred, answers in zip(creds, ANSWERS, strict=True):
        ballot = encrypt(page, election_text, cred, answers)["ballot"]
        tool("archive", "add-event", "--type=Ballot", stdin=ballot)
    out = subprocess.run(
        [belenios_tool, "election", "verify"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "all checks passed" in out.stderr + out.stdout


def test_the_module_worker_encrypts_off_the_main_thread(page):
    text = vb.make_election("RISTRETTO255", QUESTIONS)
    cred = vb.credential()
    r = page.evaluate(
        "([e, c, a]) => window.harness.encryptInWorker(e, c, a)", [text, cred, ANSWERS[1]]
    )
    assert "error" not in r, r
    assert r["prepared"]["group"] == "RISTRETTO255"
    assert r["tracker"] == b64(r["ballot"].encode())
    assert r["progress"][-1] == sum(len(a) + 1 for a in ANSWERS[1])
    check_ballot(text, r["ballot"])
    r = page.evaluate(
        "([e, c, a]) => window.harness.encryptInWorker(e, c, a)", [text, "nope", ANSWERS[1]]
    )
    assert r["error"]["code"] == "credential"


def test_an_aborted_encryption_stops(page):
    text = vb.make_election("RISTRETTO255", QUESTIONS)
    code = page.evaluate(
        "([e, c, a]) => window.harness.abortCode(e, c, a)", [text, vb.credential(), ANSWERS[0]]
    )
    assert code == "aborted"

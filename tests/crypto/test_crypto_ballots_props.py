"""Property tests, both groups: valid ballots verify and decrypt to their plaintext; any
tampering is rejected (InvalidBallot / InvalidDecryption); tallies decode to the sums."""

import json
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pnyx.crypto import ballots, credentials, election, groups, proofs, tally
from pnyx.crypto.ballots import InvalidBallot
from pnyx.crypto.tally import InvalidDecryption

GROUPS = ["BELENIOS-2048", "RISTRETTO255"]
QUESTIONS = [
    {"question": "Approval 1..2 of 4", "answers": ["a", "b", "c", "d"], "min": 1, "max": 2},
    {"question": "Yes/no/abstain", "answers": ["y", "n", "a"], "min": 1, "max": 1, "blank": True},
    {"question": "At most 1 of 2", "answers": ["x", "y"], "min": 0, "max": 1},
    {"question": "Exactly 2 of 3", "answers": ["p", "q", "r"], "min": 2, "max": 2, "blank": True},
]
SK = 123456789123456789


@cache
def setup(group):
    gr = groups.get(group)
    text = election.make(
        uuid="PnyxPropTests1234",
        group=group,
        public_key=gr.g_pow(SK),
        questions=QUESTIONS,
        name="Propriétés",
        description="Élection de test",
    )
    e = election.Election.from_json(text)
    creds = credentials.generate(e.uuid, group, 3)
    return e, creds


@st.composite
def plaintexts(draw):
    out = []
    for q in QUESTIONS:
        n = len(q["answers"])
        if q.get("blank") and draw(st.booleans()):
            out.append([1] + [0] * n)
            continue
        k = draw(st.integers(q["min"], q["max"]))
        chosen = draw(st.permutations(range(n)))[:k]
        row = [1 if i in chosen else 0 for i in range(n)]
        out.append(([0] + row) if q.get("blank") else row)
    return out


def decrypt(e, ct):
    gr = e.group
    a, b = ct
    return gr.dlog(gr.div(b, gr.pow(a, SK)), 1)


@pytest.mark.parametrize("group", GROUPS)
@settings(max_examples=8, deadline=None)
@given(p=plaintexts())
def test_random_valid_ballots_verify(group, p):
    e, creds = setup(group)
    priv, pub = creds[0]
    text = ballots.encrypt(e, p, priv)
    b = ballots.verify(e, text, {c[1] for c in creds})
    assert b.credential == pub
    assert [[decrypt(e, ct) for ct in row] for row in b.answers] == p


def resign(e, d, priv):
    """The ballot re-signed by its voter after tampering (so only the proofs can catch it)."""
    d = dict(d)
    del d["signature"]
    head = json.dumps(d, separators=(",", ":"))
    h = election.sha256_b64(head)
    s = credentials.derive(e.uuid, e.group, priv)
    c, r = proofs.sign(e.ctx, s, h, e.group.random_scalar)
    d["signature"] = {"hash": h, "proof": {"challenge": str(c), "response": str(r)}}
    return d


@cache
def base_ballot(group):
    e, creds = setup(group)
    return ballots.encrypt(e, [[1, 1, 0, 0], [0, 0, 1, 0], [0, 1], [0, 1, 0, 1]], creds[0][0])


@pytest.mark.parametrize("group", GROUPS)
def test_resigned_untampered_ballot_verifies(group):
    """The tampering test's re-signing is right: only the tampering makes ballots fail."""
    e, creds = setup(group)
    d = resign(e, json.loads(base_ballot(group)), creds[0][0])
    ballots.verify(e, json.dumps(d, separators=(",", ":")), {c[1] for c in creds})


KINDS = [
    "alpha",
    "beta",
    "iproof",
    "overall",
    "blank",
    "sig_challenge",
    "sig_response",
    "sig_hash",
    "credential_other",
    "credential_unknown",
    "election_hash",
    "election_uuid",
    "spaces",
]


@pytest.mark.parametrize("group", GROUPS)
@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_tampered_ballot_rejected(group, kind, data):
    e, creds = setup(group)
    gr = e.group
    text = base_ballot(group)
    d = json.loads(text)
    assert json.dumps(d, separators=(",", ":")) == text
    pubs = {c[1] for c in creds}
    i = data.draw(st.integers(0, len(QUESTIONS) - 1))
    a = d["answers"][i]
    bump = lambda s: str((int(s) + data.draw(st.integers(1, 2**64))) % gr.q)  # noqa: E731
    if kind in ("alpha", "beta"):
        j = data.draw(st.integers(0, len(a["choices"]) - 1))
        x = gr.from_str(a["choices"][j][kind])
        a["choices"][j][kind] = gr.to_str(gr.mul(x, gr.g_pow(data.draw(st.integers(1, 5)))))
    elif kind in ("iproof", "overall", "blank"):
        if kind == "blank" and "blank_proof" not in a:
            i = 1
            a = d["answers"][1]
        ps = {"iproof": None, "overall": a["overall_proof"], "blank": a.get("blank_proof")}[kind]
        if ps is None:
            ps = a["individual_proofs"][data.draw(st.integers(0, len(a["choices"]) - 1))]
        p = ps[data.draw(st.integers(0, len(ps) - 1))]
        f = data.draw(st.sampled_from(["challenge", "response"]))
        p[f] = bump(p[f])
    elif kind == "sig_challenge":
        d["signature"]["proof"]["challenge"] = bump(d["signature"]["proof"]["challenge"])
    elif kind == "sig_response":
        d["signature"]["proof"]["response"] = bump(d["signature"]["proof"]["response"])
    elif kind == "sig_hash":
        d["signature"]["hash"] = election.sha256_b64("other")
    elif kind == "credential_other":
        d["credential"] = creds[1][1]
    elif kind == "credential_unknown":
        d["credential"] = gr.to_str(gr.g_pow(42))
    elif kind == "election_hash":
        d["election_hash"] = election.sha256_b64("another election")
    elif kind == "election_uuid":
        d["election_uuid"] = "PnyxPropTests1235"
    if kind in ("alpha", "beta", "iproof", "overall", "blank", "credential_other") and (
        data.draw(st.booleans())
    ):
        d = resign(e, d, creds[0][0] if kind != "credential_other" else creds[1][0])
    bad = json.dumps(d, separators=(",", ":"))
    if kind == "spaces":
        bad = json.dumps(d)
    assert bad != text
    with pytest.raises(InvalidBallot):
        ballots.verify(e, bad, pubs)


def cheat(e, p, priv, monkeypatch):
    """A ballot for an invalid plaintext: the checks of encrypt are bypassed and the proofs
    claim the nearest allowed value (what a cheating client would try)."""
    iprove, blank_prove = proofs.iprove, proofs.blank_prove

    def lying_iprove(ctx, S, ab, r, m, Ms, rng):
        Ms = list(Ms)
        claim = m if m in Ms else min(Ms, key=lambda x: abs(x - m))
        return iprove(ctx, S, ab, r, claim, Ms, rng)

    def lying_blank_prove(ctx, S, r0, m0, rS, mS, mn, mx, rng):
        m0c = min(max(m0, 0), 1)
        mSc = 0 if m0c else min(max(mS, mn), mx)
        return blank_prove(ctx, S, r0, m0c, rS, mSc, mn, mx, rng)

    with monkeypatch.context() as m:
        m.setattr(ballots, "_normalize", lambda q, a: list(a))
        m.setattr(proofs, "iprove", lying_iprove)
        m.setattr(proofs, "blank_prove", lying_blank_prove)
        return ballots.encrypt(e, p, priv)


INVALID = [
    [[1, 1, 1, 0], [0, 1, 0, 0], [0, 0], [0, 1, 1, 0]],  # 3 > max 2
    [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0], [0, 1, 1, 0]],  # 0 < min 1
    [[1, 0, 0, 0], [0, 1, 1, 0], [0, 0], [0, 1, 1, 0]],  # 2 of a 1..1 question
    [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0], [0, 1, 1, 0]],  # 0 of 1..1, not blank
    [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0], [0, 1, 1, 0]],  # blank and an answer
    [[1, 0, 0, 0], [0, 1, 0, 0], [1, 1], [0, 1, 1, 0]],  # 2 > max 1
    [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0], [0, 1, 1, 0]],  # a choice of 2
    [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0], [0, 1, 1, 1]],  # 3 of exactly 2
    [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0], [0, 2, 0, 0]],  # 2 = sum, but a choice of 2
    [[1, 0, 0, 0], [0, 1, 0, 0], [-1, 1], [0, 1, 1, 0]],  # a choice of -1
]


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("k", range(len(INVALID)))
def test_invalid_plaintexts_rejected(group, k, monkeypatch):
    e, creds = setup(group)
    pubs = {c[1] for c in creds}
    with pytest.raises(ValueError):
        ballots.encrypt(e, INVALID[k], creds[0][0])
    bad = cheat(e, INVALID[k], creds[0][0], monkeypatch)
    with pytest.raises(InvalidBallot):
        ballots.verify(e, bad, pubs)


@pytest.mark.parametrize("group", GROUPS)
@settings(max_examples=4, deadline=None)
@given(ps=st.lists(plaintexts(), min_size=0, max_size=4), data=st.data())
def test_tally_decodes_to_sums_and_tampering_rejected(group, ps, data):
    e, creds = setup(group)
    gr = e.group
    pubs = {c[1] for c in creds}
    bs = [ballots.verify(e, ballots.encrypt(e, p, creds[0][0]), pubs) for p in ps]
    et = tally.encrypted_tally(e, bs)
    halves = [tally.encrypted_tally_of(e, bs[:1]), tally.encrypted_tally_of(e, bs[1:])]
    assert tally.to_json(e, tally.multiply(e, halves)) == et
    pd = tally.decryption_factors(e, et, SK)
    X = gr.g_pow(SK)
    tally.check_decryption_factors(e, et, pd, X)
    factors, _ = tally.parse_partial_decryption(e, pd)
    result = tally.decode(e, factors, et, len(bs))
    sums = [[sum(p[i][j] for p in ps) for j in range(q.length)] for i, q in enumerate(e.questions)]
    assert result == sums
    # Tampered factor or proof, wrong key, other tally: rejected.
    d = json.loads(pd)
    i = data.draw(st.integers(0, len(QUESTIONS) - 1))
    j = data.draw(st.integers(0, e.questions[i].length - 1))
    kind = data.draw(st.sampled_from(["factor", "challenge", "response", "key", "tally"]))
    other_et = et
    key = X
    if kind == "factor":
        d["decryption_factors"][i][j] = gr.to_str(
            gr.mul(gr.from_str(d["decryption_factors"][i][j]), gr.g)
        )
    elif kind in ("challenge", "response"):
        p = d["decryption_proofs"][i][j]
        p[kind] = str((int(p[kind]) + 1) % gr.q)
    elif kind == "key":
        key = gr.g_pow(SK + 1)
    else:
        vote = [[1, 0, 0, 0], [1, 0, 0, 0], [0, 0], [1, 0, 0, 0]]
        extra = ballots.verify(e, ballots.encrypt(e, vote, creds[1][0]), pubs)
        other_et = tally.encrypted_tally(e, [*bs, extra])
    with pytest.raises(InvalidDecryption):
        tally.check_decryption_factors(e, other_et, json.dumps(d, separators=(",", ":")), key)

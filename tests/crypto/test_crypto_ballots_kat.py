"""Known answers from belenios-tool 2.0 (the reference election of /tmp/bel/run.sh, copied in
data/): Python accepts its ballots, derives its credentials, checks its decryption proofs."""

import json
from pathlib import Path

import pytest

from pnyx.crypto import ballots, credentials, election, tally

D = Path(__file__).parent / "data"
A = D / "archive"
BEL = Path("/tmp/bel")


@pytest.fixture(scope="module")
def e():
    return election.Election.from_json((A / "election.json").read_text())


def public_creds():
    return [x.split(",")[0] for x in json.loads((D / "public_creds.json").read_text())]


def ballot_texts():
    return (D / "ballots.jsons").read_text().splitlines()


def test_election_text_as_in_archive_and_hash(e):
    assert (D / "election.json").read_text().strip() == e.text
    assert e.uuid == "YsBd99L1QwPhtW"
    for t in ballot_texts():
        assert json.loads(t)["election_hash"] == e.hash
    assert [q.length for q in e.questions] == [2, 3]


def test_make_writes_belenios_text(e):
    qs = [
        {k: q.get(k) for k in ("question", "answers", "min", "max", "blank")} for q in e.questions
    ]
    text = election.make(
        uuid=e.uuid,
        group=e.group.name,
        public_key=e.public_key,
        questions=qs,
        name=e.name,
        description=e.description,
    )
    assert text == e.text


def test_credentials_derive_as_belenios(e):
    pubs = set(public_creds())
    lines = (D / "private_creds.txt").read_text().splitlines()
    for line in lines:
        _, cred = line.split()
        assert credentials.check(cred)
        assert credentials.public(e.uuid, e.group, cred) in pubs
    assert len({credentials.public(e.uuid, e.group, x.split()[1]) for x in lines}) == len(pubs)
    archived = (A / "public_creds.json").read_text()
    assert credentials.fingerprint(archived) == "AadCkKXei05xsNehSXwLyagKr0SB4A6StYV2sZsg6b4"
    assert credentials.public_credentials_json(json.loads(archived)) == archived


def test_belenios_ballots_verify(e):
    pubs = set(public_creds())
    for t in ballot_texts():
        b = ballots.verify(e, t, pubs)
        assert b.credential in pubs
        assert b.hash == ballots.hash(t)
        assert [len(a) for a in b.answers] == [2, 3]


@pytest.mark.skipif(not (BEL / "x").is_dir(), reason="no /tmp/bel reference election")
def test_belenios_archive_ballot_payloads_verify(e):
    pubs = set(public_creds())
    n = 0
    for ev in (BEL / "x").glob("*.event.json"):
        ev = json.loads(ev.read_text())
        if ev["type"] == "Ballot":
            ballots.verify(e, (BEL / "x" / f"{ev['payload']}.data.json").read_text(), pubs)
            n += 1
    assert n == 3


def test_python_encrypted_tally_equals_belenios(e):
    bs = [ballots.verify(e, t, set(public_creds())) for t in ballot_texts()]
    assert tally.encrypted_tally(e, bs) == (A / "encrypted_tally.json").read_text()


def trustee_keys(e):
    """Owner 1: the Single key; owners 2..4: verification keys of the 2-of-3 Pedersen."""
    single, pedersen = json.loads((D / "trustees.json").read_text())
    keys = {1: single[1]["public_key"]}
    for k, vk in enumerate(pedersen[1]["verification_keys"]):
        keys[2 + k] = vk["public_key"]
    return {o: e.group.from_str(x) for o, x in keys.items()}


def test_belenios_partial_decryptions_check(e):
    et = (A / "encrypted_tally.json").read_text()
    keys = trustee_keys(e)
    for owner, key in keys.items():
        pd = (A / f"pd-owner{owner}.json").read_text()
        tally.check_decryption_factors(e, et, pd, key)
        # and not against another trustee's key
        with pytest.raises(tally.InvalidDecryption):
            tally.check_decryption_factors(e, et, pd, keys[1 if owner != 1 else 2])


def test_decode_belenios_result(e):
    """Combining (Single factor times the Lagrange combination of shares 1 and 2) then decoding
    gives belenios-tool's result."""
    gr = e.group
    et = (A / "encrypted_tally.json").read_text()
    f = {
        o: tally.parse_partial_decryption(e, (A / f"pd-owner{o}.json").read_text())[0]
        for o in (1, 2, 3)
    }
    # lambda_1 = 2/(2-1) = 2, lambda_2 = 1/(1-2) = -1
    combined = [
        [gr.mul(f[1][i][j], gr.div(gr.pow(f[2][i][j], 2), f[3][i][j])) for j in range(len(f[1][i]))]
        for i in range(len(f[1]))
    ]
    result = tally.decode(e, combined, et, 3)
    assert tally.result_json(result) == (A / "result.json").read_text()

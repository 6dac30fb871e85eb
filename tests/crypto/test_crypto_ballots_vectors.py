"""The committed known-answer vectors for the JavaScript booth are what encrypt produces."""

import importlib.util
import json
from pathlib import Path

from pnyx.crypto import ballots, election

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "crypto" / "vectors" / "ballots.json"


def load_script():
    spec = importlib.util.spec_from_file_location(
        "crypto_ballot_vectors", ROOT / "scripts" / "crypto_ballot_vectors.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_vectors_file_is_up_to_date():
    assert VECTORS.read_text() == load_script().render()


def test_vectors_replay():
    cases = json.loads(VECTORS.read_text())["cases"]
    assert {c["group"] for c in cases} == {"BELENIOS-2048", "RISTRETTO255"}
    for c in cases:
        e = election.Election.from_json(c["election"])
        assert e.hash == c["election_hash"]
        it = iter(int(x) for x in c["randomness"])
        text = ballots.encrypt(e, c["answers"], c["credential"], rng=it.__next__)
        assert next(it, None) is None  # every scalar consumed
        assert text == c["ballot"]
        b = ballots.verify(e, text, {c["public_credential"]})
        assert b.hash == c["ballot_hash"]

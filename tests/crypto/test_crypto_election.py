"""Elections and credentials: exact texts, parsing checks, credential generation."""

import json
import pickle

import pytest

from pnyx.crypto import credentials, election, groups
from pnyx.crypto.election import InvalidElection

GROUPS = [groups.BELENIOS_2048, groups.RISTRETTO255]
Q = [
    {"question": "Êtes-vous « pour » ?", "answers": ["Oui", "Non"], "min": 1, "max": 1},
    {"question": 'Dites "a\\b"', "answers": ["x\ty", "é"], "min": 0, "max": 2, "blank": True},
]


@pytest.mark.parametrize("gr", GROUPS, ids=lambda g: g.name)
def test_make_and_parse(gr):
    uuid = election.new_uuid()
    assert len(uuid) == 14 and all(c in election.BASE58 for c in uuid)
    pk = gr.g_pow(77)
    text = election.make(
        uuid=uuid, group=gr.name, public_key=pk, questions=Q, name="N", description="D"
    )
    assert " " not in text.replace("Êtes-vous « pour » ?", "").replace("Dites ", "")
    assert list(json.loads(text)) == [
        "version",
        "description",
        "name",
        "group",
        "public_key",
        "questions",
        "uuid",
    ]
    assert '"answers":["x\\ty","é"],"blank":true,"min":0,"max":2' in text
    e = election.Election.from_json(text)
    assert (e.uuid, e.group, e.public_key, e.text) == (uuid, gr, pk, text)
    assert e.hash == election.sha256_b64(text) and "=" not in e.hash
    assert [q.length for q in e.questions] == [2, 3]
    assert e.questions[1]["answers"] == ["x\ty", "é"] and e.questions[0].get("blank") is False
    # the same text from the parsed questions
    again = election.make(
        uuid=uuid,
        group=gr,
        public_key=gr.to_str(pk),
        questions=e.questions,
        name="N",
        description="D",
    )
    assert again == text
    assert pickle.loads(pickle.dumps(e)).hash == e.hash


def test_yojson_escapes():
    assert election.jstr('a"\\\n\x01\x7fé') == '"a\\"\\\\\\n\\u0001\\u007fé"'


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(version=2),
        lambda d: d.update(group="RFC-3526-2048"),
        lambda d: d.update(public_key="0"),
        lambda d: d.update(uuid="short"),
        lambda d: d.update(uuid="0OIl0OIl0OIl0OIl"),
        lambda d: d.update(questions=[]),
        lambda d: d["questions"][0].update(min=2),
        lambda d: d["questions"][0].update(max=3),
        lambda d: d["questions"].append({"type": "NonHomomorphic", "value": {}}),
        lambda d: d["questions"][0].update(extra=1),
        lambda d: d["questions"][0].update(blank="yes"),
    ],
)
def test_invalid_elections(change):
    gr = groups.BELENIOS_2048
    text = election.make(
        uuid=election.new_uuid(), group=gr, public_key=gr.g, questions=Q, name="", description=""
    )
    d = json.loads(text)
    change(d)
    with pytest.raises(InvalidElection):
        election.Election.from_json(json.dumps(d))


@pytest.mark.parametrize("gr", GROUPS, ids=lambda g: g.name)
def test_credentials(gr):
    uuid = election.new_uuid()
    pairs = credentials.generate(uuid, gr.name, 3)
    assert len({p for p, _ in pairs}) == 3
    for priv, pub in pairs:
        assert len(priv) == 19 and credentials.check(priv)
        assert credentials.check(priv.replace("-", ""))
        assert pub == credentials.public(uuid, gr, priv)
        assert gr.from_str(pub) == gr.g_pow(credentials.derive(uuid, gr, priv))
        # a typo is caught by the checksum
        nxt = election.BASE58[(election.BASE58.index(priv[-2]) + 1) % 58]
        typo = priv[:-2] + nxt + priv[-1]
        assert not credentials.check(typo)
    assert credentials.public(uuid, gr, pairs[0][0]) != credentials.public(
        election.new_uuid(), gr, pairs[0][0]
    )
    text = credentials.public_credentials_json([p for _, p in pairs])
    assert json.loads(text) == [p for _, p in pairs]
    assert credentials.fingerprint(text) == election.sha256_b64(text)

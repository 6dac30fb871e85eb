"""Ballot files (CSV, PrefLib) and the `pnyx tally` command."""

from __future__ import annotations

import json

import pytest

from pnyx import tally
from pnyx.cli import main as pnyx_main
from pnyx.tally import BallotFileError
from pnyx.tally.cli import main

GRADES = "Très bien,Bien,Assez bien,Passable,Insuffisant,À rejeter"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_approval_csv_with_metadata_spoiled_and_duplicate_receipt(tmp_path, capsys):
    p = write(
        tmp_path,
        "a.csv",
        "# options: A|B|C|D\n# max-choices: 2\nreceipt,choices\n"
        "r1,A|B\nr2,A\nr3,B|C|D\nr4,\nr5,E\nr1,D\n",
    )
    assert main([str(p), "--method", "approval", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"method", "ballots", "winners", "ranking", "scores", "seconds"} <= out.keys()
    assert out["winners"] == ["A"] and out["ranking"] == ["A", "B", "C", "D"]
    assert out["scores"] == {"A": 2, "B": 1, "C": 0, "D": 0}
    assert out["ballots"] == 2 and out["blank"] == 1
    spoiled = {(s["line"], s["receipt"]): s["reason"] for s in out["spoiled"]["ballots"]}
    assert spoiled == {
        (6, "r3"): "chooses more than 2 (chose 3)",
        (8, "r5"): "unknown option 'E'",
        (9, "r1"): "receipt already used on line 4",
    }
    assert out["spoiled"]["count"] == 3
    assert len(out["file"]["sha256"]) == 64


def test_ranked_csv_through_the_pnyx_command(tmp_path, capsys):
    p = write(tmp_path, "r.csv", "receipt,ranking\nx,A>B=C\ny,B>A\nz,C>A>B\nw,A>>B\n")
    assert pnyx_main(["tally", str(p), "--method", "schulze"]) == 0
    out = capsys.readouterr().out
    assert "Winners: A" in out
    assert "line 5, receipt w: empty option name" in out


def test_graded_csv(tmp_path, capsys):
    p = write(
        tmp_path,
        "g.csv",
        "receipt,Pizza,Tacos\n1,Très bien,Bien\n2,Bien,Passable\n3,Passable,À rejeter\n4,Bien,Nul\n",
    )
    assert main([str(p), "--method", "mj", "--grades", GRADES, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["winners"] == ["Pizza"]
    assert out["scores"]["Pizza"]["majority_grade"] == "Bien"
    assert out["spoiled"]["ballots"][0]["line"] == 5


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("id,choices\n1,A\n", 1, "must start with 'receipt'"),
        ("receipt,choices\n1,A\n2,A,B\n", 3, "3 cells where the header has 2"),
        ("# options: A\n\nreceipt,ranking\n1,A\n2\n", 5, "1 cells"),
        ('receipt,ranking\n1,"A>B\n', 2, "CSV syntax"),
        ("receipt,A,A\n1,Bien,Bien\n", 1, "same name"),
    ],
)
def test_malformed_csv_names_file_and_line(tmp_path, text, line, message):
    p = write(tmp_path, "bad.csv", text)
    with pytest.raises(BallotFileError) as exc:
        tally.read_ballots(p, grades=GRADES.split(","))
    assert exc.value.line == line and message in str(exc.value)
    assert str(exc.value).startswith(f"{p}:{line}:")


def test_graded_csv_needs_a_scale(tmp_path, capsys):
    p = write(tmp_path, "g.csv", "receipt,A,B\n1,Bien,Bien\n")
    assert main([str(p), "--method", "mj"]) == 2
    assert "grade scale" in capsys.readouterr().err


def test_method_and_ballot_kind_must_match(tmp_path, capsys):
    p = write(tmp_path, "a.csv", "receipt,choices\n1,A\n")
    assert main([str(p), "--method", "schulze"]) == 2
    assert "ranked ballots" in capsys.readouterr().err


PREFLIB = """# FILE NAME: 00000-00000001.toi
# TITLE: test
# DATA TYPE: toi
# NUMBER ALTERNATIVES: 4
# NUMBER VOTERS: 18
# ALTERNATIVE NAME 1: Alice
# ALTERNATIVE NAME 2: Bob
# ALTERNATIVE NAME 3: Carol
# ALTERNATIVE NAME 4: Dave
5: 1,2,3,4
4: 2,{1,3}
3: 3
2: 4, 1
1: 5,1
3: 2,2
"""


def test_preflib_reading_and_spoiled_lines(tmp_path, capsys):
    p = write(tmp_path, "e.toi", PREFLIB)
    bf = tally.read_ballots(p)
    b = bf.ballots
    assert b.options == ("Alice", "Bob", "Carol", "Dave")
    assert b.weights.tolist() == [5, 4, 3, 2]
    assert b.matrix[1].tolist() == [2, 1, 2, 0]  # Bob, then Alice = Carol
    assert [(s.line, s.count) for s in b.spoiled] == [(14, 1), (15, 3)]
    assert main([str(p), "--method", "irv", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ballots"] == 14 and out["spoiled"]["count"] == 4
    assert out["winners"] == ["Alice"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [("x: 1,2", "bad ballot count"), ("2: 1,{2,3", "unbalanced"), ("2 1,2", "count: ranking")],
)
def test_preflib_syntax_errors_name_the_line(tmp_path, bad, message):
    p = write(tmp_path, "e.soi", "# NUMBER ALTERNATIVES: 3\n1: 1,2\n" + bad + "\n")
    with pytest.raises(BallotFileError) as exc:
        tally.read_ballots(p)
    assert exc.value.line == 3 and message in exc.value.message


def test_preflib_without_header_is_an_error(tmp_path):
    p = write(tmp_path, "e.soc", "1: 1,2\n")
    with pytest.raises(BallotFileError, match="not a PrefLib file"):
        tally.read_ballots(p)


def test_stv_cli_human_output(tmp_path, capsys):
    rows = ["receipt,ranking"] + [f"a{i},A>B" for i in range(6)] + ["b,B", "c1,C", "c2,C"]
    p = write(tmp_path, "s.csv", "\n".join(rows) + "\n")
    assert main([str(p), "--method", "stv", "--seats", "2"]) == 0
    out = capsys.readouterr().out
    assert "Quota (Droop): 4" in out and "Winners: A, B" in out


def test_seeded_tiebreak_from_the_command_line(tmp_path, capsys):
    p = write(tmp_path, "t.csv", "receipt,choices\n1,A\n2,B\n")
    assert main([str(p), "--method", "approval", "--json", "--tiebreak", "B|A"]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["B"]
    assert main([str(p), "--method", "approval", "--json", "--seed", "s"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["winners"] == [tally.tiebreak_order(["A", "B"], seed="s")[0]]

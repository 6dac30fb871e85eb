"""Command-line errors: malformed input names file, line and field (exit 2); impossible
requests say why (exit 1)."""

from __future__ import annotations

import pytest
from seating_helpers import population, run, write_people

from pnyx.cli import main as pnyx_main
from pnyx.seating import SeatingError, part_sizes, rotation, table_count, table_sizes
from pnyx.seating.cli import seat_main, topics_main

HALL = ["--parts", 3, "--campaigns", "A,B,C", "--steps", 3, "--table-min", 7, "--table-max", 9]


def _seat(capsys, argv):  # type: ignore[no-untyped-def]
    code, _, _ = run(seat_main, argv)
    return code, capsys.readouterr().err


def test_rotation_is_a_latin_square():
    rot = rotation(3, ["A", "B", "C"], 3)
    assert rot == [["A", "B", "C"], ["B", "C", "A"], ["C", "A", "B"]]
    assert rotation(2, ["A", "B", "C", "D"], 2) == [["A", "B"], ["B", "C"]]
    with pytest.raises(SeatingError, match="two parts would work on the same campaign"):
        rotation(4, ["A", "B", "C"], 3)
    with pytest.raises(SeatingError, match="work twice on one campaign"):
        rotation(3, ["A", "B", "C"], 4)


def test_table_arithmetic():
    assert table_count(500, 7, 9) == 63  # mean 7.94 (62 tables: 8.06)
    assert sorted(table_sizes(500, 7, 9)) == [7] * 4 + [8] * 59
    with pytest.raises(SeatingError, match="10 people cannot sit at tables of 7 to 9"):
        table_count(10, 7, 9)
    with pytest.raises(SeatingError, match="parts of 10 people"):
        part_sizes(30, 3, 7, 9)


def test_the_pnyx_command_dispatches(tmp_path):
    people = write_people(tmp_path / "p.csv", population(75, 1))
    argv = [
        "seat",
        "--participants",
        str(people),
        *map(str, HALL),
        "--out",
        str(tmp_path / "o.csv"),
    ]
    assert pnyx_main(argv) == 0
    assert (tmp_path / "o.csv").read_text().startswith("id,step,part,table,campaign\n")


@pytest.mark.parametrize(
    "content, needle",
    [
        ("name,gender\nx,F\n", "line 1, field 'id': missing column"),
        ("id,gender\na,F\na,M\n", "line 3, field 'id': id 'a' already on line 2"),
        ("id,gender\n,F\n", "line 2, field 'id': empty id"),
        ("id,gender\na,F,extra\n", "line 2: 3 fields where the header has 2"),
        ("", "line 1: the file is empty"),
    ],
)
def test_malformed_people(tmp_path, capsys, content, needle):
    f = tmp_path / "people.csv"
    f.write_text(content)
    code, err = _seat(capsys, ["--participants", f, *HALL, "--out", tmp_path / "o.csv"])
    assert code == 2
    assert str(f) in err and needle in err


def test_missing_file_and_bad_columns(tmp_path, capsys):
    code, err = _seat(capsys, ["--participants", tmp_path / "nope.csv", *HALL, "--out", "x"])
    assert code == 2 and "nope.csv" in err and "cannot read" in err
    f = write_people(tmp_path / "p.csv", population(75, 1))
    code, err = _seat(capsys, ["--participants", f, *HALL, "--balance", "shoe", "--out", "x"])
    assert code == 2 and "field 'shoe'" in err
    code, err = _seat(capsys, ["--participants", f, *HALL, "--out", "x", "--previous", f])
    assert code == 2 and "--previous and --absent go together" in err
    code, err = _seat(capsys, ["--participants", f, "--parts", "x", "--out", "y"])
    assert code == 2


def test_impossible_requests_say_why(tmp_path, capsys):
    f = write_people(tmp_path / "p.csv", population(30, 1))
    code, err = _seat(capsys, ["--participants", f, *HALL, "--out", tmp_path / "o.csv"])
    assert code == 1 and "parts of 10 people" in err and "7 to 9" in err
    hall4 = ["--parts", 4, "--campaigns", "A,B,C", "--steps", 3, "--table-min", 3, "--table-max", 9]
    code, err = _seat(capsys, ["--participants", f, *hall4, "--out", tmp_path / "o.csv"])
    assert code == 1 and "same campaign" in err


def test_malformed_plan_and_preferences(tmp_path, capsys):
    people = population(60, 1)
    f = write_people(tmp_path / "p.csv", people)
    plan = tmp_path / "plan.csv"
    plan.write_text("id,step,part,table,campaign\nid0000,1,1,one,A\n")
    absent = tmp_path / "absent.csv"
    absent.write_text("id\nid0001\n")
    code, err = _seat(
        capsys,
        ["--participants", f, *HALL, "--previous", plan, "--absent", absent, "--out", "o"],
    )
    assert code == 2 and "plan.csv, line 2, field 'table': 'one' is not a whole number" in err
    prefs = tmp_path / "prefs.csv"
    prefs.write_text("id,first,second\nid0000,W,Q\n")
    code, _, _ = run(
        topics_main,
        ["--participants", f, "--preferences", prefs, "--topics", "W,X", "--table-min", 7,
         "--table-max", 9, "--out", tmp_path / "t.csv"],
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "prefs.csv, line 2, field 'second': unknown topic 'Q'" in err
    prefs.write_text("id,first,second\nid0000,W,W\n")
    code, _, _ = run(
        topics_main,
        ["--participants", f, "--preferences", prefs, "--topics", "W,X", "--table-min", 7,
         "--table-max", 9, "--out", tmp_path / "t.csv"],
    )  # fmt: skip
    assert code == 2 and "ranked twice" in capsys.readouterr().err


def test_preferences_of_unknown_people(tmp_path, capsys):
    f = write_people(tmp_path / "p.csv", population(21, 1))
    prefs = tmp_path / "prefs.csv"
    prefs.write_text("id,first\nid0000,W\nnobody,X\n")
    code, _, _ = run(
        topics_main,
        ["--participants", f, "--preferences", prefs, "--topics", "W,X", "--table-min", 7,
         "--table-max", 9, "--out", tmp_path / "t.csv"],
    )  # fmt: skip
    assert code == 2
    assert "prefs.csv, line 3, field 'id': 'nobody' is not among the participants" in (
        capsys.readouterr().err
    )

"""`pnyx draw` and `pnyx verify-draw` on files."""

from __future__ import annotations

import csv
import json

import pytest

from pnyx.lottery import cli

POOL = """id,gender,region,age
a01,F,North,young
a02,M,North,old
a03,M,South,old
a04,F,South,young
a05,M,North,young
a06,M,North,old
a07,F,North,old
a08,M,South,young
a09,M,North,old
a10,F,South,old
a11,M,South,old
a12,M,North,young
"""
QUOTAS = """feature,value,min,max
gender,F,2,3
gender,M,2,3
region,North,2,4
region,South,1,3
age,young,2,3
age,old,2,4
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "pool.csv").write_text(POOL)
    (tmp_path / "quotas.csv").write_text(QUOTAS)
    return tmp_path


def draw(tmp, *extra, name="run"):
    argv = [
        "--pool",
        str(tmp / "pool.csv"),
        "--quotas",
        str(tmp / "quotas.csv"),
        "--size",
        "5",
        "--out",
        str(tmp / f"{name}-panel.csv"),
        "--probabilities",
        str(tmp / f"{name}-probs.csv"),
        "--distribution",
        str(tmp / f"{name}-dist.json"),
        *extra,
    ]
    return cli.draw_main(argv)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_draw_writes_everything_and_verify_accepts(files, capsys):
    assert draw(files, "--seed", "witness dice 4 1 6", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["method"] == "leximin" and summary["n"] == 12 and summary["k"] == 5
    assert summary["seed"] == "witness dice 4 1 6" and len(summary["digest"]) == 64
    for key in ("min_probability", "max_probability", "gini", "panels", "seconds"):
        assert key in summary
    panel = read_csv(files / "run-panel.csv")
    assert panel[0] == ["id", "gender", "region", "age"] and len(panel) == 6
    probs = read_csv(files / "run-probs.csv")
    assert probs[0] == ["id", "probability"] and len(probs) == 13
    assert abs(sum(float(p) for _, p in probs[1:]) - 5) < 1e-9
    assert min(float(p) for _, p in probs[1:]) == pytest.approx(summary["min_probability"])
    # PROBS.csv is exactly the marginals of the published panels (recomputed here by hand)
    from fractions import Fraction

    dist = json.loads((files / "run-dist.json").read_bytes())
    total = dist["weight_total"]
    expected = {}
    for t, profile in enumerate(dist["profiles"]):
        num = sum(p["weight"] * dict(map(tuple, p["counts"])).get(t, 0) for p in dist["panels"])
        for pid in profile["members"]:
            expected[pid] = float(Fraction(num, total * len(profile["members"])))
    assert {pid: float(p) for pid, p in probs[1:]} == expected
    rc = cli.verify_main(
        [
            "--distribution",
            str(files / "run-dist.json"),
            "--seed",
            "witness dice 4 1 6",
            "--panel",
            str(files / "run-panel.csv"),
        ]
    )
    assert rc == 0
    assert "OK" in capsys.readouterr().out


def test_seed_is_reproducible_and_row_order_does_not_matter(files):
    assert draw(files, "--seed", "s", name="one") == 0
    lines = POOL.splitlines()
    (files / "pool.csv").write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    assert draw(files, "--seed", "s", name="two") == 0
    for suffix in ("panel.csv", "probs.csv", "dist.json"):
        assert (files / f"one-{suffix}").read_bytes() == (files / f"two-{suffix}").read_bytes()


def test_without_seed_only_the_distribution(files, capsys):
    assert draw(files, "--json") == 0
    assert "seed" not in json.loads(capsys.readouterr().out)
    assert (files / "run-dist.json").exists() and not (files / "run-panel.csv").exists()


def test_verify_rejects_tampering(files, capsys):
    assert draw(files, "--seed", "s") == 0
    rows = read_csv(files / "run-panel.csv")
    drawn = {r[0] for r in rows[1:]}
    outsider = next(line.split(",") for line in POOL.splitlines()[1:] if line[:3] not in drawn)
    rows[1] = outsider
    with open(files / "tampered.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    argv = ["--distribution", str(files / "run-dist.json"), "--panel"]
    capsys.readouterr()
    assert cli.verify_main([*argv, str(files / "tampered.csv"), "--seed", "s"]) == 1
    err = capsys.readouterr().err
    assert "MISMATCH" in err and outsider[0] in err
    assert cli.verify_main([*argv, str(files / "run-panel.csv"), "--seed", "t"]) in (0, 1)
    # a changed feature value is caught even with the right ids
    rows = read_csv(files / "run-panel.csv")
    rows[1][3] = "young" if rows[1][3] == "old" else "old"
    with open(files / "relabelled.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert cli.verify_main([*argv, str(files / "relabelled.csv"), "--seed", "s"]) == 1
    assert "field 'age'" in capsys.readouterr().err


def test_verify_replacements(files, capsys):
    from pnyx.lottery import Distribution, replacement_candidates, replay_replacements

    assert draw(files, "--seed", "s") == 0
    dist = Distribution.from_bytes((files / "run-dist.json").read_bytes())
    panel = [r[0] for r in read_csv(files / "run-panel.csv")[1:]]
    declined = next(p for p in panel if replacement_candidates(dist, panel, p))
    reps = replay_replacements(dist, "s", panel, [declined])
    good = f"number,declined,replacement\n1,{declined},{reps[0].replacement}\n"
    (files / "repl.csv").write_text(good)
    base = ["--distribution", str(files / "run-dist.json"), "--seed", "s"]
    base += ["--panel", str(files / "run-panel.csv"), "--replacements", str(files / "repl.csv")]
    assert cli.verify_main(base) == 0
    wrong = next(i for i in dist.problem.pool.ids if i not in panel and i != reps[0].replacement)
    (files / "repl.csv").write_text(f"number,declined,replacement\n1,{declined},{wrong}\n")
    assert cli.verify_main(base) == 1


def test_infeasible_quotas_are_diagnosed(files, capsys):
    (files / "quotas.csv").write_text(QUOTAS.replace("region,South,1,3", "region,South,4,4"))
    assert draw(files, "--json") == 1
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["feasible"] is False
    assert "no panel meets the quotas" in captured.err
    # 12 people, 5 seats, South must have 4 and North at least 2: one seat too many
    assert [c["text"] for c in out["changes"]] in (
        ["lower min of region=South from 4 to 3"],
        ["lower min of region=North from 2 to 1"],
    )


@pytest.mark.parametrize(
    ("pool", "quotas", "expected"),
    [
        (POOL, QUOTAS.replace("age,old,2,4\n", ""), "pool.csv: line 3, field 'age': value 'old'"),
        (POOL, QUOTAS.replace("gender,M,2,3", "gender,M,two,3"), "quotas.csv: line 3, field 'min'"),
        (POOL.replace("a05,M,North,young", "a05,M,North"), QUOTAS, "pool.csv: line 6: 3 fields"),
        (POOL.replace("a05,", "a04,"), QUOTAS, "pool.csv: line 6, field 'id': duplicate id 'a04'"),
        (POOL, "feature,value,min\n", "quotas.csv: line 1: missing column 'max'"),
        (POOL, QUOTAS + "colour,red,0,1\n", "quotas.csv: line 8, field 'feature'"),
        (POOL, QUOTAS.replace("gender,F,2,3", "gender,F,3,2"), "min 3 is above max 2"),
    ],
)
def test_malformed_files_name_file_line_field(files, capsys, pool, quotas, expected):
    (files / "pool.csv").write_text(pool)
    (files / "quotas.csv").write_text(quotas)
    assert draw(files) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


def test_missing_file_and_bad_option(files, capsys):
    assert cli.draw_main(["--pool", "nope.csv", "--quotas", "q.csv", "--size", "3"]) == 2
    assert "nope.csv: cannot read" in capsys.readouterr().err
    assert cli.draw_main(["--pool", "p.csv"]) == 2
    assert (
        cli.verify_main(
            [
                "--distribution",
                str(files / "pool.csv"),
                "--seed",
                "s",
                "--panel",
                str(files / "pool.csv"),
            ]
        )
        == 2
    )


def test_ctrl_c_stops_cleanly(files, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "compute_distribution", interrupted)
    assert draw(files) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


def test_custom_id_column_and_legacy(files, capsys):
    (files / "pool.csv").write_text(POOL.replace("id,", "member,", 1))
    assert (
        draw(
            files,
            "--id-column",
            "member",
            "--method",
            "legacy",
            "--runs",
            "40",
            "--seed",
            "s",
            "--json",
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["method"] == "legacy" and summary["probabilities_estimated"] is True
    assert read_csv(files / "run-panel.csv")[0][0] == "member"
    rc = cli.verify_main(
        [
            "--distribution",
            str(files / "run-dist.json"),
            "--seed",
            "s",
            "--panel",
            str(files / "run-panel.csv"),
        ]
    )
    assert rc == 0


def test_verify_replacements_with_an_unfilled_seat(files, capsys):
    """REPLACEMENTS.csv records a seat nobody could refill with an empty replacement;
    verify-draw accepts it only when it is true, and names the line otherwise."""
    from pnyx.lottery import Distribution, replacement_candidates, replay_replacements

    (files / "quotas.csv").write_text(QUOTAS.replace("gender,F,2,3", "gender,F,2,2"))
    assert draw(files, "--seed", "s") == 0
    capsys.readouterr()
    dist = Distribution.from_bytes((files / "run-dist.json").read_bytes())
    panel = sorted(
        line.split(",")[0] for line in (files / "run-panel.csv").read_text().splitlines()[1:]
    )
    stuck = [p for p in panel if not replacement_candidates(dist, panel, p)]
    free = [p for p in panel if replacement_candidates(dist, panel, p)]
    assert stuck and free
    reps = replay_replacements(dist, "s", panel, [stuck[0], free[0]], allow_unfilled=True)
    assert reps[0].replacement == "" and reps[1].number == 1
    good = f"number,declined,replacement\n1,{stuck[0]},\n1,{free[0]},{reps[1].replacement}\n"
    (files / "repl.csv").write_text(good)
    base = ["--distribution", str(files / "run-dist.json"), "--seed", "s"]
    base += ["--panel", str(files / "run-panel.csv"), "--replacements", str(files / "repl.csv")]
    assert cli.verify_main(base) == 0, capsys.readouterr()
    capsys.readouterr()
    # claiming an empty seat where the seed gives someone
    (files / "repl.csv").write_text(f"number,declined,replacement\n1,{free[0]},\n")
    assert cli.verify_main(base) == 1
    assert "line 2, field 'replacement': empty" in capsys.readouterr().err
    # naming somebody where nobody fits
    outsider = next(i for i in dist.problem.pool.ids if i not in panel)
    (files / "repl.csv").write_text(f"number,declined,replacement\n1,{stuck[0]},{outsider}\n")
    assert cli.verify_main(base) == 1
    assert "nobody can replace" in capsys.readouterr().err

"""`pnyx replace`: REPLACEMENTS.csv written offline from the published files and the declines,
accepted by `pnyx verify-draw`."""

from __future__ import annotations

import pytest
from test_lottery_cli import POOL, QUOTAS, draw, read_csv

from pnyx import cli as pnyx_cli
from pnyx.lottery import Distribution, cli, replacement_candidates, replay_replacements


@pytest.fixture
def files(tmp_path):
    (tmp_path / "pool.csv").write_text(POOL)
    (tmp_path / "quotas.csv").write_text(QUOTAS)
    return tmp_path


@pytest.fixture
def drawn(files):
    assert draw(files, "--seed", "s") == 0
    dist = Distribution.from_bytes((files / "run-dist.json").read_bytes())
    panel = [r[0] for r in read_csv(files / "run-panel.csv")[1:]]
    return files, dist, panel


def _replace(tmp, declines: list[str], *extra):
    (tmp / "declines.csv").write_text("declined\n" + "".join(f"{d}\n" for d in declines))
    argv = ["--distribution", str(tmp / "run-dist.json"), "--seed", "s"]
    argv += ["--panel", str(tmp / "run-panel.csv"), "--declines", str(tmp / "declines.csv")]
    return cli.replace_main([*argv, *extra])


def _verify(tmp):
    argv = ["--distribution", str(tmp / "run-dist.json"), "--seed", "s"]
    argv += ["--panel", str(tmp / "run-panel.csv"), "--replacements", str(tmp / "repl.csv")]
    return cli.verify_main(argv)


def test_replace_writes_the_chain_that_verify_draw_accepts(drawn, capsys):
    tmp, dist, panel = drawn
    first = next(p for p in panel if replacement_candidates(dist, panel, p))
    expected = replay_replacements(dist, "s", panel, [first])
    # a replacement who declines in turn: the chain goes on from the current panel
    declines = [first, expected[0].replacement]
    expected = replay_replacements(dist, "s", panel, declines, allow_unfilled=True)
    assert _replace(tmp, declines, "--out", str(tmp / "repl.csv")) == 0
    rows = [(r.number, r.declined, r.replacement) for r in expected]
    assert (tmp / "repl.csv").read_text() == "number,declined,replacement\n" + "".join(
        f"{n},{d},{r}\n" for n, d, r in rows
    )
    capsys.readouterr()
    assert _verify(tmp) == 0
    assert "replacements too" in capsys.readouterr().out


def test_replace_prints_to_stdout_and_is_reachable_as_pnyx_replace(drawn, capsys):
    tmp, dist, panel = drawn
    first = next(p for p in panel if replacement_candidates(dist, panel, p))
    capsys.readouterr()
    (tmp / "declines.csv").write_text(f"number,declined,replacement\n1,{first},\n")
    argv = ["replace", "--distribution", str(tmp / "run-dist.json"), "--seed", "s"]
    argv += ["--panel", str(tmp / "run-panel.csv"), "--declines", str(tmp / "declines.csv")]
    assert pnyx_cli.main(argv) == 0
    out = capsys.readouterr().out
    r = replay_replacements(dist, "s", panel, [first])[0]
    assert out == f"number,declined,replacement\n1,{first},{r.replacement}\n"


def test_replace_leaves_a_seat_empty_when_nobody_fits(files, capsys):
    (files / "quotas.csv").write_text(QUOTAS.replace("gender,F,2,3", "gender,F,2,2"))
    assert draw(files, "--seed", "s") == 0
    dist = Distribution.from_bytes((files / "run-dist.json").read_bytes())
    panel = [r[0] for r in read_csv(files / "run-panel.csv")[1:]]
    stuck = next(p for p in panel if not replacement_candidates(dist, panel, p))
    free = next(p for p in panel if replacement_candidates(dist, panel, p))
    assert _replace(files, [stuck, free], "--out", str(files / "repl.csv")) == 0
    later = replay_replacements(dist, "s", panel, [stuck, free], allow_unfilled=True)[1]
    assert read_csv(files / "repl.csv") == [
        ["number", "declined", "replacement"],
        ["1", stuck, ""],
        ["1", free, later.replacement],
    ]
    capsys.readouterr()
    assert _verify(files) == 0, capsys.readouterr().err


def test_replace_names_the_line_of_an_impossible_decline(drawn, capsys):
    tmp, dist, panel = drawn
    outsider = next(i for i in dist.problem.pool.ids if i not in panel)
    assert _replace(tmp, [panel[0], panel[0]]) == 2
    assert "declines.csv: line 3" in capsys.readouterr().err
    assert _replace(tmp, [outsider]) == 2
    err = capsys.readouterr().err
    assert "declines.csv: line 2" in err and "not on the panel" in err


def test_replace_refuses_a_panel_that_the_seed_does_not_give(drawn, capsys):
    tmp, dist, panel = drawn
    outsider = next(i for i in dist.problem.pool.ids if i not in panel)
    text = (tmp / "run-panel.csv").read_text()
    row = next(line for line in text.splitlines() if line.startswith(panel[0] + ","))
    forged = dist.problem.pool.rows[dist.problem.pool.index[outsider]]
    (tmp / "run-panel.csv").write_text(text.replace(row, ",".join([outsider, *forged])))
    assert _replace(tmp, [panel[1]], "--out", str(tmp / "repl.csv")) == 1
    assert "MISMATCH" in capsys.readouterr().err
    assert not (tmp / "repl.csv").exists()


def test_replace_needs_a_declined_column(drawn, capsys):
    tmp, _dist, panel = drawn
    (tmp / "declines.csv").write_text(f"id\n{panel[0]}\n")
    argv = ["--distribution", str(tmp / "run-dist.json"), "--seed", "s"]
    argv += ["--panel", str(tmp / "run-panel.csv"), "--declines", str(tmp / "declines.csv")]
    assert cli.replace_main(argv) == 2
    assert "declined" in capsys.readouterr().err


def test_replay_and_verify_draw_name_a_decline_not_on_the_panel(drawn, capsys):
    """The replay itself refuses a decline of someone not on the panel at that point (never
    drawn, or already replaced), so that verify-draw names it instead of failing on it."""
    from pnyx.lottery.replacement import DeclineNotOnPanelError

    tmp, dist, panel = drawn
    first = next(p for p in panel if replacement_candidates(dist, panel, p))
    outsider = next(p for p in dist.problem.pool.index if p not in panel)
    with pytest.raises(DeclineNotOnPanelError) as err:
        replay_replacements(dist, "s", panel, [first, first], allow_unfilled=True)
    assert err.value.index == 1 and err.value.declined == first
    (tmp / "repl.csv").write_text(f"number,declined,replacement\n1,{outsider},{first}\n")
    assert _verify(tmp) == 1
    assert f"decline 1: {outsider!r} is not on the panel" in capsys.readouterr().err

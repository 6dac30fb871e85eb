"""Interoperability the other way: ballots made by Python are accepted by belenios-tool."""

from pnyx.crypto import ballots, election

from .belenios_tool import require_tool, run, setup_election


def test_belenios_tool_accepts_python_ballots(tmp_path):
    require_tool()
    s = setup_election(tmp_path, count=3)
    e = election.Election.from_json(s["election"])
    votes = [
        [[1, 0], [0, 1, 0], [1, 1, 0, 1, 0, 0], [0, 1, 0, 0]],
        [[0, 0], [1, 0, 0], [0, 0, 0, 0, 0, 1], [1, 0, 0, 0]],
        [[0, 1], [0, 0, 1], [1, 1, 1, 0, 0, 0], [0, 0, 0, 1]],
    ]
    for cred, vote in zip(s["private"], votes, strict=True):
        text = ballots.encrypt(e, vote, cred)
        ballots.verify(e, text, set(s["public"]))
        run(tmp_path, "archive", "add-event", "--type=Ballot", stdin=text)
    run(tmp_path, "election", "verify")
    run(tmp_path, "archive", "add-event", "--type=EndBallots", stdin="")
    et = run(tmp_path, "election", "compute-encrypted-tally")
    run(tmp_path, "archive", "add-event", "--type=EncryptedTally", stdin=et)
    (key,) = tmp_path.glob("*.privkey")
    pd = run(tmp_path, "election", "decrypt", "--privkey", key.name, "--trustee-id", "1")
    run(tmp_path, "archive", "add-event", "--type=PartialDecryption", stdin=pd)
    result = run(tmp_path, "election", "compute-result")
    assert '"result":[[1,1],[1,1,1],[2,2,1,1,0,1],[1,1,0,1]]' in result
    run(tmp_path, "archive", "add-event", "--type=Result", stdin=result)
    run(tmp_path, "election", "verify")

"""Time ``verify_election`` on Pnyx-run approval elections (30 options, up to 3 chosen).

    .venv/bin/python scripts/bench_verify_election.py RISTRETTO255 1000 10000
    .venv/bin/python scripts/bench_verify_election.py BELENIOS-2048 200

For each size: runs the election (ballots encrypted on every core), then verifies it with 1
and 2 processes, printing the times and the extrapolation to 100,000 ballots.
"""

import os
import random
import sys
import tempfile
import time

from pnyx.crypto import simulate, verify

OPTIONS, MAX = 30, 3


def main(group: str, sizes: list[int]) -> None:
    rnd = random.Random(1)
    qs = [{"question": "Who?", "answers": [f"option {i}" for i in range(OPTIONS)], "min": 0, "max": MAX}]
    for n in sizes:
        votes = []
        for _ in range(n):
            chosen = set(rnd.sample(range(OPTIONS), rnd.randint(0, MAX)))
            votes.append([[1 if i in chosen else 0 for i in range(OPTIONS)]])
        path = os.path.join(tempfile.mkdtemp(), "bench.bel")
        t = time.time()
        simulate.run(path, group, qs, votes, processes=os.cpu_count() or 1)
        print(f"{group} {n} ballots: run and written in {time.time() - t:.1f} s, {os.path.getsize(path) / 1e6:.1f} MB", flush=True)
        for procs in (1, 2):
            t = time.time()
            rep = verify.verify_election(path, processes=procs)
            dt = time.time() - t
            assert rep.ok, rep.errors[:3]
            print(f"  verify, {procs} process(es): {dt:.1f} s ({dt / n * 1000:.2f} ms/ballot; 100,000 ballots: ~{dt / n * 100000 / 60:.1f} min)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], [int(x) for x in sys.argv[2:]])

"""Time ``verify_election`` on Pnyx-run approval elections (30 options, up to 3 chosen).

    .venv/bin/python bench/verify_election.py RISTRETTO255 1000 10000
    .venv/bin/python bench/verify_election.py BELENIOS-2048 200

For each size: runs the election (ballots encrypted on every core), then verifies it with 1
and 2 processes, printing the times and the extrapolation to 100,000 ballots.
"""

import os
import random
import resource
import sys
import tempfile
import time

from pnyx.crypto import simulate, verify

OPTIONS, MAX = 30, 3


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the verification workers)."""
    me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def main(group: str, sizes: list[int]) -> None:
    rnd = random.Random(1)
    qs = [
        {
            "question": "Who?",
            "answers": [f"option {i}" for i in range(OPTIONS)],
            "min": 0,
            "max": MAX,
        }
    ]
    for n in sizes:
        votes = []
        for _ in range(n):
            chosen = set(rnd.sample(range(OPTIONS), rnd.randint(0, MAX)))
            votes.append([[1 if i in chosen else 0 for i in range(OPTIONS)]])
        cache = os.environ.get("BENCH_CACHE")  # a directory to keep the records between runs
        path = os.path.join(cache or tempfile.mkdtemp(), f"bench-{group}-{n}.bel")
        t = time.time()
        if not os.path.exists(path):
            simulate.run(path, group, qs, votes, processes=os.cpu_count() or 1)
        print(
            f"{group} {n} ballots: run and written in {time.time() - t:.1f} s, {os.path.getsize(path) / 1e6:.1f} MB",
            flush=True,
        )
        for procs in (1, 2):
            t, c = time.time(), _cpu()
            rep = verify.verify_election(path, processes=procs)
            dt, dc = time.time() - t, _cpu() - c
            assert rep.ok, rep.errors[:3]
            print(
                f"  verify, {procs} process(es): wall {dt:.1f} s, CPU {dc:.1f} s "
                f"({dc / n * 1000:.2f} CPU ms/ballot); 100,000 ballots: wall ~{dt / n * 1e5 / 60:.1f} min, "
                f"CPU/{procs} ~{dc / n * 1e5 / 60 / procs:.1f} min; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1], [int(x) for x in sys.argv[2:]])

"""Universal verification of an election record (a Belenios 2.0 ``.bel`` archive).

``verify_election(path)`` performs every check of the specification's section "Audit" /
"After the tally", as ``belenios-tool election verify`` does (``src/tool/tool_election.ml``,
``verify``), in this order:

1. the archive: header, every member named by the SHA-256 of its bytes (``archive.read``);
2. the chain (section "Public data"): heights 0, 1, 2...; the first event has no parent, each
   other names the hash of the previous one; the events come in the order Setup, Ballot*,
   EndBallots, EncryptedTally, PartialDecryption*, Result; every payload is present;
3. the setup: the ``setup_data`` and the election, trustees and public credentials it names;
   the trustees (section "Trustees": poks, certificates, signed coefexps, verification keys
   recomputed from the coefexps, threshold) and the election public key = their combination;
4. every ballot (section "Ballots", by ``pnyx.crypto.ballots.verify``: election uuid and hash,
   proofs, signature by a public credential); revotes: only the last ballot of each
   credential counts (section "Tallied ballots"); weights from the public credentials
   ("credential,weight");
5. the encrypted tally (section "Encrypted tally") = the product of the counted ballots'
   ciphertexts raised to their weights; num_tallied and total_weight;
6. each partial decryption (section "Partial decryptions") against its owner's key (owners
   numbered from 1 over the trustees, one per Pedersen verification key);
7. the result (section "Election result"): the factors combined (Lagrange over the first
   ``threshold`` owners present of each Pedersen item), log_g(beta / F) = the published counts.

Ballots are verified in parallel (``processes``; None: every core), in chunks, the election
parsed once per worker; ``part=(i, n)`` verifies only the i-th of n shares of the ballots
(ballot k belongs to share k·n // number of ballots + 1, contiguous ranges) and returns a
``PartReport`` whose JSON the final run combines (``combine_parts``): see
docs/verifiable-votes.md. Pure: no Django.
"""

from __future__ import annotations

import base64
import hashlib
import json
import multiprocessing
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import archive as archive_mod
from . import groups
from .trustees import TrusteeError, Trustees, check_decryption_factors, dumps

CHUNK = 64
_CRED_RE = re.compile(r'"credential"\s*:\s*"([^"]*)"')


@dataclass
class Report:
    """The outcome: ``ok`` when no check failed; ``errors`` name the event/ballot hashes."""

    errors: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, msg: str) -> None:
        self.errors.append(msg)


def fingerprint(election_text: str) -> str:
    """The election hash as Belenios writes it: base64 of SHA-256 of the text, no padding."""
    return base64.b64encode(hashlib.sha256(election_text.encode()).digest()).decode().rstrip("=")


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- the credentials ---------------------------------------------------------------------


def parse_public_credentials(text: str) -> dict[str, int]:
    """Public credentials (a JSON list of strings "credential" or "credential,weight") ->
    {credential: weight} (Belenios's extract_weight)."""
    data = json.loads(text)
    if not isinstance(data, list) or not all(isinstance(c, str) for c in data):
        raise ValueError("public credentials must be a JSON list of strings")
    out: dict[str, int] = {}
    for c in data:
        cred, weight = c, 1
        if "," in c:
            head, _, tail = c.rpartition(",")
            if tail.isdigit():
                cred, weight = head, int(tail)
        out[cred] = weight
    return out


# --- ballot verification, in workers -----------------------------------------------------

_W: dict[str, Any] = {}


def _init_worker(election_text: str, creds: Sequence[str], path: str) -> None:
    from . import ballots, election

    if _W.get("file") is not None:
        _W["file"].close()
    _W["file"] = open(path, "rb")  # noqa: SIM115 - one per worker, for its life

    _W["election"] = election.Election.from_json(election_text)
    _W["group"] = groups.get(json.loads(election_text)["group"])
    _W["creds"] = frozenset(creds)
    _W["ballots"] = ballots


def _mul_into(g, acc: list[list[list[Any]]] | None, cts: list[list[list[Any]]]):
    if acc is None:
        return cts
    return [
        [[g.mul(a[0], b[0]), g.mul(a[1], b[1])] for a, b in zip(qa, qb, strict=True)]
        for qa, qb in zip(acc, cts, strict=True)
    ]


def _weighted(g, answers, weight: int) -> list[list[list[Any]]]:
    if weight == 1:
        return [[list(c) for c in q] for q in answers]
    return [[[g.pow(c[0], weight), g.pow(c[1], weight)] for c in q] for q in answers]


def _check_chunk(items: list[tuple[int, str, str, Any, bool, int]]):
    """Verifies ballots; returns (errors, number verified, the product of the counted ones'
    ciphertexts as text)."""
    g, ballots = _W["group"], _W["ballots"]
    errors: list[str] = []
    acc = None
    for idx, ev_hash, data_hash, loc, counted, weight in items:
        try:
            text = loc if isinstance(loc, str) else archive_mod.read_at(None, loc, _W["file"])
            b = ballots.verify(_W["election"], text, _W["creds"])
            cts = _weighted(g, b.answers, weight) if counted else None
        except Exception as e:  # InvalidBallot, or a malformed one
            errors.append(f"ballot {idx + 1} (event {ev_hash}, data {data_hash}): {e}")
            continue
        if cts is not None:
            acc = _mul_into(g, acc, cts)
    text_acc = None if acc is None else [[[g.to_str(x) for x in c] for c in q] for q in acc]
    return errors, len(items), text_acc


def _verify_ballots(election_text, creds, items, processes, path):
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    procs = processes or os.cpu_count() or 1
    if procs <= 1 or len(chunks) <= 1:
        _init_worker(election_text, list(creds), path)
        try:
            return [_check_chunk(c) for c in chunks]
        finally:
            _W.pop("file").close()
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    args = (election_text, list(creds), os.fspath(path))
    with ctx.Pool(min(procs, len(chunks)), _init_worker, args) as pool:
        return pool.map(_check_chunk, chunks, chunksize=1)


# --- the whole record --------------------------------------------------------------------


@dataclass
class _Record:
    arch: Any
    election_text: str = ""
    election: dict = field(default_factory=dict)
    group: Any = None
    trustees: Any = None
    creds: dict = field(default_factory=dict)
    ballots: list = field(default_factory=list)  # (event hash, data hash, text)
    sized: dict | None = None
    et_text: str | None = None
    et_event: str = ""
    pds: list = field(default_factory=list)  # (event hash, owner, text)
    result: tuple | None = None  # (event hash, text)


_ORDER = {"Setup": 0, "Ballot": 1, "EndBallots": 2, "EncryptedTally": 3, "Shuffle": 4}
_ORDER |= {"EndShuffles": 5, "PartialDecryption": 6, "Result": 7}


def _check_chain(arch, rep: Report) -> None:
    prev, stage = None, -1
    for i, e in enumerate(arch.events):
        if e.height != i:
            rep.fail(f"event {e.hash}: height {e.height}, expected {i}")
        if e.parent != prev:
            rep.fail(f"event {e.hash} (height {e.height}): parent {e.parent}, expected {prev}")
        st = _ORDER[e.type]
        if st < stage or (st == stage and e.type not in ("Ballot", "PartialDecryption", "Shuffle")):
            rep.fail(f"event {e.hash} ({e.type}, height {e.height}) is out of order")
        if e.type == "Setup" and i != 0:
            rep.fail(f"event {e.hash}: Setup must be the first event")
        stage = max(stage, st)
        if e.type in ("EndBallots", "EndShuffles"):
            if e.payload is not None:
                rep.fail(f"event {e.hash}: extra payload at height {e.height}")
        elif e.payload not in arch.data:
            rep.fail(f"event {e.hash} ({e.type}): payload {e.payload} is missing")
        prev = e.hash
    if not arch.events:
        rep.fail("the archive has no event")


def _load(path, rep: Report) -> _Record | None:
    try:
        arch = archive_mod.read(path, lazy=True)
    except (archive_mod.ArchiveError, OSError, ValueError) as e:
        rep.fail(f"archive: {e}")
        return None
    _check_chain(arch, rep)
    rec = _Record(arch)
    setup = [e for e in arch.events if e.type == "Setup"]
    if not setup:
        rep.fail("no Setup event")
        return None
    try:
        sd = arch.json(setup[0].payload)
        rec.election_text = arch.get(sd["election"])
        rec.election = json.loads(rec.election_text)
        rec.group = groups.get(rec.election["group"])
        rec.trustees = Trustees.from_json(rec.group, arch.get(sd["trustees"]))
        rec.creds = parse_public_credentials(arch.get(sd["credentials"]))
    except (archive_mod.ArchiveError, KeyError, TypeError, ValueError) as e:
        rep.fail(f"setup (event {setup[0].hash}): {e}")
        return None
    for e in arch.events:
        try:
            if e.type == "Ballot":
                if e.payload not in arch.data:
                    raise archive_mod.ArchiveError(f"data {e.payload} is missing")
                rec.ballots.append((e.hash, e.payload, arch.data[e.payload]))
            elif e.type == "EncryptedTally":
                rec.sized = arch.json(e.payload)
                rec.et_text = arch.get(rec.sized["encrypted_tally"])
                rec.et_event = e.hash
            elif e.type == "PartialDecryption":
                owned = arch.json(e.payload)
                rec.pds.append((e.hash, int(owned["owner"]), arch.get(owned["payload"])))
            elif e.type == "Result":
                rec.result = (e.hash, arch.get(e.payload))
            elif e.type == "Shuffle":
                rep.fail(f"event {e.hash}: shuffles (non-homomorphic questions) are not supported")
        except (archive_mod.ArchiveError, KeyError, TypeError, ValueError) as ex:
            rep.fail(f"event {e.hash} ({e.type}): {ex}")
    return rec


def _check_setup(rec: _Record, rep: Report) -> None:
    g = rec.group
    for err in rec.trustees.check():
        rep.fail(f"setup: {err}")
    try:
        pk = g.from_str(rec.election["public_key"])
        if not g.eq(pk, rec.trustees.public_key):
            rep.fail("setup: the election public key is not the combination of the trustees' keys")
    except (groups.GroupError, KeyError) as e:
        rep.fail(f"setup: election public key: {e}")
    for q in rec.election.get("questions", []):
        if not isinstance(q, dict) or "answers" not in q:
            rep.fail("setup: non-homomorphic questions are not supported")


def _ballot_items(rec: _Record, part: tuple[int, int] | None):
    """(index, event hash, data hash, text, counted, weight) of the ballots of the part;
    counted = the last ballot of its credential (section "Tallied ballots")."""
    last: dict[str, int] = {}
    heads = [rec.arch.head(dh) for _, dh, _ in rec.ballots]
    for i, text in enumerate(heads):
        m = _CRED_RE.search(text)
        last[m.group(1) if m else f"?{i}"] = i
    counted = set(last.values())
    n = len(rec.ballots)
    lo, hi = 0, n
    if part is not None:
        k, parts = part
        lo, hi = (k - 1) * n // parts, k * n // parts
    items = []
    for i in range(lo, hi):
        ev, dh, loc = rec.ballots[i]
        m = _CRED_RE.search(heads[i])
        w = rec.creds.get(m.group(1), 1) if m else 1
        items.append((i, ev, dh, loc, i in counted, w))
    weights = [rec.creds.get(c, 1) for c in last if not c.startswith("?")]
    return items, len(counted), sum(weights)


def _product(g, partials: list) -> list | None:
    acc = None
    for p in partials:
        if p is None:
            continue
        acc = _mul_into(g, acc, [[[g.from_str(x) for x in c] for c in q] for q in p])
    return acc


def _check_tally(rec: _Record, rep: Report, product, num_counted: int, total_weight: int) -> None:
    g = rec.group
    if rec.sized is None or rec.et_text is None:
        rep.info["tallied"] = False
        return
    rep.info["tallied"] = True
    if not any(e.type == "EndBallots" for e in rec.arch.events):
        rep.fail("no EndBallots event before the encrypted tally")
    ev = rec.et_event
    if rec.sized.get("num_tallied") != num_counted:
        rep.fail(
            f"encrypted tally (event {ev}): num_tallied {rec.sized.get('num_tallied')}, {num_counted} ballots counted"
        )
    if rec.sized.get("total_weight") != total_weight:
        rep.fail(
            f"encrypted tally (event {ev}): total_weight {rec.sized.get('total_weight')}, expected {total_weight}"
        )
    try:
        et = json.loads(rec.et_text)
        cts = [[[g.from_str(c["alpha"]), g.from_str(c["beta"])] for c in q] for q in et]
    except (ValueError, KeyError, TypeError) as e:
        rep.fail(f"encrypted tally (event {ev}): malformed: {e}")
        return
    if product is None:
        nq = [len(q["answers"]) + (1 if q.get("blank") else 0) for q in rec.election["questions"]]
        product = [[[g.one, g.one] for _ in range(k)] for k in nq]
    shape_ok = [len(q) for q in cts] == [len(q) for q in product]
    if not shape_ok or any(
        not (g.eq(a[0], b[0]) and g.eq(a[1], b[1]))
        for qa, qb in zip(cts, product, strict=True)
        for a, b in zip(qa, qb, strict=True)
    ):
        rep.fail(f"encrypted tally (event {ev}): not the product of the counted ballots")


def _check_decryption(rec: _Record, rep: Report) -> None:
    g, tr = rec.group, rec.trustees
    if rec.et_text is None:
        if rec.pds or rec.result:
            rep.fail("partial decryptions or a result without an encrypted tally")
        return
    fp = fingerprint(rec.election_text)
    good = []
    seen = set()
    for ev, owner, text in rec.pds:
        if owner in seen:
            rep.fail(f"partial decryption (event {ev}): owner {owner} decrypted twice")
            continue
        seen.add(owner)
        try:
            check_decryption_factors(g, fp, rec.et_text, text, tr.owner_key(owner))
            good.append((owner, text))
        except (TrusteeError, ValueError, KeyError, TypeError) as e:
            rep.fail(f"partial decryption (event {ev}, owner {owner}): {e}")
    if rec.result is None:
        rep.info["result"] = None
        return
    ev, text = rec.result
    try:
        total = int(rec.sized["total_weight"])
        expected = json.loads(tr.combine(fp, rec.et_text, good, total_weight=total))
    except (TrusteeError, ValueError) as e:
        rep.fail(f"result (event {ev}): cannot be computed from the partial decryptions: {e}")
        return
    try:
        published = json.loads(text)
    except ValueError:
        published = None
    rep.info["result"] = published
    if published != expected:
        rep.fail(f"result (event {ev}): {dumps(published)} is not the decryption {dumps(expected)}")


def verify_election(
    path: str | os.PathLike, *, processes: int | None = None, part: tuple[int, int] | None = None
) -> Report:
    """Every check of the record (see the module's docstring). With ``part=(i, n)``, only the
    setup and the i-th share of the ballots; ``info["part"]`` then holds the JSON-able
    summary that ``combine_parts`` takes."""
    rep = Report()
    rec = _load(path, rep)
    if rec is None:
        return rep
    _check_setup(rec, rep)
    items, num_counted, total_weight = _ballot_items(rec, part)
    rep.info["ballots"] = len(rec.ballots)
    rep.info["counted"] = num_counted
    results = _verify_ballots(rec.election_text, rec.creds, items, processes, path) if items else []
    partials, ballot_errors = [], []
    for errors, _n, prod in results:
        ballot_errors.extend(errors)
        partials.append(prod)
    rep.errors.extend(ballot_errors)
    rep.info["verified_ballots"] = len(items)
    if part is not None:
        g = rec.group
        p = _product(g, partials)
        rep.info["part"] = {
            "archive_sha256": file_sha256(path),
            "part": list(part),
            "ballots": [items[0][0] if items else 0, (items[-1][0] + 1) if items else 0],
            "errors": ballot_errors,
            "product": None if p is None else [[[g.to_str(x) for x in c] for c in q] for q in p],
        }
        return rep
    _check_tally(rec, rep, _product(rec.group, partials), num_counted, total_weight)
    _check_decryption(rec, rep)
    return rep


def combine_parts(path: str | os.PathLike, parts: Sequence[dict]) -> Report:
    """The final run after ``verify_election(path, part=(i, n))`` for i = 1..n on other
    machines: checks the parts are of this file and cover 1..n, takes their errors and the
    product of their counted ballots, and does every check but the ballots' proofs."""
    rep = Report()
    sha = file_sha256(path)
    ns = {tuple(p["part"])[1] for p in parts}
    ks = sorted(tuple(p["part"])[0] for p in parts)
    if len(ns) != 1 or ks != list(range(1, next(iter(ns)) + 1)):
        rep.fail(f"the parts do not cover 1..n exactly once: {ks} of {sorted(ns)}")
    for p in parts:
        if p.get("archive_sha256") != sha:
            rep.fail(f"part {p.get('part')} is of another file ({p.get('archive_sha256')})")
        rep.errors.extend(p.get("errors", []))
    rec = _load(path, rep)
    if rec is None:
        return rep
    _check_setup(rec, rep)
    items, num_counted, total_weight = _ballot_items(rec, None)
    rep.info["ballots"] = len(rec.ballots)
    rep.info["counted"] = num_counted
    _check_tally(
        rec, rep, _product(rec.group, [p.get("product") for p in parts]), num_counted, total_weight
    )
    _check_decryption(rec, rep)
    return rep

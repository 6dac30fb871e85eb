"""Offline commands of verifiable votes (no Django, no network; files in, files out):

- ``pnyx verify-election RECORD.bel [--processes N] [--part I/N --output PART.json]
  [--combine PART.json ...]``: every check of the election record (docs/verifiable-votes.md);
  exit 0 when all pass, 1 otherwise, printing what failed.
- ``pnyx trustee generate --group G``: a "Single" trustee key, ``ID.privkey`` / ``ID.pubkey``
  (as ``belenios-tool setup generate-trustee-key``).
- ``pnyx trustee threshold-step N --group G ...``: step N (1..6) of the threshold key
  generation, with the files and options of ``belenios-tool setup
  generate-trustee-key-threshold --step N`` (steps 1, 3, 5 are the trustee's, 2, 4, 6 the
  server's).
- ``pnyx trustee decrypt (RECORD.bel | --election E --encrypted-tally T) (--privkey K |
  --key K --decryption-key D)``: the trustee's partial decryption, printed on stdout; the
  private key or share is read from the trustee's files and never written anywhere.
- ``pnyx credentials generate --uuid U --group G --count N``: ``BASE.privcreds`` (the private
  credentials, "id credential" per line, for the voters only) and ``BASE.pubcreds`` (the
  public credentials JSON for the server); prints the fingerprint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import archive, groups, trustees, verify


def _save(path: Path, text: str, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    os.chmod(path, mode)


# --- verify-election ---------------------------------------------------------------------


def verify_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="pnyx verify-election",
        description="Verify a Belenios 2.0 election record (.bel): chain, setup, ballots, "
        "encrypted tally, partial decryptions, result. Exit 0 when every check passes.",
    )
    p.add_argument("record", help="the .bel archive")
    p.add_argument(
        "--processes", type=int, default=None, help="worker processes (default: every core)"
    )
    p.add_argument("--part", help="I/N: verify only the I-th of N shares of the ballots")
    p.add_argument("--output", help="with --part: write the part's summary (JSON) to this file")
    p.add_argument(
        "--combine", nargs="+", metavar="PART.json", help="the final run: the N parts' summaries"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    a = p.parse_args(argv)
    if a.combine:
        parts = [json.loads(Path(f).read_text()) for f in a.combine]
        rep = verify.combine_parts(a.record, parts)
    else:
        part = None
        if a.part:
            try:
                i, n = (int(x) for x in a.part.split("/"))
                if not 1 <= i <= n:
                    raise ValueError
            except ValueError:
                p.error("--part must be I/N with 1 <= I <= N")
            part = (i, n)
        rep = verify.verify_election(a.record, processes=a.processes, part=part)
        if part is not None:
            text = json.dumps(rep.info["part"]) if "part" in rep.info else "{}"
            if a.output:
                Path(a.output).write_text(text + "\n")
            else:
                print(text)
    if a.json:
        print(
            json.dumps(
                {
                    "ok": rep.ok,
                    "errors": rep.errors,
                    "info": {k: v for k, v in rep.info.items() if k != "part"},
                }
            )
        )
    else:
        for e in rep.errors:
            print(f"FAILED: {e}", file=sys.stderr if a.part and not a.output else sys.stdout)
        info = rep.info
        what = f"{info.get('verified_ballots', info.get('ballots', 0))} ballots verified"
        if rep.ok:
            msg = "all checks passed" if not a.part else f"part {a.part}: all its checks passed"
            print(
                f"{msg} ({what}; result: {json.dumps(info.get('result'))})",
                file=sys.stderr if a.part and not a.output else sys.stdout,
            )
        else:
            print(
                f"{len(rep.errors)} check(s) failed",
                file=sys.stderr if a.part and not a.output else sys.stdout,
            )
    return 0 if rep.ok else 1


# --- trustee -----------------------------------------------------------------------------


def _read(path: str | None, what: str) -> str:
    if not path:
        raise SystemExit(f"{what} is required")
    return Path(path).read_text()


def trustee_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="pnyx trustee", description="A trustee's offline steps.")
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="a Single trustee key: ID.privkey, ID.pubkey")
    g.add_argument("--group", required=True, choices=sorted(groups.GROUPS))
    g.add_argument("--dir", default=".")
    t = sub.add_parser("threshold-step", help="step N of the threshold key generation")
    t.add_argument("step", type=int, choices=range(1, 7))
    t.add_argument("--group", required=True, choices=sorted(groups.GROUPS))
    t.add_argument("--certs", help="the certificates, one per line (certs.jsons)")
    t.add_argument("--key", help="the trustee's .key file (steps 3, 5)")
    t.add_argument("--threshold", type=int, help="step 3: the threshold")
    t.add_argument("--polynomials", help="steps 4, 6: the polynomials, one per line")
    t.add_argument("--input", help="steps 5, 6: the vinput / voutputs (default: stdin)")
    t.add_argument("--dir", default=".", help="where step 1, 4, 6 write their files")
    d = sub.add_parser("decrypt", help="the trustee's partial decryption of the encrypted tally")
    d.add_argument(
        "record", nargs="?", help="the .bel archive (or --election and --encrypted-tally)"
    )
    d.add_argument("--election")
    d.add_argument("--encrypted-tally")
    d.add_argument("--privkey", help="a Single trustee's .privkey")
    d.add_argument("--key", help="a threshold trustee's .key")
    d.add_argument("--decryption-key", help="a threshold trustee's .dkey")
    d.add_argument("--output", help="write the partial decryption there (default: stdout)")
    a = p.parse_args(argv)
    try:
        if a.cmd == "generate":
            return _generate(a)
        if a.cmd == "threshold-step":
            return _threshold_step(a)
        return _decrypt(a)
    except trustees.TrusteeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


def _generate(a) -> int:
    grp = groups.get(a.group)
    priv, pub = trustees.generate_single(grp)
    ident = trustees.single_key_id(grp, pub)
    d = Path(a.dir)
    _save(d / f"{ident}.privkey", priv, 0o400)
    _save(d / f"{ident}.pubkey", pub, 0o444)
    print(f"private key saved to {d / (ident + '.privkey')} (keep it secret)", file=sys.stderr)
    print(
        f"public key saved to {d / (ident + '.pubkey')} (send it to the administrator)",
        file=sys.stderr,
    )
    print(ident)
    return 0


def _threshold_step(a) -> int:
    grp = groups.get(a.group)
    d = Path(a.dir)
    step = a.step
    if step == 1:
        seed, cert = trustees.step1(grp)
        ident = trustees.cert_id(cert)
        _save(d / f"{ident}.cert", cert, 0o444)
        _save(d / f"{ident}.key", seed, 0o400)
        print(
            f"certificate {ident} generated: {ident}.cert (public), {ident}.key (secret)",
            file=sys.stderr,
        )
        print(ident)
        return 0
    certs = _read(a.certs, "--certs")
    if step == 2:
        trustees.step2(grp, certs)
        print("certificates are valid", file=sys.stderr)
    elif step == 3:
        if a.threshold is None:
            raise SystemExit("--threshold is required")
        print(trustees.step3(grp, certs, _read(a.key, "--key").strip(), a.threshold))
    elif step == 4:
        cert_list = [c for c in certs.splitlines() if c.strip()]
        for c, vi in zip(
            cert_list,
            trustees.step4(grp, certs, _read(a.polynomials, "--polynomials")),
            strict=True,
        ):
            fn = d / f"{trustees.cert_id(c)}.vinput"
            _save(fn, vi, 0o444)
            print(f"wrote {fn}", file=sys.stderr)
    elif step == 5:
        vinput = Path(a.input).read_text() if a.input else sys.stdin.readline()
        print(trustees.step5(grp, certs, _read(a.key, "--key").strip(), vinput.strip()))
    else:
        voutputs = Path(a.input).read_text() if a.input else sys.stdin.read()
        tparams, dkeys = trustees.step6(grp, certs, _read(a.polynomials, "--polynomials"), voutputs)
        cert_list = [c for c in certs.splitlines() if c.strip()]
        for c, dk in zip(cert_list, dkeys, strict=True):
            fn = d / f"{trustees.cert_id(c)}.dkey"
            _save(fn, dk, 0o400)
            print(f"wrote {fn}", file=sys.stderr)
        print(tparams)
    return 0


def _decrypt(a) -> int:
    if a.record:
        arch = archive.read(a.record)
        setup = next(e for e in arch.events if e.type == "Setup")
        election_text = arch.get(arch.json(setup.payload)["election"])
        ets = [e for e in arch.events if e.type == "EncryptedTally"]
        if not ets:
            raise trustees.TrusteeError("the record has no encrypted tally yet")
        et_text = arch.get(arch.json(ets[-1].payload)["encrypted_tally"])
    else:
        election_text = _read(a.election, "--election (or RECORD.bel)").strip()
        et_text = _read(a.encrypted_tally, "--encrypted-tally").strip()
    grp = groups.get(json.loads(election_text)["group"])
    if a.privkey:
        x = trustees.read_private_key(grp, Path(a.privkey).read_text())
    elif a.key and a.decryption_key:
        x = trustees.threshold_secret(
            grp, Path(a.key).read_text(), Path(a.decryption_key).read_text()
        )
    else:
        raise SystemExit("give --privkey, or --key and --decryption-key")
    pd = trustees.decryption_factors(grp, verify.fingerprint(election_text), et_text, x)
    if a.output:
        Path(a.output).write_text(pd + "\n")
    else:
        print(pd)
    return 0


# --- credentials -------------------------------------------------------------------------


def credentials_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="pnyx credentials", description="The credential authority's step."
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="N credentials: BASE.privcreds, BASE.pubcreds")
    g.add_argument("--uuid", required=True)
    g.add_argument("--group", required=True, choices=sorted(groups.GROUPS))
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--dir", default=".")
    g.add_argument("--base", help="file name stem (default: the uuid)")
    a = p.parse_args(argv)
    from . import credentials

    if a.count < 1:
        raise SystemExit("--count must be positive")
    pairs = credentials.generate(a.uuid, a.group, a.count)
    base = Path(a.dir) / (a.base or a.uuid)
    priv = "\n".join(f"{i} {c}" for i, (c, _) in enumerate(pairs, 1))
    pub = credentials.public_credentials_json(sorted(pub for _, pub in pairs))
    _save(Path(f"{base}.privcreds"), priv, 0o400)
    _save(Path(f"{base}.pubcreds"), pub, 0o444)
    print(f"{a.count} private credentials with ids saved to {base}.privcreds", file=sys.stderr)
    print(f"{a.count} public credentials saved to {base}.pubcreds", file=sys.stderr)
    print(f"The fingerprint of public credentials is {credentials.fingerprint(pub)}")
    return 0

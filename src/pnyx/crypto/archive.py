"""The election record: Belenios 2.0's ``.bel`` archive, written and read byte for byte as
``belenios-tool`` does (``src/lib/core/archive.ml``, ``events.ml``; specification section
"Public data").

The file is an old-style tar (512-byte blocks, no end-of-archive blocks): first a member
``BELENIOS`` holding the ``archive_header`` {"version":1,"timestamp":"<seconds>"}, then one
member per record, named ``<sha256 hex of its bytes>.data.json`` or ``....event.json``. Each
event {parent?, height, type, payload?} names the hash of the previous event (none for the
first, height 0) and, except ``EndBallots``/``EndShuffles``, the hash of a data record written
just before it:

- ``Setup``: the election, the trustees, the public credentials, then the ``setup_data``
  {election, trustees, credentials} (hashes) which is the payload;
- ``Ballot``: the ballot; ``EndBallots``: no payload;
- ``EncryptedTally``: the ``encrypted_tally``, then the ``sized_encrypted_tally``
  {num_tallied, total_weight, encrypted_tally (hash)};
- ``PartialDecryption`` (and ``Shuffle``): the ``partial_decryption``, then the
  ``owned_partial_decryption`` {owner, payload (hash)};
- ``Result``: the ``result``.

Pure: no Django.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

BLOCK = 512
EVENT_TYPES = (
    "Setup",
    "Ballot",
    "EndBallots",
    "EncryptedTally",
    "Shuffle",
    "EndShuffles",
    "PartialDecryption",
    "Result",
)


class ArchiveError(ValueError):
    """A file that is not a well-formed Belenios archive."""


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@dataclass(frozen=True)
class Record:
    """One member of the archive: ``kind`` is "data" or "event"; ``text`` its exact bytes."""

    kind: str
    text: str

    @property
    def hash(self) -> str:
        return sha256_hex(self.text)

    @property
    def name(self) -> str:
        return f"{self.hash}.{self.kind}.json"


def _checksum(block: bytearray) -> bytes:
    return b"%06o\x00 " % sum(block)


def _member(name: str, body: bytes, timestamp: int) -> bytes:
    h = bytearray(BLOCK)
    h[0 : len(name)] = name.encode()
    h[100:107] = b"0000644"
    h[108:115] = b"0000000"
    h[116:123] = b"0000000"
    h[124:135] = b"%011o" % len(body)
    h[136:147] = b"%011o" % timestamp
    h[148:156] = b"        "
    h[156:157] = b"0"
    h[148:156] = _checksum(h)
    pad = (-len(body)) % BLOCK
    return bytes(h) + body + b"\x00" * pad


def header(timestamp: int) -> dict:
    return {"version": 1, "timestamp": str(int(timestamp))}


def write(
    path_or_file: str | os.PathLike | IO[bytes], header_: dict, items: Iterable[Record]
) -> None:
    """Writes the archive: the ``BELENIOS`` header then the records in the given order (use
    ``Builder`` to get them chained and ordered as belenios-tool does)."""
    ts = int(header_["timestamp"])
    own = not hasattr(path_or_file, "write")
    f = open(path_or_file, "wb") if own else path_or_file  # noqa: SIM115
    try:
        f.write(_member("BELENIOS", dumps(header_).encode(), ts))
        for r in items:
            f.write(_member(r.name, r.text.encode(), ts))
    finally:
        if own:
            f.close()


@dataclass
class Event:
    hash: str
    height: int
    type: str
    parent: str | None
    payload: str | None
    text: str


@dataclass(frozen=True)
class Location:
    """Where a data record's bytes are in the file (lazy reading), and their first bytes."""

    offset: int
    size: int
    head: str


@dataclass
class Archive:
    """A read archive: the header, the records in file order, the data by hash, the events
    in file order. When read with ``lazy=True``, ``records`` is empty and ``data`` holds
    ``Location``s: ``get`` reads the bytes from the file when asked."""

    header: dict
    records: list[Record]
    data: dict[str, str | Location] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    path: str | None = None

    def get(self, h: str | None) -> str:
        if h is None or h not in self.data:
            raise ArchiveError(f"data {h} is missing from the archive")
        v = self.data[h]
        if isinstance(v, Location):
            return read_at(self.path, v)
        return v

    def json(self, h: str | None) -> Any:
        return json.loads(self.get(h))

    def head(self, h: str) -> str:
        """The first bytes of a data record (all of it when read in memory)."""
        v = self.data[h]
        return v.head if isinstance(v, Location) else v


HEAD = 2048


def read_at(path: str | os.PathLike | None, loc: Location, f: IO[bytes] | None = None) -> str:
    if f is None:
        if path is None:
            raise ArchiveError("no file to read the record from")
        with open(path, "rb") as g:
            g.seek(loc.offset)
            return g.read(loc.size).decode()
    f.seek(loc.offset)
    return f.read(loc.size).decode()


def _iter_members(f: IO[bytes]) -> Iterator[tuple[str, int, bytes]]:
    pos = 0
    while True:
        h = f.read(BLOCK)
        if not h or h == b"\x00" * len(h):
            return
        if len(h) < BLOCK:
            raise ArchiveError("truncated tar header")
        pos += BLOCK
        name = h[:100].split(b"\x00", 1)[0].decode()
        try:
            size = int(h[124:135].decode() or "0", 8)
        except ValueError:
            raise ArchiveError(f"bad size in the tar header of {name!r}") from None
        body = f.read(size)
        if len(body) < size:
            raise ArchiveError(f"truncated member {name!r}")
        pad = (-size) % BLOCK
        f.read(pad)
        yield name, pos, body
        pos += size + pad


def parse_event(text: str) -> tuple[int, str, str | None, str | None]:
    try:
        e = json.loads(text)
        height, typ = e["height"], e["type"]
    except (ValueError, KeyError, TypeError):
        raise ArchiveError("malformed event") from None
    if typ not in EVENT_TYPES or not isinstance(height, int):
        raise ArchiveError(f"unknown event type {typ!r}")
    return height, typ, e.get("parent"), e.get("payload")


def read(path_or_file: str | os.PathLike | IO[bytes] | bytes, *, lazy: bool = False) -> Archive:
    """Reads a ``.bel`` archive. Checks that every member's name is the SHA-256 of its
    bytes (raises ArchiveError otherwise); the chaining is checked by ``pnyx.crypto.verify``.
    ``lazy`` (a path only): keep only the events and where the data are, for large records."""
    if isinstance(path_or_file, bytes):
        f: IO[bytes] = io.BytesIO(path_or_file)
    elif hasattr(path_or_file, "read"):
        f = path_or_file  # type: ignore[assignment]
    else:
        f = open(path_or_file, "rb")  # noqa: SIM115
    if lazy and f is path_or_file or isinstance(path_or_file, bytes):
        lazy = False
    try:
        members = _iter_members(f)
        try:
            name, _, body = next(members)
        except StopIteration:
            raise ArchiveError("empty archive") from None
        if name != "BELENIOS":
            raise ArchiveError("ill-formed archive header found")
        hdr = json.loads(body)
        if hdr.get("version") != 1:
            raise ArchiveError("unsupported archive header")
        arch = Archive(hdr, [], path=None if f is path_or_file else os.fspath(path_or_file))
        for name, pos, body in members:
            parts = name.split(".")
            if len(parts) != 3 or parts[1] not in ("data", "event") or parts[2] != "json":
                raise ArchiveError(f"unexpected member {name!r}")
            h = sha256_hex(body)
            if h != parts[0]:
                raise ArchiveError(f"member {name} does not have the hash of its name ({h})")
            if parts[1] == "data" and lazy:
                arch.data[h] = Location(pos, len(body), body[:HEAD].decode(errors="replace"))
                continue
            text = body.decode()
            if not lazy:
                arch.records.append(Record(parts[1], text))
            if parts[1] == "data":
                arch.data[h] = text
            else:
                height, typ, parent, payload = parse_event(text)
                arch.events.append(Event(h, height, typ, parent, payload, text))
        return arch
    finally:
        if f is not path_or_file:
            f.close()


class Builder:
    """Builds the records of an election in belenios-tool's order, chaining the events."""

    def __init__(self, timestamp: int):
        self.header = header(timestamp)
        self.records: list[Record] = []
        self.last: str | None = None
        self.height = 0

    def _data(self, text: str) -> str:
        r = Record("data", text)
        self.records.append(r)
        return r.hash

    def _event(self, typ: str, payload: str | None) -> str:
        e: dict[str, Any] = {}
        if self.last is not None:
            e["parent"] = self.last
        e["height"] = self.height
        e["type"] = typ
        if payload is not None:
            e["payload"] = payload
        r = Record("event", dumps(e))
        self.records.append(r)
        self.last = r.hash
        self.height += 1
        return r.hash

    def setup(self, election: str, trustees: str, public_credentials: str) -> str:
        sd = {
            "election": self._data(election),
            "trustees": self._data(trustees),
            "credentials": self._data(public_credentials),
        }
        return self._event("Setup", self._data(dumps(sd)))

    def ballot(self, ballot: str) -> str:
        return self._event("Ballot", self._data(ballot))

    def end_ballots(self) -> str:
        return self._event("EndBallots", None)

    def encrypted_tally(self, encrypted_tally: str, num_tallied: int, total_weight: int) -> str:
        h = self._data(encrypted_tally)
        sized = {"num_tallied": num_tallied, "total_weight": total_weight, "encrypted_tally": h}
        return self._event("EncryptedTally", self._data(dumps(sized)))

    def partial_decryption(self, owner: int, partial_decryption: str) -> str:
        h = self._data(partial_decryption)
        return self._event("PartialDecryption", self._data(dumps({"owner": owner, "payload": h})))

    def result(self, result: str) -> str:
        return self._event("Result", self._data(result))

    def write(self, path_or_file: str | os.PathLike | IO[bytes]) -> None:
        write(path_or_file, self.header, self.records)

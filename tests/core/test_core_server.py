"""Request bodies against the real production server (`pnyx serve`), with raw sockets.

Each module run starts the server twice (WSGI: gunicorn sync workers; ASGI: uvicorn's worker
under gunicorn) on a free port of 127.0.0.1, on a throw-away SQLite database prepared with a
convention whose call for interventions is open and a signed-in member.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PNYX = [sys.executable, "-m", "pnyx.cli"]
VIDEO_MAX = 1024 * 1024  # PNYX_VIDEO_MAX_BYTES of the server under test
BODY_MAX = 2 * 1024 * 1024  # the default limit (PNYX_BODY_MAX_BYTES), e.g. the sign-in form
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2000

SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from pnyx.members.actions import user_for_member
from pnyx.members.models import Member
from pnyx.programme import demo
from pnyx.programme.models import Convention

conv = demo.load()
Convention.objects.filter(pk=conv.pk).update(proposals_open=True, proposals_close_at=None)
member = Member.objects.create(
    external_id="S00001", first_name="Alice", last_name="Serveur", email="alice@example.org",
    gender="F", region="Bretagne", birth_year=1980, joined_on="2017-01-01",
)
user = user_for_member(member)
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "pnyx.members.backends.MemberAwareBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print("SESSION", s.session_key, conv.campaigns.first().pk)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A migrated SQLite database with an open call and a signed-in member, shared by both servers."""
    base = tmp_path_factory.mktemp("server")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PNYX_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="pnyx.settings",
        SECRET_KEY=secrets.token_urlsafe(40),
        PNYX_VAR_DIR=str(base / "var"),
        PNYX_SQLITE_PATH=str(base / "db.sqlite3"),
        PNYX_VIDEO_MAX_BYTES=str(VIDEO_MAX),
    )
    subprocess.run([*PNYX, "migrate", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
    out = subprocess.run(
        [*PNYX, "shell", "-c", SETUP],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    session, campaign = out.split("SESSION", 1)[1].split()[:2]
    return base, env, session, campaign


@pytest.fixture(scope="module", params=["wsgi", "asgi"])
def server(prepared, request):
    base, env, session, campaign = prepared
    kind = request.param
    tmp = base / f"tmp-{kind}"
    media = base / f"media-{kind}"
    tmp.mkdir()
    media.mkdir()
    port = free_port()
    env = {
        **env,
        "PNYX_SERVER": kind,
        "PORT": str(port),
        "PNYX_WORKERS": "1",
        "PNYX_TIMEOUT": "30",
        "PNYX_MEDIA_ROOT": str(media),
        "TMPDIR": str(tmp),
    }
    proc = subprocess.Popen(
        [*PNYX, "serve"], env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"pnyx serve ({kind}) exited with {proc.returncode}"
            assert time.monotonic() < deadline, f"pnyx serve ({kind}) did not answer"
            try:
                status, _ = http(port, b"GET /connexion/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        yield {
            "kind": kind,
            "port": port,
            "pid": proc.pid,
            "tmp": tmp,
            "media": media,
            "session": session,
            "campaign": campaign,
        }
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def read_response(sock: socket.socket, timeout: float = 10.0) -> tuple[int, bytes]:
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep and b"content-length:" in head.lower():
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            if len(body) >= length:
                break
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    return status, data


def http(port: int, raw: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        return read_response(sock, timeout)


def worker_pids(pid: int) -> list[int]:
    """The server's process and all its descendants (gunicorn's arbiter and workers)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return pids


class FileWatch:
    """The largest temporary or media file the server's processes hold open or have written."""

    def __init__(self, server):
        self.server = server
        self.largest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        for pid in worker_pids(self.server["pid"]):
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith(
                        ("/tmp", str(self.server["tmp"]), str(self.server["media"]))
                    ):
                        self.largest = max(self.largest, os.stat(f"/proc/{pid}/fd/{fd}").st_size)
                except OSError:
                    continue
        for folder in (self.server["tmp"], self.server["media"]):
            for path in folder.rglob("*"):
                try:
                    if path.is_file():
                        self.largest = max(self.largest, path.stat().st_size)
                except OSError:
                    continue

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            time.sleep(0.005)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()


def test_a_huge_declared_length_is_refused_at_once_without_sending_the_body(server):
    """Content-Length: 2 GiB on the anonymous sign-in form: 413 within a second, body unsent."""
    raw = (
        b"POST /connexion/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 2147483648\r\n\r\n"
    )
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=5) as sock:
        sock.sendall(raw + b"email=a%40example.org&")
        status, data = read_response(sock, timeout=5)
    elapsed = time.monotonic() - t0
    assert status == 413, data[:300]
    assert elapsed < 1.0, f"{elapsed:.2f} s"
    assert b"2,0\xc2\xa0Mio" in data or b"2.0\xc2\xa0MB" in data  # the limit is named


def send_streamed(server, path: str, total: int, *, chunked: bool, headers: str = ""):
    """Stream `total` bytes (chunked, or far more than a small Content-Length says); stop when
    the server answers or closes. Returns (status, bytes sent, response)."""
    framing = "Transfer-Encoding: chunked\r\n" if chunked else "Content-Length: 1000\r\n"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{framing}{headers}\r\n"
    ).encode()
    piece = b"x" * 65536
    sent = 0
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=10) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        answered = False
        while sent < total:
            import select

            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                answered = True
                break
            data = (b"%x\r\n" % len(piece) + piece + b"\r\n") if chunked else piece
            try:
                sock.sendall(data)
            except BlockingIOError:
                select.select([sock], [sock], [], 1)
                continue
            except (BrokenPipeError, ConnectionResetError):
                answered = True
                break
            sent += len(piece)
        sock.setblocking(True)
        if not answered and chunked:
            try:
                sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass
        status, data = read_response(sock, timeout=10)
    return status, sent, data


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "longer-than-declared"])
def test_a_streamed_body_over_the_limit_is_cut_and_never_stored_past_it(server, chunked):
    """64 MiB streamed at the sign-in form (limit 2 MiB): cut, and no file grows past 2 MiB."""
    with FileWatch(server) as watch:
        status, sent, data = send_streamed(server, "/connexion/", 64 * 1024 * 1024, chunked=chunked)
    assert watch.largest <= BODY_MAX, f"a {watch.largest}-byte file was written"
    if server["kind"] == "asgi" and chunked:
        assert status == 413, data[:300]
        assert sent < 16 * 1024 * 1024, f"the server read {sent} bytes before it answered"
    elif chunked:
        # Django's WSGI handler cannot read a body without a length: refused, never read.
        assert status == 411, data[:300]
    else:
        # The server reads what Content-Length says (1000 bytes, no CSRF token: 403), never
        # more; the rest is not a request (400), or the connection is reset while we send (0).
        assert status in (0, 400, 403), data[:300]


def multipart(fields: dict[str, str], file_field: str, filename: str, content: bytes):
    boundary = "----pnyx" + secrets.token_hex(8)
    parts = []
    for k, v in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{filename}"\r\nContent-Type: video/mp4\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return boundary, b"".join(parts)


def propose(server, video: bytes, *, declared: int | None = None):
    csrf = secrets.token_hex(16)
    boundary, body = multipart(
        {
            "csrfmiddlewaretoken": csrf,
            "title": "Notre épicerie solidaire",
            "summary": "Ce que nous avons appris.",
            "campaign": server["campaign"],
            "item": "",
            "format": "video",
            "video_link": "",
        },
        "video",
        "temoignage.mp4",
        video,
    )
    raw = (
        "POST /interventions/proposer/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: sessionid={server['session']}; csrftoken={csrf}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {declared or len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=30) as sock:
        sock.sendall(raw)
        try:
            sock.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_response(sock, timeout=30)


def test_a_legal_video_upload_still_works_and_a_larger_one_is_refused(server):
    video = MP4 + b"\x00" * (VIDEO_MAX - len(MP4) - 10)  # just under PNYX_VIDEO_MAX_BYTES
    status, data = propose(server, video)
    assert status == 302, data[:500]
    stored = [p for p in (server["media"] / "videos").iterdir()]
    assert [p.stat().st_size for p in stored if p.stat().st_size == len(video)], stored
    # Three times the limit: refused from its length, nothing more stored.
    status, data = propose(server, video * 3)
    assert status == 413, data[:300]
    assert len(list((server["media"] / "videos").iterdir())) == len(stored)

"""Request bodies are bounded before they are read (pnyx.core.bodies), through Django's test
client (the WSGI path) and through the ASGI entry point itself."""

from __future__ import annotations

import asyncio
import threading

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test.client import FakePayload
from django.urls import reverse

from pnyx.core import bodies


class CountingPayload(FakePayload):
    """A request body that counts what is read from it."""

    def __init__(self, content=b""):
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_each_endpoint_has_its_limit_and_the_rest_the_small_default(settings):
    settings.PNYX_BODY_MAX_BYTES = 10_000
    settings.PNYX_VIDEO_MAX_BYTES = 5_000_000
    assert bodies.limit_for(reverse("members:sign_in")) == 10_000
    assert bodies.limit_for("/votes/1/voter/") == 10_000
    assert bodies.limit_for("/no/such/page/") == 10_000
    video = 5_000_000 + bodies.FORM_OVERHEAD_BYTES
    assert bodies.limit_for(reverse("programme:propose")) == video
    assert bodies.limit_for(reverse("programme:revise", args=[3])) == video


def test_a_huge_declared_length_on_the_sign_in_form_is_refused_without_reading(client, db):
    payload = CountingPayload(b"email=a%40example.org")
    r = client.generic(
        "POST",
        reverse("members:sign_in"),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH="2147483648",
        **{"wsgi.input": payload},
    )
    assert r.status_code == 413
    assert payload.bytes_read == 0
    text = r.content.decode()
    assert "2,0\xa0Gio" in text and "2,0\xa0Mio" in text  # what was sent, and the limit


def test_a_file_sent_to_the_sign_in_form_is_refused_before_it_is_written(client, db, monkeypatch):
    written = []
    monkeypatch.setattr(
        TemporaryFileUploadHandler, "new_file", lambda self, *a, **k: written.append(a)
    )
    big = SimpleUploadedFile("big.bin", b"\x00" * (3 * 1024 * 1024))
    r = client.post(reverse("members:sign_in"), {"email": "a@example.org", "file": big})
    assert r.status_code == 413
    assert written == []


def test_a_body_without_a_length_is_refused_on_wsgi(client, db):
    """Django's WSGI handler reads a body without Content-Length as empty: say so, 411."""
    payload = CountingPayload(b"5\r\nemail\r\n0\r\n\r\n")
    r = client.generic(
        "POST",
        reverse("members:sign_in"),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": payload},
    )
    assert r.status_code == 411 and payload.bytes_read == 0


def test_a_form_within_its_limit_goes_through(client, db, settings):
    settings.PNYX_BODY_MAX_BYTES = 100
    form = "application/x-www-form-urlencoded"
    r = client.post(reverse("members:sign_in"), "email=" + "x" * 94, content_type=form)
    assert r.status_code == 200  # 100 bytes: read, and the form says the address is invalid
    r = client.post(reverse("members:sign_in"), "email=" + "x" * 95, content_type=form)
    assert r.status_code == 413


# --- the ASGI entry point ------------------------------------------------------------------


def run_asgi(path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]]):
    """Call pnyx.asgi.application with a streamed body; return (messages sent, chunks taken)."""
    from pnyx.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    taken = []
    sent = []

    async def receive():
        if len(taken) < len(chunks):
            taken.append(chunks[len(taken)])
            return {
                "type": "http.request",
                "body": taken[-1],
                "more_body": len(taken) < len(chunks),
            }
        await asyncio.sleep(3600)  # the client waits for the answer

    async def send(message):
        sent.append(message)

    # In a thread of its own: another test (Playwright's sync API) may leave a loop running here.
    errors = []

    def serve():
        try:
            asyncio.run(asyncio.wait_for(application(scope, receive, send), 30))
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return sent, taken


def status_of(sent):
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def test_asgi_refuses_a_huge_declared_length_without_receiving_anything(settings):
    settings.PNYX_BODY_MAX_BYTES = 1000
    sent, taken = run_asgi(
        reverse("members:sign_in"),
        [b"x" * 100] * 5,
        [(b"content-length", b"2147483648"), (b"content-type", b"text/plain")],
    )
    assert status_of(sent) == 413 and taken == []
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert (b"connection", b"close") in start["headers"]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert "1000\xa0octets".encode() in body


def test_asgi_cuts_a_streamed_body_as_soon_as_it_passes_the_limit(settings, monkeypatch):
    """64 chunks of 64 KiB, no Content-Length, limit 256 KiB: cut at the 5th chunk; Django's
    spooled body never holds more than the limit."""
    settings.PNYX_BODY_MAX_BYTES = 256 * 1024
    import tempfile

    spooled = []
    real = tempfile.SpooledTemporaryFile

    class Watched(real):
        def write(self, s):
            spooled.append(len(s))
            return super().write(s)

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", Watched)
    chunk = b"x" * 65536
    sent, taken = run_asgi(
        reverse("members:sign_in"),
        [chunk] * 64,
        [(b"content-type", b"application/x-www-form-urlencoded")],
    )
    assert status_of(sent) == 413
    assert len(taken) == 5  # 4 chunks are the limit: the 5th passes it
    assert sum(spooled) <= 256 * 1024


def test_asgi_passes_a_small_body_to_django(settings):
    settings.PNYX_BODY_MAX_BYTES = 256 * 1024
    sent, taken = run_asgi(
        reverse("members:sign_in"),
        [b"email=", b"a%40example.org"],
        [(b"content-type", b"application/x-www-form-urlencoded")],
    )
    assert len(taken) == 2
    assert status_of(sent) == 403  # Django read it: no CSRF token in it

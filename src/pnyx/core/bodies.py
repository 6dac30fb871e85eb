"""Request bodies are bounded before they are read.

One table says how many bytes each endpoint may receive (`limit_for`); everything else gets a
small default (`PNYX_BODY_MAX_BYTES`, as large as DATA_UPLOAD_MAX_MEMORY_SIZE). Two gates apply
it before Django reads a byte of the body:

- `BodyLimitMiddleware`, the first Django middleware, for the WSGI entry point (and the test
  client): a declared Content-Length over the limit gets 413 at once. Django's WSGI handler
  never reads past the declared length, and it cannot read a body without one (chunked), so
  such a body gets 411 instead of being taken silently for an empty one.
- `BodyLimitASGI`, around the ASGI application: Django's ASGI handler spools the whole body to
  a temporary file before any middleware runs, so the wrapper answers 413 from the declared
  length, and counts the `http.request` chunks of a streamed body (chunked, or longer than it
  said): past the limit, Django is told the client left (it closes its temporary file, which
  never grew past the limit) and the client gets 413.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

# Room for the other fields of a multipart form that carries a file.
FORM_OVERHEAD_BYTES = 64 * 1024


def default_limit() -> int:
    return settings.PNYX_BODY_MAX_BYTES


def video_form_limit() -> int:
    return settings.PNYX_VIDEO_MAX_BYTES + FORM_OVERHEAD_BYTES


# The endpoints that may receive more (or less) than the default, by URL name.
ENDPOINT_LIMITS: dict[str, Callable[[], int]] = {
    "programme:propose": video_form_limit,
    "programme:revise": video_form_limit,
    "charter:amend": lambda: 32 * 1024,
    "charter:table_amend": lambda: 32 * 1024,
    "charter:manage_list": lambda: 256 * 1024 + FORM_OVERHEAD_BYTES,
    # The live stream and its polling fallback take GET only: no body at all.
    "live:stream": lambda: 0,
    "live:poll": lambda: 0,
}


def limit_for(path_info: str) -> int:
    """The most bytes of body that the endpoint at this path may receive."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return default_limit()
    limit = ENDPOINT_LIMITS.get(match.view_name)
    return limit() if limit else default_limit()


def _declared_length(value: str | bytes | None) -> int | None:
    if value is None or value in ("", b""):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def refusal(request, status: int, limit: int, size: int | None = None) -> HttpResponse:
    """The page of a refused body (413 too large, 411 length required), in the reader's language."""
    with translation.override(translation.get_language_from_request(request)):
        if status == 411:
            message = _("This request must state the length of its content (Content-Length).")
        elif size is not None:
            message = _("The request is too large (%(size)s); the limit of this page is %(limit)s.")
        else:
            message = _("The request is too large; the limit of this page is %(limit)s.")
        message = message % {
            "size": filesizeformat(size or 0),
            "limit": filesizeformat(limit),
        }
        html = render_to_string(
            "core/body_refused.html",
            {"message": message, "back": request.path, "lang": translation.get_language()},
        )
    # No "Connection: close" here: WSGI forbids hop-by-hop headers from the application (the
    # sync workers close every connection anyway); the ASGI gate adds it.
    return HttpResponse(html, status=status)


class BodyLimitMiddleware:
    """First middleware: refuse a body over its endpoint's limit before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        declared = _declared_length(meta.get("CONTENT_LENGTH"))
        if declared:
            limit = limit_for(request.path_info)
            if declared > limit:
                return refusal(request, 413, limit, declared)
        elif declared is None and meta.get("HTTP_TRANSFER_ENCODING") and "wsgi.input" in meta:
            # WSGI (ASGI requests have no wsgi.input): Django would read this body as empty.
            return refusal(request, 411, limit_for(request.path_info))
        return self.get_response(request)


class BodyLimitASGI:
    """Wraps an ASGI application: bodies over their endpoint's limit are never read past it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        root = scope.get("root_path", "")
        path = scope["path"]
        path_info = path[len(root) :] if root and path.startswith(root) else path
        limit = limit_for(path_info or "/")
        headers = dict(scope.get("headers") or [])
        declared = _declared_length(headers.get(b"content-length"))
        if declared is not None and declared > limit:
            await self._refuse(scope, send, limit, declared)
            return

        received = 0
        over = False
        started = False

        async def bounded_receive():
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True  # Django stops reading, and closes its temporary file
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, bounded_receive, tracking_send)
        if over and not started:
            await self._refuse(scope, send, limit, None)

    async def _refuse(self, scope, send, limit: int, size: int | None) -> None:
        from django.core.handlers.asgi import ASGIRequest

        request = ASGIRequest(scope, io.BytesIO())  # headers and cookies only; no body is read
        response = refusal(request, 413, limit, size)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.items()]
        headers.append((b"content-length", str(len(response.content)).encode()))
        headers.append((b"connection", b"close"))  # the body was not read: no reuse
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": response.content})

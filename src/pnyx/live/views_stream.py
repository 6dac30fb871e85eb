"""The stream's two public endpoints: server-sent events, and the polling fallback.

Public by design: the state holds only what the hall screen shows (docs/live.md, docs/security.md).
"""

from __future__ import annotations

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pnyx.programme.models import current_convention_or_404

from . import stream as live


def _event_id(request) -> int | None:
    """The last id the client has: Last-Event-ID (the browser's resume), else ?after=."""
    raw = request.headers.get("Last-Event-ID")
    if raw is None or raw.strip() == "":
        raw = request.GET.get("after")
    if raw is None or raw.strip() == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(raw) from None
    if value < 0:
        raise ValueError(raw)
    return value


def _bad_id(raw) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(
        _("The last event id must be a whole number (Last-Event-ID or ?after=), not %(value)r.")
        % {"value": str(raw)[:40]},
        content_type="text/plain; charset=utf-8",
    )


@require_GET
def stream(request):
    """GET /direct/flux/: the live state as server-sent events (text/event-stream)."""
    convention = current_convention_or_404(request)
    try:
        after = _event_id(request)
    except ValueError as exc:
        return _bad_id(exc.args[0])
    if isinstance(request, ASGIRequest):
        if live.connected() >= int(live.setting("PNYX_LIVE_MAX_CLIENTS")):
            # Full: the browser stops; live.js retries, then polls (docs/security.md).
            response = HttpResponse(
                _("The live stream is full; the page follows it by polling."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "30"
            return response
        content = live.event_stream(convention.pk, after)
        # The stream lasts for hours: this request's connection goes back to the pool now.
        from django.db import connection

        if not connection.in_atomic_block:
            connection.close()
    else:
        content = live.sync_stream(convention.pk, after)
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response


@require_GET
def poll(request):
    """GET /direct/etat.json?after=N: the latest state and its id; 304 when N is the latest."""
    convention = current_convention_or_404(request)
    try:
        after = request.GET.get("after")
        after = None if after in (None, "") else int(after)
        if after is not None and after < 0:
            raise ValueError
    except ValueError:
        return _bad_id(request.GET.get("after"))
    newest = live.latest_id(convention.pk)
    etag = f'"live-{convention.pk}-{newest}"'
    if (after is not None and after == newest) or request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        event_id, kind, state = live.latest(convention.pk)
        reset = after is not None and after > event_id
        response = JsonResponse(live.message(event_id, kind, state, reset=reset))
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response

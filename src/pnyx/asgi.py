import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
_django = get_asgi_application()

from pnyx.core.bodies import BodyLimitASGI  # noqa: E402  (after Django is set up)
from pnyx.live.stream import LiveStreamASGI  # noqa: E402

# Django's ASGI handler spools the whole body before any middleware runs: bound it first.
# The live stream's open connections are served from the event loop (pnyx.live.stream).
application = BodyLimitASGI(LiveStreamASGI(_django))

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
_django = get_asgi_application()

from pnyx.core.bodies import BodyLimitASGI  # noqa: E402  (after Django is set up)

# Django's ASGI handler spools the whole body before any middleware runs: bound it first.
application = BodyLimitASGI(_django)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "pnyx.core"
    verbose_name = _("Pnyx")

    def ready(self):
        from . import ratelimit  # noqa: F401  (registers the check of PNYX_RATE_LIMITS)

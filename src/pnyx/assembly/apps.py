from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssemblyConfig(AppConfig):
    name = "pnyx.assembly"
    verbose_name = _("Representative assembly")

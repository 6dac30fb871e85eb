from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Pnyx"
admin.site.site_title = "Pnyx"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("pnyx.members.urls")),
    path("", include("pnyx.programme.urls")),
    path("tirage/", include("pnyx.draws.urls")),
    path("votes/", include("pnyx.votes.urls")),
    path("ateliers/", include("pnyx.workshops.urls")),
    path("charte/", include("pnyx.charter.urls")),
    path("journal/", include("pnyx.journal.urls")),
    path("assemblee/", include("pnyx.assembly.urls")),
    path("", include("pnyx.live.urls")),
]

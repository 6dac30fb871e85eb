from django.urls import path  # noqa: F401

from . import screens
from . import views_stream

app_name = "live"

urlpatterns = [
    # --- the console (live-console) ---
    # --- the stream and its fallback (live-stream) ---
    path("direct/flux/", views_stream.stream, name="stream"),
    path("direct/etat.json", views_stream.poll, name="poll"),
    # --- the screens that follow it (live-views) ---
    path("ecran/orateur/", screens.stage, name="stage"),
    path("organisation/coulisses/", screens.backstage, name="backstage"),
    path("direct/", screens.public, name="public"),
]

from django.urls import path  # noqa: F401

from . import screens

app_name = "live"

urlpatterns = [
    # --- the console (live-console) ---
    # --- the stream and its fallback (live-stream) ---
    # --- the screens that follow it (live-views) ---
    path("ecran/orateur/", screens.stage, name="stage"),
    path("organisation/coulisses/", screens.backstage, name="backstage"),
    path("direct/", screens.public, name="public"),
]

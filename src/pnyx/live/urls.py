from django.urls import path

from . import screens, views_console, views_stream

app_name = "live"

urlpatterns = [
    # --- the console (live-console) ---
    path("organisation/regie/", views_console.console, name="console"),
    path("organisation/regie/deroule/", views_console.timeline, name="timeline"),
    path("organisation/regie/<slug:verb>/", views_console.act, name="act"),
    # --- the stream and its fallback (live-stream) ---
    path("direct/flux/", views_stream.stream, name="stream"),
    path("direct/etat.json", views_stream.poll, name="poll"),
    # --- the screens that follow it (live-views) ---
    path("ecran/orateur/", screens.stage, name="stage"),
    path("organisation/coulisses/", screens.backstage, name="backstage"),
    path("direct/", screens.public, name="public"),
]

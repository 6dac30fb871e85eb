from django.urls import path

from . import views_console

app_name = "live"

urlpatterns = [
    # --- the console (live-console) ---
    path("organisation/regie/", views_console.console, name="console"),
    path("organisation/regie/deroule/", views_console.timeline, name="timeline"),
    path("organisation/regie/<slug:verb>/", views_console.act, name="act"),
    # --- the stream and its fallback (live-stream) ---
    # --- the screens that follow it (live-views) ---
]

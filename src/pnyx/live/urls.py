from django.urls import path  # noqa: F401

app_name = "live"

urlpatterns = [
    # --- the console (live-console) ---
    # --- the stream and its fallback (live-stream) ---
    # --- the screens that follow it (live-views) ---
]

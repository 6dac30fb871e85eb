"""The day itself, live: the run-of-show console, its state, and the stream every screen follows.

See docs/live.md. Modules: `models` (the state and the event log), `state` (the state as one
JSON document, `snapshot`), `actions` (the operator's actions), `stream` (publish, the event
stream and its polling fallback), views for the console and for the screens that follow it.
"""

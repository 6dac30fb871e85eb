"""Publishing the live state and streaming it to every screen (server-sent events).

`publish(convention, kind)` is what every operator action calls, inside its transaction, after
changing the state: it stores a `LiveEvent` holding `state.snapshot(...)` and, once the
transaction commits, announces it on Redis (`REDIS_URL`) so that every server process pushes it
to its connected clients.
"""

"""The live state of a convention as one JSON document: what every screen and phone shows.

`snapshot(convention, now)` is the contract between the console (which changes the state) and
the stream and screens (which show it). Times are ISO 8601 with offset; durations in seconds.
Clients compute running timers from `started_at` and the server's `now` (so no tick events).

    {
      "convention": 1,
      "now": "2027-01-16T14:03:10+01:00",
      "driven": true,                   # a console runs the day (false: the clock drives it)
      "offset_seconds": 720,            # running delay of the day: +12 min (negative: early)
      "blackout": false,                # the hall screen shows the logo slide only
      "message": {"text": "30 s", "target": "stage"} | null,   # target: "hall" | "stage"
      "current": {                      # the item on stage, or null
        "item": 12, "title": "...", "kind": "testimonies", "day": "2027-01-16",
        "planned_start": iso, "planned_end": iso, "planned_seconds": 2700,
        "started_at": iso | null        # when the operator started it (null: clock-driven)
      },
      "speaker": {                      # who speaks now in a testimony slot, or null
        "intervention": 5, "name": "Awa D.", "title": "...", "kind": "speech" | "video",
        "seconds": 180,                 # the speaking time allowed
        "started_at": iso | null,       # the speaking timer runs since (null: not started)
        "video": {"url": "/media/...", "link": "https://..."} | null,
        "playing": false                # the video plays on the hall screen
      },
      "on_deck": {"intervention": 6, "name": "...", "title": "...", "kind": "...",
                  "video_ready": true} | null,
      "queue": [{"intervention": 7, "name": "...", "title": "...", "kind": "...",
                 "status": "waiting" | "done" | "skipped"}],
      "upcoming": [{"item": 13, "title": "...", "kind": "...",
                    "planned_start": iso, "shifted_start": iso}],   # the next items
      "vote": {"id": 3, "title": "...", "status": "open", "participation": 412,
               "url": "/votes/3/", "screen_url": "/votes/3/ecran/"} | null,
      "announcement": {"vote": 2, "url": "/votes/2/ecran/"} | null
    }
"""

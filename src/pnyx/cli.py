"""The `pnyx` command.

Offline commands that auditors run on published files (draw, verify-draw, replace, tally,
seat, topics) never touch Django or a database: they call the pure packages directly. Every
other command is a Django management command (`pnyx migrate`, `pnyx import-members`,
`pnyx journal verify`...); hyphens in its name map to underscores.
"""

from __future__ import annotations

import importlib
import os
import sys

# command name -> "module:function"; each function takes argv (without the command) and returns
# an exit code.
OFFLINE_COMMANDS: dict[str, str] = {
    "draw": "pnyx.lottery.cli:draw_main",
    "verify-draw": "pnyx.lottery.cli:verify_main",
    "replace": "pnyx.lottery.cli:replace_main",
    "tally": "pnyx.tally.cli:main",
    "seat": "pnyx.seating.cli:seat_main",
    "topics": "pnyx.seating.cli:topics_main",
    "synthesise": "pnyx.synthesis.cli:main",
    "verify-election": "pnyx.crypto.cli:verify_main",
    "trustee": "pnyx.crypto.cli:trustee_main",
    "credentials": "pnyx.crypto.cli:credentials_main",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in OFFLINE_COMMANDS:
        module_name, func_name = OFFLINE_COMMANDS[argv[0]].split(":")
        func = getattr(importlib.import_module(module_name), func_name)
        return int(func(argv[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
    from django.core.management import execute_from_command_line

    if argv and not argv[0].startswith("-"):
        argv[0] = argv[0].replace("-", "_")
    execute_from_command_line(["pnyx", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A quiet HiGHS instance (HiGHS prints a banner on stdout at its first construction, which
would spoil `--json` output)."""

from __future__ import annotations

import os
import sys

import highspy

_quiet = False


def new_highs() -> highspy.Highs:
    global _quiet
    if not _quiet:
        sys.stdout.flush()
        try:
            fd = sys.stdout.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd is not None:
            saved = os.dup(fd)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, fd)
                h = highspy.Highs()
            finally:
                os.dup2(saved, fd)
                os.close(saved)
                os.close(devnull)
        else:  # pragma: no cover
            h = highspy.Highs()
        _quiet = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h

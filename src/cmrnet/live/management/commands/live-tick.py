"""`cmrnet live-tick`: the same command under its hyphenated name (see live_tick.py)."""

from cmrnet.live.management.commands.live_tick import Command  # noqa: F401

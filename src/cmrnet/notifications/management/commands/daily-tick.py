"""`cmrnet daily-tick`: the hyphenated name (see daily_tick.py)."""

from cmrnet.notifications.management.commands.daily_tick import Command  # noqa: F401

"""`cmrnet send-reminders`: the same command under its hyphenated name (see send_reminders.py)."""

from cmrnet.certification.management.commands.send_reminders import Command  # noqa: F401

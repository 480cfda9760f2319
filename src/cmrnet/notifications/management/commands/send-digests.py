"""`cmrnet send-digests`: the hyphenated name (see send_digests.py)."""

from cmrnet.notifications.management.commands.send_digests import Command  # noqa: F401

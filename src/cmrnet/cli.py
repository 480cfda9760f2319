"""The `cmrnet` command.

    cmrnet serve [--host H] [--port P]      serve the site (ASGI, uvicorn)
    cmrnet demo                             load the demo network, print demo logins
    cmrnet check-application DIR ...        check a logbook application package (no database)
    cmrnet exam analyse|cutscore ...        exam item analysis and standard setting (no database)
    cmrnet tokens create|list|revoke ...    API tokens (audited; a new secret is printed once)
    cmrnet manage <django command> ...      any Django management command (migrate, ...)
"""

from __future__ import annotations

import os
import sys

# Sub-commands that need no database or Django settings: pure functions over files.
PURE = {
    "check-application": ("cmrnet.rules.cli", "check_application_main"),
    "exam": ("cmrnet.psychometrics.cli", "exam_main"),
}


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cmrnet", *argv])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command in PURE:
        from importlib import import_module

        module, func = PURE[command]
        return getattr(import_module(module), func)(rest)
    if command == "manage":
        return _django(rest)
    return _django(argv)


if __name__ == "__main__":
    sys.exit(main())

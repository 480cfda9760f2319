"""``python -m cmrnet.rules DIR --ruleset eacvi-2025 --route level2``."""

import sys

from .cli import check_application_main

sys.exit(check_application_main())

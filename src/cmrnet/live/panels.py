from django.utils import timezone

from cmrnet.live import selectors


def sessions(request) -> dict:
    return {"sessions": selectors.upcoming_sessions(request.user, now=timezone.now(), limit=5), "zone": request.user.zone}

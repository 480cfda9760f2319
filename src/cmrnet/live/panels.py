from django.utils import timezone

from cmrnet.live import selectors
from cmrnet.live.models import HelpRequest
from cmrnet.network.selectors import centres_for_user


def sessions(request) -> dict:
    return {"sessions": selectors.upcoming_sessions(request.user, now=timezone.now(), limit=5), "zone": request.user.zone}


def help_figures(request) -> dict:
    return {"rows": selectors.help_figures(centres_for_user(request.user))}


def wants_notifications(user) -> bool:
    """On-call experts, and people waiting for an answer to their help request."""
    return selectors.is_on_rota(user) or HelpRequest.objects.filter(requested_by=user, status=HelpRequest.Status.OPEN).exists()

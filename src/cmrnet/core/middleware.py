"""Responses that carry a person's data are never stored by a browser or a proxy.

Every response to a signed-in person (a session, or an API token: DRF sets `request.user` on the
underlying request once it has authenticated) gets `Cache-Control: no-store` and `Pragma: no-cache`,
whatever the view set: personal pages, logbook exports, certificates, exam pages, evidence downloads.
A shared hospital workstation's back button or disk cache then shows nothing of the previous user.
Anonymous public pages (the register, certificate verification, the login page) keep their headers.

One deliberate exception: a view that itself declares `Cache-Control: private, ...` keeps it. Only the
teaching library does, for de-identified DICOM frames addressed by their content hash (immutable, and
re-read on every scroll through a series); nothing personal is cached that way.
"""

from __future__ import annotations

NO_STORE = "no-store"


def _authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META


def _declared_private(response) -> bool:
    directives = {part.strip().split("=")[0] for part in response.get("Cache-Control", "").lower().split(",")}
    return "private" in directives


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _authenticated(request) and not _declared_private(response):
            response["Cache-Control"] = NO_STORE
            response["Pragma"] = "no-cache"
        return response

"""Responses that carry a person's data are never stored by a browser or a proxy.

Every response to a signed-in person (a session, or an API token: DRF sets `request.user` on the
underlying request once it has authenticated) gets `Cache-Control: no-store` and `Pragma: no-cache`,
whatever the view set: personal pages, logbook exports, certificates, exam pages, evidence downloads.
A shared hospital workstation's back button or disk cache then shows nothing of the previous user.
Anonymous public pages (the register, certificate verification, the login page) keep their headers.
One exception, marked by the view (`response.cmrnet_cacheable = True`): the teaching library's frames and
rendered images, de-identified pixel data behind a permission check whose URLs never change content; the
issue asks for them to be cached (`private, immutable`, ETag) so a cine plays without refetching.
"""

from __future__ import annotations

NO_STORE = "no-store"


def _authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _authenticated(request) and not getattr(response, "cmrnet_cacheable", False):
            response["Cache-Control"] = NO_STORE
            response["Pragma"] = "no-cache"
        return response

"""ASGI entry point: HTTP through Django's WSGI handler in a fixed thread pool (a2wsgi), WebSockets (live
rooms, notifications, the VNC relay) through Django Channels. Sessions authenticate WebSockets
(AuthMiddlewareStack); the Origin must be an allowed host, so another site's page cannot open a socket
with a visitor's cookie.

Why HTTP is not Django's ASGI handler (docs/decisions.md, "The ASGI thread hop"): every view and most
middleware here are synchronous, and the ASGI handler moves each request between the event loop and
threads several times (sync middleware chain, back to the loop for the view lookup, the view in another
thread, the request signals), and runs each request in a thread of its own, so database connections
cannot persist. The WSGI handler in a thread pool makes one hop per request, and each of its
CMRNET_HTTP_THREADS threads keeps its database connection (SQLite's schema parsed once, not per
request). `django_asgi_app` stays importable for comparison (`cmrnet serve --http-handler asgi`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")
django_asgi_app = get_asgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402  (Django must be set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from cmrnet.live.routing import websocket_urlpatterns  # noqa: E402

websocket_app = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
http_app = WSGIMiddleware(get_wsgi_application(), workers=settings.CMRNET_HTTP_THREADS)

application = ProtocolTypeRouter({"http": http_app, "websocket": websocket_app})
# The same WebSockets with HTTP through Django's ASGI handler (the measured alternative).
asgi_http_application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_app})

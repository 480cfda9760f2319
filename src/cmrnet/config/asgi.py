import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmrnet.config.settings")

# HTTP today; live tele-supervision rooms add a WebSocket router here (ProtocolTypeRouter).
application = get_asgi_application()

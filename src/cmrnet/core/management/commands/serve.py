from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve cmrnet with uvicorn (ASGI); static files are served by the app (whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])

    def handle(self, *args, host, port, workers, no_collectstatic, **options):
        import uvicorn

        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"cmrnet serving on http://{host}:{port}/ (DEBUG={settings.DEBUG})")
        # One process serves HTTP and WebSockets (live rooms); websockets' sans-I/O protocol implementation.
        uvicorn.run("cmrnet.config.asgi:application", host=host, port=port, workers=workers, log_level=options["log_level"],
                    proxy_headers=settings.HTTPS, ws="websockets-sansio")

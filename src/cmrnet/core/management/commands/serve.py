from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


APPS = {"wsgi": "cmrnet.config.asgi:application", "asgi": "cmrnet.config.asgi:asgi_http_application"}


class Command(BaseCommand):
    help = "Serve cmrnet with uvicorn (ASGI); static files are served by the app (whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1,
                            help="server processes sharing the port (live rooms then need CMRNET_REDIS_URL)")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
        parser.add_argument("--http-handler", default="wsgi", choices=sorted(APPS),
                            help="HTTP through Django's WSGI handler in a thread pool (default), or its ASGI handler "
                                 "(for comparison: docs/decisions.md); WebSockets are ASGI either way")
        parser.add_argument("--timeout-keep-alive", type=int, default=5,
                            help="seconds an idle keep-alive connection stays open (uvicorn's default: 5)")
        # "auto": httptools and uvloop when installed (faster parsing and event loop), else h11 and asyncio
        parser.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"])
        parser.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])

    def handle(self, *args, host, port, workers, no_collectstatic, http_handler, http, loop, timeout_keep_alive, **options):
        import uvicorn

        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        if workers > 1 and not settings.CMRNET_REDIS_URL:
            self.stderr.write(f"warning: {workers} workers with the in-memory channel layer: a live room's members must "
                              "reach the same process; set CMRNET_REDIS_URL to share rooms between workers")
        self.stdout.write(f"cmrnet serving on http://{host}:{port}/ with {workers} worker(s) (DEBUG={settings.DEBUG})")
        # One process serves HTTP and WebSockets (live rooms); websockets' sans-I/O protocol implementation.
        uvicorn.run(APPS[http_handler], host=host, port=port, workers=workers, log_level=options["log_level"],
                    proxy_headers=settings.HTTPS, ws="websockets-sansio", http=http, loop=loop,
                    timeout_keep_alive=timeout_keep_alive)

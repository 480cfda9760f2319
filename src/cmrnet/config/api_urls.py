"""The JSON API, version 1. Each app contributes a router; permissions match the pages."""

from django.urls import include, path

urlpatterns = [
    path("", include("cmrnet.people.api")),
    path("", include("cmrnet.network.api")),
    path("", include("cmrnet.logbook.api")),
    path("", include("cmrnet.exams.api")),
    path("", include("cmrnet.certification.api")),
    path("", include("cmrnet.live.api")),
    path("", include("cmrnet.interpretation.api")),
    path("", include("cmrnet.programmes.api")),
    path("", include("cmrnet.library.api")),
    path("", include("cmrnet.notifications.api")),
]

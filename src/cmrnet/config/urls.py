from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from cmrnet.core.api_docs import RedocView, SwaggerView

urlpatterns = [
    path("", include("cmrnet.core.urls")),
    path("accounts/", include("cmrnet.people.auth_urls")),
    path("people/", include("cmrnet.people.urls")),
    path("network/", include("cmrnet.network.urls")),
    path("audit/", include("cmrnet.audit.urls")),
    path("logbook/", include("cmrnet.logbook.urls")),
    path("exams/", include("cmrnet.exams.urls")),
    path("certification/", include("cmrnet.certification.urls")),
    path("live/", include("cmrnet.live.urls")),
    path("library/", include("cmrnet.library.urls")),
    path("interpretation/", include("cmrnet.interpretation.urls")),
    path("programmes/", include("cmrnet.programmes.urls")),
    path("notifications/", include("cmrnet.notifications.urls")),
    path("api/v1/", include("cmrnet.config.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

from django.urls import path

from cmrnet.library import views

urlpatterns = [
    path("", views.home, name="library-home"),
    path("cases/<int:pk>/", views.case_detail, name="library-case"),
    path("series/<int:pk>/metadata.json", views.series_metadata, name="library-series-metadata"),
    path("instances/<int:pk>/frames/<int:n>", views.frame, name="library-frame"),
    path("instances/<int:pk>/frames/<int:n>/rendered", views.rendered, name="library-rendered"),
]

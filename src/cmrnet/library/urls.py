from django.urls import path

from cmrnet.library import views

urlpatterns = [
    path("", views.home, name="library-home"),
    path("cases/new/", views.case_new, name="library-case-new"),
    path("cases/<int:pk>/", views.case_detail, name="library-case"),
    path("cases/<int:pk>/edit/", views.case_edit, name="library-case-edit"),
    path("cases/<int:pk>/upload/", views.upload, name="library-upload"),
    path("cases/<int:pk>/uploads/", views.upload_start, name="library-upload-start"),
    path("uploads/<str:token>", views.upload_resource, name="library-upload-resource"),
    path("cases/<int:pk>/publish/", views.case_publish, name="library-case-publish"),
    path("cases/<int:pk>/withdraw/", views.case_withdraw, name="library-case-withdraw"),
    path("cases/<int:pk>/reference/", views.reference, name="library-reference"),
    path("collections/", views.collections, name="library-collections"),
    path("quarantine/", views.quarantine, name="library-quarantine"),
    path("quarantine/<int:pk>/", views.quarantine_review, name="library-quarantine-review"),
    path("quarantine/<int:pk>/image.png", views.quarantine_image, name="library-quarantine-image"),
    path("series/<int:pk>/metadata.json", views.series_metadata, name="library-series-metadata"),
    path("series/<int:pk>/frames", views.series_frames, name="library-series-frames"),
    path("instances/<int:pk>/frames/<int:n>", views.frame, name="library-frame"),
    path("instances/<int:pk>/frames/<int:n>/rendered", views.rendered, name="library-rendered"),
]

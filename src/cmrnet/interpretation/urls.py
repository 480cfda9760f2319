from django.urls import path

from cmrnet.interpretation import views

urlpatterns = [
    path("", views.home, name="interpretation-home"),
    path("start/<int:case_pk>/", views.start, name="interpretation-start"),
    path("assign/", views.assign, name="interpretation-assign"),
    path("<int:pk>/", views.detail, name="interpretation-detail"),
    path("<int:pk>/save/", views.save, name="interpretation-save"),
    path("<int:pk>/comment/", views.comment, name="interpretation-comment"),
    path("<int:pk>/review/", views.review, name="interpretation-review"),
    path("<int:pk>/logbook/", views.to_logbook, name="interpretation-logbook"),
    path("cases/<int:case_pk>/viewer/", views.case_viewer, name="interpretation-viewer"),
    path("cases/<int:case_pk>/manifest.json", views.manifest, name="interpretation-manifest"),
    path("progress/", views.progress, name="interpretation-progress"),
    path("trainees/<int:trainee_pk>/progress/", views.progress, name="interpretation-trainee-progress"),
    path("tolerances/", views.tolerances, name="interpretation-tolerances"),
]

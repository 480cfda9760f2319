from django.urls import path

from cmrnet.network import views

urlpatterns = [
    path("", views.network_overview, name="network"),
    path("centres/new/", views.centre_create, name="centre-create"),
    path("centres/<int:pk>/", views.centre_detail, name="centre-detail"),
    path("centres/<int:pk>/edit/", views.centre_edit, name="centre-edit"),
    path("centres/<int:pk>/scanners/", views.scanner_list, name="scanner-list"),
    path("centres/<int:pk>/accreditations/", views.accreditation_add, name="centre-accreditation-add"),
    path("accreditations/<int:pk>/remove/", views.accreditation_remove, name="centre-accreditation-remove"),
    path("scanners/<int:pk>/edit/", views.scanner_edit, name="scanner-edit"),
]

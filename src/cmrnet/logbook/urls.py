from django.urls import path

from cmrnet.logbook import views


urlpatterns = [
    path("", views.home, name="logbook-home"),
    path("logbooks/", views.overview, name="logbook-overview"),
    path("cohort/", views.cohort_page, name="logbook-cohort"),
    path("progress/", views.progress_page, name="logbook-progress"),
    path("progress/summary/", views.progress_summary, name="logbook-progress-summary"),
    path("cases/add/", views.case_add, name="logbook-case-add"),
    path("cases/repeat-check/", views.case_repeat_check, name="logbook-case-repeat-check"),
    path("cases/<int:case_pk>/edit/", views.case_edit, name="logbook-case-edit"),
    path("cases/<int:case_pk>/delete/", views.case_delete, name="logbook-case-delete"),
    path("cases/<int:case_pk>/verify/", views.case_verify, name="logbook-case-verify"),
    path("import/", views.import_cases, name="logbook-import"),
    path("import/confirm/", views.import_confirm, name="logbook-import-confirm"),
    path("import/template.<str:fmt>", views.import_template, name="logbook-import-template"),
    path("package/import/", views.package_import, name="logbook-package-import"),
    path("export/<str:fmt>/", views.export, name="logbook-export"),
    path("cme/", views.cme_list, name="logbook-cme"),
    path("training/", views.training_list, name="logbook-training"),
    path("peer-recognition/", views.peer_list, name="logbook-peer"),
    path("settings/", views.logbook_settings, name="logbook-settings"),
    path("<str:kind>/<int:item_pk>/edit/", views.item_edit, name="logbook-item-edit"),
    path("<str:kind>/<int:item_pk>/delete/", views.item_delete, name="logbook-item-delete"),
    path("<str:kind>/<int:item_pk>/file/", views.evidence, name="logbook-evidence"),
    # Someone else's logbook (supervisor, programme director, exam board): read, verify.
    path("trainee/<int:pk>/", views.logbook_of, name="logbook-of"),
    path("trainee/<int:pk>/verify/", views.verify_bulk, name="logbook-verify-bulk"),
    path("trainee/<int:pk>/progress/", views.progress_page, name="logbook-progress-of"),
    path("trainee/<int:pk>/progress/summary/", views.progress_summary, name="logbook-progress-summary-of"),
    path("trainee/<int:pk>/cme/", views.cme_list, name="logbook-cme-of"),
    path("trainee/<int:pk>/training/", views.training_list, name="logbook-training-of"),
    path("trainee/<int:pk>/peer-recognition/", views.peer_list, name="logbook-peer-of"),
    path("trainee/<int:pk>/export/<str:fmt>/", views.export, name="logbook-export-of"),
]

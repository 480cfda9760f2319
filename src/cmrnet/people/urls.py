from django.urls import path

from cmrnet.people import account_views, views

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("supervision-check/", views.supervision_check, name="supervision-check"),
    path("<int:pk>/supervision/", views.person_supervision, name="person-supervision"),
    path("<int:pk>/supervision/<int:link_pk>/end/", views.supervision_end, name="supervision-end"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("<int:pk>/roles/", views.person_roles, name="person-roles"),
    path("<int:pk>/invite/", account_views.person_invite, name="person-invite"),
    path("<int:pk>/deactivate/", account_views.person_deactivate, name="person-deactivate"),
    path("<int:pk>/reactivate/", account_views.person_reactivate, name="person-reactivate"),
    path("<int:pk>/acls-evidence/", views.acls_evidence, name="person-acls-evidence"),
    path("<int:pk>/api-tokens/", views.api_tokens, name="person-api-tokens"),
    path("<int:pk>/api-tokens/<int:token_pk>/revoke/", views.api_token_revoke, name="person-api-token-revoke"),
    path("<int:pk>/certifications/new/", views.certification_add, name="certification-add"),
    path("<int:pk>/certifications/<int:cert_pk>/revoke/", views.certification_revoke, name="certification-revoke"),
]

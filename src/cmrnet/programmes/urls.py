from django.urls import path

from cmrnet.programmes import views

urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("new/", views.programme_new, name="programme-new"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("<int:pk>/modules/", views.module_add, name="programme-module-add"),
    path("<int:pk>/sessions/new/", views.session_add, name="programme-session-add"),
    path("<int:pk>/enrolment/", views.enrolment_open, name="programme-enrolment-open"),
    path("<int:pk>/apply/", views.apply, name="programme-apply"),
    path("<int:pk>/invite/", views.invite, name="programme-invite"),
    path("<int:pk>/verification/", views.verification_add, name="programme-verification"),
    path("<int:pk>/scmr-plan.pdf", views.plan_pdf, name="programme-plan-pdf"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="programme-enrolment"),
    path("enrolments/<int:pk>/assessment/", views.assessment_add, name="programme-assessment-add"),
    path("enrolments/<int:pk>/level/", views.level_set, name="programme-level"),
    path("enrolments/<int:pk>/determination/", views.determination_add, name="programme-determination"),
    path("enrolments/<int:pk>/certificate/", views.certificate_issue, name="programme-certificate-issue"),
    path("enrolments/<int:pk>/certificate.pdf", views.certificate_pdf, name="programme-certificate-pdf"),
    path("enrolments/<int:pk>/<str:action>/", views.enrolment_action, name="programme-enrolment-action"),
    path("sessions/<int:pk>/", views.session_detail, name="programme-session"),
    path("sessions/<int:pk>/seat/", views.seat, name="programme-seat"),
    path("sessions/<int:pk>/join/", views.join, name="programme-join"),
    path("sessions/<int:pk>/video", views.video, name="programme-video"),
    path("sessions/<int:pk>/watched/", views.watched, name="programme-watched"),
    path("verify/<str:code>/", views.verify, name="programme-verify"),
]

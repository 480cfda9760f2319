from django.urls import path

from cmrnet.certification.views import applications as a
from cmrnet.certification.views import office as o
from cmrnet.certification.views import public as p
from cmrnet.certification.views import requests as r

urlpatterns = [
    path("", a.home, name="certification-home"),
    path("applications/new/", a.application_new, name="certification-application-new"),
    path("applications/<int:pk>/", a.application_detail, name="certification-application"),
    path("applications/<int:pk>/supervisors/", a.name_supervisors, name="certification-supervisors"),
    path("applications/<int:pk>/documents/", a.upload_document, name="certification-document-upload"),
    path("applications/<int:pk>/documents/<int:doc_pk>/", a.document_download, name="certification-document"),
    path("applications/<int:pk>/declaration/", a.sign_declaration, name="certification-sign"),
    path("applications/<int:pk>/submit/", a.submit, name="certification-submit"),
    path("applications/<int:pk>/withdraw/", a.withdraw, name="certification-withdraw"),
    path("applications/<int:pk>/questions/<int:question_pk>/answer/", a.answer, name="certification-answer"),
    path("applications/<int:pk>/appeal/", a.appeal, name="certification-appeal"),
    path("applications/<int:pk>/snapshots/<int:number>/", a.snapshot_download, name="certification-snapshot"),
    path("applications/<int:pk>/accept/", o.accept, name="certification-accept"),
    path("applications/<int:pk>/return/", o.return_application, name="certification-return"),
    path("applications/<int:pk>/assign/", o.assign, name="certification-assign"),
    path("applications/<int:pk>/grade/", o.grade, name="certification-grade"),
    path("applications/<int:pk>/ask/", o.ask, name="certification-ask"),
    path("applications/<int:pk>/confirm/", o.confirm, name="certification-confirm"),
    path("applications/<int:pk>/chair-decision/", o.chair_decide, name="certification-chair-decide"),
    path("applications/<int:pk>/appeal-decision/", o.decide_appeal, name="certification-appeal-decide"),
    path("office/", o.office, name="certification-office"),
    path("office/chair/", o.set_chair, name="certification-set-chair"),
    path("office/exam-passes/", o.record_exam_pass, name="certification-exam-pass"),
    path("certificates/<int:pk>/pdf/", p.certificate_pdf, name="certification-certificate-pdf"),
    path("certificates/<int:pk>/revoke/", o.revoke, name="certification-revoke"),
    path("certificates/<int:pk>/recertify/", r.recertify, name="certification-recertify"),
    path("remote-supervision/", r.remote_list, name="certification-remote-list"),
    path("remote-supervision/new/", r.remote_new, name="certification-remote-new"),
    path("remote-supervision/<int:pk>/", r.remote_detail, name="certification-remote"),
    path("remote-supervision/<int:pk>/respond/", r.remote_respond, name="certification-remote-respond"),
    path("remote-supervision/<int:pk>/messages/", r.remote_message, name="certification-remote-message"),
    path("extensions/", r.extension_list, name="certification-extension-list"),
    path("extensions/new/", r.extension_new, name="certification-extension-new"),
    path("extensions/<int:pk>/", r.extension_detail, name="certification-extension"),
    path("extensions/<int:pk>/letter/", r.extension_letter, name="certification-extension-letter"),
    path("audits/", r.audits, name="certification-audits"),
    path("audits/<int:pk>/", r.audit_detail, name="certification-audit"),
    path("verify/<str:code>/", p.verify, name="certification-verify"),
    path("register/", p.register, name="certification-register"),
]

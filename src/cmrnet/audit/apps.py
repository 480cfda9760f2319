from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cmrnet.audit"
    label = "audit"
    verbose_name = "Audit log"

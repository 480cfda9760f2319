from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "cmrnet.certification"
    label = "certification"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cmrnet.core"
    label = "core"

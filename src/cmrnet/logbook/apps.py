from django.apps import AppConfig


class LogbookConfig(AppConfig):
    name = "cmrnet.logbook"
    label = "logbook"

from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "cmrnet.exams"
    label = "exams"

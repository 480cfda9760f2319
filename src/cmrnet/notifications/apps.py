from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cmrnet.notifications"
    label = "notifications"
    verbose_name = "Notifications"

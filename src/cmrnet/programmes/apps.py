from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "cmrnet.programmes"
    label = "programmes"
    verbose_name = "Training programmes"

    def ready(self):
        from cmrnet.core.registry import NavItem, register_nav

        register_nav(NavItem("Programmes", "programmes", order=38))

from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "cmrnet.programmes"
    label = "programmes"
    verbose_name = "Training programmes"

    def ready(self):
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import NavItem, register_nav
        from cmrnet.programmes import demo

        register_nav(NavItem("Programmes", "programmes", order=38))
        register_demo_step(demo.load)

from django.apps import AppConfig


class InterpretationConfig(AppConfig):
    name = "cmrnet.interpretation"
    label = "interpretation"
    verbose_name = "Case interpretation with mentor feedback"

    def ready(self):
        from cmrnet.core.registry import NavItem, register_nav
        from cmrnet.people.roles import Role

        register_nav(NavItem("Readings", "interpretation-home", roles=(Role.TRAINEE, Role.MENTOR), order=27))

        from cmrnet.core.demo import register_demo_step
        from cmrnet.interpretation import demo

        register_demo_step(demo.load)

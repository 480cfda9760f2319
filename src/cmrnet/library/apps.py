from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "cmrnet.library"
    label = "library"
    verbose_name = "Teaching-case library"

    def ready(self):
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import NavItem, register_nav
        from cmrnet.library import demo

        register_nav(NavItem("Library", "library-home", order=40))
        register_demo_step(demo.load)

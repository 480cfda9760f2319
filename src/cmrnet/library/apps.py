from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "cmrnet.library"
    label = "library"
    verbose_name = "Teaching-case library"

    def ready(self):
        from cmrnet.core.registry import NavItem, register_nav

        register_nav(NavItem("Library", "library-home", order=40))

from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "cmrnet.live"
    label = "live"
    verbose_name = "Live tele-supervision"

    def ready(self):
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import NavItem, Panel, register_nav, register_panel
        from cmrnet.live import demo, panels
        from cmrnet.people.roles import Role

        register_nav(NavItem("Live", "live-home", order=35))
        for role in (Role.TRAINEE, Role.MENTOR, Role.TECHNOLOGIST, Role.NURSE, Role.PROGRAMME_DIRECTOR):
            register_panel(Panel(role, "live/panels/sessions.html", panels.sessions, order=15))
        register_demo_step(demo.load)

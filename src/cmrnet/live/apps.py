from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "cmrnet.live"
    label = "live"
    verbose_name = "Live tele-supervision"

    def ready(self):
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import (NavItem, PageAsset, PageSection, Panel, register_nav, register_page_asset, register_panel,
                                          register_section)
        from cmrnet.live import demo, panels
        from cmrnet.people.roles import Role

        register_nav(NavItem("Live", "live-home", order=35))
        for role in (Role.TRAINEE, Role.MENTOR, Role.TECHNOLOGIST, Role.NURSE, Role.PROGRAMME_DIRECTOR):
            register_panel(Panel(role, "live/panels/sessions.html", panels.sessions, order=15))
        register_demo_step(demo.load)
        register_section(PageSection("network", "live/network_section.html", panels.help_figures, order=60))
        # Live notifications (expert-help calls and answers) on every page of on-call experts and waiting sites.
        register_page_asset(PageAsset("script", "live/notify.js", panels.wants_notifications))
        register_page_asset(PageAsset("stylesheet", "live/notify.css", panels.wants_notifications))

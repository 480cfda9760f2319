from django.apps import AppConfig


class LogbookConfig(AppConfig):
    name = "cmrnet.logbook"
    label = "logbook"

    def ready(self):
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import NavItem, Panel, register_nav, register_panel
        from cmrnet.logbook import demo, panels
        from cmrnet.people.roles import Role

        register_nav(NavItem("Logbook", "logbook-home", roles=(Role.TRAINEE, Role.MENTOR), order=20))
        # Directors read their centre's logbooks and the board every logbook: the overview lists them.
        register_nav(NavItem("Logbooks", "logbook-overview", roles=(Role.PROGRAMME_DIRECTOR, Role.EXAM_BOARD), order=21))
        register_nav(NavItem("Cohort", "logbook-cohort", roles=(Role.MENTOR, Role.PROGRAMME_DIRECTOR, Role.EXAM_BOARD),
                             order=22))
        register_panel(Panel(Role.TRAINEE, "logbook/panels/trainee.html", panels.trainee, order=15))
        register_panel(Panel(Role.MENTOR, "logbook/panels/mentor.html", panels.mentor, order=25))
        register_demo_step(demo.demo_logbook)

        from cmrnet.audit.selectors import register_audit_scope
        from cmrnet.logbook.selectors import can_view_every_logbook

        register_audit_scope("logbook", can_view_every_logbook, who="those who may read every logbook")

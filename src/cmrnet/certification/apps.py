from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "cmrnet.certification"
    label = "certification"

    def ready(self):
        from cmrnet.certification import demo, panels
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import NavItem, Panel, register_nav, register_panel
        from cmrnet.people.roles import Role

        register_nav(NavItem("Certification", "certification-home", roles=tuple(Role.values), order=60))
        register_panel(Panel(Role.TRAINEE, "certification/panels/candidate.html", panels.candidate, order=16))
        register_panel(Panel(Role.MENTOR, "certification/panels/supervisor.html", panels.supervisor, order=26))
        register_panel(Panel(Role.GRADER, "certification/panels/grader.html", panels.grader, order=56))
        register_panel(Panel(Role.EXAM_BOARD, "certification/panels/board.html", panels.board, order=46))
        register_demo_step(demo.load)

        from cmrnet.audit.selectors import register_audit_scope
        from cmrnet.certification.selectors import is_board

        register_audit_scope("certification", is_board, who="the certification office (exam board)")

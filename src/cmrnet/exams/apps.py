from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "cmrnet.exams"
    label = "exams"

    def ready(self):
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import NavItem, Panel, register_nav, register_panel
        from cmrnet.exams import demo, panels
        from cmrnet.people.roles import Role

        register_nav(NavItem("Exams", "exams-home", roles=(), order=30))
        register_panel(Panel(Role.TRAINEE, "exams/panels/candidate.html", panels.candidate, order=16))
        register_panel(Panel(Role.EXAM_BOARD, "exams/panels/board.html", panels.board, order=41))
        register_demo_step(demo.load_exam_demo)

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "cmrnet.people"
    label = "people"

    def ready(self):
        from cmrnet.core.registry import NavItem, Panel, register_nav, register_panel
        from cmrnet.people import panels
        from cmrnet.people.roles import Role

        register_nav(NavItem("People", "person-list", roles=(Role.NETWORK_ADMIN, Role.EXAM_BOARD, Role.PROGRAMME_DIRECTOR, Role.MENTOR), order=40))
        register_panel(Panel(Role.TRAINEE, "people/panels/trainee.html", panels.trainee, order=10))
        register_panel(Panel(Role.MENTOR, "people/panels/mentor.html", panels.mentor, order=20))
        register_panel(Panel(Role.PROGRAMME_DIRECTOR, "people/panels/director.html", panels.director, order=30))
        register_panel(Panel(Role.EXAM_BOARD, "people/panels/board.html", panels.board, order=40))
        register_panel(Panel(Role.GRADER, "people/panels/grader.html", panels.grader, order=50))

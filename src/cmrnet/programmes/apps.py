from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "cmrnet.programmes"
    label = "programmes"
    verbose_name = "Training programmes"

    def ready(self):
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import NavItem, Panel, register_nav, register_panel
        from cmrnet.live.selectors import register_join_gate
        from cmrnet.people.roles import Role
        from cmrnet.certification.selectors import register_code_lookup
        from cmrnet.programmes import demo, panels, selectors, services

        register_nav(NavItem("Programmes", "programmes", order=38))
        register_panel(Panel(Role.TRAINEE, "programmes/panels/mine.html", panels.my_programmes, order=18))
        register_panel(Panel(Role.PROGRAMME_DIRECTOR, "programmes/panels/directed.html", panels.directed, order=18))
        register_demo_step(demo.load)
        register_join_gate(services.room_refusal)  # the live room applies the programme's join refusals
        # completion certificates verify on the certification register's public page and API too
        register_code_lookup(selectors.completion_by_code)

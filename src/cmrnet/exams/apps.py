from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "cmrnet.exams"
    label = "exams"

    def ready(self):
        from cmrnet.audit.secrets import register_secret_fields
        from cmrnet.audit.selectors import register_audit_scope
        from cmrnet.core.demo import register_demo_step
        from cmrnet.core.registry import NavItem, Panel, register_nav, register_panel
        from cmrnet.exams import demo, panels
        from cmrnet.exams.audit_rules import SECRET_RULES
        from cmrnet.exams.selectors import board_role_refusal, can_see_item_bank
        from cmrnet.people.roles import Role
        from cmrnet.people.services import register_role_grant_check

        register_nav(NavItem("Exams", "exams-home", roles=(), order=30))
        register_panel(Panel(Role.TRAINEE, "exams/panels/candidate.html", panels.candidate, order=16))
        register_panel(Panel(Role.EXAM_BOARD, "exams/panels/board.html", panels.board, order=41))
        register_demo_step(demo.load_exam_demo)
        # issue 8, finding 2: exam secrets are digests in the audit log, whose exam entries only the people
        # who may see the item bank read; a pending candidate is not given the item-bank right
        register_secret_fields(SECRET_RULES)
        register_audit_scope("exams", can_see_item_bank, who="the people who may see the item bank")
        register_role_grant_check(board_role_refusal)

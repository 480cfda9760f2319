from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "cmrnet.network"
    label = "network"

    def ready(self):
        from cmrnet.core.registry import NavItem, Panel, register_nav, register_panel
        from cmrnet.network import panels
        from cmrnet.people.roles import Role

        register_nav(NavItem("Network", "network", order=30))
        register_nav(NavItem("Audit log", "audit-log", roles=(Role.NETWORK_ADMIN, Role.EXAM_BOARD), order=90))
        register_panel(Panel(Role.NETWORK_ADMIN, "network/panels/admin.html", panels.admin, order=60))

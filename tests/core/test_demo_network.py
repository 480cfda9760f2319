from cmrnet.core.demo import load_demo
from cmrnet.network.models import Centre
from cmrnet.network.selectors import network_figures
from cmrnet.people.models import Certification, RoleGrant, User
from cmrnet.people.roles import Role


def test_demo_reproduces_the_seed_network(db):
    load_demo()
    figures = network_figures(Centre.objects.all())
    growth = dict(figures["growth"])
    assert growth[2009] == 5 and growth[2014] == 14
    assert round(figures["busy_share"] * 100) == 79
    assert figures["size_mix"]["small"] == 4 and figures["size_mix"]["medium"] == 5


def test_demo_is_idempotent(db):
    first = load_demo()
    counts = (Centre.objects.count(), User.objects.count(), RoleGrant.objects.count(), Certification.objects.count())
    second = load_demo()
    assert first == second
    assert (Centre.objects.count(), User.objects.count(), RoleGrant.objects.count(), Certification.objects.count()) == counts


def test_demo_has_one_account_per_role_that_can_log_in(client, db):
    accounts = load_demo()
    assert {role for role, _, _ in accounts} == {Role(r).label for r in Role.values}
    for _, email, password in accounts:
        response = client.post("/accounts/login/", {"username": email, "password": password})
        assert response.status_code == 302, email
        client.post("/accounts/logout/")

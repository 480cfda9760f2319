import pytest

from cmrnet.people.roles import Role
from tests.exams import factories


@pytest.fixture(autouse=True)
def _topics(db):
    from cmrnet.exams.services.forms import ensure_topics

    ensure_topics()


@pytest.fixture
def board_member2(make_person):
    return make_person("bob@example.org", Role.EXAM_BOARD, full_name="Bob Board")


@pytest.fixture
def form5(board_member, board_member2):
    """A locked 5-item form with keys A B C D E (positions 1-5)."""
    form, _items = factories.locked_form(board_member, board_member2)
    return form


@pytest.fixture
def sitting(board_member, form5):
    return factories.sitting_for(board_member, form5)


@pytest.fixture
def candidates(make_person):
    return [make_person(f"cand{i}@example.org", Role.TRAINEE, full_name=f"Candidate {i:02d}") for i in range(8)]

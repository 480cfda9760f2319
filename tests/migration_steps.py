"""Data-migration tests: move the test database to chosen migrations, and back to every app's latest one after
each test (the later, transactional tests expect the whole schema). Import both names into the test module:
the fixture is autouse there."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets, *, state_with=()):
    """Migrate to `targets`; the historical apps at those targets (plus `state_with`, e.g. another app's model)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([*targets, *state_with]).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    """Leave the database at every app's latest migration, as the later (transactional) tests expect."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

"""Django's database sessions, with the one read every signed-in request makes written as SQL.

Same table, same rows, same encoding as `django.contrib.sessions.backends.db` (existing sessions stay
valid); only the lookup differs: a prepared `SELECT session_data ... WHERE session_key = %s AND
expire_date > %s` instead of `Session.objects.get(...)`, whose query compilation cost more CPU than the
read itself (about 0.5 ms a request here; docs/performance.md). Writes, creation, expiry and the async
methods are Django's own."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_data(self) -> str | None:
        model = self.model
        connection = connections[router.db_for_read(model)]
        q = connection.ops.quote_name
        expire = model._meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {q('session_data')} FROM {q(model._meta.db_table)} "
                           f"WHERE {q('session_key')} = %s AND {q('expire_date')} > %s", [self.session_key, expire])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return row[0]

    def load(self):
        if self.session_key is None:  # no cookie, or one that is not a valid key: nothing to read
            return {}
        data = self._get_session_data()
        return self.decode(data) if data is not None else {}

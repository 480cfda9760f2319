"""Delivery writes: start an attempt, save answers, submit, close at time-out.

The server's clock rules: the deadline is fixed at start (start + duration + extra time) and every
save checks it inside the same transaction that writes the answer.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from cmrnet.audit.services import record
from cmrnet.exams import timing
from cmrnet.exams.services.forms import refuse_if_exposed
from cmrnet.exams.models import (
    DEFECT_COMMENT_MAX_LENGTH, OPTION_LETTERS, Answer, Attempt, FormItem, Registration, Sitting, SubmitReason)


class AttemptClosed(Exception):
    """The attempt is submitted or past its deadline: nothing more is accepted."""

    def __init__(self, attempt: Attempt):
        self.attempt = attempt
        sitting = attempt.registration.sitting
        super().__init__(f"The exam was closed at {sitting.clock(attempt.submitted_at or attempt.deadline, '%H:%M:%S')}; "
                         "this change was not saved.")


@transaction.atomic
def start_attempt(*, candidate, sitting: Sitting, now: dt.datetime) -> Attempt:
    """Start (or return the already started) attempt of a registered candidate inside the window."""
    reg = Registration.objects.select_for_update().filter(sitting=sitting, candidate=candidate).first()
    if reg is None:
        raise PermissionDenied("You are not registered for this sitting.")
    existing = Attempt.objects.filter(registration=reg).first()
    if existing is not None:
        return existing
    refuse_if_exposed(candidate=candidate, sitting=sitting)  # also for registrations older than the rule
    if not timing.in_start_window(now, sitting.start_opens, sitting.start_closes):
        raise ValidationError("The exam can only be started inside its start window "
                              f"({sitting.clock(sitting.start_opens, '%Y-%m-%d %H:%M')} to "
                              f"{sitting.clock(sitting.start_closes)}).")
    ids = list(FormItem.objects.filter(form=sitting.form).order_by("position").values_list("pk", flat=True))
    seed = secrets.randbits(48)
    order, options = timing.shuffle_plan(seed, ids, shuffle_items=sitting.shuffle_items,
                                         shuffle_options=sitting.shuffle_options)
    attempt = Attempt.objects.create(
        registration=reg, started_at=now, seed=seed, item_order=order, option_orders=options,
        deadline=timing.deadline(now, sitting.duration_minutes, reg.extra_minutes))
    record(actor=candidate, action="attempt.started", obj=attempt,
           data={"sitting_id": sitting.pk, "deadline": attempt.deadline, "extra_minutes": reg.extra_minutes})
    return attempt


def _close(attempt: Attempt, *, at: dt.datetime, reason: str, by=None, trigger: str = "") -> None:
    attempt.submitted_at, attempt.submit_reason = at, reason
    attempt.save(update_fields=["submitted_at", "submit_reason"])
    data = {"sitting_id": attempt.registration.sitting_id, "at": at,
            "answered": attempt.answers.exclude(choice="").count()}
    if trigger:
        data["noticed_by"] = trigger  # what request found the deadline passed; the server decided
    record(actor=by, action="attempt.submitted" if reason == SubmitReason.CANDIDATE else "attempt.timed_out",
           obj=attempt, data=data)


def close_if_overdue(*, attempt: Attempt, now: dt.datetime, trigger: str = "") -> bool:
    """Close the attempt at its deadline if the server's clock says the deadline has passed (lazily, on any
    request, or when the page's countdown asks). The reason is always a time-out, by nobody.

    Check first, lock only then: a request for an attempt that is open and not overdue (every question page)
    opens no transaction, so on SQLite (BEGIN IMMEDIATE) it never takes the write lock."""
    if not attempt.is_open or not timing.is_past(now, attempt.deadline):
        return False
    return _close_if_overdue_locked(attempt=attempt, now=now, trigger=trigger)


@transaction.atomic
def _close_if_overdue_locked(*, attempt: Attempt, now: dt.datetime, trigger: str) -> bool:
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    closed = locked.is_open and timing.is_past(now, locked.deadline)
    if closed:
        _close(locked, at=locked.deadline, reason=SubmitReason.TIMEOUT, trigger=trigger)
    attempt.submitted_at, attempt.submit_reason = locked.submitted_at, locked.submit_reason
    return closed


def close_overdue_attempts(*, sitting: Sitting, now: dt.datetime) -> int:
    n = 0
    for attempt in Attempt.objects.filter(registration__sitting=sitting, submitted_at__isnull=True, deadline__lte=now):
        n += close_if_overdue(attempt=attempt, now=now)
    return n


@transaction.atomic
def submit_attempt(*, attempt: Attempt, by, now: dt.datetime) -> Attempt:
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if not locked.is_open:
        return locked
    if timing.is_past(now, locked.deadline):
        _close(locked, at=locked.deadline, reason=SubmitReason.TIMEOUT)
    else:
        _close(locked, at=now, reason=SubmitReason.CANDIDATE, by=by)
    return locked


class NoSuchAttempt(Exception):
    """No attempt with this id belongs to this candidate."""


@dataclass(frozen=True)
class Saved:
    """What the answer-save response needs, read inside the save's transaction."""

    answer: Answer
    attempt: Attempt
    answered: int


def save_answer(*, attempt: Attempt, now: dt.datetime, **changes) -> Answer:
    """Save one change to the candidate's answer sheet (see `_save_answer`); at or after the deadline
    the change is refused with AttemptClosed and the attempt is closed at its deadline."""
    return save_answer_for(attempt_id=attempt.pk, now=now, **changes).answer


def save_answer_for(*, attempt_id: int, now: dt.datetime, candidate=None, **changes) -> Saved:
    """The save as the delivery page calls it: the attempt (the candidate's own when `candidate` is given,
    else NoSuchAttempt) is read once, locked, inside the transaction that writes the answer."""
    try:
        return _save_answer(attempt_id=attempt_id, candidate=candidate, now=now, **changes)
    except AttemptClosed as closed:
        attempt = closed.attempt
        close_if_overdue(attempt=attempt, now=now)
        raise AttemptClosed(attempt) from None


def _letters(value: str) -> str:
    value = (value or "").upper()
    if any(c not in OPTION_LETTERS for c in value):
        raise ValidationError("Options are A-E.")
    return "".join(c for c in OPTION_LETTERS if c in value)


def _changes(*, choice, flagged, struck, defect_flag, defect_comment) -> dict:
    """The columns this save sets, each with its whole new value (never a toggle: a repeated save is idempotent)."""
    values = {}
    if choice is not None:
        choice = _letters(choice)
        if len(choice) > 1:
            raise ValidationError("Choose one option.")
        values["choice"] = choice
    if flagged is not None:
        values["flagged"] = bool(flagged)
    if struck is not None:
        values["struck"] = _letters(struck)
    if defect_flag is not None:
        comment = (defect_comment or "").strip() if defect_flag else ""
        if len(comment) > DEFECT_COMMENT_MAX_LENGTH:
            raise ValidationError(f"The defect report is {len(comment)} characters long; at most "
                                  f"{DEFECT_COMMENT_MAX_LENGTH} are kept. Please shorten it.")
        values["defect_flag"], values["defect_comment"] = bool(defect_flag), comment
    return values


ANSWER_DEFAULTS = {"choice": "", "flagged": False, "struck": "", "defect_flag": False, "defect_comment": ""}
RETURNED = ("id", "choice", "flagged", "struck", "defect_flag", "defect_comment", "saves")


def _upsert(*, attempt_id: int, form_item_id: int, values: dict, now: dt.datetime) -> Answer:
    """One statement, INSERT ... ON CONFLICT (attempt, item) DO UPDATE (PostgreSQL and SQLite >= 3.35): the
    answer row is created or only the changed columns are set, the save counted; RETURNING gives the row as
    stored. Replaces get_or_create + save (a SELECT, a savepoint, then an INSERT or UPDATE)."""
    q = connection.ops.quote_name
    table = q(Answer._meta.db_table)
    updated_at = Answer._meta.get_field("updated_at").get_db_prep_value(now, connection)
    row = {"attempt_id": attempt_id, "form_item_id": form_item_id, **ANSWER_DEFAULTS, **values,
           "saves": 1, "updated_at": updated_at}
    columns = list(row)
    sets = [f"{q(c)} = excluded.{q(c)}" for c in values]
    sets += [f"{q('saves')} = {table}.{q('saves')} + 1", f"{q('updated_at')} = excluded.{q('updated_at')}"]
    sql = (f"INSERT INTO {table} ({', '.join(map(q, columns))}) VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({q('attempt_id')}, {q('form_item_id')}) DO UPDATE SET {', '.join(sets)} "
           f"RETURNING {', '.join(map(q, RETURNED))}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [row[c] for c in columns])
        pk, choice, flagged, struck, defect_flag, defect_comment, saves = cursor.fetchone()
    return Answer(pk=pk, attempt_id=attempt_id, form_item_id=form_item_id, choice=choice, flagged=bool(flagged),
                  struck=struck, defect_flag=bool(defect_flag), defect_comment=defect_comment, saves=saves,
                  updated_at=now)


LOCKED_FIELDS = ("id", "registration_id", "started_at", "deadline", "submitted_at", "submit_reason", "position",
                 "seed", "item_order")


def _locked_attempt(attempt_id: int, candidate) -> Attempt | None:
    """The attempt, locked for the rest of the transaction (its own row only: FOR UPDATE OF on PostgreSQL, so
    candidates of one sitting never wait for each other; SQLite's BEGIN IMMEDIATE already holds the database's
    write lock), and only when it is the candidate's (None otherwise). Written as SQL: the ORM spent more
    CPU compiling this one statement than the rest of the save (docs/performance.md). option_orders, the
    largest column, is not read (deferred: loaded only if something asks for it)."""
    q = connection.ops.quote_name
    attempt, registration = q(Attempt._meta.db_table), q(Registration._meta.db_table)
    sql = f"SELECT {', '.join(f'{attempt}.{q(f)}' for f in LOCKED_FIELDS)} FROM {attempt}"
    params = []
    if candidate is not None:
        sql += f" INNER JOIN {registration} ON {registration}.{q('id')} = {attempt}.{q('registration_id')}"
    sql += f" WHERE {attempt}.{q('id')} = %s"
    params.append(attempt_id)
    if candidate is not None:
        sql += f" AND {registration}.{q('candidate_id')} = %s"
        params.append(candidate.pk)
    if connection.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {attempt}"
    elif connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return next(iter(Attempt.objects.raw(sql, params)), None)


@transaction.atomic
def _save_answer(*, attempt_id: int, form_item_id: int, now: dt.datetime, candidate=None, choice: str | None = None,
                 flagged: bool | None = None, struck: str | None = None, defect_flag: bool | None = None,
                 defect_comment: str | None = None, position: int | None = None) -> Saved:
    """Save one change to the candidate's answer sheet; refused at or after the deadline.

    Statements: one locked read of the attempt (its own row only: FOR UPDATE OF on PostgreSQL, so candidates
    of one sitting never wait for each other), one upsert of the answer, the position only when it changed,
    and the answered count the page shows. Nothing runs after the commit.
    `choice` is the canonical option letter ('' clears the answer); `struck` the struck canonical letters.
    """
    locked = _locked_attempt(attempt_id, candidate)
    if locked is None:
        raise NoSuchAttempt(attempt_id)
    if not locked.is_open or timing.is_past(now, locked.deadline):
        raise AttemptClosed(locked)
    if form_item_id not in locked.item_order:
        raise ValidationError("This item is not part of your exam.")
    values = _changes(choice=choice, flagged=flagged, struck=struck, defect_flag=defect_flag,
                      defect_comment=defect_comment)
    answer = _upsert(attempt_id=locked.pk, form_item_id=form_item_id, values=values, now=now)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if position is not None and position != locked.position:
            cursor.execute(f"UPDATE {q(Attempt._meta.db_table)} SET {q('position')} = %s WHERE {q('id')} = %s",
                           [position, locked.pk])
            locked.position = position
        cursor.execute(f"SELECT COUNT(*) FROM {q(Answer._meta.db_table)} "
                       f"WHERE {q('attempt_id')} = %s AND {q('choice')} <> ''", [locked.pk])
        answered = cursor.fetchone()[0]
    return Saved(answer, locked, answered)

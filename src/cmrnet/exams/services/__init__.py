"""Writes of the exam app. Each service: keyword-only arguments, one transaction, an audit entry."""

from cmrnet.exams.services.delivery import (  # noqa: F401
    AttemptClosed, NoSuchAttempt, close_overdue_attempts, close_if_overdue, save_answer, save_answer_for, start_attempt,
    submit_attempt,
)
from cmrnet.exams.services.forms import (  # noqa: F401
    add_form_item, lock_form, propose_form, record_incident, register_candidate, remove_form_item,
    schedule_sitting, unregister_candidate, update_registration,
)
from cmrnet.exams.services.registration import (  # noqa: F401
    add_slot, cancel_own_registration, register_self, set_registration_settings, set_slot_capacity,
)
from cmrnet.exams.services.items import (  # noqa: F401
    create_item, export_items, import_items, retire_item, review_item, revise_item, submit_for_review,
)
from cmrnet.exams.services.results import (  # noqa: F401
    decide_appeal, decide_item, file_appeal, record_cut, release_results, save_angoff_ratings, save_hofstee,
    verify_results,
)

"""Certification writes: each a keyword-only function, atomic, audited (see the modules)."""

from cmrnet.certification.services.applications import (  # noqa: F401
    answer_info_request, file_appeal, name_supervisors, open_application, open_recertification, sign_declaration,
    submit, upload_document, withdraw,
)
from cmrnet.certification.services.certificates import (  # noqa: F401
    issue_certificate, revoke_for_misconduct, schedule_reminders, send_due_reminders,
)
from cmrnet.certification.services.office import (  # noqa: F401
    accept_into_grading, ask_for_information, assign_grader, chair_decide, confirm_decision, decide_appeal,
    override_cme_hours, record_grade, return_for_modification, set_chair,
)
from cmrnet.certification.services.special import (  # noqa: F401
    add_special_document, decide_special_request, open_special_request, submit_special_request,
)
from cmrnet.certification.services.requests import (  # noqa: F401
    decide_extension, decide_remote_supervision, draw_random_audit, record_audit_check, request_extension,
    request_remote_supervision, respond_as_remote_supervisor, write_request_message,
)

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from cmrnet.certification.states import IllegalTransition


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def one_message(lines: list[str]) -> str:
    """A refusal with several reasons as one message: its lead line, then one reason a line."""
    if len(lines) <= 1:
        return "".join(lines)
    head, rest = lines[0], lines[1:]
    if head.endswith(":"):
        return head + "\n" + "\n".join(f"– {line}" for line in rest)
    return "\n".join(lines)


def attempt(request, form, action, success: str) -> bool:
    """Run a service; its refusals (ValidationError, IllegalTransition) become form/page errors."""
    try:
        action()
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.error(request, one_message(exc.messages))
            if form is not None:
                form.add_error(None, exc.messages)
        return False
    except IllegalTransition as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True

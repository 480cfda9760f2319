"""One shape for pages that run a service (permission checked, form valid): the service's refusal
(`ValidationError`) becomes errors on the page's form, on the field it names when the form has it, or error
messages naming the field; success becomes a success message. The view then redirects or renders as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None


def problems(error: ValidationError) -> list[str]:
    """A refusal as sentences, each starting with the field it names ("trainee: ..."), if any."""
    found = getattr(error, "message_dict", None) or {"": error.messages}
    return [(f"{field.replace('_', ' ')}: " if field and field != "__all__" else "") + " ".join(texts)
            for field, texts in found.items()]


def form_problems(form) -> str:
    """An invalid form's errors in one sentence, field by field (for pages that redirect instead of re-rendering)."""
    return "; ".join(" ".join(errors) if name == "__all__" else f"{name.replace('_', ' ')}: {' '.join(errors)}"
                     for name, errors in form.errors.items())


def attempt(request, call: Callable[[], Any], *, success: str | Callable[[Any], str] | None = None, form=None) -> Outcome:
    """Run `call` (a service). Refused: the errors go onto `form` (the named field, else the form as a whole) or,
    without a form, into error messages; `Outcome(False)`. Done: `success` (text, or made from the result) as a
    success message; `Outcome(True, result)`."""
    try:
        value = call()
    except ValidationError as error:
        if form is None:
            for text in problems(error):
                messages.error(request, text)
        else:
            for field, texts in (getattr(error, "message_dict", None) or {None: error.messages}).items():
                form.add_error(field if field in form.fields else None, texts)
        return Outcome(False)
    if success:
        messages.success(request, success(value) if callable(success) else success)
    return Outcome(True, value)

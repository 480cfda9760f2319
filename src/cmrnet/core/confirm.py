"""A server-rendered confirmation step for actions that cannot be undone (withdraw, unregister, release...).

Works without JavaScript: the action's button posts to the action's URL as before; unless the post says
``confirmed=yes`` the view answers with a page naming what will happen and its consequence, with the
button that really does it (posting the same fields plus ``confirmed=yes``) and a way back. The view
checks permissions before asking, and says what was done (a message) after.

    @login_required
    @require_POST
    def withdraw(request, pk):
        app = selectors.get_application_for_user(request.user, pk)   # permission first
        if (ask := confirmation(request, title=f"Withdraw application #{app.pk}?", ...)) is not None:
            return ask
        services.withdraw(...)
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse
from django.shortcuts import render

CONFIRMED = "yes"


def confirmation(request, *, title: str, consequence: str, action_label: str, back: str,
                 keep: Sequence[str] = (), danger: bool = True) -> HttpResponse | None:
    """None when the request confirms the action; otherwise the confirmation page.

    title: the question ("Release the results of Autumn 2026?").
    consequence: what follows, in a sentence or two (shown prominently).
    action_label: the button that does it ("Release results").
    back: where "No, go back" leads (the page the action was started from).
    keep: names of posted fields carried to the confirming post (e.g. "remove", "reason").
    """
    if request.method == "POST" and request.POST.get("confirmed") == CONFIRMED:
        return None
    hidden = [(name, value) for name in keep for value in request.POST.getlist(name)]
    return render(request, "core/confirm.html", {
        "title": title, "consequence": consequence, "action_label": action_label, "back": back,
        "action": request.get_full_path(), "hidden": hidden, "danger": danger})

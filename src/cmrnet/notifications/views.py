from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cmrnet.notifications import selectors, services
from cmrnet.notifications.forms import PreferenceForm
from cmrnet.notifications.models import Delivery


@login_required
def notification_list(request):
    qs = selectors.notifications_for_user(request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    deliveries = services.deliveries_for(request.user)
    return render(request, "notifications/list.html", {
        "page": page, "unread": selectors.unread_count(request.user),
        "delivery_summary": delivery_summary(deliveries)})


def delivery_summary(deliveries: dict[str, str]) -> str:
    """'at once for 6 kinds, in the daily digest for 2 kinds' (the choices that are in use)."""
    parts = []
    for value, label in Delivery.choices:
        count = sum(1 for d in deliveries.values() if d == value)
        if count:
            parts.append(f"{label.lower()} for {count} kind{'s' if count != 1 else ''}")
    return ", ".join(parts)


@login_required
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read."""
    notification = selectors.get_notification_for_user(request.user, pk)
    services.mark_read(person=request.user, notification_ids=[notification.pk])
    if not url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect("notification-list")
    return redirect(notification.link)


@login_required
@require_POST
def notification_mark_all_read(request):
    count = services.mark_read(person=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notification-list")


@login_required
def preferences(request):
    form = PreferenceForm(request.POST or None, initial=services.deliveries_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_deliveries(by=request.user, person=request.user, choices=form.choices())
        except ValidationError as error:
            for kind, messages_ in error.message_dict.items():
                form.add_error(kind if kind in form.fields else None, messages_)
        else:
            messages.success(request, "Notification e-mails saved.")
            return redirect("notification-list")
    return render(request, "notifications/preferences.html", {"form": form})

"""Item bank pages (exam board; item writing is an exam-board capability)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cmrnet.audit.selectors import visible_entries
from cmrnet.exams import selectors, services
from cmrnet.exams.forms import ImportForm, ItemFilterForm, ItemForm, ReasonForm, ReviewForm
from cmrnet.exams.models import ItemStatistic, ItemStatus, ItemVersion, Topic


def require_board(user) -> None:
    if not selectors.is_board(user):
        raise PermissionDenied


@login_required
def item_list(request):
    require_board(request.user)
    form = ItemFilterForm(request.GET or None)
    items = selectors.items_for_user(request.user)
    if form.is_valid():
        if status := form.cleaned_data["status"]:
            items = items.filter(status=status)
        if topic := form.cleaned_data["topic"]:
            items = items.filter(current_version__topic=topic)
        if q := form.cleaned_data["q"]:
            items = items.filter(Q(code__icontains=q) | Q(current_version__stem__icontains=q))
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    counts = selectors.open_items_count()
    topics = [(t, selectors.items_for_user(request.user).filter(status=ItemStatus.APPROVED,
                                                                current_version__topic=t).count())
              for t in Topic.objects.all()]
    return render(request, "exams/item_list.html", {"form": form, "page": page, "counts": counts, "topics": topics,
                                                    "import_form": ImportForm()})


def _item_values(data: dict) -> dict:
    return {k: data[k] for k in ["topic", "stem", "option_a", "option_b", "option_c", "option_d", "option_e", "key",
                                 "explanation", "references"]}


@login_required
def item_create(request):
    require_board(request.user)
    form = ItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item(by=request.user, media=form.cleaned_data["media"],
                                        **_item_values(form.cleaned_data))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Item {item.code} created as a draft.")
            return redirect("exams-item", pk=item.pk)
    return render(request, "exams/item_form.html", {"form": form, "item": None})


@login_required
def item_edit(request, pk: int):
    require_board(request.user)
    item = selectors.get_item_for_user(request.user, pk)
    v = item.current_version
    initial = {"topic": v.topic, "stem": v.stem, "key": v.key, "explanation": v.explanation,
               "references": v.references, **{f"option_{c}": v.option(c) for c in "abcde"}}
    form = ItemForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.revise_item(by=request.user, item=item, media=form.cleaned_data["media"],
                                           note=form.cleaned_data["note"], **_item_values(form.cleaned_data))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Version {version.number} saved; the item is a draft again until reviewed.")
            return redirect("exams-item", pk=item.pk)
    return render(request, "exams/item_form.html", {"form": form, "item": item})


@login_required
def item_detail(request, pk: int):
    require_board(request.user)
    item = selectors.get_item_for_user(request.user, pk)
    versions = list(item.versions.select_related("topic", "created_by").order_by("-number"))
    history = visible_entries(request.user).filter(object_type="exams.item", object_id=str(item.pk))
    stats = ItemStatistic.objects.filter(version__item=item).select_related("sitting", "version", "form_item")
    return render(request, "exams/item_detail.html", {
        "item": item, "version": item.current_version, "versions": versions, "history": history, "stats": stats,
        "review_form": ReviewForm(), "retire_form": ReasonForm(),
        "can_review": item.status == ItemStatus.IN_REVIEW and request.user.pk not in
        {item.author_id, item.current_version.created_by_id},
    })


def _act(request, item, fn, ok: str):
    try:
        fn()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, ok)
    return redirect("exams-item", pk=item.pk)


@login_required
@require_POST
def item_submit(request, pk: int):
    require_board(request.user)
    item = selectors.get_item_for_user(request.user, pk)
    return _act(request, item, lambda: services.submit_for_review(by=request.user, item=item), "Sent for review.")


@login_required
@require_POST
def item_review(request, pk: int):
    require_board(request.user)
    item = selectors.get_item_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or return.")
        return redirect("exams-item", pk=item.pk)
    approve = form.cleaned_data["decision"] == "approve"
    return _act(request, item, lambda: services.review_item(by=request.user, item=item, approve=approve,
                                                            comment=form.cleaned_data["comment"]),
                "Approved." if approve else "Returned to the author.")


@login_required
@require_POST
def item_retire(request, pk: int):
    require_board(request.user)
    item = selectors.get_item_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(request, item, lambda: services.retire_item(by=request.user, item=item, reason=reason), "Retired.")


@login_required
def version_media(request, pk: int):
    require_board(request.user)
    version = get_object_or_404(ItemVersion, pk=pk)
    if not version.media:
        raise Http404("No media.")
    return FileResponse(version.media.open("rb"))


@login_required
def items_export(request):
    require_board(request.user)
    items = selectors.items_for_user(request.user)
    if status := request.GET.get("status"):
        items = items.filter(status=status)
    response = JsonResponse(services.export_items(items), json_dumps_params={"indent": 1, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="cmrnet-items.json"'
    return response


@login_required
@require_POST
def items_import(request):
    require_board(request.user)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to import.")
        return redirect("exams-items")
    try:
        payload = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
        done = services.import_items(by=request.user, payload=payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        messages.error(request, f"The file is not valid JSON: {exc}. Nothing was imported.")
    except ValidationError as exc:
        messages.error(request, f"{' '.join(exc.messages)} Nothing was imported.")
    else:
        messages.success(request, f"{len(done)} item(s) imported as drafts.")
    return redirect("exams-items")

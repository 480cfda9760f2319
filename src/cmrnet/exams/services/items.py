"""Item bank writes: items and their immutable versions, the review workflow, import/export.

The exam board manages the bank; "item writer" is a capability of the exam board role (no separate
global role yet): any board member may author; a reviewer must not be the item's author nor the
author of the version under review.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from cmrnet.audit.services import diff, record
from cmrnet.core.files import atomic_with_files
from cmrnet.exams.models import OPTION_LETTERS, Item, ItemStatus, ItemVersion, Topic

CONTENT_FIELDS = ["stem", "option_a", "option_b", "option_c", "option_d", "option_e", "key", "explanation",
                  "references"]
EXPORT_FORMAT = "cmrnet-exam-items/1"


def _content(version: ItemVersion | None) -> dict:
    if version is None:
        return {}
    out = {name: getattr(version, name) for name in CONTENT_FIELDS}
    out["topic"] = version.topic.code
    out["media"] = version.media.name or ""
    return out


def _validate(values: dict) -> None:
    errors = {}
    for name in ["stem", "option_a", "option_b", "option_c", "option_d", "option_e"]:
        if not str(values.get(name) or "").strip():
            errors[name] = "This field is required."
    key = str(values.get("key") or "").upper()
    if len(key) != 1 or key not in OPTION_LETTERS:
        errors["key"] = "The key must be one of A, B, C, D, E."
    texts = [str(values.get(f"option_{c.lower()}") or "").strip().lower() for c in OPTION_LETTERS]
    if all(texts) and len(set(texts)) < 5:
        errors["option_e"] = "The five options must differ."
    if errors:
        raise ValidationError(errors)


def _new_version(*, by, item: Item, topic: Topic, values: dict, media=None, note: str = "") -> ItemVersion:
    _validate(values)
    last = item.versions.order_by("-number").first()
    version = ItemVersion(item=item, number=(last.number + 1) if last else 1, topic=topic, created_by=by, note=note,
                          **{name: (values.get(name) or "") for name in CONTENT_FIELDS})
    version.key = version.key.upper()
    if media:
        version.media = media
    elif last is not None and last.media:
        version.media.name = last.media.name  # the same file, unchanged
    version.save()
    item.current_version = version
    return version


def _next_code() -> str:
    n = Item.objects.count() + 1
    while Item.objects.filter(code=f"CMR-{n:04d}").exists():
        n += 1
    return f"CMR-{n:04d}"


@atomic_with_files
def create_item(*, by, topic: Topic, code: str = "", media=None, **values) -> Item:
    code = code.strip() or _next_code()
    if Item.objects.filter(code=code).exists():
        raise ValidationError({"code": f"An item with code {code} already exists."})
    item = Item.objects.create(code=code, author=by, status=ItemStatus.DRAFT)
    version = _new_version(by=by, item=item, topic=topic, values=values, media=media, note="created")
    item.save(update_fields=["current_version"])
    record(actor=by, action="exam_item.created", obj=item, changes=diff({}, _content(version)),
           data={"version": version.number})
    return item


@atomic_with_files
def revise_item(*, by, item: Item, topic: Topic, media=None, note: str = "", **values) -> ItemVersion:
    """A new immutable version. An approved or in-review item goes back to draft for review."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.status == ItemStatus.RETIRED:
        raise ValidationError("A retired item cannot be revised.")
    before = _content(item.current_version)
    version = _new_version(by=by, item=item, topic=topic, values=values, media=media, note=note)
    old_status = item.status
    item.status, item.reviewer = ItemStatus.DRAFT, None
    item.save(update_fields=["current_version", "status", "reviewer"])
    changes = diff(before, _content(version))
    if old_status != ItemStatus.DRAFT:
        changes["status"] = [old_status, ItemStatus.DRAFT]
    record(actor=by, action="exam_item.revised", obj=item, changes=changes,
           data={"version": version.number, "note": note})
    return version


def _transition(*, by, item: Item, to: str, action: str, allowed_from: tuple, data: dict | None = None) -> Item:
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.status not in allowed_from:
        raise ValidationError(f"An item that is {item.get_status_display().lower()} cannot be "
                              f"moved to {ItemStatus(to).label.lower()}.")
    old = item.status
    item.status = to
    item.save(update_fields=["status", "reviewer"])
    record(actor=by, action=action, obj=item, changes={"status": [old, to]},
           data={"version": item.current_version.number, **(data or {})})
    return item


@transaction.atomic
def submit_for_review(*, by, item: Item) -> Item:
    return _transition(by=by, item=item, to=ItemStatus.IN_REVIEW, action="exam_item.submitted",
                       allowed_from=(ItemStatus.DRAFT,))


@transaction.atomic
def review_item(*, by, item: Item, approve: bool, comment: str = "") -> Item:
    """The reviewer approves the version under review, or returns the item to draft with a comment."""
    current = Item.objects.select_related("current_version").get(pk=item.pk)
    if by.pk in {current.author_id, current.current_version.created_by_id}:
        raise ValidationError("The reviewer must not be the item's author.")
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Say what needs changing when returning an item."})
    item = _transition(by=by, item=current, to=ItemStatus.APPROVED if approve else ItemStatus.DRAFT,
                       action="exam_item.approved" if approve else "exam_item.returned",
                       allowed_from=(ItemStatus.IN_REVIEW,), data={"comment": comment})
    item.reviewer = by
    item.save(update_fields=["reviewer"])
    return item


@transaction.atomic
def retire_item(*, by, item: Item, reason: str) -> Item:
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for retiring the item."})
    return _transition(by=by, item=item, to=ItemStatus.RETIRED, action="exam_item.retired",
                       allowed_from=(ItemStatus.DRAFT, ItemStatus.IN_REVIEW, ItemStatus.APPROVED),
                       data={"reason": reason})


def export_items(items) -> dict:
    """The documented exchange format (docs/exams.md): the current version of each item."""
    rows = []
    for item in items.select_related("current_version__topic"):
        v = item.current_version
        rows.append({"code": item.code, "status": item.status, "version": v.number, "topic": v.topic.code,
                     "stem": v.stem, "options": {c: v.option(c) for c in OPTION_LETTERS}, "key": v.key,
                     "explanation": v.explanation, "references": v.references})
    return {"format": EXPORT_FORMAT, "items": rows}


def _row_values(row, n: int) -> tuple[dict, Topic]:
    if not isinstance(row, dict):
        raise ValidationError(f"item {n}: expected an object")
    topic = Topic.objects.filter(code=row.get("topic")).first()
    if topic is None:
        codes = ", ".join(Topic.objects.values_list("code", flat=True))
        raise ValidationError(f"item {n}, field 'topic': unknown topic {row.get('topic')!r} (one of {codes})")
    options = row.get("options")
    if not isinstance(options, dict) or sorted(options) != list(OPTION_LETTERS):
        raise ValidationError(f"item {n}, field 'options': give exactly the five options A-E")
    values = {f"option_{c.lower()}": str(options[c]) for c in OPTION_LETTERS}
    values.update({k: str(row.get(k) or "") for k in ["stem", "key", "explanation", "references"]})
    return values, topic


@transaction.atomic
def import_items(*, by, payload: dict) -> list[Item]:
    """Create (new code) or revise (existing code) items; all or nothing, errors name the item and field."""
    if not isinstance(payload, dict) or payload.get("format") != EXPORT_FORMAT:
        raise ValidationError(f"The file is not in the {EXPORT_FORMAT} format (see docs/exams.md).")
    rows = payload.get("items")
    if not isinstance(rows, list) or not rows:
        raise ValidationError("The file holds no items.")
    done = []
    for n, row in enumerate(rows, start=1):
        values, topic = _row_values(row, n)
        code = str(row.get("code") or "").strip()
        try:
            existing = Item.objects.filter(code=code).first() if code else None
            if existing is None:
                done.append(create_item(by=by, topic=topic, code=code, **values))
            else:
                revise_item(by=by, item=existing, topic=topic, note="imported", **values)
                done.append(existing)
        except ValidationError as exc:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()) \
                if hasattr(exc, "error_dict") else " ".join(exc.messages)
            raise ValidationError(f"item {n} ({code or 'new'}): {detail}") from None
    record(actor=by, action="exam_item.imported", object_type="exams.item", object_repr=f"{len(done)} items",
           data={"codes": [i.code for i in done]})
    return done

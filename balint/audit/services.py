"""Writing the audit log. Call `record` inside the transaction of the change it records, so the
change and its entry are stored together or not at all."""

from django.db import models

from balint.audit.models import Area, AuditEvent

SUMMARY_LENGTH = AuditEvent._meta.get_field("summary").max_length
WHERE_LENGTH = AuditEvent._meta.get_field("where").max_length


def record(
    *,
    actor,
    area: Area,
    action: str,
    summary: str,
    where: object = "",
    target: models.Model | None = None,
) -> AuditEvent:
    """Store one entry. `actor` is the signed-in person (None for the system); `where` is the
    group or programme (its str() is stored); `target` is the row the action changed."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        area=area,
        action=action,
        summary=_fit(summary, SUMMARY_LENGTH),
        where=_fit(str(where), WHERE_LENGTH),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=target.pk if target is not None else None,
    )


def record_in_group(on: models.Model, *, by, area: Area, action: str, summary: str) -> AuditEvent:
    """`record` a change to a group or to one of its rows (a membership, leader, invitation,
    meeting or schedule): `on` is the row changed, and the entry's place is its group."""
    group = getattr(on, "group", on)
    return record(actor=by, area=area, action=action, summary=summary, where=group, target=on)


def _fit(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"

"""Who groups are for (professions and stages): staff add, rename, reorder and retire entries
in the site. A retired entry stays on the groups that have it and leaves the finder's list."""

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from balint.audit import services as audit
from balint.errors import DomainError
from groups.models import Audience


class AudienceError(DomainError):
    pass


def _check_name_free(name: str, *, but: Audience | None = None) -> None:
    taken = Audience.objects.filter(name__iexact=name)
    if but is not None:
        taken = taken.exclude(pk=but.pk)
    if taken.exists():
        raise AudienceError(f"“{name}” is already on the list.")


def _record(audience: Audience, *, by, action: str, summary: str) -> None:
    audit.record(actor=by, area=audit.Area.ROSTER, action=action, summary=summary, target=audience)


@transaction.atomic
def add_audience(*, name: str, by) -> Audience:
    """Add an entry at the end of the list. AudienceError if the name is taken."""
    _check_name_free(name)
    base = slugify(name)[:34] or "audience"
    slug, n = base, 1
    while Audience.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    last = Audience.objects.aggregate(last=Max("position"))["last"]
    audience = Audience.objects.create(
        name=name, slug=slug, position=0 if last is None else last + 1
    )
    _record(audience, by=by, action="audience.add", summary=f"Added “{name}” to who groups are for")
    return audience


@transaction.atomic
def rename_audience(*, audience: Audience, name: str, by) -> Audience:
    """Rename an entry (its web address in finder links stays). AudienceError if taken."""
    _check_name_free(name, but=audience)
    old = audience.name
    audience.name = name
    audience.save(update_fields=["name"])
    _record(audience, by=by, action="audience.rename", summary=f"Renamed “{old}” to “{name}”")
    return audience


@transaction.atomic
def move_audience(*, audience: Audience, up: bool, by) -> None:
    """Swap an entry with its neighbour above or below; nothing at either end of the list."""
    ordered = list(Audience.objects.select_for_update().order_by("position", "name"))
    index = next(i for i, entry in enumerate(ordered) if entry.pk == audience.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Renumber the whole list: older rows may share a position.
    for position, entry in enumerate(ordered):
        if entry.position != position:
            entry.position = position
            entry.save(update_fields=["position"])
    _record(
        audience,
        by=by,
        action="audience.move",
        summary=f"Moved “{audience.name}” {'up' if up else 'down'} the list",
    )


@transaction.atomic
def set_audience_retired(*, audience: Audience, retired: bool, by) -> Audience:
    """Retire an entry (no longer offered) or bring it back."""
    audience.retired = retired
    audience.save(update_fields=["retired"])
    word = "Retired" if retired else "Brought back"
    _record(audience, by=by, action="audience.retire", summary=f"{word} “{audience.name}”")
    return audience

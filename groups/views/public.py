"""The public pages: the group finder and a group's own page."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from balint.page_cache import kept_page, kept_until
from groups.access import GroupAccess, access_group, group_access, with_roles
from groups.agreements.services import current_agreement, has_accepted
from groups.composition import page_parts
from groups.finder_zones import viewer_zone, zones_within
from groups.forms import FinderForm, JoinRequestForm
from groups.models import BalintGroup, Leadership, MembershipStatus
from groups.services import waitlist_position
from groups.views.common import groups_for_display
from members.timezones import next_midnight

PAGE_SIZE = 12


def _filtered(groups: QuerySet[BalintGroup], filters: dict) -> QuerySet[BalintGroup]:
    if filters.get("format"):
        groups = groups.filter(format=filters["format"])
    if filters.get("audience"):
        groups = groups.filter(audiences=filters["audience"])
    if filters.get("country"):
        groups = groups.filter(country=filters["country"])
    if filters.get("region"):
        groups = groups.filter(region=filters["region"])
    if filters.get("hours") is not None and filters.get("zone"):
        groups = groups.filter(time_zone__in=zones_within(filters["hours"], filters["zone"]))
    if query := filters.get("q", "").strip():
        # Exists, not a join, so a group with two matching leaders is listed once.
        led_by_match = Leadership.objects.filter(
            group=OuterRef("pk"), person__display_name__icontains=query
        )
        groups = groups.filter(
            Q(name__icontains=query)
            | Q(description__icontains=query)
            | Q(town__icontains=query)
            | Exists(led_by_match)
        )
    return groups


@require_GET
@kept_page
def finder(request: HttpRequest) -> HttpResponse:
    form = FinderForm(request.GET)
    form.is_valid()  # Invalid filters are shown as errors and left out; the rest still apply.
    filters = form.cleaned_data | {
        "zone": viewer_zone(request.user, form.cleaned_data.get("my_zone", ""))
    }
    groups = _filtered(with_roles(groups_for_display().listed(), request.user), filters)
    paginator = Paginator(groups, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    cards = [group_access(group, request.user) for group in page.object_list]
    shown = [card.group for card in cards]
    context = {
        "form": form,
        "page": page,
        "page_numbers": paginator.get_elided_page_range(page.number, on_each_side=2),
        "ellipsis": Paginator.ELLIPSIS,
        "cards": cards,
        "filtered": any(
            form.cleaned_data.get(name) not in (None, "")
            for name in form.fields
            if name != "my_zone"
        ),
    }
    context |= page_parts(shown, request.user)
    if filters.get("hours") is None:  # Time differences change at summer-time switches.
        kept_until(request, _changes_at(shown, context["parts_change_at"]))
    return render(request, "groups/finder.html", context)


def _changes_at(groups: list[BalintGroup], parts_change_at: datetime | None) -> datetime:
    """When the clock next changes the finder's page or a group page, as long as no table it
    read changes. They read it in three ways: the places a group holds are counted on the
    viewer's day (`with_places_taken`); a block's trainee is a member (sees the room and the
    link, is expected at meetings) on their group's days (`group_access`); and the layers
    above's parts (`parts_change_at`: a meeting shown starting or ending)."""
    now = timezone.now()
    zones = {timezone.get_current_timezone(), *(ZoneInfo(group.time_zone) for group in groups)}
    midnights = [next_midnight(zone, now) for zone in zones]
    return min([*midnights, parts_change_at]) if parts_change_at else min(midnights)


@require_GET
@kept_page
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_group(request.user, slug, queryset=groups_for_display())
    context = detail_context(request, access)
    kept_until(request, _changes_at([access.group], context["parts_change_at"]))
    return render(request, "groups/detail.html", context)


def detail_context(
    request: HttpRequest, access: GroupAccess, *, join_form: JoinRequestForm | None = None
) -> dict:
    group = access.group
    roster = None
    if access.can_see_roster:
        roster = (
            group.memberships.filter(status=MembershipStatus.ACTIVE)
            .select_related("person")
            .order_by("person__display_name")
        )
    mine = None
    if access.membership_status:
        mine = group.memberships.get(person=request.user, status=access.membership_status)
    context = {
        "group": group,
        "access": access,
        "roster": roster,
        "my_membership": mine,
        "waitlist_position": (
            waitlist_position(mine) if mine and mine.status == MembershipStatus.WAITLISTED else None
        ),
        "join_form": join_form or JoinRequestForm(),
        # Members accept the group's agreement before they see the room and the link.
        "must_accept_agreement": (
            access.is_member
            and not access.is_leader
            and not has_accepted(current_agreement(group), request.user)
        ),
    }
    return context | page_parts([group], request.user, group_page=True)

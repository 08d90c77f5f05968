import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone

from groups import places
from members.models import AddressInvitation, Programme
from members.timezones import DEFAULT_TIME_ZONE, time_zone_choices, validate_time_zone

MIN_CAPACITY, MAX_CAPACITY = 3, 16
MAX_TASTER_SEATS = 6


class Audience(models.Model):
    """Who a group is for, by profession or stage: GPs, physicians, nurse practitioners,
    psychologists, medical students... Staff keep the list in the site (groups/audiences.py)."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    # A retired entry stays on the groups that have it but is no longer offered.
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Format(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "Hybrid"


class Region(models.TextChoices):
    """The UK's regions (kept for the code that names them; groups/places.py has every
    country's)."""

    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
    NORTH_EAST = "north_east", "North East England"
    NORTH_WEST = "north_west", "North West England"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    MIDLANDS = "midlands", "Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East England"
    SOUTH_WEST = "south_west", "South West England"


class GroupStatus(models.TextChoices):
    FORMING = "forming", "Forming"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


class Listing(models.TextChoices):
    """Who can find a group (the leaders choose; groups/start_models.py has the rest of it)."""

    LISTED = "listed", "Listed: anyone can find it in the group finder"
    UNLISTED = "unlisted", "Unlisted: only people with its link or an invitation can find it"
    CLOSED = "closed", "Closed to newcomers: listed, but it takes no requests or tasters"


class BalintGroupQuerySet(models.QuerySet):
    def listed(self) -> "BalintGroupQuerySet":
        """Groups the public may see: every group that has not ended and is not unlisted. Every
        public list and count starts here."""
        return self.exclude(status=GroupStatus.CLOSED).exclude(listing=Listing.UNLISTED)

    def with_places_taken(self) -> "BalintGroupQuerySet":
        """Annotate how many places are held (active members and open offers)."""
        # A subquery, not a join: it combines with any filter without multiplying rows.
        held = (
            Membership.objects.filter(group=OuterRef("pk"))
            .holding_place_on(timezone.localdate())
            .order_by()
            .values("group")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(places_taken_count=Coalesce(Subquery(held), 0))


class BalintGroup(models.Model):
    """A small, closed, confidential group of clinicians that meets regularly."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(
        max_length=1000,
        blank=True,
        help_text="A short public description: who the group is for and how it runs.",
    )
    audiences = models.ManyToManyField(Audience, related_name="groups", blank=True)
    format = models.CharField(max_length=16, choices=Format, default=Format.IN_PERSON)
    town = models.CharField(
        max_length=100, blank=True, help_text="Town or area, e.g. “Cotham, Bristol” (public)."
    )
    country = models.CharField(
        max_length=2, choices=places.COUNTRIES, default=places.DEFAULT_COUNTRY
    )
    # One of the country's regions (groups/places.py), checked by the forms; blank if none.
    region = models.CharField(max_length=32, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        choices=time_zone_choices,
        validators=[validate_time_zone],
    )
    capacity = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(MIN_CAPACITY), MaxValueValidator(MAX_CAPACITY)],
        help_text="Members, not counting leaders. Balint groups work best with 6–12 people.",
    )
    taster_seats = models.PositiveSmallIntegerField(
        "taster seats per meeting",
        default=2,
        validators=[MaxValueValidator(MAX_TASTER_SEATS)],
        help_text="How many newcomers may taste one meeting; 0 means no tasters.",
    )
    accepting_members = models.BooleanField(default=True)
    listing = models.CharField(
        "who can find the group", max_length=16, choices=Listing, default=Listing.LISTED
    )
    status = models.CharField(max_length=16, choices=GroupStatus, default=GroupStatus.ACTIVE)
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="groups"
    )
    # Private details: shown only to members, leaders and booked tasters.
    room = models.CharField(
        "room and address",
        max_length=300,
        blank=True,
        help_text="Private: shown only to attendees.",
    )
    meeting_link = models.URLField(
        "online meeting link",
        max_length=500,
        blank=True,
        help_text="Private: shown only to attendees.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BalintGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=MIN_CAPACITY) & Q(capacity__lte=MAX_CAPACITY),
                name="group_capacity_in_range",
            ),
            models.CheckConstraint(
                condition=Q(taster_seats__lte=MAX_TASTER_SEATS), name="group_taster_seats_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", kwargs={"slug": self.slug})

    @property
    def places_taken(self) -> int:
        """Places held today (active members and open offers, not counting a block that has
        ended or not begun); from `with_places_taken()` when annotated."""
        annotated = getattr(self, "places_taken_count", None)
        if annotated is not None:
            return annotated
        return self.memberships.holding_place_on(timezone.localdate()).count()

    @property
    def places_free(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_taken >= self.capacity

    @property
    def is_open_to_requests(self) -> bool:
        return (
            self.accepting_members
            and self.status != GroupStatus.CLOSED
            and self.listing != Listing.CLOSED
        )

    @property
    def is_unlisted(self) -> bool:
        return self.listing == Listing.UNLISTED

    @property
    def is_closed_to_newcomers(self) -> bool:
        return self.listing == Listing.CLOSED

    def get_region_display(self) -> str:
        return places.region_name(self.region)

    @property
    def where(self) -> str:
        """Town, region and country in words, e.g. "Columbus, Ohio, United States" (public)."""
        parts = [self.town, self.get_region_display(), places.country_name(self.country)]
        return ", ".join(part for part in parts if part)

    @property
    def place(self) -> str:
        """Format and place in words, e.g. "In person · Cotham, Bristol" (public); outside
        the UK with the country, e.g. "Online · United States"."""
        where = self.town or self.get_region_display()
        abroad = "" if self.country == places.DEFAULT_COUNTRY else places.country_name(self.country)
        if self.format == Format.ONLINE or not where:
            where = abroad
        elif abroad:
            where = f"{where}, {abroad}"
        if not where:
            return self.get_format_display()
        return f"{self.get_format_display()} · {where}"


class LeaderRole(models.TextChoices):
    LEADER = "leader", "Leader"
    CO_LEADER = "co_leader", "Co-leader"


class Leadership(models.Model):
    group = models.ForeignKey(BalintGroup, on_delete=models.CASCADE, related_name="leaderships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leaderships"
    )
    role = models.CharField(max_length=16, choices=LeaderRole, default=LeaderRole.LEADER)
    since = models.DateField(auto_now_add=True)

    class Meta:
        # Leaders before co-leaders (alphabetical order of the role values would put them last).
        ordering = [
            Case(When(role=LeaderRole.LEADER, then=Value(0)), default=Value(1)),
            "person__display_name",
        ]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="one_leadership_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}, {self.group})"


class MembershipStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    WAITLISTED = "waitlisted", "On the waitlist"
    OFFERED = "offered", "Offered a place"
    ACTIVE = "active", "Member"
    DECLINED = "declined", "Declined"
    LEFT = "left", "Left"
    REMOVED = "removed", "Removed"


# A person has at most one membership in one of these states per group.
CURRENT_STATUSES = [
    MembershipStatus.REQUESTED,
    MembershipStatus.WAITLISTED,
    MembershipStatus.OFFERED,
    MembershipStatus.ACTIVE,
]
# These hold a place: their count never exceeds the group's capacity.
PLACE_HOLDING_STATUSES = [MembershipStatus.ACTIVE, MembershipStatus.OFFERED]


class MembershipQuerySet(models.QuerySet):
    def holding_place_on(self, day: datetime.date) -> "MembershipQuerySet":
        """Memberships that hold a place on `day`: active or offered, and within their block's
        dates if they have any. A block that has ended frees its place at once, even before the
        scan (groups.services.blocks) has written its end."""
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=day),
            Q(until__isnull=True) | Q(until__gte=day),
            status__in=PLACE_HOLDING_STATUSES,
        )


class Membership(models.Model):
    """One spell of a person's relationship with a group, from request to leaving."""

    group = models.ForeignKey(BalintGroup, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(max_length=16, choices=MembershipStatus)
    note = models.CharField(
        "note to the leaders",
        max_length=300,
        blank=True,
        help_text="Optional: a line about yourself. Please do not include patient details.",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The day membership ended as the leaders record it (a removal may be back-dated), so that
    # the meetings layer knows whom to expect at past meetings.
    ended_on = models.DateField(null=True, blank=True)
    # A block's membership (a cohort placed for its dates): it holds a place from `starts_on`
    # to `until` (inclusive) and ends by itself after `until`. Both empty: open-ended.
    starts_on = models.DateField("first day of the block", null=True, blank=True)
    until = models.DateField("last day of the block", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(status__in=CURRENT_STATUSES),
                name="one_current_membership_per_person",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(until__gte=F("starts_on")),
                name="membership_block_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["group", "status"]), models.Index(fields=["until"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.group}: {self.get_status_display()}"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    @property
    def offer_lapses_at(self) -> datetime.datetime | None:
        """When an offered place passes to the next person if not accepted
        (WAITLIST_OFFER_DAYS; groups.services.expire_offers)."""
        if self.status != MembershipStatus.OFFERED or self.offered_at is None:
            return None
        return self.offered_at + datetime.timedelta(days=settings.WAITLIST_OFFER_DAYS)


class MembershipEvent(models.Model):
    """The history of a membership: each change of status, when and by whom."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=MembershipStatus)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.status} at {self.at:%Y-%m-%d %H:%M}"


class PendingMembershipInvite(AddressInvitation):
    """A leader added an address that has no account yet: it joins the group on sign-up."""

    group = models.ForeignKey(BalintGroup, on_delete=models.CASCADE, related_name="invites")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "group",
                Lower("email"),
                condition=Q(accepted_at__isnull=True),
                name="one_pending_invite_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.group}"


# Proposals, leaders invited by address and messages to leaders.
from groups.start_models import GroupProposal, LeaderContact, LeaderInvite  # noqa: E402, F401

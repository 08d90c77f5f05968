from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from members.email_domains import address_in_domains, parse_domains, validate_domain_list
from members.names import validate_display_name
from members.timezones import DEFAULT_TIME_ZONE, time_zone_choices, validate_time_zone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)


class Accreditation(models.TextChoices):
    NONE = "none", "Not accredited"
    PATHWAY = "pathway", "On the accreditation pathway"
    ACCREDITED = "accredited", "Accredited Balint leader"


class ReminderChoice(models.TextChoices):
    DAY_BEFORE = "24h", "24 hours before"
    TWO_HOURS = "2h", "2 hours before"
    BOTH = "both", "Both: 24 hours and 2 hours before"
    NONE = "none", "No reminders"


class User(AbstractBaseUser, PermissionsMixin):
    """A person: trainee, member, leader, programme admin or staff. Email is the login."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=100,
        validators=[validate_display_name],
        help_text="How other members and leaders see you, e.g. “Dr Sam Patel”.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        choices=time_zone_choices,
        validators=[validate_time_zone],
        help_text="Meeting times are shown to you in this time zone.",
    )
    accreditation = models.CharField(
        "Balint leader accreditation",
        max_length=16,
        choices=Accreditation,
        default=Accreditation.NONE,
    )
    reminders = models.CharField(
        "meeting reminders",
        max_length=8,
        choices=ReminderChoice,
        default=ReminderChoice.DAY_BEFORE,
        help_text="When to email you before each of your meetings.",
    )
    # The calendar feed's token, kept only as a SHA-256 hash (sessions/calendar/tokens.py).
    calendar_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    is_staff = models.BooleanField(default=False)
    may_create_groups = models.BooleanField(
        "may create groups directly",
        default=False,
        help_text="Set by staff: their groups start at once, without waiting for approval.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def reminder_hours(self) -> list[int]:
        """How many hours before a meeting this person wants a reminder."""
        return {"24h": [24], "2h": [2], "both": [24, 2], "none": []}[self.reminders]

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Programme(models.Model):
    """A training scheme, school or rotation that runs groups for cohorts of trainees.

    The programme itself (its name and its admins) lives here, in the people layer, while its
    cohorts, enrolments, placements and attendance rules live in `sessions.programmes`: a group
    belongs to a programme (`BalintGroup.programme`) and every page asks "is this person an admin
    of the group's programme", so the groups layer must be able to import it.
    """

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    admins = models.ManyToManyField(User, related_name="administered_programmes", blank=True)
    allowed_email_domains = models.CharField(
        "trainees' email domains",
        max_length=500,
        blank=True,
        validators=[validate_domain_list],
        help_text="Trainees must use an address at one of these domains or their subdomains, "
        "e.g. “nhs.net, nhs.uk”, separated by commas. Leave empty to accept any address.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def trainee_domains(self) -> list[str]:
        return parse_domains(self.allowed_email_domains)

    def accepts_trainee_address(self, email: str) -> bool:
        """Whether a trainee may join this programme's cohorts with `email`."""
        return address_in_domains(email, self.trainee_domains)


class AddressInvitation(models.Model):
    """An email address invited to something before it has an account: taken up (accepted_at)
    when someone signs up with it and verifies it. One open invitation per address and target,
    by a constraint in each subclass."""

    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class ProgrammeAdminInvitation(AddressInvitation):
    """Staff appointed an address with no account yet as a programme's admin: it becomes one
    when someone signs up with it and proves they own it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="admin_invitations"
    )

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                "programme",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="one_open_admin_invitation_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to administer {self.programme}"

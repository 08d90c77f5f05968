"""How groups start and how people reach their leaders: a proposed group waiting for
staff, a leader invited by an address that has no account yet, and a message to a group's leaders.

Imported at the end of groups/models.py, so these are models of the `groups` app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from groups.models import BalintGroup, LeaderRole, Leadership
from members.models import AddressInvitation


class ProposalState(models.TextChoices):
    PENDING = "pending", "Waiting for staff"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class GroupProposal(models.Model):
    """A signed-in person asks staff to start a group that they will lead. Nothing of it is
    public until staff approve it and the group is created from `fields`."""

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_proposals"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    # The group form's cleaned values (audiences and programme as ids), as the proposer sent them.
    fields = models.JSONField(default=dict)
    co_leader_emails = models.JSONField(default=list, blank=True)
    co_leader_role = models.CharField(max_length=16, choices=LeaderRole, default=LeaderRole.LEADER)
    state = models.CharField(max_length=16, choices=ProposalState, default=ProposalState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(max_length=1000, blank=True)
    group = models.ForeignKey(
        BalintGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} (proposed by {self.proposer}, {self.get_state_display().lower()})"

    def shown(self, name: str) -> str:
        """A proposed value as the group's page would show it (a choice's label)."""
        value = self.fields.get(name, "")
        choices = dict(BalintGroup._meta.get_field(name).flatchoices)
        return str(choices.get(value, value))

    @property
    def format_shown(self) -> str:
        return self.shown("format")

    @property
    def listing_shown(self) -> str:
        return self.shown("listing")


class LeaderInvite(AddressInvitation):
    """An address invited to lead a group before it has an account: it becomes a leader (with
    `role`) when someone signs up with it and proves it."""

    group = models.ForeignKey(BalintGroup, on_delete=models.CASCADE, related_name="leader_invites")
    role = models.CharField(max_length=16, choices=LeaderRole, default=LeaderRole.LEADER)
    leadership = models.ForeignKey(
        Leadership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "group",
                Lower("email"),
                condition=Q(accepted_at__isnull=True),
                name="one_pending_leader_invite_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} invited to lead {self.group}"


class LeaderContact(models.Model):
    """A message to a group's leaders from its page. From a signed-in person it goes at once;
    from an address alone it waits until the sender follows the link emailed to it (only the
    link's hash is kept). The rows also count towards the rate limits."""

    group = models.ForeignKey(BalintGroup, on_delete=models.CASCADE, related_name="contacts")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sender_name = models.CharField(max_length=100)
    sender_email = models.EmailField()
    message = models.TextField(max_length=2000)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sender_email", "created_at"])]

    def __str__(self) -> str:
        return f"Message to the leaders of {self.group} from {self.sender_email}"

"""Factories for the tests: small, valid objects with sensible defaults."""

import time

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from groups.models import (
    Audience,
    BalintGroup,
    LeaderRole,
    Leadership,
    Membership,
    MembershipStatus,
)
from members.models import Programme, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Dr Person {n}")
    time_zone = "Europe/London"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Users can sign in at once unless built with `verified=False`."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Training programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")

    @factory.post_generation
    def admins(self, create, extracted, **kwargs):
        if create and extracted:
            self.admins.add(*extracted)


class BalintGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BalintGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Balint group {n}")
    slug = factory.Sequence(lambda n: f"balint-group-{n}")
    description = "A monthly group for GPs."
    town = "Bristol"
    region = "south_west"
    room = "Room 3, Cotham Health Centre"
    meeting_link = "https://meet.example.org/secret-room"

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create:
            self.audiences.set(Audience.objects.filter(slug__in=extracted or ["gps"]))


class LeadershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leadership

    group = factory.SubFactory(BalintGroupFactory)
    person = factory.SubFactory(UserFactory)
    role = LeaderRole.LEADER


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(BalintGroupFactory)
    person = factory.SubFactory(UserFactory)
    status = MembershipStatus.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


# The tests' authenticator-app secret (base32), so a test can work out the current code.
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app with `secret` shows now."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_totp(user, secret: str = TOTP_SECRET):
    """Give `user` an authenticator app (TOTP) with a known secret, as staff and programme admins
    have once they have signed in; returns the user."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )
    return user

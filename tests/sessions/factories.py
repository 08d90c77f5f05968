"""Factories for meetings: a meeting an hour and a half long, a week from now by default."""

from datetime import timedelta

import factory
from django.utils import timezone

from sessions.meetings.models import Meeting
from tests.factories import BalintGroupFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(BalintGroupFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda meeting: meeting.starts_at + timedelta(minutes=90))

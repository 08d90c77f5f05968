import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from balint.errors import DomainError
from balint.views import show_refusal
from groups.services import GroupError
from sessions.meetings.services import MeetingError
from sessions.programmes.cohorts import CohortError
from sessions.programmes.placement import PlacementError
from sessions.reports.feedback import FeedbackError
from sessions.site.account_closing import AccountError
from sessions.tasters.invitations import TasterError

ALL_ERRORS = [
    GroupError,
    MeetingError,
    TasterError,
    CohortError,
    PlacementError,
    FeedbackError,
    AccountError,
]


@pytest.mark.parametrize("error_class", ALL_ERRORS)
def test_every_domain_error_carries_its_message_for_people(error_class):
    error = error_class("This meeting is cancelled.")
    assert isinstance(error, DomainError)
    assert error.message == "This meeting is cancelled."
    assert str(error) == "This meeting is cancelled."


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_refusal_without_a_form_becomes_an_error_message():
    request = _request()
    show_refusal(request, MeetingError("Too late to send apologies."))
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "Too late to send apologies.")
    ]


class _NameForm(forms.Form):
    name = forms.CharField()


def test_a_refusal_on_a_shown_form_becomes_the_forms_error_and_not_a_message():
    request = _request()
    form = _NameForm({"name": "Spring"})
    assert form.is_valid()
    show_refusal(request, CohortError("The name is taken."), form=form, field="name")
    assert form.errors == {"name": ["The name is taken."]}
    assert list(get_messages(request)) == []

"""Checking the signed-in person's current password outside sign-in (closing the account, for
one), with a limit on tries: someone who finds a session open must not be able to guess the
password behind it, which may open other sites too.

Sign-in, reauthentication and changing the password have allauth's own limits
(ACCOUNT_RATE_LIMITS); every other check goes through `check_current_password`, which counts
each try, right or wrong, against ACCOUNT_RATE_LIMITS["check_password"], per person and shared
by every web process through the cache."""

from allauth.core import ratelimit
from django import forms
from django.http import HttpRequest

RATE_LIMIT_ACTION = "check_password"
TOO_MANY_TRIES = (
    "Too many tries with the wrong password. For your safety, please wait 15 minutes and try again."
)
NOT_THEIR_PASSWORD = "That password is not right."  # noqa: S105 - a message, not a secret


def check_current_password(request: HttpRequest, password: str) -> None:
    """Raise forms.ValidationError if `password` is not the signed-in person's, or if they have
    used up their tries (without checking the password then)."""
    if not ratelimit.consume(request, action=RATE_LIMIT_ACTION, user=request.user):
        raise forms.ValidationError(TOO_MANY_TRIES, code="too_many_tries")
    if not request.user.check_password(password):
        raise forms.ValidationError(NOT_THEIR_PASSWORD, code="wrong_password")

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from balint.errors import DomainError


def show_refusal(
    request: HttpRequest,
    error: DomainError,
    *,
    form: forms.Form | None = None,
    field: str | None = None,
) -> None:
    """Show a rule's refusal the one way every page does: on the form when the page shows one
    again, else as an error message that survives the redirect."""
    if form is not None:
        form.add_error(field, error.message)
    else:
        messages.error(request, error.message)


@require_GET
def home(request):
    return render(request, "home.html")


@require_GET
def about(request):
    return render(request, "about.html")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)

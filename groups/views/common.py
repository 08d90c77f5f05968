"""What the groups' views share: how a page loads its groups and how a view runs an operation."""

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from balint.errors import DomainError
from balint.views import show_refusal
from groups.models import BalintGroup, Leadership


def groups_for_display() -> QuerySet[BalintGroup]:
    """Groups with what their cards and pages show, in a fixed number of queries."""
    return (
        BalintGroup.objects.with_places_taken()
        .select_related("programme")
        .prefetch_related(
            "audiences",
            Prefetch("leaderships", queryset=Leadership.objects.select_related("person")),
        )
    )


def run[T](
    request: HttpRequest,
    operation: Callable[[], T],
    *,
    success: Callable[[T], str],
    then: str,
    **then_kwargs,
) -> HttpResponse:
    """Run one operation; its refusal becomes an error message, success a confirmation."""
    try:
        result = operation()
    except DomainError as error:
        show_refusal(request, error)
    else:
        messages.success(request, success(result))
    return redirect(then, **then_kwargs)

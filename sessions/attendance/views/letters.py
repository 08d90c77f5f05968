"""A leader writes to the group's members (and a meeting's booked tasters) by email."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from balint.errors import DomainError
from balint.views import show_refusal
from groups.access import access_managed_group
from sessions.attendance.letters import NO_CASE_CONTENT, LetterForm, write_to_members


@require_http_methods(["GET", "POST"])
@login_required
def write(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_managed_group(request.user, slug)
    group = access.group
    form = LetterForm(request.POST if request.method == "POST" else None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            count = write_to_members(
                group=group,
                by=request.user,
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
                meeting=form.cleaned_data["tasters_of"],
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, f"Your message is on its way to {count} people.")
            return redirect("meetings:write", slug=group.slug)
    context = {"group": group, "access": access, "form": form, "no_case_content": NO_CASE_CONTENT}
    status = 400 if form.is_bound else 200
    return render(request, "meetings/write.html", context, status=status)

"""Staff pages for who groups are for: the list, adding, renaming, reordering, retiring."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from groups import audiences as services
from groups.models import Audience


class AudienceForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=60,
        help_text="A profession or stage, e.g. “Nurse practitioners” or “GP trainees”.",
        error_messages={"required": "Enter a name.", "max_length": "Use 60 characters or fewer."},
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter a name.")
        return name


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied("Only site staff can change who groups are for.")


def _list_page(request: HttpRequest, form: AudienceForm | None = None, status: int = 200):
    context = {
        "audiences": Audience.objects.order_by("position", "name"),
        "form": form or AudienceForm(),
    }
    return render(request, "groups/audiences.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def audience_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    if request.method == "GET":
        return _list_page(request)
    form = AudienceForm(request.POST)
    if form.is_valid():
        try:
            audience = services.add_audience(name=form.cleaned_data["name"], by=request.user)
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, f"“{audience.name}” is added to the end of the list.")
            return redirect("audiences:list")
    return _list_page(request, form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    audience = get_object_or_404(Audience, pk=pk)
    form = AudienceForm(request.POST or None, initial={"name": audience.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_audience(
                audience=audience, name=form.cleaned_data["name"], by=request.user
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            messages.success(request, f"Renamed to “{audience.name}”.")
            return redirect("audiences:list")
    status = 400 if form.is_bound else 200
    context = {"audience": audience, "form": form}
    return render(request, "groups/audience_rename.html", context, status=status)


@require_POST
@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    audience = get_object_or_404(Audience, pk=pk)
    up = request.POST.get("direction") != "down"
    services.move_audience(audience=audience, up=up, by=request.user)
    messages.success(request, f"Moved “{audience.name}” {'up' if up else 'down'}.")
    return redirect("audiences:list")


@require_POST
@login_required
def retire(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    audience = get_object_or_404(Audience, pk=pk)
    retired = request.POST.get("retired") != "false"
    services.set_audience_retired(audience=audience, retired=retired, by=request.user)
    if retired:
        messages.success(
            request,
            f"“{audience.name}” is retired: groups that have it keep it, and it is no longer "
            "offered.",
        )
    else:
        messages.success(request, f"“{audience.name}” is offered again.")
    return redirect("audiences:list")

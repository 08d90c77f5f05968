"""A group's agreement: reading and accepting it (members, booked tasters), writing it and
seeing who has accepted (leaders)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from groups.agreements.models import MAX_AGREEMENT_LENGTH
from groups.agreements.services import accept_agreement, current_agreement, save_agreement
from sessions.attendance.agreement import (
    acceptance_rows,
    access_agreement,
    access_managed_agreement,
)


class AgreementForm(forms.Form):
    text = forms.CharField(
        label="The group agreement",
        max_length=MAX_AGREEMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="How the group works: confidentiality and what stays in the room, arriving on "
        "time, sending apologies; online, cameras on, a private space and no recording. Members "
        "and booked tasters accept it before their first meeting. This is not the place for "
        "anything about cases or patients.",
        error_messages={
            "required": "Write the agreement before saving it.",
            "max_length": f"Keep the agreement to {MAX_AGREEMENT_LENGTH} characters or fewer.",
        },
    )
    material = forms.BooleanField(
        label="This is a material change: ask everyone to accept it again",
        required=False,
        help_text="Leave unticked for a correction such as a typo; acceptances then stand.",
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write the agreement before saving it.")
        return text


@require_GET
@login_required
def agreement(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_agreement(request.user, slug)
    context = {"group": access.group_access.group, "access": access}
    return render(request, "meetings/agreement.html", context)


@require_POST
@login_required
def accept(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_agreement(request.user, slug)
    version = access.agreement
    if version is None or str(version.pk) != request.POST.get("version"):
        messages.error(
            request,
            "The agreement has changed since you opened it. Please read it again and accept it.",
        )
        return redirect("meetings:agreement", slug=slug)
    try:
        accept_agreement(version=version, person=request.user)
    except DomainError as error:
        show_refusal(request, error)
        return redirect("meetings:agreement", slug=slug)
    messages.success(request, "Thank you: you have accepted the group agreement.")
    following = request.POST.get("next", "")
    if following.isdigit():
        return redirect("meetings:detail", pk=int(following))
    return redirect("meetings:agreement", slug=slug)


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_managed_agreement(request.user, slug)
    group = access.group
    current = current_agreement(group)
    form = AgreementForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = save_agreement(
                group=group,
                by=request.user,
                text=form.cleaned_data["text"],
                material=form.cleaned_data["material"],
            )
        except DomainError as error:
            show_refusal(request, error, form=form)
        else:
            if current is None or version.pk != current.pk:
                messages.success(
                    request,
                    f"Version {version.number} of the agreement is saved. Members and tasters "
                    "are asked to accept it before their next meeting.",
                )
            else:
                messages.success(request, "The correction is saved; acceptances stand.")
            return redirect("meetings:agreement_edit", slug=slug)
    context = {
        "group": group,
        "access": access,
        "form": form,
        "agreement": current,
        "rows": acceptance_rows(group, current),
    }
    return render(
        request, "meetings/agreement_edit.html", context, status=400 if form.errors else 200
    )

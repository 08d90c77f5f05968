"""The person's own data: see it, download it (JSON, CSV), close the account. No ids in the
URLs: every view works on the signed-in person only."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from balint.errors import DomainError
from balint.views import show_refusal
from members.passwords import check_current_password
from sessions.site.account_closing import check_can_close, close_account
from sessions.site.personal_data import as_csv, as_json, collect_personal_data


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To confirm that it is you closing the account.",
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Limited tries: a session left open must not let anyone guess the password behind it.
        check_current_password(self.request, password)
        return password


def _filename(extension: str) -> str:
    return f"balint-personal-data-{timezone.localdate().isoformat()}.{extension}"


@login_required
def page(request, form: CloseAccountForm | None = None):
    data = collect_personal_data(person=request.user)
    counts = [(name.replace("_", " ").capitalize(), len(rows)) for name, rows in data.items()]
    try:
        check_can_close(person=request.user)
        refusal = ""
    except DomainError as error:
        refusal = error.message
    context = {
        "counts": counts,
        "form": form or CloseAccountForm(request=request),
        "refusal": refusal,
    }
    return render(request, "members/personal_data.html", context)


@login_required
def download_json(request):
    response = HttpResponse(
        as_json(collect_personal_data(person=request.user)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download_csv(request):
    response = StreamingHttpResponse(
        as_csv(collect_personal_data(person=request.user)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def close(request):
    form = CloseAccountForm(request.POST, request=request)
    if not form.is_valid():
        return page(request, form=form)
    try:
        close_account(person=request.user)
    except DomainError as error:
        show_refusal(request, error)
        return redirect("personal_data:page")
    logout(request)
    messages.success(request, "Your account is closed and your personal data has been erased.")
    return redirect("home")

"""Writing to a group's leaders from its page, and confirming a visitor's address."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from balint.errors import DomainError
from balint.views import show_refusal
from groups.access import access_group
from groups.services import contact as services
from groups.start_forms import NO_CASE_CONTENT, ContactLeadersForm


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone who may see the group writes to its leaders; visitors confirm their address."""
    access = access_group(request.user, slug)
    group = access.group
    signed_in = request.user.is_authenticated
    form = ContactLeadersForm(
        request.POST if request.method == "POST" else None, signed_in=signed_in
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.contact_leaders(
                    group=group,
                    sender=request.user if signed_in else None,
                    name=form.cleaned_data.get("name", ""),
                    email=form.cleaned_data.get("email", ""),
                    message=form.cleaned_data["message"],
                )
            except services.ContactLimitReached as error:
                show_refusal(request, error, form=form)
                status = 429
            except DomainError as error:
                show_refusal(request, error, form=form)
            else:
                messages.success(
                    request,
                    "Your message is on its way to the leaders. They will reply to your email "
                    "address."
                    if signed_in
                    else "Nearly done: we have emailed you a link. Follow it to send your "
                    "message to the leaders.",
                )
                return redirect("groups:detail", slug=group.slug)
    context = {"group": group, "access": access, "form": form, "no_case_content": NO_CASE_CONTENT}
    return render(request, "groups/contact.html", context, status=status)


@require_http_methods(["GET", "POST"])
def confirm_contact(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email. A GET only asks, so that a mail scanner that follows
    links cannot send the message; the button posts."""
    if request.method == "GET":
        return render(request, "groups/contact_confirm.html", {"token": token})
    try:
        sent = services.confirm_contact(token=token)
    except DomainError as error:
        return render(request, "groups/contact_confirm.html", {"error": error.message}, status=400)
    messages.success(
        request,
        "Thank you: your message is on its way to the leaders. They will reply to your email "
        "address.",
    )
    if sent.group.status == "closed":
        return redirect("groups:finder")
    return redirect("groups:detail", slug=sent.group.slug)

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from members.forms import ProfileForm
from members.verification import address_for_token


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile has been saved.")
        return redirect("members:profile")
    return render(request, "members/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def confirm_address(request, token: str):
    """Confirm an address from the link emailed to it: what was sent to it is taken up. Opening
    the link shows a button (mail scanners follow links; only the person's click confirms)."""
    address = address_for_token(token, request.user)
    if address is None:
        return render(request, "members/confirm_address.html", {"invalid": True}, status=404)
    if request.method == "POST":
        # The same event as allauth's confirmation email: every layer takes up what was sent to
        # the address (group places, cohort enrolments).
        email_confirmed.send(sender=EmailAddress, request=request, email_address=address)
        messages.success(request, f"Thank you: {address.email} is confirmed.")
        return redirect("home")
    return render(request, "members/confirm_address.html", {"address": address})

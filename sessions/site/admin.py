"""Organisation accounts in the admin: providers come from OIDC_PROVIDERS only, so allauth's own
pages for adding providers (SocialApp) and tokens (never stored) are removed; linked accounts are
for inspection, since re-pointing one at another person would hand that person's account over.
People unlink their own on the site, and closing an account unlinks them all."""

from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin

from balint.admin_rules import ReadOnlyAdmin

for model in (SocialApp, SocialToken, SocialAccount):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(SocialAccount)
class SocialAccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "provider", "uid", "date_joined", "last_login"]
    list_filter = ["provider"]
    search_fields = ["user__email", "user__display_name", "uid"]
    fields = ["user", "provider", "uid", "date_joined", "last_login", "extra_data"]

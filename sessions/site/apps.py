from django.apps import AppConfig


class SiteConfig(AppConfig):
    """Site-wide pieces that read every layer: personal data, account closing, retention, the
    sign-up adapter and the demo data (no models of its own)."""

    name = "sessions.site"
    label = "site"
    verbose_name = "Site"

    def ready(self) -> None:
        # Receivers: the provider's two-factor claim at sign-in, audit of linked accounts.
        from sessions.site import sign_in  # noqa: F401

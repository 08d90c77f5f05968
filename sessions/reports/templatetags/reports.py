"""Template helpers for the navigation: `{% load reports %}{% if user|administers_programmes %}`."""

from django import template

from sessions.programmes.access import is_programme_admin

register = template.Library()


@register.filter
def administers_programmes(user) -> bool:
    """Whether to offer the "Programmes" link: programme admins and staff (one query)."""
    return is_programme_admin(user)

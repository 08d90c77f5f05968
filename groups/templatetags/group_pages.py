from django import template

from groups import composition

register = template.Library()


@register.simple_tag
def manage_tabs(group) -> list[dict]:
    """`{% manage_tabs group as tabs %}`: the tabs between the group's management pages."""
    return composition.manage_tabs(group)

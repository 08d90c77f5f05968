"""A select that writes its options in Python, for the long lists (countries, regions, time
zones, a programme's groups): Django's Select renders each <option> through two templates,
about 15 µs an option, so the finder's 700 choices cost it most of its time. The HTML is
Django's own, character for character (tests/balint/test_widgets.py and
tests/reports/test_group_selects.py compare them)."""

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """Django's django/forms/widgets/attrs.html."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


# Rendered selects by everything that decides their HTML; the long lists are the same on every
# request, so the same field with the same value renders the same HTML.
_rendered: dict[tuple, str] = {}
RENDERED_KEPT = 512


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        # A model field's choices are a query: read them once, for the key and the options.
        self.choices = choices = tuple(self.choices)
        try:
            key = (name, repr(value), *map(_items, (attrs, self.attrs)), choices)
            html = _rendered.get(key)
        except TypeError:  # something unhashable among the choices or attributes
            return self._render(name, value, attrs)
        if html is None:
            if len(_rendered) >= RENDERED_KEPT:
                _rendered.clear()
            html = _rendered[key] = self._render(name, value, attrs)
        return html

    def _render(self, name, value, attrs):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def _items(attrs: dict | None) -> tuple:
    return tuple((attrs or {}).items())

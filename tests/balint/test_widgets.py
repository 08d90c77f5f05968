"""QuickSelect writes exactly the HTML Django's Select renders through its templates."""

import pytest
from django import forms

from balint.widgets import QuickSelect

CHOICES = [
    ("", "Anywhere"),
    ("Scotland", [("glasgow", "Glasgow & the West"), ("edinburgh", 'Edinburgh "city"')]),
    ("wales", "Wales <Cymru>"),
    (3, "Three"),
]


@pytest.mark.parametrize("value", [None, "", "edinburgh", "wales", 3, "not a choice"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_region", "aria-describedby": "x y", "required": True, "x": False}]
)
def test_it_renders_what_djangos_select_renders(value, attrs):
    django = forms.Select(choices=CHOICES).render("region", value, attrs=attrs)

    quick = QuickSelect(choices=CHOICES).render("region", value, attrs=attrs)

    assert quick == django


def test_a_finder_form_field_renders_the_same_either_way():
    from groups.forms import FinderForm

    form = FinderForm({"my_zone": "Europe/London", "country": "GB"})
    for name in ("my_zone", "country", "region"):
        field = form[name]
        django = forms.Select(choices=field.field.choices).render(
            field.html_name, field.value(), attrs=field.build_widget_attrs({"id": field.auto_id})
        )
        assert str(field.as_widget()) == django

"""The programme pages' group selects (balint/widgets.py QuickSelect) write what Django's
Select writes."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from balint.widgets import QuickSelect
from groups.models import BalintGroup
from sessions.reports.forms import PlaceForm, ReportFilterForm
from tests.factories import BalintGroupFactory

pytestmark = pytest.mark.django_db


def test_it_writes_what_djangos_select_template_writes():
    choices = [
        ("", "---------"),
        ("a&b", 'Group "A" & <B>'),
        ("Nested", [("n1", "One"), ("n2", mark_safe("<em>Two</em>"))]),
        (3, "Three"),
    ]
    attrs = {"id": "id_x", "required": True, "disabled": False, "data-x": mark_safe("<&>")}
    for value in ("", "a&b", "n2", 3, ["n1", "n2"], None):
        ours = QuickSelect(attrs=attrs, choices=choices).render("x", value)
        django = forms.Select(attrs=attrs, choices=choices).render("x", value)
        assert ours == django


def test_the_group_selects_are_the_same_as_before(programme, cohort, group):
    BalintGroupFactory(programme=programme, name="Ashton & <Leigh>")
    filter_form = ReportFilterForm({"group": group.slug, "start": "x"}, programme=programme)
    place_form = PlaceForm({"group": "nope"}, cohort=cohort, addresses={})
    for form in (filter_form, place_form):
        form.is_valid()  # errors: aria-invalid and aria-describedby are written too
        ours = str(form["group"])
        form.fields["group"].widget = forms.Select(choices=form.fields["group"].choices)
        assert ours == str(form["group"])
        assert BalintGroup.objects.count() == ours.count("<option") - 1

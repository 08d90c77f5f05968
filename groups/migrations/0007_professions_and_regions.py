from django.db import migrations

# Professions for groups beyond the UK's GP and training groups, after the five there were.
PROFESSIONS = [
    ("physicians", "Physicians"),
    ("nurse-practitioners", "Nurse practitioners"),
    ("psychologists", "Psychologists"),
    ("non-physician-clinicians", "Non-physician clinicians"),
]
UK_REGIONS = {
    "scotland",
    "wales",
    "northern_ireland",
    "north_east",
    "north_west",
    "yorkshire",
    "midlands",
    "east",
    "london",
    "south_east",
    "south_west",
}


def forwards(apps, schema_editor):
    Audience = apps.get_model("groups", "Audience")
    BalintGroup = apps.get_model("groups", "BalintGroup")
    last = Audience.objects.order_by("-position").values_list("position", flat=True).first() or 0
    for offset, (slug, name) in enumerate(PROFESSIONS, start=1):
        Audience.objects.get_or_create(slug=slug, defaults={"name": name, "position": last + offset})
    # Every group so far is in the UK, and the UK's regions keep their keys. A value that is no
    # UK region (none should exist) is cleared rather than shown as a code.
    BalintGroup.objects.update(country="GB")
    BalintGroup.objects.exclude(region="").exclude(region__in=UK_REGIONS).update(region="")


class Migration(migrations.Migration):
    dependencies = [("groups", "0006_countries_and_retired_audiences")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

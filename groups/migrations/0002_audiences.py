from django.db import migrations

AUDIENCES = [
    ("gp-trainees", "GP trainees"),
    ("gps", "GPs"),
    ("psychiatry-trainees", "Psychiatry trainees"),
    ("medical-students", "Medical students"),
    ("multi-professional", "Multi-professional"),
]


def add_audiences(apps, schema_editor):
    Audience = apps.get_model("groups", "Audience")
    for position, (slug, name) in enumerate(AUDIENCES):
        Audience.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_initial")]

    operations = [migrations.RunPython(add_audiences, migrations.RunPython.noop)]

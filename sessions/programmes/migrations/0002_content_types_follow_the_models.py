"""The content types (and so the admin's log entries and the model permissions, which point at
them) follow the models to their new app. On a fresh database there are none yet: nothing to do."""

from django.db import migrations

MOVED = {
    "members": ["cohort", "enrolment", "pendingenrolment"],
    "groups": ["cohortplacement"],
}


def forwards(apps, schema_editor):
    for old, models in MOVED.items():
        _relabel(apps, schema_editor, models, source=old, target="programmes")


def backwards(apps, schema_editor):
    for old, models in MOVED.items():
        _relabel(apps, schema_editor, models, source="programmes", target=old)


def _relabel(apps, schema_editor, models, *, source, target):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    for model in models:
        # If both exist, keep the source's row: permissions and log entries point at its id.
        if content_types.filter(app_label=source, model=model).exists():
            content_types.filter(app_label=target, model=model).delete()
            content_types.filter(app_label=source, model=model).update(app_label=target)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]

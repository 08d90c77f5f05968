"""Cohort, Enrolment and PendingEnrolment now belong to the programmes app, which keeps these
tables (`members_cohort`, ...): Django forgets the models here, the database is not touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_display_name_refuses_control_characters"),
        ("programmes", "0001_initial"),
        # Nothing may still point at the old models when they leave the state.
        ("groups", "0005_cohort_placement_moved_to_programmes"),
        ("reports", "0002_cohort_moved_to_programmes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="PendingEnrolment"),
                migrations.DeleteModel(name="Enrolment"),
                migrations.DeleteModel(name="Cohort"),
            ],
            database_operations=[],
        ),
    ]

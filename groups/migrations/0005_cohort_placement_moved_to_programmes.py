"""CohortPlacement now belongs to the programmes app, which keeps this table
(`groups_cohortplacement`): Django forgets the model here, the database is not touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0004_cohort_placements"),
        ("programmes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CohortPlacement")],
            database_operations=[],
        ),
    ]

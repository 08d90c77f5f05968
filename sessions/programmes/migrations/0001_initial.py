"""The cohort models move here from `members` (Cohort, Enrolment, PendingEnrolment) and `groups`
(CohortPlacement) without touching the database: the tables keep their names (`db_table`), so
only Django's state changes. `reports.0002` then points its foreign keys here, and the old apps'
state forgets the models (`members.0005`, `groups.0005`)."""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("members", "0003_cohorts_and_enrolments"),
        ("groups", "0004_cohort_placements"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="Cohort",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=150)),
                ("starts_on", models.DateField(verbose_name="first day")),
                ("ends_on", models.DateField(verbose_name="last day")),
                ("required_meetings", models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(200)], verbose_name="minimum meetings")),
                ("required_percent", models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name="minimum percentage of meetings held")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("programme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="cohorts", to="members.programme")),
            ],
            options={
                "db_table": "members_cohort",
                "ordering": ["-starts_on", "name"],
                "constraints": [
                    models.UniqueConstraint(fields=("programme", "name"), name="cohort_name_unique"),
                    models.CheckConstraint(condition=models.Q(("ends_on__gte", models.F("starts_on"))), name="cohort_ends_after_it_starts"),
                    models.CheckConstraint(condition=models.Q(models.Q(("required_meetings__isnull", False), ("required_percent__isnull", True)), models.Q(("required_meetings__isnull", True), ("required_percent__isnull", False)), _connector="OR"), name="cohort_has_one_requirement"),
                    models.CheckConstraint(condition=models.Q(("required_percent__isnull", True), models.Q(("required_percent__gte", 1), ("required_percent__lte", 100)), _connector="OR"), name="cohort_percent_in_range"),
                    models.CheckConstraint(condition=models.Q(("required_meetings__isnull", True), ("required_meetings__gte", 1), _connector="OR"), name="cohort_meetings_positive"),
                ],
            },
        ),
        migrations.CreateModel(
            name="Enrolment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("enrolled_on", models.DateField()),
                ("left_on", models.DateField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("cohort", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="enrolments", to="programmes.cohort")),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="enrolments", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": "members_enrolment",
                "ordering": ["cohort", "person__display_name"],
                "indexes": [models.Index(fields=["person", "cohort"], name="members_enr_person__b1fbc9_idx")],
                "constraints": [
                    models.UniqueConstraint(condition=models.Q(("left_on__isnull", True)), fields=("cohort", "person"), name="one_current_enrolment_per_person"),
                    models.CheckConstraint(condition=models.Q(("left_on__isnull", True), ("left_on__gte", models.F("enrolled_on")), _connector="OR"), name="enrolment_leaves_after_it_starts"),
                ],
            },
        ),
        migrations.CreateModel(
            name="PendingEnrolment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.EmailField(max_length=254)),
                ("enrolled_on", models.DateField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("cohort", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="pending", to="programmes.cohort")),
                ("enrolment", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="programmes.enrolment")),
                ("invited_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": "members_pendingenrolment",
                "ordering": ["email"],
                "constraints": [
                    models.UniqueConstraint(models.F("cohort"), django.db.models.functions.text.Lower("email"), condition=models.Q(("accepted_at__isnull", True)), name="one_pending_enrolment_per_address"),
                ],
            },
        ),
        migrations.CreateModel(
            name="CohortPlacement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("placed_at", models.DateTimeField(auto_now_add=True)),
                ("cohort", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="placements", to="programmes.cohort")),
                ("group", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="cohort_placements", to="groups.balintgroup")),
                ("placed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": "groups_cohortplacement",
                "ordering": ["cohort", "group__name"],
                "constraints": [models.UniqueConstraint(fields=("cohort", "group"), name="one_placement_per_group")],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
    ]

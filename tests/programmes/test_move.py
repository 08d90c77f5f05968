"""The cohort models moved into the programmes app without touching the database: they keep the
tables the members and groups apps created, and the migrations that moved them emit no SQL."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import migrations

from sessions.programmes.models import Cohort, CohortPlacement, Enrolment, PendingEnrolment

MOVE_MIGRATIONS = [
    ("programmes", "0001_initial"),
    ("reports", "0002_cohort_moved_to_programmes"),
    ("groups", "0005_cohort_placement_moved_to_programmes"),
    ("members", "0005_cohorts_moved_to_programmes"),
]


def test_the_moved_models_keep_their_tables():
    tables = {
        model._meta.label: model._meta.db_table
        for model in (Cohort, Enrolment, PendingEnrolment, CohortPlacement)
    }
    assert tables == {
        "programmes.Cohort": "members_cohort",
        "programmes.Enrolment": "members_enrolment",
        "programmes.PendingEnrolment": "members_pendingenrolment",
        "programmes.CohortPlacement": "groups_cohortplacement",
    }


@pytest.mark.parametrize(("app", "migration"), MOVE_MIGRATIONS)
def test_the_move_touches_no_table(app, migration):
    operations = import_module(f"{apps.get_app_config(app).name}.migrations.{migration}")
    for operation in operations.Migration.operations:
        assert isinstance(operation, migrations.SeparateDatabaseAndState)
        assert operation.database_operations == []


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    # Exits with status 1 if a model changed without a migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)

"""A meeting's day in its own group's time zone, computed by the database.

Each group keeps its own zone, so the zone is a column, not a constant: TruncDate cannot do it.
The filters of the reports and exports (date ranges, enrolment spells) compare this day, the same
day the tables and files show, so nothing near midnight slips into the wrong day.
"""

from django.db.models import DateField, Func


class LocalDate(Func):
    """LocalDate("starts_at", "group__time_zone"): the wall-clock date of a UTC timestamp."""

    arity = 2
    output_field = DateField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((%(expressions)s))::date",
            arg_joiner=") AT TIME ZONE (",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Django registers this function on every SQLite connection (the `__date` lookup uses
        # it); SQLite stores datetimes as UTC text, hence the last argument.
        return self.as_sql(
            compiler,
            connection,
            template="django_datetime_cast_date(%(expressions)s, 'UTC')",
            **extra,
        )

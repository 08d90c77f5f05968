-- The bench's data, made in the database; bench/export_bench.py fills in the sizes.
SET LOCAL synchronous_commit = off;
INSERT INTO members_programme (name, slug, description, created_at)
VALUES ('Bench programme', '{slug}', '', now());
INSERT INTO members_user (password, is_superuser, email, display_name, time_zone, accreditation,
                          is_staff, is_active, date_joined, reminders)
SELECT '!', false, 'bench' || n || '@example.org',
       CASE WHEN n % 997 = 0 THEN '=Bench, Trainee ' || n ELSE 'Dr Bench Trainee ' || n END,
       'Europe/London', 'none', false, true, now(), '24h'
FROM generate_series(0, {people} - 1) AS n;
CREATE TEMP TABLE bench_people ON COMMIT DROP AS
SELECT id, (substring(email from 'bench(\d+)@'))::int AS n FROM members_user
WHERE email LIKE 'bench%@example.org';
INSERT INTO groups_balintgroup (name, slug, description, format, town, region, time_zone, capacity,
    taster_seats, accepting_members, status, room, meeting_link, created_at, updated_at,
    programme_id)
SELECT 'Bench group ' || g, 'bench-group-' || g, '', 'in_person', 'Bristol', 'south_west',
       CASE WHEN g % 10 = 0 THEN 'America/New_York' ELSE 'Europe/London' END, 10, 2, true,
       'active', '', '', now(), now(), (SELECT id FROM members_programme WHERE slug = '{slug}')
FROM generate_series(0, {groups} - 1) AS g;
CREATE TEMP TABLE bench_groups ON COMMIT DROP AS
SELECT id, (substring(slug from 'bench-group-(\d+)'))::int AS g FROM groups_balintgroup
WHERE slug LIKE 'bench-group-%';
INSERT INTO meetings_meeting (starts_at, ends_at, place, link, status, cancel_reason, revision,
    edited_by_hand, created_from_schedule, created_at, updated_at, group_id)
SELECT t, t + interval '90 minutes', '', '', 'scheduled', '', 0, false, true, now(), now(), bg.id
FROM bench_groups bg, generate_series(0, {meetings} - 1) AS k,
     LATERAL (SELECT timestamptz '2020-01-07 17:30+00' + k * interval '7 days'
                     + (bg.g % 5) * interval '1 hour' AS t) AS s;
CREATE TEMP TABLE bench_meetings ON COMMIT DROP AS
SELECT m.id, m.ends_at, bg.g,
       (row_number() OVER (PARTITION BY m.group_id ORDER BY m.starts_at) - 1)::int AS k
FROM meetings_meeting m JOIN bench_groups bg ON bg.id = m.group_id;
INSERT INTO meetings_attendancerecord (role, status, presented_case, recorded_at, person_id,
    recorded_by_id, meeting_id)
SELECT 'member',
       (ARRAY['present','present','present','present','present','late','absent','apologies'])
           [1 + (m.k + i) % 8],
       (m.k + i) % 8 <= 5 AND (m.k + i) % 4 = 1,
       m.ends_at + interval '1 hour', p.id, r.id, m.id
FROM bench_meetings m
CROSS JOIN generate_series(0, {per_group} - 1) AS i
JOIN bench_people p ON p.n = m.g * {per_group} + i
JOIN bench_people r ON r.n = m.g * {per_group};
INSERT INTO members_cohort (name, starts_on, ends_on, required_percent, created_at, programme_id)
SELECT 'Bench cohort ' || c, date '2020-01-01', date '2035-12-31', 75, now(),
       (SELECT id FROM members_programme WHERE slug = '{slug}')
FROM generate_series(0, {cohorts} - 1) AS c;
INSERT INTO groups_cohortplacement (placed_at, cohort_id, group_id)
SELECT now(), c.id, bg.id FROM bench_groups bg
JOIN members_cohort c ON c.name = 'Bench cohort ' || (bg.g % {cohorts});
INSERT INTO members_enrolment (enrolled_on, created_at, cohort_id, person_id)
SELECT date '2020-01-01', now(), c.id, p.id FROM bench_people p
JOIN members_cohort c ON c.name = 'Bench cohort ' || ((p.n / {per_group}) % {cohorts});

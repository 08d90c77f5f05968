-- The benches' data, made in the database in one transaction; bench/generate.py fills in the
-- sizes ({groups}, {people}, {past}, {upcoming}, {per_group}, {cohorts}) and the programme's
-- {slug}. Group g has the ten people bench(g*10 + i)@example.org: i = 0 leads it, i = 1
-- co-leads two groups in three, the others are members. Every hundredth group, from group 50,
-- is big: 16 members holding a place, 10 requests and 24 on the waitlist (50 on the roster;
-- capacity cannot pass 16) and 32 who left yesterday, so its last four meetings have 50 lines
-- in the register. Past meetings have a register line for each of the group's
-- ten people; upcoming ones have none, but some have taster bookings and apologies.
SET LOCAL synchronous_commit = off;
INSERT INTO members_programme (name, slug, description, created_at, allowed_email_domains)
VALUES ('Bench programme', '{slug}', '{marker}', now(), '');
CREATE TEMP TABLE bench_names ON COMMIT DROP AS
SELECT ARRAY['Sam', 'Priya', 'Alex', 'Fiona', 'Tom', 'Aisha', 'Ewan', 'Catrin', 'Ravi', 'Niamh',
             'Olu', 'Hannah', 'Jonah', 'Mei', 'Rory', 'Zainab', 'Gareth', 'Isla', 'Kofi', 'Ruth',
             'Dev', 'Sinead', 'Marek', 'Leah', 'Callum', 'Anya', 'Hamish', 'Bethan', 'Yusuf',
             'Grace'] AS first,
       ARRAY['Patel', 'Jones', 'Smith', 'Campbell', 'Khan', 'Williams', 'Murphy', 'Taylor',
             'Davies', 'Brown', 'MacLeod', 'Evans', 'Ahmed', 'Wilson', 'Thomas', 'Roberts',
             'O''Neill', 'Walker', 'Hughes', 'Okafor', 'Green', 'Lewis', 'Hall', 'Wright',
             'Kowalski', 'Clarke', 'Nguyen', 'Fraser', 'Reid', 'Bell', 'Singh', 'Morgan', 'Ali',
             'Stewart', 'Kaur', 'Price', 'Byrne', 'Chen', 'Doyle', 'Shah'] AS last;
INSERT INTO members_user (password, is_superuser, email, display_name, time_zone, accreditation,
                          is_staff, is_active, date_joined, reminders)
SELECT '!', false, 'bench' || n || '@example.org',
       -- Some names start like a formula, so the exports' neutralising path is exercised.
       CASE WHEN n % 997 = 0 THEN '=' ELSE '' END || 'Dr ' || first[1 + n % 30] || ' '
           || last[1 + (n / 30) % 40],
       'Europe/London',
       CASE WHEN n % 10 = 0 THEN 'accredited' WHEN n % 10 = 1 THEN 'pathway' ELSE 'none' END,
       false, true, now() - interval '3 years', '24h'
FROM generate_series(0, {people} - 1) AS n, bench_names;
CREATE TEMP TABLE bench_people ON COMMIT DROP AS
SELECT id, (substring(email from 'bench(\d+)@'))::int AS n FROM members_user
WHERE email LIKE 'bench%@example.org';
CREATE UNIQUE INDEX ON bench_people (n);
-- Where and how each group meets; two towns per region, in Region's order.
CREATE TEMP TABLE bench_places ON COMMIT DROP AS
SELECT ARRAY['scotland', 'wales', 'northern_ireland', 'north_east', 'north_west', 'yorkshire',
             'midlands', 'east', 'london', 'south_east', 'south_west'] AS region,
       ARRAY['Edinburgh', 'Inverness', 'Cardiff', 'Bangor', 'Belfast', 'Derry', 'Newcastle',
             'Durham', 'Manchester', 'Lancaster', 'Leeds', 'Sheffield', 'Birmingham',
             'Nottingham', 'Norwich', 'Cambridge', 'Camden', 'Lewisham', 'Brighton', 'Oxford',
             'Cotham, Bristol', 'Exeter'] AS town;
CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
SELECT g,
       region[1 + g % 11] AS region,
       town[1 + (g % 11) * 2 + (g / 11) % 2] AS town,
       CASE WHEN g % 7 IN (4, 5) THEN 'online' WHEN g % 7 = 6 THEN 'hybrid' ELSE 'in_person' END
           AS format,
       CASE WHEN g % 10 = 0 THEN 'America/New_York' ELSE 'Europe/London' END AS zone,
       (g % 100 = 50) AS big,
       (g % 3 <> 2 OR g % 100 = 50) AS co_led,
       CASE WHEN g % 50 = 49 THEN 'closed' WHEN g % 25 = 12 THEN 'paused'
            WHEN g % 40 = 3 THEN 'forming' ELSE 'active' END AS status,
       -- Weekly training groups, fortnightly ones, and monthly community groups (2nd weekday).
       CASE g % 3 WHEN 0 THEN 'weekly' WHEN 1 THEN 'fortnightly' ELSE 'monthly' END AS frequency,
       g % 5 AS weekday,
       (ARRAY[time '19:30', time '12:30', time '18:00', time '13:00'])[1 + g % 4] AS start_time,
       CASE WHEN g % 2 = 0 THEN 90 ELSE 60 END AS duration
FROM generate_series(0, {groups} - 1) AS g, bench_places;
INSERT INTO groups_balintgroup (name, slug, description, format, town, region, time_zone, capacity,
    taster_seats, accepting_members, status, room, meeting_link, created_at, updated_at,
    programme_id)
SELECT CASE WHEN format = 'online' THEN 'Online' ELSE town END || ' Balint group ' || g,
       'bench-group-' || g,
       (ARRAY['A friendly group for GP trainees; we meet through the year and welcome newcomers '
              || 'to a taster session.',
              'An established group of GPs and other clinicians. We talk about patients who '
              || 'stay with us, and about the relationship rather than the diagnosis.',
              'A training group for psychiatry trainees, run with the local scheme. Cases are '
              || 'presented by members in turn.'])[1 + g % 3],
       format, CASE WHEN format = 'online' THEN '' ELSE town END, region, zone,
       CASE WHEN big THEN 16 ELSE 9 + g % 4 END,
       CASE WHEN g % 4 = 0 THEN 0 ELSE 1 + g % 3 END,
       g % 9 <> 8, status,
       CASE WHEN format = 'online' THEN '' ELSE 'Seminar room ' || (1 + g % 6) || ', '
           || town || ' Medical Centre' END,
       CASE WHEN format = 'in_person' THEN '' ELSE 'https://meet.example.org/balint-' || g END,
       now() - interval '8 years', now(), (SELECT id FROM members_programme WHERE slug = '{slug}')
FROM bench_plan;
CREATE TEMP TABLE bench_groups ON COMMIT DROP AS
SELECT bg.id, p.* FROM groups_balintgroup bg
JOIN bench_plan p ON bg.slug = 'bench-group-' || p.g;
CREATE UNIQUE INDEX ON bench_groups (g);
INSERT INTO groups_balintgroup_audiences (balintgroup_id, audience_id)
SELECT bg.id, a.id FROM bench_groups bg
JOIN (SELECT id, row_number() OVER (ORDER BY position, name) - 1 AS k FROM groups_audience) a
  ON a.k = bg.g % 5 OR (bg.g % 3 = 0 AND a.k = (bg.g + 2) % 5);
INSERT INTO groups_leadership (role, since, group_id, person_id)
SELECT CASE WHEN i = 0 THEN 'leader' ELSE 'co_leader' END, date '2018-01-01', bg.id, p.id
FROM bench_groups bg CROSS JOIN generate_series(0, 1) AS i
JOIN bench_people p ON p.n = bg.g * {per_group} + i
WHERE i = 0 OR bg.co_led;
-- The meetings' local dates: {past} before today and {upcoming} from today, by the schedule.
CREATE TEMP TABLE bench_dates ON COMMIT DROP AS
SELECT bg.id AS group_id, bg.g, bg.big, k, s.day, s.day + bg.start_time AS local_start,
       bg.zone, bg.duration
FROM bench_groups bg
CROSS JOIN generate_series(0, {past} + {upcoming} - 1) AS k
CROSS JOIN LATERAL (
    SELECT CASE bg.frequency
        WHEN 'monthly' THEN
            (date_trunc('month', current_date) + (k - {past}) * interval '1 month')::date
            + ((bg.weekday + 1 - extract(isodow FROM date_trunc('month', current_date)
                + (k - {past}) * interval '1 month')::int + 7) % 7 + 7)
        ELSE current_date + ((bg.weekday + 1 - extract(isodow FROM current_date)::int + 7) % 7)
             + (k - {past}) * CASE bg.frequency WHEN 'weekly' THEN 7 ELSE 14 END
    END AS day
) AS s;
INSERT INTO meetings_schedule (frequency, weekday, week_of_month, rrule, start_date, start_time,
    duration_minutes, horizon_months, generated_until, updated_at, group_id)
SELECT frequency, weekday, CASE WHEN frequency = 'monthly' THEN 2 END,
       CASE frequency WHEN 'weekly' THEN 'FREQ=WEEKLY;BYDAY=' WHEN 'fortnightly'
           THEN 'FREQ=WEEKLY;INTERVAL=2;BYDAY=' ELSE 'FREQ=MONTHLY;BYDAY=2' END
           || (ARRAY['MO', 'TU', 'WE', 'TH', 'FR'])[1 + weekday],
       (SELECT min(day) FROM bench_dates d WHERE d.group_id = bg.id), start_time, duration, 6,
       (SELECT max(local_start) AT TIME ZONE bg.zone FROM bench_dates d WHERE d.group_id = bg.id),
       now(), bg.id
FROM bench_groups bg;
INSERT INTO meetings_meeting (starts_at, ends_at, occurrence_starts_at, place, link, status,
    cancel_reason, revision, edited_by_hand, created_from_schedule, created_at, updated_at,
    group_id)
SELECT local_start AT TIME ZONE zone, (local_start AT TIME ZONE zone) + duration * interval '1 minute',
       local_start AT TIME ZONE zone, '', '',
       CASE WHEN k = {past} + 2 AND g % 7 = 0 THEN 'cancelled' ELSE 'scheduled' END,
       CASE WHEN k = {past} + 2 AND g % 7 = 0 THEN 'The leader is away at a conference.' ELSE ''
       END,
       0, false, true, now(), now(), group_id
FROM bench_dates;
CREATE TEMP TABLE bench_meetings ON COMMIT DROP AS
SELECT m.id, m.starts_at, m.ends_at, d.g, d.big, d.k
FROM meetings_meeting m
JOIN bench_dates d ON d.group_id = m.group_id AND m.starts_at = d.local_start AT TIME ZONE d.zone;
CREATE INDEX ON bench_meetings (g, k);
-- Memberships. The group's own members joined the week before its first meeting.
CREATE TEMP TABLE bench_members ON COMMIT DROP AS
SELECT bg.id AS group_id, bg.g, p.id AS person_id, l.id AS leader_id, 'active' AS status,
       first.starts_at - interval '14 days' AS requested_at, first.starts_at - interval '7 days'
           AS joined_at, NULL::timestamptz AS ended_at, NULL::date AS ended_on,
       NULL::timestamptz AS waitlisted_at
FROM bench_groups bg
CROSS JOIN generate_series(1, {per_group} - 1) AS i
JOIN bench_people p ON p.n = bg.g * {per_group} + i
JOIN bench_people l ON l.n = bg.g * {per_group}
JOIN bench_meetings first ON first.g = bg.g AND first.k = 0
WHERE i > 1 OR NOT bg.co_led;
-- The big groups: j = 0..7 hold a place, 8..39 left yesterday, 40..49 asked to join, 50..73
-- wait; they are the people of the next groups along.
INSERT INTO bench_members
SELECT bg.id, bg.g, p.id, l.id,
       CASE WHEN j < 8 THEN 'active' WHEN j < 40 THEN 'left' WHEN j < 50 THEN 'requested'
            ELSE 'waitlisted' END,
       CASE WHEN j < 40 THEN first.starts_at - interval '14 days'
            ELSE now() - (j - 30) * interval '1 day' END,
       CASE WHEN j < 40 THEN first.starts_at - interval '7 days' END,
       CASE WHEN j BETWEEN 8 AND 39 THEN now() - interval '1 day' END,
       CASE WHEN j BETWEEN 8 AND 39 THEN current_date - 1 END,
       CASE WHEN j >= 50 THEN now() - (j - 40) * interval '1 day' END
FROM bench_groups bg
CROSS JOIN generate_series(0, 73) AS j
JOIN bench_people p ON p.n = ((bg.g + 1) * {per_group} + j) % {people}
JOIN bench_people l ON l.n = bg.g * {per_group}
JOIN bench_meetings first ON first.g = bg.g AND first.k = 0
WHERE bg.big;
-- A request to join in every third group, from someone in the group half-way round.
INSERT INTO bench_members
SELECT bg.id, bg.g, p.id, NULL, 'requested', now() - interval '3 days', NULL, NULL, NULL, NULL
FROM bench_groups bg
JOIN bench_people p ON p.n = ((bg.g + {groups} / 2) % {groups}) * {per_group} + 5
WHERE bg.g % 3 = 0 AND NOT bg.big AND bg.status <> 'closed';
INSERT INTO groups_membership (status, note, requested_at, waitlisted_at, offered_at, joined_at,
    ended_at, ended_on, updated_at, group_id, person_id, updated_by_id)
SELECT status, '', requested_at, waitlisted_at, NULL, joined_at, ended_at, ended_on,
       coalesce(ended_at, joined_at, waitlisted_at, requested_at), group_id, person_id, leader_id
FROM bench_members;
-- Each membership's history: requested, then waitlisted or active, then left.
INSERT INTO groups_membershipevent (status, at, by_id, membership_id)
SELECT e.status, e.at, e.by_id, m.id
FROM groups_membership m
JOIN bench_groups bg ON bg.id = m.group_id
CROSS JOIN LATERAL (VALUES
    ('requested', m.requested_at, m.person_id),
    ('waitlisted', m.waitlisted_at, m.updated_by_id),
    ('active', m.joined_at, m.updated_by_id),
    ('left', m.ended_at, m.person_id)
) AS e (status, at, by_id)
WHERE e.at IS NOT NULL;
-- The register of every past meeting: the group's ten people (the leaders as leaders).
INSERT INTO meetings_attendancerecord (role, status, presented_case, recorded_at, person_id,
    recorded_by_id, meeting_id)
SELECT CASE WHEN i = 0 OR (i = 1 AND bg.co_led) THEN 'leader' ELSE 'member' END,
       (ARRAY['present','present','present','present','present','late','absent','apologies'])
           [1 + (m.k + i) % 8],
       (m.k + i) % 8 <= 5 AND (m.k + i) % 4 = 1,
       m.ends_at + interval '1 hour', p.id, r.id, m.id
FROM bench_meetings m
JOIN bench_groups bg ON bg.g = m.g
CROSS JOIN generate_series(0, {per_group} - 1) AS i
JOIN bench_people p ON p.n = m.g * {per_group} + i
JOIN bench_people r ON r.n = m.g * {per_group}
WHERE m.k < {past};
-- The big groups' last four registers have a line for each of the 40 others too.
INSERT INTO meetings_attendancerecord (role, status, presented_case, recorded_at, person_id,
    recorded_by_id, meeting_id)
SELECT 'member',
       (ARRAY['present','present','present','late','absent','apologies'])[1 + (m.k + j) % 6],
       (m.k + j) % 6 <= 3 AND (m.k + j) % 5 = 1,
       m.ends_at + interval '1 hour', p.id, r.id, m.id
FROM bench_meetings m
CROSS JOIN generate_series(0, 39) AS j
JOIN bench_people p ON p.n = ((m.g + 1) * {per_group} + j) % {people}
JOIN bench_people r ON r.n = m.g * {per_group}
WHERE m.big AND m.k BETWEEN {past} - 4 AND {past} - 1;
-- Upcoming meetings: more taster seats at some, a taster booked at others, apologies sent.
INSERT INTO tasters_meetingtasterseats (seats, updated_at, meeting_id, updated_by_id)
SELECT 4, now(), m.id, NULL FROM bench_meetings m
WHERE m.k = {past} + 1 AND m.g % 10 = 1;
INSERT INTO tasters_tasterbooking (seat, status, booked_at, cancelled_at, cancelled_because,
    followed_up_at, group_id, meeting_id, person_id, invitation_id)
SELECT 1, 'booked', now() - interval '2 days', NULL, '', NULL, bg.id, m.id, p.id, NULL
FROM bench_meetings m
JOIN bench_groups bg ON bg.g = m.g
JOIN bench_people p ON p.n = ((m.g + 300) % {groups}) * {per_group} + 8
WHERE m.k = {past} + 1 AND bg.g % 2 = 1 AND bg.g % 4 <> 0 AND bg.status = 'active';
INSERT INTO meetings_apology (sent_at, person_id, meeting_id)
SELECT now() - interval '1 day', p.id, m.id
FROM bench_meetings m
JOIN bench_people p ON p.n = m.g * {per_group} + 7
WHERE m.k = {past} AND m.g % 2 = 0;
-- Cohorts of the programme, placed in the groups, with the people enrolled.
INSERT INTO members_cohort (name, starts_on, ends_on, required_percent, created_at, programme_id)
SELECT 'Bench cohort ' || c, date '2018-01-01', date '2035-12-31', 75, now(),
       (SELECT id FROM members_programme WHERE slug = '{slug}')
FROM generate_series(0, {cohorts} - 1) AS c;
INSERT INTO groups_cohortplacement (placed_at, cohort_id, group_id)
SELECT now(), c.id, bg.id FROM bench_groups bg
JOIN members_cohort c ON c.name = 'Bench cohort ' || (bg.g % {cohorts});
INSERT INTO members_enrolment (enrolled_on, created_at, cohort_id, person_id)
SELECT date '2018-01-01', now(), c.id, p.id FROM bench_people p
JOIN members_cohort c ON c.name = 'Bench cohort ' || ((p.n / {per_group}) % {cohorts});

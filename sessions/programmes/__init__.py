"""The programme domain in one home: cohorts (blocks) of trainees, their enrolments and
invitations, placing a cohort in the programme's groups, and the attendance requirement rule
(which meetings count for a trainee, and whether they meet their cohort's requirement).

The reports (dashboard, exports, certificates, feedback) read from here; they never re-derive a
rule. Below this layer are attendance, tasters, meetings, groups and members; placing a cohort
creates group memberships through the groups layer's own operation.

`Programme` itself (the organisation and its admins) stays in `members.models`: a group belongs
to a programme (`BalintGroup.programme` is a foreign key to it) and the groups layer's access
rules and the navigation ask "is this person an admin of the programme" on every page, so it must
sit below groups. Everything else about a programme lives here.

Module map:
- models.py: Cohort, Enrolment, PendingEnrolment, CohortPlacement (tables keep their old names);
- cohorts.py: create a cohort, invite by email, end an enrolment, withdraw or take up an
  invitation, change the cohort's counting rule;
- enrolment.py: self-enrolment links, requests and their decisions, a person answering an
  invitation (nobody is enrolled without saying yes);
- placement.py: place a cohort's trainees in a group;
- blocks.py: place a cohort for its block (memberships bounded by its dates, which end by
  themselves) with its weekly meetings;
- history_import.py: import past attendance from a CSV file (preview, then all or nothing);
- attendance.py: which meetings count for a trainee, the tally, and the requirement rule;
- access.py: who may see and manage a programme, its cohorts and trainees;
- receivers.py: a verified address takes up the cohort places it was invited to.
"""

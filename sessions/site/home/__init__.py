"""The signed-in home: the person's next meetings (with their taster seats), their groups, and
what needs them now, by role. It reads every layer, so it sits at the top (sessions.site) and is
wired from balint/urls.py; visitors still get the marketing home of balint.views."""

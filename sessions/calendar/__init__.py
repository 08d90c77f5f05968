"""Calendars: iCalendar invites, updates and cancellations sent through the outbox,
reminders, the leaders' prompts and digests, and each person's private subscription feed."""

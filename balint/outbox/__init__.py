"""The outbox: every email is first a row, written in the transaction of the change that causes
it, then sent by a Celery task that takes the row's id. It knows messages, not Balint."""

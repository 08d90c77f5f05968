"""Answers given before rounds existed (one row each, written beside their receipts) are folded
into one published batch per cohort or taster group, counted, their comments shuffled; then the
rows, and with them anything that could pair an answer with its receipt, are deleted.

The questions they answered are kept as version 1 of a questionnaire of the programme (or the
group, for tasters), so every answer belongs to the version it answered."""

import random
from collections import Counter, defaultdict

from django.db import migrations
from django.utils import timezone

AGREEMENT, RATING, TEXT = "agreement", "rating", "text"
ASKED = [
    {"key": "reflect", "kind": AGREEMENT, "text": "The group helped me reflect on my interactions with patients.", "required": True},  # noqa: E501
    {"key": "understand", "kind": AGREEMENT, "text": "It helped me understand how others think and feel when caring for patients.", "required": True},  # noqa: E501
    {"key": "enjoyed", "kind": AGREEMENT, "text": "I enjoyed the group.", "required": True},
    {"key": "will_use", "kind": AGREEMENT, "text": "I will use what I learned in my work.", "required": True},  # noqa: E501
    {"key": "overall", "kind": RATING, "text": "Overall, how would you rate the group?", "required": True},  # noqa: E501
    {"key": "comments", "kind": TEXT, "text": "Anything else about the group experience?", "required": False},  # noqa: E501
]
NUMBERS = ["reflect", "understand", "enjoyed", "will_use", "overall"]


def _round(apps, kind, cohort_id, group_id, today):
    Cohort = apps.get_model("programmes", "Cohort")
    Questionnaire = apps.get_model("reports", "Questionnaire")
    Version = apps.get_model("reports", "QuestionnaireVersion")
    FeedbackRound = apps.get_model("reports", "FeedbackRound")
    if kind == "block":
        owner = {"programme_id": Cohort.objects.get(pk=cohort_id).programme_id}
        audience, scope = "trainees", {"cohort_id": cohort_id}
    else:
        owner, audience, scope = {"group_id": group_id}, "tasters", {"group_id": group_id}
    round_ = FeedbackRound.objects.filter(audience=audience, **scope).first()
    if round_ is not None:
        return round_
    questionnaire, created = Questionnaire.objects.get_or_create(audience=audience, **owner)
    if created:
        version = Version.objects.create(questionnaire=questionnaire, number=1, questions=ASKED)
    else:
        version = Version.objects.filter(questionnaire=questionnaire).order_by("-number").first()
    return FeedbackRound.objects.create(
        version=version, audience=audience, opened_on=today, closes_on=None, **scope
    )


def fold(apps, schema_editor):
    Response = apps.get_model("reports", "FeedbackResponse")
    Invitation = apps.get_model("reports", "FeedbackInvitation")
    Batch = apps.get_model("reports", "ResultBatch")
    Count_ = apps.get_model("reports", "ResultCount")
    Text = apps.get_model("reports", "PublishedText")
    today, now = timezone.localdate(), timezone.now()
    scopes = defaultdict(list)
    for response in Response.objects.all():
        scopes[(response.kind, response.cohort_id, response.group_id)].append(response)
    for kind, cohort_id, group_id in Invitation.objects.filter(round__isnull=True).values_list(
        "kind", "cohort_id", "group_id"
    ).distinct():
        scopes.setdefault((kind, cohort_id, group_id), [])
    for (kind, cohort_id, group_id), responses in scopes.items():
        round_ = _round(apps, kind, cohort_id, group_id, today)
        scope = {"cohort_id": cohort_id} if kind == "block" else {"group_id": group_id}
        Invitation.objects.filter(kind=kind, round__isnull=True, **scope).update(round=round_)
        if not responses:
            continue
        batch = Batch.objects.create(round=round_, published_at=now, answers=len(responses))
        counted = Counter((k, getattr(r, k)) for r in responses for k in NUMBERS)
        Count_.objects.bulk_create(
            Count_(batch=batch, key=k, value=v, count=n) for (k, v), n in sorted(counted.items())
        )
        comments = [r.comments for r in responses if r.comments]
        random.SystemRandom().shuffle(comments)
        Text.objects.bulk_create(Text(batch=batch, key="comments", text=c) for c in comments)
    Response.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_feedback_rounds_and_published_results")]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop)]

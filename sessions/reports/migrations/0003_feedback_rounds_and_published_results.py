
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0005_cohort_placement_moved_to_programmes'),
        ('members', '0005_cohorts_moved_to_programmes'),
        ('programmes', '0002_content_types_follow_the_models'),
        ('reports', '0002_cohort_moved_to_programmes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedbackRound',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('audience', models.CharField(choices=[('trainees', 'Trainees'), ('facilitators', 'Facilitators'), ('members', 'Group members'), ('tasters', 'Taster sessions')], max_length=16)),
                ('opened_on', models.DateField()),
                ('closes_on', models.DateField(blank=True, null=True)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('pending', models.JSONField(blank=True, default=list)),
            ],
            options={
                'ordering': ['-opened_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='PublishedText',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('key', models.CharField(max_length=32)),
                ('text', models.TextField(max_length=2000)),
            ],
        ),
        migrations.CreateModel(
            name='Questionnaire',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('audience', models.CharField(choices=[('trainees', 'Trainees'), ('facilitators', 'Facilitators'), ('members', 'Group members'), ('tasters', 'Taster sessions')], max_length=16)),
            ],
        ),
        migrations.CreateModel(
            name='QuestionnaireVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('questions', models.JSONField(default=list)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['questionnaire', '-number'],
            },
        ),
        migrations.CreateModel(
            name='ResultBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('published_at', models.DateTimeField()),
                ('answers', models.PositiveIntegerField()),
            ],
            options={
                'ordering': ['published_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ResultCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=32)),
                ('value', models.PositiveSmallIntegerField()),
                ('count', models.PositiveIntegerField()),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='feedbackinvitation',
            name='invitation_has_its_scope',
        ),
        migrations.AddField(
            model_name='feedbackinvitation',
            name='reminder_token_hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='exportlog',
            name='kind',
            field=models.CharField(choices=[('attendance', 'Attendance (one row per person per meeting)'), ('trainees', 'Trainees (one row per trainee)'), ('feedback', 'Feedback results (aggregated, no single answers)')], max_length=16),
        ),
        migrations.AlterField(
            model_name='feedbackinvitation',
            name='kind',
            field=models.CharField(choices=[('block', "End of a cohort's block"), ('taster', 'After a taster session'), ('leaders', "A block's facilitators"), ('group', "A group's own round")], max_length=8),
        ),
        migrations.AddField(
            model_name='feedbackround',
            name='cohort',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.cohort'),
        ),
        migrations.AddField(
            model_name='feedbackround',
            name='group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='groups.balintgroup'),
        ),
        migrations.AddField(
            model_name='feedbackinvitation',
            name='round',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='reports.feedbackround'),
        ),
        migrations.AddConstraint(
            model_name='feedbackinvitation',
            constraint=models.UniqueConstraint(condition=models.Q(('round__isnull', False)), fields=('round', 'person'), name='one_invitation_per_round_and_person'),
        ),
        migrations.AddConstraint(
            model_name='feedbackinvitation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('cohort__isnull', False), ('kind__in', ['block', 'leaders']), ('group__isnull', True)), models.Q(('cohort__isnull', True), ('group__isnull', False), ('kind__in', ['taster', 'group'])), _connector='OR'), name='invitation_has_its_scope_and_kind'),
        ),
        migrations.AddField(
            model_name='questionnaire',
            name='group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='groups.balintgroup'),
        ),
        migrations.AddField(
            model_name='questionnaire',
            name='programme',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='members.programme'),
        ),
        migrations.AddField(
            model_name='questionnaireversion',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='questionnaireversion',
            name='questionnaire',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='reports.questionnaire'),
        ),
        migrations.AddField(
            model_name='feedbackround',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.questionnaireversion'),
        ),
        migrations.AddField(
            model_name='resultbatch',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='batches', to='reports.feedbackround'),
        ),
        migrations.AddField(
            model_name='publishedtext',
            name='batch',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='texts', to='reports.resultbatch'),
        ),
        migrations.AddField(
            model_name='resultcount',
            name='batch',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='counts', to='reports.resultbatch'),
        ),
        migrations.AddConstraint(
            model_name='questionnaire',
            constraint=models.UniqueConstraint(condition=models.Q(('programme__isnull', False)), fields=('programme', 'audience'), name='one_questionnaire_per_programme_audience'),
        ),
        migrations.AddConstraint(
            model_name='questionnaire',
            constraint=models.UniqueConstraint(condition=models.Q(('group__isnull', False)), fields=('group', 'audience'), name='one_questionnaire_per_group_audience'),
        ),
        migrations.AddConstraint(
            model_name='questionnaire',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('group__isnull', True), ('programme__isnull', False)), models.Q(('group__isnull', False), ('programme__isnull', True)), _connector='OR'), name='questionnaire_has_one_owner'),
        ),
        migrations.AddConstraint(
            model_name='questionnaireversion',
            constraint=models.UniqueConstraint(fields=('questionnaire', 'number'), name='one_version_number_per_questionnaire'),
        ),
        migrations.AddConstraint(
            model_name='feedbackround',
            constraint=models.UniqueConstraint(condition=models.Q(('cohort__isnull', False)), fields=('cohort', 'audience'), name='one_round_per_cohort_audience'),
        ),
        migrations.AddConstraint(
            model_name='feedbackround',
            constraint=models.UniqueConstraint(condition=models.Q(('audience', 'tasters')), fields=('group',), name='one_taster_round_per_group'),
        ),
        migrations.AddConstraint(
            model_name='feedbackround',
            constraint=models.UniqueConstraint(condition=models.Q(('audience', 'members'), ('closed_at__isnull', True)), fields=('group',), name='one_open_member_round_per_group'),
        ),
        migrations.AddConstraint(
            model_name='feedbackround',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('audience__in', ['trainees', 'facilitators']), ('cohort__isnull', False)), models.Q(('audience__in', ['members', 'tasters']), ('cohort__isnull', True), ('group__isnull', False)), _connector='OR'), name='round_has_its_scope'),
        ),
        migrations.AddConstraint(
            model_name='resultcount',
            constraint=models.UniqueConstraint(fields=('batch', 'key', 'value'), name='one_count_per_value'),
        ),
    ]

"""Peer recognition: each entry carries what the rules need to judge it (issue 9).

Entries of the old kind "first_author_oral" become kind "oral" with first_author = yes (the kind said so)
and presented_in_person = not stated, so they stop counting until the trainee says yes (the EACVI text
accepts an oral only when the candidate "presented the data themselves"); the page names them. Existing
entries keep scope = international (the reading peer.csv gives an empty scope) and an empty event (the
rules then read the entry's reference, else its title).
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Peer = apps.get_model("logbook", "PeerRecognition")
    Peer.objects.filter(kind="first_author_oral").update(kind="oral", first_author=True, presented_in_person=None)


def backwards(apps, schema_editor):
    Peer = apps.get_model("logbook", "PeerRecognition")
    Peer.objects.filter(kind="oral", first_author=True).update(kind="first_author_oral")
    # An oral whose first author was not the trainee had no kind before: it was not first-author evidence.
    Peer.objects.filter(kind="oral").update(kind="poster")


class Migration(migrations.Migration):

    dependencies = [
        ('logbook', '0008_level2_usage'),
    ]

    operations = [
        migrations.AddField(
            model_name='peerrecognition',
            name='event',
            field=models.CharField(blank=True, help_text='The course, conference or meeting (for a paper: the journal). Two entries at the same event count once.', max_length=300, verbose_name='meeting, course or journal'),
        ),
        migrations.AddField(
            model_name='peerrecognition',
            name='first_author',
            field=models.BooleanField(blank=True, null=True, verbose_name='I was the first author'),
        ),
        migrations.AddField(
            model_name='peerrecognition',
            name='presented_in_person',
            field=models.BooleanField(blank=True, null=True, verbose_name='I presented it myself'),
        ),
        migrations.AddField(
            model_name='peerrecognition',
            name='scope',
            field=models.CharField(choices=[('local', 'Local'), ('national', 'National'), ('international', 'International')], default='international', help_text='An oral presentation counts only at a national or international meeting.', max_length=16, verbose_name='meeting scope'),
        ),
        migrations.AlterField(
            model_name='peerrecognition',
            name='kind',
            field=models.CharField(choices=[('cme_faculty', 'Faculty at a CME course'), ('invited_talk', 'Invited talk or chair'), ('publication', 'Peer-reviewed CMR paper (no abstracts)'), ('oral', 'Oral presentation of original data'), ('poster', 'Poster (does not count)')], max_length=20),
        ),
        migrations.RunPython(forwards, backwards),
    ]

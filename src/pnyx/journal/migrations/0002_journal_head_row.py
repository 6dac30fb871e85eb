from django.db import migrations

GENESIS = "0" * 64


def create_head(apps, schema_editor):
    JournalHead = apps.get_model("journal", "JournalHead")
    JournalHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})


class Migration(migrations.Migration):
    """The head row exists from the start, so that concurrent first appends lock the same row."""

    dependencies = [("journal", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]

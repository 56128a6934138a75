"""Holdings become searchable by the holder's name (issue 11: "people are
found by search"): a folded `search_text`, filled for existing rows, with a
trigram index on PostgreSQL like the other searchable tables."""

from django.db import migrations, models

from qnmerge.trigram import trigram_indexes

index_forward, index_backward = trigram_indexes("agencies_holding")


def fill(apps, schema_editor):
    from agencies.text import fold

    Holding = apps.get_model("agencies", "Holding")
    for holding in Holding.objects.exclude(holder_name="").only("pk", "holder_name").iterator():
        Holding.objects.filter(pk=holding.pk).update(search_text=fold(holding.holder_name))


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0006_citation_passages"),
    ]

    operations = [
        migrations.AddField(
            model_name="holding",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index_forward, index_backward),
    ]

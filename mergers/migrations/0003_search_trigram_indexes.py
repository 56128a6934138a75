from django.db import migrations

from qnmerge.trigram import trigram_indexes

forward, backward = trigram_indexes("mergers_merger")


class Migration(migrations.Migration):
    dependencies = [("mergers", "0002_filter_sort_indexes")]
    operations = [migrations.RunPython(forward, backward)]

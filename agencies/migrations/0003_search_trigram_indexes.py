from django.db import migrations

from qnmerge.trigram import trigram_indexes

forward, backward = trigram_indexes(
    "agencies_body", "agencies_administrativeunit", "agencies_post", "agencies_legaldocument"
)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0002_filter_sort_indexes")]
    operations = [migrations.RunPython(forward, backward)]

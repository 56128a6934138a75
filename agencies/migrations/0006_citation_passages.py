"""Citations keep the passage they rest on (issue 11).

Each `sources` many-to-many becomes a through model (`<Model>Citation`) on
the table the plain link already used, so every existing link stays as it
was; the table gains `quote` (the source's own words) and `reasoning` (how
the record follows when no sentence states it). Sources gain the kind
"legal document" for resolutions cited in their own right.
"""

from django.db import migrations, models

from ._citations import citation_operations

KIND = models.CharField(
    choices=[("article", "News article"), ("register", "Official register"),
             ("legal_document", "Legal document (resolution, decision)")],
    default="article", max_length=20, verbose_name="kind",
)


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0005_history_links_and_author_names"),
    ]

    operations = [
        migrations.AlterField(model_name="historicalsource", name="kind", field=KIND),
        migrations.AlterField(model_name="source", name="kind", field=KIND),
        *citation_operations("agencies", "LegalDocument", "legal document", "documents",
                             help_text="Articles that report this document."),
        *citation_operations("agencies", "AdministrativeUnit", "administrative unit", "units"),
        *citation_operations("agencies", "UnitChange", "unit change", "unit_changes"),
        *citation_operations("agencies", "Body", "body", "bodies"),
        *citation_operations("agencies", "Post", "post", "posts"),
        *citation_operations("agencies", "Holding", "post holding", "holdings"),
    ]

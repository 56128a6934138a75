"""Shared by the 0006 migrations of agencies and mergers: a plain `sources`
many-to-many becomes a through model on the same table."""

import django.db.models.deletion
from django.db import migrations, models

QUOTE_HELP = "The passage the record rests on, in the source's own words (one or two sentences)."
REASONING_HELP = "When the record rests on reasoning rather than on one sentence: how it follows, in plain words."


def citation_operations(app_label, owner, verbose_name, related_name, help_text=""):
    """State: the through model on the existing table; database: two new columns."""
    field_name = owner.lower()
    through = f"{owner}Citation"
    m2m = dict(blank=True, related_name=related_name, through=f"{app_label}.{through}", to="agencies.source",
               verbose_name="sources")
    if help_text:
        m2m["help_text"] = help_text
    state = [
        migrations.CreateModel(
            name=through,
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (field_name, models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="citations",
                                               to=f"{app_label}.{field_name}", verbose_name=verbose_name)),
                ("source", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                             to="agencies.source", verbose_name="source")),
            ],
            options={
                "verbose_name": "citation",
                "verbose_name_plural": "citations",
                "db_table": f"{app_label}_{field_name}_sources",
                "unique_together": {(field_name, "source")},
            },
        ),
        migrations.AlterField(model_name=field_name, name="sources", field=models.ManyToManyField(**m2m)),
    ]
    return [
        # The table exists (the plain link's): only Django's picture of it changes.
        migrations.SeparateDatabaseAndState(state_operations=state, database_operations=[]),
        migrations.AddField(
            model_name=through.lower(), name="quote",
            field=models.TextField(blank=True, default="", verbose_name="quote", help_text=QUOTE_HELP),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name=through.lower(), name="reasoning",
            field=models.TextField(blank=True, default="", verbose_name="reasoning", help_text=REASONING_HELP),
            preserve_default=False,
        ),
    ]

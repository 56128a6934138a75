"""Citations keep the passage they rest on (issue 11): see
agencies/migrations/0006_citation_passages.py. Reported figures say whether
the source names the units it counts."""

from django.db import migrations, models

from agencies.migrations import _citations

NAMES_UNITS = models.BooleanField(
    default=True,
    help_text='Untick when the source gives only a total ("3 of 14 districts") without saying which units: the '
              'records are then not expected to add up to it.',
    verbose_name="the source names the units",
)


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0006_citation_passages"),
        ("mergers", "0005_history_links_and_author_names"),
    ]

    operations = [
        *_citations.citation_operations("mergers", "MergerModel", "merger model", "merger_models"),
        *_citations.citation_operations("mergers", "Merger", "merger", "mergers"),
        *_citations.citation_operations("mergers", "Milestone", "milestone", "milestones"),
        *_citations.citation_operations("mergers", "Headcount", "headcount figure", "headcounts"),
        *_citations.citation_operations("mergers", "ReportedFigure", "reported figure", "reported_figures"),
        # A total whose units the source does not name ("3 of 14") is not a mismatch.
        migrations.AddField(model_name="historicalreportedfigure", name="names_units", field=NAMES_UNITS),
        migrations.AddField(model_name="reportedfigure", name="names_units", field=NAMES_UNITS),
    ]

"""Citations keep the passage they rest on (issue 11): see
agencies/migrations/0006_citation_passages.py."""

from django.db import migrations

from agencies.migrations import _citations


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0006_citation_passages"),
        ("mergers", "0004_uncertain_dates"),
    ]

    operations = [
        *_citations.citation_operations("mergers", "MergerModel", "merger model", "merger_models"),
        *_citations.citation_operations("mergers", "Merger", "merger", "mergers"),
        *_citations.citation_operations("mergers", "Milestone", "milestone", "milestones"),
        *_citations.citation_operations("mergers", "Headcount", "headcount figure", "headcounts"),
        *_citations.citation_operations("mergers", "ReportedFigure", "reported figure", "reported_figures"),
    ]

"""django-import-export resources: rows refer to records by stable identifiers."""

from import_export import resources

from .models import Constituent, Headcount, Merger, MergerModel, Milestone, ReportedFigure


class MergerModelResource(resources.ModelResource):
    class Meta:
        model = MergerModel


class MergerResource(resources.ModelResource):
    class Meta:
        model = Merger


class ConstituentResource(resources.ModelResource):
    class Meta:
        model = Constituent


class MilestoneResource(resources.ModelResource):
    class Meta:
        model = Milestone


class HeadcountResource(resources.ModelResource):
    class Meta:
        model = Headcount


class ReportedFigureResource(resources.ModelResource):
    class Meta:
        model = ReportedFigure

"""django-import-export resources: rows refer to records by stable identifiers."""

from import_export import resources

from .models import AdministrativeUnit, Body, Holding, LegalDocument, Post, Source, UnitChange


class SourceResource(resources.ModelResource):
    class Meta:
        model = Source


class LegalDocumentResource(resources.ModelResource):
    class Meta:
        model = LegalDocument


class AdministrativeUnitResource(resources.ModelResource):
    class Meta:
        model = AdministrativeUnit


class UnitChangeResource(resources.ModelResource):
    class Meta:
        model = UnitChange


class BodyResource(resources.ModelResource):
    class Meta:
        model = Body


class PostResource(resources.ModelResource):
    class Meta:
        model = Post


class HoldingResource(resources.ModelResource):
    class Meta:
        model = Holding

"""The dashboard (status of each merger model in each district) and the
merger models, with their files: one row per district and model, or one
column per model."""

from functools import cached_property

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.dates import sort_day
from agencies.models import AdministrativeUnit, Event, LegalDocument
from core.cache import cached
from mergers.models import Merger, MergerModel, ReportedFigure

from .. import dashboard as matrix
from ..exports import POSSIBLE_STATUS_COLUMNS, STATUS_DATE_COLUMNS, C, Report, T, attr
from .base import Download, Page, citations, paginate

NOT_APPLICABLE = "not_applicable"


def dashboard_status(cell):
    """A cell's status code: `none` when nothing is recorded yet, `not_applicable`
    when the model is not a merger made at the unit's level."""
    if not cell.applies:
        return NOT_APPLICABLE
    return cell.status or "none"


def dashboard_source_ids(cell):
    # A cell lists citations (a source with its passage) or sources.
    return sorted(getattr(item, "source", item).slug for item in (cell.sources or []))


DISTRICT_CODE = C(
    "district_gso_code", T.IDENTIFIER, _("GSO code of the district, or of the province"), attr("unit.gso_code")
)
DISTRICT_NAME = C("district", T.TEXT, _("Vietnamese name of the district or province"), attr("unit.name_vi"))

DASHBOARD = Report(
    name="dashboard",
    title=_("Status of each merger model in each district"),
    description=_("One row per district (and the province) and merger model: the status on the chosen date."),
    columns=(
        DISTRICT_CODE,
        DISTRICT_NAME,
        C("merger_model", T.IDENTIFIER, _("Identifier (slug) of the merger model"), attr("model.slug")),
        C("merger_model_name", T.TEXT, _("Vietnamese name of the merger model"), attr("model.name_vi")),
        C(
            "status",
            T.CODE,
            _(
                "Status on the chosen date: planned, in_progress, completed, reversed; none when nothing is recorded yet; not_applicable when the model is not made at this unit's level"
            ),
            dashboard_status,
            labels="status",
        ),
        *STATUS_DATE_COLUMNS,
        *POSSIBLE_STATUS_COLUMNS,
        C(
            "source_ids",
            T.LIST,
            _("Identifiers (slugs) of the sources of that milestone, separated by ;"),
            dashboard_source_ids,
        ),
    ),
)


def dashboard_wide(models):
    """The dashboard as a wide table, ready for a pivot: one row per district
    (and the province), one column per merger model holding its status code.
    Its rows are the dashboard's cells grouped by unit: (unit, [Cell per model])."""

    def status_of(position):
        return lambda row: dashboard_status(row[1][position])

    return Report(
        name="dashboard_wide",
        title=_("Status by district and merger model (wide)"),
        description=_(
            "One row per district (and the province), one column per merger model: the status on the chosen date."
        ),
        columns=(
            C(DISTRICT_CODE.name, T.IDENTIFIER, DISTRICT_CODE.meaning, lambda row: row[0].gso_code),
            C(DISTRICT_NAME.name, T.TEXT, DISTRICT_NAME.meaning, lambda row: row[0].name_vi),
            *(
                C(
                    model.slug,
                    T.CODE,
                    format_lazy(
                        _("Status of the model “{name}” on the chosen date (codes as in the dashboard report)"),
                        name=model.name_vi,
                    ),
                    status_of(position),
                    labels="status",
                    heading=lambda model=model: model.short,
                )
                for position, model in enumerate(models)
            ),
        ),
    )


class Dashboard(Page):
    name = "dashboard"
    route = ""
    template = "portal/dashboard.html"
    menu = _("Dashboard")
    scoped = dated = True
    paginate_by = 50  # units (rows) of the status matrix
    downloads = (
        Download(DASHBOARD, rows="cells"),
        Download(lambda page: dashboard_wide(page.matrix[1]), rows="matrix_rows", layout="wide", name="dashboard_wide"),
    )

    @cached_property
    def matrix(self):
        """(rows, models) of every unit of the scope: the files' rows."""
        return matrix.status_matrix(self.province, self.day)

    def matrix_rows(self):
        return self.matrix[0]

    def cells(self):
        return matrix.cells_of(self.matrix[0])

    def context(self):
        # A province (Quảng Ninh: 15 rows) fits on one page; nationwide, the
        # 700-odd districts come a page at a time.
        province, day = self.province, self.day
        page_obj = paginate(self.request, matrix.matrix_units(province), self.paginate_by)
        rows, models = matrix.status_matrix(province, day, units=list(page_obj.object_list))
        # Headline figures are the costliest query on the page and change only
        # when the data does: cached until the next write (core.cache).
        # Nationwide, every province's figures (hundreds) are no headline: the
        # page links to the list of reported figures instead.
        figures = province and cached(
            f"dashboard-figures:{province.pk}:{day.isoformat()}",
            lambda: list(
                ReportedFigure.objects.about_province(province)
                .reported_by(day)
                .with_computed()
                .select_related("unit")
                .prefetch_related(citations(ReportedFigure))
            ),
        )
        cells = matrix.cells_of(rows)
        return {
            "has_records": any(cell.merger for cell in cells) or matrix.has_mergers(province),
            "provinces": AdministrativeUnit.objects.provinces().order_by("gso_code", "slug"),
            "rows": rows,
            "citations": matrix.cite(cells),
            "page_obj": page_obj,
            "models": models,
            "figures": figures,
        }


class ModelList(Page):
    """The merger models, each with how many mergers it counts and how many
    of them are completed on the day shown."""

    name = "model_list"
    route = "models/"
    template = "portal/model_list.html"
    menu = _("Merger models")
    scoped = dated = True

    def context(self):
        mergers = Merger.objects.filter(model__isnull=False)
        if self.province is not None:
            mergers = mergers.in_province(self.province)
        totals = dict(mergers.order_by().values_list("model").annotate(n=Count("pk")))
        completed = dict(mergers.completed(self.day).order_by().values_list("model").annotate(n=Count("pk")))
        models = list(MergerModel.objects.order_by("order", "slug"))
        for model in models:
            model.merger_count = totals.get(model.pk, 0)
            model.completed_count = completed.get(model.pk, 0)
        return {"models": models}


class ModelDetail(Page):
    """A merger model: its status in each unit on the day shown (the
    dashboard's column), and the figures the sources give about it."""

    name = "model"
    route = "models/<slug:slug>/"
    template = "portal/model_detail.html"
    scoped = dated = True
    paginate_by = 50  # units of the model's column
    downloads = (Download(DASHBOARD, rows="cells"),)

    @cached_property
    def model(self):
        return get_object_or_404(
            MergerModel.objects.prefetch_related(
                Prefetch("basis", queryset=LegalDocument.objects.order_by("signed_on", "number"), to_attr="basis_list"),
                citations(MergerModel),
            ),
            slug=self.kwargs["slug"],
        )

    def subject(self):
        return self.model.slug

    def cells(self, units=None):
        """The model's column of the dashboard: its cell in every unit where
        the model applies (the page's rows and its file's); in `units` when given."""
        rows, models = matrix.status_matrix(self.province, self.day, units=units)
        column = next(i for i, m in enumerate(models) if m.pk == self.model.pk)
        return [cells[column] for _unit, cells in rows if cells[column].applies]

    def context(self):
        figures = (
            ReportedFigure.objects.of_model(self.model)
            .in_scope_of(self.province)
            .with_computed()
            .select_related("unit")
            .prefetch_related(citations(ReportedFigure))
            .order_by("as_of", "slug")
        )
        # Conferences and inspections about the model's legal basis (the review
        # of Decision 44-QĐ/TU for the Front bloc).
        events = (
            Event.objects.filter(
                pk__in=Event.documents.through.objects.filter(
                    legaldocument__in=[doc.pk for doc in self.model.basis_list]
                ).values("event")
            )
            .select_related("unit")
            .prefetch_related(citations(Event))
            .order_by(sort_day("date"), "pk")
        )
        # The units where the model applies (Cell.applies), a page at a time:
        # nationwide they are the 700-odd districts.
        units = matrix.applying_units(self.model, matrix.matrix_units(self.province))
        page_obj = paginate(self.request, units, self.paginate_by)
        return {
            "model": self.model,
            "figures": figures,
            "events": events,
            "page_obj": page_obj,
            "cells": self.cells(units=list(page_obj.object_list)) if units else [],
        }

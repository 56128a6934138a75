"""Public portal pages. Thin views: query logic lives on the models' QuerySets,
`portal.dashboard` and `portal.filters`; every page runs a fixed number of
queries whatever the size of the data."""

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.dates import sort_day
from agencies.models import (
    AdministrativeUnit,
    Body,
    Event,
    EventParticipant,
    Holding,
    LegalDocument,
    Post,
    Source,
    UnitChange,
    UnitSuccession,
    seen_from,
)
from core.cache import cached
from mergers.models import Constituent, Headcount, Merger, MergerModel, Milestone, ReportedFigure, headcount_change

from . import dashboard as matrix
from .filters import MAX_QUERY_LENGTH, BodyFilter, DocumentFilter, MergerFilter, SourceFilter, clean_params, matching
from .scope import current_province, parse_as_of

PAGE_SIZE = 50
DASHBOARD_PAGE_SIZE = 50  # units (rows) of the status matrix
SEARCH_GROUP_SIZE = 20
SOURCE_GROUP_SIZE = 200


# ---------------------------------------------------------------- helpers


def _csv(request, report, rows, as_of=None, subject=None):
    """The report as the file `?format=` asks for: CSV or XLSX."""
    from . import exports  # the export helper's module

    return exports.export_response(request, report, rows, as_of=as_of, subject=subject)


def _wants_csv(request):
    """Whether the page is asked for as a file (?format=csv or ?format=xlsx)."""
    from .exports import wants_file

    return wants_file(request) is not None


def _as_of(request):
    """(the day to show, the day the user asked for or None, notices)."""
    asked, error = parse_as_of(request)
    return asked or timezone.localdate(), asked, [error] if error else []


def _page(request, queryset, size=PAGE_SIZE):
    """A page that never fails: "abc" gives the first page, 99999 the last."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _filtered(filterset, notices):
    """The filterset's rows, or none with a message when its form is invalid."""
    if filterset.is_bound and not filterset.is_valid():
        notices.append(_("Some filters are not valid; correct them to see results."))
        return filterset.queryset.none()
    return filterset.qs


def _scoped_request(request, province):
    request.portal_province = province
    return request


def _sources_prefetch(model, to_attr="source_list"):
    """A record's citations (source, quote, reasoning) in source order, as `to_attr`:
    the sources include shows each source with the passage it rests on."""
    citations = model.sources.through.objects.select_related("source").order_by("source__published_on", "source__slug")
    return Prefetch("citations", queryset=citations, to_attr=to_attr)


def _posts_with_holders(to_attr="post_list"):
    """A body's posts, each with the named people the sources say held it."""
    holders = (
        Holding.objects.exclude(holder_name="")
        .prefetch_related(_sources_prefetch(Holding))
        .order_by("reported_on", "slug")
    )
    return Prefetch(
        "posts",
        queryset=Post.objects.prefetch_related(Prefetch("holdings", queryset=holders, to_attr="holder_list")).order_by(
            "title_vi"
        ),
        to_attr=to_attr,
    )


def _in_scope(unit, prefix=""):
    """Records of a unit and of the units below it (a province: its own only,
    its districts have their own pages)."""
    if unit.level == AdministrativeUnit.Level.PROVINCE:
        return Q(**{f"{prefix}unit": unit})
    return unit.subtree_q(f"{prefix}unit")


def _merger_rows(queryset):
    """Mergers with what a list row shows: unit, model, result, constituents."""
    return queryset.select_related("model", "unit", "result").prefetch_related(
        Prefetch(
            "constituent_links",
            queryset=Constituent.objects.select_related("body").order_by("order", "pk"),
            to_attr="links",
        )
    )


# ---------------------------------------------------------------- dashboard


def dashboard(request):
    province = current_province(request)
    day, asked, notices = _as_of(request)
    if _wants_csv(request):
        rows, models = matrix.status_matrix(province, day)
        if request.GET.get("layout") == "wide":
            from .exports import dashboard_wide

            return _csv(request, dashboard_wide(models), rows, as_of=day)
        return _csv(request, "dashboard", matrix.cells_of(rows), as_of=day)
    # A province (Quảng Ninh: 15 rows) fits on one page; nationwide, the
    # 700-odd districts come a page at a time.
    page_obj = _page(request, matrix.matrix_units(province), DASHBOARD_PAGE_SIZE)
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
            .prefetch_related(_sources_prefetch(ReportedFigure))
        ),
    )
    return render(
        request,
        "portal/dashboard.html",
        {
            "has_records": any(cell.merger for cell in matrix.cells_of(rows)) or matrix.has_mergers(province),
            "province": province,
            "provinces": AdministrativeUnit.objects.provinces().order_by("gso_code"),
            "rows": rows,
            "citations": matrix.cite(matrix.cells_of(rows)),
            "page_obj": page_obj,
            "models": models,
            "day": day,
            "as_of": asked,
            "as_of_value": day.isoformat(),
            "figures": figures,
            "page_notices": notices,
        },
    )


def model_list(request):
    """The merger models, each with how many mergers it counts and how many
    of them are completed on the day shown."""
    province = current_province(request)
    day, asked, notices = _as_of(request)
    mergers = Merger.objects.filter(model__isnull=False)
    if province is not None:
        mergers = mergers.in_unit_tree(province)
    totals = dict(mergers.order_by().values_list("model").annotate(n=Count("pk")))
    completed = dict(mergers.completed(day).order_by().values_list("model").annotate(n=Count("pk")))
    models = list(MergerModel.objects.order_by("order", "slug"))
    for model in models:
        model.merger_count = totals.get(model.pk, 0)
        model.completed_count = completed.get(model.pk, 0)
    return render(
        request,
        "portal/model_list.html",
        {
            "models": models,
            "province": province,
            "day": day,
            "as_of": asked,
            "as_of_value": day.isoformat(),
            "page_notices": notices,
        },
    )


def model_detail(request, slug):
    model = get_object_or_404(
        MergerModel.objects.prefetch_related(
            Prefetch("basis", queryset=LegalDocument.objects.order_by("signed_on", "number"), to_attr="basis_list"),
            _sources_prefetch(MergerModel),
        ),
        slug=slug,
    )
    province = current_province(request)
    day, asked, notices = _as_of(request)
    rows, models = matrix.status_matrix(province, day)
    column = next(i for i, m in enumerate(models) if m.pk == model.pk)
    cells = [cells[column] for _unit, cells in rows]
    if _wants_csv(request):
        return _csv(request, "dashboard", cells, as_of=day, subject=model.slug)
    cells = [cell for cell in cells if cell.applies]
    figures = (
        ReportedFigure.objects.of_model(model)
        .in_scope_of(province)
        .with_computed()
        .select_related("unit")
        .prefetch_related(_sources_prefetch(ReportedFigure))
        .order_by("as_of", "slug")
    )
    # Conferences and inspections about the model's legal basis (the review
    # of Decision 44-QĐ/TU for the Front bloc).
    events = (
        Event.objects.filter(
            pk__in=Event.documents.through.objects.filter(
                legaldocument__in=[doc.pk for doc in model.basis_list]
            ).values("event")
        )
        .select_related("unit")
        .prefetch_related(_sources_prefetch(Event))
        .order_by(sort_day("date"), "pk")
    )
    return render(
        request,
        "portal/model_detail.html",
        {
            "model": model,
            "figures": figures,
            "events": events,
            "province": province,
            "cells": cells,
            "day": day,
            "as_of": asked,
            "as_of_value": day.isoformat(),
            "page_notices": notices,
        },
    )


# ---------------------------------------------------------------- districts


def district_list(request):
    province = current_province(request)
    day, asked, notices = _as_of(request)
    units = AdministrativeUnit.objects.districts().order_by("gso_code")
    if province is not None:
        units = units.filter(province=province)
    if _wants_csv(request):
        return _csv(request, "districts", units, as_of=day)

    # Counts cover the district and the communes below it; subqueries, not
    # joins, so bodies and mergers do not multiply each other.
    def count_in(queryset):
        rows = queryset.filter(unit__district=OuterRef("pk")).order_by().values("unit__district")
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)

    units = units.select_related("province").annotate(
        body_count=count_in(Body.objects.all()),
        merger_count=count_in(Merger.objects.all()),
    )
    completed_by_unit = dict(
        Merger.objects.completed(day)
        .filter(unit__district__in=units.values("pk"))
        .order_by()
        .values_list("unit__district")
        .annotate(n=Count("pk"))
    )
    units = list(units)
    endings = matrix.ending_changes(units, day)
    for unit in units:
        unit.completed_count = completed_by_unit.get(unit.pk, 0)
        unit.ending_change = endings.get(unit.pk)
        unit.has_ended = unit.ended_by(day) or unit.ending_change is not None
    return render(
        request,
        "portal/district_list.html",
        {
            "province": province,
            "units": units,
            "day": day,
            "as_of": asked,
            "page_notices": notices,
        },
    )


def district_detail(request, slug):
    unit = get_object_or_404(
        AdministrativeUnit.objects.select_related("parent", "district", "province").prefetch_related(
            _sources_prefetch(AdministrativeUnit),
            Prefetch(
                "children", queryset=AdministrativeUnit.objects.order_by("gso_code", "name_vi"), to_attr="child_list"
            ),
        ),
        slug=slug,
    )
    day, asked, notices = _as_of(request)
    scope = _in_scope(unit)
    bodies = (
        Body.objects.with_end(day)
        .filter(scope)
        .select_related("unit", "successor")
        .order_by("unit__gso_code", "name_vi")
    )
    mergers = Merger.objects.filter(scope).with_status(day).with_headcount().order_by("model__order", "slug")
    if _wants_csv(request):
        # The district's mergers with their status on the day shown: the mergers report.
        return _csv(request, "mergers", mergers, as_of=day, subject=unit.slug)
    mergers = _merger_rows(mergers)
    holdings = (
        Holding.objects.unified()
        .filter(scope)
        .select_related("unit")
        .prefetch_related(
            Prefetch("posts", queryset=Post.objects.order_by("title_vi"), to_attr="post_list"),
            _sources_prefetch(Holding),
        )
        .order_by("unit__gso_code", "combination", "slug")
    )
    heads = (
        Holding.objects.filter(scope, combination="")
        .exclude(holder_name="")
        .select_related("unit")
        .prefetch_related(
            Prefetch("posts", queryset=Post.objects.select_related("body").order_by("title_vi"), to_attr="post_list"),
            _sources_prefetch(Holding),
        )
        .order_by("unit__gso_code", "slug")
    )
    figures = (
        ReportedFigure.objects.with_computed()
        .filter(unit=unit)
        .prefetch_related(_sources_prefetch(ReportedFigure))
        .order_by("as_of", "slug")
    )
    milestones = (
        Milestone.objects.filter(_in_scope(unit, prefix="merger__"))
        .select_related("merger", "merger__unit", "basis")
        .prefetch_related(_sources_prefetch(Milestone))
    )
    events = list(Event.objects.filter(_in_scope(unit)).with_people().order_by(sort_day("date"), "pk"))
    changes = seen_from(
        UnitChange.objects.concerning(unit)
        .select_related("unit", "related_unit", "basis")
        .prefetch_related(_sources_prefetch(UnitChange))
        .order_by(sort_day("date"), "pk"),
        unit,
    )
    gone = {c.unit_id for c in changes if c.kind in matrix.ENDING_KINDS and c.date_latest and c.date_latest <= day}
    for child in unit.child_list:
        child.gone = child.ended_by(day) or child.pk in gone
    timeline = sorted(
        [("milestone", m.sort_day("date"), m) for m in milestones]
        + [("unit_change", c.sort_day("date"), c) for c in changes]
        + [("event", e.sort_day("date"), e) for e in events],
        key=lambda item: (item[1], item[0]),
    )
    endings = matrix.ending_changes([unit], day)
    # 2025: grouped by the later unit, each with the units it came from.
    reorganisation = {}
    for row in UnitSuccession.objects.around(unit):
        reorganisation.setdefault(row.successor, []).append(row)
    return render(
        request,
        "portal/district_detail.html",
        {
            "unit": unit,
            "reorganisation": list(reorganisation.items()),
            "bodies": bodies,
            "mergers": mergers,
            "holdings": holdings,
            "heads": heads,
            "figures": figures,
            "events": events,
            "timeline": timeline,
            "changes": changes,
            "ending": endings.get(unit.pk),
            "ended": unit.ended_by(day) or unit.pk in endings,
            "day": day,
            "as_of": asked,
            "as_of_value": day.isoformat(),
            "page_notices": notices,
        },
    )


# ---------------------------------------------------------------- mergers


def merger_list(request):
    province = current_province(request)
    day, asked, notices = _as_of(request)
    base = Merger.objects.with_status(day).with_headcount()
    if province is not None:
        base = base.filter(province.subtree_q())
    filterset = MergerFilter(clean_params(request.GET), queryset=base, request=_scoped_request(request, province))
    mergers = _filtered(filterset, notices)
    if _wants_csv(request):
        return _csv(request, "mergers", mergers, as_of=day)
    page = _page(request, _merger_rows(mergers))
    return render(
        request,
        "portal/merger_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "mergers": page.object_list,
            "province": province,
            "day": day,
            "as_of_value": day.isoformat(),
            "as_of": asked,
            "page_notices": notices,
        },
    )


def merger_detail(request, pk):
    day, asked, notices = _as_of(request)
    if _wants_csv(request):
        # The merger's dated statuses: the milestones report, for this merger.
        merger = get_object_or_404(Merger, pk=pk)
        return _csv(
            request,
            "milestones",
            Milestone.objects.filter(merger=merger).order_by(sort_day("date"), "pk"),
            subject=merger.slug,
        )
    merger = get_object_or_404(
        _merger_rows(Merger.objects.with_status(day).with_headcount())
        .prefetch_related(
            Prefetch("basis", queryset=LegalDocument.objects.order_by("signed_on", "number"), to_attr="basis_list"),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("basis").prefetch_related(_sources_prefetch(Milestone)),
                to_attr="milestone_list",
            ),
            Prefetch(
                "headcounts",
                queryset=Headcount.objects.prefetch_related(_sources_prefetch(Headcount)).order_by("phase"),
                to_attr="headcount_list",
            ),
            Prefetch(
                "result__posts",
                queryset=Post.objects.prefetch_related(
                    Prefetch(
                        "holdings",
                        queryset=Holding.objects.exclude(holder_name="").order_by("reported_on", "slug"),
                        to_attr="holder_list",
                    )
                ).order_by("title_vi"),
                to_attr="post_list",
            ),
            _sources_prefetch(Merger),
        )
        .select_related("model", "unit__province"),
        pk=pk,
    )
    before, after = merger.headcount_before, merger.headcount_after
    change, percent = headcount_change(before, after)
    return render(
        request,
        "portal/merger_detail.html",
        {
            "merger": merger,
            "before": before,
            "after": after,
            "change": change,
            "percent": percent,
            "day": day,
            "as_of": asked,
            "as_of_value": day.isoformat(),
            "page_notices": notices,
        },
    )


# ---------------------------------------------------------------- bodies


def body_list(request):
    province = current_province(request)
    notices = []
    base = Body.objects.with_end()
    if province is not None:
        base = base.filter(province.subtree_q())
    filterset = BodyFilter(clean_params(request.GET), queryset=base, request=_scoped_request(request, province))
    bodies = _filtered(filterset, notices)
    if not (filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("sort")):
        bodies = bodies.order_by("unit__gso_code", "name_vi")
    if _wants_csv(request):
        return _csv(request, "bodies", bodies)
    page = _page(request, bodies.select_related("unit", "successor"))
    return render(
        request,
        "portal/body_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "bodies": page.object_list,
            "province": province,
            "page_notices": notices,
        },
    )


def body_detail(request, pk):
    day, asked, notices = _as_of(request)
    body = get_object_or_404(
        Body.objects.with_end(day)
        .select_related("unit", "successor", "successor__unit")
        .prefetch_related(
            Prefetch(
                "predecessors",
                queryset=Body.objects.select_related("unit").order_by("name_vi"),
                to_attr="predecessor_list",
            ),
            Prefetch(
                "formed_by",
                queryset=_merger_rows(Merger.objects.with_status(day)).order_by("slug"),
                to_attr="formed_by_list",
            ),
            Prefetch(
                "merged_in",
                queryset=_merger_rows(Merger.objects.with_status(day)).order_by("slug"),
                to_attr="merged_in_list",
            ),
            _posts_with_holders(),
            _sources_prefetch(Body),
        ),
        pk=pk,
    )
    # Predecessors: bodies naming it as successor, and constituents of the
    # mergers it resulted from, each once.
    predecessors = {b.pk: b for b in body.predecessor_list}
    for merger in body.formed_by_list:
        for link in merger.links:
            predecessors.setdefault(link.body.pk, link.body)
    return render(
        request,
        "portal/body_detail.html",
        {
            "body": body,
            "predecessors": sorted(predecessors.values(), key=lambda b: b.name_vi),
            "day": day,
            "as_of": asked,
            "page_notices": notices,
        },
    )


# ---------------------------------------------------------------- events


def event_detail(request, pk):
    """A conference, inspection, workshop or visit: when and where, what the
    source says happened, the documents it concerned, who was there in what
    role, each with the passage it rests on."""
    event = get_object_or_404(
        Event.objects.with_people()
        .select_related("unit__district", "unit__province")
        .prefetch_related(
            Prefetch(
                "documents", queryset=LegalDocument.objects.order_by("signed_on", "number"), to_attr="document_list"
            )
        ),
        pk=pk,
    )
    return render(request, "portal/event_detail.html", {"event": event})


# ---------------------------------------------------------------- documents and sources


def document_list(request):
    notices = []
    filterset = DocumentFilter(
        clean_params(request.GET), queryset=LegalDocument.objects.order_by("signed_on", "number")
    )
    documents = _filtered(filterset, notices)
    if _wants_csv(request):
        return _csv(request, "documents", documents)
    page = _page(request, documents.prefetch_related(_sources_prefetch(LegalDocument)))
    return render(
        request,
        "portal/document_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "documents": page.object_list,
            "page_notices": notices,
        },
    )


def document_detail(request, pk):
    document = get_object_or_404(
        LegalDocument.objects.prefetch_related(
            Prefetch(
                "mergers",
                queryset=Merger.objects.select_related("unit", "model").order_by("unit__gso_code", "slug"),
                to_attr="merger_list",
            ),
            Prefetch("merger_models", queryset=MergerModel.objects.order_by("order", "slug"), to_attr="model_list"),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("merger", "merger__unit").order_by(sort_day("date"), "pk"),
                to_attr="milestone_list",
            ),
            Prefetch(
                "unit_changes",
                queryset=UnitChange.objects.select_related("unit", "related_unit").order_by(sort_day("date"), "pk"),
                to_attr="change_list",
            ),
            Prefetch(
                "events",
                queryset=Event.objects.select_related("unit").order_by(sort_day("date"), "pk"),
                to_attr="event_list",
            ),
            _sources_prefetch(LegalDocument),
        ),
        pk=pk,
    )
    return render(request, "portal/document_detail.html", {"document": document})


def source_list(request):
    notices = []
    filterset = SourceFilter(clean_params(request.GET), queryset=Source.objects.order_by("published_on", "slug"))
    sources = _filtered(filterset, notices)
    if _wants_csv(request):
        return _csv(request, "sources", sources)
    page = _page(request, sources)
    return render(
        request,
        "portal/source_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "sources": page.object_list,
            "page_notices": notices,
        },
    )


def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    groups = [
        (_("Administrative units"), "unit", source.units.order_by("gso_code", "name_vi")),
        (_("Bodies"), "body", source.bodies.select_related("unit").order_by("unit__gso_code", "name_vi")),
        (_("Mergers"), "merger", source.mergers.select_related("unit", "model").order_by("unit__gso_code", "slug")),
        (_("Merger models"), "model", source.merger_models.order_by("order", "slug")),
        (
            _("Milestones"),
            "milestone",
            source.milestones.select_related("merger", "merger__unit").order_by(sort_day("date"), "pk"),
        ),
        (
            _("Headcount figures"),
            "headcount",
            source.headcounts.select_related("merger", "merger__unit").order_by("merger__slug", "phase"),
        ),
        (
            _("Post holdings and unified titles"),
            "holding",
            source.holdings.select_related("unit")
            .prefetch_related(Prefetch("posts", queryset=Post.objects.order_by("title_vi"), to_attr="post_list"))
            .order_by("unit__gso_code", "slug"),
        ),
        (_("Reported figures"), "figure", source.reported_figures.select_related("unit").order_by("as_of", "slug")),
        (_("Legal documents"), "document", source.documents.order_by("signed_on", "number")),
        (
            _("Unit changes"),
            "unit_change",
            source.unit_changes.select_related("unit", "related_unit").order_by(sort_day("date"), "pk"),
        ),
        (_("Posts"), "post", source.posts.select_related("unit").order_by("unit__gso_code", "title_vi")),
        (_("Conferences, inspections and visits"), "event", source.events.order_by(sort_day("date"), "pk")),
        (
            _("People named at events"),
            "participant",
            source.event_participants.select_related("event").order_by("event__date", "event__pk", "order", "pk"),
        ),
    ]
    # Each group is bounded: one more row than shown tells whether there are more.
    groups = [
        {"label": label, "kind": kind, "records": rows[:SOURCE_GROUP_SIZE], "more": len(rows) > SOURCE_GROUP_SIZE}
        for label, kind, rows in (
            (label, kind, list(records[: SOURCE_GROUP_SIZE + 1])) for label, kind, records in groups
        )
    ]
    return render(
        request,
        "portal/source_detail.html",
        {
            "source": source,
            "groups": groups,
            "group_size": SOURCE_GROUP_SIZE,
            "cited_count": sum(len(g["records"]) for g in groups),
            "more": any(g["more"] for g in groups),
        },
    )


# ---------------------------------------------------------------- search


def search(request):
    q = request.GET.get("q", "").replace("\x00", "")
    notices = []
    groups = []
    if len(q) > MAX_QUERY_LENGTH:
        notices.append(
            _("The search is too long (%(length)s characters); use at most %(max)s.")
            % {"length": len(q), "max": MAX_QUERY_LENGTH}
        )
        q_ok = False
    else:
        q_ok = bool(q.strip())
    if q_ok:
        groups = [
            (
                _("Districts and units"),
                "unit",
                matching(AdministrativeUnit.objects.all(), q).order_by("gso_code", "name_vi"),
            ),
            (
                _("Bodies"),
                "body",
                matching(Body.objects.with_end(), q).select_related("unit").order_by("unit__gso_code", "name_vi"),
            ),
            (
                _("Mergers"),
                "merger",
                matching(Merger.objects.all(), q).select_related("unit", "model").order_by("unit__gso_code", "slug"),
            ),
            (
                _("Legal documents"),
                "document",
                matching(LegalDocument.objects.all(), q).order_by("signed_on", "number"),
            ),
            (
                _("Posts and unified titles"),
                "post",
                matching(Post.objects.all(), q)
                .select_related("unit", "body")
                .prefetch_related(
                    Prefetch("holdings", queryset=Holding.objects.order_by("slug"), to_attr="holding_list")
                )
                .order_by("unit__gso_code", "title_vi"),
            ),
            (
                _("People"),
                "person",
                matching(Holding.objects.exclude(holder_name=""), q)
                .select_related("unit")
                .prefetch_related(
                    Prefetch(
                        "posts", queryset=Post.objects.select_related("body").order_by("title_vi"), to_attr="post_list"
                    )
                )
                .order_by("holder_name", "slug"),
            ),
            # People the sources name at a conference or inspection, most of
            # whom hold no post of a unit stored here (central delegates).
            (
                _("People named at conferences, inspections and visits"),
                "participant",
                matching(EventParticipant.objects.all(), q).select_related("event").order_by("name", "pk"),
            ),
            (
                _("Conferences, inspections and visits"),
                "event",
                Event.objects.filter(
                    Q(pk__in=matching(Event.objects.all(), q).values("pk"))
                    | Q(pk__in=matching(EventParticipant.objects.all(), q).values("event"))
                )
                .select_related("unit")
                .order_by(sort_day("date"), "pk"),
            ),
            (_("Sources"), "source", matching(Source.objects.all(), q).order_by("published_on", "slug")),
        ]
        # ?kind= shows every result of one group, a page at a time; without
        # it, the first few of each group with a link to all of them.
        kind = request.GET.get("kind")
        if kind not in {group_kind for _label, group_kind, _records in groups}:
            kind = None
        page_obj = None
        shown = []
        for label, group_kind, records in groups:
            if kind is None:
                shown.append(
                    {
                        "label": label,
                        "kind": group_kind,
                        "count": records.count(),
                        "records": list(records[:SEARCH_GROUP_SIZE]),
                    }
                )
            elif group_kind == kind:
                page_obj = _page(request, records)
                shown.append(
                    {
                        "label": label,
                        "kind": group_kind,
                        "count": page_obj.paginator.count,
                        "records": list(page_obj.object_list),
                    }
                )
        groups = shown
    else:
        kind = page_obj = None
    return render(
        request,
        "portal/search.html",
        {
            "kind": kind,
            "page_obj": page_obj,
            "q": q if len(q) <= MAX_QUERY_LENGTH else "",
            "search_query": q if len(q) <= MAX_QUERY_LENGTH else "",
            "searched": q_ok,
            "groups": groups,
            "total": sum(g["count"] for g in groups),
            "group_size": SEARCH_GROUP_SIZE,
            "page_notices": notices,
        },
    )

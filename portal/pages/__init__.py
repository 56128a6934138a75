"""The portal's pages: one definition each, and what is derived from them.

Each feature module here declares its pages (portal/pages/base.py: `Page`,
`ListPage`), with their FilterSets and the column specs of their files.
`PAGES` lists them in menu order; from it come the URL patterns
(portal/urls.py), the main menu (the `main_menu` template tag), the /data/
dictionary (`files`), `manage.py export` (`file_for`) and the query-count
tests, which measure every page of the registry.

Adding a page: declare it in a module here (a list page: `base()`, a
FilterSet, a `Download` with its `Report`), write its template, and add it
to `PAGES`. See docs/ARCHITECTURE.md, "Adding a page".
"""

from django.http import Http404, HttpRequest, QueryDict
from django.urls import path, reverse

from ..exports import Report
from ..scope import current_province
from . import (
    bodies,
    dashboard,
    data,
    districts,
    documents,
    events,
    figures,
    headcount,
    lookup,
    mergers,
    milestones,
    quality,
    search,
    sources,
    timeline,
    titles,
)

PAGES = [
    dashboard.Dashboard,
    districts.DistrictList,
    districts.DistrictDetail,
    dashboard.ModelList,
    dashboard.ModelDetail,
    mergers.MergerList,
    mergers.MergerDetail,
    milestones.MilestoneList,
    timeline.Timeline,
    events.EventDetail,
    bodies.BodyList,
    bodies.BodyDetail,
    titles.TitleList,
    headcount.HeadcountPage,
    lookup.Lookup,
    figures.FigureList,
    documents.DocumentList,
    documents.DocumentDetail,
    sources.SourceList,
    sources.SourceDetail,
    search.Search,
    data.DataDictionary,
    quality.Quality,
]
BY_NAME = {page.name: page for page in PAGES}


def urlpatterns():
    return [path(page.route, page.view(), name=page.name) for page in PAGES]


def menu():
    """(URL name, label) of each page in the main menu, in order."""
    return [(f"portal:{page.name}", page.menu) for page in PAGES if page.menu]


def _downloads():
    """{file name: (page, download)}: each file from the first page that
    offers it at an address naming no record (a list, not a record's page)."""
    found = {}
    for page in PAGES:
        if "<" in page.route:
            continue
        for download in page.downloads:
            found.setdefault(download.report_name, (page, download))
    return found


DOWNLOADS = _downloads()
# Every column spec with a fixed set of columns, by name (the wide dashboard's
# columns are the merger models: it has none until the page builds it).
REPORTS = {
    name: download.report for name, (_page, download) in DOWNLOADS.items() if isinstance(download.report, Report)
}


def files():
    """(report, its CSV address) for the /data/ dictionary, in menu order."""
    for name, report in REPORTS.items():
        page, download = DOWNLOADS[name]
        layout = f"&layout={download.layout}" if download.layout else ""
        yield report, f"{reverse(f'portal:{page.name}')}?format=csv{layout}"


class ExportError(ValueError):
    """A report, filter or value the export cannot use; the message says which."""


PROVINCE = "province"


def file_for(name, params, as_of=None):
    """(report, rows) of a file as its page gives it for these GET-style
    params, for `manage.py export`: `params` holds filter values and
    `province`; `as_of` is the day of a page that reads one.

    Raises ExportError for an unknown report, filter or province, or an
    invalid value (where the page would show no rows).
    """
    if name not in DOWNLOADS:
        raise ExportError(f"Unknown report {name!r}; choose one of: {', '.join(DOWNLOADS)}")
    page_class, download = DOWNLOADS[name]
    query = QueryDict(mutable=True)
    for key, value in params.lists() if isinstance(params, QueryDict) else params.items():
        query.setlist(key, value if isinstance(value, (list, tuple)) else [value])
    filters = page_class.filterset.base_filters if page_class.filterset else {}
    allowed = {PROVINCE, *page_class.params, *filters}
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise ExportError(
            f"Unknown filter {', '.join(unknown)} for {name}; known filters: {', '.join(sorted(allowed))}"
        )
    if as_of is not None and page_class.dated:
        query["as_of"] = as_of.isoformat()
    request = HttpRequest()
    request.GET = query
    try:
        current_province(request)  # an unknown province is refused for every report
        page = page_class(request)
    except Http404:
        raise ExportError(f"Unknown province {query.get(PROVINCE)!r}") from None
    form = getattr(page, "filter", None)
    if form is not None and form.invalid:
        problems = "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in form.errors.items()
        )
        raise ExportError(f"Invalid filter value for {name}: {problems}")
    return download.report_for(page), getattr(page, download.rows)()


def rows_for(name, params, as_of=None):
    """The rows of a file, as `file_for` reads them."""
    return file_for(name, params, as_of)[1]

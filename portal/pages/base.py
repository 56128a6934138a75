"""A page of the portal, declared once, and the one view that serves them all.

A `Page` subclass says everything about one page: its name and address, its
template, its menu entry, whether it reads the province (`?province=`) and
the day (`?as_of=`), and the files it offers (`downloads`). From it come the
view (`Page.view()`), the URL pattern, the menu, the /data/ dictionary and
`manage.py export` (the registry, `portal.pages`).

A `ListPage` adds its rows: `base()` (the unfiltered rows of the scope, as
of the day, in the page's order), one FilterSet, paging, and `shown()` (what
the screen joins to a page of them). The screen, the CSV and XLSX files and
the `export` command all read `rows()`, so a file holds the rows of the
screen, all of them.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from agencies.models import Holding, Post

from ..exports import Report, export_response, wants_file
from ..filters import Choices
from ..scope import current_province, parse_as_of


@dataclass(frozen=True)
class Download:
    """A file a page offers at `?format=csv` (or xlsx), with `?layout=<layout>`.

    `report` is the column spec, or for columns that depend on the data (one
    per merger model) a function of the page giving it, then named by
    `name`; `rows` names the page's method giving every row of the file.
    The file name carries the day when the page reads one, unless `dated`
    says otherwise.
    """

    report: Report | object
    rows: str = "rows"
    layout: str = ""
    name: str = ""
    dated: bool | None = None

    @property
    def report_name(self):
        return self.name or self.report.name

    def report_for(self, page):
        return self.report if isinstance(self.report, Report) else self.report(page)


class Page:
    name = ""  # URL name, in the "portal" namespace
    route = ""  # the address, as django.urls.path() takes it
    template = ""
    menu = None  # the main menu's label; None: not in the menu
    scoped = False  # reads ?province= (current_province)
    dated = False  # reads ?as_of= (parse_as_of): the records as they stood that day
    downloads = ()  # Download, the default (no layout) first
    filterset = None  # a portal.filters.PortalFilterSet (list pages)
    params = ()  # GET parameters it reads besides its FilterSet's (for `manage.py export`)
    decorators = ()  # view decorators beyond require_safe (staff only, never cached)

    def __init__(self, request, **kwargs):
        self.request = request
        self.kwargs = kwargs
        self.notices = []
        self.province = current_province(request) if self.scoped else None
        self.day = self.asked = None
        if self.dated:
            self.asked, error = parse_as_of(request)
            self.day = self.asked or timezone.localdate()
            if error:
                self.notices.append(error)

    @classmethod
    def view(cls):
        def view(request, **kwargs):
            return cls(request, **kwargs).response()

        for decorator in reversed((require_safe, *cls.decorators)):
            view = decorator(view)
        view.page = cls
        return view

    def response(self):
        download = self.download()
        if download is not None:
            return self.file(download)
        return render(self.request, self.template, {**self.common_context(), **self.context()})

    def common_context(self):
        context = {"page_notices": self.notices}
        if self.scoped:
            context["province"] = self.province
        if self.dated:
            context.update(day=self.day, as_of=self.asked, as_of_value=self.day.isoformat())
        return context

    def context(self):
        return {}

    # -- files -------------------------------------------------------------

    def download(self):
        """The Download `?format=` and `?layout=` ask for, else None."""
        if not self.downloads or wants_file(self.request) is None:
            return None
        # `shape` is the layout's older name (the headcount page's own link).
        layout = self.request.GET.get("layout") or self.request.GET.get("shape") or ""
        return next((d for d in self.downloads if d.layout == layout), self.downloads[0])

    def subject(self):
        """What a file of this page is about, for its name (a record's slug)."""
        return None

    def file(self, download):
        dated = self.dated if download.dated is None else download.dated
        return export_response(
            self.request,
            download.report_for(self),
            getattr(self, download.rows)(),
            as_of=self.day if dated else None,
            subject=self.subject(),
        )


class ListPage(Page):
    paginate_by = 50  # rows per page; None: every row on one page
    object_name = "object_list"  # the page's rows in the template

    def base(self):
        """The unfiltered rows of the page's scope, as of its day, in its order."""
        raise NotImplementedError

    def in_scope(self, rows, path="unit"):
        """Rows whose unit (at `path`) is in the page's province, every row nationwide."""
        return rows if self.province is None else rows.filter(self.province.subtree_q(path))

    @cached_property
    def choices(self):
        return Choices(self.province)

    @cached_property
    def filter(self):
        if self.filterset is None:
            return None
        return self.filterset(self.request.GET, self.base(), choices=self.choices)

    def rows(self):
        """Every row of the page and its file: the base rows through the FilterSet."""
        if self.filter is None:
            return self.base()
        return self.filter.rows(self.notices)

    def shown(self, rows):
        """`rows` with what the screen shows of each (joins, prefetches)."""
        return rows

    def finish(self, objects):
        """The rows of the page shown, with what the screen computes for them
        in Python (a few queries over the page, not over every row)."""
        return objects

    def extra_context(self, rows, page_obj):
        return {}

    def context(self):
        rows = self.rows()
        page_obj = paginate(self.request, self.shown(rows), self.paginate_by) if self.paginate_by else None
        if page_obj:
            page_obj.object_list = self.finish(page_obj.object_list)
        context = {
            "page_obj": page_obj,
            self.object_name: page_obj.object_list if page_obj else self.finish(self.shown(rows)),
        }
        if self.filter is not None:
            context.update(filter=self.filter, is_filtered=self.filter.is_filtered)
        context.update(self.extra_context(rows, page_obj))
        return context


def paginate(request, rows, size):
    """A page that never fails: "abc" gives the first page, 99999 the last."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def province_first(unit_path):
    """Order by unit: a province (which has no district) first, then by GSO code."""
    return (F(f"{unit_path}__district__gso_code").asc(nulls_first=True), f"{unit_path}__gso_code")


def citations(model, to_attr="source_list"):
    """A record's citations (source, quote, reasoning) in source order, as
    `to_attr`: the sources include shows each source with its passage."""
    rows = model.sources.through.objects.select_related("source").order_by("source__published_on", "source__slug")
    return Prefetch("citations", queryset=rows, to_attr=to_attr)


def posts_with_holders(to_attr="post_list"):
    """A body's posts, each with the named people the sources say held it."""
    holders = (
        Holding.objects.exclude(holder_name="").prefetch_related(citations(Holding)).order_by("reported_on", "slug")
    )
    return Prefetch(
        "posts",
        queryset=Post.objects.prefetch_related(Prefetch("holdings", queryset=holders, to_attr="holder_list")).order_by(
            "title_vi"
        ),
        to_attr=to_attr,
    )

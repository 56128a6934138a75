"""The data-quality page: records an editor should fix, by kind of problem.

Each check is one query that returns its total (a window count) with its
first LIMIT records, so the page costs the same number of queries whatever
the data: 1 for reported figures, 1 per model that cites sources, 1 each
for unknown headcounts, mergers without milestones and closed bodies
without a successor.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib import admin
from django.db.models import Count, Exists, ManyToManyField, OuterRef, Q, Window
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from agencies.models import AdministrativeUnit, Body, Holding, Source, UnitChange
from mergers.models import Headcount, Merger, Milestone, ReportedFigure

from .numbers import figure_computed, figure_value, format_number

LIMIT = 100
SOURCE_EXEMPT = set()  # legal documents too: each cites the article that reports it, or itself as a source
CLOSED_INTO_ANOTHER = [Body.EndReason.MERGED, Body.EndReason.ABSORBED, Body.EndReason.RENAMED]


@dataclass
class Item:
    label: str
    detail: str = ""
    public_url: str | None = None
    admin_url: str | None = None


@dataclass
class Check:
    slug: str
    title: str
    explanation: str
    total: int = 0
    items: list[Item] = field(default_factory=list)

    @property
    def more(self):
        return self.total - len(self.items)


def first_rows(queryset, limit=LIMIT):
    """(total, first `limit` objects) of a queryset, in one query."""
    rows = list(queryset.annotate(quality_total=Window(Count("pk")))[:limit])
    return (rows[0].quality_total if rows else 0), rows


def admin_change_url(obj):
    """The admin page to fix `obj`, or of the record that holds it as an inline."""
    for target in (obj, *(getattr(obj, name) for name in ADMIN_PARENTS.get(type(obj), ()))):
        if target is not None and admin.site.is_registered(type(target)):
            opts = target._meta
            try:
                return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
            except NoReverseMatch:
                continue
    return None


def public_url(obj):
    """The portal page that shows `obj`, or None."""
    try:
        if isinstance(obj, AdministrativeUnit):
            return obj.get_absolute_url() if obj.level == AdministrativeUnit.Level.DISTRICT else None
        if isinstance(obj, (Milestone, Headcount)):
            return obj.merger.get_absolute_url()
        if isinstance(obj, UnitChange):
            return obj.unit.get_absolute_url() if obj.unit.level == AdministrativeUnit.Level.DISTRICT else None
        if isinstance(obj, Holding):
            return reverse("portal:title_list")
        if isinstance(obj, ReportedFigure):
            return reverse("portal:figure_list")
        if hasattr(obj, "get_absolute_url"):
            return obj.get_absolute_url()
    except NoReverseMatch:
        pass
    return None


# Where an object without its own admin page is edited (as an inline).
ADMIN_PARENTS = {Milestone: ("merger",), Headcount: ("merger",), UnitChange: ("unit",)}

# Related rows each model's label needs, so a list costs one query.
LABEL_RELATED = {
    UnitChange: ("unit",),
    Milestone: ("merger",),
    Headcount: ("merger",),
    Holding: ("unit",),
    Body: ("unit",),
    Merger: ("unit",),
    AdministrativeUnit: ("parent",),
}


def label(obj):
    """A readable name for any record, without extra queries."""
    if isinstance(obj, Holding):
        what = obj.get_combination_display() or _("single post")
        who = f" ({obj.holder_name})" if obj.holder_name else ""
        return f"{what}{who}, {obj.unit}"
    if isinstance(obj, (Body, Merger)):
        return f"{obj}, {obj.unit}"
    if isinstance(obj, AdministrativeUnit) and obj.parent_id:
        return f"{obj}, {obj.parent}"
    return str(obj)


def item(obj, detail=""):
    return Item(label=label(obj), detail=detail, public_url=public_url(obj), admin_url=admin_change_url(obj))


def sourced_models():
    """Every model that cites sources (legal documents too), in app order."""
    found = []
    for app_label in ("agencies", "mergers"):
        for model in apps.get_app_config(app_label).get_models():
            if model in SOURCE_EXEMPT:
                continue
            for f in model._meta.get_fields():
                if isinstance(f, ManyToManyField) and f.name == "sources" and f.related_model is Source:
                    found.append(model)
                    break
    return found


def figure_mismatches():
    check = Check(
        "figures",
        _("Reported figures that disagree with the records"),
        _("The source states one number; counting the records gives another. Fix the records or the figure."),
    )
    # One query: every figure the records can compute, filtered by the model's own `mismatch`.
    figures = (
        ReportedFigure.objects.with_computed().exclude(metric="").filter(value__isnull=False).select_related("unit")
    )
    wrong = [figure for figure in figures if figure.mismatch]
    check.total = len(wrong)
    check.items = [
        item(
            f,
            _("Reported %(reported)s; the records give %(computed)s.")
            % {
                "reported": figure_value(f),
                "computed": figure_computed(f),
            },
        )
        for f in wrong[:LIMIT]
    ]
    return check


def records_check(slug, title, explanation, queryset, detail=None):
    """A check listing the records of `queryset`: how many, and the first LIMIT."""
    total, rows = first_rows(queryset)
    return Check(slug, title, explanation, total, [item(obj, detail(obj) if detail else "") for obj in rows])


def missing_sources():
    return [
        records_check(
            f"sources-{model._meta.model_name}",
            _("%(models)s without a source") % {"models": str(model._meta.verbose_name_plural).capitalize()},
            _("Every record must cite the article or register it comes from."),
            model.objects.filter(sources__isnull=True).select_related(*LABEL_RELATED.get(model, ())),
        )
        for model in sourced_models()
    ]


def unknown_headcounts():
    def known(value):
        return _("unknown") if value is None else format_number(value)

    return records_check(
        "headcount",
        _("Mergers with unknown headcount"),
        _("A merger that closes bodies needs the headcount before and after."),
        Merger.objects.filter(kind__in=Merger.CLOSING_KINDS)
        .with_headcount()
        .filter(Q(headcount_before__isnull=True) | Q(headcount_after__isnull=True))
        .select_related("unit"),
        lambda m: (
            _("Before: %(before)s; after: %(after)s.")
            % {"before": known(m.headcount_before), "after": known(m.headcount_after)}
        ),
    )


def mergers_without_milestones():
    return records_check(
        "milestones",
        _("Mergers without milestones"),
        _("Without a dated milestone a merger has no status on any date."),
        Merger.objects.filter(~Exists(Milestone.objects.filter(merger=OuterRef("pk")))).select_related("unit"),
    )


def bodies_without_successor():
    return records_check(
        "successors",
        _("Closed bodies without a successor"),
        _("A body that was merged, absorbed or renamed must name the body it became."),
        Body.objects.filter(end_reason__in=CLOSED_INTO_ANOTHER, successor__isnull=True).select_related("unit"),
        lambda b: _("Ended: %(reason)s.") % {"reason": b.get_end_reason_display()},
    )


def all_checks():
    return [
        figure_mismatches(),
        *missing_sources(),
        unknown_headcounts(),
        mergers_without_milestones(),
        bodies_without_successor(),
    ]

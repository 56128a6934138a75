"""Mergers as change events, their dated status milestones, headcount and
the aggregate figures the sources report.

A merger's status is never a field that the last editor overwrites: it is
the latest milestone on or before a date (`Merger.objects.with_status`).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.dates import (
    UncertainDatesMixin,
    UncertainDatesQuerySet,
    date_field,
    describe,
    edtf_field,
    exact_day,
    sort_day,
)
from agencies.models import AdministrativeUnit, Body, Holding, LegalDocument, Source, citation_model, localized
from agencies.text import SearchableMixin, search_q
from core.history import QnHistoricalRecords as HistoricalRecords


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REVERSED = "reversed", _("Reversed")


NO_STATUS = "none"
FINAL_STATUSES = {Status.COMPLETED, Status.REVERSED}


def describe_status(merger):
    """A merger's status as `with_status` annotated it, said as a reader says it:
    "Hoàn thành (đầu năm 2018)"; a status that is not final says which
    source date it rests on ("Đang chuẩn bị (theo nguồn ngày 27/09/2017)"),
    since nothing says it still held later; a milestone that may have been
    reached is added ("có thể đã hoàn thành: trong khoảng ...")."""
    status = getattr(merger, "status", None)
    if status in (None, NO_STATUS):
        text = str(_("No milestone yet"))
    else:
        text = f"{Status(status).label} ({status_when(status, merger.status_edtf)})"
    if getattr(merger, "possible_status", None):
        text += "; " + possible_text(merger.possible_status, merger.possible_edtf)
    return text


def status_when(status, edtf):
    """The date part of a status: the event's date, or the source's date for a
    status that may have changed since."""
    if status in FINAL_STATUSES:
        return describe(edtf)
    if exact_day(edtf):
        return _("as the sources say on %(date)s") % {"date": describe(edtf)}
    return _("as the sources say, %(date)s") % {"date": describe(edtf)}


def possible_text(status, edtf):
    return _("possibly %(status)s: %(date)s") % {"status": str(Status(status).label).lower(), "date": describe(edtf)}


# Lifecycle order, to break ties between milestones reported on the same date.
STATUS_RANK = Case(*(When(status=s, then=Value(i)) for i, s in enumerate(Status.values)), output_field=IntegerField())


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class MergerModel(models.Model):
    """A kind of merger repeated across units: the dashboard's columns."""

    district_editor_access = "view"  # reference data for district editors (core.scope)

    slug = models.SlugField(_("identifier"), max_length=60, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    short_vi = models.CharField(_("short name (Vietnamese)"), max_length=60)
    short_en = models.CharField(_("short name (English)"), max_length=60, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=AdministrativeUnit.Level)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    basis = models.ManyToManyField(
        LegalDocument, verbose_name=_("legal basis"), blank=True, related_name="merger_models"
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="merger_models", through="MergerModelCitation"
    )

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("merger model")
        verbose_name_plural = _("merger models")
        ordering = ["order", "slug"]

    def __str__(self):
        return localized(self, "short")

    @property
    def name(self):
        return localized(self, "name")

    @property
    def short(self):
        return localized(self, "short")

    @property
    def description(self):
        return localized(self, "description")

    def natural_key(self):
        return (self.slug,)


MergerModelCitation = citation_model(MergerModel)


class MergerQuerySet(models.QuerySet):
    def with_status(self, as_of=None):
        """Annotate the status known for certain on `as_of` (today when None).

        status, status_edtf, status_date (earliest day), status_date_latest
        and status_milestone_id come from the newest milestone certainly
        reached by then (Milestone.objects.reached_by); possible_status,
        possible_edtf and possible_milestone_id from a milestone that may or
        may not have been reached: `as_of` falls inside its interval.
        """
        as_of = as_of or today()
        certain = Milestone.objects.status_on(OuterRef("pk"), as_of)
        possible = Milestone.objects.filter(merger=OuterRef("pk")).possibly_reached_by(as_of).newest_first()
        return self.annotate(
            status=Coalesce(Subquery(certain.values("status")[:1]), Value(NO_STATUS)),
            status_edtf=Subquery(certain.values("date_edtf")[:1]),
            status_date=Subquery(certain.values("date")[:1]),
            status_date_latest=Subquery(certain.values("date_latest")[:1]),
            status_milestone_id=Subquery(certain.values("pk")[:1]),
            possible_status=Subquery(possible.values("status")[:1]),
            possible_edtf=Subquery(possible.values("date_edtf")[:1]),
            possible_milestone_id=Subquery(possible.values("pk")[:1]),
        )

    def completed(self, as_of=None):
        return self.with_status(as_of).filter(status=Status.COMPLETED)

    def in_province(self, unit):
        """Mergers of a unit (a province) and of every unit below it."""
        return self.filter(unit.subtree_q())

    def in_district(self, district):
        return self.filter(unit__district=district)

    def of_model(self, model):
        return self.filter(model=model)

    def with_headcount(self):
        """Annotate headcount_before and headcount_after (None where unknown)."""
        # One figure per merger and phase (a constraint): no ordering, so the
        # subqueries need not join the merger, its unit and model to sort.
        figures = Headcount.objects.filter(merger=OuterRef("pk")).order_by()
        return self.annotate(
            headcount_before=Subquery(figures.filter(phase=Headcount.Phase.BEFORE).values("value")[:1]),
            headcount_after=Subquery(figures.filter(phase=Headcount.Phase.AFTER).values("value")[:1]),
        )


class MergerManager(models.Manager.from_queryset(MergerQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Merger(SearchableMixin, models.Model):
    """One change event: several bodies of one unit in, one body out."""

    district_path = "unit__district"  # its district, for district editors (core.scope)

    class Kind(models.TextChoices):
        MERGER = "merger", _("Merger (inputs close, a new body is formed)")
        ABSORPTION = "absorption", _("Absorption (inputs close into an existing body)")
        JOINT_AGENCY = "joint_agency", _("Joint agency (inputs keep existing, share one advisory agency)")
        TRANSFER = "transfer", _("Transfer of tasks (both bodies keep existing)")

    CLOSING_KINDS = (Kind.MERGER, Kind.ABSORPTION)

    slug = models.SlugField(_("identifier"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.MERGER)
    model = models.ForeignKey(
        MergerModel,
        verbose_name=_("merger model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mergers",
    )
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="mergers"
    )
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=400)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    constituents = models.ManyToManyField(
        Body, verbose_name=_("constituent bodies"), through="Constituent", related_name="merged_in"
    )
    result = models.ForeignKey(
        Body,
        verbose_name=_("resulting body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="formed_by",
        help_text=_("Empty while the merger is only planned and the new body does not exist."),
    )
    basis = models.ManyToManyField(LegalDocument, verbose_name=_("legal basis"), blank=True, related_name="mergers")
    note_vi = models.TextField(_("note (Vietnamese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="mergers", through="MergerCitation"
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = MergerManager()
    history = HistoricalRecords(excluded_fields=["search_text"])
    search_source = ("title_vi", "title_en", "slug")

    class Meta:
        verbose_name = _("merger")
        verbose_name_plural = _("mergers")
        ordering = ["unit__gso_code", "model__order", "slug"]
        indexes = [models.Index(fields=["kind"], name="mergers_merger_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "model"],
                condition=Q(model__isnull=False),
                name="mergers_merger_one_per_unit_and_model",
                violation_error_message=_("This unit already has a merger of this model."),
            ),
        ]

    def __str__(self):
        return localized(self, "title")

    @property
    def title(self):
        return localized(self, "title")

    @property
    def note(self):
        return localized(self, "note")

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["agencies.body", "mergers.mergermodel"]

    def clean(self):
        super().clean()
        if self.result_id and self.unit_id and self.result.unit_id != self.unit_id:
            raise ValidationError({"result": _("The resulting body must belong to the merger's unit.")})
        if self.model_id and self.unit_id and self.model.level != self.unit.level:
            raise ValidationError(
                {
                    "model": _("This merger model applies at %(level)s level.")
                    % {"level": self.model.get_level_display().lower()}
                }
            )


MergerCitation = citation_model(Merger)


class ConstituentManager(models.Manager):
    def get_by_natural_key(self, merger_slug, body_slug):
        return self.get(merger__slug=merger_slug, body__slug=body_slug)


class Constituent(models.Model):
    district_path = "merger__unit__district"  # its district, for district editors (core.scope)

    merger = models.ForeignKey(
        Merger, verbose_name=_("merger"), on_delete=models.CASCADE, related_name="constituent_links"
    )
    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="constituent_links")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ConstituentManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("constituent body")
        verbose_name_plural = _("constituent bodies")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["merger", "body"], name="mergers_constituent_unique")]

    def __str__(self):
        return str(self.body)

    def natural_key(self):
        return (self.merger.slug, self.body.slug)

    natural_key.dependencies = ["mergers.merger", "agencies.body"]

    def clean(self):
        super().clean()
        if not (self.merger_id and self.body_id):
            return
        merger = self.merger
        if self.body_id == merger.result_id:
            raise ValidationError({"body": _("A body cannot be merged into itself.")})
        if self.body.unit_id != merger.unit_id:
            raise ValidationError(
                {"body": _("A constituent must belong to the merger's unit (%(unit)s).") % {"unit": merger.unit}}
            )
        if merger.kind in Merger.CLOSING_KINDS:
            elsewhere = (
                Constituent.objects.filter(body_id=self.body_id, merger__kind__in=Merger.CLOSING_KINDS)
                .exclude(merger_id=merger.pk)
                .exclude(merger__result_id=merger.result_id)
            )
            if elsewhere.exists():
                raise ValidationError({"body": _("This body is already merged into another body.")})


class MilestoneQuerySet(UncertainDatesQuerySet):
    def in_province(self, province):
        return self.filter(province.subtree_q("merger__unit"))

    def in_district(self, district):
        return self.filter(merger__unit__district=district)

    def of_model(self, model):
        return self.filter(merger__model=model)

    def matching(self, text):
        """Milestones of a merger whose title holds every word searched."""
        return self.filter(search_q(text, lambda phrase: Q(merger__search_text__contains=phrase)))

    def reached_by(self, day):
        """Milestones certainly reached on `day`: their latest possible day is on or before it."""
        return self.filter(date_latest__lte=day)

    def possibly_reached_by(self, day):
        """Milestones that may or may not have been reached on `day`: it falls inside their interval."""
        return self.filter(
            Q(date__isnull=True) | Q(date__lte=day), Q(date_latest__isnull=True) | Q(date_latest__gt=day)
        )

    def newest_first(self):
        """Newest first by the latest day each can mean; ties in lifecycle order."""
        return self.order_by(F("date_latest").desc(nulls_first=True), -STATUS_RANK, "-pk")

    def status_on(self, merger, day):
        """The one rule for a merger's status on a day: its milestones certainly
        reached by then, newest first; the first one's status is the status.
        `merger` is a merger or an OuterRef to one. Used by
        Merger.objects.with_status (pages, exports) and by
        ReportedFigure.objects.with_computed (the figures the records give)."""
        return self.filter(merger=merger).reached_by(day).newest_first()

    def completed_on_q(self, merger, day):
        """A condition: the merger (an OuterRef) has the status "completed" on `day`."""
        return Exact(Subquery(self.status_on(merger, day).values("status")[:1]), Value(Status.COMPLETED))


class MilestoneManager(models.Manager.from_queryset(MilestoneQuerySet)):
    def get_by_natural_key(self, merger_slug, status, date_edtf):
        return self.get(merger__slug=merger_slug, status=status, date_edtf=date_edtf)


class Milestone(UncertainDatesMixin, models.Model):
    """A dated status of a merger, as a source reported it."""

    district_path = "merger__unit__district"  # its district, for district editors (core.scope)

    merger = models.ForeignKey(Merger, verbose_name=_("merger"), on_delete=models.CASCADE, related_name="milestones")
    status = models.CharField(_("status"), max_length=20, choices=Status)
    date_edtf = edtf_field(_("date"))
    date = date_field(_("earliest day"))
    date_latest = date_field(_("latest day"))
    basis = models.ForeignKey(
        LegalDocument,
        verbose_name=_("legal basis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    note_vi = models.TextField(_("note (Vietnamese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="milestones", through="MilestoneCitation"
    )

    objects = MilestoneManager()
    history = HistoricalRecords()
    uncertain_dates = ("date",)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["merger", sort_day("date").asc(), STATUS_RANK.asc()]
        indexes = [
            models.Index(fields=["merger", "date"], name="mergers_milestone_merger_date"),
            models.Index(fields=["date"], name="mergers_milestone_date"),
            models.Index(fields=["status", "date"], name="mergers_milestone_status_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["merger", "status", "date_edtf"], name="mergers_milestone_unique"),
        ]

    def __str__(self):
        return f"{self.merger}: {self.get_status_display()} ({self.format_date('date')})"

    @property
    def note(self):
        return localized(self, "note")

    def natural_key(self):
        return (self.merger.slug, self.status, self.date_edtf)

    natural_key.dependencies = ["mergers.merger"]


MilestoneCitation = citation_model(Milestone)


class HeadcountManager(models.Manager):
    def get_by_natural_key(self, merger_slug, phase):
        return self.get(merger__slug=merger_slug, phase=phase)


class Headcount(UncertainDatesMixin, models.Model):
    """Authorised posts (biên chế) before or after a merger, as a source gives them."""

    district_path = "merger__unit__district"  # its district, for district editors (core.scope)

    class Phase(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    merger = models.ForeignKey(Merger, verbose_name=_("merger"), on_delete=models.CASCADE, related_name="headcounts")
    phase = models.CharField(_("before or after"), max_length=6, choices=Phase)
    value = models.IntegerField(_("headcount"), help_text=_("Number of authorised posts."))
    as_of_edtf = edtf_field(_("as of"))
    as_of = date_field(_("earliest day"))
    as_of_latest = date_field(_("latest day"))
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="headcounts", through="HeadcountCitation"
    )

    objects = HeadcountManager()
    history = HistoricalRecords()
    uncertain_dates = ("as_of",)

    class Meta:
        verbose_name = _("headcount figure")
        verbose_name_plural = _("headcount figures")
        ordering = ["merger", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["merger", "phase"], name="mergers_headcount_one_per_phase"),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="mergers_headcount_not_negative",
                violation_error_message=_("A headcount cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.merger}: {self.get_phase_display()} {self.value}"

    def natural_key(self):
        return (self.merger.slug, self.phase)

    natural_key.dependencies = ["mergers.merger"]

    def clean(self):
        super().clean()
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("A headcount cannot be negative.")})


HeadcountCitation = citation_model(Headcount)


# A headcount change as a percentage of the figure before: one decimal,
# halves away from zero (15 -> 13 is -13.3 %), on every page and in every file.
HEADCOUNT_PERCENT_STEP = Decimal("0.1")


def headcount_change(before, after):
    """(change, percent) from a merger's headcount before and after: after minus
    before, and that change as a percentage of before rounded to one decimal;
    None where a figure is unknown (percent also when before is 0)."""
    if before is None or after is None:
        return None, None
    change = after - before
    if not before:
        return change, None
    percent = (Decimal(change) * 100 / Decimal(before)).quantize(HEADCOUNT_PERCENT_STEP, rounding=ROUND_HALF_UP)
    return change, percent


class ReportedFigureQuerySet(models.QuerySet):
    def with_computed(self):
        """Annotate what the records say for each figure's metric, in one query.

        computed_units: units of `counted_level` in scope with a completed
        merger of the figure's models (units_completed) or holding its
        unified title (units_with_title) on `as_of`; computed_focal_points:
        constituents minus mergers, over completed mergers of its models;
        computed_communes: communes in 2018 of the districts in scope;
        computed_denominator: units of `counted_level` in scope on `as_of`.
        Each is computed for the figures of its metric only (None for the
        others; the denominator for figures out of a number).
        """
        as_of = OuterRef(OuterRef("as_of_latest"))
        # The pages' scope rule (AdministrativeUnit.subtree_q), for the figure's unit.
        in_scope = AdministrativeUnit.within_q(OuterRef("unit"))

        def completed_by(merger_ref):
            # Merger.objects.with_status's rule (Milestone.objects.status_on).
            return Milestone.objects.completed_on_q(OuterRef(merger_ref), as_of)

        mergers = Merger.objects.filter(in_scope, model__reported_figures=OuterRef("pk")).filter(completed_by("pk"))
        units_completed = (
            mergers.filter(unit__level=OuterRef("counted_level"))
            .order_by()
            .values("model__reported_figures")
            .annotate(n=Count("unit", distinct=True))
            .values("n")
        )
        merger_count = (
            mergers.order_by().values("model__reported_figures").annotate(n=Count("pk", distinct=True)).values("n")
        )
        constituent_count = (
            Constituent.objects.filter(
                AdministrativeUnit.within_q(OuterRef("unit"), "merger__unit"),
                merger__model__reported_figures=OuterRef("pk"),
            )
            .filter(completed_by("merger"))
            .order_by()
            .values("merger__model__reported_figures")
            .annotate(n=Count("pk"))
            .values("n")
        )
        held_on = Holding.held_on_q(OuterRef("as_of_latest"))
        titled_units = (
            Holding.objects.filter(
                in_scope, held_on, combination=OuterRef("combination"), unit__level=OuterRef("counted_level")
            )
            .order_by()
            .values("combination")
            .annotate(n=Count("unit", distinct=True))
            .values("n")
        )
        units_in_scope = (
            AdministrativeUnit.objects.filter(
                Q(province=OuterRef("unit")) | Q(district=OuterRef("unit")), level=OuterRef("counted_level")
            )
            .existing_on(OuterRef("as_of_latest"))
            .order_by()
            .values("level")
            .annotate(n=Count("pk"))
            .values("n")
        )
        communes = (
            AdministrativeUnit.objects.filter(province=OuterRef("unit"), level=AdministrativeUnit.Level.DISTRICT)
            .existing_on(OuterRef("as_of_latest"))
            .order_by()
            .values("province")
            .annotate(n=Sum("communes_2018"))
            .values("n")
        )
        metric = ReportedFigure.Metric

        def only_when(condition, value):
            # Each figure runs the subqueries of its own metric only: the
            # database evaluates the branch of a CASE it takes, no other.
            return Case(When(condition, then=value), default=None, output_field=IntegerField())

        return self.annotate(
            computed_units_completed=only_when(
                Q(metric=metric.UNITS_COMPLETED), Coalesce(Subquery(units_completed[:1]), 0)
            ),
            computed_units_with_title=only_when(
                Q(metric=metric.UNITS_WITH_TITLE), Coalesce(Subquery(titled_units[:1]), 0)
            ),
            computed_focal_points=only_when(
                Q(metric=metric.FOCAL_POINTS_CUT),
                Coalesce(Subquery(constituent_count[:1]), 0) - Coalesce(Subquery(merger_count[:1]), 0),
            ),
            computed_communes=only_when(Q(metric=metric.COMMUNES), Subquery(communes[:1])),
            # Read beside a computed value out of a number (portal.numbers.figure_computed).
            computed_denominator=only_when(Q(denominator__isnull=False) & ~Q(metric=""), Subquery(units_in_scope[:1])),
        )

    def reported_by(self, day):
        """Figures a source had certainly reported on or before this day."""
        return self.filter(as_of_latest__lte=day)

    def of_model(self, model):
        """Figures a source gives about a merger model (the 28 focal points
        cut by models 1 and 2, the 12.54 % staff cut of the Front bloc)."""
        return self.filter(merger_models=model)

    def about_headcount(self):
        """Figures about authorised posts (biên chế): no field says so, the
        statement does ("Tinh giản 12,54% biên chế")."""
        return self.filter(Q(statement_vi__icontains="biên chế") | Q(statement_en__icontains="headcount"))

    def in_scope_of(self, province):
        """Figures about the province or a unit in it (every figure when None)."""
        if province is None:
            return self
        return self.filter(province.subtree_q())

    def about_province(self, province):
        """Figures about this province as a whole (all provinces when None)."""
        if province is None:
            return self.filter(unit__level=AdministrativeUnit.Level.PROVINCE)
        return self.filter(unit=province)


class ReportedFigureManager(models.Manager.from_queryset(ReportedFigureQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class ReportedFigure(UncertainDatesMixin, models.Model):
    """An aggregate a source states ("3 of 14 districts", "99.8%", "28 focal points").

    Stored as reported, never spread over invented per-unit records. Where
    the records can compute the same figure (`metric`), pages show both.
    """

    district_editor_access = "view"  # reference data for district editors (core.scope)

    class Metric(models.TextChoices):
        NONE = "", _("Not computed from the records")
        UNITS_COMPLETED = "units_completed", _("Units that completed a merger of the models")
        FOCAL_POINTS_CUT = "focal_points_cut", _("Focal points cut by completed mergers of the models")
        UNITS_WITH_TITLE = "units_with_title", _("Units holding the unified title")
        COMMUNES = "communes", _("Communes in the districts")

    class Measure(models.TextChoices):
        COUNT = "count", _("count")
        PERCENT = "percent", _("percent")
        PEOPLE = "people", _("people")
        BILLION_VND = "billion_vnd", _("billion VND")

    slug = models.SlugField(_("identifier"), max_length=120, unique=True)
    statement_vi = models.CharField(_("what is counted (Vietnamese)"), max_length=400)
    statement_en = models.CharField(_("what is counted (English)"), max_length=400, blank=True)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="reported_figures",
        help_text=_("The unit the figure is about, e.g. the province for '3 of 14 districts'."),
    )
    counted_level = models.CharField(
        _("counted units"),
        max_length=10,
        choices=AdministrativeUnit.Level,
        blank=True,
        help_text=_("The level of the units counted, when the figure counts units."),
    )
    metric = models.CharField(_("computed as"), max_length=30, choices=Metric, blank=True)
    merger_models = models.ManyToManyField(
        MergerModel, verbose_name=_("merger models"), blank=True, related_name="reported_figures"
    )
    combination = models.CharField(_("unified title"), max_length=30, choices=Holding.Combination, blank=True)
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty when the source reports the fact without a number."),
    )
    denominator = models.DecimalField(_("out of"), max_digits=14, decimal_places=2, null=True, blank=True)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure, default=Measure.COUNT)
    names_units = models.BooleanField(
        _("the source names the units"),
        default=True,
        help_text=_(
            'Untick when the source gives only a total ("3 of 14 districts") without saying which units: '
            "the records are then not expected to add up to it."
        ),
    )
    as_of_edtf = edtf_field(_("as of"))
    as_of = date_field(_("earliest day"))
    as_of_latest = date_field(_("latest day"))
    note_vi = models.TextField(_("note (Vietnamese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="reported_figures", through="ReportedFigureCitation"
    )

    objects = ReportedFigureManager()
    history = HistoricalRecords()
    uncertain_dates = ("as_of",)

    class Meta:
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        ordering = ["unit__gso_code", "as_of", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="mergers_figure_value_not_negative",
                violation_error_message=_("A reported figure cannot be negative; say 'cut' in the statement."),
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | (Q(denominator__gt=0) & Q(value__lte=F("denominator"))),
                name="mergers_figure_within_denominator",
                violation_error_message=_("The value cannot exceed the number it is out of."),
            ),
            models.CheckConstraint(
                condition=~Q(metric="units_with_title") | ~Q(combination=""),
                name="mergers_figure_title_metric_needs_combination",
                violation_error_message=_("Say which unified title the figure counts."),
            ),
        ]

    def __str__(self):
        return localized(self, "statement")

    @property
    def statement(self):
        return localized(self, "statement")

    @property
    def note(self):
        return localized(self, "note")

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["agencies.administrativeunit", "mergers.mergermodel"]

    @property
    def computed(self):
        """What the records say, or None if they cannot say (needs with_computed())."""
        attr = {
            self.Metric.UNITS_COMPLETED: "computed_units_completed",
            self.Metric.FOCAL_POINTS_CUT: "computed_focal_points",
            self.Metric.UNITS_WITH_TITLE: "computed_units_with_title",
            self.Metric.COMMUNES: "computed_communes",
        }.get(self.metric)
        return getattr(self, attr, None) if attr else None

    @property
    def differs(self):
        computed = self.computed
        return computed is not None and self.value is not None and computed != self.value

    @property
    def mismatch(self):
        """The records disagree with a figure whose units the source names."""
        return self.differs and self.names_units

    @property
    def total_only(self):
        """The records differ from a total whose units the source does not name:
        not an error, the article only gives the total."""
        return self.differs and not self.names_units

    def clean(self):
        super().clean()
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("A reported figure cannot be negative; say 'cut' in the statement.")})
        if self.denominator is not None and self.value is not None and self.value > self.denominator:
            raise ValidationError({"value": _("The value cannot exceed the number it is out of.")})
        if self.metric == self.Metric.UNITS_WITH_TITLE and not self.combination:
            raise ValidationError({"combination": _("Say which unified title the figure counts.")})


ReportedFigureCitation = citation_model(ReportedFigure)


def today():
    return timezone.localdate()

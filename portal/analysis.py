"""Cross-cutting report pages: headcount, timeline, unified titles, figures, milestones."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("not built yet")


milestone_list = title_list = figure_list = headcount = timeline = _todo

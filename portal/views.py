"""Public portal pages. Thin views: query logic lives on the models' QuerySets."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("not built yet")


dashboard = district_list = district_detail = merger_list = merger_detail = _todo
model_detail = body_list = body_detail = _todo
document_list = document_detail = source_list = source_detail = search = _todo

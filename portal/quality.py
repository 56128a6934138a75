from django.http import Http404


def quality(request):
    raise Http404("not built yet")

from django.http import Http404


def data_dictionary(request):
    raise Http404("not built yet")

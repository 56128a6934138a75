from django.urls import path

from . import analysis, data, lookup, quality, views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("districts/", views.district_list, name="district_list"),
    path("districts/<slug:slug>/", views.district_detail, name="district"),
    path("mergers/", views.merger_list, name="merger_list"),
    path("mergers/<int:pk>/", views.merger_detail, name="merger"),
    path("milestones/", analysis.milestone_list, name="milestone_list"),
    path("models/", views.model_list, name="model_list"),
    path("models/<slug:slug>/", views.model_detail, name="model"),
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/<int:pk>/", views.body_detail, name="body"),
    path("titles/", analysis.title_list, name="title_list"),
    path("figures/", analysis.figure_list, name="figure_list"),
    path("headcount/", analysis.headcount, name="headcount"),
    path("timeline/", analysis.timeline, name="timeline"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("search/", views.search, name="search"),
    path("lookup/", lookup.lookup, name="lookup"),
    path("data/", data.data_dictionary, name="data_dictionary"),
    path("quality/", quality.quality, name="quality"),
]

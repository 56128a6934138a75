"""Every admin page a provincial office opens reads in Vietnamese: no
English string from a fixed list on the lists, add forms, import, export and
history pages of every model, the login-throttling records, or the users."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse

ENGLISH = [
    "Choose a date",
    "Changed by",
    "Change reason",
    "Please correct",
    "Show counts",
    "Django administration",
    "Django site admin",
    "None",
    "Import",
    "Export",
    "History",
    "Save and",
    "Delete",
    "Historical",
    "Access attempt",
    "Access failure",
    "Access log",
    "This importer will",
    "Submit",
]

MODELS = sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


def visible_text(html):
    """What a reader sees: no tags, scripts, styles or attribute values."""
    html = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    return re.sub(r"(?s)<[^>]+>", " ", html)


pytestmark = pytest.mark.usefixtures("seed_shared")


@pytest.fixture
def admin_client(client, seed):
    # A failed and a good login first, so the login-throttling lists have records.
    User.objects.create_superuser("so-noi-vu", "so@example.org", "Mat-khau-dung-2015")
    client.post(reverse("admin:login"), {"username": "so-noi-vu", "password": "sai"})
    client.post(reverse("admin:login"), {"username": "so-noi-vu", "password": "Mat-khau-dung-2015"})
    return client


@pytest.mark.parametrize("app,model", MODELS, ids=lambda v: v)
def test_every_admin_page_of_a_model_is_in_vietnamese(admin_client, app, model):
    pages = ["changelist", "add", "import", "export"]
    urls = []
    for view in pages:
        try:
            urls.append(reverse(f"admin:{app}_{model}_{view}"))
        except NoReverseMatch:
            continue
    model_class = next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app, model))
    first = model_class._default_manager.order_by("pk").first()
    if first is not None:
        for view in ("change", "history", "delete"):
            try:
                urls.append(reverse(f"admin:{app}_{model}_{view}", args=[first.pk]))
            except NoReverseMatch:
                continue
    for url in urls:
        response = admin_client.get(url)
        # Login records cannot be added by hand: the refusal page is checked too.
        assert response.status_code == (403 if "/axes/" in url and url.endswith("/add/") else 200), url
        text = visible_text(response.content.decode())
        shown = [word for word in ENGLISH if word in text]
        assert not shown, f"{url} shows English: {shown}"


def test_the_admin_home_is_in_vietnamese(admin_client):
    text = visible_text(admin_client.get(reverse("admin:index")).content.decode())
    assert "Hợp nhất cơ quan ở Quảng Ninh" in text
    assert "Khóa đăng nhập sai nhiều lần" in text and "Axes" not in text
    assert not [word for word in ENGLISH if word in text]

"""History in the Vietnamese admin: every seeded record starts with an entry
saying it came from the fixtures, so the very first edit can be undone;
reverting asks why and keeps the answer; changes read in Vietnamese."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from mergers.management.commands.load_seed import SEED_REASON
from mergers.models import Merger, Milestone
from tests.test_history import form_data

pytestmark = pytest.mark.usefixtures("seed_shared")


@pytest.fixture
def admin_client(client, seed):
    client.force_login(User.objects.create_superuser("so-noi-vu", "so@example.org", None))
    return client


@pytest.mark.parametrize("model", [Merger, Milestone])
def test_every_seeded_record_has_a_first_history_entry_from_the_fixtures(seed, model):
    assert model.objects.exists()
    for obj in model.objects.all():
        entries = list(obj.history.all())
        assert len(entries) == 1, obj
        assert entries[0].history_type == "+"
        assert entries[0].history_change_reason == SEED_REASON
        assert entries[0].history_user is None


def test_the_first_edit_of_a_seeded_merger_is_reverted_with_a_reason(admin_client):
    merger = Merger.objects.filter(unit__slug="uong-bi").order_by("pk").first()
    original = merger.title_vi
    url = reverse("admin:mergers_merger_change", args=[merger.pk])
    page = admin_client.get(url)
    data = form_data(page, title_vi="Tiêu đề gõ nhầm", change_reason="Thử sửa")
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if isinstance(value, (list, tuple)):
                    value = [str(v) for v in value]
                data[form.add_prefix(name)] = "" if value is None else value
    assert admin_client.post(url, data).status_code == 302
    merger.refresh_from_db()
    assert merger.title_vi == "Tiêu đề gõ nhầm"

    history = admin_client.get(reverse("admin:mergers_merger_history", args=[merger.pk])).content.decode()
    assert "Tiêu đề (tiếng Việt)" in history  # the field's Vietnamese label, not title_vi
    assert original[:30] in history and "Tiêu đề gõ nhầm" in history
    assert "Hệ thống (nạp dữ liệu gốc hoặc lệnh)" in history
    assert SEED_REASON in history
    for english in ("Changed by", "Change reason", "Choose a date", "None"):
        assert english not in history

    first = merger.history.earliest()
    revert_url = reverse("admin:mergers_merger_simple_history", args=[merger.pk, first.history_id])
    revert = admin_client.get(revert_url)
    assert "Lý do khôi phục" in revert.content.decode()
    refused = admin_client.post(revert_url, form_data(revert, change_reason=""))
    assert refused.status_code == 200  # no reason: nothing written
    merger.refresh_from_db()
    assert merger.title_vi == "Tiêu đề gõ nhầm"

    assert admin_client.post(revert_url, form_data(revert, change_reason="Gõ nhầm tiêu đề")).status_code == 302
    merger.refresh_from_db()
    assert merger.title_vi == original
    assert merger.history.first().history_change_reason == "Gõ nhầm tiêu đề"


def test_delete_confirmation_names_linked_records_as_a_person_would(admin_client):
    milestone = Milestone.objects.filter(sources__isnull=False).order_by("pk").first()
    page = admin_client.get(reverse("admin:mergers_milestone_delete", args=[milestone.pk])).content.decode()
    assert "object (" not in page
    assert "Milestone_sources" not in page
    # A citation reads as one: "trích dẫn nguồn: <source>".
    assert "rích dẫn nguồn" in page
    assert str(milestone.sources.first()) in page.replace("&quot;", '"').replace("&#x27;", "'")

"""Page behaviour found by the fuzz tests, pinned as plain examples."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["year_from=0", "year_to=-136119", "year_from=99999", "year_from=abc"])
def test_an_impossible_year_in_the_merger_filter_is_a_form_message(client, query):
    response = client.get(f"/en/mergers/?{query}")
    assert response.status_code == 200
    assert "Some filters are not valid" in response.content.decode()

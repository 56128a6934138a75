"""Model behaviour that no page or form test covers."""

from agencies.models import Holding


def test_an_unsaved_holding_prints_its_slug_instead_of_recursing():
    assert str(Holding(slug="uong-bi-bi-thu")) == "uong-bi-bi-thu"

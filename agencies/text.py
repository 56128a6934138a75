"""Text folding for search that ignores case and Vietnamese diacritics.

"HẠ LONG", "Hạ Long" and "ha long" all fold to "ha long"; "44-QĐ/TU" to
"44-qd/tu". Models keep a folded copy of their searchable text in a
`search_text` column, so the same query works on SQLite and PostgreSQL.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text):
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


class SearchableMixin:
    """Fills `search_text` from the fields named in `search_source` on save."""

    search_source = ()

    def build_search_text(self):
        return fold(" ".join(str(getattr(self, name) or "") for name in self.search_source))

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)


def slugify_vi(text, max_length=None):
    """An ASCII identifier from a Vietnamese title, keeping its letters:
    "Kiểm thử dùng chung bộ phận" -> "kiem-thu-dung-chung-bo-phan" (the
    admin's static/js/urlify_vi.js does the same in the browser)."""
    from django.utils.text import slugify

    slug = slugify(fold(text))
    if max_length:
        slug = slug[:max_length].strip("-")
    return slug

"""Text folding for search that ignores case and Vietnamese diacritics.

"HẠ LONG", "Hạ Long" and "ha long" all fold to "ha long"; "44-QĐ/TU" to
"44-qd/tu". Models keep a folded copy of their searchable text in a
`search_text` column, so the same query works on SQLite and PostgreSQL.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# A cell a spreadsheet would run as a formula starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text):
    """Stop a spreadsheet from running text as a formula: a leading apostrophe.
    Used by every export, the portal's CSVs and the admin's CSV/XLSX alike."""
    if text and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def unneutralise(text):
    """What `neutralise` wrote, read back: an imported "'=x" is "=x" again,
    so an exported file imports unchanged."""
    if text and text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


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


NUL = "\x00"


def null_character_message():
    from django.utils.translation import gettext

    return gettext("The text contains a null character (U+0000), which the database cannot store; remove it.")


def text_fields_with_nul(instance):
    """Names of the text fields of a model instance holding a NUL character."""
    return [
        field.name
        for field in instance._meta.concrete_fields
        if isinstance(getattr(instance, field.attname, None), str) and NUL in getattr(instance, field.attname)
    ]

"""Text folding for search that ignores case and Vietnamese diacritics.

"HẠ LONG", "Hạ Long" and "ha long" all fold to "ha long"; "44-QĐ/TU" to
"44-qd/tu". Models keep a folded copy of their searchable text in a
`search_text` column, so the same query works on SQLite and PostgreSQL.
"""

import re
import unicodedata

from django.db.models import Q

_SPACES = re.compile(r"\s+")

# A cell a spreadsheet would run as a formula starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text):
    """Stop a spreadsheet from running text as a formula: a leading apostrophe.
    Used by every export, the public CSVs and the admin's CSV/XLSX alike."""
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

    def derive_fields(self):
        """What save() derives, for the paths that skip save() (bulk_create in
        the synthetic data set and bulk imports): the models' own rules."""
        parent = getattr(super(), "derive_fields", None)
        if parent is not None:
            parent()
        self.search_text = self.build_search_text()

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        super().save(*args, **kwargs)


def refresh_search_text(sender, instance, raw=False, **kwargs):
    """post_save: a record loaded from a fixture (a raw save skips save())
    gets the search text the current rules give, not a stale or missing copy."""
    if not raw or not isinstance(instance, SearchableMixin):
        return
    text = instance.build_search_text()
    if text != instance.search_text:
        instance.search_text = text
        type(instance)._default_manager.using(kwargs.get("using") or "default").filter(pk=instance.pk).update(
            search_text=text
        )


# Abbreviations the articles and readers use, folded: a search for either
# form finds records written with the other ("MTTQ" finds "Mặt trận Tổ quốc").
ABBREVIATIONS = {
    "mttq": "mat tran to quoc",
    "ubmttq": "uy ban mat tran to quoc",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "ubkt": "uy ban kiem tra",
    "ldld": "lien doan lao dong",
    "lhpn": "lien hiep phu nu",
    "hlhpn": "hoi lien hiep phu nu",
    "tncs": "thanh nien cong san",
    "btv": "ban thuong vu",
    "bch": "ban chap hanh",
    "bdct": "boi duong chinh tri",
    "dbqh": "dai bieu quoc hoi",
    "vptw": "van phong trung uong",
    "thcs": "trung hoc co so",
    "tp": "thanh pho",
}
_EXPANSIONS = sorted(ABBREVIATIONS.items(), key=lambda item: -len(item[1]))

# One folded Vietnamese syllable: an onset, a vowel group, a final consonant.
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
MAX_SPLITS = 6


def syllable_splits(word, limit=MAX_SPLITS):
    """Ways to read a word typed without spaces as Vietnamese syllables:
    "halong" -> ["ha long"], "mattranto" -> ["mat tran to"]. At most `limit`."""
    if not word.isalpha() or len(word) < 4 or len(word) > 30 or _SYLLABLE.fullmatch(word):
        return []
    found = []

    def walk(start, parts):
        if len(found) >= limit:
            return
        if start == len(word):
            if len(parts) > 1:
                found.append(" ".join(parts))
            return
        for end in range(len(word), start, -1):
            if _SYLLABLE.fullmatch(word, start, end):
                walk(end, parts + [word[start:end]])

    walk(0, [])
    # The readings with the fewest syllables are the ones a reader meant.
    fewest = min((split.count(" ") for split in found), default=0)
    return [split for split in found if split.count(" ") == fewest]


def search_terms(text, max_terms=12):
    """A search as groups of alternatives, all folded: a record matches when,
    for every group, its search_text contains one of the group's phrases.

    "Mặt trận Tổ quốc" -> [["mat tran to quoc", "mttq"]]; "MTTQ Hạ Long" ->
    [["mttq", "mat tran to quoc"], ["ha"], ["long"]]; "halong" ->
    [["halong", "ha long"]]. The one normalisation search uses,
    on SQLite and PostgreSQL alike (plain substring tests on search_text,
    which PostgreSQL's trigram indexes serve).
    """
    folded = fold(text)
    groups = []
    for abbreviation, phrase in _EXPANSIONS:
        pattern = re.compile(rf"(?<![\w]){re.escape(phrase)}(?![\w])")
        if pattern.search(folded):
            groups.append([phrase, abbreviation])
            folded = pattern.sub(" ", folded)
    for word in folded.split():
        group = [word]
        if word in ABBREVIATIONS:
            group.append(ABBREVIATIONS[word])
        group.extend(split for split in syllable_splits(word) if split not in group)
        groups.append(group)
    return groups[:max_terms]


NUL = "\x00"


def search_q(text, condition=None, max_terms=12):
    """The one search rule, as a filter: for every group of
    `search_terms(text)`, one of its phrases meets `condition(phrase)` (a Q
    or a boolean expression; by default the record's search_text contains
    it). No text: every record."""
    if condition is None:

        def condition(phrase):
            return Q(search_text__contains=phrase)

    wanted = Q()
    for group in search_terms((text or "").replace(NUL, ""), max_terms):
        any_form = Q()
        for phrase in group:
            any_form |= condition(phrase)
        wanted &= any_form
    return wanted


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


def slugify_vi(text, max_length=None):
    """An ASCII identifier from a Vietnamese title, keeping its letters:
    "Kiểm thử dùng chung bộ phận" -> "kiem-thu-dung-chung-bo-phan" (the
    admin's static/js/urlify_vi.js does the same in the browser)."""
    from django.utils.text import slugify

    slug = slugify(fold(text))
    if max_length:
        slug = slug[:max_length].strip("-")
    return slug

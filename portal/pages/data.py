"""The data dictionary: every file the portal offers, its address, columns,
types and meaning, read from the pages' own column specs (the registry,
portal.pages), so the page cannot drift from the files."""

from django.utils.translation import gettext_lazy as _

from agencies.dates import bounds, describe

from ..exports import CHUNK_SIZE, LIST_SEPARATOR
from .base import Page

DATE_EXAMPLES = [
    "2015-11-30",
    "2015-11",
    "2018",
    "2018-37",
    "../2017-09-27",
    "2015-11-30/2017-09-27",
    "2015~/2016~",
    "2018/..",
]


class DataDictionary(Page):
    name = "data_dictionary"
    route = "data/"
    template = "portal/data_dictionary.html"
    menu = _("Data")

    def context(self):
        from . import files

        return {
            "reports": [
                {
                    "report": report,
                    "url": url,
                    "xlsx_url": url.replace("format=csv", "format=xlsx"),
                    "columns": report.columns,
                }
                for report, url in files()
            ],
            "list_separator": LIST_SEPARATOR,
            "chunk_size": CHUNK_SIZE,
            "date_examples": [
                {"edtf": edtf, "said": describe(edtf), "earliest": bounds(edtf)[0], "latest": bounds(edtf)[1]}
                for edtf in DATE_EXAMPLES
            ],
        }

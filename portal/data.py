"""The data dictionary: every CSV export, its address, columns, types and meaning.

It is rendered from the same column specs that write the CSV files
(`portal.exports.REPORTS`), so the page cannot drift from the files.
"""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from agencies.dates import bounds, describe

from . import exports

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


@require_safe
def data_dictionary(request):
    reports = [
        {
            "report": report,
            "url": f"{reverse(report.url_name)}?{report.url_query}",
            "xlsx_url": f"{reverse(report.url_name)}?{report.url_query.replace('format=csv', 'format=xlsx')}",
            "columns": report.columns,
        }
        for report in exports.REPORT_LIST
    ]
    return render(
        request,
        "portal/data_dictionary.html",
        {
            "reports": reports,
            "list_separator": exports.LIST_SEPARATOR,
            "chunk_size": exports.CHUNK_SIZE,
            "date_examples": [
                {"edtf": edtf, "said": describe(edtf), "earliest": bounds(edtf)[0], "latest": bounds(edtf)[1]}
                for edtf in DATE_EXAMPLES
            ],
        },
    )

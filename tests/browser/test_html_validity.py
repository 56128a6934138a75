"""Every main page, in Vietnamese and English, is valid HTML according to
the Nu HTML Checker (vnu.jar, run once over all of them)."""

import pytest

from .support import MAIN_PAGES, format_vnu, main_page_path, run_vnu

pytestmark = pytest.mark.browser

LANGUAGES = ("vi", "en")


def test_main_pages_are_valid_html(client, seed, tmp_path):
    files, failures = [], []
    for main_page in MAIN_PAGES:
        for language in LANGUAGES:
            path = main_page_path(main_page, language)
            response = client.get(path)
            if response.status_code != 200:
                failures.append(f"- {path}: HTTP {response.status_code}")
                continue
            assert response["Content-Type"].startswith("text/html"), f"{path} is {response['Content-Type']}"
            html_file = tmp_path / f"{main_page.name}-{language}.html"
            html_file.write_bytes(response.content)
            files.append(html_file)

    errors = run_vnu(files) if files else []
    report = []
    if failures:
        report.append(f"{len(failures)} main page(s) did not answer 200:\n" + "\n".join(failures))
    if errors:
        report.append(format_vnu(errors))
    assert not report, "\n".join(report)

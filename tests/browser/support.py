"""Shared helpers of the browser tests: tool locations, the skip-or-fail
rule, the list of main pages, and the axe-core and Nu HTML Checker runners."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)
CHROMIUM = os.environ.get("QNMERGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NODE_MODULES = BASE_DIR / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = BASE_DIR / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
DEPS_HINT = "run `make browser-deps`"


def browser_required():
    return os.environ.get("QNMERGE_REQUIRE_BROWSER", "") == "1"


def need(ok, reason):
    """Skip when a tool is missing, or fail when CI requires the browser tests."""
    if ok:
        return
    if browser_required():
        pytest.fail(f"{reason} (QNMERGE_REQUIRE_BROWSER=1: a missing tool is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def have_chromium():
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def have_java():
    return shutil.which("java") is not None


# --- The main pages, resolved against the seed -------------------------------


@dataclass(frozen=True)
class MainPage:
    name: str  # also the screenshot file name
    url_name: str
    lookup: str = ""  # which seeded record a detail page shows
    query: str = ""


MAIN_PAGES = [
    MainPage("dashboard", "portal:dashboard"),
    MainPage("districts", "portal:district_list"),
    MainPage("district", "portal:district", lookup="district"),
    MainPage("mergers", "portal:merger_list"),
    MainPage("merger", "portal:merger", lookup="merger"),
    MainPage("milestones", "portal:milestone_list"),
    MainPage("models", "portal:model_list"),
    MainPage("model", "portal:model", lookup="model"),
    MainPage("bodies", "portal:body_list"),
    MainPage("body", "portal:body", lookup="body"),
    MainPage("titles", "portal:title_list"),
    MainPage("figures", "portal:figure_list"),
    MainPage("headcount", "portal:headcount"),
    MainPage("timeline", "portal:timeline"),
    MainPage("documents", "portal:document_list"),
    MainPage("document", "portal:document", lookup="document"),
    MainPage("sources", "portal:source_list"),
    MainPage("source", "portal:source", lookup="source"),
    MainPage("search", "portal:search", query="q=uong+bi"),
    MainPage("lookup", "portal:lookup", query="q=ha+long"),
    MainPage("data", "portal:data_dictionary"),
    # /quality/ is for staff (an admin login): test_staff_browse covers the admin side.
]


def _detail_args(lookup):
    """A representative seeded record for each detail page: Uông Bí, the
    Fatherland Front bloc model, Quyết định 44-QĐ/TU, where the seed says most."""
    from agencies.models import Body, LegalDocument, Source
    from mergers.models import Merger, MergerModel

    if lookup == "district":
        return ["uong-bi"]
    if lookup == "model":
        return [MergerModel.objects.get(slug="khoi-mttq").slug]
    if lookup == "merger":
        merger = Merger.objects.filter(unit__slug="uong-bi").order_by("pk").first()
        return [(merger or Merger.objects.order_by("pk").first()).pk]
    if lookup == "body":
        body = Body.objects.filter(unit__slug="uong-bi").order_by("pk").first()
        return [(body or Body.objects.order_by("pk").first()).pk]
    if lookup == "document":
        document = LegalDocument.objects.filter(number="44-QĐ/TU").first()
        return [(document or LegalDocument.objects.order_by("pk").first()).pk]
    if lookup == "source":
        return [Source.objects.order_by("published_on", "slug").first().pk]
    raise ValueError(lookup)


def main_page_path(main_page, language="vi"):
    """The path of a main page for the loaded seed (Vietnamese at the root,
    English under /en/)."""
    from django.utils import translation

    args = _detail_args(main_page.lookup) if main_page.lookup else []
    with translation.override(language):
        path = reverse(main_page.url_name, args=args)
    return f"{path}?{main_page.query}" if main_page.query else path


# --- Browser helpers ---------------------------------------------------------


def open_page(page, path):
    """Go to a path on the live server and insist on a 200 answer."""
    response = page.goto(page.server + path, wait_until="load")
    assert response is not None, f"no response for {path}"
    assert response.status == 200, f"{path} answered HTTP {response.status}"
    return response


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


# --- axe-core ----------------------------------------------------------------

BLOCKING_IMPACTS = {"serious", "critical"}

_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.map(t => Array.isArray(t) ? t.join(" >>> ") : t).join(" "),
      summary: n.failureSummary || "",
      html: n.html,
    })),
  }));
}"""


def run_axe(page):
    """Inject axe-core into the current page and return its violations."""
    need(AXE_JS.is_file(), f"axe-core is not installed at {AXE_JS} ({DEPS_HINT})")
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_AXE_RUN)


def format_axe(violations, where):
    lines = [f"{len(violations)} serious/critical axe-core violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    at {node['target']}: {summary}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


# --- Nu HTML Checker ---------------------------------------------------------


def run_vnu(paths):
    """Check HTML files with the Nu HTML Checker; return its error messages,
    each a dict with `file`, `line`, `message` and `extract`."""
    need(have_java(), "Java is not installed (apt-get install default-jre-headless), the Nu HTML Checker needs it")
    need(VNU_JAR.is_file(), f"the Nu HTML Checker is not installed at {VNU_JAR} ({DEPS_HINT})")
    completed = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # vnu writes its JSON report on stderr; exit 1 means "errors found".
    try:
        report = json.loads(completed.stderr or "{}")
    except json.JSONDecodeError:
        raise AssertionError(f"the Nu HTML Checker failed (exit {completed.returncode}):\n{completed.stderr}") from None
    errors = []
    for message in report.get("messages", []):
        if message.get("type") not in ("error", "non-document-error"):
            continue
        errors.append(
            {
                "file": Path(message.get("url", "").removeprefix("file:")).name,
                "line": message.get("lastLine"),
                "message": message.get("message", ""),
                "extract": " ".join((message.get("extract") or "").split()),
            }
        )
    return errors


def format_vnu(errors):
    """One entry per distinct message, with the pages and lines it occurs on."""
    grouped = {}
    for e in errors:
        grouped.setdefault(e["message"], []).append(e)
    lines = [f"{len(errors)} Nu HTML Checker error(s), {len(grouped)} distinct:"]
    for message, group in grouped.items():
        places = {}
        for e in group:
            places.setdefault(e["file"], []).append(str(e["line"]))
        where = "; ".join(f"{file}:{','.join(at[:6])}{',...' if len(at) > 6 else ''}" for file, at in places.items())
        lines.append(f"- {message}")
        lines.append(f"    in {where}")
        if group[0]["extract"]:
            lines.append(f"    e.g. {group[0]['extract'][:160]}")
    return "\n".join(lines)

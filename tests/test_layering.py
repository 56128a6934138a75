"""Where each thing lives (issue: one rule per concept): the domain app
`agencies` names neither `mergers` nor `portal`; infrastructure lives in
`core`, and each data model declares its own path to a district."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps

from core import scope

ROOT = Path(__file__).resolve().parent.parent


def _python_files(app):
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize("other", ["mergers", "portal"])
def test_agencies_never_names_the_apps_that_build_on_it(other):
    """Neither imported nor named in a string (URL names, model labels)."""
    offenders = []
    for path in _python_files("agencies"):
        if any(module.split(".")[0] == other for module in _imported_modules(path)):
            offenders.append(f"{path.relative_to(ROOT)} imports {other}")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(rf"""["']{other}[.:]""", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("app", ["agencies", "mergers"])
def test_the_domain_apps_hold_no_infrastructure(app):
    """The cache, roles, scope, admin base, imports (with the bulk import
    path) and the synthetic data set live in `core`; a domain app keeps its
    models, admin and resource declarations."""
    names = {path.stem for path in (ROOT / app).glob("*.py")}
    infrastructure = {
        "cache",
        "scope",
        "roles",
        "admin_base",
        "admin_imports",
        "import_forms",
        "import_files",
        "admin_users",
        "history",
        "synthetic",
        "bulk_import",
    }
    assert names & infrastructure == set()


def _module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize("app", ["agencies", "mergers"])
def test_the_domain_apps_declare_resources_but_hold_no_import_engine(app):
    """The import engine (django-import-export's classes, the base resource,
    its widgets and columns, the bulk path) lives in `core`: a domain app
    never imports the library itself, and every resource, widget or column
    class it defines derives from `core.resources`."""
    import inspect

    from import_export import fields, resources, widgets

    import core.resources

    engine = (resources.Resource, widgets.Widget, fields.Field)
    core_classes = tuple(
        cls for _name, cls in inspect.getmembers(core.resources, inspect.isclass) if cls.__module__ == "core.resources"
    )
    offenders = []
    for path in _python_files(app):
        if any(module.split(".")[0] in ("import_export", "tablib") for module in _imported_modules(path)):
            offenders.append(f"{path.relative_to(ROOT)} imports the import library")
        module = importlib.import_module(_module_name(path))
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, engine) and not issubclass(cls, core_classes):
                offenders.append(f"{module.__name__}.{name} derives from django-import-export, not core.resources")
    assert offenders == []


@pytest.mark.parametrize("app", ["agencies", "mergers"])
def test_every_resource_a_domain_app_declares_is_importable_by_command(app):
    """Each data app lists its resources in `<app>.resources.RESOURCES`, the
    declaration `import_file` reads: one per model, each a core QnResource."""
    from core.resources import QnResource, declared_resources

    listed = importlib.import_module(f"{app}.resources").RESOURCES
    assert listed and all(issubclass(resource, QnResource) for resource in listed)
    assert len({resource._meta.model for resource in listed}) == len(listed)
    assert {resource._meta.model._meta.app_label for resource in listed} == {app}
    assert set(listed) <= set(declared_resources().values())


def test_every_district_scoped_model_declares_its_path_and_it_resolves(db):
    """A model's `district_path` is a real lookup to a district unit: a typo
    would silently give district editors nothing (or everything)."""
    declared = scope.record_scope()
    assert {"agencies.body", "mergers.merger", "mergers.milestone", "mergers.headcountcitation"} <= set(declared)
    for label, path in declared.items():
        model = apps.get_model(label)
        model.objects.filter(**{f"{path}__in": [0]}).exists()  # raises FieldError on a wrong path
        assert path.split("__")[-1] == "district"

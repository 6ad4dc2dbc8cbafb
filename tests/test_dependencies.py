"""Dependencies point one way: crm ← organizations ← opportunities ← journal, documents (issue 13).

Every module of the apps (migrations aside) is parsed with ``ast``, and every
import in it counts: at the top, inside a function, under ``if TYPE_CHECKING:``
(annotate with a string or a Protocol instead). A module may import its own app
and the apps below it; never an app above it or beside it, and never another
app's ``views`` or ``templatetags``. Where a higher app must act on a lower
one's rows, it declares so from its ``AppConfig.ready()`` (crm/trash.py's parts,
organizations/personal_data.py's shares); where a page shows several apps' data,
its view composes their selectors, and that is listed in ``ALLOWED`` with why.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The kernel at the bottom; an app may import only the apps on lower layers.
LAYERS = {"crm": 0, "organizations": 1, "opportunities": 2, "journal": 3, "documents": 3}

# Modules of opportunities that are its core: no exception can let them import journal or documents.
OPPORTUNITIES_CORE = {
    "opportunities.models",
    "opportunities.services",
    "opportunities.selectors",
    "opportunities.forms",
    "opportunities.filters",
    "opportunities.admin",
    "opportunities.custom_fields",
    "opportunities.history",
}

# (importing module, imported module or package): why the page needs it. Kept short on purpose.
ALLOWED = {
    ("opportunities.views.detail", "journal.selectors"): (
        "the detail page composes the journal section from the journal's selectors (issue 13)"
    ),
    ("opportunities.views.detail", "documents.selectors"): (
        "the detail page composes the documents section from the documents' selectors (issue 13)"
    ),
}

# Forbidden imports still in modules that other helpers of issue 13 are rewriting on their
# branches. The lead empties this list after merging them; test_pending_imports_are_still_there
# says which entry to drop once its import is gone. Nothing may be added here.
PENDING_OTHER_HELPERS: dict[tuple[str, str], str] = {
    # Empty since main merged the template tags, table, board, detail, journal and seed
    # branches (the last ones were opportunity_tags importing journal's template tags and
    # the old seed_demo in opportunities importing journal and documents models).
}


def app_modules():
    """(dotted module name, source) of every module of the apps, migrations aside."""
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            yield ".".join(parts), is_package, path.read_text()


def imported_names(module: str, is_package: bool, source: str):
    """(line, dotted name) of everything ``source`` imports, wherever the statement is.

    ``from a.b import c`` gives ``a.b.c`` (c may be a module or a name in a.b: both
    name what is used). Also ``apps.get_model("app", …)`` and ``import_module("…")``
    with a constant: a way around an import is still a dependency.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in {"get_model", "import_module"} and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def forbidden(module: str, target: str) -> str:
    """Why ``module`` may not import ``target``, or "" when it may."""
    app, other = module.split(".")[0], target.split(".")[0]
    if other not in LAYERS or other == app:
        return ""
    if len(target.split(".")) > 1 and target.split(".")[1] in {"views", "templatetags"}:
        return f"imports another app's {target.split('.')[1]}"
    if LAYERS[other] > LAYERS[app]:
        return f"{app} lies below {other}"
    if LAYERS[other] == LAYERS[app]:
        return f"{app} and {other} sit side by side"
    return ""


def _listed(table: dict, module: str, target: str) -> bool:
    return any(module == m and (target == t or target.startswith(t + ".")) for m, t in table)


def violations(table: dict | None = None) -> list[tuple[str, str, int, str]]:
    """Every forbidden import of the apps not in ``ALLOWED`` (nor in ``table``)."""
    found = []
    for module, is_package, source in app_modules():
        for line, target in imported_names(module, is_package, source):
            reason = forbidden(module, target)
            if reason and not _listed(ALLOWED, module, target) and not _listed(table or {}, module, target):
                found.append((module, target, line, reason))
    return found


def test_no_app_imports_upwards_sideways_or_another_apps_views_and_template_tags():
    found = violations(PENDING_OTHER_HELPERS)

    assert found == [], "\n".join(f"{m} (line {line}) imports {t}: {why}" for m, t, line, why in found)


def test_pending_imports_are_still_there():
    """An entry whose import is gone goes from PENDING_OTHER_HELPERS, so the list shows what remains."""
    live = [(module, target) for module, target, _line, _why in violations()]

    gone = [pair for pair in PENDING_OTHER_HELPERS if not any(_listed({pair: ""}, *found) for found in live)]

    assert gone == [], f"drop these from PENDING_OTHER_HELPERS: {gone}"


def test_exceptions_never_cover_the_kernel_organizations_or_the_core_of_opportunities():
    listed = [module for module, _target in [*ALLOWED, *PENDING_OTHER_HELPERS]]

    assert not [m for m in listed if m.split(".")[0] in {"crm", "organizations"} or m in OPPORTUNITIES_CORE]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("from journal.models import JournalEntry\n", "journal.models.JournalEntry"),
        ("def f():\n    from journal import selectors\n", "journal.selectors"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import documents.models\n", "documents.models"),
        ("from django.apps import apps\nM = apps.get_model('documents', 'Document')\n", "documents"),
        ("from importlib import import_module\nv = import_module('journal.views')\n", "journal.views"),
    ],
)
def test_the_scan_sees_imports_wherever_they_are(source, target):
    names = [name for _line, name in imported_names("opportunities.services", False, source)]

    assert target in names
    assert forbidden("opportunities.services", target)


def test_the_scan_resolves_relative_imports_and_allows_own_and_lower_apps():
    names = [name for _line, name in imported_names("journal.views", False, "from . import selectors\n")]

    assert names == ["journal.selectors"]
    assert forbidden("journal.views", "journal.selectors") == ""
    assert forbidden("journal.views", "opportunities.selectors") == ""
    assert forbidden("documents.views", "journal.models") == "documents and journal sit side by side"
    assert forbidden("documents.views", "opportunities.views.detail") == "imports another app's views"
    assert forbidden("crm.views", "organizations.models") == "crm lies below organizations"


def test_the_apps_above_declare_what_belongs_to_the_rows_below():
    from crm import trash
    from opportunities.models import Opportunity
    from organizations import personal_data
    from organizations.models import Organization

    assert [part.key for part in trash.parts_of(Organization)] == ["opportunities"]
    assert [part.key for part in trash.parts_of(Opportunity)] == ["journal_entries", "documents"]
    assert [part.key for part in trash.parts_of(Opportunity) if part.purge_first] == ["documents"]
    assert [share.key for share in personal_data.shares()] == ["opportunities", "documents"]


def test_organizations_knows_the_open_phase_kind_the_opportunities_app_defines():
    from opportunities.models import PhaseKind
    from organizations.selectors import OPEN_PHASE_KIND

    assert OPEN_PHASE_KIND == PhaseKind.OPEN

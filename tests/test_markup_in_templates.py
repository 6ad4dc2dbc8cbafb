"""Markup lives in templates: no HTML tag inside a Python string in template tags or views (issue 13).

A tag that writes markup in Python hides it from whoever changes how a page looks, and one
missed escape is an XSS. Template tags return data or render a template; ``format_html`` is
allowed only for a one-element helper where a template would be silly, at most three of them,
each listed here with the test that feeds it an XSS payload.
"""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("crm", "organizations", "opportunities", "journal", "documents")
TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s|/?>)")

# (module path, function name): the test that feeds it an XSS payload.
ONE_ELEMENT_HELPERS: dict[tuple[str, str], str] = {}


def _modules():
    for app in APPS:
        base = ROOT / app
        yield from sorted((base / "templatetags").glob("*.py"))
        yield from sorted(base.glob("views.py"))
        yield from sorted((base / "views").glob("*.py"))


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _markup_strings(path: Path):
    """(innermost function, line, text) of every non-docstring string constant holding an HTML tag."""
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = _docstrings(tree)
    owner = {}
    # ast.walk goes outside in, so an inner function overwrites its outer one.
    for function in [tree, *[n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]]:
        for node in ast.walk(function):
            owner[id(node)] = getattr(function, "name", "<module>")
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        if is_text and TAG.search(node.value):
            yield owner[id(node)], node.lineno, node.value


def test_no_html_tag_in_a_python_string_of_a_template_tag_or_view():
    found = set()
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        for function, line, text in _markup_strings(path):
            if (relative, function) in ONE_ELEMENT_HELPERS:
                continue
            found.add(f"{relative}:{line} in {function}(): {text[:60]!r}")
    assert sorted(found) == []


def test_at_most_three_one_element_helpers():
    assert len(ONE_ELEMENT_HELPERS) <= 3

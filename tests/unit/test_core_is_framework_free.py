"""crm_lifecycle.core must never import Frappe or ERPNext, directly or through another module."""

import ast
import pathlib

import pytest

CORE = pathlib.Path(__file__).parents[2] / "crm_lifecycle" / "core"
FORBIDDEN = ("frappe", "erpnext")


def imported_modules(path: pathlib.Path):
	tree = ast.parse(path.read_text(), filename=str(path))
	for node in ast.walk(tree):
		if isinstance(node, ast.Import):
			yield from (alias.name for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
			yield node.module


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_framework(path):
	for module in imported_modules(path):
		assert module.split(".")[0] not in FORBIDDEN, f"{path.name} imports {module}"
		if module.startswith("crm_lifecycle."):
			assert module.startswith("crm_lifecycle.core"), f"{path.name} imports {module} outside core"


def test_the_check_sees_a_forbidden_import(tmp_path):
	offender = tmp_path / "bad.py"
	offender.write_text("import os\nfrom frappe.utils import cint\n")
	assert "frappe.utils" in list(imported_modules(offender))

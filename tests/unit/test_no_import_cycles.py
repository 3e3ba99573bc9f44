"""The app's modules import each other without circles (function-level imports included): each
layer depends only on the ones below it (api -> services -> core; overrides -> services)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "crm_lifecycle"


def _modules() -> dict[str, Path]:
	found = {}
	for path in APP.rglob("*.py"):
		parts = path.relative_to(APP.parent).with_suffix("").parts
		found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
	return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
	out = set()
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crm_lifecycle"):
			for alias in node.names:
				full = f"{node.module}.{alias.name}"
				out.add(full if full in modules else node.module)
		elif isinstance(node, ast.Import):
			out |= {alias.name for alias in node.names if alias.name.startswith("crm_lifecycle")}
	return {name for name in out if name in modules}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""Strongly connected components of more than one module (Tarjan)."""
	index, low, stack, on_stack, found = {}, {}, [], set(), []

	def visit(node):
		index[node] = low[node] = len(index)
		stack.append(node)
		on_stack.add(node)
		for other in graph[node]:
			if other not in index:
				visit(other)
				low[node] = min(low[node], low[other])
			elif other in on_stack:
				low[node] = min(low[node], index[other])
		if low[node] == index[node]:
			component = []
			while True:
				other = stack.pop()
				on_stack.discard(other)
				component.append(other)
				if other == node:
					break
			if len(component) > 1 or node in graph[node]:
				found.append(sorted(component))

	for node in graph:
		if node not in index:
			visit(node)
	return found


def test_no_module_imports_itself_through_others():
	modules = _modules()
	graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
	assert _cycles(graph) == []


def test_the_check_sees_a_circle():  # control
	assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]

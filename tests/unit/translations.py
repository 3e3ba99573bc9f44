"""Every user-facing string of crm_lifecycle, collected from the sources without Frappe.

Frappe v15 looks translations up by the exact source text, so this module returns the strings
the way Frappe will look them up:

- Python `_("...")` / `_lt("...")` / `frappe._("...")` (read with `ast`, so implicit
  concatenation over several lines and `.format(...)` are handled), keyed as `frappe._` keys
  them: HTML tags stripped, surrounding whitespace stripped;
- JavaScript `__("...")`, `__('...')` and `` __(`...`) `` without `${}`, keyed as they are;
- Jinja `{{ _("...") }}` in templates and in the print format's HTML;
- DocType JSON: the DocType's name and description, field labels and descriptions (sections
  and tabs included), Select options; Workspace, Number Card and Print Format names and labels;
- the custom fields, Select options and roles of `crm_lifecycle/setup/custom_fields.py`;
- strings that reach `_()` / `__()` through a variable (DYNAMIC_SOURCES below).

`python -m tests.unit.translations [de|cs]` prints what has no translation yet, as CSV rows
ready to fill in.
"""

import ast
import csv
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "crm_lifecycle"
TRANSLATIONS = APP / "translations"
LANGUAGES = ("de", "cs")

# frappe.utils: HTML_TAG_PATTERN decides whether `_()` strips tags, HTML_TAGS_PATTERN strips them
_HTML_TAG = re.compile(r"<[^>]+>")
_HTML_TAGS = re.compile(r"\<[^>]*\>")
PLACEHOLDER = re.compile(r"\{[A-Za-z0-9_]*\}")
_LETTER = re.compile(r"[^\W\d_]")

_JS_STRING = r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)"""
# __("text") / __("text", [args]) / __("text", null, "context")
_JS_CALL = re.compile(
	r"(?<![\w$.])__\(\s*" + _JS_STRING + r"\s*(?:,\s*(?:null|undefined|\[[^\]]*\]|\{[^}]*\}|[\w.]+)\s*,\s*"
	r"(" + _JS_STRING[1:-1] + r"))?\s*(\)|,|\+)"
)
_JINJA_CALL = re.compile(
	r"""(?<![\w.])_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*(?:,\s*context\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'))?\s*\)"""
)
_JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "`": "`", "$": "$"}


@dataclass(frozen=True)
class Message:
	text: str
	context: str | None = None  # the CSV row's third column


@dataclass(frozen=True)
class Problem:
	origin: str
	what: str


# Values that reach `_()` / `__()` through a variable, as (file, top-level name, selector):
#   "returns": string constants returned by the function;
#   "values": string constants in the assigned value or class body (docstrings left out);
#   "first_args": first positional string argument of each call in the assigned value.
DYNAMIC_SOURCES: tuple[tuple[str, str, str], ...] = (
	# governance.security_info()["validity"] -> __(info.validity) in governance.js
	("crm_lifecycle/core/governance.py", "validity", "returns"),
	# portal.get_access()[section]["source"] -> __(grant.source) in portal_access.js
	("crm_lifecycle/core/portal.py", "Source", "values"),
	# portal sections: _(area), _(row.section), __(section), __(data.kind)
	("crm_lifecycle/core/portal.py", "AREAS", "first_args"),
	# conversion.convert()["records"][i]["action"] -> __(record.action) in conversion.js
	("crm_lifecycle/services/conversion.py", "ACTIONS", "values"),
	# dependency edge kinds -> __(edge.kind) in conversion.js
	("crm_lifecycle/core/dependencies.py", "CONVERSION", "values"),
)


def is_translatable(text: str) -> bool:
	"""Placeholders and punctuation alone are nothing to translate; neither are icons or CSS."""
	bare = PLACEHOLDER.sub("", _HTML_TAGS.sub("", text))
	return bool(_LETTER.search(bare)) and not text.startswith(("fa fa-", "eval:")) and not text.endswith("px")


def python_key(text: str) -> str:
	"""What frappe._() looks up: tags stripped when the text looks like HTML, then stripped."""
	if _HTML_TAG.search(text):
		text = _HTML_TAGS.sub("", text)
	return text.strip()


def _relative(path: Path) -> str:
	return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _source_files(suffixes: tuple[str, ...]) -> list[Path]:
	return sorted(
		path
		for path in APP.rglob("*")
		if path.suffix in suffixes
		and path.is_file()
		and not {"__pycache__", "node_modules", "dist"} & set(path.relative_to(APP).parts)
	)


def _is_translate_call(node: ast.Call) -> bool:
	func = node.func
	if isinstance(func, ast.Name):
		return func.id in ("_", "_lt")
	return (
		isinstance(func, ast.Attribute)
		and func.attr in ("_", "_lt")
		and isinstance(func.value, ast.Name)
		and func.value.id == "frappe"
	)


def python_messages(path: Path) -> tuple[list[tuple[Message, str]], list[Problem]]:
	found, problems = [], []
	tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
	for node in ast.walk(tree):
		if not (isinstance(node, ast.Call) and _is_translate_call(node) and node.args):
			continue
		origin = f"{_relative(path)}:{node.lineno}"
		arg = node.args[0]
		if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
			context = None
			for keyword in node.keywords:
				if keyword.arg == "context" and isinstance(keyword.value, ast.Constant):
					context = keyword.value.value
			if len(node.args) > 2 and isinstance(node.args[2], ast.Constant):
				context = node.args[2].value
			key = python_key(arg.value)
			if is_translatable(key):
				found.append((Message(key, context), origin))
		elif isinstance(arg, ast.JoinedStr | ast.BinOp):
			# an f-string, "a" + b or "%s" % x is never found in a translation file
			problems.append(Problem(origin, f"built string inside _(): {ast.unparse(arg)}"))
	return found, problems


def _js_unquote(literal: str) -> str:
	body = literal[1:-1]
	return re.sub(r"\\(.)", lambda m: _JS_ESCAPES.get(m.group(1), m.group(1)), body, flags=re.S)


def _line(text: str, position: int) -> int:
	return text.count("\n", 0, position) + 1


def javascript_messages(path: Path) -> tuple[list[tuple[Message, str]], list[Problem]]:
	found, problems = [], []
	code = path.read_text(encoding="utf-8")
	for match in _JS_CALL.finditer(code):
		literal, context_literal, after = match.group(1), match.group(2), match.group(3)
		origin = f"{_relative(path)}:{_line(code, match.start())}"
		if after == "+":
			problems.append(Problem(origin, f"concatenated string inside __(): {literal[:60]}"))
			continue
		if literal.startswith("`") and "${" in literal:
			problems.append(Problem(origin, f"template literal with ${{}} inside __(): {literal[:60]}"))
			continue
		text = _js_unquote(literal)
		context = _js_unquote(context_literal) if context_literal else None
		if text != text.strip() and is_translatable(text):
			# Frappe keys the CSV by the exact text, and the file's rows must not start or end blank
			problems.append(Problem(origin, f"surrounding whitespace inside __(): {literal[:60]}"))
			continue
		if is_translatable(text):
			found.append((Message(text, context), origin))
	return found, problems


def jinja_messages(template: str, origin: str) -> list[tuple[Message, str]]:
	found = []
	for match in _JINJA_CALL.finditer(template):
		text = python_key(ast.literal_eval(match.group(1)))
		context = ast.literal_eval(match.group(2)) if match.group(2) else None
		if is_translatable(text):
			found.append((Message(text, context), f"{origin}:{_line(template, match.start())}"))
	return found


def _labelled(origin: str, *texts: str | None) -> list[tuple[Message, str]]:
	return [(Message(text.strip()), origin) for text in texts if text and is_translatable(text.strip())]


def doctype_messages(path: Path, doc: dict) -> list[tuple[Message, str]]:
	origin = _relative(path)
	found = _labelled(origin, doc.get("name"), doc.get("description"))
	for field in doc.get("fields", []):
		where = f"{origin}:{field.get('fieldname')}"
		found += _labelled(where, field.get("label"), field.get("description"))
		if field.get("fieldtype") == "Select" and field.get("options"):
			options = field["options"].split("\n")
			if "icon" not in options[0]:
				found += _labelled(where, *options)
	return found


def workspace_messages(path: Path, doc: dict) -> list[tuple[Message, str]]:
	origin = _relative(path)
	found = _labelled(origin, doc.get("name"), doc.get("label"), doc.get("title"))
	for table in ("shortcuts", "number_cards", "links", "charts", "quick_lists", "custom_blocks"):
		for row in doc.get(table, []):
			found += _labelled(f"{origin}:{table}", row.get("label"))
	for block in json.loads(doc.get("content") or "[]"):
		if block.get("type") in ("header", "paragraph"):
			found += _labelled(f"{origin}:content", _HTML_TAGS.sub("", block["data"].get("text", "")))
	return found


def print_format_messages(path: Path, doc: dict) -> list[tuple[Message, str]]:
	origin = _relative(path)
	return _labelled(origin, doc.get("name")) + jinja_messages(doc.get("html") or "", origin)


def json_messages(path: Path) -> list[tuple[Message, str]]:
	doc = json.loads(path.read_text(encoding="utf-8"))
	if not isinstance(doc, dict):
		return []
	kind = doc.get("doctype")
	if kind == "DocType":
		return doctype_messages(path, doc)
	if kind == "Workspace":
		return workspace_messages(path, doc)
	if kind == "Print Format":
		return print_format_messages(path, doc)
	if kind in ("Number Card", "Dashboard Chart", "Report", "Page"):
		return _labelled(_relative(path), doc.get("name"), doc.get("label"), doc.get("title"))
	return []


def _constant(node: ast.AST) -> str | None:
	if isinstance(node, ast.Constant) and isinstance(node.value, str):
		return node.value
	if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args:
		return _constant(node.args[0])
	return None


def custom_field_messages() -> list[tuple[Message, str]]:
	"""Labels and descriptions even where `_` was forgotten, Select options, and the roles."""
	path = APP / "setup" / "custom_fields.py"
	origin = _relative(path)
	found = []
	for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
		if not isinstance(node, ast.Dict):
			continue
		entries = {
			key.value: value
			for key, value in zip(node.keys, node.values, strict=True)
			if isinstance(key, ast.Constant)
		}
		where = f"{origin}:{node.lineno}"
		found += _labelled(where, *(_constant(entries[k]) for k in ("label", "description") if k in entries))
		if _constant(entries.get("fieldtype", ast.Constant(None))) == "Select" and "options" in entries:
			found += _labelled(where, *(_constant(entries["options"]) or "").split("\n"))
		if "role_name" in entries:
			found += _labelled(where, _constant(entries["role_name"]))
	return found


def _top_level(tree: ast.Module, name: str) -> ast.AST | None:
	for node in tree.body:
		if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
			return node
		if isinstance(node, ast.Assign | ast.AnnAssign):
			targets = node.targets if isinstance(node, ast.Assign) else [node.target]
			for target in targets:
				names = target.elts if isinstance(target, ast.Tuple) else [target]
				if any(isinstance(n, ast.Name) and n.id == name for n in names):
					return node
	return None


def _docstrings(node: ast.AST) -> set[int]:
	ids = set()
	for inner in ast.walk(node):
		body = getattr(inner, "body", None)
		if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
			ids.add(id(body[0].value))
	return ids


def dynamic_messages() -> tuple[list[tuple[Message, str]], list[Problem]]:
	found, problems = [], []
	for file, name, selector in DYNAMIC_SOURCES:
		path = ROOT / file
		origin = f"{file}:{name}"
		tree = ast.parse(path.read_text(encoding="utf-8")) if path.exists() else ast.Module(body=[])
		node = _top_level(tree, name)
		texts: list[str] = []
		if node is not None and selector == "returns":
			texts = [_constant(n.value) for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
		elif node is not None and selector == "values":
			skip = _docstrings(node)
			value = getattr(node, "value", node)
			if isinstance(value, ast.Dict):
				value = ast.Tuple(elts=value.values)
			texts = [
				n.value
				for n in ast.walk(value)
				if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
			]
		elif node is not None and selector == "first_args":
			texts = [_constant(n.args[0]) for n in ast.walk(node) if isinstance(n, ast.Call) and n.args]
		texts = [text for text in texts if text]
		if not texts:
			problems.append(Problem(origin, f"DYNAMIC_SOURCES entry found nothing ({selector}); update it"))
		found += _labelled(origin, *texts)
	return found, problems


def extract() -> tuple[dict[Message, list[str]], list[Problem]]:
	"""Every translatable message with where it comes from, and what cannot be translated."""
	pairs: list[tuple[Message, str]] = []
	problems: list[Problem] = []
	for path in _source_files((".py",)):
		found, trouble = python_messages(path)
		pairs += found
		problems += trouble
	for path in _source_files((".js", ".vue")):
		found, trouble = javascript_messages(path)
		pairs += found
		problems += trouble
	for path in _source_files((".html", ".jinja", ".md")):
		pairs += jinja_messages(path.read_text(encoding="utf-8"), _relative(path))
	for path in _source_files((".json",)):
		if path.parent.name != "translations":
			pairs += json_messages(path)
	pairs += custom_field_messages()
	found, trouble = dynamic_messages()
	pairs += found
	problems += trouble

	messages: dict[Message, list[str]] = {}
	for message, origin in pairs:
		messages.setdefault(message, []).append(origin)
	return messages, problems


@dataclass(frozen=True)
class Row:
	line: int
	source: str
	translation: str
	context: str | None

	@property
	def message(self) -> Message:
		return Message(self.source, self.context)


def read_translations(language: str) -> tuple[list[Row], list[Problem]]:
	"""The rows of `<app>/translations/<language>.csv` and what is wrong with the file itself."""
	return read_translation_file(TRANSLATIONS / f"{language}.csv")


def read_translation_file(path: Path) -> tuple[list[Row], list[Problem]]:
	"""Read as Frappe reads it (csv.reader, UTF-8), stricter about what Frappe would get wrong."""
	origin = _relative(path)
	if not path.exists():
		return [], [Problem(origin, "missing file")]
	rows, problems = [], []
	raw = path.read_bytes()
	try:
		text = raw.decode("utf-8")
	except UnicodeDecodeError as error:
		return [], [Problem(origin, f"not UTF-8: {error}")]
	if text.startswith("\ufeff"):
		problems.append(Problem(origin, "starts with a byte order mark (the first key would not match)"))
	reader = csv.reader(io.StringIO(text, newline=""), strict=True)
	seen: dict[Message, int] = {}
	try:
		for row in reader:
			where = f"{origin}:{reader.line_num}"
			if not row:
				continue
			if len(row) not in (2, 3):
				problems.append(Problem(where, f"{len(row)} columns, expected source,translation[,context]"))
				continue
			source, translation, context = row[0], row[1], (row[2] if len(row) == 3 else "") or None
			if not source.strip() or not translation.strip():
				problems.append(Problem(where, "empty source or translation"))
				continue
			if source != source.strip():
				problems.append(Problem(where, "source has surrounding whitespace: _() would never find it"))
			entry = Row(reader.line_num, source, translation, context)
			if entry.message in seen:
				problems.append(Problem(where, f"duplicate of line {seen[entry.message]}: {source!r}"))
			seen[entry.message] = reader.line_num
			rows.append(entry)
	except csv.Error as error:
		problems.append(Problem(f"{origin}:{reader.line_num}", f"malformed CSV: {error}"))
	return rows, problems


def placeholders(text: str) -> Counter:
	return Counter(PLACEHOLDER.findall(text))


def html_tags(text: str) -> Counter:
	"""Tag names with their closing slash; attributes may be reworded, the structure may not."""
	return Counter(re.findall(r"</?\s*[a-zA-Z][a-zA-Z0-9]*", text))


def check_row(row: Row) -> list[str]:
	"""What a translation breaks: placeholders dropped or added, HTML tags changed."""
	issues = []
	if placeholders(row.source) != placeholders(row.translation):
		issues.append(
			f"placeholders {sorted(placeholders(row.source).elements())} became "
			f"{sorted(placeholders(row.translation).elements())}"
		)
	if html_tags(row.source) != html_tags(row.translation):
		issues.append("HTML tags differ")
	return issues


def missing(language: str) -> list[Message]:
	messages, _problems = extract()
	rows, _file_problems = read_translations(language)
	have = {row.message for row in rows}
	return sorted((m for m in messages if m not in have), key=lambda m: (m.text.lower(), m.context or ""))


def write_csv_rows(rows: list[tuple[str, str, str | None]], out) -> None:
	writer = csv.writer(out, lineterminator="\n")
	for source, translation, context in rows:
		writer.writerow([source, translation, context] if context else [source, translation])


if __name__ == "__main__":
	for language in sys.argv[1:] or LANGUAGES:
		todo = missing(language)
		print(f"# {language}: {len(todo)} untranslated", file=sys.stderr)
		write_csv_rows([(m.text, "", m.context) for m in todo], sys.stdout)

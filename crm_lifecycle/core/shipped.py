"""The defaults the app ships (crm_lifecycle/fixtures/shipped/): payment reminder e-mail templates,
a disabled set of reminder rules using them, the web search shortcuts; and the one rule for
install, migrate and uninstall: the app writes or removes only what still equals what it wrote.

Frappe imports every `fixtures/*.json` of an app again on each migrate and overwrites the records
(`sync_fixtures`, `import_file_by_path(force=True)`, on every v15 minor), which would undo an
administrator's edits. So the shipped files live one folder down, where Frappe's import does not
look, and the app keeps, per shipped unit, the hash of the content it last wrote.
"""

import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "shipped"
EMAIL_TEMPLATE_FIELDS = ("subject", "use_html", "response_html", "response")
SETTINGS_TABLES = {
	"reminder_rules": ("enabled", "days_after_due", "email_template"),
	"web_searches": ("label", "url_template"),
}


class Action(str, Enum):
	WRITE = "write"  # (re)write the shipped content and remember its hash
	RECORD = "record"  # it already equals what is shipped: only remember the hash
	KEEP = "keep"  # the administrator's (edited, deleted, or theirs before the app shipped it)


@dataclass(frozen=True)
class Unit:
	"""One shipped default: an Email Template, or one table of CRM Lifecycle Settings."""

	key: str
	content: dict | list


def email_templates() -> list[dict]:
	return json.loads((FOLDER / "email_template.json").read_text(encoding="utf-8"))


def settings_tables() -> dict[str, list[dict]]:
	return json.loads((FOLDER / "crm_lifecycle_settings.json").read_text(encoding="utf-8"))


def template_content(values: dict) -> dict:
	"""The compared part of an Email Template (empty text and None are the same)."""
	return {field: values.get(field) or (0 if field == "use_html" else "") for field in EMAIL_TEMPLATE_FIELDS}


def table_content(table: str, rows: list[dict]) -> list[dict]:
	fields = SETTINGS_TABLES[table]
	return [{field: row.get(field) if row.get(field) is not None else "" for field in fields} for row in rows]


def template_key(name: str) -> str:
	return f"Email Template/{name}"


def table_key(table: str) -> str:
	return f"CRM Lifecycle Settings/{table}"


def units() -> list[Unit]:
	"""Everything shipped, templates first (the rules link them)."""
	found = [Unit(template_key(doc["name"]), template_content(doc)) for doc in email_templates()]
	found += [Unit(table_key(table), table_content(table, rows)) for table, rows in settings_tables().items()]
	return found


def content_hash(content) -> str:
	text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
	return hashlib.sha256(text.encode("utf-8")).hexdigest()


def on_sync(shipped_hash: str, recorded_hash: str | None, current_hash: str | None) -> Action:
	"""What install / migrate does with one unit. `current_hash` is None when the record (or the
	table's rows) does not exist, `recorded_hash` when the app never wrote it."""
	if recorded_hash is None:
		if current_hash is None:
			return Action.WRITE  # a fresh site
		# there before the app shipped it: the app's only when it is the same
		return Action.RECORD if current_hash == shipped_hash else Action.KEEP
	if current_hash != recorded_hash:
		return Action.KEEP  # edited or deleted since the app wrote it
	return Action.KEEP if current_hash == shipped_hash else Action.WRITE  # a newer version ships


def on_uninstall(recorded_hash: str | None, current_hash: str | None) -> bool:
	"""Remove it? Only what the app wrote and nobody changed since."""
	return recorded_hash is not None and current_hash == recorded_hash

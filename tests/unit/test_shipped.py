"""The shipped defaults (core/shipped.py): what install / migrate / uninstall do with each unit."""

import json

import pytest

from crm_lifecycle.core import shipped
from crm_lifecycle.core.shipped import Action

SHIPPED, EDITED, OLD = "shipped", "edited", "old"


@pytest.mark.parametrize(
	("recorded", "current", "action"),
	[
		(None, None, Action.WRITE),  # a fresh site
		(None, SHIPPED, Action.RECORD),  # there before, and the same
		(None, EDITED, Action.KEEP),  # there before, and somebody's own
		(SHIPPED, SHIPPED, Action.KEEP),  # nothing to do
		(SHIPPED, EDITED, Action.KEEP),  # the administrator's edit survives migrate
		(SHIPPED, None, Action.KEEP),  # deleted on purpose: not brought back
		(OLD, OLD, Action.WRITE),  # unchanged since the app wrote it, a newer version ships
		(OLD, EDITED, Action.KEEP),  # edited: a newer version does not overwrite it
	],
)
def test_on_sync(recorded, current, action):
	assert shipped.on_sync(SHIPPED, recorded, current) == action


@pytest.mark.parametrize(
	("recorded", "current", "remove"),
	[(SHIPPED, SHIPPED, True), (SHIPPED, EDITED, False), (None, SHIPPED, False), (SHIPPED, None, False)],
)
def test_on_uninstall_removes_only_what_the_app_wrote_unchanged(recorded, current, remove):
	assert shipped.on_uninstall(recorded, current) is remove


def test_the_hash_ignores_key_order_and_sees_every_change():
	content = shipped.template_content({"subject": "S", "response_html": "<p>x</p>", "use_html": 1})
	assert shipped.content_hash(content) == shipped.content_hash(dict(reversed(list(content.items()))))
	assert shipped.content_hash(content) != shipped.content_hash({**content, "subject": "S "})
	assert shipped.template_content({"subject": "S", "response": None}) == shipped.template_content(
		{"subject": "S", "response": ""}
	)


def test_templates_in_three_languages_three_levels_with_the_invoice_facts():
	templates = shipped.email_templates()
	assert len(templates) == 9
	for language in ("en", "de", "cs"):
		for level in ("First", "Second", "Final"):
			name = f"Payment Reminder {level} ({language})"
			(template,) = (doc for doc in templates if doc["name"] == name)
			assert "{{ name }}" in template["subject"]
			body = template["response_html"]
			for fact in ("{{ name }}", "due_date", "outstanding_amount", "/invoices/"):
				assert fact in body, (name, fact)


def test_the_rules_are_disabled_and_use_shipped_templates():
	names = {doc["name"] for doc in shipped.email_templates()}
	rules = shipped.settings_tables()["reminder_rules"]
	assert [rule["days_after_due"] for rule in rules] == sorted(rule["days_after_due"] for rule in rules)
	assert all(rule["enabled"] == 0 and rule["email_template"] in names for rule in rules)
	assert [row["label"] for row in shipped.settings_tables()["web_searches"]] == [
		"firmy.cz",
		"Google",
		"ARES",
	]


def test_nothing_lies_where_frappe_would_overwrite_it_on_every_migrate():
	"""Frappe's sync_fixtures imports (force, overwriting) every fixtures/*.json of the app."""
	assert not list(shipped.FOLDER.parent.glob("*.json"))
	for path in shipped.FOLDER.glob("*.json"):
		json.loads(path.read_text(encoding="utf-8"))

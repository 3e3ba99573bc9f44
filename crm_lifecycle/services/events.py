"""What the app's writes leave behind, so that they travel through Frappe like a form save.

A single-record change is a real save (`records.save_changes`). A bulk change stays set-based
(one UPDATE for thousands of rows), and then, through `changed()`:
- one Version per changed record (doctypes that track changes), written by one multi-row INSERT
  in the same transaction as the change;
- after the commit, a background job runs for every changed record what a form save would
  run after writing: the `on_update` (or, submitted, `on_update_after_submit`) and `on_change`
  events of other apps' doc_events, Notifications (so "Value Change" sees the old value),
  Webhooks and server scripts, and the realtime refresh of open forms and lists. The record's
  own controller is not run again: the action already did what it owns.
"""

from collections.abc import Iterable

import frappe
from frappe.core.doctype.server_script.server_script_utils import run_server_script_for_doc_event
from frappe.integrations.doctype.webhook import run_webhooks
from frappe.model.document import Document
from frappe.utils import now_datetime

JOB_CHUNK = 500  # records per emitting job: a job stays short, a failure stays local

Change = tuple[str, object, object]  # fieldname, old value, new value


def before(
	doctype: str, names: list[str], fields: Iterable[str], filters: dict | None = None
) -> dict[str, dict]:
	"""The current values of `fields` of `names` (those matching `filters`), read once before a
	set-based change."""
	fields = list(fields)
	if not names:
		return {}
	rows = frappe.get_all(
		doctype, filters={**(filters or {}), "name": ("in", names)}, fields=["name", *fields], limit=0
	)
	return {row.pop("name"): row for row in rows}


def diff(old: dict[str, dict], new_values: dict) -> dict[str, list[Change]]:
	"""Per record, the fields whose value `new_values` changes."""
	changes = {}
	for name, values in old.items():
		changed = [
			(field, values.get(field), value)
			for field, value in new_values.items()
			if _text(values.get(field)) != _text(value)
		]
		if changed:
			changes[name] = changed
	return changes


def changed(doctype: str, changes: dict[str, list[Change]]) -> None:
	"""A set-based change of `changes` was just written: Versions now, events after the commit."""
	if not changes:
		return
	_insert_versions(doctype, changes)
	names = list(changes)
	for start in range(0, len(names), JOB_CHUNK):
		chunk = {
			name: [list(change) for change in changes[name]] for name in names[start : start + JOB_CHUNK]
		}
		_enqueue(doctype, chunk)


def touched(doctype: str, name: str) -> None:
	"""No field of the record changed but something about it did (a lock): after the commit its
	save events run, as for a form saved without changes (no Version: nothing to compare)."""
	_enqueue(doctype, {name: []})


def _enqueue(doctype: str, changes: dict) -> None:
	"""The records' post-save events, on the queue once the transaction commits."""
	frappe.enqueue(
		"crm_lifecycle.services.events.emit_saved",
		queue="short",
		enqueue_after_commit=True,
		doctype=doctype,
		changes=_jsonable(changes),
	)


def emit_saved(doctype: str, changes: dict[str, list[list]]) -> None:
	"""Background job: each record's post-save events, as a form save would run them."""
	for name, changed_fields in changes.items():
		try:
			doc = frappe.get_doc(doctype, name)
		except frappe.DoesNotExistError:
			frappe.clear_last_message()
			continue  # deleted meanwhile: nothing left to tell
		previous = frappe.get_doc(doc.as_dict())
		for field, old, _new in changed_fields:
			previous.set(field, old)
		doc._doc_before_save = previous
		try:
			for event in ("on_update_after_submit" if doc.docstatus == 1 else "on_update", "on_change"):
				run_event(doc, event)
			doc.notify_update()
		except Exception:
			frappe.clear_last_message()
			doc.log_error(f"CRM Lifecycle: events of {doctype} {name}")


def run_event(doc: Document, event: str) -> None:
	"""`doc.run_method(event)` without the controller's own method: other apps' doc_events,
	Notifications, Webhooks and server scripts."""

	def without_controller(self, *args, **kwargs):
		return None

	without_controller.__name__ = event
	Document.hook(without_controller)(doc)
	doc.run_notifications(event)
	run_webhooks(doc, event)
	run_server_script_for_doc_event(doc, event)


def _insert_versions(doctype: str, changes: dict[str, list[Change]]) -> None:
	if not frappe.get_meta(doctype).track_changes:
		return
	now, user = now_datetime(), frappe.session.user
	rows = []
	for name, changed_fields in changes.items():
		data = {
			"added": [],
			"changed": [list(change) for change in changed_fields],
			"removed": [],
			"row_changed": [],
			"data_import": None,
			"updater_reference": None,
		}
		rows.append(
			(
				frappe.generate_hash(length=10),
				now,
				now,
				user,
				user,
				doctype,
				name,
				frappe.as_json(data, indent=0),
			)
		)
	frappe.db.bulk_insert(
		"Version",
		["name", "creation", "modified", "owner", "modified_by", "ref_doctype", "docname", "data"],
		rows,
	)


def _text(value) -> str:
	return "" if value is None else str(value)


def _jsonable(value):
	return frappe.parse_json(frappe.as_json(value, indent=0))

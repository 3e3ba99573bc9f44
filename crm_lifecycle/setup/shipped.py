"""Writes the shipped defaults (core/shipped.py) on install and migrate, removes the unchanged ones
on uninstall. Each write is a form save; each unit is its own transaction step, so one failing
unit (say, a template renamed meanwhile) leaves the others done."""

import frappe
from frappe import _

from crm_lifecycle.core import shipped as core
from crm_lifecycle.services.transaction import atomic

SETTINGS = "CRM Lifecycle Settings"
RECORD = "Lifecycle Shipped Default"
# the app's own records that link a template: they go with the app, they do not keep a template
OWN_LINKS = ["Lifecycle Payment Reminder", "Lifecycle Reminder Rule"]


def sync() -> dict[str, str]:
	"""Install / migrate: write what is missing or still as the app left it; key -> action."""
	done = {}
	templates = {doc["name"]: doc for doc in core.email_templates()}
	tables = core.settings_tables()
	for unit in core.units():
		try:
			with atomic():
				done[unit.key] = sync_unit(unit, templates, tables).value
		except Exception:
			# say, the rules' template was deleted: the rules stay as they are, the rest is done
			frappe.log_error(title=_("Shipped default {0} could not be written").format(unit.key))
			done[unit.key] = "failed"
	return done


def sync_unit(unit: core.Unit, templates: dict, tables: dict) -> core.Action:
	current = current_content(unit.key)
	shipped_hash = core.content_hash(unit.content)
	action = core.on_sync(
		shipped_hash, recorded_hash(unit.key), None if current is None else core.content_hash(current)
	)
	if action == core.Action.WRITE:
		kind, _sep, name = unit.key.partition("/")
		if kind == "Email Template":
			write_template(templates[name])
		else:
			write_table(name, tables[name])
	if action in (core.Action.WRITE, core.Action.RECORD):
		remember(unit.key, shipped_hash)
	return action


def remove_unchanged() -> list[str]:
	"""Uninstall: delete the shipped templates nobody changed (the settings go with the app's
	DocTypes anyway); a template in use elsewhere (a sent mail links it) stays."""
	removed = []
	for doc in core.email_templates():
		key = core.template_key(doc["name"])
		current = current_content(key)
		if not core.on_uninstall(recorded_hash(key), None if current is None else core.content_hash(current)):
			continue
		# the app's own rows that link it go with the app's DocTypes right after
		for doctype in OWN_LINKS:
			frappe.db.delete(doctype, {"email_template": doc["name"]})
		try:
			with atomic():
				frappe.delete_doc("Email Template", doc["name"], ignore_permissions=True)
		except frappe.LinkExistsError:
			frappe.clear_last_message()
			continue
		removed.append(doc["name"])
	return removed


def current_content(key: str):
	kind, _sep, name = key.partition("/")
	if kind == "Email Template":
		values = frappe.db.get_value("Email Template", name, list(core.EMAIL_TEMPLATE_FIELDS), as_dict=True)
		return core.template_content(values) if values else None
	fields = core.SETTINGS_TABLES[name]
	child = frappe.get_meta(SETTINGS).get_field(name).options
	rows = frappe.get_all(
		child,
		filters={"parent": SETTINGS, "parenttype": SETTINGS, "parentfield": name},
		fields=list(fields),
		order_by="idx asc",
	)
	return core.table_content(name, rows) if rows else None


def recorded_hash(key: str) -> str | None:
	return frappe.db.get_value(RECORD, key, "content_hash")


def remember(key: str, content_hash: str) -> None:
	if frappe.db.exists(RECORD, key):
		doc = frappe.get_doc(RECORD, key)
		doc.content_hash = content_hash
		doc.save(ignore_permissions=True)
	else:
		frappe.get_doc({"doctype": RECORD, "key": key, "content_hash": content_hash}).insert(
			ignore_permissions=True
		)


def write_template(values: dict) -> None:
	content = core.template_content(values)
	if frappe.db.exists("Email Template", values["name"]):
		doc = frappe.get_doc("Email Template", values["name"])
		doc.update(content)
		doc.save(ignore_permissions=True)
	else:
		frappe.get_doc({"doctype": "Email Template", "name": values["name"], **content}).insert(
			ignore_permissions=True
		)


def write_table(table: str, rows: list[dict]) -> None:
	settings = frappe.get_single(SETTINGS)
	settings.set(table, [dict(row) for row in rows])
	settings.flags.ignore_permissions = True
	settings.save()

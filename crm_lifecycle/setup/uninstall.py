"""Removes everything install.py created, so that ERPNext is left as it was.

Frappe's own uninstall drops the app's DocTypes and Module Def; custom fields, their
columns, property setters and roles on other apps' DocTypes are ours to remove, and so are the
shipped e-mail templates nobody changed (setup/shipped.py).
"""

import frappe

from crm_lifecycle.setup import shipped
from crm_lifecycle.setup.custom_fields import CUSTOM_FIELDS, PROPERTY_SETTERS, ROLES, SEARCH_INDEXES


def before_uninstall() -> None:
	shipped.remove_unchanged()  # while the record of what the app wrote still exists
	delete_custom_fields()
	delete_property_setters()
	delete_roles()


def delete_custom_fields() -> None:
	for doctype, fields in CUSTOM_FIELDS.items():
		delete_fields(doctype, [field["fieldname"] for field in fields])


def delete_fields(doctype: str, fieldnames: list[str]) -> None:
	"""Custom fields of ours, their property setters and columns (also what a patch retires)."""
	frappe.db.delete("Custom Field", {"dt": doctype, "fieldname": ("in", fieldnames)})
	frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": ("in", fieldnames)})
	drop_columns(doctype, fieldnames)
	frappe.clear_cache(doctype=doctype)


def drop_columns(doctype: str, fieldnames: list[str]) -> None:
	"""Drop the data columns too: Frappe leaves them behind when a Custom Field is deleted."""
	existing = set(frappe.db.get_table_columns(doctype))
	to_drop = [fieldname for fieldname in fieldnames if fieldname in existing]
	if not to_drop:
		return
	# Identifiers cannot be bound as parameters; they come from our own constant, never from input.
	drops = ", ".join(f"DROP COLUMN `{fieldname}`" for fieldname in to_drop)
	# FORCE rebuilds the table. MariaDB otherwise drops a column instantly: it stays hidden in
	# every row, and after some fifty reinstalls the hidden columns make the next drop fail
	# ("Row size too large"), halfway through the uninstall.
	frappe.db.sql_ddl(f"ALTER TABLE `tab{doctype}` {drops}, FORCE")
	# Frappe caches a table's columns; its own schema sync forgets them after an ALTER, as here
	frappe.cache.hdel("table_columns", f"tab{doctype}")


def delete_property_setters() -> None:
	for doctype, fieldname, prop, _value, _type in PROPERTY_SETTERS:
		filters = {"doc_type": doctype, "property": prop}
		if fieldname:
			filters["field_name"] = fieldname
		frappe.db.delete("Property Setter", filters)
		frappe.clear_cache(doctype=doctype)
	for doctype, _fieldname in SEARCH_INDEXES:
		frappe.db.updatedb(doctype)  # Frappe's schema sync drops the index the field no longer asks for


def delete_roles() -> None:
	for role in ROLES:
		name = role["role_name"]
		frappe.db.delete("Has Role", {"role": name})
		frappe.db.delete("Custom DocPerm", {"role": name})
		if frappe.db.exists("Role", name):
			frappe.delete_doc("Role", name, force=True, ignore_permissions=True)

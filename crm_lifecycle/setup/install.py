"""Creates what crm_lifecycle adds to other apps' DocTypes, from THE definition in custom_fields.py.

Runs after install and after every migrate; every step is idempotent.
"""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.custom.doctype.property_setter.property_setter import make_property_setter

from crm_lifecycle.services.dependencies import backfill as record_native_document_links
from crm_lifecycle.services.locking import set_default_lockable_doctypes
from crm_lifecycle.services.portal import set_default_portal_access
from crm_lifecycle.services.registry import set_defaults as set_registry_defaults
from crm_lifecycle.setup import shipped
from crm_lifecycle.setup.custom_fields import CUSTOM_FIELDS, PROPERTY_SETTERS, ROLES, SEARCH_INDEXES


def after_install() -> None:
	sync_definition()
	set_default_lockable_doctypes()
	set_default_portal_access()
	record_native_document_links()
	set_registry_defaults()
	shipped.sync()


def after_migrate() -> None:
	sync_definition()
	# after Frappe's own fixtures import: the shipped defaults are not in its reach (core/shipped.py)
	shipped.sync()


def sync_definition() -> None:
	make_roles()
	create_custom_fields(CUSTOM_FIELDS, ignore_validate=True, update=True)
	make_property_setters()


def make_roles() -> None:
	for role in ROLES:
		if frappe.db.exists("Role", role["role_name"]):
			continue
		frappe.get_doc({"doctype": "Role", **role}).insert(ignore_permissions=True)


def make_property_setters() -> None:
	for doctype, fieldname, prop, value, property_type in PROPERTY_SETTERS:
		make_property_setter(
			doctype,
			fieldname,
			prop,
			value,
			property_type,
			for_doctype=not fieldname,
			validate_fields_for_doctype=False,
		)
	for doctype, fieldname in SEARCH_INDEXES:
		if not has_index(doctype, fieldname):
			frappe.db.updatedb(doctype)  # Frappe's schema sync adds the index the field asks for


def has_index(doctype: str, fieldname: str) -> bool:
	"""An index of the field alone (what Frappe's schema sync makes for, and drops without, it)."""
	return bool(frappe.db.get_column_index(f"tab{doctype}", fieldname, unique=False))

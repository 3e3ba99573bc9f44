"""Existence of records, asked the same way by every service and API method."""

import frappe
from frappe import _


def ensure_exists(doctype: str, name) -> None:
	"""404 for an unknown doctype or record (a Single has no records), before anything else
	looks at them; Administrator passes every permission check, so this runs first."""
	if not isinstance(doctype, str) or not doctype or not frappe.db.exists("DocType", doctype):
		frappe.throw(_("DocType {0} not found").format(doctype), frappe.DoesNotExistError)
	if (
		not isinstance(name, str)
		or not name
		or frappe.get_meta(doctype).issingle
		or not frappe.db.exists(doctype, name)
	):
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)

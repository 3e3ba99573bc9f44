"""REST: lock and unlock records, ask who holds a lock.

POST /api/method/crm_lifecycle.api.locking.lock    doctype, name, reason?, expires_on?
POST /api/method/crm_lifecycle.api.locking.unlock  doctype, name
GET  /api/method/crm_lifecycle.api.locking.status  doctype, name
"""

import frappe
from frappe import _

from crm_lifecycle.api.params import name_list
from crm_lifecycle.services import locking, visibility


@frappe.whitelist(methods=["POST"])
def lock(doctype: str, name: str, reason: str | None = None, expires_on: str | None = None) -> dict:
	"""Lock a record you may write; refused (409) while somebody else holds it."""
	locking.ensure_exists(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	locking.check_lockable(doctype)
	return locking.lock(doctype, name, reason=reason, expires_on=expires_on)


@frappe.whitelist(methods=["POST"])
def unlock(doctype: str, name: str) -> dict:
	"""Remove your lock; lock managers may remove anybody's (recorded, the holder is notified)."""
	locking.ensure_exists(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	locking.check_lockable(doctype)
	return locking.unlock(doctype, name)


@frappe.whitelist(methods=["GET", "POST"])
def status(doctype: str, name: str) -> dict:
	"""Locked or not, by whom, since when, why, until when; and what the caller may do."""
	locking.ensure_exists(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	return locking.status(doctype, name)


@frappe.whitelist(methods=["GET", "POST"])
def locked_names(doctype: str, names: str | list) -> dict[str, str]:
	"""For list views: which of the shown records are locked, and by whom."""
	if not frappe.db.exists("DocType", doctype):
		frappe.throw(_("DocType {0} not found").format(doctype), frappe.DoesNotExistError)
	frappe.has_permission(doctype, "read", throw=True)
	if names in ("[]", []):
		return {}
	# who holds a lock is told only of records the caller may read
	shown = visibility.readable(doctype, name_list(names)[:500])
	return locking.locked_names(doctype, [name for name in name_list(names)[:500] if name in shown])
